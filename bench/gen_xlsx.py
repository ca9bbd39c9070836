"""An Excel workbook (.xlsx) of the first rows of a bench CSV, written as Excel writes one.

Every cell is text kept once in the shared strings table and named by its index from the sheet
(``t="s"``), the way Excel saves a list typed or pasted as text; the parts are the ones Excel
writes (content types, relationships, workbook, styles, shared strings, one sheet).

    python bench/gen_xlsx.py MEMBERS.csv OUT.xlsx [ROWS]     # ROWS: the data rows taken (all)
"""

from __future__ import annotations

import csv
import itertools
import sys
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE = "http://schemas.openxmlformats.org/package/2006/relationships"
_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)


def _column(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def write_workbook(source: Path, target: Path, rows: int | None = None) -> int:
    """Write the header and the first ``rows`` data rows of CSV ``source`` (CP932) as a workbook
    at ``target``; returns the data rows written."""
    strings: dict[str, int] = {}
    written = 0
    with (
        source.open(encoding="cp932", newline="") as reading,
        zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as book,
    ):
        with book.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write((_DECLARATION + f'<worksheet xmlns="{_MAIN}"><sheetData>').encode())
            limit = None if rows is None else rows + 1
            for number, row in enumerate(itertools.islice(csv.reader(reading), limit), start=1):
                cells = "".join(
                    f'<c r="{_column(i)}{number}" t="s"><v>{strings.setdefault(value, len(strings))}</v></c>'
                    for i, value in enumerate(row)
                    if value
                )
                sheet.write(f'<row r="{number}">{cells}</row>'.encode())
                written = number - 1
            sheet.write(b"</sheetData></worksheet>")
        with book.open("xl/sharedStrings.xml", "w") as shared:
            shared.write((_DECLARATION + f'<sst xmlns="{_MAIN}" uniqueCount="{len(strings)}">').encode())
            for text in strings:
                space = ' xml:space="preserve"' if text != text.strip() else ""
                shared.write(f"<si><t{space}>{escape(text)}</t></si>".encode())
            shared.write(b"</sst>")
        book.writestr("[Content_Types].xml", _TYPES)
        book.writestr(
            "_rels/.rels",
            f'<Relationships xmlns="{_PACKAGE}"><Relationship Id="rId1" Type="{_RELS}/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>',
        )
        book.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{_MAIN}" xmlns:r="{_RELS}"><sheets>'
            '<sheet name="顧客一覧" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        book.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<Relationships xmlns="{_PACKAGE}">'
            f'<Relationship Id="rId1" Type="{_RELS}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{_RELS}/styles" Target="styles.xml"/>'
            f'<Relationship Id="rId3" Type="{_RELS}/sharedStrings" Target="sharedStrings.xml"/>'
            "</Relationships>",
        )
        book.writestr(
            "xl/styles.xml", f'<styleSheet xmlns="{_MAIN}"><cellXfs count="1"><xf numFmtId="0"/></cellXfs></styleSheet>'
        )
    return written


def main(argv: list[str]) -> int:
    if len(argv) not in (2, 3):
        print("usage: python bench/gen_xlsx.py MEMBERS.csv OUT.xlsx [ROWS]", file=sys.stderr)
        return 2
    rows = write_workbook(Path(argv[0]), Path(argv[1]), int(argv[2]) if len(argv) == 3 else None)
    print(f"wrote {rows} rows to {argv[1]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
