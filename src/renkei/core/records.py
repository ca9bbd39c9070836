"""What a source's parser hands to the pipeline."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class InquiryFacts:
    """One lead event (反響) as a parser found it; every value is text as given, or None."""

    source: str
    external_id: str | None = None
    received_at: datetime | None = None
    property_code: str | None = None
    own_property_code: str | None = None
    property_name: str | None = None
    property_url: str | None = None
    price: str | None = None
    layout: str | None = None
    message: str | None = None
    extra: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SourceRecord:
    """One row, mail or card: source labels to text values, with where it came from.

    ``locator`` names the place in the payload ("row 12", "mail body"). ``line`` is the
    1-based row number for files. ``fields`` keeps the source's own labels; the mapping turns
    them into canonical fields.
    """

    locator: str
    fields: Mapping[str, str]
    line: int | None = None
    external_id: str | None = None
    inquiry: InquiryFacts | None = None


_new_record = object.__new__
_set_locator, _set_fields, _set_line, _set_external_id, _set_inquiry = (
    SourceRecord.__dict__[name].__set__ for name in ("locator", "fields", "line", "external_id", "inquiry")
)


def file_row_record(locator: str, fields: Mapping[str, str], line: int) -> SourceRecord:
    """``SourceRecord(locator, fields, line)``, built at half the cost: one per row of a file.

    A frozen dataclass's ``__init__`` sets each field through ``object.__setattr__`` looked up
    anew; this sets the same slots through their descriptors, found once. A test checks that
    the record equals the one ``__init__`` builds.
    """
    record = _new_record(SourceRecord)
    _set_locator(record, locator)
    _set_fields(record, fields)
    _set_line(record, line)
    _set_external_id(record, None)
    _set_inquiry(record, None)
    return record


class RowFields(Mapping[str, str]):
    """One file row as ``SourceRecord.fields``: its values under the file's labels, by position.

    Every row of a file shares one label tuple and index, so a row costs one small object
    rather than a dict; ``map_record`` reads ``row`` by position when the mapping was compiled
    against these very labels.
    """

    __slots__ = ("_index", "labels", "row")

    def __init__(self, labels: tuple[str, ...], index: Mapping[str, int], row: Sequence[str]) -> None:
        self.labels = labels
        self.row = row
        self._index = index

    def __getitem__(self, label: str) -> str:
        position = self._index[label]
        if position >= len(self.row):
            raise KeyError(label)
        return self.row[position]

    def __iter__(self) -> Iterator[str]:
        return iter(self.labels[: len(self.row)])

    def __len__(self) -> int:
        return min(len(self.labels), len(self.row))

    def __repr__(self) -> str:
        return f"RowFields({dict(self)!r})"
