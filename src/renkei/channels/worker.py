"""Processing landed deliveries off the channel's event loop, on one thread.

A channel lands a payload (archive + delivery row), answers the sender, and hands the delivery
here. What is waiting when the thread comes round is processed together: plain mails of one
workspace in one transaction (``pipeline.batch``), so a burst of mail costs one commit, not one
per mail; a quiet inbox still processes each mail the moment it lands. Nothing in this module
may lose a delivery: an error is logged and the delivery is left as it is (``received`` if
processing crashed), for the next start or ``renkei deliveries resume``.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Sequence

from sqlalchemy import select

from renkei.errors import FatalError
from renkei.pipeline.batch import MAX_BATCH, process_mails
from renkei.pipeline.deliveries import process_delivery
from renkei.pipeline.hub import Hub
from renkei.store.schema import deliveries

log = logging.getLogger(__name__)


class WorkspaceHubs:
    """Hubs on one store for every workspace, made on demand from an open hub."""

    def __init__(self, hub: Hub) -> None:
        self._base = hub
        self._hubs: dict[int, Hub] = {hub.workspace_id: hub}
        self._lock = threading.Lock()

    @property
    def base(self) -> Hub:
        """The hub these were made from."""
        return self._base

    def get(self, workspace_id: int) -> Hub:
        """The hub of the workspace with this id."""
        with self._lock:
            found = self._hubs.get(workspace_id)
            if found is None:
                found = self._base.for_workspace_id(workspace_id)
                self._hubs[workspace_id] = found
            return found


def process_safely(hubs: WorkspaceHubs, workspace_id: int, delivery_id: int) -> str | None:
    """Process one delivery; its new state, or None if it could not be processed (logged)."""
    try:
        return process_delivery(hubs.get(workspace_id), delivery_id).state
    except FatalError as error:
        # Already processed (a resent copy of a delivery that was still waiting): nothing to do.
        log.info("delivery %s not processed: %s", delivery_id, error)
    except Exception:
        log.exception("delivery %s: processing crashed; it stays received for `renkei deliveries resume`", delivery_id)
    return None


def process_together(hubs: WorkspaceHubs, workspace_id: int, delivery_ids: list[int]) -> int:
    """Process deliveries of one workspace together; should that fail, one by one (logged). How many were processed."""
    try:
        return len(process_mails(hubs.get(workspace_id), delivery_ids))
    except Exception:
        if len(delivery_ids) == 1:
            log.exception("delivery %s: processing crashed; it stays received", delivery_ids[0])
            return 0
        log.exception("processing %s deliveries together failed; processing them one by one", len(delivery_ids))
    return sum(process_safely(hubs, workspace_id, delivery_id) is not None for delivery_id in delivery_ids)


def process_items(hubs: WorkspaceHubs, items: list[tuple[int, int]]) -> int:
    """Process (workspace id, delivery id) items, each workspace's together, MAX_BATCH at a time; how many were."""
    done = 0
    for start in range(0, len(items), MAX_BATCH):
        by_workspace: dict[int, list[int]] = {}
        for workspace_id, delivery_id in items[start : start + MAX_BATCH]:
            by_workspace.setdefault(int(workspace_id), []).append(int(delivery_id))
        for workspace_id, delivery_ids in by_workspace.items():
            done += process_together(hubs, workspace_id, delivery_ids)
    return done


def resume_all(hubs: WorkspaceHubs) -> int:
    """Process every delivery of every workspace left ``received`` (mails in batches); how many were processed."""
    with hubs.base.engine.connect() as conn:
        pending = conn.execute(
            select(deliveries.c.workspace_id, deliveries.c.id)
            .where(deliveries.c.state == "received")
            .order_by(deliveries.c.id)
        ).all()
    return process_items(hubs, [(int(w), int(d)) for w, d in pending])


class Processor:
    """A worker thread that processes the deliveries submitted to it, in order."""

    def __init__(self, hubs: WorkspaceHubs, name: str = "renkei-process") -> None:
        self._hubs = hubs
        self._queue: queue.Queue[tuple[int, int] | None] = queue.Queue()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def submit(self, workspace_id: int, delivery_id: int) -> None:
        """Process this delivery soon (after what was submitted before)."""
        self._queue.put((workspace_id, delivery_id))

    def submit_many(self, items: Sequence[tuple[int, int]]) -> None:
        """Process these (workspace id, delivery id) soon, in order."""
        for item in items:
            self._queue.put(item)

    def join(self) -> None:
        """Wait until everything submitted so far is done."""
        self._queue.join()

    def stop(self, timeout: float = 30.0) -> None:
        """Finish the delivery in hand and stop; what is still queued stays ``received``."""
        self._stopping.set()
        self._queue.put(None)
        if self._thread.is_alive():
            self._thread.join(timeout)
            if self._thread.is_alive():
                log.warning("the processing thread did not stop within %s s", timeout)

    def _take_waiting(self) -> list[tuple[int, int] | None]:
        """The next item, waiting for it, and whatever else is already queued (up to MAX_BATCH)."""
        items = [self._queue.get()]
        while len(items) < MAX_BATCH and items[-1] is not None:
            try:
                items.append(self._queue.get_nowait())
            except queue.Empty:
                break
        return items

    def _run(self) -> None:
        while True:
            items = self._take_waiting()
            try:
                if not self._stopping.is_set():
                    process_items(self._hubs, [item for item in items if item is not None])
                if items[-1] is None:
                    return
            finally:
                for _ in items:
                    self._queue.task_done()
