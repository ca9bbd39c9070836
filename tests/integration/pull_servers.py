"""A partner's servers for the pull tests: a real asyncssh SFTP server and a real pyftpdlib FTP(S) server.

Both serve a plain folder on loopback with full rights (list, read, write, rename, delete), as a
partner's server would. The SFTP server can make files grow at every listing, like an upload
that is still running.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import threading
import time
import warnings
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncssh
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from renkei.channels.ftp import ensure_certificate

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    from pyftpdlib.authorizers import DummyAuthorizer
    from pyftpdlib.handlers import TLS_FTPHandler
    from pyftpdlib.servers import ThreadedFTPServer

USER = "partner"
PASSWORD = "s3cret-パス"


class _Login(asyncssh.SSHServer):
    def __init__(self, remote: RemoteSftp) -> None:
        self.remote = remote

    def begin_auth(self, username: str) -> bool:
        return True

    def password_auth_supported(self) -> bool:
        return True

    def validate_password(self, username: str, password: str) -> bool:
        return username == USER and password == PASSWORD

    def public_key_auth_supported(self) -> bool:
        return self.remote.client_key is not None

    def validate_public_key(self, username: str, key: asyncssh.SSHKey) -> bool:
        wanted = self.remote.client_key
        return username == USER and wanted is not None and key.public_data == wanted.public_data


class _Folder(asyncssh.SFTPServer):
    def __init__(self, chan: Any, remote: RemoteSftp) -> None:
        self.remote = remote
        super().__init__(chan, chroot=os.fsencode(remote.root))

    async def scandir(self, path: bytes) -> AsyncIterator[asyncssh.SFTPName]:
        async for name in super().scandir(path):
            yield name
        # A partner's upload still running: the file is longer at every look.
        for grown in self.remote.growing:
            with (self.remote.root / grown).open("ab") as out:
                out.write("山田,grow@example.jp\r\n".encode("cp932"))


class RemoteSftp:
    """An SFTP server on loopback serving ``root`` to user ``partner``."""

    def __init__(self, root: Path, client_key: asyncssh.SSHKey | None = None) -> None:
        self.root = root
        self.client_key = client_key
        self.growing: set[str] = set()
        self.host_key = asyncssh.generate_private_key("ssh-ed25519")
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._server: Any = None
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    @property
    def key_line(self) -> str:
        return self.host_key.export_public_key("openssh").decode().strip()

    @property
    def fingerprint(self) -> str:
        return str(self.host_key.get_fingerprint("sha256"))

    def start(self) -> RemoteSftp:
        self._thread.start()
        self._server = asyncio.run_coroutine_threadsafe(self._listen(), self._loop).result(30)
        self.port = int(self._server.sockets[0].getsockname()[1])
        return self

    async def _listen(self) -> Any:
        return await asyncssh.create_server(
            lambda: _Login(self),
            "127.0.0.1",
            0,
            server_host_keys=[self.host_key],
            sftp_factory=lambda chan: _Folder(chan, self),
            allow_scp=False,
        )

    def stop(self) -> None:
        async def shutdown() -> None:
            self._server.close()
            await self._server.wait_closed()

        with contextlib.suppress(Exception):
            asyncio.run_coroutine_threadsafe(shutdown(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()


class RemoteFtp:
    """An FTP server with explicit TLS on loopback serving ``root`` to user ``partner``."""

    def __init__(self, root: Path, home: Path, *, mlsd: bool = True) -> None:
        self.root = root
        certfile, keyfile = ensure_certificate(home)
        pem = Path(certfile).read_bytes()
        cert = x509.load_pem_x509_certificate(pem[pem.index(b"-----BEGIN CERTIFICATE-----") :])
        self.certificate_sha256 = hashlib.sha256(cert.public_bytes(Encoding.DER)).hexdigest()
        authorizer = DummyAuthorizer()
        authorizer.add_user(USER, PASSWORD, str(root), perm="elradfmwMT")
        commands = dict(TLS_FTPHandler.proto_cmds)
        if not mlsd:
            commands = {name: value for name, value in commands.items() if name not in ("MLSD", "MLST")}
        handler = type(
            "PartnerFTPHandler",
            (TLS_FTPHandler,),
            {
                "authorizer": authorizer,
                "certfile": certfile,
                "keyfile": keyfile,
                "ssl_context": None,
                "proto_cmds": commands,
                "auth_failed_timeout": 0.01,
                "encoding": "utf8",
            },
        )
        self._server = ThreadedFTPServer(("127.0.0.1", 0), handler)
        self.port = int(self._server.address[1])
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> RemoteFtp:
        self._thread.start()
        return self

    def _run(self) -> None:
        try:
            while not self._stopping.is_set():
                self._server.serve_forever(timeout=0.2, blocking=False, handle_exit=False)
                time.sleep(0.01)
        finally:
            self._server.close_all()

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join(10)
