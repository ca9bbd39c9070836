"""Remote folders a pull reads: list, fetch, move and delete files over SFTP (asyncssh) or FTP(S).

``open_folder`` logs in and enters the integration's folder; every later call names a file by the
name the listing gave it. The server is checked before any credential is sent: an SFTP server
must present the configured host key, an FTPS server a certificate the system trusts or the
pinned one. Failures are sorted: wrong settings (login refused, host key mismatch, no such
folder) are ``ConfigurationError``, a server that cannot be reached is ``TransientError``.
Names that are not UTF-8 (Shift_JIS names on Japanese servers) are shown decoded as CP932 and
used as the raw bytes the server sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import ftplib
import hashlib
import posixpath
import re
import socket
import ssl
import stat
from collections.abc import Awaitable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol, TypeVar

import asyncssh

from renkei.core.pull_rules import EntryKind, RemoteFile
from renkei.errors import ConfigurationError, RenkeiError, TransientError
from renkei.sources.pull_kind import FtpPullSettings, PullSettings, SftpPullSettings

TIMEOUT = 60.0
CONNECT_TIMEOUT = 30.0
CHUNK = 1 << 20
T = TypeVar("T")


class RemoteFolder(Protocol):
    """One logged-in session in the integration's folder."""

    def listing(self) -> list[RemoteFile]: ...
    def fetch(self, name: str, target: Path) -> int: ...
    def move(self, name: str, to_folder: str) -> None: ...
    def delete(self, name: str) -> None: ...
    def close(self) -> None: ...


@contextlib.contextmanager
def open_folder(settings: PullSettings) -> Iterator[RemoteFolder]:
    """A session in the settings' remote folder, closed at the end of the block."""
    folder: RemoteFolder
    if isinstance(settings, SftpPullSettings):
        folder = SftpFolder(settings)
    elif isinstance(settings, FtpPullSettings):
        folder = FtpFolder(settings)
    else:  # pragma: no cover - only the two pull kinds have these settings
        raise ConfigurationError(f"{type(settings).__name__} is not a pull integration's settings")
    try:
        yield folder
    finally:
        folder.close()


def decode_name(raw: bytes) -> str:
    """A file name as text: UTF-8, else CP932 (Japanese Windows servers), else with replacements."""
    for encoding in ("utf-8", "cp932"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("utf-8", "replace")


def where(settings: PullSettings, default_port: int) -> str:
    return f"{settings.host}:{settings.port or default_port}"


# --- SFTP -------------------------------------------------------------------------------------


def fingerprint_of(key_line: str) -> str:
    """The ``SHA256:…`` fingerprint of an OpenSSH public key line."""
    return str(asyncssh.import_public_key(key_line).get_fingerprint("sha256"))


def host_key_matches(expected: str, key: asyncssh.SSHKey) -> bool:
    """Whether ``key`` is the host key ``expected`` names (a key line or a ``SHA256:`` fingerprint)."""
    seen = key.get_fingerprint("sha256")
    if expected.startswith("SHA256:"):
        return bool(seen.rstrip("=") == expected.rstrip("="))
    return bool(seen == fingerprint_of(expected))


class _HostKeyCheck(asyncssh.SSHClient):
    """Accepts exactly the configured host key and remembers the one the server presented."""

    def __init__(self, expected: str) -> None:
        self.expected = expected
        self.seen: asyncssh.SSHKey | None = None

    def validate_host_public_key(self, host: str, addr: str, port: int, key: asyncssh.SSHKey) -> bool:
        self.seen = key
        return host_key_matches(self.expected, key)


class SftpFolder:
    """An SFTP session on a private event loop, driven synchronously from the calling thread."""

    def __init__(self, settings: SftpPullSettings) -> None:
        self.settings = settings
        self._where = where(settings, 22)
        self._loop = asyncio.new_event_loop()
        self._conn: asyncssh.SSHClientConnection | None = None
        self._raw: dict[str, bytes] = {}
        try:
            self._sftp = self._run(self._connect(), CONNECT_TIMEOUT + TIMEOUT)
        except BaseException:
            self.close()
            raise

    def _run(self, coro: Awaitable[T], timeout: float | None = TIMEOUT) -> T:
        try:
            return self._loop.run_until_complete(asyncio.wait_for(coro, timeout))
        except RenkeiError:
            raise
        except asyncssh.SFTPNoSuchFile as error:
            raise ConfigurationError(f"SFTP {self._where}: no such file or folder ({error.reason})") from None
        except asyncssh.SFTPPermissionDenied as error:
            raise ConfigurationError(f"SFTP {self._where}: permission denied ({error.reason})") from None
        except asyncssh.SFTPError as error:
            raise TransientError(f"SFTP {self._where}: {error.reason}") from None
        except (asyncssh.Error, OSError, TimeoutError, EOFError) as error:
            raise TransientError(f"SFTP {self._where}: {_describe(error)}") from None

    async def _connect(self) -> asyncssh.SFTPClient:
        settings = self.settings
        check = _HostKeyCheck(settings.host_key)
        pinned = settings.host_key
        expected_key = None if pinned.startswith("SHA256:") else asyncssh.import_public_key(pinned)
        keys = [asyncssh.import_private_key(settings.private_key.get_secret_value())] if settings.private_key else None
        try:
            self._conn = await asyncssh.connect(
                settings.host,
                settings.port or 22,
                username=settings.username,
                password=settings.password.get_secret_value() if settings.password else None,
                client_keys=keys,
                known_hosts=([expected_key] if expected_key else [], [], []),
                client_factory=lambda: check,
                agent_path=None,
                config=None,
                connect_timeout=CONNECT_TIMEOUT,
                keepalive_interval=30,
            )
        except asyncssh.HostKeyNotVerifiable:
            seen = check.seen
            shown = f"{seen.get_fingerprint('sha256')} ({seen.get_algorithm()})" if seen else "an unreadable key"
            raise ConfigurationError(
                f"SFTP {self._where}: the server presented host key {shown}, which is not the host_key configured "
                "for this integration; nothing was sent. If the partner confirms the key changed, update host_key "
                "(`renkei integrations host-key` prints the server's key)."
            ) from None
        except asyncssh.PermissionDenied:
            raise ConfigurationError(
                f"SFTP {self._where}: login refused for user {settings.username!r} (wrong password or key)"
            ) from None
        sftp = await self._conn.start_sftp_client(path_encoding=None)
        try:
            await sftp.chdir(settings.folder.encode())
        except asyncssh.SFTPError as error:
            raise ConfigurationError(
                f"SFTP {self._where}: cannot open folder {settings.folder!r}: {error.reason}"
            ) from None
        return sftp

    def listing(self) -> list[RemoteFile]:
        names = self._run(self._scan())
        out: list[RemoteFile] = []
        self._raw = {}
        for entry in names:
            raw = entry.filename if isinstance(entry.filename, bytes) else str(entry.filename).encode()
            if raw in (b".", b".."):
                continue
            name = decode_name(raw)
            self._raw[name] = raw
            attrs = entry.attrs
            mtime = datetime.fromtimestamp(attrs.mtime, UTC) if attrs.mtime is not None else None
            out.append(RemoteFile(name, _sftp_kind(attrs), attrs.size, mtime))
        return out

    async def _scan(self) -> list[asyncssh.SFTPName]:
        return [entry async for entry in self._sftp.scandir(b".")]

    def _name(self, name: str) -> bytes:
        return self._raw.get(name) or name.encode()

    def fetch(self, name: str, target: Path) -> int:
        return self._run(self._fetch(self._name(name), target), None)

    async def _fetch(self, raw: bytes, target: Path) -> int:
        size = 0
        async with self._sftp.open(raw, "rb") as remote:
            with target.open("wb") as out:
                while True:
                    chunk = await asyncio.wait_for(remote.read(CHUNK), TIMEOUT)
                    if not chunk:
                        break
                    assert isinstance(chunk, bytes)
                    out.write(chunk)
                    size += len(chunk)
        return size

    def move(self, name: str, to_folder: str) -> None:
        self._run(self._move(self._name(name), to_folder.encode()))

    async def _move(self, raw: bytes, to_folder: bytes) -> None:
        if not await self._sftp.isdir(to_folder):
            await self._sftp.mkdir(to_folder)
        target = posixpath.join(to_folder, raw)
        try:
            await self._sftp.posix_rename(raw, target)
        except asyncssh.SFTPOpUnsupported:
            await self._sftp.rename(raw, target)

    def delete(self, name: str) -> None:
        self._run(self._sftp.remove(self._name(name)))

    def close(self) -> None:
        async def shutdown() -> None:
            if self._conn is not None:
                self._conn.close()
                await self._conn.wait_closed()

        if not self._loop.is_closed():
            with contextlib.suppress(Exception):
                self._loop.run_until_complete(asyncio.wait_for(shutdown(), 10))
            self._loop.close()


def _sftp_kind(attrs: asyncssh.SFTPAttrs) -> EntryKind:
    if attrs.permissions is not None:
        mode = attrs.permissions
        if stat.S_ISLNK(mode):
            return "link"
        if stat.S_ISDIR(mode):
            return "dir"
        if stat.S_ISREG(mode):
            return "file"
    kinds: dict[int, EntryKind] = {
        asyncssh.FILEXFER_TYPE_REGULAR: "file",
        asyncssh.FILEXFER_TYPE_DIRECTORY: "dir",
        asyncssh.FILEXFER_TYPE_SYMLINK: "link",
    }
    return kinds.get(attrs.type, "other")


def server_host_key(host: str, port: int = 22) -> tuple[str, str]:
    """The SSH server's host key as an OpenSSH line and its ``SHA256:`` fingerprint (nothing is sent)."""

    async def fetch() -> asyncssh.SSHKey | None:
        return await asyncio.wait_for(asyncssh.get_server_host_key(host, port, config=None), CONNECT_TIMEOUT)

    try:
        key = asyncio.run(fetch())
    except (asyncssh.Error, OSError, TimeoutError) as error:
        raise TransientError(f"SSH {host}:{port}: {_describe(error)}") from None
    if key is None:
        raise TransientError(f"SSH {host}:{port}: the server presented no host key")
    line = key.export_public_key("openssh").decode().strip()
    return line, str(key.get_fingerprint("sha256"))


# --- FTP --------------------------------------------------------------------------------------

_UNIX_LIST = re.compile(r"^([\-dlbcps])[rwxsStTl\-]{9}\S*\s+\d+\s+\S+\s+\S+\s+(\d+)\s+\w+\s+\d+\s+[\d:]+\s(.+)$")
_DOS_LIST = re.compile(r"^\d\d-\d\d-\d\d(?:\d\d)?\s+\d\d:\d\d(?:[AP]M)?\s+(<DIR>|\d+)\s+(.+)$", re.IGNORECASE)


def parse_list_line(line: str) -> tuple[str, EntryKind, int | None] | None:
    """(name, kind, size) from one line of a Unix- or DOS-style ``LIST`` answer, or None."""
    match = _UNIX_LIST.match(line)
    if match is not None:
        mode, size, name = match.groups()
        kinds: dict[str, EntryKind] = {"-": "file", "d": "dir", "l": "link"}
        kind = kinds.get(mode, "other")
        if kind == "link":
            name = name.split(" -> ", 1)[0]
        return name, kind, int(size)
    match = _DOS_LIST.match(line)
    if match is not None:
        size_or_dir, name = match.groups()
        if size_or_dir.upper() == "<DIR>":
            return name, "dir", None
        return name, "file", int(size_or_dir)
    return None


def parse_ftp_time(value: str) -> datetime | None:
    """An MLSD ``modify`` fact or an MDTM answer (``YYYYMMDDHHMMSS[.sss]``, UTC), or None."""
    match = re.search(r"(\d{14})(?:\.\d+)?\s*$", value)
    if match is None:
        return None
    try:
        return datetime.strptime(match.group(1), "%Y%m%d%H%M%S").replace(tzinfo=UTC)
    except ValueError:
        return None


def _mlsd_kind(facts: dict[str, str]) -> EntryKind:
    kind = facts.get("type", "").lower()
    if kind == "file":
        return "file"
    if kind in ("dir", "cdir", "pdir"):
        return "dir"
    if "slink" in kind or "symlink" in kind:
        return "link"
    return "other"


class _FTP_TLS(ftplib.FTP_TLS):
    """FTPS whose control and data connections must show the pinned certificate, when one is set."""

    pin: str | None = None

    def check_pin(self, sock: Any) -> None:
        if self.pin is None or not isinstance(sock, ssl.SSLSocket):
            return
        der = sock.getpeercert(binary_form=True) or b""
        seen = hashlib.sha256(der).hexdigest()
        if seen != self.pin:
            shown = ":".join(seen[i : i + 2] for i in range(0, len(seen), 2))
            raise ConfigurationError(
                f"FTPS {self.host}:{self.port}: the server's certificate has SHA-256 {shown}, not the "
                "tls_certificate_sha256 configured for this integration; nothing was sent"
            )

    def ntransfercmd(self, cmd: str, rest: Any = None) -> tuple[socket.socket, int | None]:
        conn, size = super().ntransfercmd(cmd, rest)
        try:
            self.check_pin(conn)
        except BaseException:
            conn.close()
            raise
        return conn, size


def _wire(text: str) -> str:
    """Text as ftplib sends it on a latin-1 control connection: its UTF-8 bytes, unchanged."""
    return text.encode("utf-8").decode("latin-1")


class FtpFolder:
    """An FTP or FTPS (explicit TLS) session; names travel as raw bytes (latin-1 on the wire)."""

    def __init__(self, settings: FtpPullSettings) -> None:
        self.settings = settings
        self._where = where(settings, 21)
        self._raw: dict[str, str] = {}
        self._ftp: ftplib.FTP | None = None
        try:
            self._guard(self._connect)
        except BaseException:
            if self._ftp is not None:
                self._ftp.close()
            raise

    def _guard(self, action: Any, *args: Any) -> Any:
        try:
            return action(*args)
        except RenkeiError:
            raise
        except ssl.SSLCertVerificationError as error:
            raise ConfigurationError(
                f"FTPS {self._where}: the server's certificate is not trusted ({error.verify_message}); "
                "set tls_certificate_sha256 to pin a self-signed certificate"
            ) from None
        except ftplib.error_perm as error:
            raise ConfigurationError(f"FTP {self._where}: {_ftp_text(error)}") from None
        except (ftplib.Error, OSError, EOFError, TimeoutError) as error:
            raise TransientError(f"FTP {self._where}: {_describe(error)}") from None

    def _connect(self) -> None:
        settings = self.settings
        ftp: ftplib.FTP
        if settings.tls:
            if settings.tls_certificate_sha256:
                context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
                context.check_hostname = False
                context.verify_mode = ssl.CERT_NONE
            else:
                context = ssl.create_default_context()
            tls = _FTP_TLS(context=context, timeout=TIMEOUT, encoding="latin-1")
            tls.pin = settings.tls_certificate_sha256
            ftp = tls
        else:
            ftp = ftplib.FTP(timeout=TIMEOUT, encoding="latin-1")
        self._ftp = ftp
        ftp.connect(settings.host, settings.port or 21, timeout=CONNECT_TIMEOUT)
        if isinstance(ftp, _FTP_TLS):
            ftp.auth()
            ftp.check_pin(ftp.sock)
        password = settings.password.get_secret_value() if settings.password else ""
        try:
            ftp.login(_wire(settings.username), _wire(password))
        except ftplib.error_perm as error:
            raise ConfigurationError(
                f"FTP {self._where}: login refused for user {settings.username!r} ({_ftp_text(error)})"
            ) from None
        if isinstance(ftp, _FTP_TLS):
            ftp.prot_p()
        ftp.voidcmd("TYPE I")
        try:
            ftp.cwd(_wire(settings.folder))
        except ftplib.error_perm as error:
            raise ConfigurationError(
                f"FTP {self._where}: cannot open folder {settings.folder!r} ({_ftp_text(error)})"
            ) from None

    @property
    def ftp(self) -> ftplib.FTP:
        assert self._ftp is not None
        return self._ftp

    def listing(self) -> list[RemoteFile]:
        entries: list[tuple[str, EntryKind, int | None, datetime | None]] = self._guard(self._list)
        self._raw = {}
        out = []
        for wire, kind, size, mtime in entries:
            name = decode_name(wire.encode("latin-1"))
            self._raw[name] = wire
            out.append(RemoteFile(name, kind, size, mtime))
        return out

    def _list(self) -> list[tuple[str, EntryKind, int | None, datetime | None]]:
        try:
            listed = list(self.ftp.mlsd("", facts=["type", "size", "modify"]))
        except ftplib.error_perm as error:
            if not str(error).startswith(("500", "501", "502", "504")):
                raise
            return self._list_fallback()
        out: list[tuple[str, EntryKind, int | None, datetime | None]] = []
        for wire, facts in listed:
            if wire in (".", ".."):
                continue
            size = int(facts["size"]) if facts.get("size", "").isdigit() else None
            out.append((wire, _mlsd_kind(facts), size, parse_ftp_time(facts.get("modify", ""))))
        return out

    def _list_fallback(self) -> list[tuple[str, EntryKind, int | None, datetime | None]]:
        """LIST, then SIZE and MDTM for each file (servers without MLSD)."""
        lines: list[str] = []
        self.ftp.retrlines("LIST", lines.append)
        out: list[tuple[str, EntryKind, int | None, datetime | None]] = []
        for line in lines:
            parsed = parse_list_line(line)
            if parsed is None or parsed[0] in (".", ".."):
                continue
            wire, kind, size = parsed
            mtime = None
            if kind == "file":
                with contextlib.suppress(ftplib.error_perm, ValueError):
                    size = self.ftp.size(wire)
                with contextlib.suppress(ftplib.error_perm):
                    mtime = parse_ftp_time(self.ftp.sendcmd(f"MDTM {wire}"))
            out.append((wire, kind, size, mtime))
        return out

    def _name(self, name: str) -> str:
        return self._raw.get(name) or _wire(name)

    def fetch(self, name: str, target: Path) -> int:
        def retrieve() -> int:
            with target.open("wb") as out:
                self.ftp.retrbinary(f"RETR {self._name(name)}", out.write, blocksize=CHUNK)
                return out.tell()

        return int(self._guard(retrieve))

    def move(self, name: str, to_folder: str) -> None:
        def rename() -> None:
            with contextlib.suppress(ftplib.error_perm):
                self.ftp.mkd(_wire(to_folder))
            self.ftp.rename(self._name(name), posixpath.join(_wire(to_folder), self._name(name)))

        self._guard(rename)

    def delete(self, name: str) -> None:
        self._guard(self.ftp.delete, self._name(name))

    def close(self) -> None:
        if self._ftp is None:
            return
        try:
            self._ftp.quit()
        except (ftplib.Error, OSError, EOFError):
            self._ftp.close()
        self._ftp = None


def ftps_certificate(host: str, port: int = 21) -> str:
    """The SHA-256 (hex, colon-separated) of an FTPS server's certificate, after AUTH TLS (no login)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    ftp = ftplib.FTP_TLS(context=context, timeout=CONNECT_TIMEOUT)
    try:
        ftp.connect(host, port)
        ftp.auth()
        assert isinstance(ftp.sock, ssl.SSLSocket)
        seen = hashlib.sha256(ftp.sock.getpeercert(binary_form=True) or b"").hexdigest()
    except (ftplib.Error, OSError, EOFError) as error:
        raise TransientError(f"FTPS {host}:{port}: {_describe(error)}") from None
    finally:
        ftp.close()
    return ":".join(seen[i : i + 2] for i in range(0, len(seen), 2))


def _ftp_text(error: BaseException) -> str:
    return str(error).strip()[:300]


def _describe(error: BaseException) -> str:
    if isinstance(error, TimeoutError | asyncio.TimeoutError):
        return "timed out"
    if isinstance(error, ConnectionRefusedError):
        return "connection refused"
    if isinstance(error, socket.gaierror):
        return f"unknown host ({error.strerror})"
    if isinstance(error, asyncssh.DisconnectError):
        return f"disconnected: {error.reason}"
    text = str(error).strip()
    return f"{type(error).__name__}: {text}"[:300] if text else type(error).__name__
