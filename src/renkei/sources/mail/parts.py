"""Walk the MIME tree of a parsed mail: body texts, attachments, attached messages, with limits."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from email.message import Message
from email.parser import BytesParser
from email.policy import compat32

from renkei.sources.mail.charsets import decode_text
from renkei.sources.mail.headers import clean, decode_header, header_bytes
from renkei.sources.mail.model import Attachment


@dataclass
class Budget:
    """How many MIME parts may still be read, over the mail and any attached originals."""

    parts_left: int
    max_parts: int
    max_depth: int
    exhausted: bool = False


@dataclass
class Walk:
    """What the walk found, in document order."""

    plain: list[str] = field(default_factory=list)
    html: list[str] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    attached_messages: list[Message] = field(default_factory=list)
    report: bool = False


_NEWLINES = re.compile(r"\r\n?")


def walk(msg: Message, budget: Budget, warnings: list[str], depth: int = 0) -> Walk:
    """Read every part of ``msg`` down to ``budget.max_depth``, at most ``budget.parts_left`` parts."""
    found = Walk()
    stack: list[tuple[Message, int]] = [(msg, depth)]
    while stack:
        part, level = stack.pop()
        if budget.parts_left <= 0:
            if not budget.exhausted:
                budget.exhausted = True
                warnings.append(f"more than {budget.max_parts} MIME parts; the rest was not read")
            break
        budget.parts_left -= 1
        if level > budget.max_depth:
            _warn(warnings, f"MIME parts nested deeper than {budget.max_depth} levels were not read")
            continue
        ctype = part.get_content_type()
        if ctype in ("message/rfc822", "message/global") and isinstance(part.get_payload(), list):
            inner, data = _attached_message(part, warnings)
            if level == depth + 1 and inner is not None:
                found.attached_messages.append(inner)
            found.attachments.append(Attachment(_filename(part, warnings), ctype, data))
        elif part.is_multipart():
            found.report = found.report or ctype == "multipart/report"
            children = part.get_payload()
            if isinstance(children, list):
                stack.extend((child, level + 1) for child in reversed(children) if isinstance(child, Message))
        else:
            _leaf(part, ctype, found, warnings)
        found.report = found.report or ctype == "message/delivery-status"
    return found


def _attached_message(part: Message, warnings: list[str]) -> tuple[Message | None, bytes]:
    """The message inside a message/rfc822 part, and its bytes.

    Some mailers base64-encode attached messages, which RFC 2046 forbids; the parser then reads
    the base64 text as a headerless message, so decode and parse it again.
    """
    inner = part.get_payload(0)
    if not isinstance(inner, Message):
        return None, b""
    encoding = str(part.get("Content-Transfer-Encoding", "")).strip().lower()
    if encoding in ("base64", "quoted-printable") and not inner.keys():
        holder = Message()
        holder.set_payload(str(inner.get_payload()))
        holder["Content-Transfer-Encoding"] = encoding
        data = _data(holder, warnings)
        try:
            return BytesParser(policy=compat32).parsebytes(data), data
        except RecursionError:
            _warn(warnings, "an attached message is nested too deeply to parse")
            return None, data
    return inner, _data(part, warnings)


def _leaf(part: Message, ctype: str, found: Walk, warnings: list[str]) -> None:
    filename = _filename(part, warnings)
    disposition = part.get_content_disposition()
    maintype = ctype.partition("/")[0]
    is_text = ctype in ("text/plain", "text/html") or maintype == "multipart"
    if not is_text or disposition == "attachment" or filename is not None:
        found.attachments.append(Attachment(filename, ctype, _data(part, warnings)))
        return
    payload = _data(part, warnings)
    text, warning = decode_text(payload, part.get_content_charset())
    if warning:
        _warn(warnings, warning)
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\x00" in text:
        text = text.replace("\x00", "")
        _warn(warnings, "NUL characters removed from the body")
    text = _NEWLINES.sub("\n", text)
    (found.html if ctype == "text/html" else found.plain).append(text)


def _data(part: Message, warnings: list[str]) -> bytes:
    try:
        payload = part.get_payload(decode=True)
        if isinstance(payload, bytes):
            return payload
        inner = part.get_payload()
        if isinstance(inner, list):
            return b"".join(_serialize(m) for m in inner if isinstance(m, Message))
        return header_bytes(str(inner))
    except (RecursionError, ValueError, LookupError, UnicodeError, TypeError) as exc:
        _warn(warnings, f"a {part.get_content_type()} part could not be read: {type(exc).__name__}")
        return b""


def _serialize(msg: Message) -> bytes:
    """The bytes of a parsed message, close to how they arrived.

    Not ``Message.as_bytes()``: the generator refolds headers and raises on values it finds
    suspicious, and an attached message must not make the mail undecodable.
    """
    head = b"".join(header_bytes(f"{name}: {value}") + b"\r\n" for name, value in msg.raw_items())
    payload = msg.get_payload()
    if not isinstance(payload, list):
        return head + b"\r\n" + header_bytes(str(payload))
    children = [child for child in payload if isinstance(child, Message)]
    boundary = msg.get_boundary() if msg.get_content_maintype() == "multipart" else None
    if boundary is None:
        return head + b"\r\n" + b"".join(_serialize(child) for child in children)
    delimiter = b"--" + header_bytes(boundary)
    body = b"".join(delimiter + b"\r\n" + _serialize(child) + b"\r\n" for child in children)
    return head + b"\r\n" + body + delimiter + b"--\r\n"


def _filename(part: Message, warnings: list[str]) -> str | None:
    value = part.get_param("filename", None, "content-disposition")
    if value is None:
        value = part.get_param("name", None, "content-type")
    if value is None:
        return None
    if isinstance(value, tuple):  # RFC 2231: (charset, language, %-decoded text as latin-1)
        charset, _, text = value
        try:
            raw = str(text).encode("latin-1", "surrogateescape")
        except UnicodeEncodeError:
            raw = header_bytes(str(text))
        name, warning = decode_text(raw, charset or None)
        if warning:
            _warn(warnings, f"filename: {warning}")
    else:
        name = decode_header(header_bytes(str(value)), warnings)
    # Keep the last path segment only: a name like "../../x" must not steer whoever saves it.
    name = clean(re.split(r"[\\/]", name.strip('"'))[-1])
    return name or None


def _warn(warnings: list[str], message: str) -> None:
    if message not in warnings:
        warnings.append(message)
