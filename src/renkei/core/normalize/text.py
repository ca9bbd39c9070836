"""Width, dash and blank folding for Japanese text, and label comparison keys.

Everything here is a pure ``str -> str`` function built on ``str.translate`` tables and
precompiled regular expressions. ``jaconv.normalize`` is never used: it turns the hyphens of
``０３－１２３４－５６７８`` into ``ー``. NFKC is only used for column labels, where its other
foldings (``㈱`` -> ``(株)``, ``①`` -> ``1``) are wanted.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import mojimoji

__all__ = ["DASHES", "clean_text", "fold_dashes", "fold_width", "is_zeros", "normalize_label"]

# Full-width ASCII (U+FF01..U+FF5E) to ASCII, and the ideographic space to a space. One code
# point to one code point, so folding never changes the length of the string.
_WIDTH_TABLE: dict[int, int] = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_WIDTH_TABLE[0x3000] = 0x20
# Invisible characters text copied from web pages and documents carries (zero-width space, joiners,
# word joiner, a byte-order mark inside a value): a space, which blank folding then drops at either
# end (``taro@example.jp\u200b``) and reads as the break it marks inside.
_WIDTH_TABLE.update(dict.fromkeys((0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF), 0x20))
# The same table as a string indexed by code point, for str.translate: a dict table raises and
# clears a KeyError inside translate for every character it does not hold (kanji, kana), which
# made folding an address cost twice as much. Code points past the BMP are left as they are,
# as a missing key leaves them.
_WIDTH_STRING = "".join(chr(_WIDTH_TABLE.get(code, code)) for code in range(0x10000))
# The same without folding U+FF5E: in an address a full-width tilde (``1～3``) is a range, kept.
_WIDTH_KEEPING_TILDE = _WIDTH_STRING[:0xFF5E] + "\uff5e" + _WIDTH_STRING[0xFF5F:]
# What fold_width changes at all: most values need no folding and are returned as they are.
_TO_FOLD = re.compile("[\u200b-\u200d\u2060\u3000\ufeff\uff01-\uff5e\uff61-\uff9f]")

_HALF_WIDTH_KANA = re.compile("[\uff61-\uff9f]")

#: Dash-like characters folded to ``-`` wherever they appear (U+2010..U+2015, minus signs,
#: the full-width and small hyphen-minus). ``〜`` and ``～`` are not dashes and are kept.
DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\uff0d\ufe63"
# The prolonged sound marks are kana, not dashes: they only mean "-" between two digits.
_DASH = re.compile(f"[{DASHES}]")
_LONG_MARK_BETWEEN_DIGITS = re.compile(r"(?<=[0-9０-９])[\u30fc\uff70](?=[0-9０-９])")

_EMPTY_WORDS = frozenset(
    {"なし", "無し", "ナシ", "特になし", "該当なし", "不明", "n/a", "null", "none", "nil", "nan", "未記入", "未入力",
     "記入なし", "空欄",
     # Microsoft Forms' account columns for someone who answered without signing in.
     "anonymous"}
    # Excel's errors: a formula that found nothing (a lookup's #N/A, a deleted sheet's #REF!), not a value.
    | {"#n/a", "#value!", "#ref!", "#div/0!", "#name?", "#null!", "#num!", "#spill!", "#calc!", "#field!"}
)  # fmt: skip
#: A number written as zeros alone (``0``, ``000-0000``, ``000-0000-0000``): what a form's required
#: field is given by someone without one, and Excel shows for a reference to an empty cell.
_ZEROS = re.compile(r"[0\s()+\-]*0[0\s()\-]*")
# A value made only of dash-like marks ("-", "――", "ー", "ｰｰｰ", "・") means "no value".
_ONLY_MARKS = re.compile("[-\u2010-\u2015\u2212\uff0d\ufe63\u30fc\uff70\u30fb\uff65_]+")
_LABEL_JUNK = re.compile(r"[\W_]+")


def fold_width(s: str, *, keep_tilde: bool = False) -> str:
    """Fold full-width ASCII and the ideographic space to half width, half-width kana to full,
    and zero-width characters to a space.

    Dashes stay dashes (``－`` becomes ``-``, never ``ー``); full-width kana are untouched.
    ``keep_tilde`` leaves ``～`` as it is (``fold_address``).
    """
    if s.isascii():
        return s
    first = _TO_FOLD.search(s)
    if first is None:
        return s
    start = first.start()  # what comes before needs no folding: not even looked up
    s = s[:start] + s[start:].translate(_WIDTH_KEEPING_TILDE if keep_tilde else _WIDTH_STRING)
    if _HALF_WIDTH_KANA.search(s) is not None:
        s = str(mojimoji.han_to_zen(s, ascii=False, digit=False))
    return s


def fold_dashes(s: str) -> str:
    """Fold the dash family to ``-``; ``ー``/``ｰ`` only when they sit between two digits."""
    if s.isascii():
        return s
    s = _DASH.sub("-", s)  # a regex replaces in place what str.translate would copy whole
    if "\u30fc" in s or "\uff70" in s:
        s = _LONG_MARK_BETWEEN_DIGITS.sub("-", s)
    return s


def _collapse_line(line: str) -> str:
    return " ".join(line.split())


def clean_text(s: str) -> str | None:
    """Strip and collapse whitespace; None for blank values and "no value" markers.

    Runs of spaces (half or full width) and tabs become one space. Line breaks inside the
    value are kept (one ``\\n`` each, blank lines at either end dropped) because memo fields
    carry them. ``-``, ``－``, ``―``, ``ー`` alone, ``------``, ``なし``, ``不明``, ``未記入``, ``N/A``,
    Excel's errors (``#REF!``, ``#VALUE!``) and the like return None.
    """
    if "\n" in s or "\r" in s:
        lines = [_collapse_line(line) for line in s.splitlines()]
        while lines and not lines[-1]:
            lines.pop()
        while lines and not lines[0]:
            lines.pop(0)
        text = "\n".join(lines)
    else:
        text = " ".join(s.split())  # _collapse_line, inlined: every value of an import comes here
    if not text:
        return None
    if len(text) > 12 or text[0].isdigit():  # no marker is that long or starts with a digit
        return text
    if _ONLY_MARKS.fullmatch(text) is not None or fold_width(text).lower() in _EMPTY_WORDS:
        return None
    return text


def is_zeros(s: str) -> bool:
    """Whether a number is written as zeros alone (``0``, ``000-0000-0000``, full width too): no number."""
    return _ZEROS.fullmatch(fold_dashes(fold_width(s)).strip()) is not None


@lru_cache(maxsize=4096)
def normalize_label(s: str) -> str:
    """Key for comparing column labels: NFKC, case-folded, without spaces or punctuation.

    ``"E-Mail "``, ``"ｅｍａｉｌ"`` and ``"e_mail"`` all give ``"email"``;
    ``"メールアドレス（ＰＣ）"`` gives ``"メールアドレスpc"``.
    """
    return _LABEL_JUNK.sub("", unicodedata.normalize("NFKC", s).casefold())
