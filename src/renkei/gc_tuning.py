"""Garbage-collector settings for long runs of many small objects (imports, the mail inbox).

CPython's default collector runs a young collection every 700 net allocations and, every 100
of those, a full one that walks every tracked object, including the tens of thousands a process
holds from its imports (SQLAlchemy, pydantic, FastAPI). An import allocates a few dicts and
tuples per value, all freed by reference counting, so those collections find next to nothing:
measured on a 100,000-row file they were a third of the import's CPU time.

``tune`` moves what exists now (modules, the schema, compiled statements) out of the
collector's sight with ``gc.freeze`` and collects young objects less often. Cycles are still
collected, just later; memory stays flat (see ``bench/run.py``'s peak RSS).

It also keeps glibc's allocator from handing memory back to the system after every batch
(``tune_malloc``): an import frees a batch's few megabytes of dicts and strings and allocates
the next batch's at once, and by default glibc trims the heap in between, so each batch paid
for fresh pages again (twice the page faults, ~7 % of the writing process's CPU on a 1M-row
file). The heap is trimmed once more than ``TRIM_THRESHOLD`` bytes sit free at its top.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import threading

#: Young-generation threshold: allocations between collections (CPython's default is 700).
YOUNG_THRESHOLD = 50_000

#: Free bytes at the heap's top that glibc keeps instead of returning (its default: 128 KiB).
TRIM_THRESHOLD = 128 << 20
#: Bytes added to each heap extension (glibc's default: 128 KiB).
TOP_PAD = 16 << 20
#: Allocations at least this large get their own mapping (glibc's default adapts from 128 KiB).
MMAP_THRESHOLD = 4 << 20

# mallopt(3) parameters.
_M_TRIM_THRESHOLD = -1
_M_TOP_PAD = -2
_M_MMAP_THRESHOLD = -3

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
        tune_malloc()


def tune_malloc() -> bool:
    """Set glibc's trim and mapping thresholds (see the module's text); False where there is no glibc."""
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    try:
        mallopt = ctypes.CDLL(name).mallopt
    except (OSError, AttributeError):  # not glibc (musl, macOS): its allocator is left as it is
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    settings = ((_M_TRIM_THRESHOLD, TRIM_THRESHOLD), (_M_TOP_PAD, TOP_PAD), (_M_MMAP_THRESHOLD, MMAP_THRESHOLD))
    return all(mallopt(param, value) == 1 for param, value in settings)


__all__ = ["TRIM_THRESHOLD", "YOUNG_THRESHOLD", "tune", "tune_malloc"]
