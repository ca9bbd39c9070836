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
        pytest.param("アイモノタロウ", "四十物", None, id="not-a-common-family-name"),
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
    also_given = {"minami", "izumi", "maki", "kan", "azuma", "hoshi", "yui", "daigo", "tamaki", "shouji", "date"}
    also_given |= {"katsura", "tatsumi"}
    assert {word for word in spelled if not is_romaji_family_name(word)} == also_given


@pytest.mark.parametrize(("word", "given"), [("Kenji", True), ("Yuuko", True), ("JOHN", True), ("Yamada", False)])
def test_common_given_names_in_romaji(word, given):
    assert is_romaji_given_name(word) is given


@pytest.mark.parametrize(
    ("word", "reading", "expected"),
    [
        pytest.param("Taro", "タロウ", True, id="long-vowel-not-written"),
        pytest.param("Tarou", "タロウ", True, id="long-vowel-as-ou"),
        pytest.param("Tarō", "タロウ", True, id="long-vowel-as-macron"),
        pytest.param("Yuuko", "ユーコ", True, id="long-mark-in-the-reading"),
        pytest.param("Shin'ichi", "シンイチ", True, id="apostrophe-after-n"),
        pytest.param("Syota", "ショウタ", True, id="kunrei-sy"),
        pytest.param("Tuyosi", "ツヨシ", True, id="kunrei-tu-si"),
        pytest.param("Hukuda", "フクダ", True, id="kunrei-hu"),
        pytest.param("Hattori", "ハットリ", True, id="doubled-consonant"),
        pytest.param("Ryohei", "リョウヘイ", True, id="small-yo"),
        pytest.param("Hanako", "タロウ", False, id="another-name"),
        pytest.param("Taro", "タロ", True, id="short-and-long-alike"),
        pytest.param("Smith", "スミス", None, id="not-written-as-japanese"),
        pytest.param("Mary", "メアリー", None, id="an-english-name"),
        pytest.param("Vivi", "ヴィヴィ", None, id="kana-without-one-spelling"),
    ],
)
def test_romaji_reads(word, reading, expected):
    from renkei.core.normalize.family_names import romaji_reads

    assert romaji_reads(word, reading) is expected


@pytest.mark.parametrize(
    ("word", "family", "expected"),
    [
        pytest.param("Sato", "佐藤", True, id="romaji"),
        pytest.param("Satoh", "佐藤", True, id="romaji-oh"),
        pytest.param("サトー", "佐藤", True, id="katakana-long-mark"),
        pytest.param("Kawano", "河野", True, id="a-second-reading"),
        pytest.param("Yamada", "佐藤", False, id="another-common-name"),
        pytest.param("Smith", "佐藤", False, id="not-japanese"),
        pytest.param("スズキ", "佐藤", False, id="another-reading"),
        pytest.param("Aimono", "四十物", None, id="not-a-common-name"),
    ],
)
def test_spells_family_name(word, family, expected):
    from renkei.core.normalize.family_names import spells_family_name

    assert spells_family_name(word, family) is expected


_SYLLABLE_KANA = list(
    "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワガジダバパ"
)
_SYLLABLE_KANA += ["キョ", "シュ", "チャ", "リョ", "ジュ", "ニャ", "ヒョ"]
_DOUBLED = frozenset("カキクケコサシスセソタチツテトパ")  # what a small ッ comes before
# A syllable, a long mark after it or not, a small ッ before a consonant's or not; ン after it or not.
_UNIT = st.tuples(st.sampled_from(_SYLLABLE_KANA), st.booleans(), st.booleans(), st.booleans()).map(
    lambda unit: (
        ("ッ" if unit[1] and unit[0][0] in _DOUBLED else "")
        + unit[0]
        + ("ー" if unit[2] else "")
        + ("ン" if unit[3] else "")
    )
)


@given(st.lists(_UNIT, min_size=1, max_size=5))
def test_a_readings_hepburn_spelling_reads_as_it_and_another_does_not(units):
    from renkei.core.normalize.family_names import _romaji, romaji_reads

    reading = "".join(units)
    spelled = _romaji(reading)
    assert romaji_reads(spelled.capitalize(), reading) is True
    assert romaji_reads(spelled + "ka", reading) is False
