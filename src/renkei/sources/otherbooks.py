"""Rows of the workbooks that are not .xlsx: Excel 97-2003 (.xls), Excel binary (.xlsb) and
OpenDocument (.ods), for the CSV reader to read as it reads a CSV file's.

Older systems and many offices in Japan still save lists as .xls; .xlsb is Excel's choice for
large lists, .ods LibreOffice's. They are read with calamine (``python-calamine``, a Rust reader
of all three), which loads the sheet it is asked for whole, so a file is first checked against
limits that keep that bounded: an .xls (its format stops at 65,536 rows) may be up to
``MAX_XLS_BYTES``; an .xlsb or .ods (ZIP archives) may unpack to ``MAX_UNPACKED_BYTES`` at most,
every part of it checked to unpack to the size it declares with a correct checksum before
calamine reads it (a ZIP bomb is the file's error, not a runaway). A larger list is read as
.xlsx or CSV, both streamed.

Each row comes back as ``xlsxfile.SheetRows`` gives an .xlsx's (its interface: ``line_num``,
``width``, ``notes``, ``sheet_name``, ``close``), the cells as the text a CSV saved by Excel
would hold: a whole number as its digits, another number in its shortest form, a date cell as
``2024-05-01`` (with a time ``2024-05-01 10:30:00``, a time of day ``10:30:00``), TRUE / FALSE,
an empty cell as ``""``; rows numbered as the spreadsheet shows them.
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from renkei.sources.xlsxfile import WorkbookError, choose_sheet, number_text

#: An .xls may be this large (its format holds 65,536 rows of 256 columns; a list that fills it
#: is some tens of MB).
MAX_XLS_BYTES = 256 << 20
#: An .xlsb's or .ods's parts may unpack to this much in all (calamine holds the sheet whole).
MAX_UNPACKED_BYTES = 512 << 20

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
#: What each kind is called in a file's error.
_NAMES = {
    "xls": "an Excel 97-2003 workbook (.xls)",
    "xlsb": "an Excel binary workbook (.xlsb)",
    "ods": "an OpenDocument spreadsheet (.ods)",
}
_TOO_LARGE = "save it as an Excel workbook (.xlsx) or as CSV, which are read however long they are"
_CHUNK = 1 << 20


def book_kind(path: Path) -> str | None:
    """``"xls"``, ``"xlsb"`` or ``"ods"`` when the file's content is one (an OLE2 file may be
    another Office document: reading it says so), else None."""
    try:
        with path.open("rb") as stream:
            head = stream.read(8)
        if head == _OLE2:
            return "xls"
        if not head.startswith(b"PK\x03\x04"):
            return None
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if "xl/workbook.bin" in names:
                return "xlsb"
            # The mimetype part is a line; a larger one is no OpenDocument file, and is not read.
            small = "mimetype" in names and archive.getinfo("mimetype").file_size <= 100
            if small and archive.read("mimetype").strip() == _ODS_MIMETYPE:
                return "ods"
    except (OSError, zipfile.BadZipFile, zlib.error, EOFError, ValueError):
        return None
    return None


def _check_size(path: Path, kind: str) -> None:
    """Refuse a file calamine would need too much memory for (see the module's text)."""
    name = _NAMES[kind]
    if kind == "xls":
        if path.stat().st_size > MAX_XLS_BYTES:
            raise WorkbookError(f"is {name} larger than {MAX_XLS_BYTES >> 20} MiB: {_TOO_LARGE}")
        return
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
            if sum(part.file_size for part in parts) > MAX_UNPACKED_BYTES:
                raise WorkbookError(f"is {name} that unpacks to more than {MAX_UNPACKED_BYTES >> 20} MiB: {_TOO_LARGE}")
            for part in parts:  # each stops at its declared size and checks its CRC at the end
                with archive.open(part) as stream:
                    while stream.read(_CHUNK):
                        pass
    except (OSError, zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as exc:
        raise WorkbookError(f"is {name} that cannot be read: {exc}") from None


def cell_text(value: Any) -> str:
    """A cell's value, as calamine gives it, as the text a CSV saved by Excel holds."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return number_text(repr(value))
    if isinstance(value, datetime):
        if value.time() == time.min:
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, timedelta):  # a duration ([h]:mm): hours, minutes and seconds
        seconds = round(value.total_seconds())
        sign, seconds = ("-", -seconds) if seconds < 0 else ("", seconds)
        return f"{sign}{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
    return "" if value is None else str(value)


class BookRows:
    """The rows of an .xls, .xlsb or .ods workbook's sheet (``sheet`` by name, else the first
    visible one): the interface of ``xlsxfile.SheetRows``."""

    def __init__(self, path: Path, kind: str, sheet: str | None = None) -> None:
        from python_calamine import CalamineError, CalamineWorkbook, PasswordError

        self.kind = kind
        name = _NAMES[kind]
        _check_size(path, kind)
        self._book: Any = None
        try:
            self._book = CalamineWorkbook.from_path(str(path))
        except PasswordError:
            # An encrypted .xlsx is an OLE2 file too: it is named as a workbook, whichever it is.
            shown = "an Excel workbook" if kind == "xls" else name
            raise WorkbookError(
                f"is {shown} protected by a password: open it, save it without the password (or as CSV) and send that"
            ) from None
        except CalamineError as exc:
            if kind == "xls":
                raise WorkbookError(
                    f"is an Excel 97-2003 workbook (.xls) or another Office file that cannot be read ({exc}):"
                    " in Excel, save it as an Excel workbook (.xlsx) or as CSV UTF-8 and send that"
                ) from None
            raise WorkbookError(f"is {name} that cannot be read: {exc}") from None
        try:
            found = self._sheet(name, sheet)
        except CalamineError as exc:
            self.close()
            raise WorkbookError(f"is {name} that cannot be read: {exc}") from None
        except BaseException:
            self.close()
            raise
        start = found.start
        self._lead = [""] * (start[1] if start else 0)  # the columns left of the first cell
        self._rows: Iterator[list[Any]] = iter(found.iter_rows()) if start else iter(())
        self.line_num = 0
        self.width = 0

    def _sheet(self, name: str, wanted: str | None) -> Any:
        """The sheet ``wanted`` (by name), else the first visible one, loaded; sets ``sheet_name``."""
        from python_calamine import SheetTypeEnum, SheetVisibleEnum

        sheets = [
            (meta.name, meta.visible == SheetVisibleEnum.Visible)
            for meta in self._book.sheets_metadata
            if meta.typ == SheetTypeEnum.WorkSheet
        ]
        chosen, self.notes = choose_sheet(sheets, wanted, name)
        self.sheet_name = sheets[chosen][0]
        return self._book.get_sheet_by_name(self.sheet_name)

    def __iter__(self) -> BookRows:
        return self

    def __next__(self) -> list[str]:
        cells = next(self._rows)
        self.line_num += 1
        row = [*self._lead, *map(cell_text, cells)]
        while row and not row[-1]:  # as an .xlsx's row: no empty cells at its end...
            row.pop()
        if len(row) < self.width:  # ...then as wide as the header
            row.extend([""] * (self.width - len(row)))
        return row

    def close(self) -> None:
        self._rows = iter(())
        if self._book is not None:  # calamine refuses a second close
            self._book.close()
            self._book = None
