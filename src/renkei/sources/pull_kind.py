"""The ``sftp-pull`` and ``ftp-pull`` kinds: Renkei fetches CSV/TSV files from a partner's server.

On a schedule (weekdays, a window of local time, an interval and a delay) Renkei lists a remote
folder over SFTP or FTP(S), fetches each new, complete file matching a pattern, and reads it
exactly as the ``csv`` kind reads a file. Afterwards the remote file is kept, moved or deleted.
Passwords and private keys are stored encrypted and never shown.
"""

from __future__ import annotations

import re
from datetime import time
from typing import Any, Literal

from pydantic import Field, SecretStr, field_validator, model_validator

from renkei.core.schedule import DEFAULT_TIMEZONE, Schedule, ScheduleError
from renkei.sources.csv_kind import CsvSettings, extract_csv
from renkei.sources.registry import SourceKind, register

SFTP_KIND = "sftp-pull"
FTP_KIND = "ftp-pull"
PULL_KINDS = (SFTP_KIND, FTP_KIND)

Day = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
DAYS: tuple[Day, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_CLOCK = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
_FINGERPRINT = re.compile(r"^SHA256:[A-Za-z0-9+/]{43}=?$")
_PEM = re.compile(r"^(-----BEGIN [A-Z0-9 ]+-----)\s+(.+?)\s+(-----END [A-Z0-9 ]+-----)\s*$", re.DOTALL)


def _clock(value: Any) -> Any:
    """``HH:MM``; an int is minutes after midnight (YAML reads an unquoted ``10:30`` as 630)."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 24 * 60:
        return f"{value // 60:02d}:{value % 60:02d}"
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, str):
        match = _CLOCK.match(value.strip())
        if match is None:
            raise ValueError(f"expected a time of day as HH:MM (e.g. 09:00), got {value!r}")
        return f"{int(match.group(1)):02d}:{match.group(2)}"
    raise ValueError(f"expected a time of day as HH:MM (e.g. 09:00), got {value!r}")


class PullSettings(CsvSettings):
    """Settings shared by the pull kinds: the server, the folder, what to fetch and when."""

    host: str = Field(min_length=1, description="The partner's server (host name or address).")
    port: int | None = Field(default=None, ge=1, le=65535, description="Default 22 (SFTP) or 21 (FTP).")
    username: str = Field(min_length=1, description="The login on the partner's server.")
    password: SecretStr | None = Field(default=None, description="The password (stored encrypted, never shown).")
    folder: str = Field(default=".", min_length=1, description="The remote folder to look in ('.' is the login's).")
    pattern: str = Field(default="*.csv", min_length=1, description="Glob of the file names to fetch (any case).")
    after_landing: Literal["keep", "move", "delete"] = Field(
        default="keep", description="What happens to a remote file once it is landed: kept, moved or deleted."
    )
    move_to: str | None = Field(
        default=None, description="The folder files are moved to (after_landing: move); relative to folder."
    )
    stable_seconds: float = Field(
        default=5,
        ge=0,
        le=3600,
        description="A file is fetched only if its size and time are unchanged across two looks this far apart.",
    )
    days: list[Day] = Field(default_factory=lambda: list(DAYS), description="Weekdays to check on (mon … sun).")
    start: str = Field(default="00:00", description="First check of the day, local time (HH:MM).")
    end: str = Field(default="23:59", description="Last check of the day at or before this local time (HH:MM).")
    interval_minutes: Literal[5, 10, 15, 30, 60, 120] = Field(
        default=60, description="Minutes between checks: 5, 10, 15, 30, 60 or 120."
    )
    delay_minutes: int = Field(default=0, ge=0, le=59, description="Check this many minutes after each slot (0-59).")

    @field_validator("start", "end", mode="before")
    @classmethod
    def _clock(cls, value: Any) -> Any:
        return _clock(value)

    @field_validator("days", mode="before")
    @classmethod
    def _days(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = [part for part in re.split(r"[,\s]+", value) if part]
        if isinstance(value, list):
            return [item.strip().lower()[:3] if isinstance(item, str) else item for item in value]
        return value

    @field_validator("folder", "move_to")
    @classmethod
    def _folder(cls, value: str | None) -> str | None:
        if value is not None and any(ord(char) < 32 for char in value):
            raise ValueError("a folder name cannot contain control characters")
        return value

    @model_validator(mode="after")
    def _whole(self) -> PullSettings:
        problems: list[str] = []
        try:
            self.schedule()
        except ScheduleError as error:
            problems.extend(error.problems)
        if self.after_landing == "move" and not self.move_to:
            problems.append("move_to: name the folder files are moved to (after_landing: move)")
        problems.extend(self._credential_problems())
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def _credential_problems(self) -> list[str]:
        if self.password is None:
            return ["password: required"]
        return []

    def schedule(self, timezone: str = DEFAULT_TIMEZONE) -> Schedule:
        """The check schedule in ``timezone`` (the workspace's); ScheduleError names each problem."""
        return stored_schedule(self.model_dump(include=set(SCHEDULE_FIELDS)), timezone)


#: The settings that make the schedule (plain values: the scheduler reads them without the secrets).
SCHEDULE_FIELDS = ("days", "start", "end", "interval_minutes", "delay_minutes")


def stored_schedule(values: dict[str, Any], timezone: str = DEFAULT_TIMEZONE) -> Schedule:
    """The schedule of stored (already validated) pull settings; ScheduleError names each problem."""
    start_h, start_m = (int(part) for part in str(values.get("start", "00:00")).split(":"))
    end_h, end_m = (int(part) for part in str(values.get("end", "23:59")).split(":"))
    return Schedule(
        days=frozenset(DAYS.index(day) for day in values.get("days", DAYS)),
        start=time(start_h, start_m),
        end=time(end_h, end_m),
        interval_minutes=values.get("interval_minutes", 60),
        delay_minutes=values.get("delay_minutes", 0),
        timezone=timezone,
    )


class SftpPullSettings(PullSettings):
    """An SFTP server to fetch from: a password or a private key, and the server's host key."""

    private_key: SecretStr | None = Field(
        default=None, description="A private key (OpenSSH or PEM, unencrypted) to log in with, instead of a password."
    )
    host_key: str = Field(
        description="The server's public host key ('ssh-ed25519 AAAA…') or its fingerprint ('SHA256:…'); "
        "`renkei integrations host-key HOST` prints both."
    )

    @field_validator("private_key", mode="before")
    @classmethod
    def _private_key(cls, value: Any) -> Any:
        raw = value.get_secret_value() if isinstance(value, SecretStr) else value
        if raw is None or raw == "":
            return None
        if not isinstance(raw, str):
            raise ValueError("expected the private key as text")
        raw = unfold_pem(raw)
        import asyncssh

        try:
            asyncssh.import_private_key(raw)
        except (asyncssh.KeyImportError, ValueError):
            raise ValueError("not a private key Renkei can read (unencrypted OpenSSH or PEM)") from None
        return raw

    @field_validator("host_key")
    @classmethod
    def _host_key(cls, value: str) -> str:
        value = value.strip()
        if _FINGERPRINT.match(value):
            return value
        import asyncssh

        try:
            asyncssh.import_public_key(value)
        except (asyncssh.KeyImportError, ValueError):
            raise ValueError(
                "expected the server's public key ('ssh-ed25519 AAAA…') or a fingerprint 'SHA256:…'"
            ) from None
        return value

    def _credential_problems(self) -> list[str]:
        if self.password is None and self.private_key is None:
            return ["password or private_key: one of them is required"]
        return []


class FtpPullSettings(PullSettings):
    """An FTP server to fetch from, by default over explicit TLS (FTPS)."""

    tls: bool = Field(default=True, description="Explicit TLS (AUTH TLS, protected data channel); off: plain FTP.")
    tls_certificate_sha256: str | None = Field(
        default=None,
        description="Trust exactly this server certificate (its SHA-256, hex) instead of the system's CAs "
        "(for self-signed certificates); `renkei integrations host-key HOST --ftps` prints it.",
    )

    @field_validator("tls_certificate_sha256")
    @classmethod
    def _fingerprint(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        cleaned = re.sub(r"[:\s]", "", value).lower()
        if not re.fullmatch(r"[0-9a-f]{64}", cleaned):
            raise ValueError("expected the certificate's SHA-256 as 64 hex digits (colons allowed)")
        return cleaned


def unfold_pem(text: str) -> str:
    """A PEM block whose line breaks were folded into spaces (``--set private_key=…``), unfolded."""
    text = text.strip()
    if "\n" in text:
        return text + "\n"
    match = _PEM.match(text)
    if match is None:
        return text
    body = "\n".join(match.group(2).split())
    return f"{match.group(1)}\n{body}\n{match.group(3)}\n"


register(
    SourceKind(
        name=SFTP_KIND,
        settings=SftpPullSettings,
        extract=extract_csv,
        description="CSV/TSV files Renkei fetches on a schedule from a partner's SFTP server",
    )
)
register(
    SourceKind(
        name=FTP_KIND,
        settings=FtpPullSettings,
        extract=extract_csv,
        description="CSV/TSV files Renkei fetches on a schedule from a partner's FTP/FTPS server",
    )
)
