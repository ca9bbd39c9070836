"""Processing many landed mails in one transaction: the inbox's throughput path.

A portal mail is small: decoding and mapping it costs well under a millisecond, and what costs
is the transaction around it (taking the write lock, reading the delivery and its integration,
committing). When mails arrive faster than one transaction each can keep up with, the inbox
hands its worker every mail waiting, and ``process_mails`` applies them together:

- read every delivery in one query, and each integration once;
- decode and parse every mail before the transaction (the write lock is held only to apply);
- one transaction; a mail whose processing fails is recorded ``failed`` with its reason, and
  the others are applied again without it (so its partial effect is gone and theirs commits);
- customer ids from one allocator, the report mails queued as for a single mail.

A crash anywhere leaves every mail of the batch ``received`` (nothing committed) or every one
finished: the next start processes what is left, exactly once. Anything that is not a plain
mail (a file, a stopped integration, a delivery already processed) goes through
``process_delivery`` one at a time, as before.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, bindparam, select

from renkei import failpoints
from renkei.core.mapping import CompiledMapping
from renkei.errors import RenkeiError
from renkei.pipeline.deliveries import (
    Delivery,
    ProcessResult,
    _apply_payload,
    _finish,
    _land_parts,
    after_delivery,
    after_ppap,
    delivery_from_row,
    process_delivery,
)
from renkei.pipeline.hub import Hub
from renkei.pipeline.integrations import Integration, integrations_by_id
from renkei.sources.registry import Extraction
from renkei.store.customers import IdAllocator, hold_customers
from renkei.store.schema import deliveries

log = logging.getLogger(__name__)

#: The most mails applied in one transaction (a bound on the write lock's hold and on memory).
MAX_BATCH = 200


@dataclass(slots=True)
class _Mail:
    delivery: Delivery
    integration: Integration
    extraction: Extraction | None = None
    #: Why the mail could not be read (it is recorded failed, as process_delivery would).
    failure: str | None = None


#: Statements built once: a batch of one mail runs each once, and building one costs more than running it.
_LOAD = select(deliveries).where(
    deliveries.c.workspace_id == bindparam("workspace_id"), deliveries.c.id.in_(bindparam("ids", expanding=True))
)
_CLAIM = select(deliveries.c.id).where(
    deliveries.c.id.in_(bindparam("ids", expanding=True)), deliveries.c.state == "received"
)
#: PostgreSQL locks the claimed rows for the transaction.
_CLAIM_LOCKED = _CLAIM.with_for_update()


def _load(conn: Connection, hub: Hub, ids: Sequence[int]) -> dict[int, Delivery]:
    rows = conn.execute(_LOAD, {"workspace_id": hub.workspace_id, "ids": list(ids)})
    return {int(row.id): delivery_from_row(row) for row in rows}


def _batchable(delivery: Delivery, integration: Integration) -> bool:
    """A plain mail for a running mail integration: what a batch handles (anything else goes alone)."""
    return (
        delivery.state == "received"
        and delivery.file_name is None
        and not integration.kind.accepts_files
        and integration.spec.status != "stopped"
        and not delivery.meta.get("quarantine")
    )


def _prepare(hub: Hub, delivery: Delivery, integration: Integration) -> _Mail:
    mail = _Mail(delivery, integration)
    try:
        mail.extraction = integration.kind.extract(hub.archive.path_for(delivery.sha256), integration.settings, None)
    except RenkeiError as error:
        mail.failure = str(error)
    return mail


def _claimed(conn: Connection, ids: Sequence[int]) -> set[int]:
    """The deliveries still ``received``, held for this transaction (PostgreSQL locks their rows)."""
    query = _CLAIM_LOCKED if conn.dialect.name == "postgresql" else _CLAIM
    return {int(i) for i in conn.execute(query, {"ids": list(ids)}).scalars()}


class _MailFailed(Exception):
    """A mail's processing failed: the batch is rolled back and applied again without it."""

    def __init__(self, delivery_id: int, reason: str) -> None:
        super().__init__(reason)
        self.delivery_id = delivery_id
        self.reason = reason


def _apply_one(
    conn: Connection,
    hub: Hub,
    mail: _Mail,
    allocator: IdAllocator,
    failed: dict[int, str],
    mappings: dict[tuple[int, tuple[str, ...]], CompiledMapping],
) -> ProcessResult:
    delivery, integration = mail.delivery, mail.integration
    reason = mail.failure or failed.get(delivery.id)
    if reason is not None:
        result = ProcessResult(delivery.id, "failed", reason=reason)
    else:
        path = hub.archive.path_for(delivery.sha256)
        try:
            result = _apply_payload(
                conn,
                hub,
                integration,
                delivery.id,
                path,
                None,
                False,
                extraction=mail.extraction,
                allocator=allocator,
                mappings=mappings,
            )
            if result.state == "split":
                _land_parts(conn, hub, integration, delivery, result)
        except RenkeiError as error:
            raise _MailFailed(delivery.id, str(error)) from error
    _finish(conn, delivery.id, result)
    after_delivery(conn, hub, integration, delivery, result)
    return result


def _apply_all(conn: Connection, hub: Hub, mails: list[_Mail], failed: dict[int, str]) -> dict[int, ProcessResult]:
    """One transaction for every mail still waiting; raises _MailFailed (rolled back) when one fails."""
    results: dict[int, ProcessResult] = {}
    with conn.begin():
        hold_customers(conn, hub.workspace_id)
        claimed = _claimed(conn, [m.delivery.id for m in mails])
        allocator = IdAllocator(conn)
        mappings: dict[tuple[int, tuple[str, ...]], CompiledMapping] = {}
        for mail in mails:
            if mail.delivery.id in claimed:  # else another worker took it meanwhile
                results[mail.delivery.id] = _apply_one(conn, hub, mail, allocator, failed, mappings)
        failpoints.hit("process.before_commit")
    failpoints.hit("process.committed")
    return results


def _integrations(conn: Connection, hub: Hub, ids: set[int]) -> dict[int, Integration]:
    """The hub's workspace's integrations with these ids (one read for the batch)."""
    found = integrations_by_id(conn, hub.secrets, ids)
    return {i: stored.integration for i, stored in found.items() if stored.workspace_id == hub.workspace_id}


def process_mails(hub: Hub, delivery_ids: Sequence[int]) -> dict[int, ProcessResult]:
    """Process landed deliveries of this workspace, plain mails together in one transaction.

    Returns each processed delivery's result by id; a delivery that was no longer waiting (or
    is not in this workspace) has none. A mail whose processing fails (a Renkei error) is
    recorded ``failed`` with its reason, and the others are applied again without it, in a new
    transaction (no savepoint per mail: failures are rare, statements are not). An error that
    is not Renkei's (a bug, the database gone) rolls the whole batch back and is raised: every
    mail stays ``received``. One connection serves the batch: the reads, then the transaction.
    """
    results: dict[int, ProcessResult] = {}
    alone: list[int] = []
    with hub.engine.connect() as conn:
        found = _load(conn, hub, delivery_ids)
        waiting = [found[i] for i in delivery_ids if i in found and found[i].state == "received"]
        integrations = _integrations(conn, hub, {delivery.integration_id for delivery in waiting})
        conn.rollback()  # the reads end here: decoding runs outside any transaction
        batched: list[tuple[Delivery, Integration]] = []
        for delivery in waiting:
            integration = integrations.get(delivery.integration_id)
            if integration is not None and _batchable(delivery, integration):
                batched.append((delivery, integration))
            else:
                alone.append(delivery.id)
        failed: dict[int, str] = {}
        while batched:
            # Decoded before the transaction, so the write lock is held only to apply.
            mails = [_prepare(hub, delivery, integration) for delivery, integration in batched]
            try:
                results = _apply_all(conn, hub, mails, failed)
                break
            except _MailFailed as failure:
                failed[failure.delivery_id] = failure.reason
    children = [child for result in results.values() for child in result.children]
    batched_results = list(results.items())
    for delivery_id in [*alone, *children]:
        results[delivery_id] = process_delivery(hub, delivery_id)
    for delivery_id, result in batched_results:  # PPAP: a password mail and its sender's ZIP mail
        result.child_results += after_ppap(hub, delivery_id, result)
    return results


__all__ = ["MAX_BATCH", "process_mails"]
