"""Secrets at rest: integration credentials are stored Fernet-encrypted, never in plain text.

The key comes from ``$RENKEI_SECRET_KEY`` or from ``$RENKEI_HOME/secret.key`` (created on first
use, readable by its owner only). Losing the key means re-entering the credentials.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from pydantic import BaseModel, SecretStr

from renkei.errors import ConfigurationError

REDACTED = "********"


class SecretBox:
    """Encrypts and decrypts JSON objects of secrets."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self._fernet: Fernet | None = None

    def _key(self) -> Fernet:
        if self._fernet is None:
            key = os.environ.get("RENKEI_SECRET_KEY")
            if not key:
                path = self.home / "secret.key"
                if not path.exists():
                    self.home.mkdir(parents=True, exist_ok=True)
                    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                    with os.fdopen(fd, "wb") as out:
                        out.write(Fernet.generate_key())
                key = path.read_text().strip()
            self._fernet = Fernet(key.encode())
        return self._fernet

    def seal(self, secrets: dict[str, str]) -> str | None:
        """The encrypted token for ``secrets`` (None when there are none)."""
        if not secrets:
            return None
        return self._key().encrypt(json.dumps(secrets).encode()).decode()

    def open(self, token: str | None) -> dict[str, str]:
        """The secrets in ``token``."""
        if not token:
            return {}
        try:
            data = json.loads(self._key().decrypt(token.encode()))
        except InvalidToken:
            raise ConfigurationError("stored credentials cannot be decrypted: the secret key has changed") from None
        return dict(data)


def secret_fields(model: type[BaseModel]) -> set[str]:
    """The names of a settings model's secret fields (typed ``SecretStr``)."""
    names = set()
    for name, info in model.model_fields.items():
        annotation = info.annotation
        if annotation is SecretStr or SecretStr in getattr(annotation, "__args__", ()):
            names.add(name)
    return names


def split_secrets(model: type[BaseModel], settings: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Settings without their secrets, and the secrets."""
    secret = secret_fields(model)
    plain = {k: v for k, v in settings.items() if k not in secret}
    hidden = {k: str(v) for k, v in settings.items() if k in secret and v is not None}
    return plain, hidden


def redact(model: type[BaseModel], settings: dict[str, Any], present: set[str]) -> dict[str, Any]:
    """Settings fit to show: every secret that is set replaced by a mask."""
    shown = dict(settings)
    for name in secret_fields(model):
        if name in present:
            shown[name] = REDACTED
    return shown
