"""Processing landed deliveries in a child process: the inbox's own process keeps its core.

Python runs one thread at a time, so an inbox whose processing thread shares the process with
SMTP and landing spends its one core on both. ``ProcessWorker`` has the interface of
``worker.Processor`` (start, submit, join, stop) but hands each landed delivery's id through a
pipe to a child process that processes what is waiting together (``worker.process_together``)
and answers how many it finished.

Nothing is lost when the child dies (a crash, the kernel's OOM killer): what it had not
finished is still ``received`` in the store; a new child is started, processes everything left
``received`` first, then takes new work. ``RENKEI_PROCESSING=thread`` keeps processing on a
thread of the inbox's process instead (one process, as the tests that patch the pipeline use).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import select
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

from renkei.channels.worker import Processor, WorkspaceHubs
from renkei.errors import ConfigurationError

log = logging.getLogger(__name__)

#: A worker that dies sooner than this after starting counts as dying at once.
QUICK_DEATH_SECONDS = 5.0
#: The longest wait before restarting a worker that keeps dying at once.
MAX_RESTART_DELAY = 30.0

MODES = ("process", "thread")
#: A batch that ends less than this after the one before means the inbox is busy (seconds) ...
BUSY_S = 0.010
#: ... and the next read then waits this long for more deliveries to take together.
LINGER_S = 0.003


def processing_mode() -> str:
    """``RENKEI_PROCESSING``: ``process`` (default) or ``thread``."""
    raw = (os.environ.get("RENKEI_PROCESSING") or "process").strip().lower()
    if raw not in MODES:
        raise ConfigurationError(f"RENKEI_PROCESSING={raw!r}: expected one of {', '.join(MODES)}")
    return raw


def make_processor(hubs: WorkspaceHubs, name: str = "renkei-process") -> Processor | ProcessWorker:
    """The inbox's processor for ``RENKEI_PROCESSING``."""
    if processing_mode() == "thread":
        return Processor(hubs, name)
    return ProcessWorker(hubs, name)


def _batches(fd: int) -> Iterator[list[tuple[int, int] | None]]:
    """What the parent sent, a read at a time: every complete line waiting, as (workspace, delivery) or None (stop).

    Under load (the last batch ended less than ``BUSY_S`` ago) a read lingers up to ``LINGER_S``
    for more lines: a batch of several mails costs much less a mail than one alone, and at a
    steady trickle nothing waits.
    """
    pending = b""
    last_end = float("-inf")  # no batch yet: not busy
    while True:
        data = os.read(fd, 1 << 16)
        if data and time.monotonic() - last_end < BUSY_S:
            data += _linger(fd, time.monotonic() + LINGER_S)
        if not data:
            yield [None]  # the parent is gone: stop
            return
        *lines, pending = (pending + data).split(b"\n")
        items: list[tuple[int, int] | None] = []
        for line in lines:
            if line == b"stop":
                items.append(None)
            elif line:
                workspace_id, delivery_id = line.split()
                items.append((int(workspace_id), int(delivery_id)))
        if items:
            yield items
            last_end = time.monotonic()


def _linger(fd: int, deadline: float) -> bytes:
    """What else arrives on ``fd`` until ``deadline`` (less if the parent closes it: the next read sees that)."""
    more = b""
    while (left := deadline - time.monotonic()) > 0 and select.select([fd], [], [], left)[0]:
        data = os.read(fd, 1 << 16)
        if not data:
            break
        more += data
    return more


def _say(line: bytes) -> bool:
    """Tell the inbox ``line``; False when it is gone (nobody to work for)."""
    try:
        sys.stdout.buffer.write(line + b"\n")
        sys.stdout.buffer.flush()
    except (BrokenPipeError, OSError):
        return False
    return True


def main() -> None:
    """The child (``python -m renkei.channels.worker_process``): open the store, resume, then process what stdin brings.

    The first line on stdin is the store as JSON (never on the command line, where ``ps`` shows
    it); then one ``<workspace id> <delivery id>`` line per delivery, or ``stop``. The child
    answers ``ready`` once the store is open and ``done <n>`` after each batch, on stdout.
    """
    from renkei import gc_tuning
    from renkei.channels.worker import process_items, resume_all
    from renkei.pipeline.hub import Hub

    # Ctrl+C in a terminal reaches the whole process group: the inbox stops this child itself
    # (``stop`` on stdin, or end of file when the inbox is gone), after the batch in hand.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s [worker]: %(message)s")
    logging.getLogger("renkei").setLevel(logging.INFO)
    config = json.loads(sys.stdin.buffer.readline())
    hub = Hub.open(config["workspace"], url=config["url"], home=Path(config["home"]))
    hubs = WorkspaceHubs(hub)
    gc_tuning.tune()
    if config.get("resume"):
        resume_all(hubs)
    if not _say(b"ready"):
        return
    for items in _batches(sys.stdin.fileno()):
        work = [item for item in items if item is not None]
        process_items(hubs, work)
        if not _say(f"done {len(work)}".encode()) or None in items:
            hub.close()
            return


def _close_pipes(child: subprocess.Popen[bytes]) -> None:
    for stream in (child.stdin, child.stdout):
        if stream is not None:
            with contextlib.suppress(OSError):
                stream.close()


class ProcessWorker:
    """Processes submitted deliveries in a child process, in order, restarting it if it dies."""

    def __init__(self, hubs: WorkspaceHubs, name: str = "renkei-process") -> None:
        hub = hubs.base
        home = hub.secrets.home
        if hub.archive.root != home / "archive":
            raise ConfigurationError("a worker process needs a hub opened with Hub.open (archive under its home)")
        self._store = {
            "workspace": hub.workspace,
            "url": hub.engine.url.render_as_string(hide_password=False),
            "home": str(home),
        }
        self._name = name
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._pending = 0
        self._stopping = False
        self._stopped = threading.Event()
        self._quick_deaths = 0
        self._child: subprocess.Popen[bytes] | None = None
        #: Submitted while the child was being replaced: sent to the new one once it is ready.
        self._backlog: list[tuple[int, int]] = []
        self._reader: threading.Thread | None = None

    @property
    def pid(self) -> int | None:
        """The current child's process id (None while it is being replaced)."""
        with self._lock:
            return self._child.pid if self._child is not None else None

    def start(self) -> None:
        """Start the child and wait until it is ready (it has opened the store)."""
        self._spawn(resume=False)

    def _spawn(self, resume: bool) -> None:
        child = subprocess.Popen(
            [sys.executable, "-m", "renkei.channels.worker_process"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        assert child.stdin is not None and child.stdout is not None
        try:
            child.stdin.write(json.dumps({**self._store, "resume": resume}).encode() + b"\n")
            child.stdin.flush()
            ready = child.stdout.readline()
        except OSError:
            ready = b""
        if ready != b"ready\n":
            child.kill()
            child.wait()
            raise ConfigurationError(f"the processing worker did not start (exit code {child.returncode})")
        with self._lock:
            self._child = child
            if resume:
                # The new child has processed everything left received: only the backlog is pending.
                self._pending = len(self._backlog)
                self._changed.notify_all()
            for workspace_id, delivery_id in self._backlog:
                self._send(child, f"{workspace_id} {delivery_id}")
            self._backlog.clear()
        self._reader = threading.Thread(target=self._read, args=(child,), name=f"{self._name}-acks", daemon=True)
        self._reader.start()

    @staticmethod
    def _send(child: subprocess.Popen[bytes], line: str) -> bool:
        assert child.stdin is not None
        try:
            child.stdin.write(line.encode() + b"\n")
            child.stdin.flush()
            return True
        except OSError:
            return False

    def submit(self, workspace_id: int, delivery_id: int) -> None:
        """Process this delivery soon (after what was submitted before)."""
        self.submit_many([(workspace_id, delivery_id)])

    def submit_many(self, items: Sequence[tuple[int, int]]) -> None:
        """Process these (workspace id, delivery id) soon, in order: one write to the child for all."""
        if not items:
            return
        with self._lock:
            self._pending += len(items)
            if self._child is None:
                self._backlog.extend(items)
            elif not self._send(self._child, "\n".join(f"{w} {d}" for w, d in items)):
                # The child is gone: the one that replaces it resumes every delivery left received.
                log.warning("the processing worker is gone; %s deliveries will be resumed by the next", len(items))

    def join(self) -> None:
        """Wait until everything submitted so far is done."""
        with self._changed:
            self._changed.wait_for(lambda: self._pending <= 0)

    def stop(self, timeout: float = 30.0) -> None:
        """Finish what was submitted and stop the child; what it could not finish stays ``received``."""
        with self._lock:
            self._stopping = True
            self._stopped.set()
            child = self._child
            if child is not None:
                self._send(child, "stop")
        if child is not None:
            try:
                child.wait(timeout)
            except subprocess.TimeoutExpired:
                log.warning("the processing worker did not stop within %s s", timeout)
                child.kill()
                child.wait()
        if self._reader is not None:
            self._reader.join(5)
        if child is not None:
            _close_pipes(child)

    def _read(self, child: subprocess.Popen[bytes]) -> None:
        assert child.stdout is not None
        started = time.monotonic()
        for line in child.stdout:
            if line.startswith(b"done "):
                with self._changed:
                    self._pending -= int(line.split()[1])
                    self._changed.notify_all()
        child.wait()
        _close_pipes(child)
        with self._changed:
            stopping = self._stopping
            if stopping:
                self._pending = 0
                self._changed.notify_all()
                return
            # What the child had in hand stays received: the next child resumes it.
            self._child = None
        lived = time.monotonic() - started
        # One that dies at once (a delivery that kills it on every resume) is restarted ever more slowly.
        self._quick_deaths = self._quick_deaths + 1 if lived < QUICK_DEATH_SECONDS else 0
        delay = min(MAX_RESTART_DELAY, 0.5 * 2**self._quick_deaths) if self._quick_deaths else 0.0
        log.error("the processing worker exited (code %s); starting another in %.1f s", child.returncode, delay)
        if self._stopped.wait(delay):
            return
        try:
            self._spawn(resume=True)
        except ConfigurationError:
            log.exception("the processing worker could not be restarted; deliveries stay received until a restart")
            with self._changed:
                self._pending = 0
                self._changed.notify_all()


__all__ = ["MODES", "ProcessWorker", "make_processor", "processing_mode"]


if __name__ == "__main__":
    main()
