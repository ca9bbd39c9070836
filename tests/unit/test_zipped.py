"""The files in a ZIP attachment (sources.zipped)."""

from __future__ import annotations

import io
import zipfile

import pytest
from tests.zips import aes_zip, zip_bytes

from renkei.core.file_rules import FILE_SUFFIXES
from renkei.sources.zipped import MAX_MEMBERS, ZipProblem, files_in, is_zip

CSV = "氏名,メール\r\n山田太郎,taro@example.jp\r\n".encode("cp932")


def deflated(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def read(data: bytes, password: str | None = None, budget: int = 10**7):
    return files_in("list.zip", data, FILE_SUFFIXES, password, budget)


def test_the_csv_and_workbook_members_are_the_files_and_the_rest_is_named():
    data = deflated({"members.csv": CSV, "export/list.xlsx": b"PK...", "readme.pdf": b"%PDF", "folder/": b""})
    parts, others = read(data)
    assert parts == [("members.csv", CSV), ("list.xlsx", b"PK...")]
    assert others == ["readme.pdf"]


def test_macos_copies_and_hidden_files_are_passed_over():
    data = deflated({"members.csv": CSV, "__MACOSX/._members.csv": b"\0\5", ".DS_Store": b"", "~$book.xlsx": b""})
    assert read(data) == ([("members.csv", CSV)], [])


def test_a_japanese_windows_tools_cp932_names_are_read_as_cp932():
    parts, _ = read(zip_bytes({"会員リスト/20261122_会員.csv": CSV}, names="cp932"))
    assert parts == [("20261122_会員.csv", CSV)]


def test_utf8_names_are_read_as_written():
    assert read(deflated({"会員.csv": CSV}))[0] == [("会員.csv", CSV)]


def test_two_members_of_one_name_are_told_apart_by_their_paths():
    parts, _ = read(deflated({"tokyo/list.csv": b"a", "osaka/list.csv": b"b"}))
    assert parts == [("tokyo/list.csv", b"a"), ("osaka/list.csv", b"b")]


@pytest.mark.parametrize("make", [lambda m: zip_bytes(m, password=b"pass1234"), lambda m: aes_zip(m, b"pass1234")],
                         ids=["zipcrypto", "aes"])  # fmt: skip
def test_an_encrypted_archive_opens_with_its_password_and_not_without(make):
    data = make({"members.csv": CSV})
    assert read(data, "pass1234") == ([("members.csv", CSV)], [])
    with pytest.raises(ZipProblem, match=r"list.zip is encrypted: set the integration's file_password"):
        read(data)
    with pytest.raises(ZipProblem, match=r"list.zip: the file_password does not open members.csv"):
        read(data, "wrong")


def test_what_expands_past_the_budget_is_refused_not_read():
    data = deflated({"huge.csv": b"0" * 5_000_000})
    assert len(data) < 10_000
    with pytest.raises(ZipProblem, match=r"list.zip: huge.csv expands past 1,000,000 bytes"):
        read(data, budget=1_000_000)


def test_what_is_no_zip_or_too_many_files_says_so():
    with pytest.raises(ZipProblem, match=r"list.zip is not a ZIP archive that can be read"):
        read(b"not a zip at all")
    with pytest.raises(ZipProblem, match=rf"holds {MAX_MEMBERS + 1} files; at most {MAX_MEMBERS}"):
        read(deflated({f"{n}.csv": b"" for n in range(MAX_MEMBERS + 1)}))


def test_a_zip_attachment_is_known_by_its_name_or_its_type():
    assert is_zip("会員.ZIP", "application/octet-stream")
    assert is_zip(None, "application/x-zip-compressed")
    assert not is_zip("members.csv", "text/csv")
