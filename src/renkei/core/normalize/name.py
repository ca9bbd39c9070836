"""Splitting a full name into family and given name.

Japanese forms put the family name first, and so does this module for every script:

- With whitespace (half or full width, any run of it): the first word is the family name and
  the rest, joined by one space, the given name (``山田　太郎`` -> ``('山田', '太郎')``).
- A middle dot (``・``, half-width ``･``) in a name without whitespace separates its words as a
  space does (``ヤマダ・タロウ`` -> ``('ヤマダ', 'タロウ')``).
- Latin script with a comma: family before it (``Yamada, Taro`` -> ``('Yamada', 'Taro')``).
- Latin script where exactly one word is in capitals (the ``YAMADA Taro`` / ``Taro YAMADA``
  convention): that word is the family name. Two words of which only the second is a common
  family name in romaji (``family_names.is_romaji_family_name``: ``Taro Yamada``, ``Hanako
  Satoh``), or only the first a common given name (``Kenji Hayashibara``, ``John Smith``), are in
  English order: the second is the family name. Otherwise the first word, as for Japanese names
  (``Hayashibara Kenji``; ``Alex Morgan`` is stored as family ``Alex``: the order cannot be told
  from the text, and the raw value is kept).
- Without whitespace, a name written in kanji (kana allowed after the first character) goes to
  namedivider's ``BasicNameDivider``, loaded on first use (about 0.3 s) and cached with its
  results; its Rust backend is used when the optional ``namedivider-core`` is installed.
  Kana-only names (``やまだたろう``) and anything else cannot be split reliably and come back
  as ``(name, None)``, as do one-character names.
- A form of address after the name (``様``, ``さま``, ``さん``, ``殿``, ``先生``, ``御中``, ``氏`` after
  a space) is not part of it: ``山田 太郎 様``, ``山田太郎先生`` and ``山田太郎さん`` are ``('山田', '太郎')``;
  nor is an English one before it (``Mr. Taro Yamada`` is ``('Yamada', 'Taro')``).
- The common family names (``COMMON_FAMILY_NAMES``) come before the divider: a name that is one
  of them and nothing else (``田中``, ``佐々木``: forms often get only the family name) is the
  family name alone, where the divider, which always finds a given name, made ``鈴木`` into
  ``鈴`` + ``木``; a name that starts with one (the longest) is split after it, where the divider
  made ``長谷川太郎`` into ``長谷`` + ``川太郎`` (and ``宇佐美美咲``, ``東海林太郎``, ``比嘉一郎`` the same
  way); a name that starts with a common one-character family name and goes on with a common
  given name (``family_names.COMMON_GIVEN_NAMES``) is split after it, where the divider made
  ``林花子`` into ``林花`` + ``子`` (on the bench's 44,154 generated full names: 60 wrong splits →
  40 with the family names, → 0 with the one-character rule, none made wrong).
"""

from __future__ import annotations

import importlib.util
import re
from functools import cache, lru_cache
from typing import Any

from renkei.core.errors import NormalizationError
from renkei.core.normalize.family_names import (
    COMMON_FAMILY_NAMES,
    COMMON_GIVEN_NAMES,
    ONE_CHARACTER_FAMILY_NAMES,
    fold_macrons,
    is_romaji_family_name,
    is_romaji_given_name,
)
from renkei.core.normalize.kana import to_katakana

__all__ = [
    "COMMON_FAMILY_NAMES",
    "joint_names",
    "name_key",
    "name_reading",
    "name_script",
    "same_name",
    "split_full_name",
]

_KANJI = "\u3400-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_KANJI_NAME = re.compile(f"[{_KANJI}〆ヶ][{_KANJI}々〆ヶぁ-ゖァ-ヺー]+")
# A middle dot between the names of a name written without a space (``ヤマダ・タロウ``), as
# katakana forms and foreign names in katakana (``ジョン・スミス``) write it.
_MIDDLE_DOTS = re.compile("[・･·]+")
_CAPITALISED = re.compile(r"[A-Z][A-Z'\-]+")
# A form of address after a name (``山田 太郎 様``, ``山田太郎さま``, ``佐藤さん``, ``山田殿``): not part of it.
_HONORIFICS = ("様", "さま", "さん", "殿", "先生", "御中", " 氏")
# Those that may be the end of a name written in hiragana (``山田 あさま``, ``おさん``).
_HIRAGANA_ENDINGS = ("さま", "さん")

# An English form of address before a name (``Mr. Taro Yamada``, ``Dr Smith``): not part of it.
_LATIN_TITLE = re.compile(r"(?:mr|mrs|ms|miss|mx|dr|prof)\.?\s+(?=\S)", re.IGNORECASE)
_TITLE_INITIALS = frozenset("MmDdPp")

_LONGEST_FAMILY_NAME = max(map(len, COMMON_FAMILY_NAMES))


@cache
def _divider() -> Any:
    from namedivider import BasicNameDivider
    from namedivider.divider.config import BasicNameDividerConfig

    # namedivider-core, when installed, runs the same algorithm in Rust: the same splits
    # (checked on 20,000 random names) in about 9 µs instead of 150 µs.
    backend = "rust" if importlib.util.find_spec("namedivider_core") is not None else "python"
    return BasicNameDivider(BasicNameDividerConfig(backend=backend))


@lru_cache(maxsize=65536)
def _split_unspaced(name: str) -> tuple[str, str | None]:
    """A kanji full name without whitespace: by the common family names, else by the divider."""
    if name in COMMON_FAMILY_NAMES:
        return name, None
    for end in range(min(len(name) - 1, _LONGEST_FAMILY_NAME), 1, -1):
        if name[:end] in COMMON_FAMILY_NAMES and name[end] not in "々ー":
            return name[:end], name[end:]
    if name[0] in ONE_CHARACTER_FAMILY_NAMES and name[1:] in COMMON_GIVEN_NAMES:
        return name[0], name[1:]
    return _divide(name)


#: What stands between two people's names written in one cell (連名): ``山田太郎・花子``,
#: ``山田 太郎、花子``, ``山田太郎／山田花子``, ``山田太郎＆花子``.
_JOINT = re.compile(r"\s*[・･、，,/／&＆]\s*")
_GIVEN_NAME = re.compile(f"[{_KANJI}々〆ヶぁ-ゖァ-ヺー]{{1,4}}")


def joint_names(text: str) -> tuple[str, str] | None:
    """(the first person's name, the other's) of two people's names written in one cell (連名:
    ``山田太郎・花子``, ``山田 太郎、花子``, ``山田太郎／山田花子``); None for one person's name.

    Only when the first is a whole name — with a space, or a common family name and a given name
    after it — and the other a given name or a whole name of its own: ``ヤマダ・タロウ``,
    ``ジョン・スミス`` and ``山田・太郎`` are one person's names with a dot between them."""
    parts = _JOINT.split(text)
    if len(parts) != 2 or not all(parts) or text.isascii():
        return None
    first, other = parts
    if " " not in first and not _starts_with_common_family_name(first):
        return None
    if _GIVEN_NAME.fullmatch(other) is None and " " not in other and not _starts_with_common_family_name(other):
        return None
    return first, other


def _starts_with_common_family_name(name: str) -> bool:
    """Whether a kanji name without a space is a common family name and a given name after it."""
    if _KANJI_NAME.fullmatch(name) is None:
        return False
    family, given = _split_unspaced(name)
    return given is not None and family in COMMON_FAMILY_NAMES


def _divide(name: str) -> tuple[str, str | None]:
    try:
        result = _divider().divide_name(name)
    except (ValueError, KeyError, IndexError):
        return name, None
    family, given = str(result.family), str(result.given)
    if not family or not given or family + given != name or given[0] in "々ー":
        return name, None
    return family, given


def _split_words(words: list[str]) -> tuple[str, str | None]:
    if _is_latin(words[0]) and len(words) > 1:
        capitals = [i for i, w in enumerate(words) if _CAPITALISED.fullmatch(w) is not None]
        if len(capitals) == 1:
            family = words[capitals[0]]
            return family, " ".join(w for i, w in enumerate(words) if i != capitals[0])
        if len(words) == 2 and _is_latin(words[1]):
            first, second = words
            # English order (Taro Yamada, Kenji Hayashibara, John Smith): the second word is the
            # family name when only it is a family name, or only the first is a given name.
            if is_romaji_family_name(second) and not is_romaji_family_name(first):
                return second, first
            if is_romaji_given_name(first) and not is_romaji_given_name(second) and not is_romaji_family_name(first):
                return second, first
    return words[0], " ".join(words[1:]) or None


def _is_latin(word: str) -> bool:
    """Latin script, long vowels' macrons allowed (``Satō``)."""
    return word.isascii() or fold_macrons(word).isascii()


def _without_honorific(name: str) -> str:
    """``name`` without the form of address after it; ``さま`` or ``さん`` right after hiragana is
    the name's own end (``山田 あさま``, ``おさん``), not one."""
    if name.endswith(_HIRAGANA_ENDINGS) and len(name) > 2 and "ぁ" <= name[-3] <= "ゖ":
        return name
    for honorific in _HONORIFICS:
        if name.endswith(honorific):
            return name.removesuffix(honorific).rstrip() or name
    return name


def split_full_name(s: str) -> tuple[str, str | None]:
    """``(family, given)`` from one full-name field; ``(name, None)`` when it cannot be split."""
    name = s.strip()
    if name.endswith(_HONORIFICS):
        name = _without_honorific(name)
    if name[:1] in _TITLE_INITIALS and (title := _LATIN_TITLE.match(name)) is not None:
        name = name[title.end() :]
    if "," in name and name.isascii():
        family, _, given = name.partition(",")
        if family.strip() and given.strip():
            return " ".join(family.split()), " ".join(given.split())
        return name, None
    words = name.split()
    if len(words) == 1 and _MIDDLE_DOTS.search(name) is not None:
        words = [word for word in _MIDDLE_DOTS.split(name) if word]
    if len(words) > 1:
        return _split_words(words)
    if len(name) < 2 or _KANJI_NAME.fullmatch(name) is None:
        return name, None
    return _split_unspaced(name)


# Old and variant forms of kanji that registers, cards and forms write for one name (髙橋 for 高橋,
# 惠子 for 恵子), each with the common form, and kana written either way in readings (チヅル, チズル).
_VARIANTS = str.maketrans(
    "髙﨑嵜邊邉齋齊濵濱廣榮惠眞實德澤櫻國學淺嶋嶌冨藏彌曻瀨槇桒栁亞圓壽晉條將聰團遙禮凜靜峯舘黑龍邨ヂヅ",
    "高崎崎辺辺斎斉浜浜広栄恵真実徳沢桜国学浅島島富蔵弥昇瀬槙桑柳亜円寿晋条将聡団遥礼凛静峰館黒竜村ジズ",
)


def name_key(name: str) -> str:
    """A name as two are compared: without spaces, old or variant kanji as their common form
    (``髙橋`` and ``高橋``, ``惠子`` and ``恵子`` are one name) and ヂ, ヅ as ジ, ズ."""
    return "".join(name.split()).translate(_VARIANTS)


def same_name(a: str, b: str) -> bool:
    """Whether two names (or readings) are one, by ``name_key``."""
    return a == b or name_key(a) == name_key(b)


_KANA_ONLY = re.compile(r"[\s\u3041-\u309f\u30a0-\u30ff]+")


def name_script(name: str) -> str:
    """How a name is written, as far as comparing two goes: ``latin``, ``kana`` or ``kanji`` (any other)."""
    if _is_latin(name):
        return "latin"
    return "kana" if _KANA_ONLY.fullmatch(name) else "kanji"


def name_reading(name: str, kana: str | None) -> str | None:
    """A name's reading in katakana: its kana field's, or the name itself when written in kana."""
    if kana or not _KANA_ONLY.fullmatch(name):
        return kana
    try:
        return to_katakana(name)
    except NormalizationError:  # kana marks alone (゛), no reading
        return None
