"""Reading a raw mail's header lines gives what the full parsers give, or leaves it to them.

Every landing reads a mail's Message-ID and whether it is DKIM-signed from the raw header
lines; these tests hold that to the stdlib parser and to dkimpy on every mail we have and on
hostile header blocks, generated ones included.
"""

from __future__ import annotations

from pathlib import Path

import dkim
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from renkei.pipeline.mail import message_id_of, parsed_message_id
from renkei.sources.mail.auth import check_dkim
from renkei.sources.mail.raw_headers import first_field, header_lines

ROOT = Path(__file__).resolve().parents[3]
CORPORA = ROOT / ".." / "shared" / "corpora"
MAILS = [
    *sorted(CORPORA.glob("mail-mikel/*.eml")),
    *sorted(CORPORA.glob("mail-sisimai/*.eml")),
    *sorted((ROOT / "tests" / "cases").rglob("*.eml")),
]


def _unresolvable(name: str, rdtype: str) -> list[str]:
    raise AssertionError(f"no DNS lookup expected here ({name} {rdtype})")


def dkim_sees_no_signature(raw: bytes) -> bool:
    """dkimpy reads the headers and counts no DKIM-Signature."""
    try:
        verifier = dkim.DKIM(raw)
    except Exception:
        return False
    return not any(name.lower() == b"dkim-signature" for name, _ in verifier.headers)


def agrees(raw: bytes) -> None:
    assert message_id_of(raw) == parsed_message_id(raw)
    fields = header_lines(raw)
    if fields is not None and not any(f.name == b"dkim-signature" for f in fields):
        assert dkim_sees_no_signature(raw)


def test_there_are_mails_to_compare() -> None:
    assert len(MAILS) > 120


@pytest.mark.parametrize("path", MAILS, ids=[f"{p.parent.name}/{p.name}" for p in MAILS])
def test_every_mail_we_have_reads_the_same(path: Path) -> None:
    agrees(path.read_bytes())


HOSTILE = [
    b"Message-ID: <a@b>\r\nSubject: x\r\n\r\nbody",
    b"Message-ID:<a@b>\n\nbody",
    b"message-id:   <a@b>   \r\n\r\n",
    b"Message-ID:\r\n\r\n",
    b"Message-ID: \r\n <folded@b>\r\n\r\n",
    b"Message-ID: <a@b>\r\n <more>\r\n\r\n",
    b"X: 1\r\nMessage-ID: <first@b>\r\nMessage-ID: <second@b>\r\n\r\n",
    b"Message-ID: <a@b>\rX-Hidden: y\r\n\r\n",
    b"Message-ID: <\xe3\x81\x82@b>\r\n\r\n",
    b"From sender@example.jp Mon Jan  1 00:00:00 2026\r\nMessage-ID: <a@b>\r\n\r\n",
    b"Subject: x\r\nFrom someone\r\nMessage-ID: <a@b>\r\n\r\n",
    b" leading continuation\r\nMessage-ID: <a@b>\r\n\r\n",
    b"no header here\r\nMessage-ID: <a@b>\r\n\r\n",
    b"Message-ID : <a@b>\r\n\r\n",
    b"\r\nMessage-ID: <in-body@b>\r\n",
    b"Message-ID: <no-body@b>\r\n",
    b"Message-ID: <a@b>",
    b"",
    b"X: " + b"y" * 70000 + b"\r\nMessage-ID: <late@b>\r\n\r\n",
    b"DKIM-Signature: v=1; a=rsa-sha256; d=example.jp\r\nMessage-ID: <a@b>\r\n\r\nbody",
    b"dkim-signature: v=1\r\n\r\n",
    b"X-DKIM-Signature: not one\r\n\r\n",
    b"Subject: x\r\n\tDKIM-Signature: inside a fold\r\n\r\n",
]


@pytest.mark.parametrize("raw", HOSTILE)
def test_hostile_header_blocks_read_the_same(raw: bytes) -> None:
    agrees(raw)


def test_the_fast_read_is_used_for_plain_mails_and_declines_the_rest() -> None:
    assert first_field(b"X: 1\r\nMessage-ID: <a@b>\r\n\r\n", b"message-id") == (True, b" <a@b>")
    assert first_field(b"X: 1\r\n\r\n", b"message-id") == (True, None)
    assert first_field(b"Message-ID: \r\n <folded@b>\r\n\r\n", b"message-id") == (False, None)
    assert header_lines(b"no header here\r\n\r\n") is None
    assert header_lines(b"X: " + b"y" * 70000 + b"\r\n\r\n") is None


def test_an_unsigned_mail_is_none_without_dkimpy_and_a_signed_one_is_checked() -> None:
    unsigned = check_dkim(b"Message-ID: <a@b>\r\nSubject: x\r\n\r\nbody\r\n", _unresolvable)
    assert (unsigned.result, unsigned.reason) == ("none", "no DKIM-Signature")
    unreadable = check_dkim(b"no header here\r\n\r\nbody\r\n", _unresolvable)
    assert unreadable.result == "none" and unreadable.reason.startswith("the mail cannot be read for DKIM")


LINE = st.one_of(
    st.sampled_from(
        [
            b"Message-ID: <a@b>",
            b"message-id:<c@d>",
            b"Message-ID:",
            b" folded",
            b"\tfolded",
            b"DKIM-Signature: v=1",
            b"From x",
            b"Subject: \xe6\x97\xa5",
            b"",
            b"X-Odd : y",
        ]
    ),
    st.binary(max_size=12),
)


@settings(max_examples=400, deadline=None)
@given(st.lists(LINE, max_size=8), st.sampled_from([b"\r\n", b"\n"]))
def test_generated_header_blocks_read_the_same(lines: list[bytes], end: bytes) -> None:
    agrees(end.join(lines) + end + end + b"body")
