"""The scheduler starts a pull's check when its schedule says so, once per slot, never for a stopped pull.

The clock is injected: ``tick(now)`` is one look at a chosen instant; the integration's creation
time is set, so which slots lie between it and ``now`` is known exactly.
"""

from __future__ import annotations

from datetime import UTC, datetime

from renkei.channels.scheduler import Scheduler, make_scheduler
from renkei.pipeline import integrations as integration_service
from renkei.pipeline.deliveries import list_deliveries
from renkei.pipeline.pull import list_checks
from renkei.store.schema import integrations, workspaces
from tests.helpers import eventually
from tests.integration.test_pull import CSV, add_pull
from tests.integration.test_pull import partner as partner  # the fixture

HOUR = 3600.0  # the thread's own looks stay out of the way of the ticks a test makes

CREATED = datetime(2026, 1, 5, 0, 0, tzinfo=UTC)  # Monday 09:00 in Tokyo


def scheduled(hub, partner, name="scheduled", **settings):
    """A pull checking on weekdays 10:00-18:00 Tokyo time, hourly, 5 minutes late; created at CREATED."""
    schedule = {"days": ["mon", "tue", "wed", "thu", "fri"], "start": "10:00", "end": "18:00",
                "interval_minutes": 60, "delay_minutes": 5}  # fmt: skip
    added = add_pull(hub, partner, name=name, **{**schedule, **settings})
    with hub.engine.begin() as conn:
        conn.execute(integrations.update().where(integrations.c.id == added.id).values(created_at=CREATED))
    return added


def at(hour: int, minute: int, day: int = 5) -> datetime:
    """An instant on January ``day`` 2026, given in UTC."""
    return datetime(2026, 1, day, hour, minute, tzinfo=UTC)


def test_a_due_check_runs_once_per_slot_and_lands_the_file(hub, partner):
    added = scheduled(hub, partner)
    (partner.folder / "members.csv").write_bytes(CSV)
    scheduler = Scheduler(hub, workers=1, interval=HOUR)
    scheduler.start()
    try:
        assert scheduler.tick(at(1, 4)) == []  # 10:04 in Tokyo: the 10:00 slot runs at 10:05
        assert scheduler.tick(at(1, 5)) == [added.id]
        scheduler.wait_idle(120)
        assert scheduler.tick(at(1, 30)) == []  # the same slot is not checked twice
    finally:
        scheduler.stop()
    [check] = list_checks(hub)
    assert (check["trigger"], check["state"], check["landed"]) == ("schedule", "ok", 1)
    assert [d.state for d in list_deliveries(hub)] == ["processed"]


def test_nothing_runs_before_the_first_slot_or_when_stopped(hub, partner):
    scheduled(hub, partner)
    scheduler = Scheduler(hub, interval=HOUR)
    scheduler.start()
    try:
        assert scheduler.tick(at(0, 59)) == []  # 09:59 Tokyo, before the window
        integration_service.set_status(hub, "scheduled", "stopped")
        assert scheduler.tick(at(5, 5)) == []
    finally:
        scheduler.stop()
    assert list_checks(hub) == []


def test_the_workspace_time_zone_decides_the_slots(hub, partner):
    added = scheduled(hub, partner)
    with hub.engine.begin() as conn:
        conn.execute(workspaces.update().where(workspaces.c.id == hub.workspace_id).values(timezone="UTC"))
    scheduler = Scheduler(hub, interval=HOUR)
    scheduler.start()
    try:
        assert scheduler.tick(at(1, 5)) == []  # 10:05 in Tokyo is 01:05 UTC: before a UTC window
        assert scheduler.tick(at(10, 5)) == [added.id]
        scheduler.wait_idle(120)
    finally:
        scheduler.stop()
    assert [c["state"] for c in list_checks(hub)] == ["ok"]


def test_the_scheduler_thread_looks_by_itself(hub, partner):
    scheduled(hub, partner)
    (partner.folder / "members.csv").write_bytes(CSV)
    scheduler = Scheduler(hub, interval=0.05, clock=lambda: at(2, 10))
    scheduler.start()
    try:
        eventually(lambda: [c["state"] for c in list_checks(hub)] == ["ok"], "the scheduled check ran")
    finally:
        scheduler.stop()
    assert [d.file_name for d in list_deliveries(hub)] == ["members.csv"]
    assert isinstance(make_scheduler(hub), Scheduler)
