"""The raw archive: every inbound payload, content-addressed by SHA-256, written durably.

A payload is written to a temporary file, flushed and fsynced, then renamed into place and the
folder fsynced, so that once ``put_*`` returns the bytes survive a crash. Storing the same bytes
twice is free.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

CHUNK = 1 << 20


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

    def path_for(self, sha256: str) -> Path:
        """Where the payload with this hash is (or would be) stored."""
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put_bytes(self, data: bytes) -> Stored:
        """Store ``data`` durably."""
        sha256 = hashlib.sha256(data).hexdigest()
        target = self.path_for(sha256)
        if not target.exists():
            with self._landing(target) as out:
                out.write(data)
        return Stored(sha256, len(data), target)

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

    @contextmanager
    def _landing(self, target: Path) -> Iterator[BinaryIO]:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=".landing-")
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as out:
                yield out
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, target)
            _fsync_dir(target.parent)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
