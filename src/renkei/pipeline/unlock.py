"""PPAP: a password mail opens the encrypted ZIP its sender mailed, whichever comes first.

A ``mail-csv`` mail whose ZIP is encrypted with a password the integration does not know fails,
saying so. The same sender's password mail (``sources.ppap``: ``パスワード：…``) within ``WINDOW``
of it — after it, or before it — has each password it tells tried on that ZIP; the one that opens
it is kept with the ZIP mail's delivery, encrypted like any credential (``KEPT_PASSWORD`` in its
meta), and the mail is replayed: its files become deliveries and are imported, as if the password
had been set beforehand, and a later replay opens it the same way. A password mail keeps what it
told, encrypted, for a ZIP that arrives after it. The ZIP mail's error report, held back for the
password (``notify.PASSWORD_WAIT``), is withdrawn once the password opens it.

A password-protected workbook a mail carries (パスワード付きExcel) fails as a file of its own, and
is opened the same way: the password kept with the file's delivery, the file replayed.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Final

from pydantic import SecretStr
from sqlalchemy import Connection, and_, or_, select

from renkei.pipeline.deliveries import (
    KEPT_PASSWORD,
    TOLD_PASSWORDS,
    Delivery,
    ProcessResult,
    delivery_from_row,
    load_delivery,
    replay_delivery,
)
from renkei.pipeline.hub import Hub
from renkei.pipeline.integrations import Integration, get_integration
from renkei.pipeline.notify import withdraw_reports
from renkei.sources import protected
from renkei.sources.mail import UndecodableMail, decode_mail
from renkei.sources.ppap import waits_for_password
from renkei.store.schema import deliveries

#: How far apart a ZIP and its password mail may arrive.
WINDOW: Final = timedelta(days=3)
#: Mails tried, newest first: failed ZIP mails for a password mail, password mails for a ZIP mail.
MAX_TRIED: Final = 5
#: Where a password mail's delivery keeps its sender (the passwords it told: ``TOLD_PASSWORDS``).
_SENDER: Final = "ppap_sender"


def after_ppap_mail(hub: Hub, delivery_id: int, result: ProcessResult) -> list[tuple[str, ProcessResult]]:
    """Once a mail's transaction is committed: a password mail's passwords tried on its sender's
    waiting ZIP mails and protected workbooks, or a ZIP mail (a workbook) that failed for want of a
    password tried with its sender's earlier password mails. The replays of those opened, by name
    (``mail N``, or the workbook's file name)."""
    if result.meta.get("passwords") and result.meta.get("sender"):
        return _with_notice(hub, delivery_id, result.meta["passwords"], result.meta["sender"])
    if result.state == "failed" and waits_for_password(result.reason):
        return _with_earlier_notices(hub, delivery_id)
    return []


def _with_notice(hub: Hub, notice_id: int, passwords: list[str], sender: str) -> list[tuple[str, ProcessResult]]:
    with hub.engine.connect() as conn:
        notice = load_delivery(conn, hub, notice_id)
        integration = get_integration(hub, notice.integration_id)
        waiting = [d for d in _around(conn, hub, notice, "failed", files=True) if waits_for_password(d.reason)]
        senders = {d.id: _sender(conn, hub, d) for d in waiting[:MAX_TRIED]}
    opened = [
        (delivery, replayed)
        for delivery in waiting[:MAX_TRIED]
        if senders[delivery.id] == sender and (replayed := _open(hub, integration, delivery, passwords)) is not None
    ]
    told = hub.secrets.seal({"passwords": "\n".join(passwords)})
    with hub.engine.begin() as conn:  # kept for a ZIP mail that arrives after it
        values: dict[str, object] = {"meta": {**notice.meta, TOLD_PASSWORDS: told, _SENDER: sender}}
        if opened:
            what = ", ".join(f"the {_what(delivery)} of delivery {delivery.id}" for delivery, _ in opened)
            values["reason"] = f"{notice.reason}; its password opened {what}"
        conn.execute(deliveries.update().where(deliveries.c.id == notice_id).values(**values))
    return [(_name(delivery), replayed) for delivery, replayed in opened]


def _with_earlier_notices(hub: Hub, delivery_id: int) -> list[tuple[str, ProcessResult]]:
    with hub.engine.connect() as conn:
        delivery = load_delivery(conn, hub, delivery_id)
        integration = get_integration(hub, delivery.integration_id)
        notices = [d for d in _around(conn, hub, delivery, "not-a-lead") if d.meta.get(TOLD_PASSWORDS)][:MAX_TRIED]
        sender = _sender(conn, hub, delivery)
    for notice in notices:
        if sender is None or notice.meta.get(_SENDER) != sender:
            continue
        passwords = hub.secrets.open(notice.meta[TOLD_PASSWORDS]).get("passwords", "").split("\n")
        replayed = _open(hub, integration, delivery, [p for p in passwords if p])
        if replayed is not None:
            return [(_name(delivery), replayed)]
    return []


def _around(conn: Connection, hub: Hub, delivery: Delivery, state: str, files: bool = False) -> list[Delivery]:
    """The integration's mails in ``state`` that came within ``WINDOW`` before ``delivery``, newest
    first; with ``files``, the files mails carried as well, whenever in the window they were landed
    (the inbox worker lands a batch's files after its mails: a workbook mailed before its password
    mail may be recorded after it)."""
    earlier_mails = and_(deliveries.c.file_name.is_(None), deliveries.c.id < delivery.id)
    rows = conn.execute(
        select(deliveries)
        .where(
            deliveries.c.workspace_id == hub.workspace_id,
            deliveries.c.integration_id == delivery.integration_id,
            or_(earlier_mails, deliveries.c.channel == "mail") if files else earlier_mails,
            deliveries.c.state == state,
            deliveries.c.id != delivery.id,
            deliveries.c.received_at >= delivery.received_at - WINDOW,
        )
        .order_by(deliveries.c.id.desc())
        .limit(50)
    )
    return [delivery_from_row(row) for row in rows]


def _what(delivery: Delivery) -> str:
    """What of a delivery a password opens: a mail's ZIP, or a protected workbook."""
    return "ZIP" if delivery.file_name is None else "workbook"


def _name(delivery: Delivery) -> str:
    """How an opened delivery is named among a result's children: a mail, or the file by its name."""
    return delivery.file_name or f"mail {delivery.id}"


def _sender(conn: Connection, hub: Hub, delivery: Delivery) -> str | None:
    """Who sent the mail ``delivery`` is, or carried it (a file of a mail, or of a ZIP a mail carried)."""
    for _ in range(3):
        parent = delivery.meta.get("mail_delivery") or delivery.meta.get("zip_delivery")
        if delivery.file_name is None or parent is None:
            break
        delivery = load_delivery(conn, hub, int(parent))
    if delivery.file_name is not None:
        return None
    path = hub.archive.path_for(delivery.sha256)
    try:
        return decode_mail(path.read_bytes()).from_addr
    except (UndecodableMail, OSError):
        return None


def _open(hub: Hub, integration: Integration, delivery: Delivery, passwords: list[str]) -> ProcessResult | None:
    """The replay of ``delivery`` with the first of ``passwords`` that opens its ZIP, kept with it;
    None when none does."""
    path = hub.archive.path_for(delivery.sha256)
    password = next((p for p in passwords if _opens(integration, delivery, path, p)), None)
    if password is None:
        return None
    with hub.engine.begin() as conn:
        conn.execute(
            deliveries.update()
            .where(deliveries.c.id == delivery.id)
            .values(meta={**delivery.meta, KEPT_PASSWORD: hub.secrets.seal({"file_password": password})})
        )
        withdraw_reports(conn, delivery.id)  # a failure of the replay reports itself
    return replay_delivery(hub, delivery.id)


def _opens(integration: Integration, delivery: Delivery, path: Path, password: str) -> bool:
    if delivery.file_name is not None:  # a file a mail carried: a protected workbook
        return protected.is_protected(path) and protected.opens(path, password)
    settings = integration.settings.model_copy(update={"file_password": SecretStr(password)})
    return integration.kind.extract(path, settings, None).verdict == "split"


__all__ = ["MAX_TRIED", "WINDOW", "after_ppap_mail"]
