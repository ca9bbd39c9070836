"""Splitting a full name into family and given name.

Japanese forms put the family name first, and so does this module for every script:

- With whitespace (half or full width, any run of it): the first word is the family name and
  the rest, joined by one space, the given name (``山田　太郎`` -> ``('山田', '太郎')``).
- A middle dot (``・``, half-width ``･``) in a name without whitespace separates its words as a
  space does (``ヤマダ・タロウ`` -> ``('ヤマダ', 'タロウ')``).
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
- A form of address after the name (``様``, ``さま``, ``殿``) is not part of it: ``山田 太郎 様``
  is ``('山田', '太郎')``.
- The common family names (``COMMON_FAMILY_NAMES``) come before the divider: a name that is one
  of them and nothing else (``田中``, ``佐々木``: forms often get only the family name) is the
  family name alone, where the divider, which always finds a given name, made ``鈴木`` into
  ``鈴`` + ``木``; a name that starts with one (the longest) is split after it, where the divider
  made ``長谷川太郎`` into ``長谷`` + ``川太郎`` (on the bench's 44,154 generated full names: 60
  wrong splits → 40, none made wrong; those left are one-character family names).
"""

from __future__ import annotations

import importlib.util
import re
from functools import cache, lru_cache
from typing import Any

__all__ = ["split_full_name"]

_KANJI = "\u3400-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_KANJI_NAME = re.compile(f"[{_KANJI}〆ヶ][{_KANJI}々〆ヶぁ-ゖァ-ヺー]+")
# A middle dot between the names of a name written without a space (``ヤマダ・タロウ``), as
# katakana forms and foreign names in katakana (``ジョン・スミス``) write it.
_MIDDLE_DOTS = re.compile("[・･·]+")
_CAPITALISED = re.compile(r"[A-Z][A-Z'\-]+")
# A form of address after a name (``山田 太郎 様``, ``山田太郎さま``, ``山田殿``): not part of it.
_HONORIFICS = ("様", "さま", "殿")

#: The most common family names of two characters or more (nationwide rankings), with the old
#: forms of their characters that registers keep (髙橋, 齋藤, 渡邊): a full-name value that is one
#: of them and nothing more is a family name given alone.
_FAMILY_NAMES = """
    佐藤 鈴木 高橋 田中 伊藤 渡辺 山本 中村 小林 加藤 吉田 山田 佐々木 山口 松本 井上 木村 斎藤 清水
    山崎 池田 橋本 阿部 石川 山下 中島 石井 小川 前田 岡田 長谷川 藤田 後藤 近藤 村上 遠藤 青木 坂本
    斉藤 福田 太田 西村 藤井 金子 岡本 藤原 中野 三浦 原田 中川 松田 竹内 小野 田村 中山 和田 石田
    森田 上田 内田 柴田 酒井 宮崎 横山 高木 安藤 宮本 大野 小島 谷口 今井 工藤 高田 増田 丸山 杉山
    村田 大塚 新井 小山 平野 藤本 河野 上野 野口 武田 松井 千葉 岩崎 菅原 木下 久保 佐野 野村 松尾
    市川 菊地 杉本 古川 大西 島田 水野 桜井 高野 渡部 吉川 山内 西田 飯田 菊池 西川 小松 北村 安田
    五十嵐 川口 平田 中田 久保田 服部 岩田 土屋 川崎 福島 本田 樋口 秋山 田代 荒木 宮田 関口 野田
    松岡 永井 中西 望月 森本 川上 小池 田口 大橋 須藤 矢野 浅野 松下 小澤 大久保 岩本 片山 早川 熊谷
    吉村 内藤 中尾 星野 坂口 若林 大川 山中 安達 石原 西山 平井 大石 松浦 吉岡 小田 宮下 小西 富田
    北川 松村 岡崎 大谷 山根 桑原 堀内 沢田 河合 黒田 川村 奥村 栗原 宮原 本間 小泉
    佐久間 小笠原 大和田 小野寺 長谷部 宇都宮 長谷 大友 成田 今村 中谷 竹田 上原 大森 川田 高山
    馬場 小沢 田辺 尾崎 永田 長田 榎本 金井 水谷 浜田 荒井 島崎 広瀬 菅野 吉野 大島 篠原 桑田 神田 宇野
    三上 徳永 外山 日野 長尾 大木 柳田 小宮 鷲尾 蛭田 田邊 山﨑 宮﨑 川﨑 尾﨑
    髙橋 髙木 髙田 髙野 齋藤 齊藤 渡邊 渡邉 濱田 廣瀬 澤田 小澤 櫻井 淺野 嶋田 中嶋 長嶋
"""
COMMON_FAMILY_NAMES: frozenset[str] = frozenset(_FAMILY_NAMES.split())
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
    return _divide(name)


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
    if name.endswith(_HONORIFICS):
        name = name.removesuffix("様").removesuffix("さま").removesuffix("殿").rstrip() or name
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
