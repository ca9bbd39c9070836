"""Rows of an Excel workbook (.xlsx), for the CSV reader to read as it reads a CSV file's.

Sales teams keep their lists in Excel and often send the workbook itself rather than a CSV saved
from it. The first visible worksheet is read, streamed by openpyxl's read-only mode (memory stays
flat in the size of the sheet), with the values Excel saved for formulas (a formula is never
evaluated). Each row comes back as the text a CSV saved by Excel would hold:

- text as it is; an empty cell as ``""``;
- a whole number as its digits (``9012345678``, ``600001``: the phone and postal normalisers
  give back the leading zero a number cell loses), another number in its shortest form;
- a date as ``2024-05-01``, a date and time as ``2024-05-01 10:30:00`` (Japan time, as Excel has
  no time zone), a time as ``10:30:00``;
- TRUE / FALSE.

``line_num`` is the worksheet row of the last row given, so row errors name the row Excel shows.
A row's empty cells at its end are not given; it is padded with ``""`` to ``width`` (the
header's, once the reader knows it), so a short row is not a ragged one.

A workbook with more than one visible sheet gets a note naming the sheet read.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

#: What ``Extraction.encoding`` says for a workbook: it has no text encoding to report.
WORKBOOK = "xlsx"


def is_workbook(path: Path) -> bool:
    """Whether the file is an Office Open XML workbook (a ZIP archive holding ``xl/workbook.xml``)."""
    try:
        with path.open("rb") as stream:
            if stream.read(4) != b"PK\x03\x04":
                return False
        with zipfile.ZipFile(path) as archive:
            return "xl/workbook.xml" in archive.namelist()
    except (OSError, zipfile.BadZipFile):
        return False


class WorkbookError(ValueError):
    """The workbook cannot be read; ``reason`` says why, for the file's error."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class SheetRows:
    """The rows of a workbook's first visible sheet as lists of text, with ``line_num`` (the csv
    reader's interface), and ``notes`` about the workbook as a whole."""

    def __init__(self, path: Path) -> None:
        from openpyxl import load_workbook  # type: ignore[import-untyped]  # imported only for a workbook

        # Opened as a stream: openpyxl judges a path by its suffix, and an archived payload is
        # stored under its hash.
        self._stream = path.open("rb")
        try:
            self._book = load_workbook(self._stream, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises whatever its XML and ZIP layers raise
            self._stream.close()
            raise WorkbookError(f"is an Excel workbook (.xlsx) that cannot be read: {exc}") from None
        visible = [sheet for sheet in self._book.worksheets if sheet.sheet_state == "visible"]
        if not visible:
            self.close()
            raise WorkbookError("is an Excel workbook (.xlsx) with no visible worksheet")
        sheet = visible[0]
        self.sheet_name: str = sheet.title
        self.notes: list[str] = []
        if len(visible) > 1:
            count = len(visible)
            self.notes.append(f"the workbook has {count} sheets: only the first, shown here, was read")
        self._rows: Iterator[tuple[Any, ...]] = sheet.iter_rows(min_row=1, values_only=True)
        self.line_num = 0
        self.width = 0

    def __iter__(self) -> SheetRows:
        return self

    def __next__(self) -> list[str]:
        values = next(self._rows)
        self.line_num += 1
        end = len(values)
        while end and values[end - 1] in (None, ""):
            end -= 1
        row = [value if type(value) is str else _text(value) for value in values[:end]]
        if end < self.width:
            row.extend([""] * (self.width - end))
        return row

    def close(self) -> None:
        self._book.close()
        self._stream.close()


def first_rows(path: Path, count: int) -> tuple[str, list[list[str]]]:
    """The name of the sheet a workbook is read from and its first ``count`` rows (a preview)."""
    sheet = SheetRows(path)
    try:
        return sheet.sheet_name, [row for row, _ in zip(sheet, range(count), strict=False)]
    finally:
        sheet.close()


def _text(value: object) -> str:
    """A cell's value as the text Excel's CSV would hold (see the module docstring)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, datetime):
        if value.time() == time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="seconds" if not value.microsecond else "microseconds")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)
