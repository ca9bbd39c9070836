"""The drop box over FTP with explicit TLS (FTPS), on pyftpdlib.

Each ``ftp-drop`` integration is one virtual user, confined to its own flat folder, allowed to
list, upload and delete its own files (no download, no folders, no rename). A file counts once
its transfer has ended cleanly with the client still connected: it is then archived and recorded
(the ``226`` is sent only after that), removed from the folder, and processed on a worker
thread. An aborted or cut-off upload is deleted and never processed. Wrong passwords are
rate-limited per client address and per user.
"""

from __future__ import annotations

import contextlib
import datetime
import logging
import os
import select
import socket
import threading
import time
import warnings
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Any

with warnings.catch_warnings():
    # pyftpdlib runs on the standard library's asyncore/asynchat, deprecated in Python 3.11
    # (on 3.12+ pyftpdlib installs the pyasyncore/pyasynchat copies instead).
    warnings.simplefilter("ignore", DeprecationWarning)
    from pyftpdlib.authorizers import AuthenticationFailed, DummyAuthorizer  # type: ignore[import-untyped]
    from pyftpdlib.handlers import TLS_DTPHandler, TLS_FTPHandler  # type: ignore[import-untyped]
    from pyftpdlib.servers import ThreadedFTPServer  # type: ignore[import-untyped]

from renkei import __version__
from renkei.channels.worker import Processor, WorkspaceHubs, resume_all
from renkei.errors import ConfigurationError
from renkei.limits import env_bytes
from renkei.passwords import verify_password
from renkei.pipeline.dropbox import DropUser, drop_folder, dropbox_root, find_drop_user, land_dropped_file
from renkei.pipeline.hub import Hub

log = logging.getLogger(__name__)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 2121
#: Login failures allowed per client address and per user within WINDOW seconds; then LOCKOUT.
MAX_FAILURES = 5
WINDOW = 300.0
LOCKOUT = 300.0
#: How long to wait, after an upload's data connection ends, for a sign that the client is gone.
GONE_GRACE = 0.2
MAX_CONNECTIONS = 256
MAX_CONNECTIONS_PER_IP = 16
#: list, cwd (own folder only), upload, delete.
PERMISSIONS = "elwd"
#: The largest file a partner may upload (``RENKEI_DROPBOX_MAX_BYTES``): 2 GiB and a margin.
DEFAULT_MAX_BYTES = (2 << 30) + (64 << 20)


def env_max_bytes() -> int:
    """``RENKEI_DROPBOX_MAX_BYTES``: the largest upload accepted, in bytes (default 2 GiB + 64 MiB)."""
    return env_bytes("RENKEI_DROPBOX_MAX_BYTES", DEFAULT_MAX_BYTES)


class LoginThrottle:
    """Refuses logins for a while after too many failures from one address or for one user."""

    def __init__(self, max_failures: int = MAX_FAILURES, window: float = WINDOW, lockout: float = LOCKOUT) -> None:
        self.max_failures, self.window, self.lockout = max_failures, window, lockout
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def locked(self, *keys: str) -> bool:
        """Whether any of ``keys`` (``ip:…``, ``user:…``) is locked out now."""
        now = time.monotonic()
        with self._lock:
            for key in keys:
                times = self._failures.get(key)
                if not times:
                    continue
                while times and now - times[0] > max(self.window, self.lockout):
                    times.popleft()
                recent = [t for t in times if now - t <= self.window]
                if len(recent) >= self.max_failures and now - times[-1] < self.lockout:
                    return True
        return False

    def failed(self, *keys: str) -> None:
        """Count one failed login against each of ``keys``."""
        now = time.monotonic()
        with self._lock:
            for key in keys:
                self._failures.setdefault(key, deque(maxlen=self.max_failures * 4)).append(now)

    def succeeded(self, *keys: str) -> None:
        """Forget the failures of ``keys``."""
        with self._lock:
            for key in keys:
                self._failures.pop(key, None)


@dataclass(slots=True)
class DropContext:
    """What the FTP and SFTP servers share: the store, the processing thread, the throttle."""

    hubs: WorkspaceHubs
    processor: Processor
    throttle: LoginThrottle
    root: Path
    #: Uploads larger than this are aborted and never landed.
    max_bytes: int = DEFAULT_MAX_BYTES

    def authenticate(self, username: str, password: str, peer: str) -> DropUser | None:
        """The drop box ``username`` names if ``password`` is right and nobody is locked out."""
        keys = (f"ip:{peer}", f"user:{username}")
        if self.throttle.locked(*keys):
            log.warning("login refused for %r from %s: too many failed logins", username, peer)
            return None
        user = find_drop_user(self.hubs.base.engine, self.hubs.base.secrets, username)
        if user is None or not verify_password(user.password_hash, password):
            self.throttle.failed(*keys)
            log.info("failed login for %r from %s", username, peer)
            return None
        self.throttle.succeeded(f"user:{username}")
        return user

    def folder(self, user: DropUser) -> Path:
        """The user's drop folder."""
        return drop_folder(self.root, user.workspace, user.workspace_id, user.integration_id)

    def accept(self, user: DropUser, path: Path, channel: str) -> None:
        """Land a completely uploaded file and queue it for processing (raises if landing fails)."""
        hub = self.hubs.get(user.workspace_id)
        delivery = land_dropped_file(hub, user.integration_id, path, path.name, channel)
        if delivery is not None:
            self.processor.submit(user.workspace_id, delivery.id)


def make_context(hub: Hub) -> DropContext:
    """A drop-box context for every workspace of ``hub``'s store."""
    hubs = WorkspaceHubs(hub)
    return DropContext(
        hubs, Processor(hubs, name="renkei-dropbox"), LoginThrottle(), dropbox_root(hub), env_max_bytes()
    )


class DropAuthorizer(DummyAuthorizer):  # type: ignore[misc]
    """Logins checked against the ``ftp-drop`` integrations; each user in its own flat folder."""

    def __init__(self, context: DropContext) -> None:
        super().__init__()
        self.context = context
        self._lock = threading.Lock()
        self._logged_in: dict[int, DropUser] = {}

    def validate_authentication(self, username: str, password: str, handler: Any) -> None:
        user = self.context.authenticate(username, password, str(handler.remote_ip))
        if user is None:
            raise AuthenticationFailed("Authentication failed.")
        handler.drop_user = user
        folder = str(self.context.folder(user))
        with self._lock:
            self.user_table[username] = {
                "pwd": "",
                "home": folder,
                "perm": PERMISSIONS,
                "operms": {},
                "msg_login": "Welcome to the Renkei drop box.",
                "msg_quit": "Goodbye.",
            }

    def has_perm(self, username: str, perm: str, path: str | None = None) -> bool:
        user = self.user_table.get(username)
        if user is None or perm not in PERMISSIONS:
            return False
        if path is None:
            return True
        home = os.path.realpath(user["home"])
        real = os.path.realpath(path)
        if perm in "el":
            return real == home or (perm == "l" and os.path.dirname(real) == home)
        # Files directly in the folder only, never a link or a hidden name.
        return os.path.dirname(real) == home and not os.path.islink(path) and not os.path.basename(real).startswith(".")

    def impersonate_user(self, username: str, password: str) -> None:
        pass

    def terminate_impersonation(self, username: str) -> None:
        pass


def _client_gone(sock: Any) -> bool:
    """Whether the client closed its control connection (it crashed or gave up mid-upload)."""
    try:
        fd = sock.fileno()
    except (OSError, ValueError):
        return True
    if fd < 0:
        return True
    readable, _, _ = select.select([fd], [], [], GONE_GRACE)
    if not readable:
        return False
    with socket.socket(fileno=os.dup(fd)) as peek:
        try:
            return peek.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b""
        except BlockingIOError:
            return False
        except OSError:
            return True


class DropDTPHandler(TLS_DTPHandler):  # type: ignore[misc]
    """Lands a received file before ``226`` is answered; a cut-off or oversized upload is never landed."""

    def handle_read_event(self) -> None:
        super().handle_read_event()
        limit = self.cmd_channel.context.max_bytes
        if self.receive and not self._closed and self.tot_bytes_received > limit:
            log.info("upload of %s refused: larger than %s bytes", getattr(self.file_obj, "name", "?"), limit)
            self.transfer_finished = False
            self._resp = (f"552 Transfer aborted: files larger than {limit} bytes are not accepted.", log.info)
            self.close()

    def close(self) -> None:
        if (
            not self._closed
            and self.receive
            and getattr(self, "transfer_finished", False)
            and self.file_obj is not None
        ):
            self.file_obj.close()
            cmd = self.cmd_channel
            if _client_gone(cmd.socket):
                self.transfer_finished = False
                self._resp = ("426 Transfer aborted.", log.debug)
            else:
                try:
                    cmd.context.accept(cmd.drop_user, Path(self.file_obj.name), "ftp")
                except Exception:
                    log.exception("landing %s failed; the client is told to retry", self.file_obj.name)
                    self.transfer_finished = False
                    self._resp = ("451 Local error: the file was not stored, try again.", log.debug)
        super().close()


class DropFTPHandler(TLS_FTPHandler):  # type: ignore[misc]
    """The FTP(S) protocol handler of the drop box."""

    context: DropContext
    drop_user: DropUser | None = None
    dtp_handler = DropDTPHandler
    banner = f"Renkei {__version__} drop box ready."
    permit_foreign_addresses = False
    max_login_attempts = 3

    def on_file_received(self, file: str) -> None:
        log.info("%s: upload of %s landed", self.username, os.path.basename(file))

    def on_incomplete_file_received(self, file: str) -> None:
        # An aborted or cut-off upload (or one that could not be landed): never processed.
        with contextlib.suppress(OSError):
            os.remove(file)


def ensure_certificate(home: Path) -> tuple[str, str]:
    """RENKEI_FTP_CERTFILE/KEYFILE, or a self-signed certificate made once at ``$RENKEI_HOME/ftp-cert.pem``."""
    certfile = os.environ.get("RENKEI_FTP_CERTFILE")
    if certfile:
        keyfile = os.environ.get("RENKEI_FTP_KEYFILE") or certfile
        for path in (certfile, keyfile):
            if not os.path.isfile(path):
                raise ConfigurationError(f"FTPS certificate file {path} does not exist")
        return certfile, keyfile
    generated = home / "ftp-cert.pem"
    if not generated.exists():
        generated.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(generated, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(_self_signed_pem())
    return str(generated), str(generated)


def _self_signed_pem() -> bytes:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, os.environ.get("RENKEI_FTP_HOSTNAME", "renkei"))])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=3650))
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return key_pem + cert.public_bytes(serialization.Encoding.PEM)


def env_plain_allowed() -> bool:
    """``RENKEI_FTP_PLAIN``: 0 requires TLS before login and for data (default: plain FTP allowed)."""
    return os.environ.get("RENKEI_FTP_PLAIN", "1").strip().lower() not in ("0", "false", "no", "off")


def env_passive_ports() -> list[int] | None:
    """``RENKEI_FTP_PASSIVE_PORTS`` as ``FIRST-LAST`` (default: any free port)."""
    raw = os.environ.get("RENKEI_FTP_PASSIVE_PORTS")
    if not raw:
        return None
    try:
        first, last = (int(p) for p in raw.split("-", 1))
    except ValueError:
        raise ConfigurationError(f"RENKEI_FTP_PASSIVE_PORTS={raw!r}: expected FIRST-LAST, e.g. 30000-30099") from None
    if not 0 < first <= last < 65536:
        raise ConfigurationError(f"RENKEI_FTP_PASSIVE_PORTS={raw!r}: not a port range")
    return list(range(first, last + 1))


class FtpServer:
    """The FTP(S) drop box on its own thread (each client on a thread of its own)."""

    def __init__(
        self,
        context: DropContext,
        host: str,
        port: int,
        *,
        certfile: str,
        keyfile: str,
        plain_allowed: bool = True,
        passive_ports: list[int] | None = None,
        fail_delay: float = 1.0,
    ) -> None:
        handler = type(
            "ConfiguredDropFTPHandler",
            (DropFTPHandler,),
            {
                "context": context,
                "authorizer": DropAuthorizer(context),
                "certfile": certfile,
                "keyfile": keyfile,
                "ssl_context": None,
                "tls_control_required": not plain_allowed,
                "tls_data_required": not plain_allowed,
                "passive_ports": passive_ports,
                "masquerade_address": os.environ.get("RENKEI_FTP_MASQUERADE_ADDRESS") or None,
                "auth_failed_timeout": fail_delay,
            },
        )
        self._server = ThreadedFTPServer((host, port), handler)
        self._server.max_cons = MAX_CONNECTIONS
        self._server.max_cons_per_ip = MAX_CONNECTIONS_PER_IP
        self.host, self.port = self._server.address[:2]
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="renkei-ftp", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        try:
            while not self._stopping.is_set():
                self._server.serve_forever(timeout=0.2, blocking=False, handle_exit=False)
                time.sleep(0.01)
        finally:
            self._server.close_all()

    def stop(self) -> None:
        self._stopping.set()
        if self._thread.is_alive():
            self._thread.join(10)
        elif self._thread.ident is None:
            self._server.close_all()


class DropBoxController:
    """FTP(S) and SFTP drop-box servers with their processing thread; one start, one stop."""

    def __init__(
        self, hub: Hub, host: str, ftp_port: int | None, sftp_port: int | None, *, fail_delay: float = 1.0
    ) -> None:
        self.context = make_context(hub)
        home = hub.archive.root.parent
        #: Off when the caller (``renkei serve``) has already resumed every workspace once.
        self.resume_at_start = True
        self.ftp: FtpServer | None = None
        self.sftp: Any = None
        if ftp_port is not None:
            certfile, keyfile = ensure_certificate(home)
            self.ftp = FtpServer(
                self.context,
                host,
                ftp_port,
                certfile=certfile,
                keyfile=keyfile,
                plain_allowed=env_plain_allowed(),
                passive_ports=env_passive_ports(),
                fail_delay=fail_delay,
            )
        if sftp_port is not None:
            from renkei.channels.sftp import SftpServer

            self.sftp = SftpServer(self.context, host, sftp_port, home / "ssh_host_key")

    def start(self) -> None:
        resumed = resume_all(self.context.hubs) if self.resume_at_start else 0
        if resumed:
            log.info("processed %s deliveries left received by an earlier run", resumed)
        self.context.processor.start()
        try:
            if self.ftp is not None:
                self.ftp.start()
            if self.sftp is not None:
                self.sftp.start()
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        if self.sftp is not None:
            self.sftp.stop()
        if self.ftp is not None:
            self.ftp.stop()
        self.context.processor.stop()


def env_host() -> str:
    """``RENKEI_FTP_HOST``, by default loopback only."""
    return os.environ.get("RENKEI_FTP_HOST") or DEFAULT_HOST


def run_dropbox(host: str, ftp_port: int, sftp_port: int, workspace: str) -> None:
    """Run the FTP(S) and SFTP drop boxes until interrupted (``renkei ftp``); a port of 0 disables one."""
    import signal

    from renkei.pipeline.hub import DEFAULT_WORKSPACE

    hub = Hub.open(workspace or DEFAULT_WORKSPACE)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    controller = DropBoxController(hub, host, ftp_port or None, sftp_port or None)
    stopping = threading.Event()
    previous = signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    try:
        controller.start()
        if controller.ftp is not None:
            tls = "FTP and FTPS (explicit TLS)" if env_plain_allowed() else "FTPS (explicit TLS) only"
            print(f"Renkei {__version__} drop box: {tls} on {host}:{controller.ftp.port}", flush=True)
        if controller.sftp is not None:
            print(f"Renkei {__version__} drop box: SFTP on {host}:{controller.sftp.port}", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            stopping.wait()
        controller.stop()
    finally:
        signal.signal(signal.SIGTERM, previous)
        hub.close()


def env_port(name: str, default: int) -> int:
    """A port from the environment (``RENKEI_FTP_PORT``, ``RENKEI_SFTP_PORT``); 0 disables that server."""
    raw = os.environ.get(name)
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigurationError(f"{name}={raw!r}: expected a port number") from None
    if not 0 <= value < 65536:
        raise ConfigurationError(f"{name}={raw!r}: not a port number")
    return value


def connection_info(hub: Hub) -> dict[str, Any]:
    """Where partners connect: ``RENKEI_FTP_PUBLIC_HOST`` (or the listening host), the two ports,
    and the fingerprints of the FTPS certificate and the SSH host key, to check on first connect."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes

    from renkei.channels.sftp import DEFAULT_PORT as SFTP_PORT
    from renkei.channels.sftp import ensure_host_key

    home = hub.archive.root.parent
    certfile, _ = ensure_certificate(home)
    pem = Path(certfile).read_bytes()
    cert = x509.load_pem_x509_certificate(pem[pem.index(b"-----BEGIN CERTIFICATE-----") :])
    return {
        "host": os.environ.get("RENKEI_FTP_PUBLIC_HOST") or env_host(),
        "ftp_port": env_port("RENKEI_FTP_PORT", DEFAULT_PORT),
        "sftp_port": env_port("RENKEI_SFTP_PORT", SFTP_PORT),
        "ftps_certificate_sha256": cert.fingerprint(hashes.SHA256()).hex(":"),
        "sftp_host_key": ensure_host_key(home / "ssh_host_key").get_fingerprint("sha256"),
    }
