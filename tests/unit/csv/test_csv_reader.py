"""The streaming CSV reader on files a user would upload: encodings, shapes, hostile input."""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import random
import tempfile
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from renkei.errors import ConfigurationError, FatalError
from renkei.sources.csvfile import (
    CsvOptions,
    CsvProblem,
    RowResult,
    UnreadableFileError,
    is_formula_like,
    open_csv,
)

JAPANESE = ["山田①", "㈱髙島屋", "～", "ｶﾀｶﾅ", "髙橋　花子", "〒100-0001", "－"]


def write(tmp_path: Path, data: bytes, name: str = "upload.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def read(path: Path, options: CsvOptions | None = None, size: int = 5000) -> list[RowResult]:
    with open_csv(path, options) as csv_file:
        return [item for batch in csv_file.batches(size) for item in batch]


def rows_of(items: list[RowResult]) -> list[tuple[int, list[str]]]:
    return [item for item in items if isinstance(item, tuple)]


def problems_of(items: list[RowResult]) -> list[CsvProblem]:
    return [item for item in items if isinstance(item, CsvProblem)]


def to_csv(rows: list[list[str]], delimiter: str = ",") -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter).writerows(rows)
    return out.getvalue()


# -- encodings ---------------------------------------------------------------------------------


def test_cp932_from_excel_round_trips(tmp_path: Path) -> None:
    rows = [["氏名", "会社", "メモ"], *[[v, v + "㈱", "①～ｶﾀｶﾅ髙"] for v in JAPANESE]]
    path = write(tmp_path, to_csv(rows).encode("cp932"))
    with open_csv(path) as csv_file:
        assert csv_file.encoding == "cp932"
        assert csv_file.delimiter == ","
        assert csv_file.headers == rows[0]
        got = [item for batch in csv_file.batches() for item in batch]
    assert got == [(line, row) for line, row in enumerate(rows[1:], start=2)]


@pytest.mark.parametrize(("bom", "encoding"), [(b"", "utf-8"), (codecs.BOM_UTF8, "utf-8-sig")], ids=["no-bom", "bom"])
def test_utf8_with_and_without_bom(tmp_path: Path, bom: bytes, encoding: str) -> None:
    path = write(tmp_path, bom + "名前,メール\n山田①,a@example.jp\n".encode())
    with open_csv(path) as csv_file:
        assert csv_file.encoding == encoding
        assert csv_file.headers == ["名前", "メール"]  # no BOM left on the first header
        assert list(csv_file) == [[(2, ["山田①", "a@example.jp"])]]


def test_excel_unicode_text_utf16_tsv(tmp_path: Path) -> None:
    path = write(tmp_path, "氏名\tメモ\r\n髙橋\t①\r\n".encode("utf-16"), "export.txt")
    with open_csv(path) as csv_file:
        assert (csv_file.encoding, csv_file.delimiter) == ("utf-16", "\t")
        assert list(csv_file) == [[(2, ["髙橋", "①"])]]


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_byte_order_mark_is_recognised(tmp_path: Path, codec: str) -> None:
    # Some Windows tools write "Unicode" without the mark; it failed as a binary file (NUL bytes).
    text = "氏名,メール,住所\r\n" + "".join(
        f"鈴木 一郎{i},ichiro{i}@example.jp,東京都　千代田区{i}\r\n" for i in range(5)
    )
    path = write(tmp_path, text.encode(codec))
    with open_csv(path) as csv_file:
        assert csv_file.encoding == codec
        assert rows_of([i for b in csv_file for i in b])[0] == (
            2,
            ["鈴木 一郎0", "ichiro0@example.jp", "東京都　千代田区0"],
        )


def test_a_binary_file_of_small_numbers_is_not_taken_for_utf16(tmp_path: Path) -> None:
    path = write(tmp_path, bytes([5, 0, 7, 0, 1, 0, 200, 0] * 200))
    with pytest.raises(UnreadableFileError):
        open_csv(path)


def test_euc_jp_is_recognised(tmp_path: Path) -> None:
    text = "氏名,住所\n" + "".join(f"山田太郎{i},東京都千代田区丸の内{i}丁目\n" for i in range(20))
    path = write(tmp_path, text.encode("euc_jp"))
    with open_csv(path) as csv_file:
        assert csv_file.encoding == "euc_jp"
        assert rows_of([i for b in csv_file for i in b])[0] == (2, ["山田太郎0", "東京都千代田区丸の内0丁目"])


def test_seven_bit_jis_is_recognised_and_read_across_chunks(tmp_path: Path) -> None:
    # ISO-2022-JP, as old systems and text saved from mail write it: its kanji are escape
    # sequences and seven-bit bytes, which UTF-8 would read as control characters.
    text = "氏名,住所\n" + "".join(f"山田太郎{i},東京都千代田区丸の内{i}丁目\n" for i in range(20_000))
    path = write(tmp_path, text.encode("iso2022_jp"))
    with open_csv(path) as csv_file:
        assert csv_file.encoding == "iso2022_jp_2"
        rows = rows_of([i for b in csv_file for i in b])
    assert len(rows) == 20_000
    assert rows[0] == (2, ["山田太郎0", "東京都千代田区丸の内0丁目"])
    assert rows[-1] == (20_001, ["山田太郎19999", "東京都千代田区丸の内19999丁目"])


def test_japanese_after_a_long_ascii_start_is_still_cp932(tmp_path: Path) -> None:
    ascii_rows = "".join(f"{i},user{i}@example.com\n" for i in range(8000))  # > 64 KiB
    path = write(tmp_path, ("id,email\n" + ascii_rows + "9999,髙橋①\n").encode("cp932"))
    with open_csv(path) as csv_file:
        assert csv_file.encoding == "cp932"
        items = [i for b in csv_file for i in b]
    assert problems_of(items) == []
    assert items[-1] == (8002, ["9999", "髙橋①"])


@pytest.mark.parametrize("label", ["Shift_JIS", "sjis", "x-sjis", "Windows-31J", "MS932", "cp932", "shift-jis"])
def test_shift_jis_labels_read_as_cp932(tmp_path: Path, label: str) -> None:
    path = write(tmp_path, "名前\n①㈱～\n".encode("cp932"))
    with open_csv(path, CsvOptions(encoding=label)) as csv_file:
        assert csv_file.encoding == "cp932"
        assert list(csv_file) == [[(2, ["①㈱～"])]]


def test_unknown_encoding_override_is_a_configuration_error(tmp_path: Path) -> None:
    path = write(tmp_path, b"a\n1\n")
    with pytest.raises(ConfigurationError, match="klingon"):
        open_csv(path, CsvOptions(encoding="klingon"))


def test_wrong_override_on_a_japanese_header_names_the_likely_encoding(tmp_path: Path) -> None:
    path = write(tmp_path, "氏名,会社\n山田,㈱髙島屋\n".encode("cp932"), "members.csv")
    with pytest.raises(UnreadableFileError) as caught:
        open_csv(path, CsvOptions(encoding="utf-8"))
    message = str(caught.value)
    assert message.startswith("members.csv ")
    assert "utf-8" in message and "cp932" in message


def test_wrong_override_with_ascii_header_reports_rows_and_warns(tmp_path: Path) -> None:
    path = write(tmp_path, "name,company\nYamada,ACME\n山田,㈱髙島屋\n".encode("cp932"))
    with open_csv(path, CsvOptions(encoding="utf-8")) as csv_file:
        assert [p.reason for p in csv_file.problems] == ["the file looks like cp932 but the encoding is set to utf-8"]
        items = [i for b in csv_file for i in b]
    assert items[0] == (2, ["Yamada", "ACME"])
    [problem] = problems_of(items)
    assert (problem.line, problem.column) == (3, "name")
    assert "cannot be decoded as utf-8" in problem.reason


def test_undecodable_bytes_mid_file_are_row_problems(tmp_path: Path) -> None:
    lines = [f"{i},山田{i},髙橋" for i in range(20000)]
    lines[15000] = "15000,山田\x00,x"  # placeholder replaced by a broken lead byte below
    data = ("id,name,memo\n" + "\n".join(lines) + "\n").encode("cp932").replace(b"\x00", b"\x81\x20")
    path = write(tmp_path, data)
    items = read(path, size=700)
    [problem] = problems_of(items)
    assert problem.line == 15002
    assert problem.column == "name"
    assert problem.value == "山田\\x81 "
    assert "0x81" in problem.reason
    rows = rows_of(items)
    assert len(rows) == 19999
    assert rows[-1] == (20001, ["19999", "山田19999", "髙橋"])


# -- shapes ------------------------------------------------------------------------------------


def test_tsv_by_file_name(tmp_path: Path) -> None:
    path = write(tmp_path, b"a,b\tc\n1,2\t3\n", "list.tsv")
    with open_csv(path) as csv_file:
        assert csv_file.delimiter == "\t"
        assert csv_file.headers == ["a,b", "c"]


@pytest.mark.parametrize(("delimiter", "name"), [("\t", "tab"), (";", "semicolon"), (",", "comma")])
def test_delimiter_is_sniffed_from_the_header(tmp_path: Path, delimiter: str, name: str) -> None:
    path = write(tmp_path, to_csv([["氏名", "メール", "電話"], ["山田", "a@b.jp", "03"]], delimiter).encode())
    with open_csv(path) as csv_file:
        assert csv_file.delimiter == delimiter
        assert list(csv_file) == [[(2, ["山田", "a@b.jp", "03"])]]


def test_quoted_newlines_keep_the_first_line_number(tmp_path: Path) -> None:
    data = 'id,memo\r\n1,one\r\n2,"two\r\nlines"\r\n3,three\r\n'
    items = read(write(tmp_path, data.encode()))
    assert items == [(2, ["1", "one"]), (3, ["2", "two\r\nlines"]), (5, ["3", "three"])]


def test_old_mac_cr_line_endings(tmp_path: Path) -> None:
    items = read(write(tmp_path, b"a,b\r1,2\r3,4\r"))
    assert items == [(2, ["1", "2"]), (3, ["3", "4"])]


def test_ragged_rows(tmp_path: Path) -> None:
    data = "a,b,c\n1,2,3\n4,5\n6,7,8,,\n9,10,11,12\n13,14,15\n"
    items = read(write(tmp_path, data.encode()))
    assert items == [
        (2, ["1", "2", "3"]),
        CsvProblem(3, None, "4,5", "row has 2 cells, the header has 3"),
        (4, ["6", "7", "8"]),  # extra empty cells are Excel noise
        CsvProblem(5, None, "9,10,11,12", "row has 4 cells, the header has 3"),
        (6, ["13", "14", "15"]),
    ]


def test_blank_rows_are_skipped(tmp_path: Path) -> None:
    items = read(write(tmp_path, b"a,b\n\n1,2\n,\n,,,\n3,4\n"))
    assert items == [(3, ["1", "2"]), (6, ["3", "4"])]


def test_first_cell_empty_is_still_a_row(tmp_path: Path) -> None:
    items = read(write(tmp_path, b"a,b\n,2\n"))
    assert items == [(2, ["", "2"])]


def test_duplicate_headers_get_suffixes(tmp_path: Path) -> None:
    path = write(tmp_path, "名前,名前,メール,名前,名前 (2)\n1,2,3,4,5\n".encode())
    with open_csv(path) as csv_file:
        assert csv_file.headers == ["名前", "名前 (3)", "メール", "名前 (4)", "名前 (2)"]
        assert [(p.line, p.column, p.reason) for p in csv_file.problems] == [
            (1, "名前", "duplicate header '名前' renamed to '名前 (3)'"),
            (1, "名前", "duplicate header '名前' renamed to '名前 (4)'"),
        ]


def test_header_cells_are_trimmed_and_blank_ones_named(tmp_path: Path) -> None:
    path = write(tmp_path, " 氏名\u3000,,メール ,,\n1,2,3\n".encode())
    with open_csv(path) as csv_file:
        assert csv_file.headers == ["氏名", "column 2", "メール"]
        assert [p.reason for p in csv_file.problems] == ["header cell 2 is empty"]
        assert list(csv_file) == [[(2, ["1", "2", "3"])]]


def test_title_lines_above_the_header_are_passed_over_and_noted(tmp_path: Path) -> None:
    rows = [
        ["顧客一覧", "", "", ""],
        ["出力日：2024/05/01", "", "", ""],
        ["", "", "", ""],
        ["氏名", "メール", "電話", "住所"],
        ["山田 太郎", "taro@example.jp", "03-1234-5678", "東京都渋谷区"],
        ["鈴木 花子", "hanako@example.jp", "", ""],
    ]
    with open_csv(write(tmp_path, to_csv(rows).encode("cp932"))) as csv_file:
        assert csv_file.headers == ["氏名", "メール", "電話", "住所"]
        assert [(p.line, p.value, p.reason) for p in csv_file.problems] == [
            (1, "顧客一覧", "title line above the header, passed over"),
            (2, "出力日：2024/05/01", "title line above the header, passed over"),
        ]
        assert [item for batch in csv_file for item in batch] == [(5, rows[4]), (6, rows[5])]


def test_a_title_line_without_delimiters_above_a_tsv_header(tmp_path: Path) -> None:
    data = "会員リスト\n氏名\tメール\n山田\ta@example.jp\n".encode("cp932")
    with open_csv(write(tmp_path, data, "members.txt")) as csv_file:
        assert (csv_file.delimiter, csv_file.headers) == ("\t", ["氏名", "メール"])
        assert [item for batch in csv_file for item in batch] == [(3, ["山田", "a@example.jp"])]


@pytest.mark.parametrize(
    ("data", "headers", "items"),
    [
        pytest.param(
            "メール\na@example.jp\nb@example.jp\n",
            ["メール"],
            [(2, ["a@example.jp"]), (3, ["b@example.jp"])],
            id="one-column-file",
        ),
        pytest.param(
            "メール,,\na@example.jp,,\n", ["メール"], [(2, ["a@example.jp"])], id="one-column-with-empty-cells"
        ),
        pytest.param(
            "メール\nx,y\nb@example.jp\n",
            ["メール"],
            [2, (3, ["b@example.jp"])],
            id="a-ragged-row-is-not-taken-for-the-header",
        ),
    ],
)
def test_a_one_column_file_is_read_as_before(tmp_path: Path, data: str, headers: list[str], items: list) -> None:
    with open_csv(write(tmp_path, data.encode())) as csv_file:
        assert csv_file.headers == headers and csv_file.problems == []
        read_items = [item for batch in csv_file for item in batch]
    assert [item.line if isinstance(item, CsvProblem) else item for item in read_items] == items


def test_a_report_with_a_title_and_no_rows_yet_is_empty(tmp_path: Path) -> None:
    with open_csv(write(tmp_path, "会員名簿,,\n氏名,メール,電話\n".encode("cp932"))) as csv_file:
        assert csv_file.headers == ["氏名", "メール", "電話"]
        assert [p.line for p in csv_file.problems] == [1]
        assert list(csv_file.batches()) == []


def test_title_lines_are_looked_for_only_at_the_top(tmp_path: Path) -> None:
    titles = "".join(f"note {n}\n" for n in range(1, 11))
    with open_csv(write(tmp_path, f"{titles}a,b\n1,2\n".encode())) as csv_file:
        # Ten one-cell lines: the file is taken as a one-column file, the wide rows are errors.
        assert csv_file.headers == ["note 1"]
        assert [item.line for batch in csv_file for item in batch if isinstance(item, CsvProblem)] == [11, 12]


def test_without_a_header_no_line_is_passed_over(tmp_path: Path) -> None:
    with open_csv(write(tmp_path, b"title\na,b\n1,2\n"), CsvOptions(has_header=False)) as csv_file:
        assert csv_file.headers == ["column 1"]
        assert next(item for batch in csv_file for item in batch) == (1, ["title"])


def test_header_only_file_yields_no_batches(tmp_path: Path) -> None:
    with open_csv(write(tmp_path, "氏名,メール\r\n".encode("cp932"))) as csv_file:
        assert csv_file.headers == ["氏名", "メール"]
        assert list(csv_file.batches()) == []


def test_without_header(tmp_path: Path) -> None:
    with open_csv(write(tmp_path, b"1,2\n3,4\n"), CsvOptions(has_header=False)) as csv_file:
        assert csv_file.headers == ["column 1", "column 2"]
        assert csv_file.header_line is None
        assert list(csv_file) == [[(1, ["1", "2"]), (2, ["3", "4"])]]


def test_batches_are_bounded_and_in_order(tmp_path: Path) -> None:
    data = "n\n" + "".join(f"{i}\n" for i in range(12))
    with open_csv(write(tmp_path, data.encode())) as csv_file:
        batches = list(csv_file.batches(5))
    assert [len(b) for b in batches] == [5, 5, 2]
    assert [item for b in batches for item in b] == [(i + 2, [str(i)]) for i in range(12)]


def test_unclosed_quote_at_end_of_file(tmp_path: Path) -> None:
    items = read(write(tmp_path, b'a,b\n1,2\n3,"never closed\n4,5\n'))
    assert items[0] == (2, ["1", "2"])
    assert items[1] == CsvProblem(3, None, "3,never closed\n4,5\n", "a quote opened here is never closed")
    assert len(items) == 2


def test_giant_field_is_a_row_problem_and_reading_goes_on(tmp_path: Path) -> None:
    data = b'a,b\n1,2\n3,"' + b"x" * 200_000 + b"\n4,5\n6,7\n"
    items = read(write(tmp_path, data))
    assert items[0] == (2, ["1", "2"])
    assert isinstance(items[1], CsvProblem) and items[1].line == 3
    assert "field limit" in items[1].reason
    assert items[-1] == (5, ["6", "7"])


def test_formula_cells_come_through_as_text(tmp_path: Path) -> None:
    items = read(write(tmp_path, b"a,b\n\"=cmd|' /C calc'!A0\",@SUM(A1)\n"))
    assert items == [(2, ["=cmd|' /C calc'!A0", "@SUM(A1)"])]


# -- whole-file failures -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [b"", codecs.BOM_UTF8, b"\r\n \r\n\t\n", codecs.BOM_UTF8 + b"\n\n"],
    ids=["zero-bytes", "only-bom", "only-whitespace", "bom-and-blank-lines"],
)
def test_empty_file(tmp_path: Path, data: bytes) -> None:
    with pytest.raises(UnreadableFileError, match=r"^members\.csv is empty"):
        open_csv(write(tmp_path, data, "members.csv"))


def test_binary_file(tmp_path: Path) -> None:
    noise = random.Random(7).randbytes(50_000) + b"\x00\x00"
    with pytest.raises(UnreadableFileError, match=r"^photo\.csv looks like a binary file"):
        open_csv(write(tmp_path, noise, "photo.csv"))


def _workbook() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as book:  # the parts every .xlsx starts with, but empty
        book.writestr("[Content_Types].xml", "<Types/>")
        book.writestr("_rels/.rels", "<Relationships/>")
        book.writestr("xl/workbook.xml", "<workbook/>")
        book.writestr("xl/worksheets/sheet1.xml", "<worksheet/>")
    return out.getvalue()


def _xlsb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as book:
        book.writestr("xl/workbook.bin", b"\x83\x01\x00")
    return out.getvalue()


def _ods() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as book:
        book.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
    return out.getvalue()


def _zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("members.csv", "氏名\n山田\n")
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "says"),
    [
        pytest.param(_workbook(), r"is an Excel workbook \(\.xlsx\) that cannot be read: ", id="broken-xlsx"),
        pytest.param(
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600),
            r"is an Excel 97-2003 workbook \(\.xls\) or another Office file that cannot be read \(.*\): in Excel, save",
            id="broken-xls",
        ),
        pytest.param(_xlsb(), r"is an Excel binary workbook \(\.xlsb\) that cannot be read: ", id="broken-xlsb"),
        pytest.param(_ods(), r"is an OpenDocument spreadsheet \(\.ods\) that cannot be read: ", id="broken-ods"),
        pytest.param(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", r"is a PDF document, not CSV text", id="pdf"),
        pytest.param(gzip.compress(b"a,b\n1,2\n"), r"is gzip-compressed, not CSV text: unpack it", id="gzip"),
        pytest.param(_zip(), r"is a ZIP archive, not CSV text: unpack it", id="zip"),
    ],
)
def test_a_file_that_is_not_csv_is_named_for_what_it_is(tmp_path: Path, data: bytes, says: str) -> None:
    with pytest.raises(UnreadableFileError, match=rf"^members\.csv {says}"):
        open_csv(write(tmp_path, data, "members.csv"))


def test_binary_without_nul_bytes(tmp_path: Path) -> None:
    noise = bytes(b for b in random.Random(3).randbytes(60_000) if b)
    with pytest.raises(UnreadableFileError, match="not text"):
        open_csv(write(tmp_path, noise))


def test_only_empty_cells_means_no_header(tmp_path: Path) -> None:
    with pytest.raises(UnreadableFileError, match="has no header"):
        open_csv(write(tmp_path, b",,\n,,\n"))


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(UnreadableFileError, match=r"gone\.csv cannot be opened"):
        open_csv(tmp_path / "gone.csv")


def test_unreadable_file_is_fatal() -> None:
    assert issubclass(UnreadableFileError, FatalError)


# -- memory ------------------------------------------------------------------------------------


def test_memory_stays_flat_while_streaming(tmp_path: Path) -> None:
    """Nothing holds the file: peak memory is far below its size (no timing involved)."""
    row = "山田太郎,yamada@example.co.jp,03-1234-5678,東京都千代田区千代田1-1,㈱髙島屋,～ｶﾀｶﾅ①\r\n"
    path = tmp_path / "big.csv"
    with path.open("wb") as out:
        out.write("氏名,メール,電話,住所,会社,メモ\r\n".encode("cp932"))
        chunk = (row * 1000).encode("cp932")
        for _ in range(100):
            out.write(chunk)
    size = path.stat().st_size
    assert size > 8 * 1024 * 1024
    tracemalloc.start()
    try:
        count = 0
        with open_csv(path) as csv_file:
            for batch in csv_file.batches(1000):
                count += len(batch)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert count == 100_000
    assert peak < size / 4, f"peak {peak} bytes for a {size}-byte file"


@pytest.mark.parametrize(
    ("value", "formula"),
    [
        ("=cmd|' /C calc'!A0", True),
        ("=1+1", True),
        ("@SUM(A1:A2)", True),
        ("+cmd|' /C calc'!A0", True),
        ("-2+3", True),
        ("＝1+1", True),
        ("\t=1", True),
        ("+81 90-1234-5678", True),  # Excel would evaluate it: the export quotes it
        ("-5", False),
        ("+1.5", False),
        ("－１", False),
        ("-", False),
        ("---", False),
        ("@", False),
        ("", False),
        ("山田", False),
        ("090-1234-5678", False),
        (" =1", False),
    ],
)
def test_is_formula_like(value: str, formula: bool) -> None:
    assert is_formula_like(value) is formula


def test_a_bad_byte_near_the_top_keeps_cp932(tmp_path: Path) -> None:
    data = "氏名,会社\n山田,㈱髙島屋\n鈴木,BAD\n佐藤,①\n".encode("cp932").replace(b"BAD", b"\x81\x7f")
    with open_csv(write(tmp_path, data)) as csv_file:
        assert csv_file.encoding == "cp932"
        items = [i for b in csv_file for i in b]
    assert rows_of(items) == [(2, ["山田", "㈱髙島屋"]), (4, ["佐藤", "①"])]
    # CP932 rejects the lead byte 0x81 only; 0x7f (DEL) then decodes on its own.
    assert [(p.line, p.column, p.value) for p in problems_of(items)] == [(3, "会社", "\\x81\x7f")]


def _is_text_formula(cell: str) -> bool:
    return cell.startswith('="') and cell.endswith('"') and len(cell) > 2


#: Cells as Excel may write them, but no text formula (``=""``, ``="a"``): a file holding one reads
#: it as its text (``test_text_formula_cells_are_read_as_their_text``), not as written.
CELLS = st.text(alphabet=st.sampled_from(list('a,"\r\n 　山田①㈱髙～ｶﾀｶﾅ=-')), max_size=8).filter(
    lambda cell: not _is_text_formula(cell)
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(CELLS, min_size=3, max_size=3).filter(any), max_size=12), st.sampled_from([1, 2, 5]))
# A row naming one known field twice (ｶﾅ, ｶﾅ) below an unknown header is data, not the header.
@example(rows=[["", "ｶﾅ", "ｶﾅ"]], size=1)
def test_whatever_excel_writes_reads_back_with_physical_line_numbers(rows: list[list[str]], size: int) -> None:
    lines: list[int] = []
    text = "h1,h2,h3\r\n"
    for row in rows:
        lines.append(1 + text.count("\n") + text.count("\r") - text.count("\r\n"))
        text += to_csv([row])
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "round.csv"
        path.write_bytes(text.encode("cp932"))
        items = read(path, size=size)
    assert items == list(zip(lines, rows, strict=True))


@pytest.mark.parametrize(
    ("cell", "encoding"),
    [
        pytest.param("ﾅ①", "cp932", id="cp932-that-is-also-valid-utf8"),
        pytest.param("ﾅｶ", "cp932", id="half-width-katakana-that-is-also-valid-utf8"),
        pytest.param("Müller", "utf-8", id="utf8-latin1-letters-stay-utf8"),
        pytest.param("ｶｶ", "cp932", id="half-width-kana-only-is-cp932-not-euc"),
        pytest.param("ʤ", "utf-8", id="utf8-latin-extended-stays-utf8"),
        pytest.param("やまだ", "euc_jp", id="euc-jp-with-kana"),
    ],
)
def test_ambiguous_short_files_pick_the_likely_encoding(tmp_path: Path, cell: str, encoding: str) -> None:
    path = tmp_path / "short.csv"
    path.write_bytes(f"a,b\r\n1,{cell}\r\n".encode(encoding))
    with open_csv(path) as csv_file:
        assert csv_file.encoding == encoding
        assert [i for b in csv_file for i in b] == [(2, ["1", cell])]


def test_text_formula_cells_are_read_as_their_text(tmp_path: Path) -> None:
    # Exports meant for Excel write ="0312345678" so that Excel keeps the leading zero.
    data = '氏名,電話,郵便番号,メモ\r\n山田,="0312345678",="0600001","=""a""""b"""\r\n鈴木,="090-1234-5678",100-0001,="x"&"y"\r\n'
    path = write(tmp_path, data.encode("cp932"))
    assert rows_of(read(path)) == [
        (2, ["山田", "0312345678", "0600001", 'a"b']),
        (3, ["鈴木", "090-1234-5678", "100-0001", '="x"&"y"']),  # a formula of more than a text: as written
    ]
    with open_csv(path) as f:
        assert [p.reason for p in f.problems] == [
            "cells written as a text formula, which keeps a value such as 0312345678 as written, are read as the text"
        ]


def test_a_row_of_empty_text_formulas_is_a_blank_row(tmp_path: Path) -> None:
    # ="" is Excel's empty text: a row holding nothing else holds nothing (found by hypothesis).
    path = write(tmp_path, 'h1,h2,h3\r\n,,"="""""\r\n,",=",","\r\n'.encode("cp932"))
    assert rows_of(read(path)) == [(3, ["", ",=", ","])]


def test_a_file_without_text_formulas_keeps_a_cell_that_looks_like_one_in_a_sentence(tmp_path: Path) -> None:
    path = write(tmp_path, '氏名,メモ\r\n山田,"式は ="" です"\r\n'.encode("cp932"))
    assert rows_of(read(path)) == [(2, ["山田", '式は =" です'])]
    with open_csv(path) as f:
        assert f.problems == []


def test_lines_above_a_header_of_known_labels_are_passed_over_whatever_their_width(tmp_path: Path) -> None:
    # A ledger's group headings over its columns, and an export's date in two cells.
    data = (
        "出力日,2024/05/01\r\n"
        "\r\n"
        "基本情報,,,連絡先,\r\n"
        "No,氏名,フリガナ,メールアドレス,電話番号\r\n"
        "1,山田 太郎,ヤマダ タロウ,taro@example.jp,090-1234-5678\r\n"
    )
    path = write(tmp_path, data.encode("cp932"))
    with open_csv(path) as f:
        assert f.header_line == 4
        assert f.headers == ["No", "氏名", "フリガナ", "メールアドレス", "電話番号"]
        assert [(p.line, p.value) for p in f.problems] == [(1, "出力日 2024/05/01"), (3, "基本情報 連絡先")]
        assert rows_of([item for batch in f.batches() for item in batch]) == [
            (5, ["1", "山田 太郎", "ヤマダ タロウ", "taro@example.jp", "090-1234-5678"])
        ]


def test_a_header_of_labels_we_do_not_know_stays_the_header(tmp_path: Path) -> None:
    # Nothing below names two known columns: the first line is the header, every row is kept.
    path = write(tmp_path, "code,rank,note\r\nA1,3,x\r\n\r\nB2,1,メールアドレス\r\n".encode("cp932"))
    with open_csv(path) as f:
        assert (f.header_line, f.headers, f.problems) == (1, ["code", "rank", "note"], [])
    assert rows_of(read(path)) == [(2, ["A1", "3", "x"]), (4, ["B2", "1", "メールアドレス"])]


def test_the_header_line_again_is_passed_over_as_a_problem_of_its_row(tmp_path: Path) -> None:
    # Two exports joined into one (copy a.csv+b.csv): the second file's header in the middle.
    data = "氏名,メール\r\n山田,y@example.jp\r\n氏名,メール\r\n鈴木,s@example.jp\r\n".encode("cp932")
    items = read(write(tmp_path, data))
    assert rows_of(items) == [(2, ["山田", "y@example.jp"]), (4, ["鈴木", "s@example.jp"])]
    assert [(p.line, p.reason) for p in problems_of(items)] == [
        (3, "the header line again (files joined into one?), passed over")
    ]


@pytest.mark.parametrize(
    ("line", "closing"),
    [
        pytest.param("以上,,", True, id="ijou"),
        pytest.param("以下余白", True, id="ika-yohaku-ragged"),
        pytest.param("合計,,3件", True, id="total-with-count"),
        pytest.param("件数,1,234,", False, id="three-cells"),
        pytest.param("合計,090-1234-5678,", False, id="total-with-a-phone"),
        pytest.param("合田,y@example.jp,", False, id="a-name"),
        # A system's export counts its rows in one cell.
        pytest.param("出力件数：2件,,", True, id="output-count"),
        pytest.param('"検索件数: 1,234件",,', True, id="search-count-with-comma"),
        pytest.param("合計　３名,,", True, id="total-people-full-width"),
        pytest.param("計 1", True, id="kei"),
        pytest.param("件数合計が合わない,,", False, id="a-sentence"),
        pytest.param("出力件数：2件,y@example.jp,", False, id="with-an-address"),
    ],
)
def test_a_ledgers_closing_line_is_passed_over_not_made_a_customer(tmp_path: Path, line: str, closing: bool) -> None:
    data = f"氏名,メール,備考\r\n山田,y@example.jp,\r\n{line}\r\n".encode("cp932")
    items = read(write(tmp_path, data))
    assert rows_of(items)[0] == (2, ["山田", "y@example.jp", ""])
    problems = [(p.line, p.reason) for p in problems_of(items)]
    if closing:
        assert rows_of(items) == [(2, ["山田", "y@example.jp", ""])]
        assert problems == [(3, "a closing line (以上, 合計 …), not a customer: passed over")]
    else:
        assert (3, "a closing line (以上, 合計 …), not a customer: passed over") not in problems
