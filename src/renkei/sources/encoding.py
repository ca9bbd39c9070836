"""Find the text encoding of an uploaded file from a bounded sample of its bytes.

Japanese Excel writes CP932 ("Shift_JIS"); newer tools write UTF-8, with or without a BOM;
Excel's "Unicode text" is UTF-16 with a BOM. Detection never reads more than a few windows of
``SAMPLE_SIZE`` bytes, so it costs the same for a 2 KB and a 2 GB file.
"""

from __future__ import annotations

import codecs
import re
import threading
from dataclasses import dataclass
from typing import BinaryIO

import charset_normalizer

from renkei.errors import ConfigurationError

SAMPLE_SIZE = 64 * 1024
# Extra windows read when the first one is pure ASCII (the Japanese may start further down).
_EXTRA_WINDOWS = 8

# Every label a Japanese system uses for Microsoft's Shift_JIS. Python's ``shift_jis`` fails on
# ① and ㈱ and maps ～ and − differently, so all of them are read as ``cp932``.
_CP932_LABELS = frozenset(
    {
        "shift_jis",
        "shift-jis",
        "shiftjis",
        "sjis",
        "s_jis",
        "x-sjis",
        "x_sjis",
        "windows-31j",
        "windows_31j",
        "csshiftjis",
        "cswindows31j",
        "ms932",
        "ms_kanji",
        "ms-kanji",
        "x-ms-cp932",
        "cp932",
        "932",
        "windows-932",
    }
)

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

ESCAPE_ERRORS = "renkei-hexescape"
"""Decode-error handler: each undecodable byte ``b`` becomes the lone surrogate ``U+DC00 + b``.

Strict decoders never produce lone surrogates, so their presence marks exactly the bytes that
could not be decoded, and :func:`show_escaped` turns them back into ``\\xNN`` for messages.
"""

ESCAPED_CHARS = re.compile("[\udc00-\udcff]")


class _Tally(threading.local):
    undecodable = 0


_TALLY = _Tally()


def undecodable_count() -> int:
    """How many bytes ``ESCAPE_ERRORS`` has escaped so far in this thread.

    A reader compares the count before and after a read to learn, without scanning the text,
    whether that read met undecodable bytes.
    """
    return _TALLY.undecodable


def _hex_escape(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    bad = exc.object[exc.start : exc.end]
    _TALLY.undecodable += len(bad)
    return "".join(chr(0xDC00 + b) for b in bad), exc.end


codecs.register_error(ESCAPE_ERRORS, _hex_escape)


def show_escaped(text: str) -> str:
    """``text`` with each undecodable byte written as ``\\xNN``."""
    return ESCAPED_CHARS.sub(lambda m: f"\\x{ord(m.group()) - 0xDC00:02x}", text)


def escaped_bytes(text: str) -> list[int]:
    """The undecodable bytes kept in ``text``, in order."""
    return [ord(c) - 0xDC00 for c in ESCAPED_CHARS.findall(text)]


def resolve_encoding(label: str) -> str:
    """The Python codec name for an encoding label from a user, a mail header or a sniffer.

    Shift_JIS in all its spellings becomes ``cp932``. Raises ``ConfigurationError`` for a label
    Python does not know.
    """
    key = label.strip().lower()
    if key in _CP932_LABELS:
        return "cp932"
    try:
        return codecs.lookup(key).name
    except LookupError:
        raise ConfigurationError(f"unknown encoding {label.strip()!r}") from None


@dataclass(frozen=True, slots=True)
class Detected:
    """What detection found: the encoding to report, the codec to decode with, the BOM length."""

    encoding: str
    codec: str
    bom_length: int


class NotTextError(ValueError):
    """The sample is not text: ``reason`` says why ("is empty", "looks binary", …)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


#: Files people send instead of a CSV, by their first bytes: what the file is, and what to do.
_SAVE_AS_CSV = "in Excel, save it as an Excel workbook (.xlsx) or as CSV UTF-8 and send that"
_SAVE_AS_XLSX = "save it as an Excel workbook (.xlsx) or as CSV and send that"
_BINARY_KINDS: tuple[tuple[bytes, str], ...] = (
    (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
        f"is an Excel 97-2003 workbook (.xls) or another Office file, not CSV text: {_SAVE_AS_CSV}",
    ),
    (b"%PDF-", "is a PDF document, not CSV text"),
    (b"\x1f\x8b", "is gzip-compressed, not CSV text: unpack it and send the CSV inside"),
)


def _binary_kind(sample: bytes) -> str | None:
    """Why a file is not CSV text, when its first bytes say what it is (an Excel workbook, a PDF…)."""
    if sample.startswith(b"PK\x03\x04"):
        if b"xl/workbook.bin" in sample:
            return f"is an Excel binary workbook (.xlsb) that cannot be read: {_SAVE_AS_CSV}"
        if b"opendocument.spreadsheet" in sample:
            return f"is an OpenDocument spreadsheet (.ods) that cannot be read: {_SAVE_AS_XLSX}"
        if b"xl/" in sample:
            return f"is an Excel workbook (.xlsx) that cannot be read: {_SAVE_AS_CSV}"
        return "is a ZIP archive, not CSV text: unpack it and send the CSV inside"
    for magic, kind in _BINARY_KINDS:
        if sample.startswith(magic):
            return kind
    return None


def bom_of(sample: bytes) -> tuple[str, int] | None:
    """The encoding announced by a byte-order mark at the start of ``sample``, and its length."""
    for bom, name in _BOMS:
        if sample.startswith(bom):
            return name, len(bom)
    return None


def decodes(sample: bytes, codec: str, *, complete: bool) -> bool:
    """Whether ``sample`` decodes strictly; a character cut at the end is fine unless ``complete``."""
    try:
        codecs.getincrementaldecoder(codec)("strict").decode(sample, final=complete)
    except UnicodeDecodeError:
        return False
    return True


_HALFWIDTH_KANA = re.compile("[\uff61-\uff9f]")
_ODD_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffd]")


def _halfwidth_kana_share(text: str) -> float:
    non_ascii = len(text) - len(text.encode("ascii", "ignore"))
    if not non_ascii:
        return 0.0
    return len(_HALFWIDTH_KANA.findall(text)) / non_ascii


_JAPANESE = re.compile("[\u3000-\u30ff\u4e00-\u9fff\uff00-\uffef]")
_TWO_BYTE_UTF8 = re.compile("[\u0080-\u07ff]")


def _looks_like_cp932_read_as_utf8(sample: bytes, complete: bool) -> bool:
    """Short CP932 text can also be valid UTF-8 (ﾅ① is C5 87 40, read as 'Ň@'; ﾅｶ is C5 B6, 'Ŷ').

    UTF-8 that holds no Japanese at all but some Latin-extended, Greek or Cyrillic letters is
    far more likely CP932 in a Japanese file when its CP932 reading has full-width characters,
    or is nothing but half-width katakana letters (ﾅｶ) while the UTF-8 reading has no Latin-1
    letter: European names (é, ü, ñ) stay UTF-8, and so does text whose CP932 reading would put
    half-width punctuation among the kana (ʤ reads ﾊ､).
    """
    text = codecs.getincrementaldecoder("utf-8")().decode(sample, final=complete)
    if _TWO_BYTE_UTF8.search(text) is None or _JAPANESE.search(text) is not None:
        return False
    as_cp932 = codecs.getincrementaldecoder("cp932")(errors="ignore").decode(sample, final=complete)
    non_ascii = [c for c in as_cp932 if ord(c) > 0x7F]
    if any(not 0xFF61 <= ord(c) <= 0xFF9F for c in non_ascii):
        return True
    katakana_letters_only = all(0xFF66 <= ord(c) <= 0xFF9F for c in non_ascii)
    return katakana_letters_only and not any(0x80 <= ord(c) <= 0xFF for c in text)


_KANA = re.compile("[\u3041-\u30ff]")


def _reads_as_japanese_euc(sample: bytes, complete: bool) -> bool:
    """Whether the sample is EUC-JP rather than CP932 half-width kana.

    Half-width kana bytes (A1–DF) pair up into EUC-JP kanji, almost never into kana; real
    EUC-JP text has kana (readings, particles). So EUC-JP wins only when its reading has some.
    """
    try:
        text = codecs.getincrementaldecoder("euc_jp")("strict").decode(sample, final=complete)
    except UnicodeDecodeError:
        return False
    return _KANA.search(text) is not None


def _guess(sample: bytes, complete: bool) -> str | None:
    """The codec for a BOM-less sample, or None when nothing fits."""
    if b"\x1b$" in sample and sample.isascii():
        # Seven-bit JIS (ISO-2022-JP), as old systems and mail-born text write Japanese: the
        # escape sequences that switch to kanji are never in UTF-8 or Shift_JIS text.
        return "iso2022_jp_2"
    if decodes(sample, "utf-8", complete=complete):
        if not _looks_like_cp932_read_as_utf8(sample, complete) or not decodes(sample, "cp932", complete=complete):
            return "utf-8"
        return "cp932"
    if decodes(sample, "cp932", complete=complete):
        # EUC-JP bytes often also decode as CP932, as a run of half-width kana.
        text = codecs.getincrementaldecoder("cp932")().decode(sample, final=False)
        if _halfwidth_kana_share(text) > 0.5 and _reads_as_japanese_euc(sample, complete):
            return "euc_jp"
        return "cp932"
    if decodes(sample, "euc_jp", complete=complete):
        return "euc_jp"
    # A few bad bytes in otherwise good UTF-8 or CP932: keep the encoding, the rows report them.
    non_ascii = len(sample) - len(sample.translate(None, bytes(range(0x80, 0x100))))
    bad, codec = min((_bad_bytes(sample, codec), codec) for codec in ("utf-8", "cp932"))
    if bad <= max(4, non_ascii // 100):
        return codec
    best = charset_normalizer.from_bytes(sample).best()
    if best is None:
        return None
    try:
        return resolve_encoding(best.encoding)
    except ConfigurationError:
        return None


def _bad_bytes(sample: bytes, codec: str) -> int:
    text = codecs.getincrementaldecoder(codec)(ESCAPE_ERRORS).decode(sample, final=False)
    return len(ESCAPED_CHARS.findall(text))


def _windows(stream: BinaryIO, size: int) -> list[bytes]:
    """Windows spread over the rest of a file, each starting at a line start."""
    windows: list[bytes] = []
    step = max(size // (_EXTRA_WINDOWS + 1), SAMPLE_SIZE)
    for offset in range(SAMPLE_SIZE, size, step):
        stream.seek(offset)
        chunk = stream.read(SAMPLE_SIZE)
        newline = chunk.find(b"\n")
        if newline >= 0:
            windows.append(chunk[newline + 1 :])
    return windows


def detect_encoding(stream: BinaryIO, size: int) -> Detected:
    """Sniff the encoding of a seekable binary stream of ``size`` bytes; rewinds it after.

    Order: a BOM decides; UTF-16 without one is told by where its NUL bytes fall; seven-bit text
    with JIS escape sequences is ISO-2022-JP; then strict UTF-8; then strict CP932 (EUC-JP when the
    CP932 reading is mostly half-width kana and EUC-JP fits too); strict EUC-JP; UTF-8 or CP932 with
    a few bad bytes (the rows holding them become row problems); then charset-normalizer. A
    pure-ASCII first window makes us look at a few more windows further down before settling on
    UTF-8. Raises ``NotTextError`` for an empty or binary file.
    """
    stream.seek(0)
    sample = stream.read(SAMPLE_SIZE)
    stream.seek(0)
    if not sample:
        raise NotTextError("is empty (0 bytes)")
    bom = bom_of(sample)
    if bom is not None:
        name, length = bom
        text = codecs.getincrementaldecoder(name)("replace").decode(sample, final=False)
        if not text.strip():
            raise NotTextError("is empty (only a byte-order mark)")
        if name == "utf-8-sig":
            # Skipped by the reader, so that only the first three bytes count as a BOM.
            return Detected(name, "utf-8", length)
        return Detected(name, name, 0)  # the UTF-16/32 codecs read the BOM for the byte order
    if (kind := _binary_kind(sample)) is not None:
        raise NotTextError(kind)
    if (utf16 := _bomless_utf16(sample)) is not None:
        return Detected(utf16, utf16, 0)
    if b"\x00" in sample:
        raise NotTextError("looks like a binary file, not CSV text (it contains NUL bytes)")
    if not sample.strip():
        raise NotTextError("is empty (only blank lines)")
    complete = len(sample) >= size
    if sample.isascii() and not complete:
        for window in _windows(stream, size):
            if not window.isascii():
                sample = window
                break
        stream.seek(0)
    codec = _guess(sample, complete)
    if codec is None or _looks_binary(sample, codec):
        raise NotTextError("is not text in any encoding we know (a binary file?)")
    return Detected(codec, codec, 0)


def _bomless_utf16(sample: bytes) -> str | None:
    """``utf-16-le`` or ``utf-16-be`` for UTF-16 text written without a byte-order mark (some
    Windows tools' "Unicode"), None for anything else: the NUL bytes of its commas, line breaks and
    digits all fall on one side of each two-byte unit, and the whole reads as text that way."""
    if b"\x00" not in sample:
        return None
    sample = sample[: len(sample) // 2 * 2]
    units = len(sample) // 2
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    # Kanji and kana have a NUL byte now and then too (一 is U+4E00, the ideographic space U+3000).
    if units < 4 or max(even, odd) * 10 < units or min(even, odd) * 5 > max(even, odd):
        return None
    codec = "utf-16-le" if odd > even else "utf-16-be"
    try:
        codecs.getincrementaldecoder(codec)("strict").decode(sample, final=False)
    except UnicodeDecodeError:
        return None
    return None if _looks_binary(sample, codec) else codec


def _looks_binary(sample: bytes, codec: str) -> bool:
    """More than 5% of the decoded sample is undecodable or control characters."""
    text = codecs.getincrementaldecoder(codec)("replace").decode(sample, final=False)
    if not text:
        return False
    return len(_ODD_CHARS.findall(text)) > len(text) * 0.05
