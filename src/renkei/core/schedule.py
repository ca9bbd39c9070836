"""When a file pull checks for new files: schedule rules as pure functions.

A schedule names weekdays, a window of local wall time (``start`` to ``end``, both inclusive),
an interval and a delay. Slots are ``start``, ``start + interval``, … up to ``end`` on each
listed day; a window whose ``end`` is before its ``start`` crosses midnight and belongs to the
day it starts. A check runs ``delay_minutes`` after its slot ("check 5 minutes late", so a system
that uploads on the hour has finished), even when that carries it into the next day.

Every instant taken or returned is timezone-aware; results are in UTC. Nothing here reads the
clock: the caller passes ``now``.

Daylight saving time, for zones that have it (the default, Asia/Tokyo, has none). In one rule:
a slot happens at the first instant at which the local clock shows its time or later. So:

* A slot whose local time does not exist (the clocks skip past it in spring) runs at the moment
  the clocks jump, the first instant after the gap: a daily 02:30 check in New York runs at
  03:00 EDT on the day the clocks go forward, so no day loses its check. Several slots inside
  one gap collapse into that single run.
* A slot whose local time happens twice (the clocks go back in autumn) runs once, at its first
  occurrence (``fold=0``). Slots that fall only in the repeated hour are not repeated.
* The delay is elapsed time after the slot's instant, not wall-clock arithmetic.

``delay_minutes`` is 0 to 59 whatever the interval; a delay longer than the interval is allowed
(slots still run in order, each that long after its own slot).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from itertools import takewhile
from typing import Final, Literal, TypeGuard, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

Interval = Literal[5, 10, 15, 30, 60, 120]

INTERVALS: Final[tuple[int, ...]] = get_args(Interval)
MAX_DELAY_MINUTES: Final = 59
DEFAULT_TIMEZONE: Final = "Asia/Tokyo"

_DAY: Final = timedelta(days=1)
_MINUTES_PER_DAY: Final = 24 * 60


class ScheduleError(ValueError):
    """A schedule's settings are invalid; ``problems`` lists each one, naming its field."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("invalid schedule: " + "; ".join(self.problems))


@dataclass(frozen=True)
class Schedule:
    """When a pull checks: weekdays (0 = Monday … 6 = Sunday), a local window, interval, delay."""

    days: frozenset[int]
    start: time
    end: time
    interval_minutes: Interval
    delay_minutes: int = 0
    timezone: str = DEFAULT_TIMEZONE

    def __post_init__(self) -> None:
        problems = [
            *_day_problems(self.days),
            *_time_problems("start", self.start),
            *_time_problems("end", self.end),
            *_interval_problems(self.interval_minutes),
            *_delay_problems(self.delay_minutes),
            *_timezone_problems(self.timezone),
        ]
        if problems:
            raise ScheduleError(problems)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def window_minutes(self) -> int:
        """Length of the daily window; 0 when ``start == end``."""
        return (_minute_of_day(self.end) - _minute_of_day(self.start)) % _MINUTES_PER_DAY

    @property
    def slots_per_day(self) -> int:
        """Slots in each listed day's window (before daylight-saving adjustments)."""
        return self.window_minutes // self.interval_minutes + 1


@dataclass(frozen=True)
class DueDecision:
    """What the scheduler should do now.

    ``slot`` is the nominal slot (UTC, before the delay) that a due check covers: the latest one
    whose run time has come, so any slots missed during downtime collapse into this one check.
    ``next_run`` is the first run time after ``now`` (and after the last run): when to look again.
    """

    due: bool
    slot: datetime | None
    next_run: datetime


def slots_between(schedule: Schedule, after: datetime, until: datetime) -> Iterator[datetime]:
    """Nominal slots (UTC, before the delay) in ``(after, until]``, ascending."""
    after_utc = _as_utc(after, "after")
    until_utc = _as_utc(until, "until")
    return takewhile(lambda slot: slot <= until_utc, _slots_after(schedule, after_utc))


def next_run(schedule: Schedule, after: datetime) -> datetime:
    """The first run time (slot + delay, in UTC) strictly after ``after``."""
    delay = timedelta(minutes=schedule.delay_minutes)
    return next(_slots_after(schedule, _as_utc(after, "after") - delay)) + delay


def due_runs(schedule: Schedule, last_run: datetime | None, now: datetime) -> DueDecision:
    """Decide whether a check is due at ``now``.

    ``last_run`` is when the previous check started (a run time, not its nominal slot), or None
    if the pull has never run, in which case the latest slot is due at once. A check is due when
    some run time falls in ``(last_run, now]``; however many do, it is one check, covering the
    latest. A caller that wants a newly enabled pull to wait for its first slot passes the time
    it was enabled as ``last_run``.
    """
    now_utc = _as_utc(now, "now")
    last_utc = None if last_run is None else _as_utc(last_run, "last_run")
    delay = timedelta(minutes=schedule.delay_minutes)
    slot = _latest_slot_at_or_before(schedule, now_utc - delay)
    due = last_utc is None or slot + delay > last_utc
    horizon = now_utc if last_utc is None else max(now_utc, last_utc)
    return DueDecision(due=due, slot=slot if due else None, next_run=next_run(schedule, horizon))


def should_start(running_since: datetime | None, now: datetime, max_runtime: timedelta) -> bool:
    """Whether a check may start, given when the one before it started if it is still running.

    A check still running is not started twice. One that has been running for longer than
    ``max_runtime`` is taken for dead (its worker crashed), so a new one may start.
    """
    if max_runtime <= timedelta(0):
        raise ValueError(f"max_runtime must be positive, got {max_runtime}")
    now_utc = _as_utc(now, "now")
    if running_since is None:
        return True
    return now_utc - _as_utc(running_since, "running_since") > max_runtime


# --- slots ------------------------------------------------------------------------------------


def _slots_after(schedule: Schedule, moment: datetime) -> Iterator[datetime]:
    """All slots strictly after ``moment`` (UTC), ascending and without repeats; never ends."""
    # A window that started yesterday may still have slots to come; one more day to spare for
    # clocks that jump (a slot moved to the end of a gap lands later than its wall time).
    day = moment.astimezone(schedule.zone).date() - 2 * _DAY
    last = moment
    while True:
        slots = _window_slots(schedule, day)
        for slot in slots[bisect_right(slots, last) :]:
            yield slot
            last = slot
        day += _DAY


def _latest_slot_at_or_before(schedule: Schedule, moment: datetime) -> datetime:
    """The latest slot at or before ``moment`` (UTC)."""
    # Later days' slots are never earlier, so the first day, going back, with a slot at or
    # before ``moment`` holds the latest one. Start a day ahead: where clocks went back across
    # midnight (Goose Bay until 2010), the local date can fall back after a day's first slot.
    day = moment.astimezone(schedule.zone).date() + _DAY
    while True:
        slots = _window_slots(schedule, day)
        index = bisect_right(slots, moment)
        if index:
            return slots[index - 1]
        day -= _DAY


@lru_cache(maxsize=4096)
def _window_slots(schedule: Schedule, day: date) -> tuple[datetime, ...]:
    """The UTC slots of the window that starts on local ``day``; empty if the day is not listed."""
    if day.weekday() not in schedule.days:
        return ()
    zone = schedule.zone
    first = datetime.combine(day, schedule.start)
    step = timedelta(minutes=schedule.interval_minutes)
    slots: list[datetime] = []
    for index in range(schedule.slots_per_day):
        instant = _local_to_utc(first + index * step, zone)
        if not slots or instant > slots[-1]:  # slots inside one DST gap collapse into one
            slots.append(instant)
    return tuple(slots)


def _local_to_utc(wall: datetime, zone: ZoneInfo) -> datetime:
    """The instant of naive local ``wall`` time: its first occurrence, or the end of its gap."""
    instant = wall.replace(tzinfo=zone).astimezone(UTC)  # fold=0: the first of two occurrences
    if instant.astimezone(zone).replace(tzinfo=None) == wall:
        return instant
    # ``wall`` is skipped. fold=0 used the offset from before the jump and landed after it;
    # fold=1 uses the offset from after and lands before it. Bisect for the jump itself.
    before = int(wall.replace(tzinfo=zone, fold=1).astimezone(UTC).timestamp())
    after = int(instant.timestamp())
    while after - before > 1:
        middle = (before + after) // 2
        if datetime.fromtimestamp(middle, zone).replace(tzinfo=None) > wall:
            after = middle
        else:
            before = middle
    return datetime.fromtimestamp(after, UTC)


# --- validation -------------------------------------------------------------------------------


def _as_utc(moment: datetime, name: str) -> datetime:
    if not isinstance(moment, datetime):
        raise TypeError(f"{name} must be a datetime, got {type(moment).__name__}")
    if moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {moment.isoformat()}")
    return moment.astimezone(UTC)


def _minute_of_day(moment: time) -> int:
    return moment.hour * 60 + moment.minute


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _day_problems(days: object) -> list[str]:
    if not isinstance(days, frozenset):
        return [f"days must be a frozenset of weekday numbers, got {type(days).__name__}"]
    if not days:
        return ["days must name at least one weekday"]
    wrong = sorted(repr(day) for day in days if not (_is_int(day) and 0 <= day <= 6))
    if wrong:
        return [f"days must be weekday numbers 0 (Monday) to 6 (Sunday), got {', '.join(wrong)}"]
    return []


def _time_problems(name: str, value: object) -> list[str]:
    if not isinstance(value, time):
        return [f"{name} must be a time of day, got {type(value).__name__}"]
    if value.tzinfo is not None:
        return [f"{name} must be a local wall time without a time zone, got {value.isoformat()}"]
    if value.second or value.microsecond:
        return [f"{name} must be a whole minute, got {value.isoformat()}"]
    return []


def _interval_problems(value: object) -> list[str]:
    if not (_is_int(value) and value in INTERVALS):
        allowed = ", ".join(str(minutes) for minutes in INTERVALS)
        return [f"interval_minutes must be one of {allowed}, got {value!r}"]
    return []


def _delay_problems(value: object) -> list[str]:
    if not (_is_int(value) and 0 <= value <= MAX_DELAY_MINUTES):
        return [f"delay_minutes must be a whole number from 0 to {MAX_DELAY_MINUTES}, got {value!r}"]
    return []


def _timezone_problems(value: object) -> list[str]:
    if not isinstance(value, str) or not value:
        return [f"timezone must be an IANA time zone name such as {DEFAULT_TIMEZONE}, got {value!r}"]
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return [f"timezone must be an IANA time zone name such as {DEFAULT_TIMEZONE}, got {value!r}"]
    return []
