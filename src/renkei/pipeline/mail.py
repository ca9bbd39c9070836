"""Service functions for mail integrations: inbox addresses, finding an inbox, receiving a mail.

A received mail's SPF and DKIM results (``renkei.sources.mail.auth``) are recorded in its
delivery's ``meta["auth"]``; an integration with ``quarantine_auth_failures`` holds a mail that
fails either check (the delivery is quarantined with the reason instead of processed).

An inbox address is ``<kind>-<id>-<secret>@<RENKEI_MAIL_DOMAIN>``: the secret (100 random bits)
makes it unguessable; only its SHA-256 is stored in the clear, so a recipient is found at RCPT
time with one indexed query and nothing decrypted.
"""

from __future__ import annotations

import os
from email.parser import BytesHeaderParser
from email.policy import compat32
from typing import Any

from sqlalchemy import Engine, bindparam, select

from renkei.errors import ConfigurationError
from renkei.pipeline.deliveries import Delivery, ProcessResult, land, process_delivery
from renkei.pipeline.hub import Hub, utcnow
from renkei.pipeline.integrations import Integration, get_integration, inbox_hash, integration_by_name
from renkei.sources.mail.auth import AuthResults, Resolver, auth_mode, authenticate, dns_resolver
from renkei.sources.mail.raw_headers import first_field
from renkei.sources.mail_kind import MAIL_KINDS, MailSettings, new_inbox_secret
from renkei.store.schema import integrations

DEFAULT_DOMAIN = "inbox.localhost"


def mail_domain() -> str:
    """The domain of inbox addresses (``RENKEI_MAIL_DOMAIN``)."""
    return os.environ.get("RENKEI_MAIL_DOMAIN", DEFAULT_DOMAIN).strip().lower()


def inbox_address(integration: Integration) -> str:
    """The address portals forward to for ``integration``."""
    settings = integration.settings
    if not isinstance(settings, MailSettings):
        raise ConfigurationError(f"integration {integration.name!r} ({integration.spec.kind}) has no inbox")
    secret = settings.inbox_secret.get_secret_value()
    return f"{integration.spec.kind}-{integration.id}-{secret}@{mail_domain()}"


#: Built once: it runs for every recipient of every mail.
_INBOX = select(integrations.c.workspace_id, integrations.c.id, integrations.c.kind).where(
    integrations.c.inbox_hash == bindparam("inbox_hash")
)


def inbox_key(recipient: str) -> tuple[str, str] | None:
    """(readable part ``<kind>-<id>`` in lower case, SHA-256 of the secret) of an address on the
    inbox domain, or None for any other address. Nothing is looked up."""
    local, _, domain = recipient.strip().strip("<>").rpartition("@")
    if not local or domain.lower() != mail_domain():
        return None
    readable, _, secret = local.rpartition("-")
    if not readable or not secret:
        return None
    return readable.lower(), inbox_hash(secret.lower())


def find_inbox(engine: Engine, recipient: str) -> tuple[int, int] | None:
    """(workspace id, integration id) of the inbox ``recipient`` names, or None."""
    key = inbox_key(recipient)
    return None if key is None else inbox_by_key(engine, key)


def inbox_by_key(engine: Engine, key: tuple[str, str]) -> tuple[int, int] | None:
    """``find_inbox`` for an address already read by ``inbox_key``."""
    readable, hashed = key
    with engine.connect() as conn:
        row = conn.execute(_INBOX, {"inbox_hash": hashed}).first()
    if row is None or readable != f"{row.kind}-{row.id}":
        return None
    return int(row.workspace_id), int(row.id)


def rotate_inbox_secret(hub: Hub, name: str) -> str:
    """Give an integration a new inbox address (the old one stops working); returns it."""
    integration = integration_by_name(hub, name)
    if integration.spec.kind not in MAIL_KINDS:
        raise ConfigurationError(f"integration {name!r} ({integration.spec.kind}) has no inbox")
    secret = new_inbox_secret()
    hidden = hub.secrets.open(_stored_secrets(hub, integration.id))
    hidden["inbox_secret"] = secret
    with hub.engine.begin() as conn:
        conn.execute(
            integrations.update()
            .where(integrations.c.id == integration.id, integrations.c.workspace_id == hub.workspace_id)
            .values(secrets=hub.secrets.seal(hidden), inbox_hash=inbox_hash(secret), updated_at=utcnow())
        )
    return inbox_address(get_integration(hub, integration.id))


def _stored_secrets(hub: Hub, integration_id: int) -> str | None:
    with hub.engine.connect() as conn:
        return conn.execute(select(integrations.c.secrets).where(integrations.c.id == integration_id)).scalar()


def message_id_of(raw: bytes) -> str | None:
    """The Message-ID header of a raw mail, read without decoding the body.

    Read from the raw header lines when they are plainly well formed (every landing asks),
    else by the stdlib parser; both give the same answer.
    """
    known, value = first_field(raw, b"message-id")
    if known and (value is None or value.isascii()):
        return (value.decode("ascii").strip() or None) if value is not None else None
    return parsed_message_id(raw)


def parsed_message_id(raw: bytes) -> str | None:
    """``message_id_of`` by the stdlib parser (the reference the fast read is tested against)."""
    try:
        headers = BytesHeaderParser(policy=compat32).parsebytes(raw[:65536])
    except Exception:  # a mail whose headers cannot be parsed has no usable id
        return None
    value = headers.get("Message-ID")
    return str(value).strip() or None if value else None


def receive_mail(
    hub: Hub,
    integration: Integration,
    raw: bytes,
    *,
    channel: str,
    envelope_from: str | None = None,
    auth: AuthResults | None = None,
) -> tuple[Delivery, bool]:
    """Land a mail durably (archive, then delivery row): the step before saying ``250``.

    ``auth`` (SPF and DKIM results, when they were checked) is recorded with the delivery; with
    ``quarantine_auth_failures`` a failed check holds the delivery for quarantine. Returns
    (delivery, is_new); a mail whose Message-ID the integration already has is recorded as a
    duplicate.
    """
    return land(
        hub, integration, raw, file_name=None, channel=channel, meta=mail_meta(integration, raw, envelope_from, auth)
    )


def mail_meta(
    integration: Integration, raw: bytes, envelope_from: str | None = None, auth: AuthResults | None = None
) -> dict[str, Any]:
    """What a mail's delivery records besides its bytes: Message-ID, envelope sender, auth results."""
    meta: dict[str, Any] = {"message_id": message_id_of(raw), "envelope_from": envelope_from}
    if auth is not None:
        meta["auth"] = auth.to_meta()
        failure = auth.failure()
        settings = integration.settings
        if failure and isinstance(settings, MailSettings) and settings.quarantine_auth_failures:
            meta["quarantine"] = f"the mail failed authentication: {failure}"
    return meta


#: The resolver mail authentication uses when the caller gives none (made on first use).
_default_resolver: Resolver | None = None


def default_resolver() -> Resolver:
    """The system DNS resolver, shared."""
    global _default_resolver
    if _default_resolver is None:
        _default_resolver = dns_resolver()
    return _default_resolver


def check_mail(
    raw: bytes,
    *,
    resolver: Resolver | None = None,
    peer_ip: str | None = None,
    helo: str | None = None,
    mail_from: str | None = None,
) -> AuthResults | None:
    """SPF (with an SMTP session) and DKIM results of a mail, or None when ``RENKEI_MAIL_AUTH=off``."""
    if auth_mode() == "off":
        return None
    return authenticate(raw, resolver or default_resolver(), peer_ip=peer_ip, helo=helo, mail_from=mail_from)


def import_mail(
    hub: Hub, integration: Integration, raw: bytes, *, channel: str = "cli", resolver: Resolver | None = None
) -> ProcessResult:
    """Land and process one mail exactly as the SMTP inbox does (DKIM only: there is no SMTP session)."""
    auth = check_mail(raw, resolver=resolver)
    delivery, is_new = receive_mail(hub, integration, raw, channel=channel, auth=auth)
    if not is_new:
        return ProcessResult(delivery.id, "duplicate", reason=delivery.reason, duplicate_of=delivery.duplicate_of)
    return process_delivery(hub, delivery.id)
