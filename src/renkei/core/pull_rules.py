"""Which files in a remote folder a pull fetches: pure rules over a listing.

A listing is a list of ``RemoteFile``. A file is taken when it is a regular file with a safe
name, matches the integration's pattern and file-name rule, has not been landed before in this
version (same path, size and modification time), and is stable: its size and modification time
were the same at two looks at least ``stable_seconds`` apart (so a file still being uploaded is
left for a later check). Nothing here touches the network, the store or the clock.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from renkei.core.file_rules import FileNameRule, file_name_problem

EntryKind = Literal["file", "dir", "link", "other"]


@dataclass(frozen=True, slots=True)
class RemoteFile:
    """One entry of a remote folder as listed: its name (not a path), kind, size and mtime."""

    name: str
    kind: EntryKind
    size: int | None
    mtime: datetime | None


@dataclass(frozen=True, slots=True)
class Sighting:
    """A version of a remote file seen before (size, mtime) and when it was first seen so."""

    size: int | None
    mtime: datetime | None
    seen_at: datetime


def name_problem(name: str) -> str | None:
    """Why a listed name is not fetched whatever the pattern says, or None when it is safe."""
    if name in ("", ".", ".."):
        return "not a file name"
    if "/" in name or "\\" in name or ".." in name:
        return "the name contains a path separator or '..'"
    if any(ord(char) < 32 or ord(char) == 127 for char in name):
        return "the name contains control characters"
    if name.startswith("."):
        return "hidden or temporary file (the name starts with '.')"
    return None


def matches(name: str, pattern: str) -> bool:
    """Whether ``name`` matches the glob ``pattern``, ignoring case (``*.csv`` takes ``A.CSV``)."""
    return fnmatch.fnmatchcase(name.casefold(), pattern.casefold())


def selection(entry: RemoteFile, pattern: str, file_names: FileNameRule) -> tuple[bool, str | None]:
    """(take it, why not): ``(False, None)`` is silently left alone, ``(False, reason)`` reported."""
    if entry.kind == "dir" or not matches(entry.name, pattern):
        return False, None
    if entry.kind == "link":
        return False, "a symbolic link (links are never followed)"
    if entry.kind != "file":
        return False, "not a regular file"
    problem = name_problem(entry.name)
    if problem is not None:
        return False, problem
    rule = file_name_problem(entry.name, file_names)
    if rule is not None:
        return False, rule
    return True, None


def same_moment(a: datetime | None, b: datetime | None) -> bool:
    """Whether two modification times are equal, whole seconds in UTC (a naive one is taken as UTC)."""
    if a is None or b is None:
        return a is b
    return _utc(a).replace(microsecond=0) == _utc(b).replace(microsecond=0)


def same_version(entry: RemoteFile, size: int | None, mtime: datetime | None) -> bool:
    """Whether ``entry`` is the version with this size and modification time."""
    return entry.size == size and same_moment(entry.mtime, mtime)


def is_stable(entry: RemoteFile, seen: Sighting | None, now: datetime, stable_seconds: float) -> bool:
    """Whether ``entry`` has looked the same since a sighting at least ``stable_seconds`` ago."""
    if stable_seconds <= 0:
        return True
    if seen is None or not same_version(entry, seen.size, seen.mtime):
        return False
    return _utc(now) - _utc(seen.seen_at) >= timedelta(seconds=stable_seconds)


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
