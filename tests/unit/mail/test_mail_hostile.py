"""Hostile and broken input: decode_mail returns a view or raises UndecodableMail, never hangs."""

from __future__ import annotations

import base64
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.unit.mail.mail_samples import mail, suumo_mail

from renkei.sources.mail import DecodedMail, UndecodableMail, decode_mail


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        pytest.param(b"", "empty message", id="empty"),
        pytest.param(b"\r\n\r\n  \t", "empty message", id="whitespace"),
        pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00binary", "no header fields: not a mail", id="png-bytes"),
    ],
)
def test_not_a_mail_is_undecodable(raw: bytes, reason: str) -> None:
    with pytest.raises(UndecodableMail) as caught:
        decode_mail(raw)
    assert caught.value.reason == reason


@given(st.binary(max_size=2000))
@settings(max_examples=300, deadline=None)
def test_garbage_bytes_never_crash(raw: bytes) -> None:
    try:
        decoded = decode_mail(raw)
    except UndecodableMail as exc:
        assert not exc.reason.startswith("decoder failure"), exc.reason
        return
    assert isinstance(decoded, DecodedMail)


@given(st.lists(st.sampled_from(list(suumo_mail().split(b"\r\n"))), max_size=40), st.binary(max_size=200))
@settings(max_examples=200, deadline=None)
def test_shuffled_mail_lines_never_crash(lines: list[bytes], noise: bytes) -> None:
    try:
        decode_mail(b"\r\n".join(lines) + noise)
    except UndecodableMail as exc:
        assert not exc.reason.startswith("decoder failure"), exc.reason


def _b_word(data: bytes) -> str:
    return "=?utf-8?B?" + base64.b64encode(data).decode() + "?="


def test_nul_bytes_are_removed() -> None:
    decoded = decode_mail(mail("From: a\x00b@example.jp\nSubject: x\x00y\nMessage-ID: <1@x>", b"ab\x00cd"))
    assert "\x00" not in decoded.subject + decoded.text + (decoded.from_addr or "")
    assert decoded.text == "abcd"


@pytest.mark.parametrize(
    "subject",
    [
        pytest.param(_b_word(b"x\r\nBcc: victim@example.com"), id="b-word"),
        pytest.param("=?utf-8?Q?x=0D=0ABcc:_victim@example.com?=", id="q-word"),
        pytest.param(_b_word("x\u2028Bcc: v@example.com\x85".encode()), id="unicode-line-separators"),
    ],
)  # fmt: skip
def test_encoded_line_breaks_do_not_reach_the_output(subject: str) -> None:
    from_name = "=?utf-8?Q?Eve=0D=0AFrom=3A_boss=40example.com?="
    decoded = decode_mail(mail(f"From: {from_name} <eve@example.jp>\nSubject: {subject}\nMessage-ID: <1@x>", "b"))
    for value in (decoded.subject, decoded.from_display or "", decoded.from_addr or ""):
        assert not any(ch in value for ch in "\r\n\x85\u2028\u2029\x00")
    assert decoded.subject.startswith("x ") and "Bcc:" in decoded.subject
    assert decoded.from_addr == "eve@example.jp"


def test_missing_message_id_is_a_warning() -> None:
    decoded = decode_mail(mail("From: a@example.jp\nSubject: s", "b"))
    assert decoded.message_id is None
    assert "no Message-ID" in decoded.warnings


def _many_parts(count: int) -> bytes:
    parts = b"".join(b"--b\r\nContent-Type: text/plain\r\n\r\npart %d\r\n" % i for i in range(count))
    return mail("From: a@example.jp\nMessage-ID: <1@x>\nContent-Type: multipart/mixed; boundary=b", parts + b"--b--")


def test_ten_thousand_parts_stop_at_max_parts_and_keep_what_was_read() -> None:
    decoded = decode_mail(_many_parts(10_000), max_parts=100)
    assert "more than 100 MIME parts; the rest was not read" in decoded.warnings
    assert decoded.text.startswith("part 0\n")
    assert "part 98" in decoded.text and "part 99" not in decoded.text


def _nested(depth: int) -> bytes:
    head = b"".join(b"--b%d\r\nContent-Type: multipart/mixed; boundary=b%d\r\n\r\n" % (i, i + 1) for i in range(depth))
    tail = b"".join(b"--b%d--\r\n" % i for i in range(depth, 0, -1))
    body = head + b"--b%d\r\nContent-Type: text/plain\r\n\r\ndeep\r\n" % depth + tail + b"--b0--\r\n"
    return mail(
        "From: a@example.jp\nMessage-ID: <1@x>\nSubject: nested\nContent-Type: multipart/mixed; boundary=b0",
        body,
    )


@pytest.mark.parametrize("depth", [pytest.param(30, id="deeper-than-max-depth"), pytest.param(5000, id="5000")])
def test_deep_nesting_is_cut(depth: int) -> None:
    decoded = decode_mail(_nested(depth))
    assert decoded.subject == "nested"
    assert "deep" not in decoded.text
    assert decoded.warnings


def test_nesting_within_max_depth_is_read() -> None:
    assert decode_mail(_nested(10)).text.strip() == "deep"


def test_forty_megabyte_mail_is_decoded() -> None:
    attachment = base64.encodebytes(os.urandom(30_000_000))
    raw = mail(
        "From: a@example.jp\nMessage-ID: <1@x>\nContent-Type: multipart/mixed; boundary=b",
        b'--b\r\nContent-Type: text/plain; charset=iso-2022-jp\r\n\r\n\x1b$B$"\x1b(B\r\n'
        b"--b\r\nContent-Type: application/pdf; name=big.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        + attachment
        + b"--b--\r\n",
    )
    decoded = decode_mail(raw)
    assert decoded.text.strip() == "あ"
    assert len(decoded.attachments[0].data) == 30_000_000


@pytest.mark.parametrize(
    "html",
    [
        pytest.param("<a" * 200_000, id="unclosed-tags"),
        pytest.param("<!--" * 200_000, id="unclosed-comments"),
        pytest.param("<a href='https://x'>" * 100_000, id="unclosed-links"),
        pytest.param("<td>" * 300_000, id="cells"),
    ],
)
def test_hostile_html_is_converted_quickly(html: str) -> None:
    decoded = decode_mail(mail("From: a@x.jp\nMessage-ID: <1@x>\nContent-Type: text/html", html))
    assert isinstance(decoded.text, str)


def test_huge_forward_like_text_does_not_stall() -> None:
    text = ("From: " + "a" * 5000 + "\n") * 2000 + "-----Original Message-----\n" + "Subject: x\n" * 10_000
    decoded = decode_mail(mail("From: a@x.jp\nMessage-ID: <1@x>\nSubject: Fwd: x", text))
    assert isinstance(decoded.text, str)
