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
    """The names of a settings model's secret fields (typed ``SecretStr``), nested ones as ``imap.password``."""
    names = set()
    for name, info in model.model_fields.items():
        annotation = info.annotation
        args = getattr(annotation, "__args__", ())
        if annotation is SecretStr or SecretStr in args:
            names.add(name)
            continue
        for candidate in (annotation, *args):
            if isinstance(candidate, type) and issubclass(candidate, BaseModel):
                names |= {f"{name}.{inner}" for inner in secret_fields(candidate)}
    return names


def _parent(settings: dict[str, Any], path: str) -> tuple[dict[str, Any] | None, str]:
    """The dict holding the field a dotted path names (None if a level is missing), and its key."""
    *heads, leaf = path.split(".")
    parent: Any = settings
    for head in heads:
        parent = parent.get(head) if isinstance(parent, dict) else None
    return (parent if isinstance(parent, dict) else None), leaf


def _copy(settings: dict[str, Any]) -> dict[str, Any]:
    return {k: _copy(v) if isinstance(v, dict) else v for k, v in settings.items()}


def split_secrets(model: type[BaseModel], settings: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Settings without their secrets, and the secrets (nested ones under dotted keys)."""
    plain = _copy(settings)
    hidden: dict[str, str] = {}
    for path in secret_fields(model):
        parent, leaf = _parent(plain, path)
        if parent is not None and leaf in parent:
            value = parent.pop(leaf)
            if value is not None:
                hidden[path] = str(value)
    return plain, hidden


def join_secrets(plain: dict[str, Any], hidden: dict[str, str]) -> dict[str, Any]:
    """Settings with their secrets put back (a nested secret only where its section still exists)."""
    joined = _copy(plain)
    for path, value in hidden.items():
        parent, leaf = _parent(joined, path)
        if parent is not None:
            parent[leaf] = value
    return joined


def names_secret(settings: dict[str, Any], path: str) -> bool:
    """Whether ``settings`` (as a user wrote them) sets the secret at ``path``."""
    parent, leaf = _parent(settings, path)
    return parent is not None and leaf in parent


def redact(model: type[BaseModel], settings: dict[str, Any], present: set[str]) -> dict[str, Any]:
    """Settings fit to show: every secret that is set replaced by a mask."""
    shown = _copy(settings)
    for path in secret_fields(model):
        parent, leaf = _parent(shown, path)
        if path in present and parent is not None:
            parent[leaf] = REDACTED
    return shown
