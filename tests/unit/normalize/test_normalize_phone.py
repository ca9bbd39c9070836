"""Telephone numbers: E.164 to store, national form to show, kind."""

from __future__ import annotations

import phonenumbers
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from renkei.core.errors import NormalizationError
from renkei.core.normalize import PhoneNumber, normalize_phone, number_and_note, phone_extension

MOBILE = PhoneNumber("+819012345678", "090-1234-5678", "mobile")
TOKYO = PhoneNumber("+81312345678", "03-1234-5678", "fixed")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("090-1234-5678", MOBILE, id="mobile-national"),
        pytest.param("09012345678", MOBILE, id="mobile-digits"),
        pytest.param("090 1234 5678", MOBILE, id="mobile-spaces"),
        pytest.param("+81 90-1234-5678", MOBILE, id="mobile-plus-81"),
        pytest.param("+819012345678", MOBILE, id="mobile-e164"),
        pytest.param("０９０－１２３４－５６７８", MOBILE, id="mobile-full-width"),
        pytest.param("090ー1234ー5678", MOBILE, id="mobile-long-marks"),
        pytest.param("9012345678", MOBILE, id="mobile-leading-zero-lost"),
        pytest.param("携帯：090-1234-5678", MOBILE, id="mobile-label"),
        pytest.param("070-1234-5678", PhoneNumber("+817012345678", "070-1234-5678", "mobile"), id="070"),
        pytest.param("080-1234-5678", PhoneNumber("+818012345678", "080-1234-5678", "mobile"), id="080"),
        pytest.param("03-1234-5678", TOKYO, id="fixed-national"),
        pytest.param("0312345678", TOKYO, id="fixed-digits"),
        pytest.param("03(1234)5678", TOKYO, id="fixed-parentheses"),
        pytest.param("(03)1234-5678", TOKYO, id="fixed-area-parentheses"),
        pytest.param("０３－１２３４－５６７８", TOKYO, id="fixed-full-width"),
        pytest.param("03\u22121234\u22125678", TOKYO, id="fixed-minus-signs"),
        pytest.param("03.1234.5678", TOKYO, id="fixed-dots"),
        pytest.param("+81 (0)3-1234-5678", TOKYO, id="fixed-plus-81-zero"),
        pytest.param("(+81)3-1234-5678", TOKYO, id="fixed-plus-81-in-brackets"),
        pytest.param("（＋８１）３－１２３４－５６７８", TOKYO, id="fixed-plus-81-in-full-width-brackets"),
        pytest.param("TEL: 03-1234-5678", TOKYO, id="fixed-tel-label"),
        pytest.param("03-1234-5678 内線123", TOKYO, id="extension-naisen-dropped"),
        pytest.param("03-1234-5678（内線１２３）", TOKYO, id="extension-in-parentheses-dropped"),
        pytest.param("03-1234-5678 ext. 12", TOKYO, id="extension-ext-dropped"),
        pytest.param("090-1234-5678（本人）", MOBILE, id="note-in-brackets-after"),
        pytest.param("03-1234-5678 (代表)", TOKYO, id="note-after-a-space"),
        pytest.param("(代)03-1234-5678", TOKYO, id="note-in-brackets-before"),
        pytest.param("【携帯】090-1234-5678", MOBILE, id="note-in-lenticular-brackets-before"),
        pytest.param("自宅：03-1234-5678", TOKYO, id="home-label"),
        pytest.param("03-1234-5678（内線123）（総務）", TOKYO, id="extension-then-note"),
        pytest.param("0466-12-3456", PhoneNumber("+81466123456", "0466-12-3456", "fixed"), id="fixed-4-digit-area"),
        pytest.param("045-123-4567", PhoneNumber("+81451234567", "045-123-4567", "fixed"), id="fixed-3-digit-area"),
        pytest.param("050-1234-5678", PhoneNumber("+815012345678", "050-1234-5678", "voip"), id="050-voip"),
        pytest.param("0120-123-456", PhoneNumber("+81120123456", "0120-123-456", "toll_free"), id="0120-toll-free"),
        pytest.param("0800-123-4567", PhoneNumber("+818001234567", "0800-123-4567", "toll_free"), id="0800-toll-free"),
        pytest.param("020-1234-5678", PhoneNumber("+812012345678", "020-1234-5678", "other"), id="020-m2m"),
        pytest.param("0570-123-456", PhoneNumber("+81570123456", "0570-123-456", "other"), id="0570-navi"),
        pytest.param("+1 212-555-1234", PhoneNumber("+12125551234", "+1 212-555-1234", "fixed"), id="foreign-number"),
        pytest.param(
            "010-1-212-555-1234",
            PhoneNumber("+12125551234", "+1 212-555-1234", "fixed"),
            id="foreign-via-010-prefix",
        ),
        pytest.param(
            "0081-90-1234-5678",
            PhoneNumber("+819012345678", "090-1234-5678", "mobile"),
            id="japan-via-00-prefix",
        ),
        pytest.param("00 1 212 555 1234", PhoneNumber("+12125551234", "+1 212-555-1234", "fixed"), id="foreign-via-00"),
    ],
)
def test_normalize_phone(raw: str, expected: PhoneNumber) -> None:
    assert normalize_phone(raw) == expected


@pytest.mark.parametrize(
    ("raw", "extension"),
    [
        ("03-1234-5678 内線123", "123"),
        ("03-1234-5678（内線１２３）", "123"),
        ("03-1234-5678 ext. 12", "12"),
        ("03-1234-5678 x7", "7"),
        ("03-1234-5678 #45", "45"),
        ("03-1234-5678（内線123）（総務）", "123"),
        ("03-1234-5678", None),
        ("090-1234-5678（本人）", None),
        ("+81 (0)3-1234-5678", None),
    ],
)
def test_phone_extension(raw: str, extension: str | None) -> None:
    assert phone_extension(raw) == extension


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        pytest.param("", "empty", id="empty"),
        pytest.param("03-1234", "too short", id="too-short"),
        pytest.param("0312345", "too short", id="seven-digits"),
        pytest.param("090-1234-56789", "not a valid", id="too-long-mobile"),
        pytest.param("abc", "letters", id="letters"),
        pytest.param("03-1234-567a", "letters", id="trailing-letter"),
        pytest.param("090-0000-0000", "not a valid", id="unassigned-mobile-block"),
        pytest.param("000-0000-0000", "not a valid", id="zeros"),
        pytest.param("03-1234-5678 / 090-1234-5678", "more than one", id="two-numbers"),
        pytest.param("1234567890123456", "too long", id="sixteen-digits"),
    ],
)
def test_normalize_phone_rejects(raw: str, reason: str) -> None:
    with pytest.raises(NormalizationError) as info:
        normalize_phone(raw)
    assert reason in info.value.reason
    assert info.value.value == raw


def _library_view(digits: str) -> PhoneNumber | None:
    number = phonenumbers.parse(digits, "JP")
    if not phonenumbers.is_valid_number(number):
        return None
    kinds = {
        phonenumbers.PhoneNumberType.MOBILE: "mobile",
        phonenumbers.PhoneNumberType.VOIP: "voip",
        phonenumbers.PhoneNumberType.FIXED_LINE: "fixed",
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE: "fixed",
        phonenumbers.PhoneNumberType.TOLL_FREE: "toll_free",
    }
    return PhoneNumber(
        phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164),
        phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL),
        kinds.get(phonenumbers.number_type(number), "other"),  # type: ignore[arg-type]
    )


@given(st.from_regex(r"0[5-9]0[0-9]{8}", fullmatch=True))
def test_mobile_fast_path_agrees_with_phonenumbers(digits: str) -> None:
    expected = _library_view(digits)
    assume(expected is not None and expected.kind in ("mobile", "voip"))
    assert normalize_phone(digits) == expected


@given(st.from_regex(r"0[1-9][0-9]{8,9}", fullmatch=True))
def test_national_form_of_a_valid_number_normalises_to_itself(digits: str) -> None:
    assume(not digits.startswith("010"))  # the international call prefix: not a JP number
    number = phonenumbers.parse(digits, "JP")
    assume(phonenumbers.is_valid_number(number))
    national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    result = normalize_phone(national)
    assert result.national == national
    assert normalize_phone(result.national) == result
    assert normalize_phone(result.e164) == result


@given(st.from_regex(r"0[1-9][0-9]{8,9}", fullmatch=True), st.sampled_from(["", " ", "-", "－", "−"]))
def test_normalize_phone_is_idempotent_whatever_the_separators(digits: str, separator: str) -> None:
    try:
        assume(phonenumbers.is_valid_number(phonenumbers.parse(digits, "JP")))
    except phonenumbers.NumberParseException:
        assume(False)
    raw = separator.join([digits[:3], digits[3:6], digits[6:]])
    once = normalize_phone(raw)
    assert normalize_phone(once.national) == once


# Few prefixes, many numbers each: later numbers reuse the template an earlier one built.
_PREFIXES = [
    "03",
    "045",
    "046",
    "0466",
    "0467",
    "0120",
    "0800",
    "0570",
    "0123",
    "0145",
    "0997",
    "0599",
    "099",
]
_CROWDED = st.builds(
    lambda prefix, rest, length: (prefix + rest)[:length],
    st.sampled_from(_PREFIXES),
    st.text(alphabet="0123456789", min_size=9, max_size=9),
    st.sampled_from([10, 11]),
)


@given(st.lists(_CROWDED, min_size=5, max_size=20))
def test_prefix_templates_agree_with_phonenumbers(numbers: list[str]) -> None:
    for digits in numbers:
        expected = _library_view(digits)
        if expected is None:
            with pytest.raises(NormalizationError):
                normalize_phone(digits)
        else:
            assert normalize_phone(digits) == expected


def test_template_depth_covers_libphonenumber_leading_digit_patterns() -> None:
    """Guards the per-prefix templates against a phonenumbers upgrade with deeper patterns."""
    from importlib import import_module

    from phonenumbers.phonemetadata import PhoneMetadata

    from renkei.core.normalize.phone import _TEMPLATE_DEPTH

    sre_parser = import_module("re._parser")  # the regex parser behind re, for pattern widths
    metadata = PhoneMetadata.metadata_for_region("JP")
    assert metadata is not None
    widths = [
        sre_parser.parse(pattern).getwidth()[1]
        for number_format in metadata.number_format
        for pattern in number_format.leading_digits_pattern
    ]
    assert max(widths) <= _TEMPLATE_DEPTH


@given(st.from_regex(r"0[1-9][0-9]{8,9}", fullmatch=True))
@settings(max_examples=3000)
def test_classify_phone_agrees_with_libphonenumber(digits: str) -> None:
    from renkei.core.errors import NormalizationError
    from renkei.core.normalize.phone import classify_phone

    assume(not digits.startswith("010"))
    number = phonenumbers.PhoneNumber(country_code=81, national_number=int(digits[1:]))
    valid = phonenumbers.is_valid_number(number)
    try:
        e164, kind = classify_phone(digits)
    except NormalizationError:
        assert not valid
        return
    assert valid
    assert e164 == phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    assert kind == normalize_phone(digits).kind


@pytest.mark.parametrize(
    ("raw", "parts"),
    [
        pytest.param("03 1234 5678", ["03 1234 5678"], id="spaces-group-one-number"),
        pytest.param("+81 90 1234 5678", ["+81 90 1234 5678"], id="international-spaces"),
        pytest.param("03-1234-5678／090-1234-5678", ["03-1234-5678", "090-1234-5678"], id="full-width-slash"),
        pytest.param("TEL 03-1234-5678 FAX 03-1234-5679", ["TEL 03-1234-5678", "FAX 03-1234-5679"], id="labels"),
        pytest.param("03-1234-5678\n090-1234-5678", ["03-1234-5678", "090-1234-5678"], id="lines"),
        pytest.param("03-1234-5678 または 090-1234-5678", ["03-1234-5678", "090-1234-5678"], id="matawa"),
        pytest.param("03-1234-5678/5679", ["03-1234-5678", "03-1234-5679"], id="the-next-line-by-its-last-digits"),
        pytest.param("03-1234-5678 / 79", ["03-1234-5678", "03-1234-5679"], id="two-last-digits"),
        pytest.param("03-1234-5678～9", ["03-1234-5678", "03-1234-5679"], id="a-run-of-lines"),
        pytest.param("03-1234-5678〜5679", ["03-1234-5678", "03-1234-5679"], id="a-run-to-a-last-group"),
        pytest.param("03-1234-5678(代)/5679", ["03-1234-5678(代)", "03-1234-5679(代)"], id="after-a-note"),
        pytest.param("03-1234-5678/12345", ["03-1234-5678", "12345"], id="longer-than-the-last-group-is-itself"),
    ],
)
def test_phone_parts(raw: str, parts: list[str]) -> None:
    from renkei.core.normalize import phone_parts

    assert phone_parts(raw) == parts


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("090-1234-5678 ※夜間のみ", ("090-1234-5678", "※夜間のみ")),
        ("０３－１２３４－５６７８（平日９時～１７時）", ("03-1234-5678", "（平日９時～１７時）")),
        ("TEL:03-1234-5678 平日のみ", ("TEL:03-1234-5678", "平日のみ")),
        ("090-1234-5678", None),
        ("03-1234-5678 / 090-1234-5678", None),
        ("夜間 090-1234-5678", None),
    ],
)
def test_number_and_note(raw: str, expected: tuple[str, str] | None) -> None:
    assert number_and_note(raw) == expected
