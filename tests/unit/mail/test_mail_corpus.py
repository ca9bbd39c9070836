"""Every mail of the shared corpora decodes, with no replacement character; mikel fixtures exactly."""

from __future__ import annotations

from pathlib import Path

import pytest

from renkei.sources.mail import Attachment, decode_mail

CORPORA = Path(__file__).resolve().parents[3] / ".." / "shared" / "corpora"
CORPUS_MAILS = sorted(CORPORA.glob("mail-mikel/*.eml")) + sorted(CORPORA.glob("mail-sisimai/*.eml"))


def test_the_corpora_are_there() -> None:
    assert len(CORPUS_MAILS) > 100


@pytest.mark.parametrize("path", CORPUS_MAILS, ids=[f"{p.parent.name}/{p.name}" for p in CORPUS_MAILS])
def test_corpus_mail_decodes_cleanly(path: Path) -> None:
    decoded = decode_mail(path.read_bytes())
    texts = [
        decoded.subject,
        decoded.text,
        decoded.from_display or "",
        *(a.filename or "" for a in decoded.attachments),
    ]
    assert not any("\ufffd" in text for text in texts)
    assert decoded.date is None or decoded.date.tzinfo is not None


def _mikel(name: str) -> bytes:
    return (CORPORA / "mail-mikel" / name).read_bytes()


def test_mikel_japanese() -> None:
    decoded = decode_mail(_mikel("japanese.eml"))
    assert decoded.subject == "まみむめも"
    assert decoded.text == "かきくえこ\n\n-- \nhttp://lindsaar.net/\nRails, RSpec and Life blog....\n"
    assert decoded.from_addr == "raasdnil@gmail.com" and decoded.from_display == "Mikel Lindsaar"
    assert decoded.warnings == ("no Message-ID",)


def test_mikel_japanese_iso_2022() -> None:
    decoded = decode_mail(_mikel("japanese_iso_2022.eml"))
    assert decoded.subject == "まみむめも"
    assert decoded.text == "すみません。\n\n"


def test_mikel_japanese_shift_jis() -> None:
    decoded = decode_mail(_mikel("japanese_shift_jis.eml"))
    assert decoded.subject == "test"
    assert decoded.text == (
        "あいうえお\n\nこのメールはテスト用のメールです。\n\n今後ともよろしくお願い申し上げます！\n"
    )
    assert decoded.warnings == ()


def test_mikel_japanese_attachment() -> None:
    decoded = decode_mail(_mikel("japanese_attachment.eml"))
    assert decoded.text == "testing\n\n-- \nhttp://lindsaar.net/\nRails, RSpec and Life blog....\n"
    assert decoded.attachments == (Attachment("てすと.txt", "text/plain", "this is a test\nこれわてすと".encode()),)


def test_mikel_japanese_attachment_long_name() -> None:
    decoded = decode_mail(_mikel("japanese_attachment_long_name.eml"))
    assert decoded.subject == "まみむめも" * 10
    assert decoded.attachments == (Attachment("かきくけこ" * 5 + ".txt", "text/plain", b"this is the data\r\n"),)
    assert decoded.text == ""


def test_sisimai_iso2022jp_subject() -> None:
    decoded = decode_mail((CORPORA / "mail-sisimai" / "lhost-domino-02.eml").read_bytes())
    assert decoded.subject.startswith("DELIVERY FAILURE:")
    assert "ユーザー Neko (kijitora@example.co.jp) は Domino ディレクトリには見つかりません。" in decoded.subject
