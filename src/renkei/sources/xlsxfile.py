"""Rows of an Excel workbook (.xlsx), for the CSV reader to read as it reads a CSV file's.

Sales teams keep their lists in Excel and often send the workbook itself rather than a CSV saved
from it. The first visible worksheet is read, its XML streamed through expat a chunk at a time
(memory stays flat in the number of rows; the workbook's shared strings, which hold its text,
are read whole first, as every reader of the format must, and kept compact: ``SharedStrings``),
with the values Excel saved for
formulas (a formula is never evaluated). Each row comes back as the text a CSV saved by Excel
would hold:

- text as it is (a Japanese workbook's furigana runs, ``<rPh>``, are not part of it); an empty
  cell as ``""``;
- a whole number as its digits (``9012345678``, ``600001``: the phone and postal normalisers
  give back the leading zero a number cell loses), another number in its shortest form
  (``3500.5``);
- a number shown as a date (the cell's number format is a date or time format, built in or the
  workbook's own, ``yyyy/m/d``, ``ggge年m月d日``…) as ``2024-05-01``, with a time as
  ``2024-05-01 10:30:00`` (Japan time, as Excel has no time zone), a time of day as
  ``10:30:00``; the 1904 date system is honoured;
- TRUE / FALSE; an error value as Excel shows it (``#N/A``).

``line_num`` is the worksheet row of the last row given (rows the sheet leaves out come back
empty), so row errors name the row Excel shows. A row's empty cells at its end are not given;
it is padded with ``""`` to ``width`` (the header's, once the reader knows it), so a short row
is not a ragged one.

``sheet`` names the worksheet to read instead (hidden or not). A workbook with more than one
visible sheet read without one gets a note; a workbook that is not one (a broken
ZIP, a sheet that is not XML, a DOCTYPE, which no workbook has) is a ``WorkbookError``.

Measured (100,000 rows × 14 columns of the bench's data in shared strings): 3.5 s to read here,
13.8 s with openpyxl's read-only mode (which the tests use to write workbooks).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
import zipfile
import zlib
from array import array
from collections import deque
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from pathlib import Path, PurePosixPath
from typing import IO
from xml.parsers import expat

#: What ``Extraction.encoding`` says for a workbook: it has no text encoding to report.
WORKBOOK = "xlsx"

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
# Element names as expat gives them with namespace_separator=" ", whatever prefix a writer used.
_ROW, _C, _V, _T, _IS, _RPH = (f"{_MAIN} {name}" for name in ("row", "c", "v", "t", "is", "rPh"))
_SI = f"{_MAIN} si"

_CHUNK = 1 << 16
#: Excel's limits: a sheet's rows and columns (A to XFD) past which no workbook has cells.
MAX_ROWS = 1_048_576
MAX_COLUMNS = 16_384
#: Characters of shared strings a workbook may hold (a ZIP of repeated text expands a thousandfold).
MAX_SHARED_CHARS = 256 << 20
#: Bytes of XML a sheet may unpack to: a million rows of fifty cells are about 2 GB of it; a ZIP
#: bomb of empty rows and cells is stopped here rather than read for hours.
MAX_SHEET_BYTES = 4 << 30

#: Built-in number formats that show a date or a time (ECMA-376 18.8.30; 27–36 and 50–58 are the
#: East Asian ones a Japanese Excel uses for 年月日 and era dates).
_BUILTIN_DATE_FORMATS = frozenset([*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)])
# What a format code shows besides its date parts: quoted text, escaped characters, [colours],
# [$-411] locales, _x spacing and *x fill.
_FORMAT_NOISE = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]|_.|\*.')
_DATE_PARTS = re.compile(r"[ymdhs年月日時分秒]", re.IGNORECASE)
_COLUMN = re.compile(r"[A-Z]+")


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


def _broken(detail: object) -> WorkbookError:
    return WorkbookError(f"is an Excel workbook (.xlsx) that cannot be read: {detail}")


class SheetRows:
    """The rows of a workbook's sheet (``sheet`` by name, else the first visible one) as lists of
    text, with ``line_num`` (the csv reader's interface), and ``notes`` about the workbook."""

    def __init__(self, path: Path, sheet: str | None = None) -> None:
        try:
            self._archive = zipfile.ZipFile(path)
        except (OSError, zipfile.BadZipFile) as exc:
            raise _broken(exc) from None
        self.kind = WORKBOOK
        try:
            book = _Book(self._archive, sheet)
            self.sheet_name = book.sheet_name
            self.notes = book.notes
            self._cell = _cell_reader(book, _shared_strings(self._archive, book.shared_strings))
            self._stream: IO[bytes] = self._archive.open(book.sheet_part)
        except (
            KeyError,
            OSError,
            EOFError,
            zipfile.BadZipFile,
            zlib.error,
            ET.ParseError,
            expat.ExpatError,
            ValueError,
        ) as exc:
            self._archive.close()
            raise exc if isinstance(exc, WorkbookError) else _broken(exc) from None
        self._ready: deque[tuple[int, list[str]]] = deque()
        self._parser = self._sheet_parser()
        self._done = False
        self._unpacked = 0
        self.line_num = 0
        self.width = 0

    def _sheet_parser(self) -> expat.XMLParserType:
        """An expat parser that appends each ``<row>`` of the sheet to ``_ready`` as (number, cells)."""
        ready, cell = self._ready, self._cell
        row_number = column = 0
        cells: list[str] = []
        kind: str | None = None
        style: str | None = None
        text: list[str] = []
        collecting = phonetic = False

        def start(name: str, attributes: dict[str, str]) -> None:
            nonlocal row_number, column, cells, kind, style, collecting, phonetic
            if name == _C:
                reference = attributes.get("r")
                column = _column_index(reference) if reference else column + 1
                kind, style = attributes.get("t"), attributes.get("s")
                text.clear()
            elif name == _V or (name == _T and not phonetic):
                collecting = True
            elif name == _RPH:
                phonetic = True
            elif name == _ROW:
                number = attributes.get("r")
                row_number = int(number) if number else row_number + 1
                if not 0 < row_number <= MAX_ROWS:
                    raise _broken(f"a row is numbered {row_number}, outside Excel's 1 to {MAX_ROWS:,}")
                cells, column = [], 0

        def end(name: str) -> None:
            nonlocal collecting, phonetic
            if name in (_V, _T):
                collecting = False
            elif name == _C:
                value = cell(kind, style, "".join(text)) if text else ""
                if value:
                    if len(cells) < column - 1:
                        cells.extend([""] * (column - 1 - len(cells)))
                    if len(cells) == column - 1:
                        cells.append(value)
                    else:  # a cell written twice: the later wins, as Excel reads it
                        cells[column - 1] = value
            elif name == _RPH:
                phonetic = False
            elif name == _ROW:
                ready.append((row_number, cells))

        def characters(data: str) -> None:
            if collecting:
                text.append(data)

        return _parser(start, end, characters)

    def __iter__(self) -> SheetRows:
        return self

    def __next__(self) -> list[str]:
        ready = self._ready
        while not ready:
            if self._done:
                raise StopIteration
            try:
                chunk = self._stream.read(_CHUNK)
                self._unpacked += len(chunk)
                if self._unpacked > MAX_SHEET_BYTES:
                    raise WorkbookError(
                        f"is an Excel workbook (.xlsx) whose sheet unpacks to more than {MAX_SHEET_BYTES >> 30} GiB"
                    )
                self._parser.Parse(chunk, not chunk)
            except WorkbookError:
                raise
            except expat.ExpatError as exc:
                raise _broken(f"its sheet is not well-formed XML ({exc})") from None
            except (ValueError, OSError, EOFError, zipfile.BadZipFile, zlib.error) as exc:  # r="x", a bad CRC
                raise _broken(exc) from None
            self._done = not chunk
        number, row = ready[0]
        if number > self.line_num + 1:  # rows the sheet leaves out are empty rows
            self.line_num += 1
            return []
        ready.popleft()
        self.line_num = max(number, self.line_num + 1)
        if len(row) < self.width:
            row.extend([""] * (self.width - len(row)))
        return row

    def close(self) -> None:
        if hasattr(self, "_stream"):
            self._stream.close()
        self._archive.close()


# -- the workbook's parts ----------------------------------------------------------------------


class _Book:
    """What the workbook part and its relationships say: the sheet to read and where its shared
    strings and styles are; the date system; which cell styles show a number as a date."""

    def __init__(self, archive: zipfile.ZipFile, wanted: str | None) -> None:
        workbook = _xml(archive, "xl/workbook.xml")
        targets = {
            rel.get("Id"): (rel.get("Type", "").rsplit("/", 1)[-1], _part(rel.get("Target", "")))
            for rel in _xml(archive, "xl/_rels/workbook.xml.rels").iter(f"{{{_PACKAGE_REL}}}Relationship")
        }
        sheets = [
            (sheet.get("name", ""), sheet.get("state", "visible") == "visible", targets.get(sheet.get(f"{{{_REL}}}id")))
            for sheet in workbook.iter(f"{{{_MAIN}}}sheet")
        ]
        worksheets = [
            (name, visible, target[1]) for name, visible, target in sheets if target and target[0] == "worksheet"
        ]
        chosen, self.notes = choose_sheet([(name, visible) for name, visible, _ in worksheets], wanted, _XLSX)
        self.sheet_name, _, self.sheet_part = worksheets[chosen]
        parts = {kind: part for kind, part in targets.values()}
        self.shared_strings = parts.get("sharedStrings")
        properties = workbook.find(f"{{{_MAIN}}}workbookPr")
        self.date1904 = properties is not None and properties.get("date1904", "0").lower() in ("1", "true")
        self.date_styles = _date_styles(archive, parts.get("styles"))


_XLSX = "an Excel workbook (.xlsx)"


def choose_sheet(sheets: Sequence[tuple[str, bool]], wanted: str | None, book: str) -> tuple[int, list[str]]:
    """Which of a workbook's worksheets (name, visible) is read, and the notes to give: the one
    named ``wanted`` (hidden or not), else the first visible one, with a note when there are more.
    ``book`` names the kind of workbook in an error."""
    if wanted is not None:
        for index, (name, _) in enumerate(sheets):
            if name.strip() == wanted.strip():
                return index, []
        names = ", ".join(name for name, _ in sheets) or "none"
        raise WorkbookError(f"is {book} with no worksheet named {wanted} (its sheets: {names})")
    shown = [index for index, (_, visible) in enumerate(sheets) if visible]
    if not shown:
        raise WorkbookError(f"is {book} with no visible worksheet")
    notes: list[str] = []
    if len(shown) > 1:
        notes.append(f"the workbook has {len(shown)} sheets: only the first, shown here, was read")
    return shown[0], notes


def _part(target: str) -> str:
    """A relationship target as the ZIP names it: relative to ``xl/``, or absolute from the root."""
    if target.startswith("/"):
        return target.lstrip("/")
    parts: list[str] = []
    for piece in PurePosixPath("xl", target).parts:
        if piece == "..":
            if parts:
                parts.pop()
        elif piece != ".":
            parts.append(piece)
    return "/".join(parts)


_DOCTYPE = "is an Excel workbook (.xlsx) with a DOCTYPE in its XML, which no workbook has"


def _parser(
    start: Callable[[str, dict[str, str]], None], end: Callable[[str], None], characters: Callable[[str], None]
) -> expat.XMLParserType:
    """An expat parser calling these handlers, element names namespaced (``<main ns> c``)."""
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.buffer_text = True
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = characters

    def refuse(*_: object) -> None:
        raise WorkbookError(_DOCTYPE)

    parser.StartDoctypeDeclHandler = refuse
    return parser


def _xml(archive: zipfile.ZipFile, name: str) -> ET.Element:
    """A small part of the workbook, parsed whole (DOCTYPEs refused, as in the sheet)."""
    data = archive.read(name)
    if b"<!DOCTYPE" in data[:4096].upper():
        raise WorkbookError(_DOCTYPE)
    return ET.fromstring(data)


class SharedStrings:
    """A workbook's shared strings, kept compact: the text of each ``PART`` strings joined in one
    string, with their offsets in an array. A string a piece took ~70 bytes for a ten-character
    name; a million rows' strings took 360 MB, and twice that once the reading child process,
    touching each one, had copied them. ``strings[i]`` is the i-th string."""

    PART = 4096

    __slots__ = ("_count", "_joined", "_offsets", "_pending")

    def __init__(self) -> None:
        self._joined: list[str] = []
        self._offsets: list[array[int]] = []
        self._pending: list[str] = []
        self._count = 0

    def append(self, value: str) -> None:
        self._pending.append(value)
        self._count += 1
        if len(self._pending) == self.PART:
            self._seal()

    def _seal(self) -> None:
        offsets = array("L", [0])
        end = 0
        for value in self._pending:
            end += len(value)
            offsets.append(end)
        self._joined.append("".join(self._pending))
        self._offsets.append(offsets)
        self._pending = []

    def finish(self) -> SharedStrings:
        if self._pending:
            self._seal()
        return self

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, index: int) -> str:
        if not 0 <= index < self._count:
            raise IndexError(index)
        part, position = divmod(index, self.PART)
        offsets = self._offsets[part]
        return self._joined[part][offsets[position] : offsets[position + 1]]


def _shared_strings(archive: zipfile.ZipFile, part: str | None) -> SharedStrings:
    """The workbook's shared strings, each without its furigana runs (``<rPh>``)."""
    strings = SharedStrings()
    if part is None or part not in archive.namelist():
        return strings
    text: list[str] = []
    size = 0
    collecting = phonetic = False

    def start(name: str, _: dict[str, str]) -> None:
        nonlocal collecting, phonetic
        if name == _T and not phonetic:
            collecting = True
        elif name == _RPH:
            phonetic = True
        elif name == _SI:
            text.clear()

    def end(name: str) -> None:
        nonlocal collecting, phonetic, size
        if name == _T:
            collecting = False
        elif name == _RPH:
            phonetic = False
        elif name == _SI:
            value = "".join(text)
            size += len(value)
            if size > MAX_SHARED_CHARS:
                raise WorkbookError(
                    f"is an Excel workbook (.xlsx) with more than {MAX_SHARED_CHARS:,} characters of text"
                )
            strings.append(value)

    def characters(data: str) -> None:
        if collecting:
            text.append(data)

    parser = _parser(start, end, characters)
    with archive.open(part) as stream:
        while chunk := stream.read(_CHUNK):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    return strings.finish()


def _date_styles(archive: zipfile.ZipFile, part: str | None) -> frozenset[str]:
    """The cell styles (``s`` attribute values) whose number format shows a date or a time."""
    if part is None or part not in archive.namelist():
        return frozenset()
    styles = _xml(archive, part)
    custom = {int(fmt.get("numFmtId", "-1")): fmt.get("formatCode", "") for fmt in styles.iter(f"{{{_MAIN}}}numFmt")}
    cell_formats = styles.find(f"{{{_MAIN}}}cellXfs")
    if cell_formats is None:
        return frozenset()
    dates: set[str] = set()
    for index, xf in enumerate(cell_formats.iter(f"{{{_MAIN}}}xf")):
        number_format = int(xf.get("numFmtId", "0"))
        code = custom.get(number_format)
        if (code is not None and is_date_format(code)) or (code is None and number_format in _BUILTIN_DATE_FORMATS):
            dates.add(str(index))
    return frozenset(dates)


def is_date_format(code: str) -> bool:
    """Whether a number format code shows a date or a time (``yyyy/m/d``, ``[$-411]ggge年m月d日``,
    ``h:mm``), not a number (``#,##0``, ``0.00E+00``, ``"円"#,##0``)."""
    if code.strip().lower() in ("general", "@", ""):
        return False
    return _DATE_PARTS.search(_FORMAT_NOISE.sub("", code)) is not None


# -- cells -----------------------------------------------------------------------------------


def _column_index(reference: str) -> int:
    """``C5`` → 3: the 1-based column of a cell reference."""
    letters = reference.rstrip("0123456789")
    index = _COLUMNS.get(letters)
    if index is not None:
        return index
    if _COLUMN.fullmatch(letters) is None:
        raise _broken(f"a cell reference {reference!r} names no column")
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - 64
    if index > MAX_COLUMNS:
        raise _broken(f"a cell reference {reference!r} is past Excel's last column, XFD")
    return index


def _letters(index: int) -> str:
    """1 → A, 27 → AA: a column's letters."""
    name = ""
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


#: The letters of the first 702 columns (A…ZZ), looked up rather than computed per cell.
_COLUMNS: dict[str, int] = {_letters(index): index for index in range(1, 703)}


def _cell_reader(book: _Book, strings: SharedStrings) -> Callable[[str | None, str | None, str], str]:
    """A cell's text from its type (``t``), style (``s``) and the text of its value."""
    date_styles = book.date_styles
    epoch = datetime(1904, 1, 1) if book.date1904 else datetime(1899, 12, 30)

    def read(kind: str | None, style: str | None, value: str) -> str:
        if kind is None or kind == "n":
            if style is not None and style in date_styles:
                return _serial_text(value, epoch, book.date1904)
            return number_text(value)
        if kind == "s":
            try:
                return strings[int(value)]
            except (ValueError, IndexError):
                raise _broken(f"a cell names shared string {value!r}, which the workbook does not have") from None
        if kind == "b":
            return "TRUE" if value.strip() in ("1", "true") else "FALSE"
        return value  # inlineStr, str (a formula's text), e (#N/A), d (ISO 8601)

    return read


def number_text(value: str) -> str:
    """A number cell as Excel's CSV shows it: digits for a whole number, else the shortest form."""
    if value.isdigit():
        return value
    try:
        number = float(value)
    except ValueError:
        return value
    if number.is_integer() and abs(number) < 1e15:
        return str(int(number))
    return repr(number)


def _serial_text(value: str, epoch: datetime, date1904: bool) -> str:
    """A date serial (days since the epoch, the fraction the time) as ISO 8601 text."""
    try:
        serial = float(value)
    except ValueError:
        return value
    if 0 <= serial < 1:  # a time of day
        return (datetime.min + timedelta(seconds=round(serial * 86400))).time().isoformat()
    if not date1904 and serial < 60:  # Excel's 1900 system counts a 29 February 1900 that never was
        serial += 1
    try:
        moment = epoch + timedelta(seconds=round(serial * 86400))
    except OverflowError:
        return number_text(value)
    if moment.time() == datetime.min.time():
        return moment.date().isoformat()
    return moment.isoformat(sep=" ")
