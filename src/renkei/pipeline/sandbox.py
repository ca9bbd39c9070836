"""Where a large dry run works: on SQLite, a copy of the store, so that no writer waits for it.

A dry run processes a payload in a transaction it rolls back, exactly as it would be applied.
SQLite lets one transaction write at a time, whatever the workspace: a dry run of a large file
(the mapping editor's whole preview, a replay preview, ``renkei import --dry-run``) held every
inbox, pull and import of the hub until it ended: over a minute for the 1M-row bench delivery.
A payload of ``SANDBOX_BYTES`` or more is tried on a copy of the store taken as the dry run
begins (SQLite's online backup: 0.6 s for the 460 MB bench store), in a folder beside it that
is removed afterwards (one a killed process left, by a later dry run); the store itself is only
read for the copy. PostgreSQL needs none: a dry run there holds its own workspace only, and
only against writers of customers.
"""

from __future__ import annotations

import dataclasses
import logging
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from renkei.pipeline.hub import Hub
from renkei.pipeline.parallel import PARALLEL_BYTES
from renkei.store.db import copy_sqlite, make_engine

log = logging.getLogger(__name__)

#: Payloads at least this large are tried on a copy (smaller ones hold the store for moments).
SANDBOX_BYTES = PARALLEL_BYTES
#: The copies' folders beside the store.
PREFIX = ".dry-run-"
#: A copy's folder older than this was left by a process that died during its dry run.
LEFTOVER_SECONDS = 24 * 3600


def _remove_leftovers(folder: Path) -> None:
    """Remove the copies of dry runs whose process died before removing them (a day old: no dry
    run lasts that long, so none still in use is touched)."""
    for leftover in folder.glob(PREFIX + "*"):
        try:
            if time.time() - leftover.stat().st_mtime > LEFTOVER_SECONDS:
                shutil.rmtree(leftover, ignore_errors=True)
        except OSError:  # removed meanwhile by another process
            continue


def _copy_of(store: Path, folder: Path) -> Path | None:
    """A copy of ``store`` in ``folder``; None when it cannot be made (no room)."""
    copy = folder / store.name
    try:
        copy_sqlite(store, copy)
    except (OSError, sqlite3.Error) as error:
        log.warning("a dry run holds the store while it runs: it could not be copied (%s)", error)
        return None
    return copy


@contextmanager
def sandbox(hub: Hub, payload_bytes: int) -> Iterator[Hub]:
    """The hub a dry run of ``payload_bytes`` works in: ``hub`` on a copy of its SQLite store for
    a large payload, else ``hub`` itself (also when the store cannot be copied)."""
    database = hub.engine.url.database
    if hub.engine.dialect.name != "sqlite" or not database or database == ":memory:" or payload_bytes < SANDBOX_BYTES:
        yield hub
        return
    store = Path(database)
    _remove_leftovers(store.parent)
    with tempfile.TemporaryDirectory(prefix=PREFIX, dir=store.parent) as folder:
        copy = _copy_of(store, Path(folder))
        if copy is None:
            yield hub
            return
        engine = make_engine(f"sqlite:///{copy}")
        try:
            yield dataclasses.replace(hub, engine=engine)
        finally:
            engine.dispose()


__all__ = ["SANDBOX_BYTES", "sandbox"]
