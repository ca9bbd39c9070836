"""A fixed-size set of key values that answers "maybe" or a certain "no" (a Bloom filter).

An import holds the workspace's customers for its transaction, so a record can only match a
customer stored when it began or one its own earlier records made: a key value that is in
neither cannot find anybody, and its lookup can be skipped. On a first import (or a file
replacing one, into a workspace left with few customers) nearly every record is new, and each
of its e-mail, mobile and phone would otherwise cost an index probe that finds nothing: on a
1,000,000-row file those probes were a fifth of the writing process's time. The filter keeps
the values seen in a fixed amount of memory whatever the size of the file; a value it answers
"maybe" for (seen, or a rare false positive) is looked up as before, so the import's result
never depends on it.
"""

from __future__ import annotations

from collections.abc import Iterable

#: Smallest and largest filter, in bytes.
MIN_BYTES = 1 << 16
MAX_BYTES = 32 << 20
#: Payload bytes per filter byte: a CSV row of ~180 bytes brings up to three keys, so a byte a
#: payload's twelve gives five or more slots a key, and about one value in twenty never added
#: is answered "maybe" (a lookup as without the filter).
_PAYLOAD_PER_BYTE = 12


def size_for(payload_bytes: int) -> int:
    """A filter size (a power of two, in bytes) for a payload of ``payload_bytes``."""
    wanted = max(MIN_BYTES, min(MAX_BYTES, payload_bytes // _PAYLOAD_PER_BYTE))
    return 1 << (wanted - 1).bit_length()


class KeyFilter:
    """Values added are always reported as possibly held; others seldom are.

    A byte a slot and two slots a value, from the value's own hash (a string computes it once
    and keeps it): a bit array would use an eighth of the memory but its bit arithmetic, done
    in Python for every key of every record, cost more than the lookups it saved.
    """

    __slots__ = ("_mask", "_slots")

    def __init__(self, size_bytes: int = MIN_BYTES) -> None:
        if size_bytes < 1 or size_bytes & (size_bytes - 1):
            raise ValueError(f"size must be a power of two, not {size_bytes}")
        self._slots = bytearray(size_bytes)
        self._mask = size_bytes - 1

    def add_all(self, values: Iterable[str]) -> None:
        """Remember each of ``values``."""
        slots, mask = self._slots, self._mask
        for value in values:
            h = hash(value)
            slots[h & mask] = 1
            slots[(h >> 32) & mask] = 1

    def maybe(self, values: Iterable[str]) -> set[str]:
        """Those of ``values`` that may have been added (all that were, and seldom others)."""
        slots, mask = self._slots, self._mask
        return {value for value in values if slots[(h := hash(value)) & mask] and slots[(h >> 32) & mask]}


__all__ = ["MAX_BYTES", "MIN_BYTES", "KeyFilter", "size_for"]
