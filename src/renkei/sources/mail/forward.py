"""Mails forwarded inline by a person: find the original's header block and body in the text.

Recognised: Gmail ``---------- Forwarded message ---------``, Thunderbird ``-------- Forwarded
Message --------`` / ``-------- 転送メッセージ --------``, Apple Mail ``Begin forwarded message:``,
Outlook ``-----Original Message-----`` / ``-----元のメッセージ-----`` and Outlook's bare
``From: … Sent: …`` / ``差出人: … 送信日時: …`` block, also when the whole forward is ``>``-quoted.
Outlook uses the same blocks for replies, so those count only when the subject is not a reply.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

from renkei.sources.mail.headers import JST, clean, parse_rfc_date

_FORWARD_MARKER = re.compile(
    r"^[ \t]*(?:-{3,}[ \t]*(?:Forwarded message|転送メッセージ|転送されたメッセージ)[ \t]*-{3,}"
    r"|Begin forwarded message:|転送されたメッセージ[:：])[ \t]*$",
    re.IGNORECASE | re.MULTILINE,
)
_AMBIGUOUS_MARKER = re.compile(
    r"^[ \t]*(?:-{3,}[ \t]*(?:Original Message|元のメッセージ|オリジナルメッセージ)[ \t]*-{3,}"
    r"|_{10,})[ \t]*$",
    re.IGNORECASE | re.MULTILINE,
)
_LABELS = {
    "from": "from", "差出人": "from", "送信者": "from", "送信元": "from",
    "date": "date", "sent": "date", "送信日時": "date", "日付": "date", "送信日": "date", "日時": "date",
    "subject": "subject", "件名": "subject", "題名": "subject",
    "to": "to", "宛先": "to", "送信先": "to", "cc": "cc", "reply-to": "other", "importance": "other",
    "重要度": "other", "bcc": "other",
}  # fmt: skip
_LABEL_NAMES = "|".join(map(re.escape, _LABELS))
_HEADER_LINE = re.compile(rf"^[ \t]*\*?({_LABEL_NAMES})\*?[ \t]*[:：][ \t]*(.*)$", re.IGNORECASE)
_BARE_BLOCK = re.compile(r"^[ \t]*\*?(?:From|差出人|送信者)\*?[ \t]*[:：]", re.IGNORECASE | re.MULTILINE)
_QUOTED = re.compile(r"^[ \t]*>[ \t]?", re.MULTILINE)
_REPLY_SUBJECT = re.compile(r"^\s*(?:re|aw|sv|返信|答复)(?:\[\d+\])?\s*[:：]", re.IGNORECASE)
_FORWARD_PREFIX = re.compile(r"^\s*(?:(?:fwd?|fw|転送|tr|wg)\s*[:：]\s*|\[fwd?:?\s*)+", re.IGNORECASE)
_ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_FORWARD_HINTS = ("---", "orwarded", "ORWARDED", "転送")
_FROM_HINTS = ("From", "FROM", "from", "差出人", "送信者")
_MAX_BLOCK_LINES = 60
_MAX_FIELD_CHARS = 998
_MAX_BARE_BLOCKS = 5
_MONTHS = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}
_JA_DATE = re.compile(
    r"(\d{4})\s*[年/.-]\s*(\d{1,2})\s*[月/.-]\s*(\d{1,2})\s*日?\D*?(午前|午後|AM|PM)?\s*(\d{1,2})[:：時](\d{2})"
    r"(?:[:：](\d{2}))?\s*(AM|PM)?",
    re.IGNORECASE,
)
_EN_DATE = re.compile(
    r"([A-Za-z]{3,9})\.?\s+(\d{1,2}),?\s+(\d{4})\D*?(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AP]\.?M\.?)?", re.I
)
_OFFSET = re.compile(r"(?:GMT|UTC)?\s*([+-])(\d{1,2}):?(\d{2})?\s*\)?\s*$")


@dataclass(frozen=True)
class InlineOriginal:
    """What the forward block says about the original mail."""

    from_addr: str | None
    from_display: str | None
    date_text: str | None
    subject: str | None
    text: str


def strip_forward_prefix(subject: str) -> str:
    """``Fwd: FW: 件名`` -> ``件名``."""
    return _FORWARD_PREFIX.sub("", subject).strip()


def find_inline_forward(text: str, subject: str) -> InlineOriginal | None:
    """The forwarded original inside ``text``, or None when the text forwards nothing."""
    found = _find(text, subject)
    if found is not None:
        return found
    quoted = _quoted_block(text)
    return _find(quoted, subject) if quoted else None


def _find(text: str, subject: str) -> InlineOriginal | None:
    # Substring checks first: most mails forward nothing, and they are far cheaper than the regexes.
    if any(hint in text for hint in _FORWARD_HINTS):
        marker = _FORWARD_MARKER.search(text)
        found = _read_block(text[marker.end() :], require_date=False) if marker else None
        if found is not None:
            return found
    if _REPLY_SUBJECT.match(subject) and not _FORWARD_PREFIX.match(subject):
        return None
    if "---" in text or "__________" in text:
        marker = _AMBIGUOUS_MARKER.search(text)
        found = _read_block(text[marker.end() :], require_date=False) if marker else None
        if found is not None:
            return found
    if not any(hint in text for hint in _FROM_HINTS):
        return None
    for n, bare in enumerate(_BARE_BLOCK.finditer(text)):
        if n == _MAX_BARE_BLOCKS:
            break
        found = _read_block(text[bare.start() :], require_date=True)
        if found is not None:
            return found
    return None


def _quoted_block(text: str) -> str | None:
    if ">" not in text:
        return None
    lines = text.split("\n")
    quoted = [i for i, line in enumerate(lines) if line.lstrip().startswith(">")]
    if len(quoted) < 3:
        return None
    block = lines[quoted[0] : quoted[-1] + 1]
    out = []
    for line in block:
        while line.lstrip().startswith(">"):
            line = _QUOTED.sub("", line, count=1)
        out.append(line)
    return "\n".join(out)


def _read_block(rest: str, *, require_date: bool) -> InlineOriginal | None:
    lines = rest.split("\n", _MAX_BLOCK_LINES)  # the last item keeps the unsplit rest
    i = 0
    while i < len(lines) and not lines[i].strip():
        i += 1
    fields: dict[str, str] = {}
    last = ""
    while i < min(len(lines), _MAX_BLOCK_LINES):
        match = _HEADER_LINE.match(lines[i][:_MAX_FIELD_CHARS])
        if match:
            last = _LABELS[match.group(1).lower()]
            fields.setdefault(last, match.group(2).strip())
        elif lines[i].strip() and last in ("to", "cc") and not fields.get("subject"):
            pass  # a long To/Cc list wrapped onto the next line
        else:
            break
        i += 1
    if "from" not in fields or ("subject" not in fields and "date" not in fields):
        return None
    if require_date and ("date" not in fields or "subject" not in fields):
        return None
    body = "\n".join(lines[i:]).strip("\n")
    addr, display = _mailbox(fields["from"])
    return InlineOriginal(
        from_addr=addr,
        from_display=display,
        date_text=fields.get("date") or None,
        subject=clean(fields["subject"]) if "subject" in fields else None,
        text=body + "\n" if body else "",
    )


def _mailbox(value: str) -> tuple[str | None, str | None]:
    match = _ADDRESS.search(value)
    if match is None:
        return None, clean(value) or None
    addr = match.group().lower()
    display = value[: match.start()] + value[match.end() :]
    display = re.sub(r"\[mailto:\]|<mailto:>|<>|\[\]|\(\)", "", display)
    display = clean(display.strip(" \t\"'<>[]()")).strip("\"' ")
    return addr, (display if display and display.lower() != addr else None)


def parse_loose_date(text: str, warnings: list[str]) -> datetime | None:
    """Dates as mail clients print them in forward blocks; no zone given means JST."""
    stamp = _parse_loose(text)
    if stamp is not None:
        return stamp
    return parse_rfc_date(text, warnings)


def _parse_loose(text: str) -> datetime | None:
    ja = _JA_DATE.search(text)
    en = None if ja else _EN_DATE.search(text)
    try:
        if ja:
            year, month, day = int(ja.group(1)), int(ja.group(2)), int(ja.group(3))
            hour, minute, second = int(ja.group(5)), int(ja.group(6)), int(ja.group(7) or 0)
            meridiem = (ja.group(4) or ja.group(8) or "").upper()
            tail = text[ja.end() :]
        elif en and en.group(1)[:3].lower() in _MONTHS:
            year, month, day = int(en.group(3)), _MONTHS[en.group(1)[:3].lower()], int(en.group(2))
            hour, minute, second = int(en.group(4)), int(en.group(5)), int(en.group(6) or 0)
            meridiem = (en.group(7) or "").replace(".", "").upper()
            tail = text[en.end() :]
        else:
            return None
        if meridiem in ("PM", "午後") and hour < 12:
            hour += 12
        elif meridiem in ("AM", "午前") and hour == 12:
            hour = 0
        return datetime(year, month, day, hour, minute, second, tzinfo=_zone(tail))
    except ValueError:
        return None


def _zone(tail: str) -> timezone:
    match = _OFFSET.search(tail.strip())
    if match is None:
        return UTC if re.search(r"\b(?:GMT|UTC)\b", tail) else JST
    minutes = int(match.group(2)) * 60 + int(match.group(3) or 0)
    if minutes >= 24 * 60:
        return JST
    return timezone((-1 if match.group(1) == "-" else 1) * timedelta(minutes=minutes))
