"""The files in a ZIP attachment or a ZIP file.

A partner zips a large CSV to fit it in a mail or to send it faster, or encrypts it and sends the
password in a second mail (PPAP, the Japanese habit: a fixed password is set on the integration as
``file_password``). Each member whose name says it is a CSV or a workbook becomes a delivery of its
own, as a mail's attachment or a file uploaded alone would; folders, macOS's ``__MACOSX`` copies
and hidden files are passed over. Member names written by Japanese Windows tools are CP932
without ZIP's UTF-8 flag: they are read as CP932, not as the CP437 the format assumes
(``会員.csv``, not ``ë∩ê╗.csv``).

Both of ZIP's encryptions open: the traditional one (Windows' own and most tools' default) and
WinZip's AES. What a member expands to is bounded (``RENKEI_UNZIP_MAX_BYTES``, default 512 MiB
for a mail's members together): a small file that expands without end is refused, not read.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections import Counter
from collections.abc import Sequence
from pathlib import Path, PurePosixPath
from typing import Final

import pyzipper  # type: ignore[import-untyped]

from renkei.core.file_rules import FILE_SUFFIXES
from renkei.limits import env_bytes

ZIP_TYPES: Final = ("application/zip", "application/x-zip-compressed", "application/x-zip")
DEFAULT_MAX_BYTES: Final = 512 * 1024 * 1024
#: Members read from one archive at most.
MAX_MEMBERS: Final = 100
_CHUNK: Final = 1024 * 1024
_UTF8_NAME: Final = 0x800
_ENCRYPTED: Final = 0x1


class ZipProblem(Exception):
    """An archive that cannot be read, with the reason to record."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def unzip_limit() -> int:
    """``RENKEI_UNZIP_MAX_BYTES``: what one mail's archives may expand to, in bytes."""
    return env_bytes("RENKEI_UNZIP_MAX_BYTES", DEFAULT_MAX_BYTES)


def is_zip(file_name: str | None, content_type: str) -> bool:
    """Whether an attachment is a ZIP archive, by its name or its type."""
    return (file_name or "").lower().endswith(".zip") or content_type in ZIP_TYPES


def member_name(info: zipfile.ZipInfo) -> str:
    """A member's name as its writer meant it: CP932 when the UTF-8 flag is not set and the bytes
    read as CP932 (Japanese Windows tools), else as ``zipfile`` read it."""
    name = info.filename
    if not info.flag_bits & _UTF8_NAME and not name.isascii():
        try:
            return name.encode("cp437").decode("cp932")
        except (UnicodeEncodeError, UnicodeDecodeError):
            return name
    return name


def _passed_over(path: PurePosixPath) -> bool:
    return path.parts[0] == "__MACOSX" or path.name.startswith((".", "~$"))


def data_files(archive_name: str, source: bytes | Path, password: str | None, budget: int) -> list[tuple[str, bytes]]:
    """The CSV and workbook files of an archive (``files_in`` with ``FILE_SUFFIXES``); an archive
    without one is a ``ZipProblem``."""
    files, _ = files_in(archive_name, source, FILE_SUFFIXES, password, budget)
    if not files:
        raise ZipProblem(f"{archive_name} holds no CSV or spreadsheet file")
    return files


#: What a ZIP that needs a password the integration does not know fails with (``files_in``'s reasons).
_NEEDS_PASSWORD: Final = ("is encrypted: set the integration's file_password", "the file_password does not open")


def needs_password(reason: str | None) -> bool:
    """Whether a failure's reason is a ZIP's password the integration does not know."""
    return reason is not None and any(words in reason for words in _NEEDS_PASSWORD)


def files_in(
    archive_name: str, source: bytes | Path, suffixes: Sequence[str], password: str | None, budget: int
) -> tuple[list[tuple[str, bytes]], list[str]]:
    """(name, bytes) of each member of ``source`` (an archive's bytes, or its file) whose name ends
    with one of ``suffixes``, and the names of the others; ``budget``: the bytes the members may
    expand to together.

    Raises ``ZipProblem`` naming the archive when it cannot be read: not a ZIP, encrypted without
    a password or with another, expanding past ``budget``, a compression Python cannot read."""
    try:
        archive = pyzipper.AESZipFile(source if isinstance(source, Path) else io.BytesIO(source))
    except (pyzipper.BadZipFile, zipfile.BadZipFile, OSError, ValueError) as error:
        raise ZipProblem(f"{archive_name} is not a ZIP archive that can be read ({error})") from None
    with archive:
        wanted: list[tuple[str, str, zipfile.ZipInfo]] = []  # (file name, path in the archive, member)
        others: list[str] = []
        for info in archive.infolist():
            if info.is_dir():
                continue
            full = member_name(info).replace("\\", "/")
            path = PurePosixPath(full)
            if _passed_over(path):
                continue
            if path.name.lower().endswith(tuple(suffixes)):
                wanted.append((path.name, full, info))
            else:
                others.append(full)
        if len(wanted) > MAX_MEMBERS:
            raise ZipProblem(
                f"{archive_name} holds {len(wanted)} files; at most {MAX_MEMBERS} are read from one archive"
            )
        if any(info.flag_bits & _ENCRYPTED for _, _, info in wanted):
            if not password:
                raise ZipProblem(
                    f"{archive_name} is encrypted: set the integration's file_password (the password its sender uses)"
                )
            archive.setpassword(password.encode("utf-8"))
        shared = Counter(name for name, _, _ in wanted)
        parts: list[tuple[str, bytes]] = []
        for name, full, info in wanted:
            data = _read(archive, archive_name, info, full, password, budget)
            budget -= len(data)
            parts.append((name if shared[name] == 1 else full, data))  # two a.csv in folders: by their paths
        return parts, others


def _read(
    archive: pyzipper.AESZipFile, archive_name: str, info: zipfile.ZipInfo, name: str, password: str | None, budget: int
) -> bytes:
    out = io.BytesIO()
    try:
        with archive.open(info) as member:
            while chunk := member.read(_CHUNK):
                out.write(chunk)
                if out.tell() > budget:
                    raise ZipProblem(
                        f"{archive_name}: {name} expands past {budget:,} bytes (RENKEI_UNZIP_MAX_BYTES): not read"
                    )
    except RuntimeError as error:  # zipfile's and pyzipper's word for a wrong or missing password
        if password and "password" in str(error).lower():
            raise ZipProblem(f"{archive_name}: the file_password does not open {name}") from None
        raise ZipProblem(f"{archive_name}: {name} cannot be read ({error})") from None
    except NotImplementedError as error:
        raise ZipProblem(f"{archive_name}: {name} is compressed in a way that cannot be read ({error})") from None
    except (pyzipper.BadZipFile, zipfile.BadZipFile, zlib.error, EOFError, OSError) as error:
        if info.flag_bits & _ENCRYPTED:  # a wrong password passes ZipCrypto's one-byte check 1 time in 256
            raise ZipProblem(f"{archive_name}: the file_password does not open {name}") from None
        raise ZipProblem(f"{archive_name}: {name} is damaged ({error})") from None
    return out.getvalue()


__all__ = [
    "DEFAULT_MAX_BYTES",
    "MAX_MEMBERS",
    "ZIP_TYPES",
    "ZipProblem",
    "data_files",
    "files_in",
    "is_zip",
    "needs_password",
    "unzip_limit",
]
