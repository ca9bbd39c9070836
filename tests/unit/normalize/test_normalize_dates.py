"""Dates and datetimes: western, compact, kanji and era forms; JST."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from renkei.core.errors import NormalizationError
from renkei.core.normalize import JST, parse_date, parse_datetime
from renkei.core.normalize.dates import ERAS

JAN_5 = date(2026, 1, 5)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("2026/1/5", JAN_5, id="slashes"),
        pytest.param("2026-01-05", JAN_5, id="iso"),
        pytest.param("2026.1.5", JAN_5, id="dots"),
        pytest.param("20260105", JAN_5, id="compact"),
        pytest.param("2026年1月5日", JAN_5, id="kanji"),
        pytest.param("2026年01月05日(月)", JAN_5, id="kanji-weekday"),
        pytest.param("2026年01月05日 月曜日", JAN_5, id="kanji-weekday-word"),
        pytest.param("2026年1月5日（月曜日）", JAN_5, id="kanji-weekday-word-in-brackets"),
        pytest.param("2026/1/5 月曜", JAN_5, id="weekday-word-after-slashes"),
        pytest.param("２０２６／１／５", JAN_5, id="full-width"),
        pytest.param("２０２６－０１－０５", JAN_5, id="full-width-hyphens"),
        pytest.param(" 2026/01/05 ", JAN_5, id="padded"),
        pytest.param("令和8年1月5日", JAN_5, id="reiwa-kanji"),
        pytest.param("令和８年１月５日", JAN_5, id="reiwa-full-width"),
        pytest.param("R8.1.5", JAN_5, id="reiwa-letter-dots"),
        pytest.param("R8/1/5", JAN_5, id="reiwa-letter-slashes"),
        pytest.param("r08.01.05", JAN_5, id="reiwa-lower-case"),
        pytest.param("㋿8.1.5", JAN_5, id="reiwa-ligature"),
        pytest.param("令和元年5月1日", date(2019, 5, 1), id="reiwa-first-day-gannen"),
        pytest.param("H31.4.30", date(2019, 4, 30), id="heisei-last-day-letter"),
        pytest.param("平成31年4月30日", date(2019, 4, 30), id="heisei-last-day"),
        pytest.param("平成元年1月8日", date(1989, 1, 8), id="heisei-first-day"),
        pytest.param("昭和64年1月7日", date(1989, 1, 7), id="showa-last-day"),
        pytest.param("S64.1.7", date(1989, 1, 7), id="showa-letter"),
        pytest.param("昭和元年12月25日", date(1926, 12, 25), id="showa-first-day"),
        pytest.param("T15.12.25", date(1926, 12, 25), id="taisho-last-day"),
        pytest.param("大正元年7月30日", date(1912, 7, 30), id="taisho-first-day"),
        pytest.param("M45.7.30", date(1912, 7, 30), id="meiji-last-day"),
        pytest.param("明治1年1月1日", date(1868, 1, 1), id="meiji-first-day"),
        pytest.param("2026-01-04T20:00:00Z", JAN_5, id="utc-evening-is-next-day-in-japan"),
        pytest.param("45000", date(2023, 3, 15), id="excel-serial"),
        pytest.param("2024/2/29", date(2024, 2, 29), id="leap-day"),
        pytest.param("H.31.4.30", date(2019, 4, 30), id="era-letter-with-a-dot"),
        pytest.param("Jan 5, 2026", JAN_5, id="english-month-first"),
        pytest.param("Mon, January 5th, 2026", JAN_5, id="english-weekday-and-ordinal"),
        pytest.param("5 Jan 2026", JAN_5, id="english-day-first"),
        pytest.param("05-Jan-2026", JAN_5, id="english-hyphens"),
        pytest.param("Sept. 30, 2024", date(2024, 9, 30), id="english-sept"),
        # Day or month first where only one order makes a date.
        pytest.param("13/1/2026", date(2026, 1, 13), id="day-first-only-one-order"),
        pytest.param("1/13/2026", date(2026, 1, 13), id="month-first-only-one-order"),
        pytest.param("31.12.2025", date(2025, 12, 31), id="day-first-with-dots"),
        pytest.param("12/12/2026", date(2026, 12, 12), id="the-same-day-either-way"),
    ],
)
def test_parse_date(raw: str, expected: date) -> None:
    assert parse_date(raw) == expected


def _jst(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, us: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, us, tzinfo=JST)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("2026/08/12 02:04:10", _jst(2026, 8, 12, 2, 4, 10), id="with-seconds"),
        pytest.param("2026/08/12 2:04", _jst(2026, 8, 12, 2, 4), id="without-seconds-one-digit-hour"),
        pytest.param("2026-08-12 02:04", _jst(2026, 8, 12, 2, 4), id="iso-space"),
        pytest.param("2026-08-12T02:04:10", _jst(2026, 8, 12, 2, 4, 10), id="iso-t"),
        pytest.param("2026-08-12T02:04:10+09:00", _jst(2026, 8, 12, 2, 4, 10), id="iso-jst-offset"),
        pytest.param("2026-08-12T02:04:10Z", _jst(2026, 8, 12, 11, 4, 10), id="iso-utc"),
        pytest.param("2026-08-12T02:04:10.250+00:00", _jst(2026, 8, 12, 11, 4, 10, 250000), id="fraction"),
        pytest.param("2026/08/12 02:04:10 +0000", _jst(2026, 8, 12, 11, 4, 10), id="compact-offset"),
        pytest.param("2026年8月12日 14時30分", _jst(2026, 8, 12, 14, 30), id="kanji-time"),
        pytest.param("2026年8月12日14時30分15秒", _jst(2026, 8, 12, 14, 30, 15), id="kanji-seconds"),
        pytest.param("2026/8/12(水) 10:00", _jst(2026, 8, 12, 10), id="weekday-then-time"),
        pytest.param("令和8年8月12日 9:30", _jst(2026, 8, 12, 9, 30), id="era-with-time"),
        pytest.param("２０２６／０８／１２　０２：０４", _jst(2026, 8, 12, 2, 4), id="full-width-time"),
        pytest.param("2026/8/12", _jst(2026, 8, 12), id="date-only-is-midnight"),
        pytest.param("45000.5", _jst(2023, 3, 15, 12), id="excel-serial-fraction"),
        pytest.param("2026/8/12 午後3:05", _jst(2026, 8, 12, 15, 5), id="gogo"),
        pytest.param("2026/8/12 午前 9:05:10", _jst(2026, 8, 12, 9, 5, 10), id="gozen"),
        pytest.param("令和8年8月12日午後3時半", _jst(2026, 8, 12, 15, 30), id="gogo-han"),
        pytest.param("2026/8/12 午後0時", _jst(2026, 8, 12, 12), id="gogo-zero-is-noon"),
        pytest.param("2026/8/12 9時半 +00:00", _jst(2026, 8, 12, 18, 30), id="han-with-an-offset"),
        pytest.param("2026-08-12 03:05:00 PM", _jst(2026, 8, 12, 15, 5), id="pm"),
        pytest.param("2026-08-12 12:05 AM", _jst(2026, 8, 12, 0, 5), id="twelve-am-is-midnight"),
        pytest.param("2026/8/12 12:05 p.m.", _jst(2026, 8, 12, 12, 5), id="twelve-pm-is-noon"),
        pytest.param("Aug 12, 2026 10:00 PM", _jst(2026, 8, 12, 22), id="english-with-time"),
        pytest.param("12/25/2026 3:05 PM", _jst(2026, 12, 25, 15, 5), id="month-first-only-one-order-with-time"),
    ],
)
def test_parse_datetime(raw: str, expected: datetime) -> None:
    parsed = parse_datetime(raw)
    assert parsed == expected
    assert parsed.tzinfo is JST


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        pytest.param("2026/2/30", "does not exist", id="february-30"),
        pytest.param("2025/2/29", "does not exist", id="not-a-leap-year"),
        pytest.param("2026/13/1", "does not exist", id="month-13"),
        pytest.param("2026-02-30", "does not exist", id="iso-february-30"),
        pytest.param("2026/1/5 24:00", "does not exist", id="hour-24"),
        pytest.param("2026/1/5 10:60", "does not exist", id="minute-60"),
        pytest.param("2026/1/5 13:00 PM", "does not exist", id="pm-past-twelve"),
        pytest.param("Mays 1, 2026", "can read", id="not-a-month"),
        pytest.param("Ma 1, 2026", "can read", id="too-short-a-month"),
        pytest.param("5/1/2026", "month or day first", id="month-or-day-first"),
        pytest.param("05-01-2026 10:00 AM", "month or day first", id="month-or-day-first-with-time"),
        pytest.param("13/13/2026", "does not exist", id="neither-order"),
        pytest.param("2/30/2026", "does not exist", id="month-first-february-30"),
        pytest.param("令和1年4月30日", "令和", id="before-reiwa"),
        pytest.param("令和0年5月1日", "令和", id="reiwa-zero"),
        pytest.param("平成31年5月1日", "平成", id="after-heisei"),
        pytest.param("H32.1.1", "平成", id="heisei-32"),
        pytest.param("平成元年1月7日", "平成", id="before-heisei"),
        pytest.param("昭和64年1月8日", "昭和", id="after-showa"),
        pytest.param("昭和元年12月24日", "昭和", id="before-showa"),
        pytest.param("大正15年12月26日", "大正", id="after-taisho"),
        pytest.param("明治45年7月31日", "明治", id="after-meiji"),
        pytest.param("1/5/2026", "cannot be told apart", id="month-first"),
        pytest.param("26/1/5", "read", id="two-digit-year"),
        pytest.param("2026/1-5", "read", id="mixed-separators"),
        pytest.param("", "read", id="empty"),
        pytest.param("来週", "read", id="words"),
        pytest.param("2026/1/5 午後", "read", id="trailing-words"),
    ],
)
def test_parse_rejects(raw: str, reason: str) -> None:
    with pytest.raises(NormalizationError) as info:
        parse_datetime(raw)
    assert reason in info.value.reason
    with pytest.raises(NormalizationError):
        parse_date(raw)


_WIDE = str.maketrans("0123456789/", "０１２３４５６７８９／")
_WESTERN: list[Callable[[date], str]] = [
    lambda d: f"{d.year}/{d.month}/{d.day}",
    lambda d: d.isoformat(),
    lambda d: f"{d.year}.{d.month}.{d.day}",
    lambda d: d.strftime("%Y%m%d"),
    lambda d: f"{d.year}年{d.month}月{d.day}日",
    lambda d: f"{d.year:04d}/{d.month:02d}/{d.day:02d}".translate(_WIDE),
]
_ERA_LETTERS = {"明治": "M", "大正": "T", "昭和": "S", "平成": "H", "令和": "R"}


@given(st.dates(min_value=date(1000, 1, 1), max_value=date(9999, 12, 31)), st.sampled_from(_WESTERN))
def test_western_forms_round_trip(day: date, form: Callable[[date], str]) -> None:
    assert parse_date(form(day)) == day


@given(
    st.dates(min_value=date(1868, 1, 1), max_value=date(2117, 12, 31)),  # 令和99年
    st.sampled_from(["kanji", "dots", "slashes"]),
    st.booleans(),
)
def test_era_forms_round_trip(day: date, form: str, wide: bool) -> None:
    for era, (first, last) in ERAS.items():
        if first <= day and (last is None or day <= last):
            year = day.year - first.year + 1
            if form == "kanji":
                text = f"{era}{'元' if year == 1 else year}年{day.month}月{day.day}日"
            else:
                sep = "." if form == "dots" else "/"
                text = f"{_ERA_LETTERS[era]}{year}{sep}{day.month}{sep}{day.day}"
            assert parse_date(text.translate(_WIDE) if wide else text) == day


@given(
    st.datetimes(min_value=datetime(1952, 1, 1), max_value=datetime(2200, 1, 1)),
    st.sampled_from(["%Y/%m/%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y年%m月%d日 %H時%M分%S秒"]),
)
def test_datetimes_round_trip_as_japan_time(moment: datetime, form: str) -> None:
    moment = moment.replace(microsecond=0)
    assert parse_datetime(moment.strftime(form)) == moment.replace(tzinfo=JST)


@given(
    st.datetimes(min_value=datetime(1952, 1, 2), max_value=datetime(2200, 1, 1)),
    st.integers(min_value=-12 * 60, max_value=14 * 60).map(lambda m: m - m % 15),
)
def test_offsets_are_converted_to_japan_time(moment: datetime, minutes: int) -> None:
    aware = moment.replace(microsecond=0, tzinfo=timezone(timedelta(minutes=minutes)))
    parsed = parse_datetime(aware.isoformat())
    assert parsed == aware
    assert parsed.utcoffset() == timedelta(hours=9)
