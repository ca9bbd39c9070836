"""The quick way ``classify_phone`` reads a plainly written domestic number agrees with the general one."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from renkei.core.errors import NormalizationError
from renkei.core.normalize.phone import (
    _KIND_DEPTH,
    _classify_general,
    _compact,
    _domestic_kind,
    _kind_of,
    _quick_compact,
    classify_phone,
)
from renkei.core.normalize.text import DASHES

# What offices write into a phone column, and characters near the edges of what the quick path takes.
_PIECES = [
    *"0123456789",
    *"０１２３４５６７８９",
    *"-－‐―ー ｰ()（）.．+＋ \u3000\t",
    *DASHES,
    "+81",
    "＋８１",
    "(0)",
    "内線",
    "TEL:",
    "ext.",
    "#",
    "\n",
    "a",
    "Ａ",
    "㈱",
    "ｱ",
    "髙",
    "～",
    "〜",
    "\u00b2",
    "\u0661",
    "\u2009",
    "\xa0",
    "/",
    "*",
]
PHONE_LIKE = st.lists(st.sampled_from(_PIECES), max_size=18).map("".join)
# Real numbers in the shapes bench/gen_csv.py and offices write them.
_LAYOUTS = [
    "0{a}-{b}-{c}",
    "0{a}({b}){c}",
    "0{a}{b}{c}",
    "０{a}－{b}－{c}",
    "０{a}ー{b}ー{c}",
    "0{a}ｰ{b}ｰ{c}",
    "+81 {a} {b} {c}",
    "(0{a}){b}-{c}",
    "0{a} {b} {c}",
    "+81-{a}-{b}-{c}",
    "＋８１（０）{a}　{b}　{c}",
    " 0{a}-{b}-{c}\u3000",
    "{a}{b}{c}",
    "0{a}.{b}.{c}",
    "0{a}--{b}-{c}",
    "-0{a}{b}{c}",
    "0{a}ー ー{b}{c}",
    "ー0{a}{b}{c}",
    "0{a}{b}{c}ー",
    "(+81){a}{b}{c}",
    "0{a}+{b}{c}",
]
_FULL = str.maketrans("0123456789", "０１２３４５６７８９")
NUMBERS = st.builds(
    lambda layout, digits, cut, full: layout.format(
        a=digits[:cut], b=digits[cut:-4], c=(digits[-4:].translate(_FULL) if full else digits[-4:])
    ),
    st.sampled_from(_LAYOUTS),
    st.from_regex(r"[1-9][0-9]{8,9}|[1-9][0-9]{4,12}", fullmatch=True),
    st.integers(1, 4),
    st.booleans(),
)


def _outcome(classify: object, s: str) -> tuple[str, str] | tuple[str, str, str | None]:
    assert callable(classify)
    try:
        e164, kind = classify(s)
    except NormalizationError as error:
        return "rejected", error.reason, error.value
    return e164, kind


def _assert_same(s: str) -> None:
    assert _outcome(classify_phone, s) == _outcome(_classify_general, s)
    quick = _quick_compact(s)
    if quick is not None:
        assert _compact(s) == quick


FIXED = [
    "03-1234-5678",
    "03(1234)5678",
    "0312345678",
    "０３－１２３４－５６７８",
    "０９０ー１２３４ー５６７８",
    "090ｰ1234ｰ5678",
    "+81 3 1234 5678",
    "+81 90 1234 5678",
    "(03)1234-5678",
    "03 1234 5678",
    "+81-3-1234-5678",
    "+81 (0)3-1234-5678",
    "＋81 3 1234 5678",
    "9012345678",
    "312345678",
    "0466-12-3456",
    "0120-123-456",
    "0570-123-456",
    "050-1234-5678",
    "020-1234-5678",
    "060-1234-5678",
    "010-1-212-555-1234",
    "0101234567",
    "0012345678",
    "03-0000-0000",
    "09-01234-5678",
    "03-1234-567",
    "03-1234-56789",
    "03-1234-5678 内線12",
    "TEL:03-1234-5678",
    "03ー1234ー5678",
    "ー0312345678",
    "03ーー12345678",
    "03-ー12345678",
    "03\u30001234\u30005678",
    "\u300003-1234-5678\u3000",
    "03\n1234\n5678",
    "03\xa01234\xa05678",
    "+1 212-555-1234",
    "(+81)3-1234-5678",
    "03+1234-5678",
    "++81312345678",
    "+",
    "",
    " ",
    "\u3000",
    "-",
    "ー",
    "なし",
    "㈱",
    "ｱｲｳ",
    "髙橋",
    "03～1234～5678",
    "03〜1234〜5678",
    "０３.１２３４.５６７８",
    "0３-1234-5678",
    "03-1234-5678-03-1234-5678",
    "\u0663\u0661\u0662\u0663",
    "0\u00b212345678",
]


@pytest.mark.parametrize("s", FIXED)
def test_fixed_examples_classify_as_the_general_path_does(s: str) -> None:
    _assert_same(s)


@given(NUMBERS)
@settings(max_examples=2000)
@example("０３－１２３４－５６７８")
def test_numbers_in_any_office_layout_classify_as_the_general_path_does(s: str) -> None:
    _assert_same(s)


@given(PHONE_LIKE)
@settings(max_examples=2000)
def test_any_phone_like_text_classifies_as_the_general_path_does(s: str) -> None:
    _assert_same(s)


@given(st.text(max_size=20))
def test_any_text_classifies_as_the_general_path_does(s: str) -> None:
    _assert_same(s)


@pytest.mark.parametrize("length", [10, 11])
def test_the_kind_of_a_domestic_number_depends_on_its_first_digits_only(length: int) -> None:
    """Why ``_domestic_kind`` may remember kinds by ``_KIND_DEPTH`` digits: JP patterns look no deeper.

    For every prefix of that many digits, the digit after it and the digits after that (all
    the same, or mixed) never change the kind.
    """
    assert _KIND_DEPTH == 5
    for prefix in range(1000, 10000):
        head = f"0{prefix}"
        if head.startswith("010"):
            continue
        kinds = set()
        for digit in "0123456789":
            for fill in ("0", "9", "5", "1234567890"):
                compact = (head + digit + fill * length)[:length]
                kinds.add(_kind_of(compact[1:]))
        assert len(kinds) == 1, head


@given(st.from_regex(r"0(?!10)[1-9][0-9]{8,9}", fullmatch=True))
@settings(max_examples=2000)
def test_remembered_kinds_are_the_general_decision(compact: str) -> None:
    expected = _outcome(_classify_general, compact)
    kind = _domestic_kind(compact)
    assert expected == (
        ("+81" + compact[1:], kind) if kind is not None else ("rejected", "Phone number is not a valid number", compact)
    )
