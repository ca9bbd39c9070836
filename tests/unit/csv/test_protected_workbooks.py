"""Password-protected workbooks (sources.protected), read through the CSV reader."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from tests.conftest import workbook
from tests.zips import protected_workbook, zip_bytes

from renkei.sources.csvfile import CsvOptions, UnreadableFileError, open_csv
from renkei.sources.protected import is_protected

ROWS = [["氏名", "メールアドレス"], ["山田太郎", "taro@example.jp"]]


@pytest.fixture
def protected(tmp_path: Path) -> Path:
    plain = workbook(tmp_path / "plain.xlsx", ROWS)
    path = tmp_path / "会員.xlsx"
    path.write_bytes(protected_workbook(plain.read_bytes(), "himitsu"))
    return path


def scratch_files() -> set[Path]:
    return set(Path(tempfile.gettempdir()).glob("renkei-open-*"))


def test_a_protected_workbook_is_read_with_its_password_as_it_would_be_sent_plainly(protected):
    assert is_protected(protected)
    before = scratch_files()
    with open_csv(protected, CsvOptions(password="himitsu"), name="会員.xlsx") as sheet:
        assert sheet.encoding == "xlsx" and sheet.headers == ["氏名", "メールアドレス"]
        assert [row for _, row in (item for batch in sheet.batches() for item in batch)] == [ROWS[1]]
    assert scratch_files() == before  # the decrypted copy is gone once the file is closed


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        (None, "is protected by a password: set the integration's file_password (the password its sender uses)"),
        ("wrong", "is protected by a password that the file_password does not open"),
    ],
)
def test_without_its_password_or_with_another_it_fails_saying_so(protected, password, reason):
    before = scratch_files()
    with pytest.raises(UnreadableFileError) as raised:
        open_csv(protected, CsvOptions(password=password), name="会員.xlsx")
    assert str(raised.value) == f"会員.xlsx {reason}"
    assert scratch_files() == before


def test_plain_files_are_not_taken_for_protected_ones(tmp_path):
    assert not is_protected(workbook(tmp_path / "plain.xlsx", ROWS))
    csv = tmp_path / "a.csv"
    csv.write_bytes("氏名\r\n山田\r\n".encode("cp932"))
    assert not is_protected(csv)


def test_an_encrypted_office_file_that_is_no_workbook_is_named_as_what_it_is(protected, tmp_path, monkeypatch):
    # Decrypted, it holds no workbook (a Word file, say): read as it came, as calamine names it, and
    # its scratch copy is removed.
    from renkei.sources import csvfile

    made: list[Path] = []

    def decrypted_document(path: Path, password: str | None) -> Path:
        scratch = tmp_path / "scratch.bin"
        scratch.write_bytes(zip_bytes({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"}))
        made.append(scratch)
        return scratch

    monkeypatch.setattr(csvfile, "decrypted_copy", decrypted_document)
    with pytest.raises(UnreadableFileError, match="protected by a password: open it"):
        open_csv(protected, CsvOptions(password="himitsu"), name="memo.docx")
    assert made and not made[0].exists()
