"""Splitting a full name into family and given name.

Japanese forms put the family name first, and so does this module for every script:

- With whitespace (half or full width, any run of it): the first word is the family name and
  the rest, joined by one space, the given name (``山田　太郎`` -> ``('山田', '太郎')``).
- Latin script with a comma: family before it (``Yamada, Taro`` -> ``('Yamada', 'Taro')``).
- Latin script where exactly one word is in capitals (the ``YAMADA Taro`` / ``Taro YAMADA``
  convention): that word is the family name. Otherwise the first word, as for Japanese names;
  an English-order ``Taro Yamada`` is therefore stored as family ``Taro`` (the order cannot be
  told from the text, and the raw value is kept).
- Without whitespace, a name written in kanji (kana allowed after the first character) goes to
  namedivider's ``BasicNameDivider``, loaded on first use (about 0.3 s) and cached with its
  results; its Rust backend is used when the optional ``namedivider-core`` is installed.
  Kana-only names (``やまだたろう``) and anything else cannot be split reliably and come back
  as ``(name, None)``, as do one-character names.
"""

from __future__ import annotations

import importlib.util
import re
from functools import cache, lru_cache
from typing import Any

__all__ = ["split_full_name"]

_KANJI = "\u3400-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_KANJI_NAME = re.compile(f"[{_KANJI}〆ヶ][{_KANJI}々〆ヶぁ-ゖァ-ヺー]+")
_CAPITALISED = re.compile(r"[A-Z][A-Z'\-]+")


@cache
def _divider() -> Any:
    from namedivider import BasicNameDivider
    from namedivider.divider.config import BasicNameDividerConfig

    # namedivider-core, when installed, runs the same algorithm in Rust: the same splits
    # (checked on 20,000 random names) in about 9 µs instead of 150 µs.
    backend = "rust" if importlib.util.find_spec("namedivider_core") is not None else "python"
    return BasicNameDivider(BasicNameDividerConfig(backend=backend))


@lru_cache(maxsize=65536)
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
    if words[0].isascii() and len(words) > 1:
        capitals = [i for i, w in enumerate(words) if _CAPITALISED.fullmatch(w) is not None]
        if len(capitals) == 1:
            family = words[capitals[0]]
            return family, " ".join(w for i, w in enumerate(words) if i != capitals[0])
    return words[0], " ".join(words[1:]) or None


def split_full_name(s: str) -> tuple[str, str | None]:
    """``(family, given)`` from one full-name field; ``(name, None)`` when it cannot be split."""
    name = s.strip()
    if "," in name and name.isascii():
        family, _, given = name.partition(",")
        if family.strip() and given.strip():
            return " ".join(family.split()), " ".join(given.split())
        return name, None
    words = name.split()
    if len(words) > 1:
        return _split_words(words)
    if len(name) < 2 or _KANJI_NAME.fullmatch(name) is None:
        return name, None
    return _divide(name)
