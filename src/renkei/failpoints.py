"""Crash injection for tests: ``RENKEI_FAILPOINT=name`` kills the process at that point.

The process exits at once with status 99, like a power cut: no cleanup, no rollback. Used
only by the crash tests, which then check that nothing was lost or applied twice.

With ``RENKEI_FAILPOINT_ONCE=<path>`` as well, only the first process to reach the point dies
(it creates ``<path>``; later ones see it and go on): for processes that are restarted, such as
the inbox's worker.

With ``RENKEI_FAILPOINT_AFTER=<path>`` as well, the process waits at the point until ``<path>``
exists (at most a minute) and then dies: a test orders the crash after something it has seen,
such as the sender's ``250``, which a thread of the same process may otherwise still be writing.
"""

from __future__ import annotations

import os
import time

_ACTIVE = os.environ.get("RENKEI_FAILPOINT")
_ONCE = os.environ.get("RENKEI_FAILPOINT_ONCE")
_AFTER = os.environ.get("RENKEI_FAILPOINT_AFTER")
#: How long a failpoint waits for its ``RENKEI_FAILPOINT_AFTER`` file, in seconds.
AFTER_WAIT_S = 60.0


def hit(name: str) -> None:
    """Die here if the failpoint ``name`` is armed."""
    if name != _ACTIVE:
        return
    if _ONCE:
        try:
            os.close(os.open(_ONCE, os.O_WRONLY | os.O_CREAT | os.O_EXCL))
        except FileExistsError:
            return
    if _AFTER:
        _wait_for(_AFTER)
    os._exit(99)


def _wait_for(path: str) -> None:
    """Until ``path`` exists, or ``AFTER_WAIT_S`` has passed."""
    deadline = time.monotonic() + AFTER_WAIT_S
    while not os.path.exists(path) and time.monotonic() < deadline:
        time.sleep(0.01)
