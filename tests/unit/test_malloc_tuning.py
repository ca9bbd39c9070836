"""glibc keeps a freed batch's memory for the next batch instead of returning it (gc_tuning.tune_malloc)."""

from __future__ import annotations

import subprocess
import sys

import pytest

_CHURN = """
import resource, sys
from renkei import gc_tuning
if sys.argv[1] == "tuned" and not gc_tuning.tune_malloc():
    print("no-glibc"); raise SystemExit
def batch():
    # What an import batch holds: thousands of blocks too large for Python's small-object
    # allocator (a row's dict of fields), which come from glibc's malloc.
    return [bytearray(2048) for _ in range(20000)]
held = batch()
del held
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(5):
    held = batch()
    del held
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


def _faults(mode: str) -> int | None:
    out = subprocess.run([sys.executable, "-c", _CHURN, mode], capture_output=True, text=True, check=True).stdout
    return None if out.strip() == "no-glibc" else int(out)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's allocator: Linux only")
def test_freed_batches_are_reused_without_fresh_pages() -> None:
    tuned = _faults("tuned")
    assert tuned is not None, "glibc's mallopt was not found on this Linux machine"
    untuned = _faults("default")
    assert untuned is not None
    # By default glibc returns each freed batch to the system and faults its pages in again.
    assert untuned > 1000
    assert tuned < untuned / 10
