"""How the worker process reads its deliveries: what waits is taken together; under load it lingers for more.

The pipe is a real one; a writer thread plays the inbox. The pauses only order the writes
(with wide margins), nothing is timed.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator

import pytest

from renkei.channels import worker_process


def writer(fd: int, lines: list[bytes], pause: float) -> threading.Thread:
    """Write ``lines`` to ``fd`` with ``pause`` seconds between them, then close it."""

    def run() -> None:
        for number, line in enumerate(lines):
            if number:
                time.sleep(pause)
            os.write(fd, line)
        os.close(fd)

    thread = threading.Thread(target=run)
    thread.start()
    return thread


@pytest.fixture
def pipe() -> Iterator[tuple[int, int]]:
    read, write = os.pipe()
    yield read, write
    os.close(read)


def test_lines_waiting_together_are_one_batch_and_stop_ends_it(pipe: tuple[int, int]) -> None:
    read, write = pipe
    os.write(write, b"1 10\n1 11\n2 12\nstop\n")
    os.close(write)
    batches = worker_process._batches(read)
    assert next(batches) == [(1, 10), (1, 11), (2, 12), None]


def test_a_closed_pipe_means_stop(pipe: tuple[int, int]) -> None:
    read, write = pipe
    os.close(write)
    assert next(worker_process._batches(read)) == [None]


def test_under_load_a_read_lingers_for_the_deliveries_right_behind(
    pipe: tuple[int, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    read, write = pipe
    # "Busy" for the whole test, and a linger far longer than the writer's pause.
    monkeypatch.setattr(worker_process, "BUSY_S", 60.0)
    monkeypatch.setattr(worker_process, "LINGER_S", 2.0)
    os.write(write, b"1 1\n")
    batches = worker_process._batches(read)
    assert next(batches) == [(1, 1)]
    thread = writer(write, [b"1 2\n", b"1 3\n"], pause=0.2)
    try:
        assert next(batches) == [(1, 2), (1, 3)]
        assert next(batches) == [None]
    finally:
        thread.join()


def test_a_quiet_inbox_never_waits(pipe: tuple[int, int], monkeypatch: pytest.MonkeyPatch) -> None:
    read, write = pipe
    monkeypatch.setattr(worker_process, "BUSY_S", 0.0)
    monkeypatch.setattr(worker_process, "LINGER_S", 60.0)
    thread = writer(write, [b"1 2\n", b"1 3\n"], pause=0.5)
    try:
        batches = worker_process._batches(read)
        assert next(batches) == [(1, 2)]
        assert next(batches) == [(1, 3)]
        assert next(batches) == [None]
    finally:
        thread.join()
