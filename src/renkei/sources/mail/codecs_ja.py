"""ISO-2022-JP read as Windows' CP50220 does.

Windows mailers put NEC row-13 characters (① ㈱ Ⅲ) and IBM extensions (髙) inside ISO-2022-JP,
which Python's ``iso2022_jp*`` codecs reject. :func:`decode_iso2022jp_cp50220` converts every JIS
pair to Shift_JIS and decodes it with ``cp932``, as CP50220 does.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator

_ESCAPES = re.compile(rb"\x1b(?:\(B|\(J|\(I|\$@|\$B|\$\(B|\$\(D|\$\(O|\$\(Q|\$\(P)|[\x0e\x0f]")
_ESC = b"\x1b"
_ASCII, _JIS0208, _KANA, _JIS0212, _JIS0213_1, _JIS0213_2 = range(6)
_MODE_BY_ESCAPE = {
    b"\x1b(B": _ASCII,
    b"\x1b(J": _ASCII,  # JIS-Roman: read as ASCII, as CP50220 does
    b"\x1b(I": _KANA,
    b"\x1b$@": _JIS0208,
    b"\x1b$B": _JIS0208,
    b"\x1b$(B": _JIS0208,
    b"\x1b$(D": _JIS0212,
    b"\x1b$(O": _JIS0213_1,
    b"\x1b$(Q": _JIS0213_1,
    b"\x1b$(P": _JIS0213_2,
}
_GRAPHIC = bytes(range(0x21, 0x7F))
# Lead byte of the Shift_JIS pair for a JIS row byte, and trail byte for a JIS cell byte; the
# trail table is indexed by the cell byte with bit 7 set when the row is even.
_S1 = bytes(((j + 1) >> 1) + (0x70 if j <= 0x5E else 0xB0) if 0x21 <= j <= 0x7E else 0 for j in range(256))
_S2 = bytes(
    (j + 0x1F + (1 if j >= 0x60 else 0)) if 0x21 <= j <= 0x7E else ((j & 0x7F) + 0x7E) if 0xA1 <= j <= 0xFE else 0
    for j in range(256)
)
_EVEN_ROW_BIT = bytes(0x00 if j & 1 else 0x80 for j in range(256))
_KANA_8BIT = bytes(range(0xA1, 0xE0))
_KANA_SHIFT = bytes(b | 0x80 if 0x21 <= b <= 0x5F else b for b in range(256))
_CONTROL_OR_SPACE = re.compile(rb"([\x00-\x20]+)")
# Where Python's JIS X 0208 table and cp932 disagree (wave dash, double vertical line, minus,
# cent, pound, not sign); CP50220 gives the cp932 characters.
_PYTHON_TO_CP932 = dict(
    zip("\u301c\u2016\u2212\u00a2\u00a3\u00ac", "\uff5e\u2225\uff0d\uffe0\uffe1\uffe2", strict=True)
)
_PYTHON_ONLY = re.compile("[" + "".join(_PYTHON_TO_CP932) + "]")


def _to_cp932_char(match: re.Match[str]) -> str:
    return _PYTHON_TO_CP932[match.group()]


def _jis_to_sjis(pairs: bytes) -> bytes:
    """Shift_JIS bytes for an even-length run of JIS X 0208 bytes (all 0x21-0x7E)."""
    rows, cells = pairs[0::2], pairs[1::2]
    flags = int.from_bytes(rows.translate(_EVEN_ROW_BIT), "big")
    marked = (int.from_bytes(cells, "big") | flags).to_bytes(len(cells), "big")
    out = bytearray(len(pairs))
    out[0::2] = rows.translate(_S1)
    out[1::2] = marked.translate(_S2)
    return bytes(out)


def _decode_double(run: bytes, mode: int, errors: str) -> str:
    if run.translate(None, _GRAPHIC) or len(run) % 2:
        if errors == "strict":
            raise UnicodeDecodeError("cp50220", run, 0, len(run), "byte outside a JIS pair")
        cleaned = run.translate(None, run.translate(None, _GRAPHIC))
        return _decode_double(cleaned[: len(cleaned) // 2 * 2], mode, errors) + "\ufffd"
    if mode == _JIS0212:
        return "".join(
            (b"\x8f" + bytes((run[i] | 0x80, run[i + 1] | 0x80))).decode("euc_jp", errors)
            for i in range(0, len(run), 2)
        )
    if mode == _JIS0213_2:
        return "".join(
            (b"\x8f" + bytes((run[i] | 0x80, run[i + 1] | 0x80))).decode("euc_jis_2004", errors)
            for i in range(0, len(run), 2)
        )
    sjis = _jis_to_sjis(run)
    try:
        return sjis.decode("cp932")
    except UnicodeDecodeError:
        if mode == _JIS0213_1:
            return bytes(b | 0x80 for b in run).decode("euc_jis_2004", errors)
        if errors == "strict":
            raise
    return "".join(sjis[i : i + 2].decode("cp932", errors) for i in range(0, len(sjis), 2))


def _decode_single(run: bytes, kana: bool, errors: str) -> str:
    if kana:
        run = run.translate(_KANA_SHIFT)
    if run.isascii():
        return run.decode("ascii")
    # 8-bit half-width katakana (CP50222 style) are accepted; any other 8-bit byte is not JIS.
    if not run.translate(None, _KANA_8BIT).isascii() and errors == "strict":
        raise UnicodeDecodeError("cp50220", run, 0, len(run), "8-bit byte in ISO-2022-JP")
    return run.decode("cp932", errors)


def decode_iso2022jp_cp50220(data: bytes, errors: str = "strict") -> str:
    """Decode ISO-2022-JP (and its -1/-3/ext variants) the way Windows' CP50220 does.

    JIS X 0208 pairs become Shift_JIS and are read with ``cp932``, so NEC row-13 and NEC-selected
    IBM characters survive. Line breaks inside a double-byte run pass through without ending it.
    """
    if _ESC not in data and b"\x0e" not in data:
        return _decode_single(data, False, errors)
    # CP50220 reads JIS-Roman as ASCII (Python's codecs would give ¥ and ‾ for \ and ~).
    data = data.replace(b"\x1b(J", b"\x1b(B") if b"\x1b(J" in data else data
    if _is_plain_jis(data):
        # Plain ISO-2022-JP: Python's C codec (the _ext one reads ESC ( I kana) does the work; the
        # pairs it rejects (NEC and IBM extensions) go through cp932 in the error handler, and six
        # cells that its JIS table maps differently from cp932 are translated afterwards.
        try:
            text = data.decode("iso2022_jp_ext", _ERROR_HANDLER)
            return _PYTHON_ONLY.sub(_to_cp932_char, text) if _PYTHON_ONLY.search(text) else text
        except UnicodeDecodeError:
            pass
    text = "".join(_decode_run(run, mode, shifted, errors) for mode, shifted, run in _runs(data))
    if "\x1b" in text and errors == "strict":
        raise UnicodeDecodeError("cp50220", data, 0, len(data), "unknown escape sequence")
    return text


def _is_plain_jis(data: bytes) -> bool:
    """7-bit, no SO/SI, only ESC ( B, ESC $ B, ESC $ @ and ESC ( I (counting beats a regex here)."""
    if not data.isascii() or b"\x0e" in data or b"\x0f" in data:
        return False
    escapes = sum(data.count(escape) for escape in (b"\x1b(B", b"\x1b$B", b"\x1b$@", b"\x1b(I"))
    return escapes == data.count(_ESC)


def _pair_via_cp932(exc: UnicodeError) -> tuple[str, int]:
    """Error handler for Python's iso2022_jp codec: read a rejected JIS pair as CP50220 does."""
    if isinstance(exc, UnicodeDecodeError) and exc.end - exc.start == 2:
        pair = bytes(exc.object[exc.start : exc.end])
        if not pair.translate(None, _GRAPHIC):
            try:
                return _jis_to_sjis(pair).decode("cp932"), exc.end
            except UnicodeDecodeError:
                pass
    raise exc


_ERROR_HANDLER = "renkei.cp50220-pair"
codecs.register_error(_ERROR_HANDLER, _pair_via_cp932)


def _runs(data: bytes) -> Iterator[tuple[int, bool, bytes]]:
    """(designated set, shifted out, bytes) for each stretch between escape sequences."""
    mode = _ASCII
    shifted = False
    pos = 0
    for match in _ESCAPES.finditer(data):
        if match.start() > pos:
            yield mode, shifted, data[pos : match.start()]
        token = match.group()
        if token == b"\x0e":
            shifted = True
        elif token == b"\x0f":
            shifted = False
        else:
            mode = _MODE_BY_ESCAPE[token]
        pos = match.end()
    if pos < len(data):
        yield mode, shifted, data[pos:]


def _decode_run(run: bytes, mode: int, shifted: bool, errors: str) -> str:
    if shifted or mode == _KANA:
        return _decode_single(run, True, errors)
    if mode == _ASCII:
        return _decode_single(run, False, errors)
    if _CONTROL_OR_SPACE.search(run):
        # Line breaks, tabs and spaces pass through a double-byte run without ending it.
        parts = _CONTROL_OR_SPACE.split(run)
        return "".join(
            part.decode("ascii") if i % 2 else _decode_double(part, mode, errors) for i, part in enumerate(parts)
        )
    return _decode_double(run, mode, errors)
