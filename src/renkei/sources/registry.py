"""The registry of source kinds. Built-in kinds register here exactly as a plug-in would."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from renkei.core.mapping import BadValues
from renkei.core.patch import FieldError
from renkei.core.records import SourceRecord


@dataclass(frozen=True, slots=True)
class Extraction:
    """What a source made of a payload: records in batches, the labels it found, problems."""

    labels: list[str]
    batches: Iterator[list[SourceRecord | Any]]
    encoding: str | None = None
    #: Releases what the extraction holds open when its batches are not read to the end.
    close: Callable[[], None] | None = None
    #: A classification instead of records: not-a-lead, quarantined or failed, with the reason.
    verdict: str | None = None
    reason: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    #: What the source noticed about the payload as a whole, by line (a renamed duplicate header,
    #: title lines passed over): listed with the row errors, never counted as errors.
    notes: list[tuple[int | None, FieldError]] = field(default_factory=list)


Extractor = Callable[[Path, BaseModel, str | None], Extraction]


@dataclass(frozen=True, slots=True)
class SourceKind:
    """One connector kind: its name, its settings model and how it reads a payload."""

    name: str
    settings: type[BaseModel]
    extract: Extractor
    description: str
    #: False for kinds whose payloads are whole mails (landed with their Message-ID), not files.
    accepts_files: bool = True
    #: Called when an integration of this kind is added, with its name and settings: returns the
    #: settings to store and what to show the user once (a generated password), never stored.
    prepare_new: Callable[[str, dict[str, Any]], tuple[dict[str, Any], dict[str, str]]] | None = None
    #: What a value a normaliser rejects does to its record when the integration's mapping does
    #: not say: a file's row is an error, to be sent again corrected; an inquiry mail, which
    #: nobody sends again, goes in without the value (``leave_out``), which is reported.
    bad_values: BadValues = "reject_row"


_KINDS: dict[str, SourceKind] = {}


def register(kind: SourceKind) -> SourceKind:
    """Make ``kind`` available by name (a later registration of the same name replaces it)."""
    _KINDS[kind.name] = kind
    return kind


def unregister(name: str) -> None:
    """Forget the kind called ``name`` (for kinds registered by a test or a plugin that goes away)."""
    _KINDS.pop(name, None)


def get_kind(name: str) -> SourceKind:
    """The kind called ``name``; raises KeyError naming the known kinds."""
    _load_builtins()
    if name not in _KINDS:
        raise KeyError(f"unknown integration kind {name!r}; known kinds: {', '.join(sorted(_KINDS))}")
    return _KINDS[name]


def kinds() -> list[SourceKind]:
    """Every registered kind."""
    _load_builtins()
    return [_KINDS[name] for name in sorted(_KINDS)]


def _load_builtins() -> None:
    from renkei.sources import csv_kind, ftp_kind, mail_kind, pull_kind  # noqa: F401  (they register themselves)
