"""PPAP: a password mail opens the encrypted ZIP its sender mailed just before.

A ``mail-csv`` mail whose ZIP is encrypted with a password the integration does not know fails,
saying so. When the same sender's password mail arrives (``sources.ppap``: ``パスワード：…``) within
``WINDOW`` of it, each password the mail tells is tried on that ZIP; the one that opens it is kept
with the failed mail's delivery, encrypted like any credential (``file_password`` in its
``secrets``), and the mail is replayed: its files become deliveries and are imported, as if the
password had been set beforehand. A later replay of that mail opens it with the same password.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Final

from pydantic import SecretStr
from sqlalchemy import Connection, select

from renkei.pipeline.deliveries import (
    KEPT_PASSWORD,
    Delivery,
    ProcessResult,
    delivery_from_row,
    load_delivery,
    replay_delivery,
)
from renkei.pipeline.hub import Hub
from renkei.pipeline.integrations import Integration, get_integration
from renkei.sources.mail import UndecodableMail, decode_mail
from renkei.store.schema import deliveries

#: How long a ZIP waits for its password mail.
WINDOW: Final = timedelta(days=3)
#: Failed mails a password mail is tried on, newest first.
MAX_WAITING: Final = 5
#: What a mail failed for when its ZIP needs a password (``sources.zipped``'s reasons).
_NEEDS_PASSWORD: Final = ("set the integration's file_password", "the file_password does not open")


def unlock_with_notice(hub: Hub, notice_id: int, result: ProcessResult) -> list[tuple[str, ProcessResult]]:
    """Try the passwords a processed password mail told on its sender's waiting ZIP mails; the
    replays of those it opened, by name (``mail N``)."""
    passwords = [p for p in result.meta.get("passwords", ()) if p]
    sender = result.meta.get("sender")
    if not passwords or not sender:
        return []
    with hub.engine.connect() as conn:
        notice = load_delivery(conn, hub, notice_id)
        integration = get_integration(hub, notice.integration_id)
        waiting = _waiting(conn, hub, notice)
    opened: list[tuple[str, ProcessResult]] = []
    for delivery in waiting:
        path = hub.archive.path_for(delivery.sha256)
        if not path.exists() or _sender(path) != sender:
            continue
        password = next((p for p in passwords if _opens(integration, path, p)), None)
        if password is None:
            continue
        _keep(hub, delivery, password)
        opened.append((f"mail {delivery.id}", replay_delivery(hub, delivery.id)))
    if opened:
        names = ", ".join(name.removeprefix("mail ") for name, _ in opened)
        with hub.engine.begin() as conn:
            conn.execute(
                deliveries.update()
                .where(deliveries.c.id == notice_id)
                .values(reason=f"{notice.reason}; its password opened the ZIP of delivery {names}")
            )
    return opened


def _waiting(conn: Connection, hub: Hub, notice: Delivery) -> list[Delivery]:
    """The integration's failed mails before ``notice`` that wait for a ZIP's password, newest first."""
    rows = conn.execute(
        select(deliveries)
        .where(
            deliveries.c.workspace_id == hub.workspace_id,
            deliveries.c.integration_id == notice.integration_id,
            deliveries.c.file_name.is_(None),
            deliveries.c.state == "failed",
            deliveries.c.id < notice.id,
            deliveries.c.received_at >= notice.received_at - WINDOW,
        )
        .order_by(deliveries.c.id.desc())
        .limit(50)
    )
    found = [delivery_from_row(row) for row in rows]
    return [d for d in found if any(words in (d.reason or "") for words in _NEEDS_PASSWORD)][:MAX_WAITING]


def _sender(path: Path) -> str | None:
    try:
        return decode_mail(path.read_bytes()).from_addr
    except UndecodableMail:
        return None


def _opens(integration: Integration, path: Path, password: str) -> bool:
    settings = integration.settings.model_copy(update={"file_password": SecretStr(password)})
    return integration.kind.extract(path, settings, None).verdict == "split"


def _keep(hub: Hub, delivery: Delivery, password: str) -> None:
    with hub.engine.begin() as conn:
        conn.execute(
            deliveries.update()
            .where(deliveries.c.id == delivery.id)
            .values(meta={**delivery.meta, KEPT_PASSWORD: hub.secrets.seal({"file_password": password})})
        )


__all__ = ["MAX_WAITING", "WINDOW", "unlock_with_notice"]
