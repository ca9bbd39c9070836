"""ZIP archives and password-protected workbooks as Japanese senders make them, for tests: member names in CP932 without ZIP's
UTF-8 flag (Windows' own and most Japanese tools), the traditional encryption (ZipCrypto, what
Windows and Lhaplus write for a password), and WinZip's AES (pyzipper).

Python's ``zipfile`` writes neither of the first two, so ``zip_bytes`` writes the format itself:
stored (uncompressed) members, a local header each, the central directory and its end record
(PKWARE's APPNOTE, sections 4.3 and 6.1).
"""

from __future__ import annotations

import io
import os
import struct
import zlib

import pyzipper
from msoffcrypto.format.ooxml import OOXMLFile

_CRC_TABLE = []
for _n in range(256):
    _c = _n
    for _ in range(8):
        _c = (_c >> 1) ^ 0xEDB88320 if _c & 1 else _c >> 1
    _CRC_TABLE.append(_c)


class _ZipCrypto:
    """The traditional PKWARE stream cipher (APPNOTE 6.1)."""

    def __init__(self, password: bytes) -> None:
        self.keys = [0x12345678, 0x23456789, 0x34567890]
        for byte in password:
            self._update(byte)

    def _crc(self, crc: int, byte: int) -> int:
        return _CRC_TABLE[(crc ^ byte) & 0xFF] ^ (crc >> 8)

    def _update(self, byte: int) -> None:
        k0, k1, k2 = self.keys
        k0 = self._crc(k0, byte)
        k1 = ((k1 + (k0 & 0xFF)) * 134775813 + 1) & 0xFFFFFFFF
        k2 = self._crc(k2, k1 >> 24)
        self.keys = [k0, k1, k2]

    def encrypt(self, data: bytes) -> bytes:
        out = bytearray()
        for byte in data:
            temp = (self.keys[2] | 2) & 0xFFFF
            out.append(byte ^ (((temp * (temp ^ 1)) >> 8) & 0xFF))
            self._update(byte)
        return bytes(out)


def zip_bytes(members: dict[str, bytes], *, names: str = "utf-8", password: bytes | None = None) -> bytes:
    """A ZIP of ``members``, stored; names encoded as ``names`` (the UTF-8 flag set only for
    ``utf-8``), each member encrypted with ZipCrypto when ``password`` is given."""
    out = io.BytesIO()
    central = io.BytesIO()
    flags = (0x800 if names == "utf-8" else 0) | (0x1 if password else 0)
    for name, data in members.items():
        raw_name = name.encode(names)
        crc = zlib.crc32(data)
        body = data
        if password:
            header = os.urandom(11) + bytes([crc >> 24])
            body = _ZipCrypto(password).encrypt(header + data)
        offset = out.tell()
        fields = (20, flags, 0, 0, 0x21, crc, len(body), len(data), len(raw_name), 0)
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, *fields) + raw_name + body)
        central.write(
            struct.pack("<IH", 0x02014B50, 20)
            + struct.pack("<HHHHHIIIHHHHHII", *fields[:-1], 0, 0, 0, 0, 0, offset)
            + raw_name
        )
    start, size = out.tell(), central.tell()
    out.write(central.getvalue())
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), size, start, 0))
    return out.getvalue()


def aes_zip(members: dict[str, bytes], password: bytes) -> bytes:
    """A ZIP of ``members`` encrypted with WinZip's AES-256."""
    buffer = io.BytesIO()
    with pyzipper.AESZipFile(buffer, "w", compression=pyzipper.ZIP_DEFLATED, encryption=pyzipper.WZ_AES) as archive:
        archive.setpassword(password)
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def protected_workbook(data: bytes, password: str) -> bytes:
    """An .xlsx workbook encrypted with ``password`` as Excel's "Encrypt with Password" does (Agile)."""
    out = io.BytesIO()
    OOXMLFile(io.BytesIO(data)).encrypt(password, out)
    return out.getvalue()
