"""Prefecture lookup and width folding by table agree with the definitions they stand in for."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from renkei.core.normalize import fold_width, split_prefecture
from renkei.core.normalize.address import _PREFECTURE, PREFECTURES
from renkei.core.normalize.text import _WIDTH_TABLE


def regex_split_prefecture(address: str) -> tuple[str | None, str]:
    """The definition: the longest-first alternation of the 47 names."""
    text = address.lstrip()
    match = _PREFECTURE.match(text)
    if match is None:
        return None, address
    return match.group(), text[match.end() :].lstrip()


_PIECES = [*PREFECTURES, "京都", "京都市", "東京", "神奈川", "県", "都", " ", "\u3000", "\t", "\n", "横浜市中区",
           "1-2-3", "１－２", "㈱", "ｶﾅ", "髙", "～", "", "北海", "道"]  # fmt: skip
ADDRESS_LIKE = st.lists(st.sampled_from(_PIECES), max_size=6).map("".join)


@pytest.mark.parametrize("prefecture", PREFECTURES)
@pytest.mark.parametrize("layout", ["{}", " {}横浜市中区1-2", "\u3000{} 千代田区", "{}{}", "x{}", "{}\n"])
def test_each_prefecture_splits_as_the_regex_does(prefecture: str, layout: str) -> None:
    address = layout.format(prefecture, prefecture)
    assert split_prefecture(address) == regex_split_prefecture(address)


@given(st.one_of(ADDRESS_LIKE, st.text(max_size=12)))
def test_any_address_splits_as_the_regex_does(address: str) -> None:
    assert split_prefecture(address) == regex_split_prefecture(address)


@given(st.text(max_size=30))
def test_fold_width_by_string_table_is_the_dict_table(s: str) -> None:
    expected = s.translate(_WIDTH_TABLE)
    folded = fold_width(s)
    if not any("\uff61" <= c <= "\uff9f" for c in expected):  # half-width kana go through mojimoji too
        assert folded == expected


@pytest.mark.parametrize(
    "s",
    [
        "",
        "　",
        "ＡＢＣ１２３",
        "東京都中央区日本橋５－１７－１　第一ビル",
        "１～３",
        "\uff5e\uff5f\uff60",
        "\U0001f600５",
        "𠮷野家１",
    ],
)
def test_fold_width_examples(s: str) -> None:
    assert fold_width(s) == s.translate(_WIDTH_TABLE)
