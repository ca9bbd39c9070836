"""Password-protected workbooks (パスワード付きExcel), opened with the integration's password.

Excel's "Encrypt with Password" writes an OLE2 container holding the encrypted workbook (Agile
or Standard encryption for .xlsx/.xlsb, RC4 for .xls): sent alone or in a mail, with the password
told another way, as PPAP's ZIP files are. ``msoffcrypto-tool`` decrypts it to a scratch file
(readable by this user only), which the reader opens as it would the workbook sent plainly and
removes when it is done.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import msoffcrypto  # type: ignore[import-untyped]
from msoffcrypto.exceptions import DecryptionError, InvalidKeyError  # type: ignore[import-untyped]

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
#: What a protected workbook whose password the integration does not know fails with.
NO_PASSWORD = "is protected by a password: set the integration's file_password (the password its sender uses)"
WRONG_PASSWORD = "is protected by a password that the file_password does not open"


class ProtectedFileError(Exception):
    """A protected workbook that cannot be opened, with the reason."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def is_protected(path: Path) -> bool:
    """Whether ``path`` is an Office file encrypted with a password."""
    try:
        with path.open("rb") as stream:
            if stream.read(8) != _OLE2:
                return False
            stream.seek(0)
            return bool(msoffcrypto.OfficeFile(stream).is_encrypted())
    except Exception:  # any file msoffcrypto cannot make sense of is not one it decrypts
        return False


def decrypted_copy(path: Path, password: str | None) -> Path:
    """A scratch file holding ``path`` decrypted with ``password``; the caller removes it."""
    if not password:
        raise ProtectedFileError(NO_PASSWORD)
    handle, name = tempfile.mkstemp(prefix="renkei-open-", suffix=".bin")
    scratch = Path(name)
    try:
        with os.fdopen(handle, "wb") as out, path.open("rb") as stream:
            office = msoffcrypto.OfficeFile(stream)
            office.load_key(password=password)
            office.decrypt(out)
    except InvalidKeyError:
        scratch.unlink(missing_ok=True)
        raise ProtectedFileError(WRONG_PASSWORD) from None
    except (DecryptionError, ValueError, OSError, AssertionError) as error:
        scratch.unlink(missing_ok=True)
        raise ProtectedFileError(f"is protected by a password and cannot be decrypted ({error})") from None
    except BaseException:
        scratch.unlink(missing_ok=True)
        raise
    return scratch


def needs_password(reason: str | None) -> bool:
    """Whether a failure's reason is a protected workbook's password the integration does not know."""
    return reason is not None and (NO_PASSWORD in reason or WRONG_PASSWORD in reason)


def opens(path: Path, password: str) -> bool:
    """Whether ``password`` opens the protected workbook at ``path``."""
    try:
        decrypted_copy(path, password).unlink(missing_ok=True)
    except ProtectedFileError:
        return False
    return True


__all__ = [
    "NO_PASSWORD",
    "WRONG_PASSWORD",
    "ProtectedFileError",
    "decrypted_copy",
    "is_protected",
    "needs_password",
    "opens",
]
