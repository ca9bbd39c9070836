"""Garbage-collector settings for long runs of many small objects (imports, the mail inbox).

CPython's default collector runs a young collection every 700 net allocations and, every 100
of those, a full one that walks every tracked object, including the tens of thousands a process
holds from its imports (SQLAlchemy, pydantic, FastAPI). An import allocates a few dicts and
tuples per value, all freed by reference counting, so those collections find next to nothing:
measured on a 100,000-row file they were a third of the import's CPU time.

``tune`` moves what exists now (modules, the schema, compiled statements) out of the
collector's sight with ``gc.freeze`` and collects young objects less often. Cycles are still
collected, just later; memory stays flat (see ``bench/run.py``'s peak RSS).
"""

from __future__ import annotations

import gc
import threading

#: Young-generation threshold: allocations between collections (CPython's default is 700).
YOUNG_THRESHOLD = 50_000

_lock = threading.Lock()
_tuned = False


def tune() -> None:
    """Freeze what the process holds now and collect less often (once per process; later calls do nothing)."""
    global _tuned
    with _lock:
        if _tuned:
            return
        _tuned = True
        gc.collect()
        gc.freeze()
        gc.set_threshold(YOUNG_THRESHOLD, 20, 10)


__all__ = ["YOUNG_THRESHOLD", "tune"]
