"""Landing the SMTP inbox's mails: those that arrive together are landed together.

Every accepted mail must be archived durably and recorded as a delivery before its ``250``.
One thread does it for all sessions: it takes every mail that is waiting, archives each
(written and fsynced), records them all in ONE transaction, and only then answers each
session. Under load a transaction so carries many mails (one begin, one commit, one read of
the integrations they are for); a quiet inbox lands each mail alone, as soon as it comes. A
group whose transaction fails is landed again one mail at a time, so that one bad mail is
refused alone.

The integrations are read inside that transaction, so a mail for an integration removed (or
an inbox address rotated) since its RCPT is refused at the end of DATA.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field

from renkei import failpoints
from renkei.channels.worker import WorkspaceHubs
from renkei.pipeline.deliveries import record_landing
from renkei.pipeline.integrations import StoredIntegration, integrations_by_id
from renkei.pipeline.mail import check_mail, mail_meta
from renkei.sources.mail.auth import AuthResults, Resolver
from renkei.store.db import LANDINGS, hold

log = logging.getLogger(__name__)

#: At most this many mails a transaction (a burst larger than this takes several).
MAX_GROUP = 64

#: (deliveries to process as (workspace id, delivery id), how many of the mail's inboxes took it).
Landed = tuple[list[tuple[int, int]], int]


@dataclass(frozen=True, slots=True)
class Origin:
    """What the SMTP session knows of a mail's origin (for SPF and the delivery's record)."""

    peer_ip: str | None
    helo: str | None
    mail_from: str | None


@dataclass(slots=True)
class Arrival:
    """One mail waiting to land: its bytes, origin, the inboxes it names, and its answer."""

    raw: bytes
    origin: Origin
    #: integration id → (workspace id, SHA-256 of the inbox secret the recipient gave).
    inboxes: dict[int, tuple[int, str]]
    answer: Future[Landed] = field(default_factory=Future)


class Lander:
    """The thread that lands mails for every SMTP session, a group at a time.

    ``submit`` is called with the (workspace id, delivery id) the group's mails made once they
    are committed, before the sessions are answered.
    """

    def __init__(
        self,
        hubs: WorkspaceHubs,
        submit: Callable[[list[tuple[int, int]]], None],
        resolver: Resolver | None = None,
        name: str = "renkei-smtp-land",
    ) -> None:
        self._hubs = hubs
        self._submit = submit
        self._resolver = resolver
        self._queue: queue.SimpleQueue[Arrival | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        """Land what is waiting, then stop."""
        self._queue.put(None)
        if self._thread.is_alive():
            self._thread.join(timeout)

    def land(self, raw: bytes, origin: Origin, inboxes: dict[int, tuple[int, str]]) -> Future[Landed]:
        """Queue a mail to land; the future answers once it is durable (or says why it is not)."""
        arrival = Arrival(raw, origin, inboxes)
        self._queue.put(arrival)
        return arrival.answer

    def _run(self) -> None:
        stopping = False
        while not stopping:
            first = self._queue.get()
            if first is None:
                return
            group = [first]
            while len(group) < MAX_GROUP:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    stopping = True
                    break
                group.append(item)
            self._land_group(group)

    def _land_group(self, group: list[Arrival]) -> None:
        # A session that went away before its mail was taken up (aiosmtpd cancels its wait) will
        # send again: its mail is left alone. Once taken up, a mail can no longer be cancelled.
        group = [arrival for arrival in group if arrival.answer.set_running_or_notify_cancel()]
        if group:
            self._land_running(group)

    def _land_running(self, group: list[Arrival]) -> None:
        try:
            answers = self._land_together(group)
        except Exception:
            if len(group) == 1:
                log.exception("landing a mail from %s failed; the sender will retry", group[0].origin.mail_from)
                group[0].answer.set_exception(RuntimeError("landing failed"))
                return
            log.exception("landing %s mails together failed; landing them one at a time", len(group))
            for arrival in group:
                self._land_running([arrival])
            return
        for arrival, answer in zip(group, answers, strict=True):
            arrival.answer.set_result(answer)

    def _land_together(self, group: list[Arrival]) -> list[Landed]:
        """Archive every mail of the group, record them in one transaction; each mail's answer."""
        checked: list[AuthResults | None] = []
        for arrival in group:
            origin = arrival.origin
            checked.append(
                check_mail(
                    arrival.raw,
                    resolver=self._resolver,
                    peer_ip=origin.peer_ip,
                    helo=origin.helo,
                    mail_from=origin.mail_from,
                )
            )
        base = self._hubs.base
        stored = base.archive.put_many([arrival.raw for arrival in group])
        failpoints.hit("land.archived")
        answers: list[Landed] = []
        with base.engine.begin() as conn:
            inboxes = {i for arrival in group for i in arrival.inboxes}
            # Each integration's landings take turns: all of the group's first, in one order.
            hold(conn, LANDINGS, *inboxes)
            found = integrations_by_id(conn, base.secrets, inboxes)
            for arrival, auth, where in zip(group, checked, stored, strict=True):
                landed: list[tuple[int, int]] = []
                accepted = 0
                for integration_id, (workspace_id, secret_hash) in arrival.inboxes.items():
                    inbox = _still_there(found.get(integration_id), workspace_id, secret_hash)
                    if inbox is None:
                        log.warning("integration %s was removed, or its inbox moved, as a mail came", integration_id)
                        continue
                    meta = mail_meta(inbox.integration, arrival.raw, arrival.origin.mail_from, auth)
                    hub = self._hubs.get(workspace_id)
                    delivery, is_new = record_landing(
                        conn, hub, inbox.integration, where, file_name=None, channel="smtp", meta=meta
                    )
                    accepted += 1
                    if is_new:
                        landed.append((workspace_id, delivery.id))
                answers.append((landed, accepted))
        failpoints.hit("land.recorded")
        # A mail sent twice in one group names the first copy's delivery again: submitted once.
        self._submit(list(dict.fromkeys(item for landed, _ in answers for item in landed)))
        return answers


def _still_there(inbox: StoredIntegration | None, workspace_id: int, secret_hash: str) -> StoredIntegration | None:
    """``inbox`` if it is still the one the recipient named (same workspace, same secret)."""
    if inbox is None or inbox.workspace_id != workspace_id or inbox.inbox_hash != secret_hash:
        return None
    return inbox
