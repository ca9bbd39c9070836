"""Failures sorted by what to do next.

- ``ConfigurationError``: fix the settings (bad integration settings, unknown field).
- ``TransientError``: retry with backoff (a relay or server is down).
- ``RecordError``: quarantine the row or record and go on.
- ``FatalError``: stop the run (unreadable payload, broken store).

Every message names what failed and the value, never a secret.
"""

from __future__ import annotations


class RenkeiError(Exception):
    """Base of every error Renkei raises on purpose."""


class ConfigurationError(RenkeiError):
    """The settings are wrong: the user must fix them."""


class TransientError(RenkeiError):
    """A passing failure: retry later."""


class RecordError(RenkeiError):
    """One record (row, mail, card) is bad: report it and go on with the rest."""


class FatalError(RenkeiError):
    """The run cannot go on."""


class NotFoundError(RenkeiError):
    """A named thing (integration, delivery, customer) does not exist in this workspace."""
