"""Whether a record and the customer its e-mail address or number found name the same person.

Several people can share a match key (a family's landline, a company's main line or info@): the
customer found by one is the record's person only if the names do not say otherwise. Names are
compared as far as their scripts allow: the same script directly; kanji and kana by the kanji's
reading (its kana field, or a common family name's readings); romaji and either by that reading
(``Yamada`` is not ``佐藤``, read サトウ; ``Taro`` is not ``花子`` read ハナコ). Names that cannot be
compared (``太郎`` without a reading, ``Taro``) say nothing.
"""

from __future__ import annotations

from typing import NamedTuple

from renkei.core.normalize.family_names import romaji_reads, spells_family_name
from renkei.core.normalize.name import name_key, name_reading, name_script, same_name

__all__ = ["Names", "another_person"]


class Names(NamedTuple):
    """A person's names as a record or a customer gives them (None or empty where it gives none)."""

    last: str | None
    first: str | None
    last_kana: str | None
    first_kana: str | None


def another_person(mine: Names, stored: Names) -> bool:
    """Whether ``mine`` (a record's names) names someone other than ``stored`` (the customer's).

    Both have a given name and the given names differ (by their readings where the scripts differ);
    or the given names cannot be compared, or neither has one, and the family names differ. A family
    name alone can change (marriage) and is not enough when the given names agree; a record without
    names is the key's customer. The same two names in the other order are the same person (a form
    filled given name first, a romaji name stored in the other order before).
    """
    if mine.first and stored.first:
        if same_name(mine.first, stored.first):
            return False
        if mine.last and stored.last and same_name(mine.first, stored.last) and same_name(mine.last, stored.first):
            return False  # the same names in the other order (John Smith stored family-first before)
        same = _same_given_name(mine, stored)
        return not same if same is not None else _family_names_differ(mine, stored)
    if not mine.first and not stored.first:
        return _family_names_differ(mine, stored)
    return False


def _same_given_name(mine: Names, stored: Names) -> bool | None:
    """Whether two given names (not written the same) are one name; None when they cannot be compared."""
    assert mine.first and stored.first
    reading, stored_reading = name_reading(mine.first, mine.first_kana), name_reading(stored.first, stored.first_kana)
    if reading and stored_reading:
        return same_name(reading, stored_reading)
    if name_script(mine.first) == name_script(stored.first):
        return False
    return _romaji_reading(mine.first, reading, stored.first, stored_reading)


def _family_names_differ(mine: Names, stored: Names) -> bool:
    """Whether two family names are not the same, as far as can be told (``山田`` and ``Yamada`` are,
    ``佐藤`` and ``Yamada`` are not, ``東海林`` and ``Tokairin`` cannot be told apart)."""
    name, other = mine.last, stored.last
    if not name or not other or same_name(name, other):
        return False
    reading, other_reading = name_reading(name, mine.last_kana), name_reading(other, stored.last_kana)
    if reading and other_reading:
        return not same_name(reading, other_reading)
    if name_script(name) == name_script(other):
        return True
    same = _romaji_reading(name, reading, other, other_reading)
    if same is None:
        same = _common_family_name(name, reading, other, other_reading)
    return same is False


def _romaji_reading(name: str, reading: str | None, other: str, other_reading: str | None) -> bool | None:
    """A name in romaji against the other name's reading; None when neither is that pair."""
    if name_script(name) == "latin" and other_reading:
        return romaji_reads(name, other_reading)
    if name_script(other) == "latin" and reading:
        return romaji_reads(other, reading)
    return None


def _common_family_name(name: str, reading: str | None, other: str, other_reading: str | None) -> bool | None:
    """A family name in kanji without a reading against the other, in romaji or by its reading,
    by the kanji's readings as a common family name; None when it is not one."""
    for kanji, spelled in ((name, other_reading or other), (other, reading or name)):
        if name_script(kanji) == "kanji" and name_script(spelled) != "kanji":
            same = spells_family_name(spelled, kanji)
            if same is None and (common := name_key(kanji)) != kanji:
                same = spells_family_name(spelled, common)
            return same
    return None
