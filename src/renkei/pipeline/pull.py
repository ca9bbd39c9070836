"""Checks of pull integrations (``sftp-pull``, ``ftp-pull``): fetch new remote files and import them.

One check lists the remote folder, picks the files that are new (``remote_items`` remembers each
path, size and time already landed), complete (unchanged across two looks ``stable_seconds``
apart) and not the same content as an earlier delivery, and for each: fetches it to a temporary
file, lands it (archive, then the delivery and its ``remote_items`` row in one transaction),
processes it, then keeps, moves or deletes the remote file. A crash anywhere leaves a state the
next check completes without fetching or applying anything twice: a landed row only has its
remote step finished. Each check is a row in ``checks``; a check whose heartbeat is recent
blocks another of the same integration, one whose heartbeat stopped is marked abandoned.
"""

from __future__ import annotations

import logging
import os
import posixpath
import re
import socket
import tempfile
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, desc, func, select

from renkei import failpoints
from renkei.core.pull_rules import RemoteFile, Sighting, is_stable, same_version, selection
from renkei.errors import ConfigurationError, FatalError, RenkeiError
from renkei.pipeline import notify
from renkei.pipeline.apply import Counts
from renkei.pipeline.deliveries import process_delivery, record_landing
from renkei.pipeline.hub import Hub, as_utc, utcnow
from renkei.pipeline.integrations import Integration
from renkei.sources.pull_kind import PULL_KINDS, PullSettings
from renkei.sources.remote import RemoteFolder, open_folder
from renkei.store.schema import checks, deliveries, integrations, remote_items

log = logging.getLogger(__name__)

#: How often a running check says it is alive, and after how long without a sign it counts as dead.
HEARTBEAT_SECONDS = 15.0
STALE_AFTER = timedelta(minutes=2)
ACTIVE_DELIVERY = ("received", "processed", "not-a-lead")
_CHUNK = 500


@dataclass(slots=True)
class FileOutcome:
    """What became of one fetched file."""

    name: str
    delivery_id: int
    state: str
    reason: str | None = None
    counts: Counts = field(default_factory=Counts)
    #: The earlier delivery with the same content, when this file was not landed again.
    same_as: int | None = None


@dataclass(slots=True)
class CheckResult:
    """What one check did. ``state`` is ok, failed, or busy (another check was running)."""

    check_id: int | None
    state: str = "running"
    found: int = 0
    landed: int = 0
    files: list[FileOutcome] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    waiting: list[str] = field(default_factory=list)
    finished: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def message(self) -> str:
        parts = [f"{self.found} new file(s) found, {self.landed} landed"]
        if self.waiting:
            parts.append("not complete yet (next check): " + ", ".join(self.waiting))
        if self.skipped:
            parts.append("skipped: " + "; ".join(f"{name}: {why}" for name, why in self.skipped))
        parts.extend(self.problems)
        return "\n".join(parts)


def remote_key(settings: PullSettings, name: str) -> str:
    """What ``remote_items`` knows a file by: its folder and name."""
    return name if settings.folder in (".", "./") else posixpath.join(settings.folder, name)


def run_check(
    hub: Hub, integration: Integration, trigger: str = "manual", *, stop: threading.Event | None = None
) -> CheckResult:
    """Check a pull integration's remote folder now: land, process and tidy up every new complete file."""
    if integration.spec.kind not in PULL_KINDS:
        raise ConfigurationError(
            f"integration {integration.name!r} is {integration.spec.kind}, not a pull ({', '.join(PULL_KINDS)})"
        )
    check_id, busy = _start(hub, integration, trigger)
    if check_id is None:
        return CheckResult(None, "busy", problems=[busy or "another check is running"])
    result = CheckResult(check_id)
    beat = _Heartbeat(hub.engine, check_id)
    beat.start()
    try:
        with open_folder(integration.settings) as remote:
            _check(hub, integration, remote, result, stop or threading.Event())
    except RenkeiError as error:
        result.problems.append(str(error))
    except Exception as error:  # a bug or a broken store: recorded on the check, logged in full
        log.exception("check %s of %r crashed", check_id, integration.name)
        result.problems.append(f"the check crashed: {type(error).__name__}: {error}")
    finally:
        beat.stop()
    result.state = "failed" if result.problems else "ok"
    with hub.engine.begin() as conn:
        conn.execute(
            checks.update()
            .where(checks.c.id == check_id)
            .values(
                state=result.state,
                finished_at=utcnow(),
                heartbeat_at=utcnow(),
                found=result.found,
                landed=result.landed,
                message=result.message,
            )
        )
        notify.on_check(conn, hub, integration, result.state == "failed", result.message)
    return result


def _check(
    hub: Hub, integration: Integration, remote: RemoteFolder, result: CheckResult, stop: threading.Event
) -> None:
    settings: PullSettings = integration.settings
    listing = remote.listing()
    by_key = {remote_key(settings, entry.name): entry for entry in listing}
    taken: list[RemoteFile] = []
    for entry in listing:
        take, why = selection(entry, settings.pattern, settings.file_names)
        if why is not None:
            result.skipped.append((entry.name, why))
        if take:
            taken.append(entry)
    rows = _rows(hub.engine, integration.id, by_key)
    # A file landed by a check that died before its remote step: finish that step only.
    for row in [r for r in rows if r.state == "landed"]:
        _finish_landed(hub, integration, remote, row, by_key.get(row.key), result)
    done = [r for r in rows if r.state in ("landed", "done")]
    new = [e for e in taken if not any(r.key == remote_key(settings, e.name) and _same(e, r) for r in done)]
    result.found = len(new)
    sightings = {r.key: Sighting(r.size, r.mtime, as_utc(r.seen_at)) for r in rows if r.state == "seen"}
    now = utcnow()
    ready = [e for e in new if is_stable(e, sightings.get(remote_key(settings, e.name)), now, settings.stable_seconds)]
    growing = [e for e in new if e not in ready]
    _record_sightings(hub.engine, integration.id, settings, growing, sightings, now)
    _forget_gone(hub.engine, integration.id, set(by_key))
    if growing and not stop.wait(settings.stable_seconds):
        again = {entry.name: entry for entry in remote.listing()}
        for entry in growing:
            later = again.get(entry.name)
            if later is not None and later.kind == "file" and same_version(later, entry.size, entry.mtime):
                ready.append(later)
            else:
                result.waiting.append(entry.name)
                if later is not None:
                    _record_sightings(hub.engine, integration.id, settings, [later], {}, utcnow())
    oldest_first = datetime.min.replace(tzinfo=UTC)
    for entry in sorted(ready, key=lambda e: (e.mtime or oldest_first, e.name)):
        if stop.is_set():
            result.problems.append("stopped before every file was fetched; the rest come with the next check")
            return
        try:
            _pull_one(hub, integration, remote, entry, result)
        except RenkeiError as error:
            result.problems.append(f"{entry.name}: {error}")


def _pull_one(hub: Hub, integration: Integration, remote: RemoteFolder, entry: RemoteFile, result: CheckResult) -> None:
    settings: PullSettings = integration.settings
    key = remote_key(settings, entry.name)
    spool = hub.archive.root.parent / "pull-tmp"
    spool.mkdir(parents=True, exist_ok=True, mode=0o700)
    with tempfile.TemporaryDirectory(dir=spool) as folder:
        path = Path(folder) / "payload"
        size = remote.fetch(entry.name, path)
        if entry.size is not None and size != entry.size:
            # Changed between the listing and the download: not complete; the next check looks again.
            result.waiting.append(f"{entry.name} (changed while it was fetched)")
            return
        stored = hub.archive.put_file(path)
    with hub.engine.begin() as conn:
        earlier = conn.execute(
            select(deliveries.c.id, deliveries.c.state)
            .where(
                deliveries.c.integration_id == integration.id,
                deliveries.c.sha256 == stored.sha256,
                deliveries.c.state.in_(ACTIVE_DELIVERY),
            )
            .order_by(deliveries.c.id)
            .limit(1)
        ).first()
        if earlier is not None:
            delivery_id, state = int(earlier.id), str(earlier.state)
        else:
            delivery, _ = record_landing(
                conn,
                hub,
                integration,
                stored,
                file_name=entry.name,
                channel=integration.spec.kind,
                meta={"remote_path": key, "check_id": result.check_id},
            )
            delivery_id, state = delivery.id, delivery.state
            result.landed += 1
        _save_row(conn, integration.id, key, entry, "landed", sha256=stored.sha256, delivery_id=delivery_id)
    failpoints.hit("pull.landed")
    outcome = FileOutcome(entry.name, delivery_id, state, same_as=delivery_id if earlier is not None else None)
    if earlier is not None:
        outcome.reason = f"the same content as delivery {delivery_id}: not landed again"
    if state == "received":
        _process(hub, delivery_id, outcome)
    result.files.append(outcome)
    failpoints.hit("pull.processed")
    _tidy(remote, settings, entry.name)
    failpoints.hit("pull.tidied")
    _mark_done(hub.engine, integration.id, key, delivery_id)


def _process(hub: Hub, delivery_id: int, outcome: FileOutcome) -> None:
    try:
        processed = process_delivery(hub, delivery_id)
    except FatalError as error:  # processed meanwhile by someone else (a resume at start)
        outcome.reason = str(error)
        return
    outcome.state, outcome.reason, outcome.counts = processed.state, processed.reason, processed.counts


def _finish_landed(
    hub: Hub, integration: Integration, remote: RemoteFolder, row: Any, entry: RemoteFile | None, result: CheckResult
) -> None:
    name = row.key.rsplit("/", 1)[-1]
    try:
        if row.delivery_id is not None:
            with hub.engine.connect() as conn:
                state = conn.execute(select(deliveries.c.state).where(deliveries.c.id == row.delivery_id)).scalar()
            if state == "received":
                outcome = FileOutcome(name, int(row.delivery_id), "received")
                _process(hub, int(row.delivery_id), outcome)
                result.files.append(outcome)
        # Only the very version that was landed is moved or deleted; a newer one is a new file.
        if entry is not None and entry.kind == "file" and _same(entry, row):
            _tidy(remote, integration.settings, entry.name)
    except RenkeiError as error:
        result.problems.append(f"{name}: {error}")
        return
    _mark_done(hub.engine, integration.id, row.key, row.delivery_id)
    result.finished.append(name)


def _tidy(remote: RemoteFolder, settings: PullSettings, name: str) -> None:
    """What happens to a remote file once it is landed: kept, moved or deleted."""
    if settings.after_landing == "move":
        assert settings.move_to
        remote.move(name, settings.move_to)
    elif settings.after_landing == "delete":
        remote.delete(name)


# --- remote_items -------------------------------------------------------------------------------


def _rows(engine: Engine, integration_id: int, listed: Iterable[str]) -> list[Any]:
    """The integration's unfinished rows, and the finished ones for the paths listed now."""
    keys = list(listed)
    with engine.connect() as conn:
        rows = list(
            conn.execute(
                select(remote_items).where(
                    remote_items.c.integration_id == integration_id, remote_items.c.state.in_(("seen", "landed"))
                )
            )
        )
        for start in range(0, len(keys), _CHUNK):
            rows.extend(
                conn.execute(
                    select(remote_items).where(
                        remote_items.c.integration_id == integration_id,
                        remote_items.c.state == "done",
                        remote_items.c.key.in_(keys[start : start + _CHUNK]),
                    )
                )
            )
    return rows


def _same(entry: RemoteFile, row: Any) -> bool:
    return same_version(entry, row.size, as_utc(row.mtime) if row.mtime is not None else None)


def _record_sightings(
    engine: Engine,
    integration_id: int,
    settings: PullSettings,
    entries: list[RemoteFile],
    known: dict[str, Sighting],
    now: datetime,
) -> None:
    """Remember the size and time each growing file has now (its clock restarts when they change)."""
    with engine.begin() as conn:
        for entry in entries:
            key = remote_key(settings, entry.name)
            seen = known.get(key)
            if seen is not None and same_version(entry, seen.size, seen.mtime):
                continue
            _save_row(conn, integration_id, key, entry, "seen", seen_at=now)


def _save_row(conn: Connection, integration_id: int, key: str, entry: RemoteFile, state: str, **values: Any) -> None:
    """Write the key's unfinished row (seen or landed), creating it if there is none."""
    values = {"size": entry.size, "mtime": entry.mtime, "state": state, **values}
    existing = conn.execute(
        select(remote_items.c.id).where(
            remote_items.c.integration_id == integration_id,
            remote_items.c.key == key,
            remote_items.c.state.in_(("seen", "landed")),
        )
    ).first()
    if existing is not None:
        conn.execute(remote_items.update().where(remote_items.c.id == existing.id).values(**values))
        return
    values.setdefault("seen_at", utcnow())
    conn.execute(remote_items.insert().values(integration_id=integration_id, key=key, **values))


def _mark_done(engine: Engine, integration_id: int, key: str, delivery_id: int | None) -> None:
    same_delivery = (
        remote_items.c.delivery_id.is_(None) if delivery_id is None else remote_items.c.delivery_id == delivery_id
    )
    with engine.begin() as conn:
        conn.execute(
            remote_items.update()
            .where(
                remote_items.c.integration_id == integration_id,
                remote_items.c.key == key,
                remote_items.c.state == "landed",
                same_delivery,
            )
            .values(state="done", done_at=utcnow())
        )


def _forget_gone(engine: Engine, integration_id: int, listed: set[str]) -> None:
    """Drop the sightings of files no longer in the folder (never landed: nothing to remember)."""
    with engine.begin() as conn:
        seen = conn.execute(
            select(remote_items.c.id, remote_items.c.key).where(
                remote_items.c.integration_id == integration_id, remote_items.c.state == "seen"
            )
        ).all()
        gone = [row.id for row in seen if row.key not in listed]
        for start in range(0, len(gone), _CHUNK):
            conn.execute(remote_items.delete().where(remote_items.c.id.in_(gone[start : start + _CHUNK])))


# --- checks: the overrun guard and the history ----------------------------------------------------


#: Who runs a check, in its message while it runs: a check of a process that died on this host is
#: taken over at once instead of after STALE_AFTER.
_RUNNER_PATTERN = re.compile(r"^running: pid (\d+) on (.+)$")


def _died_here(message: str | None) -> bool:
    """Whether a running check's message names a process on this host that no longer exists."""
    match = _RUNNER_PATTERN.match(message or "")
    if match is None or match.group(2) != socket.gethostname():
        return False
    pid = int(match.group(1))
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False
    return False


def _start(hub: Hub, integration: Integration, trigger: str) -> tuple[int | None, str | None]:
    """Record a running check: (its id, None), or (None, why not) when one is running already."""
    now = utcnow()
    with hub.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            # Serialises starts of the same integration (SQLite transactions here are all serial);
            # FOR NO KEY UPDATE lets deliveries land for it meanwhile.
            conn.execute(
                select(integrations.c.id).where(integrations.c.id == integration.id).with_for_update(key_share=True)
            )
        running = conn.execute(
            select(checks).where(checks.c.integration_id == integration.id, checks.c.state == "running")
        ).all()
        for row in running:
            beat = as_utc(row.heartbeat_at)
            gone = _died_here(row.message)
            if now - beat <= STALE_AFTER and not gone:
                started = as_utc(row.started_at).isoformat(timespec="seconds")
                return None, f"a check of {integration.name!r} is already running (check {row.id}, since {started})"
            conn.execute(
                checks.update()
                .where(checks.c.id == row.id)
                .values(
                    state="abandoned",
                    finished_at=now,
                    message="the process running it is gone"
                    if gone
                    else f"no sign of life since {beat.isoformat(timespec='seconds')}: the process running it stopped",
                )
            )
        new_id = conn.execute(
            checks.insert()
            .values(
                workspace_id=hub.workspace_id,
                integration_id=integration.id,
                trigger=trigger,
                state="running",
                started_at=now,
                heartbeat_at=now,
                message=f"running: pid {os.getpid()} on {socket.gethostname()}",
            )
            .returning(checks.c.id)
        ).scalar_one()
    return int(new_id), None


class _Heartbeat:
    """Touches a running check's ``heartbeat_at`` every few seconds until stopped."""

    def __init__(self, engine: Engine, check_id: int, every: float = HEARTBEAT_SECONDS) -> None:
        self._engine, self._check_id, self._every = engine, check_id, every
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"renkei-check-{check_id}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join(60)

    def _run(self) -> None:
        while not self._stopping.wait(self._every):
            try:
                with self._engine.begin() as conn:
                    conn.execute(checks.update().where(checks.c.id == self._check_id).values(heartbeat_at=utcnow()))
            except Exception:
                log.warning("check %s: the heartbeat could not be written", self._check_id, exc_info=True)


def last_started(conn: Connection, integration_id: int) -> datetime | None:
    """When the integration's latest check started (any trigger, any outcome), or None."""
    query = select(func.max(checks.c.started_at)).where(checks.c.integration_id == integration_id)
    found = conn.execute(query).scalar()
    return as_utc(found) if found is not None else None


def list_checks(hub: Hub, integration: Integration | None = None, limit: int = 50) -> list[dict[str, Any]]:
    """The workspace's newest checks first (optionally of one integration)."""
    query = select(checks).where(checks.c.workspace_id == hub.workspace_id)
    if integration is not None:
        query = query.where(checks.c.integration_id == integration.id)
    with hub.engine.connect() as conn:
        return [dict(row._mapping) for row in conn.execute(query.order_by(desc(checks.c.id)).limit(limit))]
