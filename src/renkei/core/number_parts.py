"""Numbers a file writes across columns, one part in each.

A web form or a shop's order export often keeps the parts of a number as they were typed into
separate boxes: a phone number in three columns (EC-CUBE's ``電話番号1``/``電話番号2``/``電話番号3``,
Rakuten's ``注文者電話番号１``…, ``TEL（市外局番）``/``TEL（市内局番）``/``TEL（加入者番号）``: ``03`` |
``1234`` | ``5678``) and a postal code in two (``郵便番号1``/``郵便番号2``, ``郵便番号（上3桁）``/
``郵便番号（下4桁）``: ``150`` | ``0001``). Read one column at a time, ``03`` is a phone number too
short and the whole row an error.

``find_parts`` finds such columns by their labels (side by side, one stem, numbered from 1 or
named by the part) once per file; ``join_parts`` joins a row's parts into the first column's value,
and only when they are parts: digits, the right number of them (``TEL1``, ``TEL2`` and ``TEL3``
that each hold a whole number stay three numbers). Excel's lost leading zeros (``3`` for ``03``;
``1`` for a postal code's ``0001``) are put back.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Literal

from renkei.core.headers import guess_target, normalize_label
from renkei.core.normalize import fold_width

Kind = Literal["phone", "postal_code"]
_PHONES: Final = frozenset({"phone", "mobile", "fax"})
_PART_COUNT: Final[dict[Kind, int]] = {"phone": 3, "postal_code": 2}


@dataclass(frozen=True, slots=True)
class NumberParts:
    """Columns side by side that hold the parts of one number, first part first."""

    positions: tuple[int, ...]
    kind: Kind


#: A numbered label's stem and number (``電話番号1``, ``tel01``, ``注文者郵便番号２`` after NFKC).
_NUMBERED: Final = re.compile(r"(.*?\D)0*([1-9])")
#: The part a label names in brackets (``TEL（市外局番）``, ``郵便番号（下4桁）``), by its place.
_BRACKETED: Final = re.compile(r"(.+?)\s*[（(]\s*(.+?)\s*[）)]\s*")
_PART_NAMES: Final[dict[str, int]] = {
    normalize_label(name): place
    for names, place in (
        (("市外局番", "局番1", "上3桁", "前3桁", "3桁", "前半", "前"), 1),
        (("市内局番", "局番2", "下4桁", "後4桁", "4桁", "後半", "後"), 2),
        (("加入者番号", "番号"), 3),
    )
    for name in names
}


def _stem_and_place(label: str) -> tuple[str, int] | None:
    found = _BRACKETED.fullmatch(label.strip())
    if found is not None and (place := _PART_NAMES.get(normalize_label(found.group(2)))) is not None:
        return normalize_label(found.group(1)), place
    numbered = _NUMBERED.fullmatch(normalize_label(label))
    return (numbered.group(1), int(numbered.group(2))) if numbered is not None else None


def _kind(stem: str) -> Kind | None:
    target = guess_target(stem)
    if target in _PHONES:
        return "phone"
    return "postal_code" if target == "postal_code" else None


def find_parts(labels: Sequence[str]) -> tuple[NumberParts, ...]:
    """Every run of columns in ``labels`` that holds one number's parts: as many labels side by side
    as the number has parts, with one stem and places 1, 2(, 3) in order, not followed by a
    further place (``TEL1``…``TEL4`` are four numbers)."""
    places = [_stem_and_place(label) for label in labels]
    found: list[NumberParts] = []
    start = 0
    while start < len(labels):
        first = places[start]
        kind = _kind(first[0]) if first is not None and first[1] == 1 else None
        if first is None or kind is None:
            start += 1
            continue
        count = _PART_COUNT[kind]
        run = places[start : start + count + 1]
        if run[:count] == [(first[0], n) for n in range(1, count + 1)] and (
            len(run) == count or run[count] != (first[0], count + 1)
        ):
            found.append(NumberParts(tuple(range(start, start + count)), kind))
            start += count
        else:
            start += 1
    return tuple(found)


def _digits(value: str | None) -> str | None:
    if not value:
        return None
    text = fold_width(value).strip().removesuffix(".0")
    return text if text.isascii() and text.isdigit() else None


def _phone(parts: Sequence[str]) -> str | None:
    """The parts as one number for the phone normaliser to judge; Excel's lost leading zero (``3``
    for ``03``) put back. A last part of three digits stays (``0120-123-456``)."""
    area, exchange, line = parts
    area = area if area.startswith("0") else "0" + area
    if 2 <= len(area) <= 5 and 1 <= len(exchange) <= 4 and 3 <= len(line) <= 4:
        return f"{area}-{exchange}-{line}"
    return None


def _postal(parts: Sequence[str]) -> str | None:
    first, second = parts
    return f"{first.zfill(3)}-{second.zfill(4)}" if len(first) <= 3 and len(second) <= 4 else None


def joined(values: Sequence[str | None], parts: NumberParts) -> str | None:
    """The number the row's ``values`` at ``parts.positions`` are the parts of, or None when they are
    not parts (a part missing, not digits, too long: each column then is read as written)."""
    digits = [_digits(values[position]) or "" for position in parts.positions]
    if not all(digits):
        return None
    return _phone(digits) if parts.kind == "phone" else _postal(digits)


def join_parts(values: Sequence[str | None], found: Sequence[NumberParts]) -> Sequence[str | None]:
    """``values`` with each number written in parts joined into its first column, the others empty;
    ``values`` itself (not copied) when no row's parts are."""
    result: list[str | None] | None = None
    for parts in found:
        number = joined(values, parts)
        if number is None:
            continue
        if result is None:
            result = list(values)
        first, *rest = parts.positions
        result[first] = number
        for position in rest:
            result[position] = None
    return values if result is None else result


__all__ = ["Kind", "NumberParts", "find_parts", "join_parts", "joined"]
