"""Matching: which stored customer a patch is about, by ordered match keys."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Literal

from renkei.core.patch import CustomerPatch

MatchKey = Literal["external_id", "email", "mobile", "phone"]
MATCH_KEYS: tuple[MatchKey, ...] = ("external_id", "email", "mobile", "phone")
DEFAULT_MATCH_KEYS: tuple[MatchKey, ...] = MATCH_KEYS


def key_value(patch: CustomerPatch, kind: MatchKey) -> str | None:
    """The patch's value for the match key ``kind``: None or empty when it has none."""
    return patch.external_id if kind == "external_id" else patch.fields.get(kind)


def patch_keys(patch: CustomerPatch, order: Sequence[MatchKey]) -> list[tuple[MatchKey, str]]:
    """The patch's key values in ``order``, skipping empty ones."""
    keys: list[tuple[MatchKey, str]] = []
    for kind in order:
        value = patch.external_id if kind == "external_id" else patch.fields.get(kind)
        if value:
            keys.append((kind, value))
    return keys


def find_match(keys: Sequence[tuple[MatchKey, str]], lookup: Callable[[MatchKey, str], int | None]) -> int | None:
    """The first customer id any key finds, trying keys in order."""
    for kind, value in keys:
        found = lookup(kind, value)
        if found is not None:
            return found
    return None
