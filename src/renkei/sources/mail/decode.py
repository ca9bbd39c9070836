"""Raw RFC 5322 bytes in, :class:`DecodedMail` out: the entry point of the mail-decoding layer."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime
from email.errors import MessageError
from email.message import Message
from email.parser import BytesParser
from email.policy import compat32

from renkei.sources.mail.forward import find_inline_forward, parse_loose_date, strip_forward_prefix
from renkei.sources.mail.headers import clean, decode_addresses, decode_date, decode_header, raw_header
from renkei.sources.mail.html_text import html_to_text
from renkei.sources.mail.model import DecodedMail, UndecodableMail
from renkei.sources.mail.parts import Budget, Walk, walk

_DECODER_DEFECTS = (
    ValueError, TypeError, LookupError, UnicodeError, IndexError, AttributeError, RecursionError,
    MessageError,
)  # fmt: skip
MAX_FORWARD_LEVELS = 5
MAX_FORWARD_SCAN_CHARS = 1_000_000  # a portal mail, even forwarded, is a few kilobytes
_MESSAGE_TYPES = ("message/rfc822", "message/global")
_MESSAGE_ID = re.compile(r"<[^<>\s]+>")
_DAEMON = re.compile(r"^(?:mailer-daemon|postmaster|no-?reply|bounces?|mail-daemon)\b", re.IGNORECASE)


@dataclass(frozen=True)
class _Read:
    mail: DecodedMail
    attached: Message | None  # a message/rfc822 part a person forwarded, if any


def decode_mail(raw: bytes, *, max_parts: int = 1000, max_depth: int = 20) -> DecodedMail:
    """Decode one mail; a forwarded original (inline or attached) is unwrapped.

    Never raises anything but :class:`UndecodableMail`: the bytes are not a mail, or (reason
    starting ``decoder failure``) a defect of this decoder met them; quarantine the mail either way.
    Limits: at most ``max_parts`` MIME parts and ``max_depth`` nesting levels are read; what lies
    beyond is skipped with a warning.
    """
    if not isinstance(raw, bytes | bytearray | memoryview):
        raise UndecodableMail(f"expected bytes, got {type(raw).__name__}")
    data = bytes(raw).lstrip(b"\r\n\t ")
    if not data:
        raise UndecodableMail("empty message")
    try:
        return _decode(data, max_parts, max_depth)
    except _DECODER_DEFECTS as exc:
        raise UndecodableMail(f"decoder failure: {type(exc).__name__}: {str(exc)[:200]}") from exc


def _decode(data: bytes, max_parts: int, max_depth: int) -> DecodedMail:
    warnings: list[str] = []
    msg = _parse(data, warnings)
    if not msg.keys():
        raise UndecodableMail("no header fields: not a mail")
    budget = Budget(parts_left=max_parts, max_parts=max_parts, max_depth=max_depth)
    read = _read(msg, budget, warnings, depth=0)
    outer = read.mail
    mail = outer
    for _ in range(MAX_FORWARD_LEVELS):
        unwrapped = _unwrap_attached(read, budget, warnings) or _unwrap_inline(read.mail, warnings)
        if unwrapped is None:
            break
        read = unwrapped
        mail = replace(read.mail, forwarded=True, forwarded_by=outer.from_addr)
    if outer.message_id is None:
        warnings.append("no Message-ID")
    return replace(
        mail,
        message_id=outer.message_id,
        to_addrs=outer.to_addrs,
        warnings=tuple(dict.fromkeys(warnings)),
    )


def _parse(data: bytes, warnings: list[str]) -> Message:
    parser = BytesParser(policy=compat32)
    try:
        return parser.parsebytes(data)
    except RecursionError:
        warnings.append("MIME structure nested too deeply to parse; only the header was read")
        msg = parser.parsebytes(data, headersonly=True)
        msg.set_payload("")
        del msg["Content-Type"]
        del msg["Content-Transfer-Encoding"]
        return msg


def _read(msg: Message, budget: Budget, warnings: list[str], depth: int) -> _Read:
    subject = decode_header(raw_header(msg, "Subject"), warnings)
    senders = decode_addresses(raw_header(msg, "From"), warnings)
    recipients = decode_addresses(raw_header(msg, "To"), warnings)
    message_id_raw = decode_header(raw_header(msg, "Message-ID"), warnings)
    found = walk(msg, budget, warnings, depth)
    text = _best_text(found, warnings)
    sender = senders[0] if senders else None
    mail = DecodedMail(
        message_id=_message_id(message_id_raw),
        subject=subject,
        from_addr=(sender.addr or None) if sender else None,
        from_display=sender.display if sender else None,
        to_addrs=tuple(r.addr for r in recipients if r.addr),
        date=decode_date(raw_header(msg, "Date"), warnings),
        text=text,
        html="\n".join(found.html) if found.html else None,
        attachments=tuple(found.attachments),
        forwarded=False,
        forwarded_by=None,
        warnings=(),
    )
    attached = None
    if found.attached_messages and not found.report and not _is_daemon(mail):
        attached = found.attached_messages[0]
        if len(found.attached_messages) > 1:
            count = len(found.attached_messages)
            warnings.append(f"{count} attached messages; the first was read as the original")
    return _Read(mail, attached)


def _best_text(found: Walk, warnings: list[str]) -> str:
    if any(part.strip() for part in found.plain):
        return "\n".join(found.plain)
    if found.html:
        text, warning = html_to_text("\n".join(found.html))
        if warning:
            warnings.append(warning)
        return text
    return "\n".join(found.plain)


def _message_id(value: str) -> str | None:
    match = _MESSAGE_ID.search(value)
    if match:
        return match.group()
    return clean(value) or None


def _is_daemon(mail: DecodedMail) -> bool:
    return bool(mail.from_addr and _DAEMON.match(mail.from_addr)) or mail.from_addr is None


def _unwrap_attached(read: _Read, budget: Budget, warnings: list[str]) -> _Read | None:
    if read.attached is None:
        return None
    inner = _read(read.attached, budget, warnings, depth=1)
    kept = tuple(a for a in read.mail.attachments if a.content_type not in _MESSAGE_TYPES)
    mail = inner.mail
    if not mail.subject:
        mail = replace(mail, subject=strip_forward_prefix(read.mail.subject))
    if mail.date is None:
        warnings.append("forwarded original has no readable date; the forwarding mail's Date is used")
        mail = replace(mail, date=read.mail.date)
    return _Read(replace(mail, attachments=mail.attachments + kept), inner.attached)


def _unwrap_inline(mail: DecodedMail, warnings: list[str]) -> _Read | None:
    if len(mail.text) > MAX_FORWARD_SCAN_CHARS:
        warnings.append(f"text longer than {MAX_FORWARD_SCAN_CHARS} characters; not searched for a forward")
        return None
    original = find_inline_forward(mail.text, mail.subject)
    if original is None:
        return None
    date: datetime | None = None
    if original.date_text:
        date = parse_loose_date(original.date_text, warnings)
    if date is None:
        warnings.append("forwarded original has no readable date; the forwarding mail's Date is used")
        date = mail.date
    unwrapped = replace(
        mail,
        subject=original.subject if original.subject is not None else strip_forward_prefix(mail.subject),
        from_addr=original.from_addr,
        from_display=original.from_display,
        date=date,
        text=original.text,
    )
    return _Read(unwrapped, None)
