"""The decoded view of one mail that portal parsers consume."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from renkei.errors import RecordError


@dataclass(frozen=True)
class Attachment:
    """A part that is not the body: a file, a CSV, an attached message."""

    filename: str | None
    content_type: str
    data: bytes


@dataclass(frozen=True)
class DecodedMail:
    """One mail, decoded: headers as text, the best plain-text body, attachments, warnings.

    When a person forwarded the mail (inline or as a ``message/rfc822`` attachment), ``subject``,
    ``from_addr``, ``from_display``, ``date`` and ``text`` describe the original, ``forwarded`` is
    True and ``forwarded_by`` is the forwarding person's address; ``message_id`` and ``to_addrs``
    stay those of the mail that arrived.
    """

    message_id: str | None
    subject: str
    from_addr: str | None
    from_display: str | None
    to_addrs: tuple[str, ...]
    date: datetime | None
    text: str
    html: str | None
    attachments: tuple[Attachment, ...]
    forwarded: bool
    forwarded_by: str | None
    warnings: tuple[str, ...]


class UndecodableMail(RecordError):
    """The bytes are not a mail we can read at all (empty, no header fields)."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"undecodable mail: {reason}")
        self.reason = reason
