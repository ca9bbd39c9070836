"""Telephone number normalisation (Japan first).

A number is stored as E.164 (``+819012345678``) and shown in its national form
(``090-1234-5678``). Input may use full-width digits, any dash, spaces, dots, parentheses
(``03(1234)5678``), the ``+81`` prefix (``+81 90-1234-5678``, ``+81 (0)3 ...``), a leading
``TEL``/``電話``/``自宅`` label and a note in brackets before or after the number (``(代)03-…``,
``【携帯】090-…``, ``（本人）``, ``(代表)``).

Extensions (``内線123``, ``ext. 12``, ``#12``) are not part of the number: the stored number
identifies the line and E.164 has no extension. ``phone_extension`` gives the extension of a
value, for the caller to keep beside the number.

Nine or ten bare digits without the leading ``0`` (``9012345678``) are taken as a domestic
number whose zero a spreadsheet dropped.

Numbers outside Japan written with ``+`` and a country code are accepted when valid; their
``national`` field is the international format (``+1 212-555-1234``) so the country is not lost.

Kinds: 060/070/080/090 mobile; 050 voip; 0120/0800 toll_free; 020 (M2M/pager), 0570
(navi-dial), 0990 (premium) and the like 'other'; geographic numbers fixed.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import phonenumbers
from phonenumbers import PhoneNumberFormat, PhoneNumberType

from renkei.core.errors import NormalizationError
from renkei.core.normalize.text import DASHES, fold_dashes, fold_width

__all__ = [
    "PhoneKind",
    "PhoneNumber",
    "classify_phone",
    "labelled_fax",
    "normalize_phone",
    "number_and_note",
    "phone_extension",
    "phone_parts",
]

PhoneKind = Literal["mobile", "fixed", "voip", "toll_free", "other"]


@dataclass(frozen=True, slots=True)
class PhoneNumber:
    """A valid telephone number: E.164 for storage, national form for display, and its kind."""

    e164: str
    national: str
    kind: PhoneKind


_KINDS: dict[int, PhoneKind] = {
    PhoneNumberType.MOBILE: "mobile",
    PhoneNumberType.FIXED_LINE: "fixed",
    PhoneNumberType.FIXED_LINE_OR_MOBILE: "fixed",
    PhoneNumberType.VOIP: "voip",
    PhoneNumberType.TOLL_FREE: "toll_free",
}

# 11-digit mobile and VoIP numbers all group as 3-4-4; the patterns are libphonenumber's own
# (a test checks that this fast path agrees with it), so phonenumbers is skipped for them.
_FAST_3_4_4 = re.compile(r"0([6-9]0)-?([1-9][0-9]{3})-?([0-9]{4})|0(50)-?([1-9][0-9]{3})-?([0-9]{4})")
_EXTENSION = re.compile(r"(?:内線|ext\.?|extension|x|#|\(内\)|内)\s*[:：.]?\s*[0-9]+\s*\)?$", re.IGNORECASE)
# What every extension _EXTENSION reads is written with, in either width: 内(線), x, ext, #.
_EXTENSION_MARK = re.compile("[内xX#ｘＸ＃]")
_LABEL_WORDS = r"(?:tel|phone|電話番号|電話|携帯|fax|ファックス|ファクス|自宅|会社|勤務先|代表|直通)"
_FAX_LABEL = re.compile(r"\s*[(【]?\s*(?:fax|ファックス|ファクス)|.*\((?:fax|ファックス|ファクス)\)\s*$", re.IGNORECASE)
_LABEL = re.compile(rf"^{_LABEL_WORDS}\s*[:：.]?\s*", re.IGNORECASE)
# Between two numbers in one cell: a mark no number is written with, a word, or a space before a
# label (``自宅 03-1234-5678 携帯 090-1234-5678``); a space alone is part of a number's grouping.
_BETWEEN_NUMBERS = re.compile(rf"\s*(?:[/／,，、;；|｜\n]|\bor\b|または|又は)\s*|\s+(?={_LABEL_WORDS})", re.IGNORECASE)
# A note after the number, in brackets and without digits (after width folding): ``(本人)``.
_NOTE = re.compile(r"\([^0-9()]*\)\s*$")
# A note before it, in brackets and without digits: ``(代)03-…``, ``【携帯】090-…``.
_LEADING_NOTE = re.compile(r"^(?:\([^0-9()]*\)|【[^0-9【】]*】)\s*")
_ALLOWED = re.compile(r"(?:\(\s*)?\+?[0-9\s().\-]+")  # (+81)90-… as business cards write it too
# The separators _ALLOWED lets through besides whitespace, for deleting with str.translate.
_SEPARATOR_MARKS = str.maketrans("", "", "().-")


# 010 is Japan's international call prefix ("010-1-212-..." dials New York): not domestic.
_DOMESTIC_PLAIN = re.compile(r"0(?!10)[1-9][0-9-]{8,12}")
_DOMESTIC_DIGITS = re.compile(r"0(?!10)[1-9][0-9]{8,9}")

# Validity, kind and grouping of a domestic number depend only on its first six national
# digits and its length: libphonenumber's JP leading-digit patterns look at most six digits
# deep and every JP number-type pattern is a prefix of at most five digits followed by free
# digits. So one libphonenumber call per (prefix, length) serves every number sharing it
# (a test checks agreement). Values: (kind, group lengths of the national form) or None when
# numbers with that prefix and length are invalid.
_TEMPLATE_DEPTH = 6
_TEMPLATES: dict[tuple[str, int], tuple[PhoneKind, tuple[int, ...]] | None] = {}
_TEMPLATE_LIMIT = 65536


def _jp_metadata() -> tuple[phonenumbers.PhoneMetadata, str, tuple[int, ...]]:
    meta = phonenumbers.PhoneMetadata.metadata_for_region("JP")
    general = meta.general_desc if meta is not None else None
    if meta is None or general is None or not general.national_number_pattern:
        raise RuntimeError("phonenumbers has no metadata for Japan")
    return meta, general.national_number_pattern, tuple(general.possible_length or ())


_META, _GENERAL_PATTERN, _GENERAL_LENGTHS = _jp_metadata()


def _desc(name: str, kind: PhoneKind) -> tuple[re.Pattern[str], frozenset[int], PhoneKind] | None:
    desc = getattr(_META, name)
    if desc is None or not desc.national_number_pattern:
        return None
    lengths = desc.possible_length or _GENERAL_LENGTHS
    return re.compile(desc.national_number_pattern), frozenset(lengths), kind


# libphonenumber's own order of number types (phonenumberutil._number_type_helper).
_GENERAL = re.compile(_GENERAL_PATTERN)
_SPECIAL = [
    d
    for d in (
        _desc("premium_rate", "other"),
        _desc("toll_free", "toll_free"),
        _desc("shared_cost", "other"),
        _desc("voip", "voip"),
        _desc("personal_number", "other"),
        _desc("pager", "other"),
        _desc("uan", "other"),
        _desc("voicemail", "other"),
    )
    if d is not None
]
_FIXED = _desc("fixed_line", "fixed")
_MOBILE = _desc("mobile", "mobile")


def _kind_of(national: str) -> PhoneKind | None:
    """The kind of a JP national significant number, or None when it is not valid.

    The same decision as ``phonenumbers.number_type`` from the same metadata, without its
    per-call overhead (a test checks they agree).
    """
    if _GENERAL.fullmatch(national) is None:
        return None
    size = len(national)
    for pattern, lengths, kind in _SPECIAL:
        if size in lengths and pattern.fullmatch(national) is not None:
            return kind
    for desc in (_FIXED, _MOBILE):
        if desc is not None and size in desc[1] and desc[0].fullmatch(national) is not None:
            return desc[2]
    return None


def classify_phone(s: str) -> tuple[str, PhoneKind]:
    """E.164 and kind of a telephone number: the import's hot path (no display form computed).

    A domestic number written with nothing but digits and separators, in either width, goes
    the quick way (``_quick_compact``, ``_domestic_kind``); anything else the general one.
    """
    compact = _quick_compact(s)
    if compact is None:
        return _classify_general(s)
    kind = _domestic_kind(compact)
    if kind is None:
        raise NormalizationError("Phone number is not a valid number", s)
    return "+81" + compact[1:], kind


def _classify_general(s: str) -> tuple[str, PhoneKind]:
    """``classify_phone`` of any value: the shapes ``_quick_compact`` leaves, and the rest."""
    fast = _FAST_3_4_4.fullmatch(s)
    if fast is not None:
        return _classify_mobile_match(fast)
    if _DOMESTIC_PLAIN.fullmatch(s) is not None:
        compact = s.replace("-", "")
        if len(compact) in (10, 11):
            kind = _kind_of(compact[1:])
            if kind is None:
                raise NormalizationError("Phone number is not a valid number", s)
            return "+81" + compact[1:], kind
    return _classify_slow(s)


def normalize_phone(s: str) -> PhoneNumber:
    """Parse a telephone number (region JP); raise NormalizationError if it is not a valid one."""
    fast = _FAST_3_4_4.fullmatch(s)
    if fast is not None:
        return _from_mobile_match(fast)
    if _DOMESTIC_PLAIN.fullmatch(s) is not None:
        compact = s.replace("-", "")
        if len(compact) in (10, 11):
            return _domestic(compact, s)
    return _normalize_slow(s)


def _domestic(compact: str, raw: str) -> PhoneNumber:
    """A domestic number as ``0`` and nine or ten digits, via the per-prefix template."""
    national = compact[1:]
    key = (national[:_TEMPLATE_DEPTH], len(national))
    if key in _TEMPLATES:
        template = _TEMPLATES[key]
    else:
        template = _template(compact)
        if len(_TEMPLATES) >= _TEMPLATE_LIMIT:
            _TEMPLATES.clear()
        _TEMPLATES[key] = template
    if template is None:
        raise NormalizationError("Phone number is not a valid number", raw)
    kind, groups = template
    parts, start = [], 0
    for size in groups:
        parts.append(compact[start : start + size])
        start += size
    return PhoneNumber(e164=f"+81{national}", national="-".join(parts), kind=kind)


def _template(compact: str) -> tuple[PhoneKind, tuple[int, ...]] | None:
    # Built directly rather than parsed: the digits are known to be a domestic number.
    number = phonenumbers.PhoneNumber(country_code=81, national_number=int(compact[1:]))
    number_type = phonenumbers.number_type(number)
    if number_type == PhoneNumberType.UNKNOWN:  # what is_valid_number checks
        return None
    national = str(phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL))
    groups = tuple(len(part) for part in national.split("-"))
    if national.replace("-", "") != compact:
        groups = (len(compact),)
    return _KINDS.get(number_type, "other"), groups


def _from_mobile_match(m: re.Match[str]) -> PhoneNumber:
    if m.group(1) is not None:
        head, mid, tail = m.group(1), m.group(2), m.group(3)
        kind: PhoneKind = "mobile"
    else:
        head, mid, tail = m.group(4), m.group(5), m.group(6)
        kind = "voip"
    return PhoneNumber(e164=f"+81{head}{mid}{tail}", national=f"0{head}-{mid}-{tail}", kind=kind)


def _compact(s: str) -> str:
    """The digits of a number as written: '0…' for a domestic number, '+…' or '010…' otherwise."""
    value = fold_dashes(fold_width(s)).strip()
    if _ALLOWED.fullmatch(value) is None:
        value = _LEADING_NOTE.sub("", _LABEL.sub("", value))
        value = _EXTENSION.sub("", _NOTE.sub("", value).strip()).strip()
        if not value:
            raise NormalizationError("Phone number is empty", s)
        if _ALLOWED.fullmatch(value) is None:
            if sum(c.isdigit() for c in value) >= 20:
                raise NormalizationError("Phone field holds more than one number", s)
            raise NormalizationError("Phone number contains letters or symbols", s)
    # Whitespace (str.split and the regex \s agree on what it is) and ().- go; digits and a + stay.
    compact = "".join(value.split()).translate(_SEPARATOR_MARKS)
    if len(compact) >= 20:
        raise NormalizationError("Phone field holds more than one number", s)
    return _national_form(compact)


def phone_extension(s: str) -> str | None:
    """The extension written after a number (``03-1234-5678 内線123`` → ``'123'``), or None."""
    if _EXTENSION_MARK.search(s) is None:
        return None  # the common shape: no 内線, x, ext or # in either width
    value = fold_width(s).strip()
    match = _EXTENSION.search(_NOTE.sub("", value).strip())
    return None if match is None else re.sub(r"[^0-9]", "", match.group(0)) or None


def phone_parts(s: str) -> list[str]:
    """The numbers of a cell holding several (``03-1234-5678 / 090-1234-5678``), as written;
    one part for a cell of one number. Whether each part is a number is for ``classify_phone``.

    A business card's next line written as its last digits only (``03-1234-5678/5679``,
    ``03-1234-5678～9``, a run of lines) is that number written whole (``03-1234-5679``)."""
    parts: list[str] = []
    for part in _BETWEEN_NUMBERS.split(fold_width(s).strip()):
        if not part:
            continue
        run = _RUN_OF_LINES.fullmatch(part)
        if run is not None:
            parts.append(run.group(1))
            part = run.group(2)
        if parts and (whole := _with_last_digits(parts[-1], part)) is not None:
            part = whole
        parts.append(part)
    return parts


# A number, then a wave dash or tilde and the last digits of the last line of a run (``5678～9``).
_RUN_OF_LINES = re.compile(r"(.*[0-9])\s*[~〜～]\s*([0-9]{1,4})")
_LAST_GROUP = re.compile(r"([0-9]+)(?=[^0-9]*$)")


def _with_last_digits(number: str, digits: str) -> str | None:
    """``number`` with its last digits replaced by ``digits`` (``03-1234-5678``, ``5679`` →
    ``03-1234-5679``) when ``digits`` is no longer than its last group; None otherwise."""
    if not digits.isdigit():
        return None
    last = _LAST_GROUP.search(number)
    if last is None or len(digits) > len(last.group(1)):
        return None
    return number[: last.end(1) - len(digits)] + digits + number[last.end(1) :]


# A number, then a note that is no extension: after ※ or in brackets (``(平日9時～17時)``), or after a
# space (``夜間のみ``), not a mark that parts two numbers (``/``, ``、``). Width folded first.
_NUMBER_THEN_NOTE = re.compile(
    r"(?P<number>\+?\(?[0-9][0-9\s().\-]*?[0-9])(?P<note>\s*[※*(\[【].*|\s+[^0-9\s/,、;|].*)", re.S
)


def number_and_note(s: str) -> tuple[str, str] | None:
    """``(number, note)`` of a value that writes a note after one number (``090-1234-5678 ※夜間のみ``,
    ``03-1234-5678(平日9時～17時)``, ``FAX：03-1234-5679 ※24時間``): the number with its label, the
    note as written; None for any other. Whether the number is one is for ``classify_phone``."""
    text = s.strip()
    folded = fold_width(text)
    label = _LABEL.match(folded)
    match = _NUMBER_THEN_NOTE.fullmatch(folded, label.end() if label else 0)
    if match is None:
        return None
    at = match.start("note")
    # Folding keeps a value's length unless it composes half-width kana: the note as written then.
    note = text[at:] if len(folded) == len(text) else folded[at:]
    return folded[:at], note.strip()


def labelled_fax(s: str) -> bool:
    """Whether a number is written after a FAX label (``FAX:03-1234-5679``, ``ＦＡＸ``, ``ファックス``,
    ``(FAX)03-1234-5679``) or before a FAX note (``03-1234-5679（FAX）``)."""
    return _FAX_LABEL.match(fold_width(s)) is not None


def _national_form(compact: str) -> str:
    """Compact digits as dialled at home: ``+81`` and a dropped leading zero put back as ``0``."""
    if compact.startswith("+81"):
        # "+81 90-..." and "+81 (0)3-..." are domestic numbers written for abroad.
        return "0" + compact[3:].removeprefix("0")
    if compact.isdigit() and compact[0] != "0" and len(compact) in (9, 10):
        # Spreadsheets drop the leading zero of a number stored as a number (9012345678).
        return "0" + compact
    return compact


# What _compact's folding does to the characters a plainly written number holds: full-width
# digits, plus, brackets, dot and space to ASCII, the dash family to "-". Nothing else changes
# here, so anything else is left for the general path to judge.
_QUICK_FOLD: dict[int, str] = {0xFF10 + i: str(i) for i in range(10)}
_QUICK_FOLD.update({ord(c): a for c, a in zip("＋（）．\u3000", "+(). ", strict=True)})
_QUICK_FOLD.update(dict.fromkeys(map(ord, DASHES), "-"))
_LONG_MARKS = ("\u30fc", "\uff70")
_ASCII_DIGITS = frozenset("0123456789")


def _quick_compact(s: str) -> str | None:
    """What ``_compact`` gives a domestic number written plainly; None for any other value.

    Plainly: digits of either width, spaces, tabs, brackets, dots and dashes (``ー`` only between
    two digits, as ``fold_dashes`` reads it), and an optional leading ``+81``. That is how an
    office writes a Japanese number, and each separator just goes, with ``str.replace`` (a
    translate table that deletes is slower). A test checks this against ``_compact``.
    """
    if not s.isascii():
        s = s.translate(_QUICK_FOLD)
        if _LONG_MARKS[0] in s or _LONG_MARKS[1] in s:
            joined = _long_marks_as_dashes(s)
            if joined is None:
                return None
            s = joined
    compact = s.replace("-", "").replace(" ", "").replace("(", "").replace(")", "").replace(".", "").replace("\t", "")
    if not compact.isascii():
        return None
    if compact.isdigit():
        if compact[0] != "0" and len(compact) in (9, 10):  # _national_form: the dropped zero
            compact = "0" + compact
    elif compact[:3] == "+81" and compact[3:].isdigit() and s.lstrip()[:1] == "+":
        compact = "0" + compact[3:].removeprefix("0")  # _national_form: written for abroad
    else:
        return None
    # _DOMESTIC_DIGITS, spelt out: "0", nine or ten digits, not the international prefix 010.
    if len(compact) in (10, 11) and compact[0] == "0" and compact[1] != "0" and compact[1:3] != "10":
        return compact
    return None


def _long_marks_as_dashes(s: str) -> str | None:
    """``s`` (digits already ASCII) with every ``ー``/``ｰ`` made ``-``; None unless each sits between digits.

    Where one does not, ``fold_dashes`` keeps it and the value is no plain number.
    """
    parts = s.replace(_LONG_MARKS[1], _LONG_MARKS[0]).split(_LONG_MARKS[0])
    for before, after in itertools.pairwise(parts):
        if before[-1:] not in _ASCII_DIGITS or after[:1] not in _ASCII_DIGITS:
            return None
    return "-".join(parts)


#: ``_domestic_kind`` by (first five digits, length). JP number-type patterns for a national
#: number not starting with 0 fix at most its first four digits (``800\d``, ``1[1-9][2-8]``…)
#: and let the rest be any digits, so the kind of ``0`` + nine or ten digits depends on nothing
#: else; a test checks this against the metadata for every four-digit prefix. Six digits deep,
#: as ``_TEMPLATES`` keys, a file's numbers would hardly ever share a key.
_KIND_DEPTH = 5
_KIND_BY_PREFIX: dict[tuple[str, int], PhoneKind | None] = {}


def _domestic_kind(compact: str) -> PhoneKind | None:
    """Kind of a domestic number in compact form (``0`` and nine or ten digits); None if invalid.

    What ``_classify_general`` decides for it, remembered per prefix and length.
    """
    key = (compact[:_KIND_DEPTH], len(compact))
    try:
        return _KIND_BY_PREFIX[key]
    except KeyError:
        pass
    fast = _FAST_3_4_4.fullmatch(compact)
    if fast is not None:
        kind: PhoneKind | None = "mobile" if fast.group(1) is not None else "voip"
    else:
        kind = _kind_of(compact[1:])
    if len(_KIND_BY_PREFIX) >= _TEMPLATE_LIMIT:
        _KIND_BY_PREFIX.clear()
    _KIND_BY_PREFIX[key] = kind
    return kind


def _classify_mobile_match(m: re.Match[str]) -> tuple[str, PhoneKind]:
    if m.group(1) is not None:
        return f"+81{m.group(1)}{m.group(2)}{m.group(3)}", "mobile"
    return f"+81{m.group(4)}{m.group(5)}{m.group(6)}", "voip"


def _classify_slow(s: str) -> tuple[str, PhoneKind]:
    compact = _compact(s)
    fast = _FAST_3_4_4.fullmatch(compact)
    if fast is not None:  # a mobile or VoIP number written with brackets, spaces or +81
        return _classify_mobile_match(fast)
    if _DOMESTIC_DIGITS.fullmatch(compact) is not None:
        kind = _kind_of(compact[1:])
        if kind is None:
            raise NormalizationError("Phone number is not a valid number", s)
        return "+81" + compact[1:], kind
    number = _normalize_slow(s)
    return number.e164, number.kind


@lru_cache(maxsize=65536)
def _normalize_slow(s: str) -> PhoneNumber:
    compact = _compact(s)
    fast = _FAST_3_4_4.fullmatch(compact)
    if fast is not None:
        return _from_mobile_match(fast)
    if _DOMESTIC_DIGITS.fullmatch(compact) is not None:
        return _domestic(compact, s)
    if compact.startswith("010"):
        compact = "+" + compact[3:]  # Japan's international call prefix
    elif compact.startswith("00") and compact[2:3].isdigit() and compact[2] != "0":
        compact = "+" + compact[2:]  # most countries' (0081-90-…): no domestic number starts 00
    digit_count = len(compact) - compact.startswith("+")
    if digit_count < 10 and not compact.startswith("+"):
        raise NormalizationError("Phone number is too short", s)
    if digit_count > 15:
        raise NormalizationError("Phone number is too long", s)
    try:
        number = phonenumbers.parse(compact, "JP")
    except phonenumbers.NumberParseException as exc:
        raise NormalizationError("Phone number cannot be read", s) from exc
    if not phonenumbers.is_valid_number(number):
        raise NormalizationError("Phone number is not a valid number", s)
    kind = _KINDS.get(phonenumbers.number_type(number), "other")
    if number.country_code == 81:
        national = phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
    else:
        national = phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)
    e164 = phonenumbers.format_number(number, PhoneNumberFormat.E164)
    return PhoneNumber(e164=str(e164), national=str(national), kind=kind)
