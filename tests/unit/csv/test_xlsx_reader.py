"""Excel workbooks (.xlsx) read as a CSV file is: the first visible sheet's rows, as text."""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.conftest import any_workbook, workbook

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


@pytest.mark.parametrize("kind", ["xlsx", "xls", "xlsb", "ods"])
def test_rows_are_numbered_as_excel_shows_them_and_a_title_is_passed_over(tmp_path: Path, kind: str) -> None:
    path = any_workbook(
        kind,
        tmp_path / f"report.{kind}",
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


# -- workbooks as Excel writes them: shared strings, furigana, styles, and what other writers do --

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def excel_book(
    path: Path,
    sheet_data: str,
    *,
    strings: tuple[str, ...] = (),
    formats: str = "",
    cell_formats: str = '<xf numFmtId="0"/>',
    workbook_pr: str = "",
    sheets: str = '<sheet name="Sheet1" sheetId="1" r:id="rId1"/>',
    doctype: str = "",
) -> Path:
    """A workbook written part by part, as Excel does: text in shared strings, styles by index."""
    import zipfile

    rels = (
        f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{_RELS}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{_RELS}/worksheet" Target="/xl/worksheets/sheet2.xml"/>'
        f'<Relationship Id="rId3" Type="{_RELS}/chartsheet" Target="chartsheets/sheet1.xml"/>'
        f'<Relationship Id="rId8" Type="{_RELS}/styles" Target="styles.xml"/>'
        f'<Relationship Id="rId9" Type="{_RELS}/sharedStrings" Target="sharedStrings.xml"/>'
        "</Relationships>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr("[Content_Types].xml", "<Types/>")
        book.writestr(
            "xl/workbook.xml",
            f'{doctype}<workbook xmlns="{_MAIN}" xmlns:r="{_RELS}">{workbook_pr}<sheets>{sheets}</sheets></workbook>',
        )
        book.writestr("xl/_rels/workbook.xml.rels", rels)
        book.writestr(
            "xl/styles.xml",
            f'<styleSheet xmlns="{_MAIN}"><numFmts>{formats}</numFmts><cellXfs>{cell_formats}</cellXfs></styleSheet>',
        )
        book.writestr("xl/sharedStrings.xml", f'<sst xmlns="{_MAIN}">{"".join(strings)}</sst>')
        for name in ("sheet1", "sheet2"):
            book.writestr(
                f"xl/worksheets/{name}.xml",
                f'<worksheet xmlns="{_MAIN}"><sheetData>{sheet_data}</sheetData></worksheet>',
            )
    return path


def test_shared_strings_give_the_text_without_its_furigana(tmp_path: Path) -> None:
    strings = (
        "<si><t>氏名</t></si>",
        "<si><t>備考</t></si>",
        # Japanese Excel keeps the reading it was typed with as phonetic runs: not part of the text.
        '<si><t>山田太郎</t><rPh sb="0" eb="2"><t>ヤマダ</t></rPh><rPh sb="2" eb="4"><t>タロウ</t></rPh>'
        '<phoneticPr fontId="1"/></si>',
        '<si><r><rPr><b/></rPr><t>太字</t></r><r><t xml:space="preserve"> と普通 &amp; 記号</t></r></si>',
    )
    path = excel_book(
        tmp_path / "a.xlsx",
        '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
        '<row r="2"><c r="A2" t="s"><v>2</v></c><c r="B2" t="s"><v>3</v></c></row>',
        strings=strings,
    )
    assert read(path)[1] == [(2, ["山田太郎", "太字 と普通 & 記号"])]


def test_cells_by_their_type_and_number_format(tmp_path: Path) -> None:
    formats = '<numFmt numFmtId="176" formatCode="[$-411]ggge&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/>'
    formats += '<numFmt numFmtId="177" formatCode="&quot;¥&quot;#,##0;[Red]\\-&quot;¥&quot;#,##0"/>'
    formats += '<numFmt numFmtId="178" formatCode="yyyy/m/d\\ h:mm"/>'
    cell_formats = (
        '<xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="176"/><xf numFmtId="177"/>'
        '<xf numFmtId="178"/><xf numFmtId="20"/><xf numFmtId="11"/>'
    )
    header = "".join(f'<c r="{c}1" t="inlineStr"><is><t>{c}</t></is></c>' for c in "ABCDEFGHIJK")
    cells = (
        '<c r="A2" s="1"><v>45413</v></c>'  # 2024/5/1, built-in short date
        '<c r="B2" s="2"><v>45413</v></c>'  # 令和6年5月1日
        '<c r="C2" s="3"><v>3500</v></c>'  # ¥3,500: a number, not a date
        '<c r="D2" s="4"><v>45413.4375</v></c>'  # 2024/5/1 10:30
        '<c r="E2" s="5"><v>0.4375</v></c>'  # 10:30
        '<c r="F2" s="6"><v>1.5E+20</v></c>'  # scientific
        '<c r="G2"><v>8.9999999999999997E-2</v></c>'  # what Excel writes for 0.09
        '<c r="H2" t="b"><v>1</v></c>'
        '<c r="I2" t="e"><v>#N/A</v></c>'
        '<c r="J2" t="str"><f>A1&amp;"様"</f><v>山田様</v></c>'  # a formula's saved text
        '<c r="K2"><f>SUM(1,2)</f><v>3</v></c>'
    )
    path = excel_book(
        tmp_path / "a.xlsx",
        f'<row r="1">{header}</row><row r="2">{cells}</row>',
        formats=formats,
        cell_formats=cell_formats,
    )
    assert read(path)[1] == [
        (
            2,
            [
                "2024-05-01",
                "2024-05-01",
                "3500",
                "2024-05-01 10:30:00",
                "10:30:00",
                "1.5e+20",
                "0.09",
                "TRUE",
                "#N/A",
                "山田様",
                "3",
            ],
        )
    ]


def test_the_1904_date_system(tmp_path: Path) -> None:
    path = excel_book(
        tmp_path / "mac.xlsx",
        '<row r="1"><c r="A1" t="inlineStr"><is><t>登録日</t></is></c></row><row r="2"><c r="A2" s="1"><v>43951</v></c></row>',
        cell_formats='<xf numFmtId="0"/><xf numFmtId="14"/>',
        workbook_pr='<workbookPr date1904="1"/>',
    )
    assert read(path)[1] == [(2, ["2024-05-01"])]


def test_rows_and_cells_the_sheet_leaves_out_or_does_not_number(tmp_path: Path) -> None:
    path = excel_book(
        tmp_path / "a.xlsx",
        # No r on the first row's cells (some writers leave it out); row 3 and cell B4 not written.
        '<row><c t="inlineStr"><is><t>氏名</t></is></c><c t="inlineStr"><is><t>メール</t></is></c>'
        '<c t="inlineStr"><is><t>電話</t></is></c></row>'
        '<row r="2"><c r="A2" t="inlineStr"><is><t>山田</t></is></c></row>'
        '<row r="4"><c r="A4" t="inlineStr"><is><t>鈴木</t></is></c><c r="C4"><v>312345678</v></c></row>',
    )
    f, rows = read(path)
    assert f.headers == ["氏名", "メール", "電話"]
    assert rows == [(2, ["山田", "", ""]), (4, ["鈴木", "", "312345678"])]


def test_the_first_visible_worksheet_is_read_not_a_hidden_sheet_or_a_chart(tmp_path: Path) -> None:
    sheets = (
        '<sheet name="非表示" sheetId="1" state="hidden" r:id="rId1"/>'
        '<sheet name="グラフ" sheetId="3" r:id="rId3"/>'
        '<sheet name="名簿" sheetId="2" r:id="rId2"/>'
    )
    path = excel_book(
        tmp_path / "a.xlsx", '<row r="1"><c r="A1" t="inlineStr"><is><t>氏名</t></is></c></row>', sheets=sheets
    )
    f, _ = read(path)
    assert f.headers == ["氏名"] and f.problems == []
    from renkei.sources.workbooks import first_rows

    assert first_rows(path, "xlsx", 5) == ("名簿", [["氏名"]])


@pytest.mark.parametrize(
    ("build", "says"),
    [
        pytest.param(
            lambda p: excel_book(p, "<row>", doctype='<!DOCTYPE lol [<!ENTITY lol "lol">]>'), "DOCTYPE", id="doctype"
        ),
        pytest.param(lambda p: excel_book(p, '<row r="1"><c r="A1"><v>1</c></row>'), "not well-formed", id="bad-xml"),
        pytest.param(
            lambda p: excel_book(p, '<row r="1"><c r="A1" t="s"><v>7</v></c></row>'),
            "shared string '7'",
            id="no-string",
        ),
        pytest.param(lambda p: excel_book(p, "", sheets=""), "no visible worksheet", id="no-sheet"),
        pytest.param(
            lambda p: excel_book(p, '<row r="1"><c r="XFE1"><v>1</v></c></row>'), "past", id="column-past-xfd"
        ),
        pytest.param(lambda p: excel_book(p, '<row r="99999999999"></row>'), "outside", id="row-past-the-last"),
        pytest.param(lambda p: excel_book(p, '<row r="x"></row>'), "invalid literal", id="row-not-a-number"),
    ],
)
def test_a_broken_workbook_is_a_clear_error(tmp_path: Path, build, says: str) -> None:
    with pytest.raises(UnreadableFileError, match=rf"^a\.xlsx is an Excel workbook \(\.xlsx\).*{says}"):
        read(build(tmp_path / "a.xlsx"))


@pytest.mark.parametrize(
    ("code", "is_date"),
    [
        ("yyyy/m/d", True),
        ("[$-411]ggge年m月d日", True),
        ("h:mm:ss", True),
        ("m月d日", True),
        ("General", False),
        ("#,##0", False),
        ("0.00E+00", False),
        ('"¥"#,##0;[Red]\\-"¥"#,##0', False),
        ('0"日"', False),
        ("@", False),
    ],
)
def test_date_formats_are_told_from_number_formats(code: str, is_date: bool) -> None:
    from renkei.sources.xlsxfile import is_date_format

    assert is_date_format(code) is is_date


_SHEET_PIECES = st.sampled_from(
    [
        '<row r="1">', '<row r="x">', "<row>", "</row>", '<c r="A1" t="s">', '<c r="B2">', '<c r="1A" s="9">',
        '<c t="b">', '<c t="inlineStr">', "<is><t>", "</t></is>", "</c>", "<v>", "</v>", "0", "1.5E+3", "abc",
        "<f>SUM(A1)</f>", '<rPh sb="0" eb="1"><t>ヨミ</t></rPh>', "&amp;", "&bogus;", "<", "山田", '<c r="ZZZZ9">',
    ]
)  # fmt: skip


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(_SHEET_PIECES, max_size=40))
def test_whatever_a_sheet_holds_the_reader_gives_rows_or_a_clear_error(tmp_path: Path, pieces: list[str]) -> None:
    path = excel_book(tmp_path / "a.xlsx", "".join(pieces), strings=("<si><t>氏名</t></si>",))
    try:
        _, rows = read(path)
    except UnreadableFileError as error:
        assert "is an Excel workbook (.xlsx)" in str(error) or "has no header" in str(error)
    else:
        assert all(isinstance(item, CsvProblem | tuple) for item in rows)


def test_a_sheet_chosen_by_name_is_read_hidden_or_not_and_an_unknown_name_is_a_clear_error(tmp_path: Path) -> None:
    from renkei.sources.csvfile import CsvOptions

    path = workbook(tmp_path / "a.xlsx", [["氏名"], ["隠れた人"]], hidden_first=True)
    with open_csv(path, CsvOptions(sheet="顧客一覧")) as f:
        assert f.problems == [] and [i for b in f.batches() for i in b] == [(2, ["隠れた人"])]
    with pytest.raises(UnreadableFileError, match=r"no worksheet named 名簿 \(its sheets: 顧客一覧, 見える\)"):
        open_csv(path, CsvOptions(sheet="名簿"))


def test_shared_strings_kept_compact_give_back_each_string_across_their_parts() -> None:
    from renkei.sources.xlsxfile import SharedStrings

    values = [f"{'山田' * (n % 5)}{n}" if n % 7 else "" for n in range(3 * SharedStrings.PART + 5)]
    strings = SharedStrings()
    for value in values:
        strings.append(value)
    strings.finish()
    assert len(strings) == len(values)
    assert [strings[i] for i in range(len(values))] == values
    with pytest.raises(IndexError):
        strings[len(values)]


def test_a_sheet_that_unpacks_past_its_limit_is_stopped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from renkei.sources import xlsxfile

    monkeypatch.setattr(xlsxfile, "MAX_SHEET_BYTES", 100_000)
    rows = "".join(f'<row r="{n}"><c r="A{n}"><v>{n}</v></c></row>' for n in range(1, 5000))
    with pytest.raises(UnreadableFileError, match="unpacks to more than"):
        read(excel_book(tmp_path / "a.xlsx", rows))
