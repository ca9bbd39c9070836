"""Running pull checks on their schedules: a thread that looks every few seconds, a small pool that checks.

Every ``interval`` seconds the scheduler reads the pull integrations (``sftp-pull``, ``ftp-pull``)
of every workspace that are active or failing, and asks ``core.schedule.due_runs`` whether a check
is due, in the workspace's time zone, since the integration's last check started (or since it
was created: a new pull waits for its first slot; ``renkei run`` checks at once). Due checks run
on a small thread pool. The overrun guard in ``pipeline.pull`` keeps two checks of one
integration from running at once, across processes too; a stopped integration is never checked.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy import select

from renkei.channels.worker import WorkspaceHubs
from renkei.core.schedule import DEFAULT_TIMEZONE, ScheduleError, due_runs
from renkei.errors import RenkeiError
from renkei.pipeline.hub import Hub, as_utc, utcnow
from renkei.pipeline.integrations import get_integration
from renkei.pipeline.pull import last_started, run_check
from renkei.sources.pull_kind import PULL_KINDS, stored_schedule
from renkei.store.schema import integrations, workspaces

log = logging.getLogger(__name__)

INTERVAL = 5.0
WORKERS = 2


class Scheduler:
    """Starts due pull checks; ``start`` and ``stop`` like the outbox sender."""

    def __init__(
        self,
        hub: Hub,
        *,
        interval: float = INTERVAL,
        workers: int = WORKERS,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._hubs = WorkspaceHubs(hub)
        self._interval = interval
        self._workers = workers
        self._clock = clock
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._running: dict[int, Future[None]] = {}
        #: The slot each integration was last started for here: one check per slot, whatever the clocks say.
        self._started_slot: dict[int, datetime] = {}
        self._pool: ThreadPoolExecutor | None = None
        self._thread = threading.Thread(target=self._run, name="renkei-scheduler", daemon=True)

    def start(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=self._workers, thread_name_prefix="renkei-check")
        self._thread.start()

    def stop(self, timeout: float = 60.0) -> None:
        """Stop looking; checks in hand stop after the file they are fetching."""
        self._stopping.set()
        if self._thread.is_alive():
            self._thread.join(timeout)
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)

    def wait_idle(self, timeout: float | None = None) -> None:
        """Wait until the checks started so far have ended (for tests and orderly shutdowns)."""
        with self._lock:
            pending = list(self._running.values())
        for future in pending:
            future.exception(timeout)

    def tick(self, now: datetime | None = None) -> list[int]:
        """One look: start every due check; the ids of the integrations started."""
        now = now or self._clock()
        started: list[int] = []
        for workspace_id, integration_id, slot in self._due(now):
            with self._lock:
                busy = integration_id in self._running
                if busy or self._started_slot.get(integration_id) == slot or self._pool is None:
                    continue
                self._started_slot[integration_id] = slot
                future = self._pool.submit(self._check, workspace_id, integration_id)
                self._running[integration_id] = future
            future.add_done_callback(functools.partial(self._done, integration_id))
            started.append(integration_id)
        return started

    def _done(self, integration_id: int, _future: object = None) -> None:
        with self._lock:
            self._running.pop(integration_id, None)

    def _due(self, now: datetime) -> list[tuple[int, int, datetime]]:
        """(workspace id, integration id, slot) of every pull whose check is due at ``now``."""
        base = self._hubs.base
        due: list[tuple[int, int, datetime]] = []
        with base.engine.connect() as conn:
            rows = conn.execute(
                select(
                    integrations.c.id,
                    integrations.c.workspace_id,
                    integrations.c.name,
                    integrations.c.settings,
                    integrations.c.created_at,
                    workspaces.c.timezone,
                )
                .join(workspaces, workspaces.c.id == integrations.c.workspace_id)
                .where(integrations.c.kind.in_(PULL_KINDS), integrations.c.status.in_(("active", "failing")))
                .order_by(integrations.c.id)
            ).all()
            for row in rows:
                try:
                    schedule = stored_schedule(row.settings or {}, row.timezone or DEFAULT_TIMEZONE)
                except (ScheduleError, ValueError, TypeError) as error:
                    log.warning("integration %r (id %s) is not scheduled: %s", row.name, row.id, error)
                    continue
                last = last_started(conn, int(row.id)) or as_utc(row.created_at)
                decision = due_runs(schedule, last, now)
                if decision.due and decision.slot is not None:
                    due.append((int(row.workspace_id), int(row.id), decision.slot))
        return due

    def _check(self, workspace_id: int, integration_id: int) -> None:
        try:
            hub = self._hubs.get(workspace_id)
            integration = get_integration(hub, integration_id)
            if integration.spec.status == "stopped":
                return
            result = run_check(hub, integration, "schedule", stop=self._stopping)
            level = logging.WARNING if result.state == "failed" else logging.INFO
            log.log(level, "check of %r: %s: %s", integration.name, result.state, result.message)
        except RenkeiError as error:
            log.warning("check of integration %s not run: %s", integration_id, error)
        except Exception:
            log.exception("check of integration %s crashed", integration_id)

    def _run(self) -> None:
        while not self._stopping.wait(self._interval):
            try:
                self.tick()
            except Exception:
                log.exception("the scheduler's look crashed; trying again in %s s", self._interval)


def make_scheduler(hub: Hub, interval: float = INTERVAL) -> Scheduler:
    """The scheduler of every workspace in ``hub``'s store (start it, stop it at shutdown)."""
    return Scheduler(hub, interval=interval)


@contextmanager
def running_scheduler(hub: Hub) -> Iterator[Scheduler]:
    """The scheduler running for the duration of the block."""
    scheduler = make_scheduler(hub)
    scheduler.start()
    try:
        yield scheduler
    finally:
        scheduler.stop()
