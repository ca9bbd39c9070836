"""Polling an IMAP mailbox: the mails of a mail integration's folder, each landed and processed once.

One poll (``poll_once``) selects the folder, lists its messages and, for each one not yet
landed, fetches it with ``BODY.PEEK[]`` (which leaves ``\\Seen`` alone), lands it (channel
``imap``) and records the remote item ``"<uidvalidity>:<uid>"`` as ``landed`` in the same
transaction, processes the delivery, then marks the message seen, moves or deletes it as the
settings say, and records the item ``done``. A crash anywhere in between is finished by the
next poll: a landed item is never landed again, only processed (if still waiting) and marked.

A mail already in the folder when polling starts is imported too: every message of the folder
is imported once. A new UIDVALIDITY (the server renumbered the folder) makes every message new
again; their deliveries are then recorded as duplicates of the earlier ones (same Message-ID).
"""

from __future__ import annotations

import contextlib
import logging
import ssl
from dataclasses import dataclass, field
from typing import Any

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError, LoginError
from sqlalchemy import Connection, select

from renkei import failpoints
from renkei.errors import ConfigurationError, TransientError
from renkei.pipeline.deliveries import get_delivery, process_delivery, record_landing
from renkei.pipeline.hub import Hub, utcnow
from renkei.pipeline.integrations import Integration
from renkei.pipeline.mail import check_mail, mail_meta
from renkei.sources.mail.auth import Resolver
from renkei.sources.mail_kind import ImapSettings, MailSettings
from renkei.store.schema import remote_items

log = logging.getLogger(__name__)

#: Seconds an IMAP command may take before the poll gives up (and the next one tries again).
TIMEOUT = 60.0
#: Messages bigger than this are left alone (the SMTP inbox's default limit).
MAX_BYTES = 25 * 1024 * 1024
SEEN = b"\\Seen"
DELETED = b"\\Deleted"


@dataclass(slots=True)
class PollResult:
    """What one poll did."""

    #: Messages in the folder.
    found: int = 0
    #: New deliveries landed (and processed) by this poll.
    landed: list[int] = field(default_factory=list)
    #: Messages whose delivery was recorded as a duplicate (same Message-ID or content).
    duplicates: int = 0
    #: Messages marked seen, moved or deleted on the server by this poll.
    finished: int = 0
    #: Messages left alone (key, why): too big.
    skipped: list[tuple[str, str]] = field(default_factory=list)


def imap_settings(integration: Integration) -> ImapSettings:
    """The integration's IMAP settings; ConfigurationError if it has none."""
    settings = integration.settings
    if not isinstance(settings, MailSettings) or settings.imap is None:
        raise ConfigurationError(f"integration {integration.name!r} has no IMAP mailbox to poll (settings.imap)")
    return settings.imap


def connect(settings: ImapSettings, timeout: float = TIMEOUT) -> IMAPClient:
    """A logged-in IMAP session; ConfigurationError for refused credentials, TransientError when unreachable."""
    where = f"{settings.host}:{settings.effective_port}"
    if settings.password is None:
        raise ConfigurationError(
            f"IMAP mailbox {settings.username!r} on {where} has no password (settings.imap.password)"
        )
    try:
        client = IMAPClient(
            settings.host,
            port=settings.effective_port,
            ssl=settings.tls,
            ssl_context=ssl.create_default_context() if settings.tls else None,
            timeout=timeout,
        )
    except (OSError, IMAPClientError) as error:
        raise TransientError(f"IMAP server {where} cannot be reached: {error}") from None
    try:
        if settings.starttls:
            client.starttls(ssl.create_default_context())
        client.login(settings.username, settings.password.get_secret_value())
    except LoginError:
        _close(client)
        raise ConfigurationError(
            f"IMAP login to {where} as {settings.username!r} was refused: check the user name and password"
        ) from None
    except (OSError, IMAPClientError) as error:
        _close(client)
        raise TransientError(f"IMAP session with {where} failed: {error}") from None
    return client


def _close(client: IMAPClient) -> None:
    try:
        client.logout()
    except Exception:  # the connection is going away either way
        with contextlib.suppress(Exception):
            client.shutdown()


def poll_once(
    hub: Hub, integration: Integration, *, resolver: Resolver | None = None, max_bytes: int = MAX_BYTES
) -> PollResult:
    """Land, process and finish (mark seen, move or delete) every message of the folder not done yet.

    ``resolver`` answers the DKIM lookups (default: the system's DNS, unless ``RENKEI_MAIL_AUTH=off``).
    """
    settings = imap_settings(integration)
    client = connect(settings)
    try:
        return _poll(hub, integration, settings, client, resolver, max_bytes)
    except (OSError, IMAPClientError) as error:
        raise TransientError(f"IMAP poll of {settings.host} folder {settings.folder!r} failed: {error}") from None
    finally:
        _close(client)


def _poll(
    hub: Hub,
    integration: Integration,
    settings: ImapSettings,
    client: IMAPClient,
    resolver: Resolver | None,
    limit: int,
) -> PollResult:
    try:
        selected = client.select_folder(settings.folder)
    except IMAPClient.Error as error:
        raise ConfigurationError(f"IMAP folder {settings.folder!r} cannot be opened: {error}") from None
    uidvalidity = int(selected[b"UIDVALIDITY"])
    uids = sorted(int(uid) for uid in client.search(["NOT", "DELETED"]))
    result = PollResult(found=len(uids))
    known = _known(hub, integration.id, uidvalidity)
    if settings.after == "move":
        _ensure_folder(client, str(settings.move_to))
    new = [uid for uid in uids if f"{uidvalidity}:{uid}" not in known]
    fetched = client.fetch(new, ["RFC822.SIZE"]) if new else {}
    sizes = {int(uid): int(data.get(b"RFC822.SIZE", 0)) for uid, data in fetched.items()}
    for uid in uids:
        key = f"{uidvalidity}:{uid}"
        item = known.get(key)
        if item is not None and item["state"] == "done":
            continue  # after: seen keeps done messages in the folder
        if item is None:
            if sizes.get(uid, 0) > limit:
                result.skipped.append((key, f"{sizes[uid]} bytes is over the limit of {limit}"))
                continue
            raw = _fetch(client, uid)
            if raw is None:
                continue  # expunged meanwhile
            delivery_id, is_new = _land(hub, integration, key, raw, resolver)
            failpoints.hit("imap.landed")
            if is_new:
                result.landed.append(delivery_id)
            else:
                result.duplicates += 1
        else:
            delivery_id = int(item["delivery_id"])
        if get_delivery(hub, delivery_id).state == "received":
            process_delivery(hub, delivery_id)
        failpoints.hit("imap.processed")
        _finish_remote(client, settings, uid)
        with hub.engine.begin() as conn:
            conn.execute(
                remote_items.update()
                .where(remote_items.c.integration_id == integration.id, remote_items.c.key == key)
                .values(state="done", done_at=utcnow())
            )
        result.finished += 1
    return result


def _known(hub: Hub, integration_id: int, uidvalidity: int) -> dict[str, dict[str, Any]]:
    """The remote items of this folder generation: key → row."""
    with hub.engine.connect() as conn:
        rows = conn.execute(
            select(remote_items.c.key, remote_items.c.state, remote_items.c.delivery_id).where(
                remote_items.c.integration_id == integration_id,
                remote_items.c.key.like(f"{uidvalidity}:%"),
            )
        ).all()
    return {row.key: dict(row._mapping) for row in rows}


def _fetch(client: IMAPClient, uid: int) -> bytes | None:
    data = client.fetch([uid], ["BODY.PEEK[]"]).get(uid)
    if not data:
        return None
    raw = data.get(b"BODY[]")
    return bytes(raw) if raw is not None else None


def _land(hub: Hub, integration: Integration, key: str, raw: bytes, resolver: Resolver | None) -> tuple[int, bool]:
    """Archive the mail, then record its delivery and its remote item in one transaction."""
    meta = mail_meta(integration, raw, None, check_mail(raw, resolver=resolver))
    stored = hub.archive.put_bytes(raw)
    failpoints.hit("land.archived")
    with hub.engine.begin() as conn:
        delivery, is_new = record_landing(conn, hub, integration, stored, file_name=None, channel="imap", meta=meta)
        _record_item(conn, integration.id, key, stored.size, stored.sha256, delivery.id)
    failpoints.hit("land.recorded")
    return delivery.id, is_new


def _record_item(conn: Connection, integration_id: int, key: str, size: int, sha256: str, delivery_id: int) -> None:
    conn.execute(
        remote_items.insert().values(
            integration_id=integration_id,
            key=key,
            size=size,
            sha256=sha256,
            delivery_id=delivery_id,
            state="landed",
            seen_at=utcnow(),
        )
    )


def _ensure_folder(client: IMAPClient, folder: str) -> None:
    if not client.folder_exists(folder):
        log.info("creating IMAP folder %r to move landed mails to", folder)
        client.create_folder(folder)


def _finish_remote(client: IMAPClient, settings: ImapSettings, uid: int) -> None:
    """Mark a landed message seen, move it or delete it, as the settings say."""
    if settings.after == "seen":
        client.add_flags([uid], [SEEN], silent=True)
        return
    if settings.after == "move":
        if client.has_capability("MOVE"):
            client.move([uid], str(settings.move_to))
            return
        client.copy([uid], str(settings.move_to))
    client.add_flags([uid], [DELETED], silent=True)
    if client.has_capability("UIDPLUS"):
        client.uid_expunge([uid])
    else:
        client.expunge()
