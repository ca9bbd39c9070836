"""Passwords Renkei generates or checks: argon2id hashes, never the password itself."""

from __future__ import annotations

import contextlib
import functools
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_HASHER = PasswordHasher()


def new_password() -> str:
    """A password to type or paste: 20 characters, about 119 random bits."""
    return secrets.token_urlsafe(15)


def hash_password(password: str) -> str:
    """The argon2id hash kept in place of ``password``."""
    return _HASHER.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches the stored hash (False when there is none).

    Without a hash the check still spends the time a real one takes, so that a login cannot
    tell which users exist.
    """
    if not password_hash:
        with contextlib.suppress(VerificationError):
            _HASHER.verify(_dummy_hash(), password)
        return False
    try:
        return _HASHER.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


@functools.cache
def _dummy_hash() -> str:
    return _HASHER.hash(secrets.token_urlsafe(15))
