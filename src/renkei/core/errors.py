"""Errors raised by the pure core."""

from __future__ import annotations


class NormalizationError(ValueError):
    """A normaliser rejected a value.

    ``reason`` is a short English sentence a user can act on; ``value`` is the input as given.
    The pipeline turns it into a row error naming the row, column and value.
    """

    def __init__(self, reason: str, value: str) -> None:
        super().__init__(f"{reason}: {value!r}")
        self.reason = reason
        self.value = value
