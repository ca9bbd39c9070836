"""Dates and times as Japanese data writes them.

Accepted dates: ``2026/1/5``, ``2026-01-05``, ``2026.1.5``, ``20260105``, ``2026年1月5日``
(an optional weekday such as ``(月)`` or ``月曜日`` may follow), full-width digits, and Japanese eras:
``令和8年1月5日``, ``令和元年5月1日``, ``R8.1.5``, ``R8/1/5``, ``H31.4.30``, ``平成31年4月30日``,
``昭和64年1月7日``, with 令和 平成 昭和 大正 明治, their one-letter forms R H S T M (either
case), their first kanji (令 平 昭 大 明) and the era ligatures (㋿ ㍻ ㍼ ㍽ ㍾). An era date must
fall inside the era (平成31年5月1日 does not exist: that day is 令和元年5月1日).

Times may follow after a space or ``T``: ``2:04``, ``02:04:10``, ``02:04:10.123``, ``14時30分``,
``14時30分15秒``, with an optional ``Z`` or ``+09:00``-style offset. A time without offset is
Japan time; datetimes are returned aware, in ``Asia/Tokyo``. A date alone is midnight JST.

Excel serial day numbers (five digits, optionally with a fraction of a day: ``45000``,
``45000.5``) are accepted as the day count from 1899-12-30, the way Excel's 1900 system
counts for every date after February 1900; they cover 1927-05-18 to 2173-10-14.

Times on a twelve-hour clock: ``午後3:00``, ``午前10時``, ``午後3時半``, ``3:00 PM``, ``10:00:00 a.m.``
(12 AM is midnight; 午後0時 and 12 PM are noon).

English month names, as English exports write them: ``May 1, 2024``, ``Wed, May 1st, 2024``,
``1 May 2024``, ``01-May-2024``, ``Sep. 30, 2024 10:00 AM``.

Two-digit years and day-first or month-first orders (``1/5/2026``) are ambiguous and rejected,
unless only one of the two orders makes a date: ``13/1/2026`` and ``1/13/2026`` are 2026-01-13,
``12/12/2026`` is 2026-12-12 either way.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone
from functools import cache
from zoneinfo import ZoneInfo

from renkei.core.errors import NormalizationError
from renkei.core.normalize.text import fold_dashes, fold_width

__all__ = ["ERAS", "JST", "parse_date", "parse_datetime"]

JST = ZoneInfo("Asia/Tokyo")

#: Japanese eras: name -> (first day, last day or None for the current era).
ERAS: dict[str, tuple[date, date | None]] = {
    "明治": (date(1868, 1, 1), date(1912, 7, 30)),
    "大正": (date(1912, 7, 30), date(1926, 12, 25)),
    "昭和": (date(1926, 12, 25), date(1989, 1, 7)),
    "平成": (date(1989, 1, 8), date(2019, 4, 30)),
    "令和": (date(2019, 5, 1), None),
}
_ERA_ALIASES: dict[str, str] = {}
for _name, _short, _ligature in zip(ERAS, "MTSHR", "㍾㍽㍼㍻㋿", strict=True):
    _ERA_ALIASES.update({_name: _name, _name[0]: _name, _short: _name, _short.lower(): _name, _ligature: _name})

_ERA = r"(?P<era>令和|平成|昭和|大正|明治|[令平昭大明㋿㍻㍼㍽㍾]|[RHSTMrhstm]\.?)\s*(?P<ey>[0-9]{1,2}|元)"
_KANJI_MD = r"\s*年\s*(?P<m>[0-9]{1,2})\s*月\s*(?P<d>[0-9]{1,2})\s*日"
_SEP_MD = r"(?P<sep>[-/.])(?P<m>[0-9]{1,2})(?P=sep)(?P<d>[0-9]{1,2})"
# A weekday after the date: in brackets (``(水)``, ``（水曜日）``) or its word (``水曜日``, ``水曜``).
_WEEKDAY = r"(?:\s*(?:\(\s*[月火水木金土日](?:曜日?)?\s*\)|[月火水木金土日]曜日?))?"
_TIME = (
    r"(?:(?:[T\s]+|(?<=[日)]))(?:(?P<half>午前|午後|AM|PM|am|pm)\s*)?(?P<H>[0-9]{1,2})"
    r"(?::(?P<M>[0-9]{2})(?::(?P<S>[0-9]{2})(?:\.(?P<f>[0-9]{1,6}))?)?"
    r"|\s*時\s*(?:(?P<Mk>[0-9]{1,2})\s*分\s*(?:(?P<Sk>[0-9]{1,2})\s*秒)?|(?P<han>半))?)"
    r"(?:\s*(?P<half_after>[AaPp]\.?[Mm]\.?))?"
    r"\s*(?P<tz>Z|[+-][0-9]{2}(?::?[0-9]{2})?)?)?"
)
_MONTH_NAMES = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
_MONTH = r"(?P<mon>[A-Za-z]{3,9})\.?"
_ENGLISH_WEEKDAY = r"(?:(?i:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+)?"
_FORMS = tuple(
    re.compile(head + _WEEKDAY + _TIME)
    for head in (
        r"(?P<y>[0-9]{4})" + _SEP_MD,
        r"(?P<y>[0-9]{4})" + _KANJI_MD,
        r"(?P<y>[0-9]{4})(?P<m>[0-9]{2})(?P<d>[0-9]{2})",
        _ERA + _KANJI_MD,
        _ERA + _SEP_MD,
        _ENGLISH_WEEKDAY + _MONTH + r"\s+(?P<d>[0-9]{1,2})(?:st|nd|rd|th)?,?\s+(?P<y>[0-9]{4})",
        r"(?P<d>[0-9]{1,2})[\s-]" + _MONTH + r"[\s-](?P<y>[0-9]{4})",
    )
)
_ISO = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
    r"(?:[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,6})?)?(?:Z|[+-][0-9]{2}:[0-9]{2})?)?"
)
_MONTH_OR_DAY_FIRST = re.compile(
    r"(?P<a>[0-9]{1,2})(?P<sep>[-/.])(?P<b>[0-9]{1,2})(?P=sep)(?P<y>[0-9]{4})(?P<rest>(?:\s.*)?)"
)
_EXCEL = re.compile(r"(?P<days>[0-9]{5})(?:\.(?P<fraction>[0-9]+))?")
_EXCEL_EPOCH = datetime(1899, 12, 30, tzinfo=JST)


def parse_date(s: str) -> date:
    """The calendar date in a value (in Japan time if it has an offset); raise if none."""
    if len(s) == 10 and s[4] == "-" and s[7] == "-" and s.isascii():
        try:
            return date.fromisoformat(s)
        except ValueError:
            pass
    return _parse(s).date()


def parse_datetime(s: str) -> datetime:
    """An aware datetime in Asia/Tokyo; naive input is taken as Japan time; raise if none."""
    return _parse(s)


class _ParseMemo:
    """``_parse`` remembering at most ``limit`` values (a rejection is not remembered).

    Files hold tens of thousands of distinct dates. An LRU cache relinks its entry on every
    hit, which costs more than it saves here; this one is a plain dict lookup and is emptied
    whenever ``limit`` new values have been parsed.
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.parsed = 0
        self.lookup = cache(self._parse_new)

    def _parse_new(self, s: str) -> datetime:
        self.parsed += 1
        if self.parsed > self.limit:
            self.lookup.cache_clear()
            self.parsed = 1
        return _parse_uncached(s)


def _parse_uncached(s: str) -> datetime:
    if _ISO.fullmatch(s) is not None:
        try:
            parsed = datetime.fromisoformat(s)
        except ValueError as exc:
            raise NormalizationError("Date does not exist", s) from exc
        return parsed.replace(tzinfo=JST) if parsed.tzinfo is None else parsed.astimezone(JST)
    value = fold_dashes(fold_width(s)).strip()
    for form in _FORMS:
        match = form.fullmatch(value)
        if match is not None:
            return _from_match(match, s)
    excel = _EXCEL.fullmatch(value)
    if excel is not None:
        seconds = round(float("0." + (excel.group("fraction") or "0")) * 86400)
        return _EXCEL_EPOCH + timedelta(days=int(excel.group("days")), seconds=seconds)
    if (first := _MONTH_OR_DAY_FIRST.fullmatch(value)) is not None:
        return _one_order(first, s)
    raise NormalizationError("Not a date this importer can read (use 2026/1/5 or 令和8年1月5日)", s)


_parse = _ParseMemo(65536).lookup


def _one_order(found: re.Match[str], raw: str) -> datetime:
    """A date written day or month first that only one of the two orders makes a date (``13/1/2026``
    is the 13th of January, ``1/13/2026`` too, and ``12/12/2026`` is one day either way); any other
    (``5/1/2026``) cannot be told apart."""
    a, b = int(found.group("a")), int(found.group("b"))
    if a > 12 and 1 <= b <= 12:
        month, day = b, a
    elif (b > 12 and 1 <= a <= 12) or a == b:
        month, day = a, b
    elif a > 12 and b > 12:
        raise NormalizationError("Date does not exist", raw)
    else:
        raise NormalizationError("Date is written month or day first, which cannot be told apart (use 2026/1/5)", raw)
    return _parse_uncached(f"{found.group('y')}/{month}/{day}{found.group('rest')}")


def _from_match(match: re.Match[str], raw: str) -> datetime:
    groups = match.groupdict()
    month, day = _month(groups, raw), int(match.group("d"))
    era = _ERA_ALIASES[groups["era"].rstrip(".")] if groups.get("era") else None
    if era is None:
        year = int(match.group("y"))
    else:
        era_year = 1 if groups["ey"] == "元" else int(groups["ey"])
        year = ERAS[era][0].year + era_year - 1
    try:
        day_value = date(year, month, day)
    except ValueError as exc:
        raise NormalizationError("Date does not exist", raw) from exc
    if era is not None:
        first, last = ERAS[era]
        if day_value < first or (last is not None and day_value > last):
            raise NormalizationError(f"Date is outside the {era} era", raw)
    hour = _hour(groups, raw)
    minute = 30 if groups["han"] else int(groups["M"] or groups["Mk"] or 0)
    second = int(groups["S"] or groups["Sk"] or 0)
    micro = int((groups["f"] or "0").ljust(6, "0"))
    try:
        moment = datetime(year, month, day, hour, minute, second, micro)
    except ValueError as exc:
        raise NormalizationError("Time does not exist", raw) from exc
    offset = groups["tz"]
    if offset is None:
        return moment.replace(tzinfo=JST)
    return moment.replace(tzinfo=_offset(offset)).astimezone(JST)


def _month(groups: dict[str, str | None], raw: str) -> int:
    """The month number, or of an English month name (``May``, ``Sep.``, ``September``)."""
    name = groups.get("mon")
    if name is None:
        return int(groups["m"] or 0)
    name = name.lower()
    for number, full in enumerate(_MONTH_NAMES, 1):
        if full.startswith(name) and (len(name) >= 3 or name == full):
            return number
    raise NormalizationError("Not a date this importer can read (use 2026/1/5 or 令和8年1月5日)", raw)


def _hour(groups: dict[str, str | None], raw: str) -> int:
    """The hour of the day, of a 12-hour clock with 午前/午後 or AM/PM (12 AM is midnight, 午後0時 noon)."""
    hour = int(groups["H"] or 0)
    half = groups.get("half") or groups.get("half_after")
    if half is None:
        return hour
    if hour > 12:
        raise NormalizationError("Time does not exist", raw)
    afternoon = half == "午後" or half[0] in "Pp"
    return hour % 12 + (12 if afternoon else 0)


def _offset(text: str) -> timezone:
    if text == "Z":
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    minutes = int(digits[:2]) * 60 + int(digits[2:4] or 0)
    return timezone(sign * timedelta(minutes=minutes))
