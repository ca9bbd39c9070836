"""Schedule rules for file pulls: slots, delays, time zones, DST, catch-up and the overrun guard."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from itertools import accumulate, pairwise
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from renkei.core.schedule import (
    INTERVALS,
    DueDecision,
    Schedule,
    ScheduleError,
    due_runs,
    next_run,
    should_start,
    slots_between,
)

TOKYO = ZoneInfo("Asia/Tokyo")
NEW_YORK = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")

EVERY_DAY = frozenset(range(7))
WEEKDAYS = frozenset(range(5))
MONDAY, FRIDAY, SATURDAY, SUNDAY = 0, 4, 5, 6

# 2026-06-01 is a Monday; its week has no DST change anywhere used here.
WEEK_START = date(2026, 6, 1)


def at(zone: ZoneInfo, text: str) -> datetime:
    """An aware datetime from local ISO text, e.g. ``at(TOKYO, "2026-06-01 09:00")``."""
    return datetime.fromisoformat(text).replace(tzinfo=zone)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def render(instants: list[datetime], zone: ZoneInfo, pattern: str = "%a %H:%M") -> list[str]:
    return [instant.astimezone(zone).strftime(pattern) for instant in instants]


def week_of_slots(schedule: Schedule) -> list[str]:
    """The schedule's slots from Monday 00:00 to Sunday 23:59 local, as ``"Mon 09:00"``."""
    zone = schedule.zone
    monday = datetime.combine(WEEK_START, time(0), zone)
    slots = slots_between(schedule, monday - timedelta(microseconds=1), monday + timedelta(days=7, minutes=-1))
    return render(list(slots), zone)


def window_of(schedule: Schedule, day: date) -> list[datetime]:
    """The slots (UTC) of the window starting on local ``day``; ``schedule`` lists only that day."""
    assert schedule.days == {day.weekday()}
    zone = schedule.zone
    midnight = datetime.combine(day, time(0), zone)
    return list(slots_between(schedule, midnight - timedelta(days=1), midnight + timedelta(days=3)))


def daily(at_time: time, timezone: str, days: frozenset[int] = EVERY_DAY) -> Schedule:
    return Schedule(days=days, start=at_time, end=at_time, interval_minutes=60, timezone=timezone)


# --- validation -------------------------------------------------------------------------------


VALID = {
    "days": EVERY_DAY,
    "start": time(9),
    "end": time(18),
    "interval_minutes": 30,
    "delay_minutes": 5,
    "timezone": "Asia/Tokyo",
}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        pytest.param("days", frozenset(), "at least one weekday", id="no-days"),
        pytest.param("days", frozenset({7}), "0 (Monday) to 6 (Sunday), got 7", id="day-7"),
        pytest.param("days", frozenset({-1, 2}), "got -1", id="negative-day"),
        pytest.param("days", frozenset({True}), "got True", id="bool-day"),
        pytest.param("days", {1, 2}, "must be a frozenset", id="mutable-set"),
        pytest.param("start", time(9, 0, 30), "start must be a whole minute", id="start-with-seconds"),
        pytest.param("end", time(18, 0, 0, 1), "end must be a whole minute", id="end-with-microseconds"),
        pytest.param("start", time(9, tzinfo=UTC), "without a time zone", id="aware-start"),
        pytest.param("end", "18:00", "end must be a time of day", id="end-as-text"),
        pytest.param("interval_minutes", 7, "one of 5, 10, 15, 30, 60, 120, got 7", id="interval-7"),
        pytest.param("interval_minutes", 0, "got 0", id="interval-0"),
        pytest.param("interval_minutes", 240, "got 240", id="interval-240"),
        pytest.param("interval_minutes", 30.0, "got 30.0", id="interval-float"),
        pytest.param("delay_minutes", -1, "from 0 to 59, got -1", id="negative-delay"),
        pytest.param("delay_minutes", 60, "got 60", id="delay-an-hour"),
        pytest.param("delay_minutes", 1.5, "got 1.5", id="delay-float"),
        pytest.param("delay_minutes", True, "got True", id="delay-bool"),
        pytest.param("timezone", "Tokyo", "IANA time zone name", id="unknown-zone"),
        pytest.param("timezone", "", "IANA time zone name", id="empty-zone"),
        pytest.param("timezone", "/etc/passwd", "IANA time zone name", id="absolute-path-zone"),
        pytest.param("timezone", "../Asia/Tokyo", "IANA time zone name", id="relative-path-zone"),
        pytest.param("timezone", "America", "IANA time zone name", id="zone-directory"),
        pytest.param("timezone", "JST", "IANA time zone name", id="abbreviation"),
    ],
)
def test_invalid_settings_are_rejected_naming_the_field(field: str, value: object, message: str) -> None:
    with pytest.raises(ScheduleError, match=field) as caught:
        Schedule(**{**VALID, field: value})  # type: ignore[arg-type]
    assert isinstance(caught.value, ValueError)
    assert message in str(caught.value)


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(ScheduleError) as caught:
        Schedule(days=frozenset(), start=time(9), end=time(18), interval_minutes=7, delay_minutes=99)  # type: ignore[arg-type]
    assert [problem.split()[0] for problem in caught.value.problems] == [
        "days",
        "interval_minutes",
        "delay_minutes",
    ]


@pytest.mark.parametrize("interval", INTERVALS, ids=lambda minutes: f"every-{minutes}-min")
@pytest.mark.parametrize("delay", [0, 59], ids=["no-delay", "delay-59"])
def test_valid_settings_are_accepted(interval: int, delay: int) -> None:
    schedule = Schedule(EVERY_DAY, time(0), time(23, 59), interval, delay, "UTC")  # type: ignore[arg-type]
    assert schedule.delay_minutes == delay


def test_defaults_are_no_delay_in_tokyo() -> None:
    schedule = Schedule(days=WEEKDAYS, start=time(9), end=time(17), interval_minutes=60)
    assert (schedule.delay_minutes, schedule.timezone) == (0, "Asia/Tokyo")


def test_schedules_are_values() -> None:
    first = Schedule(WEEKDAYS, time(9), time(17), 60)
    assert first == Schedule(frozenset([4, 3, 2, 1, 0]), time(9), time(17), 60)
    assert len({first, Schedule(WEEKDAYS, time(9), time(17), 60)}) == 1


# --- slots in a day ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("interval", "start", "end", "expected"),
    [
        pytest.param(5, time(9), time(9, 20), ["09:00", "09:05", "09:10", "09:15", "09:20"], id="every-5-min"),
        pytest.param(10, time(9), time(9, 30), ["09:00", "09:10", "09:20", "09:30"], id="every-10-min"),
        pytest.param(15, time(9), time(10), ["09:00", "09:15", "09:30", "09:45", "10:00"], id="every-15-min"),
        pytest.param(30, time(9), time(11), ["09:00", "09:30", "10:00", "10:30", "11:00"], id="every-30-min"),
        pytest.param(60, time(9), time(12), ["09:00", "10:00", "11:00", "12:00"], id="every-60-min"),
        pytest.param(120, time(9), time(18), ["09:00", "11:00", "13:00", "15:00", "17:00"], id="every-120-min"),
        pytest.param(15, time(9), time(9, 50), ["09:00", "09:15", "09:30", "09:45"], id="end-between-slots"),
        pytest.param(30, time(9, 10), time(10, 40), ["09:10", "09:40", "10:10", "10:40"], id="off-the-hour"),
        pytest.param(120, time(0), time(23, 59), [f"{h:02}:00" for h in range(0, 24, 2)], id="whole-day-120"),
    ],
)
def test_slots_run_from_start_to_end_inclusive(interval: int, start: time, end: time, expected: list[str]) -> None:
    schedule = Schedule(frozenset({MONDAY}), start, end, interval)  # type: ignore[arg-type]
    assert render(window_of(schedule, WEEK_START), TOKYO, "%H:%M") == expected


@pytest.mark.parametrize(
    ("interval", "per_day"),
    [(5, 288), (10, 144), (15, 96), (30, 48), (60, 24), (120, 12)],
    ids=lambda value: str(value),
)
def test_a_whole_day_window_has_every_slot_once(interval: int, per_day: int) -> None:
    schedule = Schedule(frozenset({MONDAY}), time(0), time(23, 59), interval)  # type: ignore[arg-type]
    slots = window_of(schedule, WEEK_START)
    assert len(slots) == per_day == schedule.slots_per_day
    assert {later - earlier for earlier, later in pairwise(slots)} == {timedelta(minutes=interval)}


@pytest.mark.parametrize(
    ("days", "expected_days"),
    [
        pytest.param(WEEKDAYS, ["Mon", "Tue", "Wed", "Thu", "Fri"], id="weekdays-only"),
        pytest.param(frozenset({SATURDAY, SUNDAY}), ["Sat", "Sun"], id="weekend-only"),
        pytest.param(frozenset({MONDAY, 3}), ["Mon", "Thu"], id="monday-and-thursday"),
        pytest.param(EVERY_DAY, ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"], id="every-day"),
    ],
)
def test_only_listed_days_have_slots(days: frozenset[int], expected_days: list[str]) -> None:
    slots = week_of_slots(Schedule(days, time(9), time(17), 60))
    assert list(dict.fromkeys(slot.split()[0] for slot in slots)) == expected_days
    assert len(slots) == 9 * len(days)


def test_start_equal_to_end_gives_one_slot_a_day() -> None:
    schedule = Schedule(WEEKDAYS, time(7, 45), time(7, 45), 15)
    assert week_of_slots(schedule) == ["Mon 07:45", "Tue 07:45", "Wed 07:45", "Thu 07:45", "Fri 07:45"]


@pytest.mark.parametrize(
    ("days", "start", "end", "interval", "expected"),
    [
        pytest.param(
            frozenset({FRIDAY}),
            time(22),
            time(2),
            60,
            ["Fri 22:00", "Fri 23:00", "Sat 00:00", "Sat 01:00", "Sat 02:00"],
            id="friday-night-belongs-to-friday",
        ),
        pytest.param(
            frozenset({SATURDAY}),
            time(22),
            time(2),
            120,
            ["Sat 22:00", "Sun 00:00", "Sun 02:00"],
            id="saturday-night-every-2h",
        ),
        pytest.param(
            frozenset({SUNDAY}),
            time(23, 30),
            time(0, 30),
            30,
            ["Sun 23:30", "Mon 00:00", "Mon 00:30"],
            id="sunday-night-into-monday",
        ),
        pytest.param(
            frozenset({MONDAY}),
            time(1),
            time(0),
            120,
            [f"Mon {h:02}:00" for h in range(1, 24, 2)],
            id="window-of-23-hours",
        ),
    ],
)
def test_a_window_crossing_midnight_belongs_to_the_day_it_starts(
    days: frozenset[int], start: time, end: time, interval: int, expected: list[str]
) -> None:
    schedule = Schedule(days, start, end, interval)  # type: ignore[arg-type]
    (day,) = days
    assert render(window_of(schedule, WEEK_START + timedelta(days=day)), TOKYO) == expected


def test_early_morning_after_an_unlisted_evening_has_no_slots() -> None:
    # Saturday 00:00-02:00 would only run as the tail of a Friday window; Friday is not listed.
    schedule = Schedule(frozenset({SATURDAY}), time(22), time(2), 60)
    assert week_of_slots(schedule) == ["Sat 22:00", "Sat 23:00", "Sun 00:00", "Sun 01:00", "Sun 02:00"]


# --- slots_between ----------------------------------------------------------------------------


def test_slots_between_excludes_after_and_includes_until() -> None:
    schedule = Schedule(EVERY_DAY, time(9), time(12), 60)
    slots = slots_between(schedule, at(TOKYO, "2026-06-01 09:00"), at(TOKYO, "2026-06-01 11:00"))
    assert render(list(slots), TOKYO) == ["Mon 10:00", "Mon 11:00"]


def test_slots_between_is_empty_for_an_empty_range() -> None:
    schedule = Schedule(EVERY_DAY, time(9), time(12), 60)
    moment = at(TOKYO, "2026-06-01 10:00")
    assert list(slots_between(schedule, moment, moment)) == []
    assert list(slots_between(schedule, moment, moment - timedelta(hours=5))) == []


def test_slots_are_in_utc_whatever_zone_the_bounds_are_in() -> None:
    schedule = Schedule(EVERY_DAY, time(9), time(9), 60)
    slots = list(slots_between(schedule, at(NEW_YORK, "2026-06-01 00:00"), at(LONDON, "2026-06-03 01:00")))
    assert slots == [utc("2026-06-02 00:00"), utc("2026-06-03 00:00")]
    assert all(slot.tzinfo is UTC for slot in slots)


def test_slots_are_not_shifted_by_the_delay() -> None:
    plain = Schedule(EVERY_DAY, time(9), time(10), 30)
    delayed = Schedule(EVERY_DAY, time(9), time(10), 30, delay_minutes=20)
    bounds = (at(TOKYO, "2026-06-01 00:00"), at(TOKYO, "2026-06-02 00:00"))
    assert list(slots_between(delayed, *bounds)) == list(slots_between(plain, *bounds))


# --- next_run and the delay -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("schedule", "after", "expected"),
    [
        pytest.param(
            Schedule(WEEKDAYS, time(9), time(17), 60),
            "2026-06-01 08:59",
            "2026-06-01 09:00",
            id="before-the-first-slot",
        ),
        pytest.param(
            Schedule(WEEKDAYS, time(9), time(17), 60),
            "2026-06-01 09:00",
            "2026-06-01 10:00",
            id="at-a-slot-gives-the-next",
        ),
        pytest.param(
            Schedule(WEEKDAYS, time(9), time(17), 60),
            "2026-06-01 17:00",
            "2026-06-02 09:00",
            id="after-the-last-slot-gives-tomorrow",
        ),
        pytest.param(
            Schedule(WEEKDAYS, time(9), time(17), 60),
            "2026-06-05 17:30",
            "2026-06-08 09:00",
            id="friday-evening-gives-monday",
        ),
        pytest.param(
            Schedule(WEEKDAYS, time(9), time(17), 60, delay_minutes=10),
            "2026-06-01 08:59",
            "2026-06-01 09:10",
            id="delay-10",
        ),
        pytest.param(
            Schedule(WEEKDAYS, time(9), time(17), 60, delay_minutes=10),
            "2026-06-01 09:05",
            "2026-06-01 09:10",
            id="between-slot-and-delayed-run",
        ),
        pytest.param(
            Schedule(WEEKDAYS, time(9), time(17), 60, delay_minutes=10),
            "2026-06-01 09:10",
            "2026-06-01 10:10",
            id="at-a-delayed-run-gives-the-next",
        ),
        pytest.param(
            Schedule(WEEKDAYS, time(9), time(17), 60, delay_minutes=10),
            "2026-06-01 17:05",
            "2026-06-01 17:10",
            id="last-slot-runs-after-the-window",
        ),
        pytest.param(
            Schedule(frozenset({FRIDAY}), time(23, 55), time(23, 55), 5, delay_minutes=10),
            "2026-06-05 23:59",
            "2026-06-06 00:05",
            id="delay-into-saturday-belongs-to-friday",
        ),
        pytest.param(
            Schedule(frozenset({FRIDAY}), time(23, 55), time(23, 55), 5, delay_minutes=10),
            "2026-06-06 00:05",
            "2026-06-13 00:05",
            id="next-friday-slot-runs-next-saturday",
        ),
        pytest.param(
            Schedule(EVERY_DAY, time(9), time(9, 10), 5, delay_minutes=30),
            "2026-06-01 09:30",
            "2026-06-01 09:35",
            id="delay-longer-than-the-interval",
        ),
    ],
)
def test_next_run_is_the_first_delayed_slot_strictly_after(schedule: Schedule, after: str, expected: str) -> None:
    assert next_run(schedule, at(TOKYO, after)) == at(TOKYO, expected)


@pytest.mark.parametrize(
    ("timezone", "expected"),
    [
        pytest.param("Asia/Tokyo", "2026-06-01 00:00", id="tokyo"),
        pytest.param("UTC", "2026-06-01 09:00", id="utc"),
        pytest.param("Asia/Kolkata", "2026-06-01 03:30", id="kolkata-half-hour-offset"),
        pytest.param("America/New_York", "2026-06-01 13:00", id="new-york-summer"),
    ],
)
def test_the_same_schedule_runs_at_local_time_of_its_zone(timezone: str, expected: str) -> None:
    schedule = daily(time(9), timezone)
    run = next_run(schedule, utc("2026-05-31 23:30"))
    assert run == utc(expected)
    assert run.tzinfo is UTC
    assert run.astimezone(ZoneInfo(timezone)).strftime("%H:%M") == "09:00"


def test_days_are_local_days() -> None:
    # Monday 08:00 in Tokyo is still Sunday in UTC.
    schedule = daily(time(8), "Asia/Tokyo", days=frozenset({MONDAY}))
    run = next_run(schedule, utc("2026-05-30 00:00"))
    assert run == utc("2026-05-31 23:00")
    assert (run.weekday(), run.astimezone(TOKYO).weekday()) == (SUNDAY, MONDAY)


def test_the_answer_does_not_depend_on_the_zone_of_the_argument() -> None:
    schedule = Schedule(WEEKDAYS, time(9), time(17), 30, delay_minutes=7)
    moment = utc("2026-06-03 02:10")
    expected = next_run(schedule, moment)
    for zone in (TOKYO, NEW_YORK, LONDON, ZoneInfo("Pacific/Kiritimati")):
        assert next_run(schedule, moment.astimezone(zone)) == expected


# --- daylight saving time ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("timezone", "day", "start", "end", "interval", "expected"),
    [
        pytest.param(
            "America/New_York",
            date(2026, 3, 8),
            time(1),
            time(4),
            30,
            ["06:00", "06:30", "07:00", "07:30", "08:00"],
            id="new-york-gap-slots-collapse-into-the-jump",
        ),
        pytest.param(
            "America/New_York",
            date(2026, 3, 8),
            time(2, 30),
            time(2, 30),
            60,
            ["07:00"],
            id="new-york-daily-in-gap-runs-at-03:00-EDT",
        ),
        pytest.param(
            "America/New_York",
            date(2026, 3, 7),
            time(2, 30),
            time(2, 30),
            60,
            ["07:30"],
            id="new-york-day-before-gap-EST",
        ),
        pytest.param(
            "America/New_York",
            date(2026, 3, 9),
            time(2, 30),
            time(2, 30),
            60,
            ["06:30"],
            id="new-york-day-after-gap-EDT",
        ),
        pytest.param(
            "America/New_York",
            date(2026, 11, 1),
            time(0, 30),
            time(2, 30),
            30,
            ["04:30", "05:00", "05:30", "07:00", "07:30"],
            id="new-york-repeated-hour-runs-once",
        ),
        pytest.param(
            "America/New_York",
            date(2026, 11, 1),
            time(1, 30),
            time(1, 30),
            60,
            ["05:30"],
            id="new-york-daily-in-overlap-first-occurrence",
        ),
        pytest.param(
            "America/New_York",
            date(2026, 10, 31),
            time(23),
            time(3),
            60,
            ["03:00", "04:00", "05:00", "07:00", "08:00"],
            id="new-york-night-window-over-fall-back",
        ),
        pytest.param(
            "Europe/London",
            date(2026, 3, 29),
            time(0),
            time(3),
            60,
            ["00:00", "01:00", "02:00"],
            id="london-gap-slot-collapses-into-the-jump",
        ),
        pytest.param(
            "Europe/London",
            date(2026, 3, 29),
            time(1, 30),
            time(1, 30),
            60,
            ["01:00"],
            id="london-daily-in-gap-runs-at-02:00-BST",
        ),
        pytest.param(
            "Europe/London",
            date(2026, 10, 25),
            time(0),
            time(3),
            60,
            ["23:00", "00:00", "02:00", "03:00"],
            id="london-repeated-hour-runs-once",
        ),
        pytest.param(
            "Europe/London",
            date(2026, 10, 25),
            time(1, 30),
            time(1, 30),
            60,
            ["00:30"],
            id="london-daily-in-overlap-first-occurrence",
        ),
        pytest.param(
            "Australia/Lord_Howe",
            date(2026, 10, 4),
            time(1, 30),
            time(3),
            15,
            ["15:00", "15:15", "15:30", "15:45", "16:00"],
            id="lord-howe-half-hour-gap",
        ),
    ],
)
def test_daylight_saving_changes(
    timezone: str, day: date, start: time, end: time, interval: int, expected: list[str]
) -> None:
    schedule = Schedule(frozenset({day.weekday()}), start, end, interval, timezone=timezone)  # type: ignore[arg-type]
    slots = window_of(schedule, day)
    assert render(slots, ZoneInfo("UTC"), "%H:%M") == expected
    assert slots == sorted(set(slots))


@pytest.mark.parametrize(
    ("timezone", "at_time"),
    [
        pytest.param("Asia/Tokyo", time(9), id="tokyo-09:00"),
        pytest.param("America/New_York", time(2, 30), id="new-york-02:30-in-spring-gap"),
        pytest.param("America/New_York", time(1, 30), id="new-york-01:30-in-autumn-overlap"),
        pytest.param("Europe/London", time(1), id="london-01:00-in-gap-and-overlap"),
        pytest.param("Australia/Lord_Howe", time(2), id="lord-howe-02:00-half-hour-shift"),
        pytest.param("America/Santiago", time(0), id="santiago-midnight-change"),
    ],
)
def test_a_daily_check_runs_once_on_every_day_of_the_year(timezone: str, at_time: time) -> None:
    zone = ZoneInfo(timezone)
    schedule = daily(at_time, timezone)
    runs = []
    run = datetime(2026, 1, 1, tzinfo=zone) - timedelta(microseconds=1)
    while (run := next_run(schedule, run)) < datetime(2027, 1, 1, tzinfo=zone):
        runs.append(run)
    assert len(runs) == len({run.astimezone(zone).date() for run in runs}) == 365


def test_a_delay_is_elapsed_time_across_a_dst_jump() -> None:
    # 01:50 EST + 20 minutes is 03:10 EDT: the check still runs 20 minutes after its slot.
    schedule = Schedule(EVERY_DAY, time(1, 50), time(1, 50), 60, delay_minutes=20, timezone="America/New_York")
    run = next_run(schedule, at(NEW_YORK, "2026-03-08 00:00"))
    assert run.astimezone(NEW_YORK).strftime("%H:%M %Z") == "03:10 EDT"


# --- due_runs ---------------------------------------------------------------------------------

OFFICE_HOURS = Schedule(EVERY_DAY, time(9), time(18), 30, delay_minutes=5)
WEEKDAY_HOURS = Schedule(WEEKDAYS, time(9), time(18), 30, delay_minutes=5)


@pytest.mark.parametrize(
    ("schedule", "last_run", "now", "expected"),
    [
        pytest.param(
            OFFICE_HOURS,
            "2026-05-29 10:05",
            "2026-06-01 12:47",
            ("2026-06-01 12:30", "2026-06-01 13:05"),
            id="three-days-down-one-catch-up-for-the-latest-slot",
        ),
        pytest.param(
            OFFICE_HOURS,
            "2026-05-29 10:05",
            "2026-06-01 07:00",
            ("2026-05-31 18:00", "2026-06-01 09:05"),
            id="down-overnight-catches-up-yesterdays-last-slot",
        ),
        pytest.param(
            WEEKDAY_HOURS,
            "2026-06-04 18:05",
            "2026-06-08 07:00",
            ("2026-06-05 18:00", "2026-06-08 09:05"),
            id="weekend-downtime-catches-up-friday",
        ),
        pytest.param(
            OFFICE_HOURS,
            "2026-05-31 18:05",
            "2026-06-01 08:59",
            (None, "2026-06-01 09:05"),
            id="not-due-before-the-first-slot",
        ),
        pytest.param(
            OFFICE_HOURS,
            "2026-05-31 18:05",
            "2026-06-01 09:04:59.999999",
            (None, "2026-06-01 09:05"),
            id="not-due-between-slot-and-delay",
        ),
        pytest.param(
            OFFICE_HOURS,
            "2026-05-31 18:05",
            "2026-06-01 09:05",
            ("2026-06-01 09:00", "2026-06-01 09:35"),
            id="due-exactly-at-the-run-time",
        ),
        pytest.param(
            OFFICE_HOURS,
            "2026-06-01 09:05",
            "2026-06-01 09:05",
            (None, "2026-06-01 09:35"),
            id="not-due-again-at-the-same-instant",
        ),
        pytest.param(
            OFFICE_HOURS,
            "2026-06-01 09:05:03",
            "2026-06-01 09:20",
            (None, "2026-06-01 09:35"),
            id="a-run-started-late-covers-its-slot",
        ),
        pytest.param(
            OFFICE_HOURS,
            "2026-06-01 09:05",
            "2026-06-01 09:35",
            ("2026-06-01 09:30", "2026-06-01 10:05"),
            id="due-at-the-next-run-time",
        ),
        pytest.param(
            OFFICE_HOURS,
            None,
            "2026-06-01 09:20",
            ("2026-06-01 09:00", "2026-06-01 09:35"),
            id="never-run-is-due-for-the-latest-slot",
        ),
        pytest.param(
            OFFICE_HOURS,
            None,
            "2026-06-01 08:00",
            ("2026-05-31 18:00", "2026-06-01 09:05"),
            id="never-run-before-hours-is-due-for-yesterday",
        ),
        pytest.param(
            OFFICE_HOURS,
            "2026-06-01 11:05",
            "2026-06-01 10:00",
            (None, "2026-06-01 11:35"),
            id="last-run-in-the-future-waits-past-it",
        ),
    ],
)
def test_due_runs(schedule: Schedule, last_run: str | None, now: str, expected: tuple[str | None, str]) -> None:
    decision = due_runs(schedule, None if last_run is None else at(TOKYO, last_run), at(TOKYO, now))
    slot, following = expected
    assert decision == DueDecision(
        due=slot is not None,
        slot=None if slot is None else at(TOKYO, slot).astimezone(UTC),
        next_run=at(TOKYO, following).astimezone(UTC),
    )


def simulate(
    schedule: Schedule, start: datetime, end: datetime, down: tuple[datetime, datetime] | None = None
) -> list[datetime]:
    """A scheduler that wakes at each decision's next run (or when it comes back up) until ``end``.

    Returns the slots it ran, in order.
    """
    ran: list[datetime] = []
    last_run: datetime | None = start
    now = start
    while now < end:
        if down and down[0] <= now < down[1]:
            now = down[1]
            continue
        decision = due_runs(schedule, last_run, now)
        if decision.due:
            assert decision.slot is not None
            ran.append(decision.slot)
            last_run = now
        now = decision.next_run
    return ran


def test_a_scheduler_runs_each_slot_once() -> None:
    monday = at(TOKYO, "2026-06-01 00:00")
    ran = simulate(WEEKDAY_HOURS, monday, monday + timedelta(days=7))
    assert ran == list(slots_between(WEEKDAY_HOURS, monday, monday + timedelta(days=7)))
    assert len(ran) == 5 * 19


def test_downtime_collapses_into_one_catch_up_run() -> None:
    monday = at(TOKYO, "2026-06-01 00:00")
    down = (at(TOKYO, "2026-06-02 10:00"), at(TOKYO, "2026-06-04 13:17"))
    ran = simulate(WEEKDAY_HOURS, monday, monday + timedelta(days=7), down)
    every_slot = list(slots_between(WEEKDAY_HOURS, monday, monday + timedelta(days=7)))
    catch_up = at(TOKYO, "2026-06-04 13:00")
    missed = [slot for slot in every_slot if down[0] - timedelta(minutes=5) < slot < catch_up]
    assert missed, "the downtime should have skipped slots"
    assert ran == [slot for slot in every_slot if slot not in missed]
    assert ran.count(catch_up) == 1


# --- should_start -----------------------------------------------------------------------------

NOW = utc("2026-06-01 03:00")


@pytest.mark.parametrize(
    ("running_since", "max_runtime", "expected"),
    [
        pytest.param(None, timedelta(minutes=30), True, id="nothing-running"),
        pytest.param(NOW - timedelta(minutes=5), timedelta(minutes=30), False, id="still-running"),
        pytest.param(NOW - timedelta(minutes=30), timedelta(minutes=30), False, id="running-exactly-max"),
        pytest.param(NOW - timedelta(minutes=30, seconds=1), timedelta(minutes=30), True, id="overran-taken-dead"),
        pytest.param(NOW - timedelta(days=2), timedelta(hours=1), True, id="crashed-days-ago"),
        pytest.param(NOW + timedelta(minutes=1), timedelta(minutes=30), False, id="started-in-the-future"),
        pytest.param((NOW - timedelta(minutes=5)).astimezone(TOKYO), timedelta(minutes=30), False, id="other-zone"),
    ],
)
def test_should_start(running_since: datetime | None, max_runtime: timedelta, expected: bool) -> None:
    assert should_start(running_since, NOW, max_runtime) is expected


@pytest.mark.parametrize("max_runtime", [timedelta(0), timedelta(seconds=-1)], ids=["zero", "negative"])
def test_should_start_needs_a_positive_max_runtime(max_runtime: timedelta) -> None:
    with pytest.raises(ValueError, match="max_runtime"):
        should_start(None, NOW, max_runtime)


# --- naive datetimes --------------------------------------------------------------------------

NAIVE = datetime(2026, 6, 1, 9)
AWARE = at(TOKYO, "2026-06-01 09:00")


@pytest.mark.parametrize(
    ("call", "name"),
    [
        pytest.param(lambda: next_run(OFFICE_HOURS, NAIVE), "after", id="next-run"),
        pytest.param(lambda: slots_between(OFFICE_HOURS, NAIVE, AWARE), "after", id="slots-between-after"),
        pytest.param(lambda: slots_between(OFFICE_HOURS, AWARE, NAIVE), "until", id="slots-between-until"),
        pytest.param(lambda: due_runs(OFFICE_HOURS, NAIVE, AWARE), "last_run", id="due-runs-last-run"),
        pytest.param(lambda: due_runs(OFFICE_HOURS, AWARE, NAIVE), "now", id="due-runs-now"),
        pytest.param(lambda: due_runs(OFFICE_HOURS, None, NAIVE), "now", id="due-runs-never-run"),
        pytest.param(lambda: should_start(NAIVE, AWARE, timedelta(hours=1)), "running_since", id="running-since"),
        pytest.param(lambda: should_start(None, NAIVE, timedelta(hours=1)), "now", id="should-start-now"),
    ],
)
def test_naive_datetimes_are_rejected(call: Callable[[], object], name: str) -> None:
    with pytest.raises(ValueError, match=f"{name} must be timezone-aware"):
        call()


# --- properties -------------------------------------------------------------------------------

NO_DST_ZONES = ["Asia/Tokyo", "UTC", "Asia/Kolkata"]
ALL_ZONES = [*NO_DST_ZONES, "America/New_York", "Europe/London", "Australia/Lord_Howe"]

times = st.builds(time, hour=st.integers(0, 23), minute=st.integers(0, 59))
instants = st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC))


def schedules(zones: list[str], start: st.SearchStrategy[time] = times) -> st.SearchStrategy[Schedule]:
    return st.builds(
        Schedule,
        days=st.frozensets(st.integers(0, 6), min_size=1),
        start=start,
        end=times,
        interval_minutes=st.sampled_from(INTERVALS),
        delay_minutes=st.integers(0, 59),
        timezone=st.sampled_from(zones),
    )


# Every DST change in 2026 of the zones above, all on a Sunday, local time.
DST_CHANGES = [
    ("America/New_York", utc("2026-03-08 07:00")),  # 02:00 -> 03:00
    ("America/New_York", utc("2026-11-01 06:00")),  # 02:00 -> 01:00
    ("Europe/London", utc("2026-03-29 01:00")),  # 01:00 -> 02:00
    ("Europe/London", utc("2026-10-25 01:00")),  # 02:00 -> 01:00
    ("Australia/Lord_Howe", utc("2026-04-04 15:00")),  # 02:00 -> 01:30
    ("Australia/Lord_Howe", utc("2026-10-03 15:30")),  # 02:00 -> 02:30
]


@st.composite
def around_dst_changes(draw: st.DrawFn) -> tuple[Schedule, datetime]:
    """A schedule whose window meets a DST change on a Sunday, and an instant within a day of it."""
    timezone, change = draw(st.sampled_from(DST_CHANGES))
    before = (change - timedelta(minutes=draw(st.integers(0, 180)))).astimezone(ZoneInfo(timezone))
    schedule = draw(schedules([timezone], start=st.just(before.time().replace(second=0, microsecond=0))))
    schedule = replace(schedule, days=schedule.days | {SATURDAY, SUNDAY})
    return schedule, change + draw(st.timedeltas(timedelta(days=-1), timedelta(days=1)))


schedules_and_instants = st.one_of(st.tuples(schedules(ALL_ZONES), instants), around_dst_changes())


def is_nominal_slot(schedule: Schedule, wall: datetime) -> bool:
    """Whether local ``wall`` time is start + k × interval within a listed day's window."""
    for day in (wall.date(), wall.date() - timedelta(days=1)):
        offset = (wall - datetime.combine(day, schedule.start)) / timedelta(minutes=1)
        if (
            day.weekday() in schedule.days
            and 0 <= offset <= schedule.window_minutes
            and offset % schedule.interval_minutes == 0
        ):
            return True
    return False


@lru_cache(maxsize=len(DST_CHANGES))
def local_clock(timezone: str, start: datetime, end: datetime) -> tuple[list[datetime], list[datetime]]:
    """Every UTC minute from ``start`` to ``end``, and the latest local wall time shown up to each."""
    zone = ZoneInfo(timezone)
    minutes = [start + timedelta(minutes=m) for m in range(int((end - start) / timedelta(minutes=1)) + 1)]
    walls = accumulate((minute.astimezone(zone).replace(tzinfo=None) for minute in minutes), max)
    return minutes, list(walls)


def clock_oracle(schedule: Schedule, after: datetime, until: datetime) -> list[datetime]:
    """Slots in ``(after, until]`` by brute force: each runs at the first UTC minute at which the
    local clock shows its time or later (the first occurrence, or the jump over a skipped time).
    """
    minutes, latest_wall_so_far = local_clock(schedule.timezone, after - timedelta(days=2), until)
    found = set()
    day = minutes[0].astimezone(schedule.zone).date() - timedelta(days=1)
    while day <= until.astimezone(schedule.zone).date():
        if day.weekday() in schedule.days:
            for index in range(schedule.slots_per_day):
                wall = datetime.combine(day, schedule.start) + index * timedelta(minutes=schedule.interval_minutes)
                position = bisect_left(latest_wall_so_far, wall)
                if position < len(minutes):
                    found.add(minutes[position])
        day += timedelta(days=1)
    return sorted(slot for slot in found if after < slot <= until)


@settings(max_examples=50)
@given(around_dst_changes())
def test_slots_around_dst_changes_match_the_clock(case: tuple[Schedule, datetime]) -> None:
    schedule, moment = case
    change = min((change for _, change in DST_CHANGES), key=lambda change: abs(change - moment))
    after, until = change - timedelta(days=1), change + timedelta(days=1)
    assert list(slots_between(schedule, after, until)) == clock_oracle(schedule, after, until)


@given(schedules_and_instants)
def test_next_run_is_strictly_after(case: tuple[Schedule, datetime]) -> None:
    schedule, after = case
    assert next_run(schedule, after) > after


@given(schedules_and_instants)
def test_next_run_is_a_delayed_slot_inside_the_window_on_a_listed_day(
    case: tuple[Schedule, datetime],
) -> None:
    schedule, after = case
    slot = next_run(schedule, after) - timedelta(minutes=schedule.delay_minutes)
    zone = schedule.zone
    wall = slot.astimezone(zone).replace(tzinfo=None)
    if is_nominal_slot(schedule, wall):
        return
    # Otherwise the slot's local time was skipped by a DST jump and it runs at the jump.
    jump = slot.astimezone(zone).utcoffset() - (slot - timedelta(seconds=1)).astimezone(zone).utcoffset()  # type: ignore[operator]
    assert jump > timedelta(0), f"{wall} is not a slot of {schedule}"
    skipped = [wall - jump + timedelta(minutes=m) for m in range(int(jump / timedelta(minutes=1)))]
    assert any(is_nominal_slot(schedule, skipped_wall) for skipped_wall in skipped)


@given(schedules_and_instants, st.timedeltas(timedelta(0), timedelta(days=3)))
def test_next_run_is_monotone(case: tuple[Schedule, datetime], later_by: timedelta) -> None:
    schedule, earlier = case
    assert next_run(schedule, earlier) <= next_run(schedule, earlier + later_by)


@settings(max_examples=60)
@given(schedules(NO_DST_ZONES), instants)
def test_a_week_of_runs_has_days_times_slots_per_day(schedule: Schedule, start: datetime) -> None:
    runs = 0
    run = next_run(schedule, start)
    while run <= start + timedelta(weeks=1):
        runs += 1
        run = next_run(schedule, run)
    assert runs == len(schedule.days) * schedule.slots_per_day


@given(schedules_and_instants)
def test_stepping_next_run_meets_every_slot_between(case: tuple[Schedule, datetime]) -> None:
    schedule, start = case
    until = start + timedelta(days=2)
    delay = timedelta(minutes=schedule.delay_minutes)
    runs = []
    run = next_run(schedule, start)
    while run <= until:
        runs.append(run)
        run = next_run(schedule, run)
    assert runs == [slot + delay for slot in slots_between(schedule, start - delay, until - delay)]


@given(schedules_and_instants, st.timedeltas(timedelta(0), timedelta(days=10)))
def test_due_runs_covers_the_latest_run_time_since_the_last_run(
    case: tuple[Schedule, datetime], waited: timedelta
) -> None:
    schedule, last_run = case
    now = last_run + waited
    delay = timedelta(minutes=schedule.delay_minutes)
    decision = due_runs(schedule, last_run, now)
    assert decision.due is (next_run(schedule, last_run) <= now)
    assert decision.next_run == next_run(schedule, now) > now
    if decision.slot is not None:
        assert last_run < decision.slot + delay <= now
        assert next_run(schedule, decision.slot + delay) > now
    # Running it changes the answer: asking again at the same instant finds nothing due.
    assert not due_runs(schedule, now, now).due


def test_clocks_going_back_across_midnight_do_not_hide_a_slot() -> None:
    # Goose Bay went back from 00:01 Sunday to 23:01 Saturday until 2010; at 03:30 UTC the local
    # date is Saturday again, but Sunday's 00:00 slot (03:00 UTC, first occurrence) has passed.
    schedule = daily(time(0), "America/Goose_Bay", days=frozenset({SUNDAY}))
    now = utc("1990-10-28 03:30")
    assert now.astimezone(ZoneInfo("America/Goose_Bay")).strftime("%a %H:%M") == "Sat 23:30"
    decision = due_runs(schedule, utc("1990-10-27 00:00"), now)
    assert (decision.due, decision.slot) == (True, utc("1990-10-28 03:00"))
    assert decision.next_run == utc("1990-11-04 04:00")
