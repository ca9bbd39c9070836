"""The inbox reads a plain ``<local@domain>`` in MAIL and RCPT itself: exactly as aiosmtpd would."""

from __future__ import annotations

import pytest
from aiosmtpd.smtp import SMTP
from hypothesis import given, settings
from hypothesis import strategies as st

from renkei.channels.smtp import InboxSMTP


class _Handler:
    pass


FULL = SMTP(_Handler())
FAST = InboxSMTP(_Handler())

CASES = [
    "<a@b>",
    "<a@b> SIZE=100",
    "<a@b>  SIZE=1 BODY=8BITMIME",
    "<a@b>\tX",
    "<a@b> (comment) X",
    "<a@b>(c)",
    "<a@b> \r\n",
    "<a@b>x",
    "<a@b> <c@d>",
    "<first.last@example.co.jp> BODY=8BITMIME",
    "<suumo-12-0123456789abcdef012345678@inbox.localhost>",
    "<a+tag@sub.example.jp>",
    "<a..b@c>",
    "<.a@b>",
    "<a.@b>",
    "<a@-b>",
    "<a@b.>",
    '<"quoted local"@b>',
    "<a@[192.0.2.1]>",
    " <a@b>",
    "<>",
    "<a@b",
    "a@b",
    "<@route:a@b>",
    "<a@b c>",
    "<ａ@b>",
    "<a@b>\x00",
    "<" + "a" * 70 + "@b>",
]


def read(server: SMTP, arg: str) -> object:
    """What ``_getaddr`` answers, or the exception it raises (aiosmtpd's parser raises on some input)."""
    try:
        return server._getaddr(arg)
    except Exception as error:
        return type(error)


@pytest.mark.parametrize("arg", CASES)
def test_addresses_read_as_aiosmtpd_reads_them(arg: str) -> None:
    assert read(FAST, arg) == read(FULL, arg)


ADDRESS_PART = st.text(alphabet='ab.-+_@<>() \t"[]:,\r\nａ', max_size=16)


@settings(max_examples=500, deadline=None)
@given(ADDRESS_PART, ADDRESS_PART)
def test_generated_addresses_read_as_aiosmtpd_reads_them(left: str, right: str) -> None:
    arg = f"<{left}@{right}"
    assert read(FAST, arg) == read(FULL, arg)
    assert read(FAST, left + right) == read(FULL, left + right)


@settings(max_examples=500, deadline=None)
@given(st.from_regex(r"<[a-z.+-]{1,8}@[a-z0-9.-]{1,8}>[ \t(]{0,2}[A-Z=0-9 ]{0,8}", fullmatch=True))
def test_generated_plain_addresses_read_as_aiosmtpd_reads_them(arg: str) -> None:
    assert read(FAST, arg) == read(FULL, arg)
