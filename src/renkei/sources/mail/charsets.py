"""Charset labels of Japanese mail mapped to codecs that work, and a fallback for wrong labels.

Every ISO-2022-JP label goes to CP50220 decoding, every Shift_JIS label to ``cp932``; a missing,
unknown or wrong label is replaced by strict trials and detection, and the caller gets a warning.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable

import charset_normalizer

from renkei.sources.mail.codecs_ja import decode_iso2022jp_cp50220

Decoder = Callable[[bytes, str], str]

_ESC = b"\x1b"
_HALFWIDTH_KANA = re.compile("[\uff61-\uff9f]")


def _cp932(data: bytes, errors: str) -> str:
    return data.decode("cp932", errors)


def _euc_jp(data: bytes, errors: str) -> str:
    # euc_jp reads JIS X 0212; euc_jis_2004 keeps NEC row 13 (①, ㈱) and JIS X 0213.
    try:
        return data.decode("euc_jp")
    except UnicodeDecodeError:
        return data.decode("euc_jis_2004", errors)


_LABELS: dict[str, tuple[str, Decoder]] = {}
_LEGACY_MULTIBYTE = frozenset({"cp932", "euc-jp", "shift_jis", "euc_jp", "euc_jis_2004", "shift_jis_2004"})


def register_charset(labels: tuple[str, ...], name: str, decoder: Decoder) -> None:
    """Use ``decoder`` for every charset label in ``labels`` (compared case-insensitively)."""
    for label in labels:
        _LABELS[_fold(label)] = (name, decoder)


def _fold(label: str) -> str:
    return label.strip().strip("\"'").lower().replace("_", "-")


register_charset(
    (
        "iso-2022-jp", "iso-2022-jp-1", "iso-2022-jp-2", "iso-2022-jp-3", "iso-2022-jp-ext",
        "iso-2022-jp-2004", "csiso2022jp", "csiso2022jp2", "cp50220", "cp50221", "cp50222",
        "x-cp50220", "x-cp50221", "x-cp50222", "jis", "iso2022jp",
    ),
    "cp50220",
    decode_iso2022jp_cp50220,
)  # fmt: skip
register_charset(
    (
        "shift-jis", "shift_jis", "sjis", "x-sjis", "s-jis", "shift-jisx0213", "windows-31j",
        "ms932", "cp932", "ms-kanji", "csshiftjis", "x-ms-cp932", "csWindows31J", "ibm-943",
    ),
    "cp932",
    _cp932,
)  # fmt: skip
register_charset(("euc-jp", "eucjp", "x-euc-jp", "x-euc", "cseucpkdfmtjapanese", "ujis"), "euc-jp", _euc_jp)
register_charset(("unicode-1-1-utf-7", "utf-7", "utf7", "x-utf-7"), "utf-7", lambda d, e: d.decode("utf-7", e))
register_charset(("utf8", "utf-8", "x-utf-8", "unicode-1-1-utf-8"), "utf-8", lambda d, e: d.decode("utf-8", e))


def codec_for(label: str | None) -> tuple[str, Decoder] | None:
    """The (name, decoder) for a charset label, or None when neither we nor Python know it."""
    if not label:
        return None
    folded = _fold(label)
    if folded in _LABELS:
        return _LABELS[folded]
    try:
        info = codecs.lookup(folded)
    except (LookupError, ValueError):
        return None
    if not getattr(info, "_is_text_encoding", True):  # base64, zlib, rot13: not a charset
        return None
    name = info.name
    if name.startswith("iso2022_jp"):
        return _LABELS["iso-2022-jp"]
    return name, lambda data, errors: data.decode(name, errors)


def sniff(data: bytes) -> tuple[str, str]:
    """Decode bytes of unknown charset: (text, codec name). Strict codecs first, then detection."""
    if data.isascii() and _ESC not in data:
        return data.decode("ascii"), "us-ascii"
    if _ESC in data:
        try:
            return decode_iso2022jp_cp50220(data), "cp50220"
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp932")
    except UnicodeDecodeError:
        text = None
    if text is not None:
        # EUC-JP kana and kanji often "decode" as cp932 half-width katakana; prefer EUC-JP then.
        if len(_HALFWIDTH_KANA.findall(text)) * 3 > len(text):
            try:
                return _euc_jp(data, "strict"), "euc-jp"
            except UnicodeDecodeError:
                pass
        return text, "cp932"
    try:
        return _euc_jp(data, "strict"), "euc-jp"
    except UnicodeDecodeError:
        pass
    best = charset_normalizer.from_bytes(data[:65536]).best()
    if best is not None:
        try:
            return data.decode(best.encoding), best.encoding
        except (UnicodeDecodeError, LookupError):
            pass
    return data.decode("cp932", "replace"), "cp932 (with replacement characters)"


def decode_text(data: bytes, label: str | None) -> tuple[str, str | None]:
    """Decode ``data`` declared as ``label``: (text, warning or None).

    A missing, unknown or wrong label falls back to :func:`sniff`, with a warning that says what
    was used; U+FFFD appears only when no codec reads the bytes cleanly.
    """
    codec = codec_for(label)
    if codec is None:
        text, used = sniff(data)
        if label:
            return text, f"charset {label} treated as {used}"
        return text, None if data.isascii() else f"no charset declared; read as {used}"
    name, decoder = codec
    if name != "cp50220" and (b"\x1b$" in data or b"\x1b(I" in data):
        try:
            text = decode_iso2022jp_cp50220(data)
            return text, f"charset {label} holds ISO-2022-JP escapes; read as cp50220"
        except UnicodeDecodeError:
            pass
    if name in _LEGACY_MULTIBYTE and not data.isascii():
        # Valid UTF-8 is almost never valid Shift_JIS or EUC-JP prose: a mislabelled UTF-8 mail.
        try:
            return data.decode("utf-8"), f"charset {label} holds UTF-8; read as utf-8"
        except UnicodeDecodeError:
            pass
    try:
        return decoder(data, "strict"), None
    except UnicodeDecodeError:
        pass
    text, used = sniff(data)
    if used.endswith("(with replacement characters)"):
        warning = f"charset {label} did not decode cleanly; replacement characters used"
        return decoder(data, "replace"), warning
    return text, f"charset {label} did not decode; read as {used}"
