"""The raw archive: every inbound payload, content-addressed by SHA-256, written durably.

A payload is written to a temporary file, flushed and fsynced, then renamed into place and the
folder fsynced, so that once ``put_*`` returns the bytes survive a crash. Storing the same bytes
twice is free.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

CHUNK = 1 << 20
#: A temporary file of our own: never opened if it exists already.
_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
#: Temporary names are unique within the process (several threads may land at once) and across processes (pid).
_SERIAL = itertools.count()


@dataclass(frozen=True, slots=True)
class Stored:
    """Where a payload now lives."""

    sha256: str
    size: int
    path: Path


class Archive:
    """A folder of payloads named by their SHA-256."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._root_text = str(root)

    def path_for(self, sha256: str) -> Path:
        """Where the payload with this hash is (or would be) stored."""
        # One Path from one string: joining Paths a part at a time costs more (every mail asks, twice).
        return Path(os.path.join(self._root_text, sha256[:2], sha256[2:4], sha256))

    def put_bytes(self, data: bytes) -> Stored:
        """Store ``data`` durably."""
        return self.put_many([data])[0]

    def put_many(self, payloads: Sequence[bytes]) -> list[Stored]:
        """Store several payloads durably, syncing them together; where each now lives, in order.

        Every mail lands here, so it is plain system calls, a step at a time for all of them:
        write each to a temporary file beside its target, fsync them all, rename them all into
        place, fsync their folders. The first fsync of a step commits the file system's journal
        for the others too, so a group costs little more than one payload. Folders are made only
        when missing (the first try tells).
        """
        stored: list[Stored] = []
        pending: dict[str, str] = {}  # target → its temporary file
        open_files: list[int] = []
        try:
            for data in payloads:
                sha256 = hashlib.sha256(data).hexdigest()
                target = self.path_for(sha256)
                stored.append(Stored(sha256, len(data), target))
                key = str(target)
                if key in pending or os.path.exists(key):
                    continue
                folder = os.path.dirname(key)
                pending[key] = tmp = os.path.join(folder, f".landing-{os.getpid()}-{next(_SERIAL)}")
                open_files.append(_write_new(tmp, folder, data))
            for fd in open_files:
                os.fsync(fd)
            for key, tmp in pending.items():
                os.replace(tmp, key)
        except BaseException:
            for tmp in pending.values():
                with contextlib.suppress(OSError):
                    os.unlink(tmp)  # gone already once renamed into place
            raise
        finally:
            for fd in open_files:
                os.close(fd)
        for folder in dict.fromkeys(os.path.dirname(key) for key in pending):
            _fsync_dir(folder)
        return stored

    def put_file(self, path: Path) -> Stored:
        """Store the file at ``path`` durably, streaming it (the file may be larger than memory)."""
        with path.open("rb") as source:
            return self.put_stream(source)

    def put_stream(self, source: BinaryIO) -> Stored:
        """Store a stream durably, streaming it."""
        digest = hashlib.sha256()
        size = 0
        self.root.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=self.root, prefix=".landing-")
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as out:
                while chunk := source.read(CHUNK):
                    digest.update(chunk)
                    size += len(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            sha256 = digest.hexdigest()
            target = self.path_for(sha256)
            if target.exists():
                tmp.unlink()
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(tmp, target)
                _fsync_dir(target.parent)
            return Stored(sha256, size, target)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    def open(self, sha256: str) -> BinaryIO:
        """Open a stored payload for reading."""
        return self.path_for(sha256).open("rb")

    def read(self, sha256: str) -> bytes:
        """A stored payload's bytes."""
        return self.path_for(sha256).read_bytes()


def _write_new(tmp: str, folder: str, data: bytes) -> int:
    """Write ``data`` to the new file ``tmp`` (making ``folder`` if missing); its still open descriptor."""
    try:
        fd = os.open(tmp, _NEW_FILE, 0o600)
    except FileNotFoundError:
        os.makedirs(folder, exist_ok=True)
        fd = os.open(tmp, _NEW_FILE, 0o600)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    except BaseException:
        os.close(fd)
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return fd


def _fsync_dir(folder: str | Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
