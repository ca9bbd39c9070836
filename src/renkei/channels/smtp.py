"""The SMTP inbox: portals forward inquiry mails to ``<kind>-<id>-<secret>@<domain>``.

A recipient that names no inbox is refused at RCPT (550), a mail over the size limit at DATA
(552; the limit is announced as SIZE in EHLO). ``250`` is answered only once the raw mail is
archived durably and its delivery recorded for every inbox it names: a crash before that makes
the sender retry, a crash after it loses nothing. Mails of concurrent sessions are landed
together, in one transaction, by one thread (``renkei.channels.landing``). Processing runs
after the ``250``, in the worker process. Database, archive and DNS work (SPF and DKIM,
recorded with each delivery unless ``RENKEI_MAIL_AUTH=off``) never runs on the event loop.

A recipient found at RCPT is remembered for a minute, so that the next mail to the same inbox
is not looked up again: the landing reads the integration anyway, inside its transaction, and
refuses the mail if the inbox has gone or its address was rotated in between.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from renkei import __version__, gc_tuning
from renkei.channels.landing import Lander, Origin
from renkei.channels.worker import Processor, WorkspaceHubs, resume_all
from renkei.channels.worker_process import ProcessWorker, make_processor
from renkei.errors import ConfigurationError
from renkei.limits import env_bytes
from renkei.pipeline.hub import DEFAULT_WORKSPACE, Hub
from renkei.pipeline.mail import inbox_by_key, inbox_key, mail_domain
from renkei.sources.mail.auth import Resolver

log = logging.getLogger(__name__)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 2525
DEFAULT_MAX_BYTES = 25 * 1024 * 1024
MAX_RECIPIENTS = 100
#: RFC 5321 allows 1000 octets a line; real portal mails (HTML) break it, and Postfix accepts them.
LINE_LENGTH_LIMIT = 64 * 1024
#: Threads for RCPT lookups of inboxes not yet remembered.
LOOKUP_THREADS = 4
#: How long a recipient found at RCPT is remembered (seconds), and how many at most.
REMEMBER_S = 60.0
REMEMBER_MAX = 10_000


def env_host() -> str:
    """``RENKEI_SMTP_HOST``, by default loopback only."""
    return os.environ.get("RENKEI_SMTP_HOST") or DEFAULT_HOST


def env_max_bytes() -> int:
    """``RENKEI_SMTP_MAX_BYTES``, by default 25 MiB."""
    return env_bytes("RENKEI_SMTP_MAX_BYTES", DEFAULT_MAX_BYTES)


def masked(address: str) -> str:
    """An inbox address fit for a log line: the secret part hidden."""
    local, at, domain = address.rpartition("@")
    readable, dash, _secret = local.rpartition("-")
    return f"{readable}{dash}…{at}{domain}" if readable else f"…{at}{domain}"


def _unsafe(address: str) -> bool:
    """Whether an envelope address carries control characters (CR/LF header injection, NUL)."""
    return any(ord(c) < 0x20 or ord(c) == 0x7F for c in address)


class InboxEnvelope(Envelope):
    """An envelope that remembers which inboxes its recipients name."""

    def __init__(self) -> None:
        super().__init__()
        #: integration id → (workspace id, SHA-256 of the inbox secret the recipient gave)
        self.inboxes: dict[int, tuple[int, str]] = {}


#: ``<local@domain>`` with a dot-atom local part and a plain domain: what nearly every MAIL and RCPT carries.
_PLAIN_ANGLE_ADDRESS = re.compile(
    r"<((?:[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*)"
    r"@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*)>"
)


class InboxSMTP(SMTP):
    """aiosmtpd's protocol with our envelope and a lenient line length."""

    line_length_limit = LINE_LENGTH_LIMIT

    def _create_envelope(self) -> Envelope:
        return InboxEnvelope()

    def _getaddr(self, arg: str) -> tuple[str | None, str | None]:
        """A plain ``<local@domain>`` read directly; anything else by aiosmtpd's full address parser.

        Both give the same answer for a plain address (tested); the full parser costs more than
        the rest of the MAIL or RCPT command.
        """
        plain = _PLAIN_ANGLE_ADDRESS.match(arg)
        rest = arg[plain.end() :].lstrip(" \t") if plain else "("
        if plain is None or rest.startswith("(") or "\r" in rest or "\n" in rest:  # comments, line ends: full parser
            return super()._getaddr(arg)
        address = plain.group(1)
        if self.local_part_limit and len(address.rpartition("@")[0]) > self.local_part_limit:
            return None, None
        return address, rest


class Recipients:
    """Inboxes found at RCPT, remembered for ``REMEMBER_S`` (only found ones: a refusal is always looked up)."""

    def __init__(self) -> None:
        self._found: dict[tuple[str, str], tuple[float, int, int]] = {}

    def get(self, key: tuple[str, str]) -> tuple[int, int] | None:
        hit = self._found.get(key)
        if hit is None or hit[0] < time.monotonic():
            return None
        return hit[1], hit[2]

    def remember(self, key: tuple[str, str], found: tuple[int, int]) -> None:
        if len(self._found) >= REMEMBER_MAX:
            self._found.clear()
        self._found[key] = (time.monotonic() + REMEMBER_S, *found)


class InboxHandler:
    """aiosmtpd hooks: check the sender and each recipient, hand the mail to the lander."""

    def __init__(self, hubs: WorkspaceHubs, lander: Lander, executor: ThreadPoolExecutor) -> None:
        self._hubs = hubs
        self._lander = lander
        self._executor = executor
        self._recipients = Recipients()

    async def handle_MAIL(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, mail_options: list[str]
    ) -> str:
        if _unsafe(address):
            return "553 5.1.7 Error: malformed sender address"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        if _unsafe(address):
            return "553 5.1.3 Error: malformed recipient address"
        assert isinstance(envelope, InboxEnvelope)
        if len(envelope.rcpt_tos) >= MAX_RECIPIENTS:
            return "452 4.5.3 Error: too many recipients"
        key = inbox_key(address)
        if key is None:
            return "550 5.1.1 Error: no such inbox"
        found = self._recipients.get(key)
        if found is None:
            try:
                loop = asyncio.get_running_loop()
                found = await loop.run_in_executor(self._executor, inbox_by_key, self._hubs.base.engine, key)
            except Exception:
                log.exception("looking up recipient %s failed", masked(address))
                return "451 4.3.0 Error: temporary failure, try again later"
            if found is None:
                return "550 5.1.1 Error: no such inbox"
            self._recipients.remember(key, found)
        workspace_id, integration_id = found
        envelope.inboxes[integration_id] = (workspace_id, key[1])
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        assert isinstance(envelope, InboxEnvelope)
        raw = envelope.original_content or b""
        peer = session.peer[0] if isinstance(session.peer, tuple) and session.peer else None
        origin = Origin(str(peer) if peer else None, session.host_name, envelope.mail_from)
        try:
            _landed, accepted = await asyncio.wrap_future(self._lander.land(raw, origin, dict(envelope.inboxes)))
        except Exception:
            # The lander has logged why.
            return "451 4.3.0 Error: temporary failure, try again later"
        if not accepted:
            return "554 5.1.1 Error: no valid recipients"
        return "250 2.0.0 OK: received"


class InboxController(Controller):
    """The SMTP inbox on its own thread, with its landing thread and processing worker.

    ``start`` first processes what an earlier run left ``received`` (so a resent mail is then
    recorded as a duplicate of it), then starts listening. One start and one stop per object.
    """

    def __init__(self, hub: Hub, host: str, port: int, max_bytes: int, resolver: Resolver | None = None) -> None:
        self.hubs = WorkspaceHubs(hub)
        #: Off when the caller (``renkei serve``) has already resumed every workspace once.
        self.resume_at_start = True
        self.processor: Processor | ProcessWorker = make_processor(self.hubs)
        self.lander = Lander(self.hubs, self.processor.submit_many, resolver)
        self._executor = ThreadPoolExecutor(LOOKUP_THREADS, thread_name_prefix="renkei-smtp-rcpt")
        handler = InboxHandler(self.hubs, self.lander, self._executor)
        super().__init__(
            handler,
            hostname=host,
            port=port,
            server_hostname=mail_domain(),
            ident=f"Renkei {__version__}",
            data_size_limit=max_bytes,
        )

    def factory(self) -> SMTP:
        return InboxSMTP(self.handler, **self.SMTP_kwargs)

    def start(self) -> None:
        gc_tuning.tune()
        resumed = resume_all(self.hubs) if self.resume_at_start else 0
        if resumed:
            log.info("processed %s deliveries left received by an earlier run", resumed)
        self.processor.start()
        self.lander.start()
        try:
            super().start()
        except BaseException:
            self.lander.stop()
            self.processor.stop()
            self._executor.shutdown(wait=True)
            if not self.loop.is_running():  # the port was taken: the loop that never served is closed
                self.loop.close()
            raise

    def stop(self, no_assert: bool = False) -> None:
        super().stop(no_assert)
        self.lander.stop()
        self._executor.shutdown(wait=True)
        self.processor.stop()


def make_controller(
    hub: Hub, host: str, port: int, max_bytes: int = DEFAULT_MAX_BYTES, resolver: Resolver | None = None
) -> InboxController:
    """An SMTP inbox for every workspace of ``hub``'s store; callers start and stop it.

    ``resolver`` answers the SPF and DKIM lookups (default: the system's DNS).
    """
    # aiosmtpd logs every accepted recipient at INFO, and an inbox address carries its secret.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    return InboxController(hub, host, port, max_bytes, resolver)


def run_smtp(
    host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, workspace: str = DEFAULT_WORKSPACE, max_bytes: int = 0
) -> None:
    """Run the SMTP inbox until interrupted (``renkei smtp``)."""
    if max_bytes < 0:
        raise ConfigurationError(f"--max-bytes {max_bytes}: must be positive")
    hub = Hub.open(workspace)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    controller = make_controller(hub, host, port, max_bytes or env_max_bytes())
    stopping = threading.Event()
    previous = signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    try:
        controller.start()
        print(f"Renkei {__version__} SMTP inbox on {host}:{port} for @{mail_domain()}", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            stopping.wait()
        controller.stop()
    finally:
        signal.signal(signal.SIGTERM, previous)
        hub.close()
