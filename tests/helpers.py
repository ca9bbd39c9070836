"""Helpers shared by the tests that run real servers on loopback."""

from __future__ import annotations

import io
import json
import os
import random
import socket
import time
from collections.abc import Callable
from typing import Any

from renkei.pipeline.customers import export_jsonl
from renkei.pipeline.deliveries import list_deliveries
from renkei.pipeline.hub import Hub

#: Ports drawn for the tests' servers: below the kernel's ephemeral range (32768–60999 on Linux),
#: where a port the kernel picked (``bind(0)``) could be taken by an outgoing connection — a
#: database client's, another test worker's — between the check and the server's own bind.
_SERVER_PORTS = range(20000, 32000)
#: Ports this process has handed out: a server started later in the same test (the SFTP server
#: beside the FTP one) must not be given a port the first is about to bind.
_HANDED_OUT: set[int] = set()


def _worker_ports() -> range:
    """This test worker's own slice of the server ports, so two workers never draw the same one.

    pytest-xdist names its workers ``gw0``, ``gw1``, … in ``PYTEST_XDIST_WORKER`` and their count
    in ``PYTEST_XDIST_WORKER_COUNT``; a run without xdist has the whole range.
    """
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    count = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1") or 1)
    if not worker.startswith("gw") or count <= 1:
        return _SERVER_PORTS
    index = int(worker[2:]) % count
    size = len(_SERVER_PORTS) // count
    start = _SERVER_PORTS.start + index * size
    return range(start, start + size)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now and this process has not handed out.

    Drawn from this worker's slice of 20000–31999, outside the ephemeral range.
    """
    ports = _worker_ports()
    for _ in range(500):
        port = random.choice(ports)
        if port in _HANDED_OUT:
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:  # in use: draw again
                continue
        _HANDED_OUT.add(port)
        return port
    raise RuntimeError(f"no free port between {ports.start} and {ports.stop - 1}")


def eventually(check: Callable[[], bool], what: str) -> None:
    """Poll until ``check`` holds (bounded; processing runs on another thread)."""
    for _ in range(600):
        if check():
            return
        time.sleep(0.05)
    raise AssertionError(f"never happened: {what}")


def states(hub: Hub) -> list[str]:
    """The states of the hub's deliveries, sorted."""
    return sorted(d.state for d in list_deliveries(hub))


def settled(hub: Hub, count: int) -> Callable[[], bool]:
    """True once ``count`` deliveries exist and none is waiting to be processed."""
    return lambda: len(found := states(hub)) == count and "received" not in found


def export(hub: Hub) -> list[dict[str, Any]]:
    """Every customer of the hub's workspace, as ``renkei customers export`` writes them."""
    out = io.StringIO()
    export_jsonl(hub, out)
    return [json.loads(line) for line in out.getvalue().splitlines()]
