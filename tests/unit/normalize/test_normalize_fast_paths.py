"""The normalisers' shortcuts agree with the plain definitions they stand in for."""

from __future__ import annotations

import re

import mojimoji
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from renkei.core.errors import NormalizationError
from renkei.core.normalize import clean_text, fold_dashes, fold_width, normalize_email, normalize_phone, split_city
from renkei.core.normalize.address import _city_names
from renkei.core.normalize.dates import _parse_uncached, _ParseMemo
from renkei.core.normalize.phone import _ALLOWED, _compact, classify_phone
from renkei.core.normalize.text import DASHES

# The plain definitions: translate tables and a scan of every possible city length.
_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
_WIDTH |= dict.fromkeys((0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF), 0x20)  # invisible characters: a space
_DASH = dict.fromkeys(map(ord, DASHES), "-")
_LONG_MARK_BETWEEN_DIGITS = re.compile(r"(?<=[0-9０-９])[\u30fc\uff70](?=[0-9０-９])")
_SEPARATORS = re.compile(r"[\s().\-]+")


def plain_fold_width(s: str) -> str:
    s = s.translate(_WIDTH)
    if re.search("[\uff61-\uff9f]", s):
        s = str(mojimoji.han_to_zen(s, ascii=False, digit=False))
    return s


def plain_fold_dashes(s: str) -> str:
    return _LONG_MARK_BETWEEN_DIGITS.sub("-", s.translate(_DASH))


def plain_split_city(rest: str) -> tuple[str | None, str]:
    names, _ = _city_names()
    longest = max(map(len, names))
    text = rest.lstrip()
    key = text[:longest].replace("ヶ", "ケ").replace("ヵ", "カ")
    for size in range(min(longest, len(key)), 1, -1):
        if key[:size] in names:
            return text[:size], text[size:].lstrip()
    return None, rest


# Every edge of the folding tables, and text around them.
_EDGES = "\u200b\u200d\u2060\ufeff\u3000\uff00\uff01\uff10\uff5e\uff5f\uff60\uff61\uff76\uff9e\uff9f\uffa0 -ーｰ09aA山ヶケヵカ〜～"
# Lists joined, not st.text: text() merges an alphabet into one set of characters, where these
# few would hardly ever be drawn.
JAPANESE_TEXT = st.lists(st.one_of(st.sampled_from(_EDGES + DASHES), st.characters()), max_size=30).map("".join)


@pytest.mark.parametrize("edge", list(_EDGES + DASHES))
@pytest.mark.parametrize("context", ["{}", "山{}", "1{}2", "{}{}"])
def test_each_edge_of_the_tables_folds_as_the_tables_say(edge: str, context: str) -> None:
    s = context.format(edge, edge)
    assert fold_width(s) == plain_fold_width(s)
    assert fold_dashes(s) == plain_fold_dashes(s)


@given(JAPANESE_TEXT)
@settings(max_examples=300)
def test_fold_width_is_the_translate_table(s: str) -> None:
    assert fold_width(s) == plain_fold_width(s)


@given(JAPANESE_TEXT)
@settings(max_examples=300)
def test_fold_dashes_is_the_translate_table(s: str) -> None:
    assert fold_dashes(s) == plain_fold_dashes(s)


CITIES = sorted(_city_names()[0])


@given(
    st.sampled_from(CITIES),
    st.sampled_from(["", "ヶ", "ケ", "1-2", "町1", " 山下町1", "市", "区"]),
    st.text(max_size=6),
    st.booleans(),
)
@settings(max_examples=500)
def test_split_city_tries_the_same_lengths_as_a_full_scan(city: str, joint: str, tail: str, cut: bool) -> None:
    rest = (city[: len(city) // 2] if cut else city) + joint + tail
    assert split_city(rest) == plain_split_city(rest)


@given(JAPANESE_TEXT)
def test_split_city_of_anything_is_a_full_scan(rest: str) -> None:
    assert split_city(rest) == plain_split_city(rest)


@given(st.from_regex(_ALLOWED, fullmatch=True))
def test_separators_go_as_the_regex_would_remove_them(value: str) -> None:
    assert "".join(value.split()).translate(str.maketrans("", "", "().-")) == _SEPARATORS.sub("", value)


@given(
    st.from_regex(r"0[6-9]0[1-9][0-9]{7}|050[1-9][0-9]{7}", fullmatch=True),
    st.sampled_from(["({0}){1}-{2}", "{0} {1} {2}", "+81 {0} {1} {2}", "{0}.{1}.{2}", "{0}{1}{2}"]),
)
def test_a_mobile_number_written_any_way_classifies_as_it_normalises(digits: str, layout: str) -> None:
    written = layout.format(digits[:3] if not layout.startswith("+81") else digits[1:3], digits[3:7], digits[7:])
    number = normalize_phone(written)
    assert classify_phone(written) == (number.e164, number.kind)
    assert _compact(written) == digits


_ATOM = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789_-+", min_size=1, max_size=10)
_CANONICAL_EMAILS = st.builds(
    lambda local, more, host, tld: f"{local}{'.' + more if more else ''}@{host}.{tld}",
    _ATOM,
    st.one_of(st.just(""), _ATOM),
    st.from_regex(r"[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?", fullmatch=True),
    st.sampled_from(["jp", "co.jp", "com", "ne.jp"]),
)


@given(_CANONICAL_EMAILS, st.data())
def test_an_address_off_only_in_case_width_or_spacing_normalises_to_the_canonical_one(
    address: str, data: st.DataObject
) -> None:
    variant = "".join(
        data.draw(st.sampled_from([c, c.upper(), chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c])) for c in address
    )
    before = data.draw(st.sampled_from(["", " ", "\u3000", "mailto:", "MAILTO: "]))
    after = data.draw(st.sampled_from(["", " ", "\u3000"]))
    assert normalize_email(before + variant + after) == address


def test_parsed_dates_are_remembered_up_to_the_limit() -> None:
    memo = _ParseMemo(2)
    for value in ["2026/1/5", "令和8年1月6日", "2026/1/5", "2026-01-07 10:00", "R8.1.8", "2026/1/5"]:
        assert memo.lookup(value) == _parse_uncached(value)
        assert memo.lookup.cache_info().currsize <= 2
    with pytest.raises(NormalizationError):
        memo.lookup("2026-02-30")


@given(
    st.one_of(
        st.from_regex(r"(TEL:?)?[0-9０-９ \u3000()（）\-+ー－.]{0,16}(内線[0-9]+)?", fullmatch=True),
        st.sampled_from(["なし", "-", "ー", "ｰｰｰ", "N/A", "不明", " ", "\u3000"]),
        st.text(max_size=16),
    )
)
def test_a_phone_number_is_never_a_blank_value(s: str) -> None:
    """The phone transform looks for blankness only when a value is not a number."""
    try:
        classify_phone(s)
    except NormalizationError:
        return
    assert clean_text(fold_width(s)) is not None
