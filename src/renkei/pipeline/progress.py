"""How far the imports running now have got, in memory, for the upload page's progress bar.

A delivery is followed once someone asks (``track``); processing reports every applied batch
(``advance``, a no-op for deliveries nobody follows, such as dry runs); the end is recorded by
``finish``. Memory only and per process: the delivery row stays the durable record, this is
just what a page polls while the import runs.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from renkei.pipeline.hub import Hub

log = logging.getLogger(__name__)

#: Finished entries kept for pages that poll late; the oldest are dropped beyond this.
KEEP_FINISHED = 200


@dataclass(frozen=True, slots=True)
class Progress:
    """One followed import: rows done of an estimated total, and its end state once finished."""

    delivery_id: int
    total: int | None
    done: int = 0
    finished: bool = False
    state: str = "running"
    counts: dict[str, int] | None = None
    reason: str | None = None

    @property
    def percent(self) -> int:
        """0-100; 100 only once finished (the total is an estimate)."""
        if self.finished:
            return 100
        if not self.total:
            return 0
        return min(99, int(self.done * 100 / self.total))

    def to_json(self) -> dict[str, Any]:
        return {
            "delivery_id": self.delivery_id,
            "total": self.total,
            "done": self.done,
            "percent": self.percent,
            "finished": self.finished,
            "state": self.state,
            "counts": self.counts,
            "reason": self.reason,
        }


_lock = threading.Lock()
_entries: dict[int, Progress] = {}


def estimate_rows(path: Path) -> int:
    """Rows a CSV file holds, roughly: its line breaks less the header (quoted breaks count too)."""
    lines = 0
    last = b""
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            lines += chunk.count(b"\n")
            last = chunk[-1:]
    if last and last != b"\n":
        lines += 1
    return max(lines - 1, 0)


def track(delivery_id: int, total: int | None) -> Progress:
    """Start following a delivery."""
    entry = Progress(delivery_id, total)
    with _lock:
        _entries[delivery_id] = entry
        finished = [k for k, v in _entries.items() if v.finished]
        for key in finished[: max(0, len(finished) - KEEP_FINISHED)]:
            del _entries[key]
    return entry


def advance(delivery_id: int, rows: int) -> None:
    """``rows`` more rows of a followed delivery are applied (ignored for one nobody follows)."""
    with _lock:
        entry = _entries.get(delivery_id)
        if entry is not None and not entry.finished:
            _entries[delivery_id] = replace(entry, done=entry.done + rows)


def finish(delivery_id: int, state: str, counts: dict[str, int] | None = None, reason: str | None = None) -> None:
    """A followed delivery ended in ``state``."""
    with _lock:
        entry = _entries.get(delivery_id) or Progress(delivery_id, None)
        _entries[delivery_id] = replace(entry, finished=True, state=state, counts=counts, reason=reason)


def get(delivery_id: int) -> Progress | None:
    """Where a followed delivery is, or None when nobody follows it (here)."""
    with _lock:
        return _entries.get(delivery_id)


def process_in_background(hub: Hub, delivery_id: int, total: int | None) -> threading.Thread:
    """Process a landed delivery on a thread of its own, followed from the start; returns the thread."""
    from renkei.pipeline.deliveries import process_delivery

    track(delivery_id, total)

    def run() -> None:
        try:
            result = process_delivery(hub, delivery_id)
        except Exception as error:  # the page must learn that it ended; the log has the details
            log.exception("processing delivery %s failed", delivery_id)
            finish(delivery_id, "failed", reason=str(error) or type(error).__name__)
            return
        counts = result.counts
        finish(
            delivery_id,
            result.state,
            {
                "created": counts.created,
                "updated": counts.updated,
                "unchanged": counts.unchanged,
                "errors": counts.errors,
                "left_out": counts.left_out,
            },
            result.reason,
        )

    thread = threading.Thread(target=run, name=f"renkei-import-{delivery_id}", daemon=True)
    thread.start()
    return thread
