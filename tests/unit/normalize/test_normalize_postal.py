"""Postal codes: 123-4567, and the offline area lookup."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from renkei.core.errors import NormalizationError
from renkei.core.normalize import PostalArea, lookup_postal_code, normalize_postal_code


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("123-4567", "123-4567", id="canonical"),
        pytest.param("1234567", "123-4567", id="seven-digits"),
        pytest.param("〒123-4567", "123-4567", id="postal-mark"),
        pytest.param("〒 123-4567", "123-4567", id="postal-mark-space"),
        pytest.param("１２３－４５６７", "123-4567", id="full-width"),
        pytest.param("〒１２３４５６７", "123-4567", id="full-width-no-dash"),
        pytest.param("123ー4567", "123-4567", id="long-mark"),
        pytest.param("123\u22124567", "123-4567", id="minus-sign"),
        pytest.param("123 4567", "123-4567", id="space"),
        pytest.param(" 060-0001 ", "060-0001", id="leading-zero-trimmed"),
        pytest.param("600001", "060-0001", id="stored-as-a-number-one-zero-lost"),
        pytest.param("10010", "001-0010", id="stored-as-a-number-two-zeros-lost"),
    ],
)
def test_normalize_postal_code(raw: str, expected: str) -> None:
    assert normalize_postal_code(raw) == expected


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        pytest.param("", "not seven digits", id="empty"),
        pytest.param("999999", "fewer than seven", id="six-digits-no-code-with-a-zero-before"),
        pytest.param("60-0001", "fewer than seven", id="written-short-with-a-dash"),
        pytest.param("123-456", "fewer than seven", id="six-digits"),
        pytest.param("12345678", "more than seven", id="eight-digits"),
        pytest.param("12-34567", "not seven digits", id="dash-misplaced"),
        pytest.param("abc-defg", "not seven digits", id="letters"),
        pytest.param("123-4567 東京都", "not seven digits", id="address-attached"),
    ],
)
def test_normalize_postal_code_rejects(raw: str, reason: str) -> None:
    with pytest.raises(NormalizationError) as info:
        normalize_postal_code(raw)
    assert reason in info.value.reason


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        pytest.param("231-0023", PostalArea("神奈川県", "横浜市中区", "山下町"), id="yokohama"),
        pytest.param("〒１００－０００１", PostalArea("東京都", "千代田区", "千代田"), id="raw-form"),
        pytest.param("100-0000", PostalArea("東京都", "千代田区", None), id="whole-ward"),
        pytest.param("000-0000", None, id="unknown"),
        pytest.param("not a code", None, id="malformed"),
    ],
)
def test_lookup_postal_code(code: str, expected: PostalArea | None) -> None:
    assert lookup_postal_code(code) == expected


_DIGITS = "0123456789"
_WIDE = str.maketrans(_DIGITS, "０１２３４５６７８９")


@given(
    st.text(alphabet=_DIGITS, min_size=7, max_size=7),
    st.sampled_from(["", "〒", "〒 "]),
    st.sampled_from(["", "-", "－", "ー", "\u2212"]),
    st.booleans(),
)
def test_normalize_postal_code_is_idempotent(digits: str, mark: str, dash: str, wide: bool) -> None:
    raw = f"{mark}{digits[:3]}{dash}{digits[3:]}"
    raw = raw.translate(_WIDE) if wide else raw
    once = normalize_postal_code(raw)
    assert once == f"{digits[:3]}-{digits[3:]}"
    assert normalize_postal_code(once) == once
