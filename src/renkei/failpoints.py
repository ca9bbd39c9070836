"""Crash injection for tests: ``RENKEI_FAILPOINT=name`` kills the process at that point.

The process exits at once with status 99, like a power cut: no cleanup, no rollback. Used
only by the crash tests, which then check that nothing was lost or applied twice.

With ``RENKEI_FAILPOINT_ONCE=<path>`` as well, only the first process to reach the point dies
(it creates ``<path>``; later ones see it and go on): for processes that are restarted, such as
the inbox's worker.
"""

from __future__ import annotations

import os

_ACTIVE = os.environ.get("RENKEI_FAILPOINT")
_ONCE = os.environ.get("RENKEI_FAILPOINT_ONCE")


def hit(name: str) -> None:
    """Die here if the failpoint ``name`` is armed."""
    if name != _ACTIVE:
        return
    if _ONCE:
        try:
            os.close(os.open(_ONCE, os.O_WRONLY | os.O_CREAT | os.O_EXCL))
        except FileExistsError:
            return
    os._exit(99)
