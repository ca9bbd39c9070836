"""The raw archive: payloads stored durably by their SHA-256, several at once, and nothing half-written."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from renkei.store.archive import Archive


def files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def test_several_payloads_land_together_each_once_where_its_hash_says(tmp_path: Path) -> None:
    archive = Archive(tmp_path)
    earlier = archive.put_bytes(b"already here")
    stored = archive.put_many([b"first", b"second", b"first", b"already here"])
    assert [s.sha256 for s in stored] == [
        hashlib.sha256(p).hexdigest() for p in (b"first", b"second", b"first", b"already here")
    ]
    assert stored[3] == earlier
    assert [archive.read(s.sha256) for s in stored] == [b"first", b"second", b"first", b"already here"]
    assert [s.size for s in stored] == [5, 6, 5, 12]
    # One file a payload, no temporary file left behind.
    assert len(files(tmp_path)) == 3
    assert not any(".landing-" in name for name in files(tmp_path))


def test_a_failure_while_syncing_leaves_nothing_half_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    archive = Archive(tmp_path)
    real_fsync = os.fsync
    calls = 0

    def failing_fsync(fd: int) -> None:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise OSError("disk full")
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", failing_fsync)
    with pytest.raises(OSError, match="disk full"):
        archive.put_many([b"one", b"two", b"three"])
    # Neither a payload under its name (none was renamed into place) nor a temporary file.
    assert files(tmp_path) == []
    monkeypatch.setattr(os, "fsync", real_fsync)
    assert archive.read(archive.put_many([b"one", b"two"])[1].sha256) == b"two"


def test_an_empty_group_stores_nothing(tmp_path: Path) -> None:
    assert Archive(tmp_path).put_many([]) == []
    assert files(tmp_path) == []
