"""The drop box over SFTP, on asyncssh: the SFTP subsystem only, no shell, exec or forwarding.

A drop-box user logs in with its password (argon2-verified, rate-limited with the FTP server's
throttle) or one of its public keys, and sees only its own flat folder: it may list, upload and
delete files there, nothing else (no download, folders, links or rename). A file closed by the
client after writing is landed before the close is answered, then processed; a file left open
when the client goes away is deleted and never processed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import posixpath
import threading
from pathlib import Path
from typing import Any

import asyncssh
from asyncssh import SFTPAttrs, SFTPFailure, SFTPName, SFTPNoSuchFile, SFTPOpUnsupported, SFTPPermissionDenied

from renkei.channels.ftp import DropContext
from renkei.pipeline.dropbox import DropUser, find_drop_user

log = logging.getLogger(__name__)

DEFAULT_PORT = 2222
LOGIN_TIMEOUT = 60


def ensure_host_key(path: Path) -> asyncssh.SSHKey:
    """The server's host key, generated (Ed25519) at ``path`` on first start."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        key = asyncssh.generate_private_key("ssh-ed25519")
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(key.export_private_key())
    return asyncssh.read_private_key(str(path))


class DropSSHServer(asyncssh.SSHServer):
    """One connection's authentication: a drop-box password or key; nothing else is offered."""

    def __init__(self, context: DropContext) -> None:
        self.context = context
        self.user: DropUser | None = None
        self.peer = ""
        self.gone = False

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        peer = conn.get_extra_info("peername")
        self.peer = str(peer[0]) if peer else ""

    def connection_lost(self, exc: Exception | None) -> None:
        self.gone = True

    def begin_auth(self, username: str) -> bool:
        return True

    def password_auth_supported(self) -> bool:
        return True

    async def validate_password(self, username: str, password: str) -> bool:
        loop = asyncio.get_running_loop()
        user = await loop.run_in_executor(None, self.context.authenticate, username, password, self.peer)
        if user is None:
            return False
        self.user = user
        return True

    def public_key_auth_supported(self) -> bool:
        return True

    async def validate_public_key(self, username: str, key: asyncssh.SSHKey) -> bool:
        keys = (f"ip:{self.peer}", f"user:{username}")
        if self.context.throttle.locked(*keys):
            return False
        engine, box = self.context.hubs.base.engine, self.context.hubs.base.secrets
        user = await asyncio.get_running_loop().run_in_executor(None, find_drop_user, engine, box, username)
        if user is None:
            return False
        wanted = key.export_public_key("openssh").split()[1]
        for line in user.authorized_keys:
            parts = line.split()
            if len(parts) >= 2 and parts[1].encode() == wanted:
                self.user = user
                return True
        return False


def _flat_name(path: bytes) -> str:
    """The file name a client path names inside its folder; refuses anything deeper or hidden."""
    normal = posixpath.normpath(posixpath.join(b"/", path))
    name = normal.lstrip(b"/")
    if not name or b"/" in name or name.startswith(b"."):
        raise SFTPPermissionDenied("only files directly in your folder can be written")
    try:
        return name.decode("utf-8")
    except UnicodeDecodeError:
        raise SFTPPermissionDenied("file names must be UTF-8") from None


def _refused() -> SFTPOpUnsupported:
    return SFTPOpUnsupported("not allowed in the drop box")


class DropSFTPServer(asyncssh.SFTPServer):
    """One user's folder: list, upload, delete; everything else is refused."""

    def __init__(self, chan: asyncssh.SSHServerChannel[bytes], context: DropContext) -> None:
        owner = chan.get_connection().get_owner()
        assert isinstance(owner, DropSSHServer) and owner.user is not None
        self.owner = owner
        self.user = owner.user
        self.context = context
        self.folder = context.folder(self.user)
        self._written: set[int] = set()
        self._oversized: set[int] = set()
        super().__init__(chan, chroot=os.fsencode(self.folder))

    def _file(self, path: bytes) -> Path:
        return self.folder / _flat_name(path)

    def open(self, path: bytes, pflags: int, attrs: SFTPAttrs) -> object:
        if not pflags & asyncssh.FXF_WRITE or pflags & asyncssh.FXF_READ or pflags & asyncssh.FXF_APPEND:
            raise SFTPPermissionDenied("the drop box is write-only: upload whole files")
        target = self._file(path)
        flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW
        if pflags & asyncssh.FXF_EXCL:
            flags |= os.O_EXCL
        try:
            file_obj = open(target, "wb", buffering=0, opener=lambda path, _: os.open(path, flags, 0o600))  # noqa: SIM115
        except OSError as error:
            raise SFTPPermissionDenied(f"cannot write {target.name}: {error.strerror}") from None
        self._written.add(id(file_obj))
        return file_obj

    def write(self, file_obj: object, offset: int, data: bytes) -> int:
        limit = self.context.max_bytes
        if id(file_obj) in self._oversized or offset + len(data) > limit:
            # Refused, and the file is dropped at its close: an oversized upload is never landed.
            self._oversized.add(id(file_obj))
            raise SFTPFailure(f"files larger than {limit} bytes are not accepted")
        assert hasattr(file_obj, "seek") and hasattr(file_obj, "write")
        file_obj.seek(offset)
        return int(file_obj.write(data))

    async def close(self, file_obj: object) -> None:
        assert hasattr(file_obj, "close") and hasattr(file_obj, "name")
        file_obj.close()
        if id(file_obj) not in self._written:
            return
        self._written.discard(id(file_obj))
        path = Path(os.fsdecode(file_obj.name))
        if id(file_obj) in self._oversized:
            self._oversized.discard(id(file_obj))
            log.info("upload of %s refused: larger than %s bytes", path.name, self.context.max_bytes)
            path.unlink(missing_ok=True)
            return
        if self._client_gone():
            # The client went away with the file open: an upload cut off, never processed.
            path.unlink(missing_ok=True)
            return
        await asyncio.get_running_loop().run_in_executor(None, self.context.accept, self.user, path, "sftp")

    def _client_gone(self) -> bool:
        return self.owner.gone or getattr(self._chan, "_recv_state", "open") != "open"

    async def scandir(self, path: bytes) -> Any:
        if posixpath.normpath(posixpath.join(b"/", path)) != b"/":
            raise SFTPNoSuchFile("no such folder")
        for name in (b".", b".."):
            yield SFTPName(name, attrs=SFTPAttrs.from_local(os.stat(self.folder)))
        with os.scandir(self.folder) as entries:
            for entry in entries:
                if entry.is_file(follow_symlinks=False):
                    yield SFTPName(
                        os.fsencode(entry.name), attrs=SFTPAttrs.from_local(entry.stat(follow_symlinks=False))
                    )

    def _stat(self, path: bytes) -> Any:
        if posixpath.normpath(posixpath.join(b"/", path)) == b"/":
            return os.stat(self.folder)
        target = self._file(path)
        try:
            result = os.lstat(target)
        except FileNotFoundError:
            raise SFTPNoSuchFile("no such file") from None
        if not os.path.isfile(target) or os.path.islink(target):
            raise SFTPNoSuchFile("no such file")
        return result

    def stat(self, path: bytes) -> Any:
        return self._stat(path)

    def lstat(self, path: bytes) -> Any:
        return self._stat(path)

    def fstat(self, file_obj: object) -> Any:
        assert hasattr(file_obj, "fileno")
        return os.fstat(file_obj.fileno())

    def setstat(self, path: bytes, attrs: SFTPAttrs) -> None:
        self._stat(path)  # times and modes are ignored: clients set them after an upload

    def fsetstat(self, file_obj: object, attrs: SFTPAttrs) -> None:
        pass

    def remove(self, path: bytes) -> None:
        target = self._file(path)
        if os.path.islink(target) or not os.path.isfile(target):
            raise SFTPNoSuchFile("no such file")
        target.unlink()

    def mkdir(self, path: bytes, attrs: SFTPAttrs) -> None:
        raise _refused()

    def rmdir(self, path: bytes) -> None:
        raise _refused()

    def rename(self, oldpath: bytes, newpath: bytes) -> None:
        raise _refused()

    def posix_rename(self, oldpath: bytes, newpath: bytes) -> None:
        raise _refused()

    def symlink(self, oldpath: bytes, newpath: bytes) -> None:
        raise _refused()

    def link(self, oldpath: bytes, newpath: bytes) -> None:
        raise _refused()

    def readlink(self, path: bytes) -> bytes:
        raise _refused()

    def open56(self, path: bytes, desired_access: int, flags: int, attrs: SFTPAttrs) -> object:
        raise _refused()


class SftpServer:
    """The SFTP drop box: an asyncio loop on its own thread."""

    def __init__(self, context: DropContext, host: str, port: int, host_key_path: Path) -> None:
        self.context = context
        self.host = host
        self.port = port
        self._host_key = ensure_host_key(host_key_path)
        self._loop = asyncio.new_event_loop()
        self._server: asyncssh.SSHAcceptor | None = None
        self._thread = threading.Thread(target=self._loop.run_forever, name="renkei-sftp", daemon=True)

    def start(self) -> None:
        self._thread.start()
        future = asyncio.run_coroutine_threadsafe(self._listen(), self._loop)
        self._server = future.result(30)
        self.port = int(self._server.sockets[0].getsockname()[1])

    async def _listen(self) -> asyncssh.SSHAcceptor:
        context = self.context
        return await asyncssh.create_server(
            lambda: DropSSHServer(context),
            self.host,
            self.port,
            server_host_keys=[self._host_key],
            sftp_factory=lambda chan: DropSFTPServer(chan, context),
            allow_scp=False,
            allow_pty=False,
            agent_forwarding=False,
            x11_forwarding=False,
            login_timeout=LOGIN_TIMEOUT,
            server_version="Renkei",
        )

    def stop(self) -> None:
        async def shutdown() -> None:
            if self._server is not None:
                self._server.close()
                await self._server.wait_closed()

        if self._thread.is_alive():
            with contextlib.suppress(Exception):
                asyncio.run_coroutine_threadsafe(shutdown(), self._loop).result(10)
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
        self._loop.close()
