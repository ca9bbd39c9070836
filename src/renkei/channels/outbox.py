"""Sending what the outbox holds: report mails, through the configured SMTP relay, with retries.

``send_due`` is one pass: it claims the queued mails that are due (pushing their next attempt
past a lease, so that a second sender skips them), sends each, and marks it ``sent`` or, on
failure, schedules the next attempt with exponential backoff (1, 2, 4 … minutes, at most an
hour); after ``MAX_ATTEMPTS``, or at once when retrying cannot help, it gives up (``failed``).
A crash while sending means the mail is sent again once the lease runs out: at least once,
never lost. ``OutboxSender`` runs passes on a thread beside the inbox. The relay password is
never logged.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

from sqlalchemy import Engine, desc, select

from renkei.errors import RenkeiError
from renkei.pipeline.hub import Hub, utcnow
from renkei.pipeline.relay import RelaySettings, current_relay
from renkei.store.schema import outbox

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 10
FIRST_DELAY = timedelta(minutes=1)
LONGEST_DELAY = timedelta(hours=1)
#: How long a claimed mail is left to its sender before another may try it.
LEASE = timedelta(minutes=10)
BATCH = 50
INTERVAL = 15.0

Connect = Callable[[RelaySettings], smtplib.SMTP]


@dataclass(slots=True)
class Pass:
    """What one pass did."""

    sent: int = 0
    retried: int = 0
    failed: int = 0


def backoff(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed attempt: 1 min, 2, 4 … capped at 1 h."""
    delay: timedelta = FIRST_DELAY * (2 ** max(attempts - 1, 0))
    return min(delay, LONGEST_DELAY)


def connect(relay: RelaySettings) -> smtplib.SMTP:
    """An SMTP session with the relay, secured and logged in as its settings say."""
    client: smtplib.SMTP
    if relay.security == "tls":
        client = smtplib.SMTP_SSL(relay.host, relay.port, timeout=relay.timeout, context=ssl.create_default_context())
    else:
        client = smtplib.SMTP(relay.host, relay.port, timeout=relay.timeout)
    try:
        client.ehlo()
        if relay.security == "starttls":
            client.starttls(context=ssl.create_default_context())
            client.ehlo()
        if relay.user:
            password = relay.password.get_secret_value() if relay.password else ""
            client.login(relay.user, password)
    except BaseException:
        client.close()
        raise
    return client


def build_message(row: Any, relay: RelaySettings) -> EmailMessage:
    """The mail an outbox row stands for."""
    message = EmailMessage()
    message["From"] = relay.from_address
    message["To"] = ", ".join(row.recipients)
    message["Subject"] = row.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=relay.from_address.rpartition("@")[2] or None)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(row.body, charset="utf-8")
    for item in row.attachments or []:
        maintype, _, subtype = str(item.get("content_type") or "text/plain").partition("/")
        data = str(item.get("text") or "").encode("utf-8")
        params = {"charset": "utf-8"} if maintype == "text" else {}
        filename = item.get("filename")
        message.add_attachment(data, maintype=maintype, subtype=subtype or "plain", filename=filename, params=params)
    return message


def _claim(engine: Engine, now: datetime, limit: int) -> list[Any]:
    with engine.begin() as conn:
        query = (
            select(outbox)
            .where(outbox.c.state == "queued", outbox.c.next_attempt_at <= now)
            .order_by(outbox.c.next_attempt_at, outbox.c.id)
            .limit(limit)
        )
        if conn.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        rows = conn.execute(query).all()
        if rows:
            conn.execute(
                outbox.update().where(outbox.c.id.in_([r.id for r in rows])).values(next_attempt_at=now + LEASE)
            )
    return list(rows)


def _describe(error: BaseException) -> str:
    if isinstance(error, smtplib.SMTPResponseException):
        text = error.smtp_error.decode("utf-8", "replace") if isinstance(error.smtp_error, bytes) else error.smtp_error
        return f"{type(error).__name__}: {error.smtp_code} {text}"[:1000]
    return f"{type(error).__name__}: {error}"[:1000]


def _permanent(error: BaseException) -> bool:
    """Whether retrying cannot help: every recipient refused for good (5xx), or a malformed mail."""
    if isinstance(error, ValueError):
        return True
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    return False


def send_due(
    engine: Engine,
    relay: RelaySettings,
    *,
    now: datetime | None = None,
    connect_to: Connect = connect,
    limit: int = BATCH,
) -> Pass:
    """One pass over the outbox: send every queued mail that is due; what happened."""
    now = now or utcnow()
    done = Pass()
    rows = _claim(engine, now, limit)
    client: smtplib.SMTP | None = None
    unreachable: BaseException | None = None
    try:
        for row in rows:
            error: BaseException | None = unreachable
            if error is None:
                try:
                    message = build_message(row, relay)
                except ValueError as malformed:  # a recipient with a line break, …: it will not get better
                    _record(engine, row, malformed, now, done)
                    continue
                try:
                    if client is None:
                        client = connect_to(relay)
                    client.send_message(message, from_addr=relay.from_address, to_addrs=row.recipients)
                except (smtplib.SMTPException, OSError) as failure:
                    error = failure
                    if client is None:
                        # The relay cannot be reached: the rest of this pass would fail the same way.
                        unreachable = failure
                    elif isinstance(failure, smtplib.SMTPServerDisconnected) or not isinstance(
                        failure, smtplib.SMTPException
                    ):
                        # The session is gone (SMTPException is an OSError too: a refusal keeps it).
                        client.close()
                        client = None
            _record(engine, row, error, now, done)
    finally:
        if client is not None:
            try:
                client.quit()
            except (smtplib.SMTPException, OSError):
                client.close()
    return done


def _record(engine: Engine, row: Any, error: BaseException | None, now: datetime, done: Pass) -> None:
    if error is None:
        values: dict[str, Any] = {
            "state": "sent",
            "sent_at": utcnow(),
            "attempts": row.attempts + 1,
            "last_error": None,
        }
        done.sent += 1
    else:
        attempts = row.attempts + 1
        values = {"attempts": attempts, "last_error": _describe(error)}
        if attempts >= MAX_ATTEMPTS or _permanent(error):
            values["state"] = "failed"
            done.failed += 1
            log.warning("report mail %s given up after %s attempts: %s", row.id, attempts, values["last_error"])
        else:
            values["next_attempt_at"] = now + backoff(attempts)
            done.retried += 1
            log.info("report mail %s not sent (attempt %s): %s", row.id, attempts, values["last_error"])
    with engine.begin() as conn:
        conn.execute(outbox.update().where(outbox.c.id == row.id).values(**values))


def list_outbox(hub: Hub, limit: int = 50) -> list[dict[str, Any]]:
    """The workspace's newest outbox rows, without bodies and attachments."""
    columns = [c for c in outbox.c if c.name not in ("body", "attachments")]
    with hub.engine.connect() as conn:
        rows = conn.execute(
            select(*columns).where(outbox.c.workspace_id == hub.workspace_id).order_by(desc(outbox.c.id)).limit(limit)
        ).all()
    return [dict(r._mapping) for r in rows]


class OutboxSender:
    """A thread that runs a pass every ``interval`` seconds until stopped.

    The relay is looked up before every pass, so ``renkei relay set`` applies without a restart;
    while there is none, mails stay queued.
    """

    def __init__(self, engine: Engine, relay: Callable[[], RelaySettings | None], interval: float = INTERVAL) -> None:
        self._engine = engine
        self._relay = relay
        self._interval = interval
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="renkei-outbox", daemon=True)
        self._told = ""

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        """Finish the pass in hand and stop."""
        self._stopping.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _tell(self, message: str) -> None:
        """Log how mails are sent, once per change."""
        if message != self._told:
            self._told = message
            level = logging.WARNING if message.startswith("report mails are not") else logging.INFO
            log.log(level, "%s", message)

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                relay = self._relay()
                if relay is None:
                    self._tell("report mails are not sent: no relay (renkei relay set, or RENKEI_SMTP_RELAY_HOST)")
                else:
                    self._tell(f"sending report mails through {relay.describe()}")
                    while not self._stopping.is_set() and send_due(self._engine, relay).sent >= BATCH:
                        pass
            except RenkeiError as error:
                self._tell(f"report mails are not sent: {error}")
            except Exception:
                log.exception("the outbox pass crashed; trying again in %s s", self._interval)
            self._stopping.wait(self._interval)


def make_sender(hub: Hub, interval: float = INTERVAL) -> OutboxSender:
    """A sender through the hub's relay (stored, else from the environment)."""
    return OutboxSender(hub.engine, lambda: current_relay(hub)[0], interval)


@contextmanager
def running_sender(hub: Hub) -> Iterator[OutboxSender]:
    """The outbox sender running for the duration of the block."""
    sender = make_sender(hub)
    sender.start()
    try:
        yield sender
    finally:
        sender.stop()
