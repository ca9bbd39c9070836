"""Header fields of Japanese mail: encoded words, raw 8-bit bytes, addresses and dates.

Encoded words are decoded with :mod:`codecs_ja` (not ``email.policy.default``), and the bytes of
adjacent encoded words in the same charset are joined before decoding, because mailers split
multibyte characters across words.
"""

from __future__ import annotations

import binascii
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from email.message import Message
from email.utils import getaddresses, parsedate_tz
from functools import lru_cache

from renkei.sources.mail.charsets import decode_text, sniff

MAX_HEADER_CHARS = 65536
#: Header values up to this long are remembered once decoded (a few hundred of them at most).
REMEMBER_BYTES = 1024
JST = timezone(timedelta(hours=9), "JST")

_ENCODED_WORD = re.compile(rb"=\?([^?\s*]+)(?:\*[^?\s]*)?\?([BbQq])\?([^?\s]*)\?=")
_FOLD = re.compile(rb"\r?\n(?=[ \t])|\r(?=[ \t])")
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff]+")
_ZONE = re.compile(r"[+-]\d{4}\b|\b(?:UT|UTC|GMT|Z|[ECMP][SD]T|[A-IK-Z])\s*$", re.IGNORECASE)
_BASE64_JUNK = re.compile(rb"[^A-Za-z0-9+/]")


def clean(text: str) -> str:
    """Text safe to put on one line: control characters (CR, LF, NUL, ...) become one space."""
    return _CONTROLS.sub(" ", text).strip()


def raw_header(msg: Message, name: str) -> bytes | None:
    """The first ``name`` field of ``msg`` as the bytes that arrived, unfolded."""
    wanted = name.lower()
    for key, value in msg.raw_items():
        if key.lower() == wanted:
            return _FOLD.sub(b"", header_bytes(str(value))[:MAX_HEADER_CHARS])
    return None


def header_bytes(value: str) -> bytes:
    """The bytes behind a str the parser made with ``surrogateescape``."""
    try:
        return value.encode("ascii", "surrogateescape")
    except UnicodeEncodeError:
        return value.encode("utf-8", "surrogateescape")


def _word_bytes(encoding: bytes, payload: bytes) -> bytes:
    if encoding in (b"B", b"b"):
        data = _BASE64_JUNK.sub(b"", payload)
        data = data[: len(data) - len(data) % 4] if len(data) % 4 == 1 else data
        return binascii.a2b_base64(data + b"=" * (-len(data) % 4)) if data else b""
    return binascii.a2b_qp(payload, header=True)


def decode_header(raw: bytes | None, warnings: list[str]) -> str:
    """Decode an unfolded header value: encoded words and raw 8-bit text, controls removed."""
    if not raw:
        return ""
    text, found = _decoded_header(raw) if len(raw) <= REMEMBER_BYTES else _decoded_header.__wrapped__(raw)
    for message in found:
        _warn(warnings, message)
    return text


@lru_cache(maxsize=1024)
def _decoded_header(raw: bytes) -> tuple[str, tuple[str, ...]]:
    """``decode_header`` as a pure function of the bytes: (text, warnings). Remembered: a portal
    sends every inquiry with the same Subject, From and To."""
    warnings: list[str] = []
    pieces: list[tuple[str | None, bytes]] = []  # (charset of an encoded word or None, bytes)
    pos = 0
    for match in _ENCODED_WORD.finditer(raw):
        between = raw[pos : match.start()]
        previous_is_word = bool(pieces) and pieces[-1][0] is not None
        if between and not (previous_is_word and not between.strip()):
            pieces.append((None, between))
        charset = match.group(1).decode("ascii", "replace").lower()
        data = _word_bytes(match.group(2), match.group(3))
        if pieces and pieces[-1][0] == charset:
            pieces[-1] = (charset, pieces[-1][1] + data)
        else:
            pieces.append((charset, data))
        pos = match.end()
    if pos < len(raw):
        pieces.append((None, raw[pos:]))
    out: list[str] = []
    for charset, data in pieces:
        if charset is None:
            text, used = sniff(data)
            if not data.isascii():
                _warn(warnings, f"raw 8-bit header read as {used}")
            out.append(text)
        else:
            text, warning = decode_text(data, charset)
            if warning:
                _warn(warnings, f"header: {warning}")
            out.append(text)
    return clean("".join(out)), tuple(warnings)


def _warn(warnings: list[str], message: str) -> None:
    if message not in warnings:
        warnings.append(message)


@dataclass(frozen=True)
class Address:
    """One mailbox: the bare address (lower case, may be empty) and the display name."""

    addr: str
    display: str | None


def decode_addresses(raw: bytes | None, warnings: list[str]) -> list[Address]:
    """The mailboxes of an address header, display names decoded."""
    if not raw:
        return []
    result, found = _decoded_addresses(raw) if len(raw) <= REMEMBER_BYTES else _decoded_addresses.__wrapped__(raw)
    for message in found:
        _warn(warnings, message)
    return list(result)


@lru_cache(maxsize=1024)
def _decoded_addresses(raw: bytes) -> tuple[tuple[Address, ...], tuple[str, ...]]:
    """``decode_addresses`` as a pure function of the bytes: (mailboxes, warnings), remembered."""
    warnings: list[str] = []
    value = raw.decode("ascii", "surrogateescape")
    result = []
    for name, addr in getaddresses([value]):
        display = decode_header(header_bytes(name), warnings) or None
        bare = clean(header_bytes(addr).decode("utf-8", "replace")).replace(" ", "").lower()
        if bare or display:
            result.append(Address(bare, display))
    return tuple(result), tuple(warnings)


def decode_date(raw: bytes | None, warnings: list[str]) -> datetime | None:
    """An aware datetime for a Date field; -0000 is UTC, a missing zone is read as JST."""
    if not raw:
        return None
    text = clean(raw.decode("ascii", "replace"))
    return parse_rfc_date(text, warnings)


def parse_rfc_date(text: str, warnings: list[str]) -> datetime | None:
    """Parse an RFC 5322 date; None (with a warning) when it is unreadable."""
    try:
        parts = parsedate_tz(text)
    except (ValueError, IndexError, TypeError, OverflowError):
        parts = None
    if parts is None:
        _warn(warnings, f"unreadable date {text[:80]!r}")
        return None
    *fields, offset = parts
    try:
        year, month, day, hour, minute, second = fields[:6]
        naive = datetime(year, month, day, hour, minute, second)
    except (ValueError, OverflowError):
        _warn(warnings, f"unreadable date {text[:80]!r}")
        return None
    if not offset and not _ZONE.search(re.sub(r"\([^)]*\)", "", text)):
        _warn(warnings, "date without time zone read as JST")
        return naive.replace(tzinfo=JST)
    if offset is None:
        return naive.replace(tzinfo=UTC)
    if abs(offset) >= 86400:
        _warn(warnings, f"date with an impossible time zone {text[:80]!r} read as UTC")
        return naive.replace(tzinfo=UTC)
    return naive.replace(tzinfo=timezone(timedelta(seconds=offset)))
