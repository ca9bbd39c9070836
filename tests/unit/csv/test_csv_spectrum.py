"""Every file of the csv-spectrum corpus parses to the rows its JSON lists.

The corpus is read in place from ``shared/corpora`` beside the repository, never copied.
Two known defects of the stored corpus are handled explicitly:

- ``location_coordinates.json`` gives the phone as ``1234567890`` while the CSV holds
  ``2095257564`` (and is one object, not a list): we check the CSV's own value for that cell.
- the ``*_crlf.csv`` files as stored have LF line endings (their CRs were lost on the way), so
  ``newlines_crlf.json``'s ``"\\r\\n"`` inside a value is read as ``"\\n"``. The CRLF behaviour
  is checked instead by ``test_spectrum_with_crlf_line_endings``, which rewrites every file
  with CRLF.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from renkei.sources.csvfile import CsvProblem, open_csv

CORPUS = Path(__file__).parents[3] / ".." / "shared" / "corpora" / "csv-spectrum"
CSVS = sorted((CORPUS / "csvs").glob("*.csv"))
PHONE_DEFECT = ("location_coordinates", "Contact Phone Number", "2095257564")


def expected_rows(name: str, csv_bytes: bytes) -> list[dict[str, str]]:
    data: Any = json.loads((CORPUS / "json" / f"{name}.json").read_text(encoding="utf-8"))
    rows: list[dict[str, str]] = data if isinstance(data, list) else [data]
    if name == PHONE_DEFECT[0]:
        rows = [{**row, PHONE_DEFECT[1]: PHONE_DEFECT[2]} for row in rows]
    if b"\r" not in csv_bytes:
        rows = [{k: v.replace("\r\n", "\n") for k, v in row.items()} for row in rows]
    return rows


def read_all(path: Path) -> tuple[list[str], list[dict[str, str]], list[CsvProblem]]:
    with open_csv(path) as csv_file:
        items = [item for batch in csv_file.batches() for item in batch]
        problems = [item for item in items if isinstance(item, CsvProblem)]
        rows = [dict(zip(csv_file.headers, item[1], strict=True)) for item in items if isinstance(item, tuple)]
        return csv_file.headers, rows, problems + csv_file.problems


def test_corpus_is_there() -> None:
    assert len(CSVS) == 12, f"csv-spectrum corpus not found under {CORPUS.resolve()}"


@pytest.mark.parametrize("path", CSVS, ids=[p.stem for p in CSVS])
def test_spectrum(path: Path) -> None:
    expected = expected_rows(path.stem, path.read_bytes())
    headers, rows, problems = read_all(path)
    assert problems == []
    assert headers == list(expected[0])
    assert rows == expected


@pytest.mark.parametrize("path", CSVS, ids=[p.stem for p in CSVS])
def test_spectrum_with_crlf_line_endings(path: Path, tmp_path: Path) -> None:
    crlf = path.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    copy = tmp_path / path.name
    copy.write_bytes(crlf)
    expected = [
        {k: v.replace("\r\n", "\n").replace("\n", "\r\n") for k, v in row.items()}
        for row in expected_rows(path.stem, crlf)
    ]
    _, rows, problems = read_all(copy)
    assert problems == []
    assert rows == expected


def test_spectrum_line_numbers_are_physical() -> None:
    with open_csv(CORPUS / "csvs" / "quotes_and_newlines.csv") as csv_file:
        lines = [item[0] for batch in csv_file.batches() for item in batch if isinstance(item, tuple)]
    # Row 1 spans lines 2-4; the next row starts on line 5.
    assert lines == [2, 5]
