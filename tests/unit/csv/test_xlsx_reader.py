"""Excel workbooks (.xlsx) read as a CSV file is: the first visible sheet's rows, as text."""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path

import pytest
from tests.conftest import workbook

from renkei.sources.csvfile import CsvProblem, UnreadableFileError, open_csv


def read(path: Path, name: str | None = None):
    with open_csv(path, name=name) as f:
        rows = [item for batch in f.batches() for item in batch]
        return f, rows


def test_a_workbook_reads_as_its_csv_would(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "customers.xlsx",
        [
            ["氏名", "電話", "登録日", "郵便番号", "来店", "予算", "時刻"],
            ["山田 太郎", 9012345678, datetime(2024, 5, 1), 600001, True, 3500.5, time(10, 30)],
            ["鈴木 花子", "03-1234-5678", datetime(2024, 5, 1, 10, 30), "100-0001", False, 3000.0, None],
            ["佐藤", None, date(2024, 5, 2)],  # its empty cells at the end are not a ragged row
        ],
    )
    f, rows = read(path)
    assert (f.encoding, f.headers, f.header_line, f.problems) == (
        "xlsx",
        ["氏名", "電話", "登録日", "郵便番号", "来店", "予算", "時刻"],
        1,
        [],
    )
    assert rows == [
        (2, ["山田 太郎", "9012345678", "2024-05-01", "600001", "TRUE", "3500.5", "10:30:00"]),
        (3, ["鈴木 花子", "03-1234-5678", "2024-05-01 10:30:00", "100-0001", "FALSE", "3000", ""]),
        (4, ["佐藤", "", "2024-05-02", "", "", "", ""]),
    ]


def test_rows_are_numbered_as_excel_shows_them_and_a_title_is_passed_over(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "report.xlsx",
        [
            ["顧客一覧"],
            ["出力日：2024/05/01"],
            [],
            ["氏名", "メール"],
            ["山田", "y@example.jp"],
            [],
            ["鈴木", "s@example.jp"],
        ],
    )
    f, rows = read(path)
    assert f.header_line == 4
    assert rows == [(5, ["山田", "y@example.jp"]), (7, ["鈴木", "s@example.jp"])]
    assert [(p.line, p.reason) for p in f.problems] == [
        (1, "title line above the header, passed over"),
        (2, "title line above the header, passed over"),
    ]


def test_a_value_beyond_the_header_is_a_row_problem_and_the_rest_goes_through(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "a.xlsx", [["氏名", "メール"], ["山田", "y@example.jp", "はみ出し"], ["鈴木", "s@example.jp"]]
    )
    _, rows = read(path)
    assert rows[1] == (3, ["鈴木", "s@example.jp"])
    assert isinstance(rows[0], CsvProblem)
    assert (rows[0].line, rows[0].reason) == (2, "row has 3 cells, the header has 2")


def test_only_the_first_visible_sheet_is_read_and_a_note_says_so(tmp_path: Path) -> None:
    f, rows = read(workbook(tmp_path / "a.xlsx", [["氏名"], ["山田"]], more_sheets=("メモ", "集計")))
    assert rows == [(2, ["山田"])]
    assert [(p.value, p.reason) for p in f.problems] == [
        ("顧客一覧", "the workbook has 3 sheets: only the first, shown here, was read")
    ]
    f, rows = read(workbook(tmp_path / "b.xlsx", [["氏名"], ["隠れた人"]], hidden_first=True))
    assert rows == [(2, ["見える人"])]


def test_a_workbook_is_known_by_its_content_whatever_its_name(tmp_path: Path) -> None:
    path = workbook(tmp_path / "upload.bin", [["氏名"], ["山田"]])
    f, rows = read(path, name="members.csv")
    assert f.encoding == "xlsx" and rows == [(2, ["山田"])]


def test_a_workbook_with_an_empty_sheet_has_no_header(tmp_path: Path) -> None:
    with pytest.raises(UnreadableFileError, match=r"^empty\.xlsx has no header"):
        read(workbook(tmp_path / "empty.xlsx", []))
