"""Crash injection for tests: ``RENKEI_FAILPOINT=name`` kills the process at that point.

The process exits at once with status 99, like a power cut: no cleanup, no rollback. Used
only by the crash tests, which then check that nothing was lost or applied twice.
"""

from __future__ import annotations

import os

_ACTIVE = os.environ.get("RENKEI_FAILPOINT")


def hit(name: str) -> None:
    """Die here if the failpoint ``name`` is armed."""
    if name == _ACTIVE:
        os._exit(99)
