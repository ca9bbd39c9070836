"""Mail kinds: portal inquiry mails (``suumo``, ``homes``, ``athome``, ``mail-labels``).

A mail payload is decoded (Japanese-first, forwarded mails unwrapped), handed to the portal
parser of the integration's kind, and becomes at most one source record with its inquiry. A
mail that is not a lead, or that cannot be read, is classified instead, with a reason.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

from renkei.core.file_rules import FILE_SUFFIXES
from renkei.core.records import SourceRecord
from renkei.sources.csv_kind import CsvSettings, extract_csv
from renkei.sources.mail import DecodedMail, UndecodableMail, decode_mail
from renkei.sources.portals.mail_labels import PRESETS
from renkei.sources.portals.registry import parse_portal_mail
from renkei.sources.ppap import is_password_notice, passwords_in
from renkei.sources.registry import Extraction, SourceKind, register
from renkei.sources.zipped import ZipProblem, data_files, is_zip, unzip_limit

_URL = re.compile(r"https?://[^\s<>「」（）()、。]+")

MAIL_KINDS = ("suumo", "homes", "athome", "mail-labels", "mail-csv")

#: Portal verdicts → delivery states.
VERDICT_STATES = {
    "not_a_lead": "not-a-lead",
    "confirmation": "not-a-lead",
    "unrecognised": "not-a-lead",
    "broken_lead": "failed",
}


def new_inbox_secret() -> str:
    """An unguessable inbox secret: 25 hex digits, 100 random bits."""
    return secrets.token_bytes(13).hex()[:25]


class ImapSettings(BaseModel):
    """A mailbox Renkei polls over IMAP instead of (or besides) receiving forwarded mail."""

    model_config = ConfigDict(extra="forbid")

    host: str = Field(description="The IMAP server.", min_length=1)
    port: int | None = Field(default=None, ge=1, le=65535, description="Default 993 with TLS, else 143.")
    tls: bool = Field(default=True, description="IMAPS: TLS from the first byte (port 993).")
    starttls: bool = Field(default=False, description="Plain connection upgraded with STARTTLS (when tls is off).")
    username: str = Field(min_length=1, description="The IMAP login.")
    password: SecretStr | None = Field(
        default=None,
        description="The IMAP password (stored encrypted, never shown; a settings file may leave it out to keep it).",
    )
    folder: str = Field(default="INBOX", min_length=1, description="The folder to poll.")
    interval_minutes: int = Field(default=5, ge=1, le=24 * 60, description="Minutes between polls.")
    after: Literal["seen", "move", "delete"] = Field(
        default="seen", description="What happens to a mail once it is landed: marked seen, moved or deleted."
    )
    move_to: str | None = Field(default=None, description="The folder mails are moved to (after: move).")

    @model_validator(mode="after")
    def _consistent(self) -> ImapSettings:
        if self.after == "move" and not (self.move_to or "").strip():
            raise ValueError("after: move needs move_to (the folder to move landed mails to)")
        if self.tls and self.starttls:
            raise ValueError("choose tls (IMAPS) or starttls, not both")
        return self

    @property
    def effective_port(self) -> int:
        return self.port or (993 if self.tls else 143)


class MailSettings(BaseModel):
    """Settings of a mail integration. The inbox secret is generated and can be rotated."""

    model_config = ConfigDict(extra="forbid")

    inbox_secret: SecretStr = Field(
        default_factory=lambda: SecretStr(new_inbox_secret()),
        description="The secret part of the inbox address (generated; rotate to change the address).",
    )
    allowed_senders: list[str] = Field(
        default_factory=list,
        description="Only mails from these addresses or @domains are processed (empty: any sender).",
    )
    preset: str | None = Field(
        default=None,
        description="mail-labels only: the label preset (form, the default, for a company's own web form; reguide, "
        "ieul, home4u, yahoo-fudosan).",
    )
    quarantine_auth_failures: bool = Field(
        default=False,
        description="Quarantine a mail whose SPF or DKIM check says fail instead of processing it.",
    )
    imap: ImapSettings | None = Field(default=None, description="Poll this IMAP mailbox for mails.")


def _extract_mail(kind: str) -> Any:
    def extract(path: Path, settings: BaseModel, file_name: str | None) -> Extraction:
        assert isinstance(settings, MailSettings)
        raw = path.read_bytes()
        try:
            mail = decode_mail(raw)
        except UndecodableMail as error:
            return Extraction([], iter(()), verdict="quarantined", reason=f"the mail cannot be read: {error.reason}")
        if settings.allowed_senders and not _allowed(mail.from_addr, settings.allowed_senders):
            return Extraction(
                [], iter(()), verdict="quarantined", reason=f"sender {mail.from_addr or '(none)'} is not allowed"
            )
        preset = (settings.preset or "form") if kind == "mail-labels" else None
        if kind == "mail-labels" and preset not in PRESETS:
            return Extraction([], iter(()), verdict="failed", reason=f"unknown mail-labels preset {preset!r}")
        result = parse_portal_mail(mail, kind, preset)
        if result.verdict != "lead" or result.record is None:
            meta: dict[str, Any] = {"verdict": result.verdict, "message_id": mail.message_id}
            if result.verdict == "confirmation" and (url := _URL.search(mail.text or "")):
                meta["confirm_url"] = url.group(0)  # the portal may want someone to open it
            return Extraction(
                [], iter(()), verdict=VERDICT_STATES.get(result.verdict, "not-a-lead"), reason=result.reason, meta=meta
            )
        # The portal's id names the inquiry, not the person: it is the inquiry's external id.
        record: SourceRecord = replace(result.record, external_id=None, locator="mail body")
        batches: Iterator[list[SourceRecord | Any]] = iter([[record]])
        inquiry = record.inquiry
        meta = {
            "verdict": "lead",
            "message_id": mail.message_id,
            "inquiry_source": inquiry.source if inquiry else None,
            "inquiry_external_id": inquiry.external_id if inquiry else None,
        }
        return Extraction(list(record.fields), batches, meta=meta)

    return extract


def _allowed(sender: str | None, allowed: list[str]) -> bool:
    if not sender:
        return False
    sender = sender.lower()
    for entry in allowed:
        entry = entry.strip().lower()
        if entry.startswith("@") and sender.endswith(entry):
            return True
        if sender == entry:
            return True
    return False


class MailCsvSettings(MailSettings, CsvSettings):
    """Settings of a ``mail-csv`` integration: an inbox, the senders allowed (required), CSV rules."""

    allowed_senders: list[str] = Field(
        description="Only mails from these addresses or @domains are processed (required for mail-csv)."
    )

    @field_validator("allowed_senders")
    @classmethod
    def _required(cls, value: list[str]) -> list[str]:
        if not [v for v in value if v.strip()]:
            raise ValueError("mail-csv needs at least one allowed sender (an address or @domain)")
        return value


CSV_TYPES = (
    "text/csv",
    "text/tab-separated-values",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.ms-excel",
    "application/vnd.ms-excel.sheet.binary.macroenabled.12",
    "application/vnd.oasis.opendocument.spreadsheet",
)


def extract_mail_csv(path: Path, settings: BaseModel, file_name: str | None) -> Extraction:
    """A mail: its CSV attachments, each to become a delivery; an attachment: its rows."""
    assert isinstance(settings, MailCsvSettings)
    if file_name is not None:
        return extract_csv(path, settings, file_name)
    try:
        mail = decode_mail(path.read_bytes())
    except UndecodableMail as error:
        return Extraction([], iter(()), verdict="quarantined", reason=f"the mail cannot be read: {error.reason}")
    if not _allowed(mail.from_addr, settings.allowed_senders):
        return Extraction(
            [], iter(()), verdict="quarantined", reason=f"sender {mail.from_addr or '(none)'} is not allowed"
        )
    try:
        parts = _files_of(mail, settings.opening_password)
    except ZipProblem as problem:  # the whole mail, not some of its files: replayed once the cause is mended
        return Extraction([], iter(()), verdict="failed", reason=problem.reason)
    if not parts and not mail.attachments and is_password_notice(mail.subject, mail.text):
        # The passwords it tells are tried on the sender's ZIP mails waiting for one (pipeline.unlock),
        # which keeps them only encrypted.
        reason = "a password notice for a ZIP attachment (PPAP), no file of its own"
        meta = {"passwords": passwords_in(mail.text), "sender": mail.from_addr}
        return Extraction([], iter(()), verdict="not-a-lead", reason=reason, meta=meta)
    if not parts:
        others = ", ".join(a.filename or a.content_type for a in mail.attachments) or "none"
        return Extraction(
            [],
            iter(()),
            verdict="failed",
            reason="the mail has no CSV or spreadsheet (.xlsx, .xls, .xlsb, .ods) attachment, nor a ZIP holding one"
            f" (attachments: {others})",
        )
    return Extraction([], iter(()), verdict="split", meta={"parts": parts, "message_id": mail.message_id})


def _files_of(mail: DecodedMail, file_password: str | None) -> list[tuple[str, bytes]]:
    """The mail's CSV and workbook attachments, and those in its ZIP attachments (``sources.zipped``)."""
    parts: list[tuple[str, bytes]] = []
    budget = unzip_limit()
    for attachment in mail.attachments:
        name = attachment.filename
        if name and name.lower().endswith(FILE_SUFFIXES):  # a workbook sent as application/zip is a workbook
            parts.append((name, attachment.data))
        elif is_zip(name, attachment.content_type):
            files = data_files(name or "attachment.zip", attachment.data, file_password, budget)
            budget -= sum(len(data) for _, data in files)
            parts.extend(files)
        elif name and attachment.content_type in CSV_TYPES:
            parts.append((name, attachment.data))
    return parts


_DESCRIPTIONS = {
    "suumo": "SUUMO (Recruit JDS) inquiry and home-tour mails forwarded to an inbox address",
    "homes": "LIFULL HOME'S inquiry, new-house visit and seller mails forwarded to an inbox address",
    "athome": "at home inquiry mails forwarded to an inbox address",
    "mail-labels": "label → field mail parser with presets (RE-Guide, イエウール, HOME4U, Yahoo!不動産)",
}

for _kind in MAIL_KINDS[:4]:
    register(
        SourceKind(
            _kind,
            MailSettings,
            _extract_mail(_kind),
            _DESCRIPTIONS[_kind],
            accepts_files=False,
            bad_values="leave_out",  # a lead is never lost for a mistyped number
        )
    )
register(
    SourceKind(
        "mail-csv",
        MailCsvSettings,
        extract_mail_csv,
        "CSV files mailed as attachments from allowed senders to an inbox address",
        accepts_files=False,
    )
)
