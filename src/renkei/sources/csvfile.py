"""Streaming reader for uploaded CSV/TSV files (mostly CP932 from Excel).

The file is decoded chunk by chunk (``io.TextIOWrapper`` with ``newline=""``) and parsed by the
standard ``csv`` module as the rows are asked for; nothing holds the whole file, so a 2 GB
upload needs the same memory as a 2 KB one (one physical line must fit in memory, and the
``csv`` field limit of 128 Ki characters bounds a runaway quoted value).

Rows come back in batches. Each item is either ``(line, values)`` with one value per header or
a ``CsvProblem`` for that row; a bad row never stops the file. ``line`` is the 1-based physical
line of the row's first line in the file: a row whose quoted value spans lines 3-4 is line 3.

Row rules: blank rows (no cell with text) are skipped silently; a row with fewer cells than the
header is a problem and left out; extra cells that are all empty are dropped silently (Excel
writes them); extra cells with text make the row a problem; undecodable bytes make the row a
problem that shows them as ``\\xNN``. Header rules: cells are stripped of BOM and whitespace;
trailing empty header cells are dropped; an empty header cell inside is named ``column N``; a
repeated name gets `` (2)``, `` (3)``…; each of these is a file-level problem (a warning).
Lines above the header that hold one cell of text (a title such as ``顧客一覧``, an export date),
as Excel reports and ledgers often start with, are passed over when a wider row follows them
and the row after that is wide too, or there is none (a report with no rows yet): that row is
the header, and each line passed over is a warning that shows its text. A one-column file is
read as before. And when the header so found names no column we know while one of the next
lines (ten in all) names two fields or more (``氏名``, ``メールアドレス``), the lines above that one are passed
over the same way: a ledger's group headings (``基本情報,,,連絡先,``), an export date in two cells.

Whole-file problems (missing, empty, binary, undecodable header, no header) raise
``UnreadableFileError``.

A cell that is a text formula and nothing else (``="0312345678"``: exports meant for Excel write
values so that Excel keeps their leading zeros) is read as its text, when the first 64 KiB of the
file hold such a cell (a note says so); ``="x"&"y"`` and the like stay as written.

Cells that look like spreadsheet formulas (``=cmd|' /C calc'!A0``) are imported as plain text:
Renkei never evaluates them. Anything that writes CSV back out must escape them (see
``is_formula_like``; the CSV export prefixes them with a single quote).
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import operator
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import BinaryIO, Protocol, cast

from renkei.core.headers import guess_target
from renkei.errors import ConfigurationError, FatalError
from renkei.sources.encoding import (
    ESCAPE_ERRORS,
    ESCAPED_CHARS,
    SAMPLE_SIZE,
    Detected,
    NotTextError,
    bom_of,
    decodes,
    detect_encoding,
    escaped_bytes,
    resolve_encoding,
    show_escaped,
    undecodable_count,
)
from renkei.sources.protected import ProtectedFileError, decrypted_copy, is_protected
from renkei.sources.workbooks import Sheet, open_sheet, workbook_kind
from renkei.sources.xlsxfile import WorkbookError

# Appended after the last line: a row that ends with it was still inside quotes at end of file.
_END = "\uffff"
_PREVIEW = 200
_DELIMITERS = (",", "\t", ";")
_QUOTED = re.compile(r'"[^"]*"')
_LINE_NUM = operator.attrgetter("line_num")
_ROW = operator.itemgetter(1)
_FIRST = operator.itemgetter(0)
#: What a ledger's closing line says in its first cell (以上, 以下余白, a total): never a customer.
_CLOSING_WORDS = frozenset(["以上", "以下余白", "合計", "小計", "総計", "件数", "総件数", "合計件数"])
# A count beside it: 3, 1,234, 3件, ３名.
_COUNT = re.compile(r"[0-9０-９][0-9０-９,，]*\s*[件名人]?")
#: A count in the closing line's one cell, as a system's export writes it (出力件数：2件, 合計 3名).
_COUNT_LINE = re.compile(
    r"(?:出力|検索|抽出|該当|登録|データ|レコード|総|合計)?(?:件数|合計|総計|小計|計)(?:\s*[:：]\s*|\s+)"
    + _COUNT.pattern
)


class _Rows(Protocol):
    """What the reader reads rows from: ``csv.reader``, or a workbook's sheet (``workbooks.Sheet``)."""

    @property
    def line_num(self) -> int: ...

    def __iter__(self) -> Iterator[list[str]]: ...

    def __next__(self) -> list[str]: ...


# A cell that is a text formula, ="…", between delimiters (or a line's ends).
_TEXT_FORMULA_CELL = re.compile(r'(?:^|[,\t;])="(?:[^"\r\n]|"")*"(?=[,\t;\r\n]|$)', re.MULTILINE)
#: How many non-blank lines at the top of a file are looked at for the delimiter and for title
#: lines above the header.
PREAMBLE_ROWS = 10


class UnreadableFileError(FatalError):
    """The file as a whole cannot be read as CSV: empty, binary, undecodable, no header."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path.name} {reason}")
        self.path = path
        self.reason = reason


@dataclass(frozen=True, slots=True)
class CsvOptions:
    """How to read one file; ``None`` means detect it.

    ``delimiter`` is sniffed from the header line (``,``, tab or ``;``; ``.tsv``/``.tab`` files
    are tab). Without a header the columns are named ``column 1``… after the first row.
    """

    encoding: str | None = None
    delimiter: str | None = None
    has_header: bool = True
    #: The worksheet of an Excel workbook to read, by name (the first visible one when None).
    sheet: str | None = None
    #: The password a password-protected workbook opens with (``protected``).
    password: str | None = field(default=None, repr=False)


@dataclass(frozen=True, slots=True)
class CsvProblem:
    """Something wrong with one row (``line`` set) or with the file's header (file warnings)."""

    line: int | None
    column: str | None
    value: str | None
    reason: str
    #: A line that is no row, passed over (a closing line, the header again): a note, not an error.
    passed_over: bool = False

    def __str__(self) -> str:
        where = [f"line {self.line}"] if self.line is not None else []
        if self.column is not None:
            where.append(f"column {self.column!r}")
        text = ", ".join([*where, self.reason]) if where else self.reason
        return f"{text}: {self.value!r}" if self.value is not None else text


RowResult = tuple[int, list[str]] | CsvProblem
"""``(line, values)`` with one value per header, or the problem that kept the row out."""

_FORMULA_START = frozenset("=+-@\t\r＝＋－＠")
_SIGNS = frozenset("+-＋－")
_PLAIN_NUMBER = re.compile(r"[+\-＋－][0-9０-９]+(?:[.,][0-9０-９]+)*%?")


def is_formula_like(value: str) -> bool:
    """Whether a spreadsheet would treat ``value`` as a formula (CSV injection).

    True for ``=``/``@``/tab/CR followed by anything, and for ``+``/``-`` unless what follows is
    a plain number (``-5``, ``+1.5``) or only dashes (``-``, ``---``). ``+81 90-1234-5678`` counts:
    Excel would evaluate it. Imports keep such values as text; the CSV export must prefix them
    with a single quote.
    """
    if len(value) < 2 or value[0] not in _FORMULA_START:
        return False
    if value[0] in _SIGNS:
        if not value.strip("-－ "):
            return False
        if _PLAIN_NUMBER.fullmatch(value):
            return False
    return True


def open_csv(path: Path, options: CsvOptions | None = None, *, name: str | None = None) -> CsvFile:
    """Open ``path``, settle encoding, delimiter and header, and return it ready to read.

    ``name`` is the file's name as the user knows it (an archived payload is stored under its
    hash): errors and the .tsv rule use it.

    Use as a context manager. Raises ``UnreadableFileError`` for a file that cannot be read at
    all and ``ConfigurationError`` for an unknown encoding or a bad delimiter in ``options``.
    """
    options = options or CsvOptions()
    if options.delimiter is not None and len(options.delimiter) != 1:
        raise ConfigurationError(f"the delimiter must be one character, not {options.delimiter!r}")
    codec_override = resolve_encoding(options.encoding) if options.encoding else None
    shown = Path(name) if name else path
    book, scratch = workbook_kind(path), None
    if book == "xls" and is_protected(path):  # an OLE2 file encrypted with a password: read decrypted
        try:
            scratch = decrypted_copy(path, options.password)
        except ProtectedFileError as exc:
            raise UnreadableFileError(shown, exc.reason) from None
        if (decrypted := workbook_kind(scratch)) is not None:
            path, book = scratch, decrypted
        else:  # an encrypted Office file that is no workbook: read as it came, which says what it is
            _remove(scratch)
            scratch = None
    if book:
        try:
            sheet = open_sheet(path, book, options.sheet)
        except WorkbookError as exc:
            _remove(scratch)
            raise UnreadableFileError(shown, exc.reason) from None
        try:
            return CsvFile(shown, None, options, None, sheet=sheet, scratch=scratch)
        except BaseException:
            sheet.close()
            _remove(scratch)
            raise
    try:
        stream = path.open("rb")
    except OSError as exc:
        raise UnreadableFileError(shown, f"cannot be opened: {exc.strerror or exc}") from exc
    try:
        return CsvFile(shown, stream, options, codec_override)
    except BaseException:
        stream.close()
        raise


def _remove(scratch: Path | None) -> None:
    if scratch is not None:
        scratch.unlink(missing_ok=True)


class CsvFile:
    """One open CSV file: ``encoding``, ``delimiter``, ``headers``, file-level ``problems``.

    Single pass: ``batches()`` (or iterating the file) goes on from where the last call stopped.
    """

    def __init__(
        self,
        path: Path,
        stream: BinaryIO | None,
        options: CsvOptions,
        codec_override: str | None,
        *,
        sheet: Sheet | None = None,
        scratch: Path | None = None,
    ) -> None:
        self.path = path
        self._scratch = scratch  # a decrypted copy to remove on close
        self.problems: list[CsvProblem] = []
        # Counts of undecodable bytes decoded but not yet found in a row; non-empty = look.
        self._dirty: list[int] = []
        self._sheet = sheet
        self._text_formulas = False
        self._reader: _Rows
        if sheet is not None:
            # A workbook: its first sheet's rows, read as a CSV file's (``workbooks``).
            self.encoding = self._detected = sheet.kind
            self.delimiter = ","  # how a row is shown in a problem
            self.problems.extend(CsvProblem(None, None, sheet.sheet_name, note) for note in sheet.notes)
            self._reader = sheet
        else:
            assert stream is not None
            self._stream = stream
            detected = self._settle_encoding(options, codec_override)
            self.encoding = detected.encoding
            self._codec = detected.codec
            self._bom_length = detected.bom_length
            head = self._head()
            self.delimiter = options.delimiter or self._sniff_delimiter(head)
            self._text_formulas = self._has_text_formulas(head)
            stream.seek(self._bom_length)
            # Decodes in chunks as the parser asks for lines; with newline="" the parser sees every
            # line ending as written, so quoted line breaks survive and line numbers are physical.
            self._text = io.TextIOWrapper(stream, encoding=self._codec, errors=ESCAPE_ERRORS, newline="")
            lines = itertools.chain(self._text, (_END,))
            self._reader = csv.reader(lines, delimiter=self.delimiter)
        self._last_line = 0
        self._early: list[CsvProblem] = []  # rows looked at for the header that could not be parsed
        # Rows read while looking for the header that are data: handed out first by batches().
        self._pending: list[tuple[int, list[str]]] = []
        self.header_line: int | None = None
        self._header_row: list[str] | None = None  # as read: a row equal to it repeats the header
        self.headers: list[str] = self._read_header(options.has_header)
        self._width = len(self.headers)
        if sheet is not None:
            sheet.width = self._width  # a row's empty cells at its end are not a ragged row
        self._next_line = self._last_line + 1  # where the row after the last one seen starts

    # -- context manager -------------------------------------------------------------------

    def __enter__(self) -> CsvFile:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        if self._sheet is not None:
            self._sheet.close()
            _remove(self._scratch)
            return
        if hasattr(self, "_text"):
            self._text.close()
        self._stream.close()

    # -- setup -----------------------------------------------------------------------------

    def _fail(self, reason: str) -> UnreadableFileError:
        return UnreadableFileError(self.path, reason)

    def _settle_encoding(self, options: CsvOptions, override: str | None) -> Detected:
        size = os.fstat(self._stream.fileno()).st_size
        try:
            detected = detect_encoding(self._stream, size)
        except NotTextError as exc:
            raise self._fail(exc.reason) from None
        self._detected = detected.encoding
        if override is None:
            return detected
        head = self._stream.read(SAMPLE_SIZE)
        self._stream.seek(0)
        if override != detected.codec and not decodes(head, override, complete=len(head) >= size):
            reason = f"the file looks like {detected.encoding} but the encoding is set to {override}"
            self.problems.append(CsvProblem(None, None, None, reason))
        bom = bom_of(head)
        if override in ("utf-8", "utf-8-sig"):
            if bom is not None and bom[0] == "utf-8-sig":
                return Detected("utf-8-sig", "utf-8", bom[1])
            return Detected("utf-8", "utf-8", 0)
        return Detected(override, override, 0)

    def _head(self) -> str:
        """The file's first ``SAMPLE_SIZE`` bytes after its BOM, decoded: what the delimiter and
        text formulas are looked for in."""
        self._stream.seek(self._bom_length)
        head = codecs.getincrementaldecoder(self._codec)("replace").decode(self._stream.read(SAMPLE_SIZE), final=False)
        self._stream.seek(0)
        return head

    def _sniff_delimiter(self, head: str) -> str:
        if self.path.suffix.lower() in (".tsv", ".tab"):
            return "\t"
        lines = [_QUOTED.sub("", line) for line in head.splitlines() if line.strip()][:PREAMBLE_ROWS]
        # The first line with a delimiter in it: a title line above the header may have none.
        first = next((line for line in lines if any(d in line for d in _DELIMITERS)), "")
        counts = [first.count(d) for d in _DELIMITERS]
        best = max(range(len(_DELIMITERS)), key=lambda i: counts[i])
        return _DELIMITERS[best] if counts[best] else ","

    def _has_text_formulas(self, head: str) -> bool:
        """Whether the file writes values as text formulas (``="0312345678"``), as exports meant for
        Excel do to keep leading zeros: looked for in its first ``SAMPLE_SIZE`` bytes only, so other
        files pay nothing for it. Noted once for the file."""
        if '="' not in head or _TEXT_FORMULA_CELL.search(head) is None:
            return False
        reason = (
            "cells written as a text formula, which keeps a value such as 0312345678 as written, are read as the text"
        )
        self.problems.append(CsvProblem(None, None, None, reason))
        return True

    def _next_row(self, *, past_header: bool = False) -> tuple[int, list[str]] | None:
        """The next non-blank row and its line, for the header; None at end of file.

        ``past_header``: the rows looked at may be data rows, so they come back as ``batches``
        would give them: a blank one too, and one that cannot be parsed as a problem of its own
        (``_early``, handed out with the first batch).
        """
        reader = self._reader
        while True:
            before = undecodable_count()
            try:
                row = next(reader)
            except StopIteration:
                return None
            except csv.Error as exc:
                if past_header:
                    self._early.append(CsvProblem(self._last_line + 1, None, None, f"cannot parse this row: {exc}"))
                    self._last_line = reader.line_num
                    continue
                raise self._fail(f"cannot be parsed near line {self._last_line + 1}: {exc}") from None
            except WorkbookError as exc:
                raise self._fail(exc.reason) from None
            finally:
                self._note_undecodable(before)
            line, self._last_line = self._last_line + 1, reader.line_num
            if past_header or any(cell.strip() for cell in row):
                return line, row

    def _read_header(self, has_header: bool) -> list[str]:
        first = self._next_row()
        if first is None or first[1] == [_END]:
            raise self._fail("has no header: it has no line with any text")
        line, row = first
        if row[-1].endswith(_END):
            raise self._fail(f"cannot be parsed: a quote opened on line {line} is never closed")
        if not has_header:
            self._pending = [first]
            return [f"column {i}" for i in range(1, len(row) + 1)]
        line, row = self._past_unknown_lines(self._after_preamble(first))
        bad = [cell for cell in row if ESCAPED_CHARS.search(cell)]
        if bad:
            guess = f"; it looks like {self._detected}" if self._detected != self.encoding else ""
            raise self._fail(
                f"has a header line that cannot be decoded as {self.encoding}{guess}: "
                f"{show_escaped(bad[0])} (is the encoding setting right?)"
            )
        self.header_line = line
        self._header_row = row
        names = [cell.replace("\ufeff", "").strip() for cell in row]
        while names and not names[-1]:
            names.pop()
        return self._unique_names(line, names)

    def _after_preamble(self, first: tuple[int, list[str]]) -> tuple[int, list[str]]:
        """The header row: ``first``, unless it and the rows after it hold one cell of text each
        (a title, an export date) and are followed by a wider row, then a wide row or nothing."""
        if _text_cells(first[1]) > 1:
            return first
        read = [first]
        while len(read) < PREAMBLE_ROWS and _text_cells(read[-1][1]) <= 1 and not _ends_file(read[-1][1]):
            row = self._next_row()
            if row is None:
                break
            read.append(row)
        header = read[-1]
        if len(read) == 1 or _text_cells(header[1]) <= 1 or _ends_file(header[1]):
            self._pending = read[1:]
            return first
        after = self._next_row()
        if after is not None and not _ends_file(after[1]) and _text_cells(after[1]) <= 1:
            # A narrow row after it: a one-column file with a ragged row, read as before.
            self._pending = [*read[1:], after]
            return first
        # A wide row after it, or nothing (a report with a title and no rows yet): the header.
        self._pending = [after] if after is not None else []
        for line, cells in read[:-1]:
            self._passed_over(line, cells)
        return header

    def _past_unknown_lines(self, header: tuple[int, list[str]]) -> tuple[int, list[str]]:
        """The header row: ``header``, unless it names no column we know and one of the next
        lines (up to ``PREAMBLE_ROWS`` in all) names two fields or more (``氏名``, ``メールアドレス``…):
        the lines above that one are a report's heading, an export's date or a ledger's group
        headings over its columns (``基本情報,,,連絡先,,``), and are passed over."""
        if any(guess_target(cell) for cell in header[1]):
            return header
        looked: list[tuple[int, list[str]]] = []
        pending = self._pending
        while len(looked) < PREAMBLE_ROWS - 1:
            row = pending.pop(0) if pending else self._next_row(past_header=True)
            if row is None:
                break
            looked.append(row)
            if _ends_file(row[1]):
                break
            if len({target for cell in row[1] if (target := guess_target(cell))}) >= 2:
                for line, cells in [header, *looked[:-1]]:
                    self._passed_over(line, cells)
                self._pending = pending
                return row
        self._pending = [*looked, *pending]
        return header

    def _passed_over(self, line: int, cells: list[str]) -> None:
        """Note a line above the header that is passed over, with its text (a blank one needs none)."""
        text = " ".join(cell.strip() for cell in cells if cell.strip())
        if text:
            self.problems.append(CsvProblem(line, None, _preview(text), "title line above the header, passed over"))

    def _unique_names(self, line: int, names: list[str]) -> list[str]:
        taken = set(names)
        seen: set[str] = set()
        result: list[str] = []
        for index, name in enumerate(names, start=1):
            if not name:
                new = f"column {index}"
                new = _free_name(new, taken) if new in taken else new
                self.problems.append(CsvProblem(line, new, "", f"header cell {index} is empty"))
                name = new
            elif name in seen:
                new = _free_name(name, taken)
                self.problems.append(CsvProblem(line, name, name, f"duplicate header {name!r} renamed to {new!r}"))
                name = new
            taken.add(name)
            seen.add(name)
            result.append(name)
        return result

    # -- rows ------------------------------------------------------------------------------

    def __iter__(self) -> Iterator[list[RowResult]]:
        return self.batches()

    def batches(self, size: int = 5000) -> Iterator[list[RowResult]]:
        """Rows in lists of at most ``size``; a file with only a header yields nothing.

        Batches are collected by C-level iterators (``zip`` of the reader's line counter and
        the reader) and checked in bulk; only a batch with a ragged, blank or undecodable row
        goes through the per-row path.
        """
        if size < 1:
            raise ValueError(f"batch size must be positive, not {size}")
        reader = self._reader
        starts = map(operator.add, map(_LINE_NUM, itertools.repeat(reader)), itertools.repeat(1))
        rows: Iterator[tuple[int, list[str]]] = zip(starts, reader, strict=False)
        if self._pending:
            rows = itertools.chain(self._pending, rows)
            self._pending = []
        while True:
            raw: list[tuple[int, list[str]]] = []
            error: csv.Error | None = None
            before = undecodable_count()
            try:
                raw.extend(itertools.islice(rows, size))
            except csv.Error as exc:
                error = exc
            except WorkbookError as exc:  # a sheet's XML cannot be read on: the file fails whole
                raise self._fail(exc.reason) from None
            self._note_undecodable(before)
            if raw:
                line, row = raw[-1]
                self._next_line = line + _span(row)
            batch = self._finish(raw)
            if self._early:
                batch = sorted([*self._early, *batch], key=_sort_line)
                self._early = []
            if error is not None:
                batch.append(CsvProblem(self._next_line, None, None, f"cannot parse this row: {error}"))
                self._next_line = reader.line_num + 1
            if batch:
                yield batch
            if error is None and len(raw) < size:
                return

    def _note_undecodable(self, before: int) -> None:
        """Remember bytes escaped by a read: rows holding them are found by the slow path."""
        count = undecodable_count() - before
        if count:
            self._dirty.append(count)

    def _finish(self, raw: list[tuple[int, list[str]]]) -> list[RowResult]:
        """``raw`` as results: as it is when every row is clean, else row by row."""
        batch: list[RowResult]
        if self._text_formulas:
            raw = [(line, list(map(_literal, row))) for line, row in raw]
        # Every row as wide as the header, with a first cell, and not the header again: no row
        # needs a closer look.
        if (
            not self._dirty
            and set(map(len, map(_ROW, raw))) <= {self._width}
            and all(map(_FIRST, map(_ROW, raw)))
            and self._header_row not in map(_ROW, raw)
            and _CLOSING_WORDS.isdisjoint(firsts := list(map(_FIRST, map(_ROW, raw))))
            and not _may_count(firsts)
        ):
            batch = cast(list[RowResult], raw)
        else:
            batch = []
            for line, row in raw:
                result = self._check(line, row)
                if result is not None:
                    batch.append(result)
        if raw and raw[-1][1] and raw[-1][1][-1].endswith(_END):
            # The end marker: alone it is a row of its own, else the file ended inside quotes.
            line, row = raw[-1]
            if batch and _line_of(batch[-1]) == line:
                batch.pop()
            if row != [_END]:
                value = self.delimiter.join(row)[: -len(_END)]
                batch.append(CsvProblem(line, None, _preview(value), "a quote opened here is never closed"))
        return batch

    def _check(self, line: int, row: list[str]) -> RowResult | None:
        """The slow path: undecodable bytes, blank and ragged rows. None = skip silently."""
        if self._dirty:
            result = self._check_decoding(line, row)
            if result is not None:
                return result
        if not any(row):
            return None
        if row == self._header_row:  # two files joined into one (copy a.csv+b.csv), a sheet's header repeated
            return CsvProblem(
                line, None, None, "the header line again (files joined into one?), passed over", passed_over=True
            )
        if _is_closing_line(row):
            value = _preview(self.delimiter.join(cell for cell in row if cell.strip()))
            return CsvProblem(
                line, None, value, "a closing line (以上, 合計 …), not a customer: passed over", passed_over=True
            )
        width, cells = self._width, len(row)
        if cells == width:
            return line, row
        if cells > width and not any(cell.strip() for cell in row[width:]):
            return line, row[:width]
        if cells < width and self._sheet is not None:
            # A sheet's row read before the header's width was known (passing over a title).
            return line, row + [""] * (width - cells)
        reason = f"row has {cells} cells, the header has {width}"
        return CsvProblem(line, None, _preview(self.delimiter.join(row)), reason)

    def _check_decoding(self, line: int, row: list[str]) -> CsvProblem | None:
        found = [(i, cell) for i, cell in enumerate(row) if ESCAPED_CHARS.search(cell)]
        if not found:
            return None
        # Bytes in a row lost to a csv.Error are never found: the slow path then just stays on.
        count = sum(len(escaped_bytes(cell)) for _, cell in found)
        remaining = sum(self._dirty) - count
        self._dirty.clear()
        if remaining > 0:
            self._dirty.append(remaining)
        index, cell = found[0]
        column = self.headers[index] if index < len(self.headers) else None
        shown = " ".join(f"0x{b:02x}" for b in escaped_bytes(cell)[:8])
        reason = f"cannot be decoded as {self.encoding} (bytes {shown})"
        return CsvProblem(line, column, _preview(show_escaped(cell)), reason)


def _literal(cell: str) -> str:
    """The text of a text formula cell (``="03-1234-5678"`` → ``03-1234-5678``); any other as it is."""
    if cell[:2] == '="' and cell[-1:] == '"' and len(cell) > 2:
        inner = cell[2:-1]
        if '"' not in inner.replace('""', ""):  # one literal, not ="a"&"b"
            return inner.replace('""', '"')
    return cell


def _is_closing_line(row: list[str]) -> bool:
    """A ledger's closing line: ``以上`` or ``以下余白`` alone, a total (``合計`` and a count, or
    ``出力件数：2件`` in one cell)."""
    cells = [cell.strip() for cell in row if cell.strip()]
    if len(cells) == 1 and _COUNT_LINE.fullmatch(cells[0]) is not None:
        return True
    if not cells or cells[0] not in _CLOSING_WORDS or len(cells) > 2:
        return False
    return len(cells) == 1 or _COUNT.fullmatch(cells[1]) is not None


def _may_count(firsts: list[str]) -> bool:
    """Whether a first cell of ``firsts`` may be a count (``出力件数：2件``): one search of them all."""
    joined = "\n".join(firsts)
    return "件" in joined or "計" in joined


def _text_cells(row: list[str]) -> int:
    return sum(1 for cell in row if cell.strip())


def _ends_file(row: list[str]) -> bool:
    """The row holds the end-of-file marker (it is the marker, or a quote ran to the end)."""
    return bool(row) and row[-1].endswith(_END)


def _span(row: list[str]) -> int:
    """How many physical lines a parsed row took: one plus the line breaks inside its cells."""
    breaks = 0
    for cell in row:
        if "\n" in cell or "\r" in cell:
            breaks += cell.count("\n") + cell.count("\r") - cell.count("\r\n")
    return 1 + breaks


def _free_name(name: str, taken: set[str]) -> str:
    for n in itertools.count(2):
        candidate = f"{name} ({n})"
        if candidate not in taken:
            return candidate
    raise AssertionError("unreachable")


def _sort_line(item: RowResult) -> int:
    return _line_of(item) or 0


def _line_of(item: RowResult) -> int | None:
    return item.line if isinstance(item, CsvProblem) else item[0]


def _preview(text: str) -> str:
    return text if len(text) <= _PREVIEW else text[:_PREVIEW] + "…"
