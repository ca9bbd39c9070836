"""Common family names' readings: dividing an unspaced reading, telling a romaji family name."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from renkei.core.normalize.family_names import (
    COMMON_FAMILY_NAMES,
    is_romaji_family_name,
    is_romaji_given_name,
    readings_of,
    split_reading,
)

_GIVEN_READINGS = ["タロウ", "ハナコ", "イチロウ", "ミチコ", "ショウタ", "ユイ", "ケン"]


@given(st.sampled_from(sorted(COMMON_FAMILY_NAMES)), st.sampled_from(_GIVEN_READINGS), st.data())
def test_a_reading_written_without_a_space_divides_after_the_family_names_reading(family, given_reading, data):
    reading = data.draw(st.sampled_from(readings_of(family)))
    assert split_reading(reading + given_reading, family) == (reading, given_reading)


@pytest.mark.parametrize(
    ("reading", "family", "expected"),
    [
        pytest.param("サトーハナコ", "佐藤", ("サトー", "ハナコ"), id="long-mark-for-u"),
        pytest.param("オータイチロウ", "太田", ("オータ", "イチロウ"), id="long-mark-for-o"),
        pytest.param("カワノイチロウ", "河野", ("カワノ", "イチロウ"), id="the-second-reading"),
        pytest.param("モチズキハナコ", "望月", ("モチズキ", "ハナコ"), id="zu-for-du"),
        pytest.param("ヤマダ", "山田", None, id="the-family-name-alone"),
        pytest.param("ヤマモトタロウ", "山田", None, id="another-family-names-reading"),
        pytest.param("ヤマダンタ", "山田", None, id="a-given-name-cannot-start-with-n"),
        pytest.param("テシガワラタロウ", "勅使河原", None, id="not-a-common-family-name"),
        pytest.param("モリタロウ", "森", ("モリ", "タロウ"), id="one-character-family-name"),
    ],
)
def test_split_reading(reading, family, expected):
    assert split_reading(reading, family) == expected


@pytest.mark.parametrize(
    "word", ["Sato", "SATO", "Satoh", "Satou", "Satō", "Ohno", "Oono", "Ōno", "Homma", "Honma", "Hattori", "Inoue"]
)
def test_a_family_names_romaji_in_the_spellings_people_use(word):
    assert is_romaji_family_name(word)


@pytest.mark.parametrize("word", ["Taro", "Hanako", "Ichiro", "Kenji", "Minami", "Izumi", "Smith", "佐藤"])
def test_given_names_and_others_are_not_family_names(word):
    assert not is_romaji_family_name(word)


def test_the_readings_in_romaji_are_hepburn_and_each_a_family_name_but_the_common_given_names():
    from renkei.core.normalize.family_names import _READINGS, _romaji

    spelled = {_romaji(reading) for readings in _READINGS.values() for reading in readings}
    assert {"satou", "hattori", "kikkawa", "mochiduki"} & spelled == {"satou", "hattori", "kikkawa"}
    also_given = {"minami", "izumi", "maki", "kan", "azuma", "hoshi"}
    assert {word for word in spelled if not is_romaji_family_name(word)} == also_given


@pytest.mark.parametrize(("word", "given"), [("Kenji", True), ("Yuuko", True), ("JOHN", True), ("Yamada", False)])
def test_common_given_names_in_romaji(word, given):
    assert is_romaji_given_name(word) is given
