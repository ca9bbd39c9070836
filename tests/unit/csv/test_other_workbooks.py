"""Workbooks that are not .xlsx (Excel 97-2003 .xls, Excel binary .xlsb, OpenDocument .ods) read
as an .xlsx is: the first visible sheet's rows, as the text a CSV saved from it holds."""

from __future__ import annotations

import struct
import zipfile
from datetime import date, datetime, time
from pathlib import Path

import pytest
from tests.conftest import other_workbook, workbook

from renkei.sources import otherbooks
from renkei.sources.csvfile import CsvOptions, UnreadableFileError, open_csv
from renkei.sources.workbooks import first_rows, workbook_kind

KINDS = ("xls", "xlsb", "ods")


def read(path: Path, name: str | None = None, options: CsvOptions | None = None):
    with open_csv(path, options, name=name) as f:
        rows = [item for batch in f.batches() for item in batch]
        return f, rows


@pytest.mark.parametrize("kind", KINDS)
def test_a_workbook_reads_as_its_csv_would(tmp_path: Path, kind: str) -> None:
    path = other_workbook(
        kind,
        tmp_path / f"customers.{kind}",
        [
            ["氏名", "電話", "登録日", "郵便番号", "来店", "予算"],
            ["山田　太郎", 9012345678, datetime(2024, 5, 1, 10, 30), 600001, True, 3500.5],
            ["鈴木 花子", "03-1234-5678", date(2024, 5, 1), "100-0001", False, 3000.0],
            ["佐藤", None, date(2024, 5, 2)],  # its empty cells at the end are not a ragged row
        ],
    )
    f, rows = read(path)
    assert (f.encoding, f.headers, f.header_line, f.problems) == (
        kind,
        ["氏名", "電話", "登録日", "郵便番号", "来店", "予算"],
        1,
        [],
    )
    assert rows == [
        (2, ["山田　太郎", "9012345678", "2024-05-01 10:30:00", "600001", "TRUE", "3500.5"]),
        (3, ["鈴木 花子", "03-1234-5678", "2024-05-01", "100-0001", "FALSE", "3000"]),
        (4, ["佐藤", "", "2024-05-02", "", "", ""]),
    ]


@pytest.mark.parametrize("kind", KINDS)
def test_only_the_first_visible_sheet_is_read_unless_one_is_named(tmp_path: Path, kind: str) -> None:
    f, rows = read(other_workbook(kind, tmp_path / f"a.{kind}", [["氏名"], ["山田"]], more_sheets=("メモ", "集計")))
    assert rows == [(2, ["山田"])]
    assert [(p.value, p.reason) for p in f.problems] == [
        ("顧客一覧", "the workbook has 3 sheets: only the first, shown here, was read")
    ]
    hidden = other_workbook(kind, tmp_path / f"b.{kind}", [["氏名"], ["隠れた人"]], hidden_first=True)
    assert read(hidden)[1] == [(2, ["見える人"])]
    f, rows = read(hidden, options=CsvOptions(sheet=" 顧客一覧 "))  # hidden, but asked for by name
    assert (rows, f.problems) == ([(2, ["隠れた人"])], [])
    with pytest.raises(UnreadableFileError, match=r"with no worksheet named 集計 \(its sheets: 顧客一覧, 見える\)$"):
        read(hidden, options=CsvOptions(sheet="集計"))


@pytest.mark.parametrize("kind", KINDS)
def test_a_workbook_is_known_by_its_content_whatever_its_name(tmp_path: Path, kind: str) -> None:
    path = other_workbook(kind, tmp_path / "payload", [["氏名"], ["山田"]])
    assert workbook_kind(path) == kind
    f, rows = read(path, name="members.csv")
    assert f.encoding == kind and rows == [(2, ["山田"])]
    assert first_rows(path, kind, 1) == ("顧客一覧", [["氏名"]])


def test_a_list_that_starts_right_of_column_a_keeps_its_columns(tmp_path: Path) -> None:
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("名簿")
    for c, value in enumerate(["氏名", "電話"]):
        sheet.write(2, 2 + c, value)
    sheet.write(3, 2, "山田")
    sheet.write(3, 3, "03-1234-5678")
    book.save(str(tmp_path / "offset.xls"))
    f, rows = read(tmp_path / "offset.xls")
    assert f.header_line == 3
    assert rows == [(4, ["", "", "山田", "03-1234-5678"])]


def test_a_time_of_day_and_an_era_date_format_read_as_iso_text(tmp_path: Path) -> None:
    path = other_workbook("xls", tmp_path / "t.xls", [["登録日", "時刻"], [date(2019, 4, 30), time(15, 0)]])
    assert read(path)[1] == [(2, ["2019-04-30", "15:00:00"])]  # shown as 平成31年4月30日 and 15:00


def test_cell_text_reads_each_value_calamine_gives() -> None:
    from datetime import timedelta

    assert [
        otherbooks.cell_text(v)
        for v in (1.0, 1e20, 0.1, -3, True, None, datetime(2024, 5, 1), timedelta(hours=26, minutes=5), "x")
    ] == ["1", "1e+20", "0.1", "-3", "TRUE", "", "2024-05-01", "26:05:00", "x"]


@pytest.mark.parametrize(
    ("data", "says"),
    [
        pytest.param(
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(2048),
            r"is an Excel 97-2003 workbook \(\.xls\) or another Office file that cannot be read",
            id="not-xls",
        ),
        pytest.param(
            "half", r"is an Excel 97-2003 workbook \(\.xls\) or another Office file that cannot be read", id="cut"
        ),
    ],
)
def test_an_unreadable_xls_is_the_files_error(tmp_path: Path, data: bytes | str, says: str) -> None:
    if data == "half":
        whole = other_workbook("xls", tmp_path / "whole.xls", [["氏名"], ["山田"]] * 50).read_bytes()
        data = whole[: len(whole) // 2]
    path = tmp_path / "members.xls"
    path.write_bytes(data)
    with pytest.raises(UnreadableFileError, match=rf"^members\.xls {says}"):
        read(path)


def test_a_workbook_past_the_size_calamine_may_hold_is_refused_with_what_to_do(tmp_path: Path, monkeypatch) -> None:
    xls = other_workbook("xls", tmp_path / "big.xls", [["氏名"], ["山田"]])
    ods = other_workbook("ods", tmp_path / "big.ods", [["氏名"], ["山田"]])
    monkeypatch.setattr(otherbooks, "MAX_XLS_BYTES", 1024)
    monkeypatch.setattr(otherbooks, "MAX_UNPACKED_BYTES", 1024)
    with pytest.raises(
        UnreadableFileError, match=r"larger than 0 MiB: save it as an Excel workbook \(\.xlsx\) or as CSV"
    ):
        read(xls)
    with pytest.raises(UnreadableFileError, match=r"\(\.ods\) that unpacks to more than 0 MiB: save it as"):
        read(ods)


def test_a_zip_part_that_unpacks_past_its_declared_size_is_refused_before_calamine_reads_it(tmp_path: Path) -> None:
    path = other_workbook("ods", tmp_path / "bomb.ods", [["氏名"], *[["山田"]] * 200])
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        part = archive.getinfo("content.xml")
    # Declare content.xml 10 bytes long, in its local header and the central directory: a ZIP
    # bomb's way of passing a check of the declared sizes.
    struct.pack_into("<I", data, part.header_offset + 22, 10)
    at = data.index(b"PK\x01\x02")  # the central directory's entries
    while at >= 0:
        if data[at + 46 : at + 57] == b"content.xml":
            struct.pack_into("<I", data, at + 24, 10)
        at = data.find(b"PK\x01\x02", at + 4)
    path.write_bytes(bytes(data))
    with pytest.raises(
        UnreadableFileError, match=r"^bomb\.ods is an OpenDocument spreadsheet \(\.ods\) that cannot be read: .*CRC"
    ):
        read(path)


def test_a_workbook_protected_by_a_password_says_so(tmp_path: Path) -> None:
    # Workbooks sent by mail in Japan often carry a password to open them (読み取りパスワード).
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = workbook(tmp_path / "plain.xlsx", [["氏名"], ["山田"]])
    locked = tmp_path / "顧客.xlsx"
    with plain.open("rb") as source, locked.open("wb") as out:
        OOXMLFile(source).encrypt("secret", out)
    with pytest.raises(
        UnreadableFileError,
        match=r"^顧客\.xlsx is protected by a password: set the integration's file_password",
    ):
        read(locked)


def test_a_sheet_read_closes_its_workbook_once_whoever_closes_it(tmp_path: Path) -> None:
    path = other_workbook("xls", tmp_path / "a.xls", [["氏名"], ["山田"]])
    rows = otherbooks.BookRows(path, "xls")
    assert next(rows) == ["氏名"]
    rows.close()
    rows.close()  # the reader and the file it belongs to may both close it
    with pytest.raises(StopIteration):
        next(rows)
