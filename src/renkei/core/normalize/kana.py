"""Name readings (フリガナ) in full-width katakana.

Readings arrive in hiragana or katakana, full or half width (``ﾔﾏﾀﾞ ﾀﾛｳ``). They are stored as
full-width katakana with voiced marks composed (``ｶﾞ`` -> ``ガ``), ``ー`` and ``・`` kept, and
any run of whitespace between words reduced to one half-width space. A value with kanji, Latin
letters, digits or other symbols is not a reading and is rejected.
"""

from __future__ import annotations

import re

import mojimoji

from renkei.core.errors import NormalizationError

__all__ = ["to_katakana"]

# Hiragana U+3041..U+3096 and the iteration marks ゝゞ sit 0x60 below their katakana.
_HIRAGANA_TO_KATAKANA: dict[int, int] = {code: code + 0x60 for code in range(0x3041, 0x3097)}
_HIRAGANA_TO_KATAKANA.update({0x309D: 0x30FD, 0x309E: 0x30FE})
_HALF_WIDTH_KANA = re.compile("[\uff61-\uff9f]")
_WORD = "[\u30a1-\u30fa\u30fb\u30fc\u30fd\u30fe]+"
_KATAKANA = re.compile(f"{_WORD}(?: {_WORD})*")
_KANJI = re.compile("[\u3400-\u9fff\uf900-\ufaff々〆]")
_LATIN = re.compile("[A-Za-z\uff21-\uff3a\uff41-\uff5a]")


def to_katakana(s: str) -> str:
    """Full-width katakana reading; raise NormalizationError if the value is not kana."""
    if _KATAKANA.fullmatch(s) is not None:
        return s
    value = s
    if _HALF_WIDTH_KANA.search(value) is not None:
        value = str(mojimoji.han_to_zen(value, ascii=False, digit=False))
    value = " ".join(value.translate(_HIRAGANA_TO_KATAKANA).split())
    if _KATAKANA.fullmatch(value) is not None:
        return value
    if not value:
        raise NormalizationError("Reading is empty", s)
    if _KANJI.search(value) is not None:
        raise NormalizationError("Reading contains kanji; give it in kana", s)
    if _LATIN.search(value) is not None:
        raise NormalizationError("Reading contains Latin letters; give it in kana", s)
    raise NormalizationError("Reading contains characters that are not kana", s)
