"""Which workbook a file is, by its content, and its sheet's rows: .xlsx through ``xlsxfile``'s
own streaming reader; .xls, .xlsb and .ods through ``otherbooks`` (calamine)."""

from __future__ import annotations

from pathlib import Path

from renkei.sources.otherbooks import BookRows, book_kind
from renkei.sources.xlsxfile import WORKBOOK, SheetRows, is_workbook

#: The rows of a workbook's sheet, for the CSV reader.
Sheet = SheetRows | BookRows


def workbook_kind(path: Path) -> str | None:
    """``"xlsx"``, ``"xls"``, ``"xlsb"`` or ``"ods"`` by the file's content; None for any other file."""
    return WORKBOOK if is_workbook(path) else book_kind(path)


def open_sheet(path: Path, kind: str, sheet: str | None = None) -> Sheet:
    """The rows of the sheet named ``sheet`` (else the first visible one) of a workbook of ``kind``;
    raises ``WorkbookError`` saying why one cannot be read."""
    return SheetRows(path, sheet) if kind == WORKBOOK else BookRows(path, kind, sheet)


def first_rows(path: Path, kind: str, count: int, name: str | None = None) -> tuple[str, list[list[str]]]:
    """The name of the sheet a workbook is read from (``name``, or the first visible one) and its
    first ``count`` rows (a preview)."""
    sheet = open_sheet(path, kind, name)
    try:
        return sheet.sheet_name, [row for row, _ in zip(sheet, range(count), strict=False)]
    finally:
        sheet.close()
