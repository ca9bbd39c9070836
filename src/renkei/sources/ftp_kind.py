"""The ``ftp-drop`` kind: CSV/TSV files a partner drops on Renkei's own FTP(S)/SFTP server.

Each integration has a virtual user. Its password is generated when the integration is added,
shown once, and only its argon2 hash is kept; public keys may be given instead or as well.
Files are read exactly as the ``csv`` kind reads them.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from typing import Any

from pydantic import Field, SecretStr, field_validator

from renkei.passwords import hash_password, new_password
from renkei.sources.csv_kind import CsvSettings, extract_csv
from renkei.sources.registry import SourceKind, register

KIND = "ftp-drop"
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")


class FtpDropSettings(CsvSettings):
    """Settings of a drop box: how its files are read, and who may drop them."""

    username: str = Field(
        description="The virtual user's login (generated from the name when the integration is added)."
    )
    password_hash: SecretStr | None = Field(
        default=None, description="argon2 hash of the generated password (the password itself is never stored)."
    )
    authorized_keys: list[str] = Field(
        default_factory=list, description="OpenSSH public keys allowed to log in over SFTP (one key a line)."
    )

    @field_validator("username")
    @classmethod
    def _username(cls, value: str) -> str:
        if not USERNAME.match(value):
            raise ValueError(
                "use 1-64 lowercase ASCII letters, digits, '.', '_' or '-', starting with a letter or digit"
            )
        return value

    @field_validator("authorized_keys")
    @classmethod
    def _keys(cls, value: list[str]) -> list[str]:
        for key in value:
            parts = key.split()
            if len(parts) < 2 or not parts[0].startswith(("ssh-", "ecdsa-", "sk-")):
                raise ValueError(f"not an OpenSSH public key: {key[:40]!r}")
        return value


def username_for(name: str) -> str:
    """A login made from an integration name: its ASCII letters and digits, and a random suffix."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name).strip("-")[:40] or "drop"
    return f"{slug}-{secrets.token_hex(3)}"


def prepare_new(name: str, settings: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Give a new drop box its login and a password: (settings to store, what to show once)."""
    settings = dict(settings)
    settings.setdefault("username", username_for(name))
    if settings.get("password_hash"):
        return settings, {"username": settings["username"]}
    password = new_password()
    settings["password_hash"] = hash_password(password)
    return settings, {"username": settings["username"], "password": password}


register(
    SourceKind(
        name=KIND,
        settings=FtpDropSettings,
        extract=extract_csv,
        description="CSV/TSV files dropped on Renkei's FTP/FTPS/SFTP server by a partner (one user each)",
        prepare_new=prepare_new,
    )
)
