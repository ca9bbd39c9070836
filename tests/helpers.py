"""Helpers shared by the tests that run real servers on loopback."""

from __future__ import annotations

import io
import json
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


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now, outside the ephemeral range."""
    for _ in range(200):
        port = random.choice(_SERVER_PORTS)
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:  # in use: draw again
                continue
            return port
    raise RuntimeError("no free port between 20000 and 32000")


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
