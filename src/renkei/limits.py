"""Size limits set in the environment (``RENKEI_SMTP_MAX_BYTES``, ``RENKEI_DROPBOX_MAX_BYTES``, …)."""

from __future__ import annotations

import os

from renkei.errors import ConfigurationError


def env_bytes(name: str, default: int) -> int:
    """The limit ``$name`` sets, in bytes, or ``default`` when unset; anything but a positive number is an error."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigurationError(f"{name}={raw!r}: expected a number of bytes") from None
    if value <= 0:
        raise ConfigurationError(f"{name}={raw!r}: must be positive")
    return value
