"""Landing the SMTP inbox's mails: those that arrive together are landed together.

Every accepted mail must be archived durably and recorded as a delivery before its ``250``.
Two threads do it for all sessions, as a pipeline: one takes every mail that is waiting and
archives the group (written and fsynced together, ``Archive.put_many``); the other takes every
archived mail waiting and records them all in ONE transaction, and only then answers each
session. While one group's bytes are being synced, the group before it is being committed.
Under load a transaction so carries many mails (one begin, one commit, one read of the
integrations they are for); a quiet inbox lands each mail alone, as soon as it comes. A group
whose archiving or transaction fails is retried one mail at a time, so that one bad mail is
refused alone.

The integrations are read inside that transaction, so a mail for an integration removed (or
an inbox address rotated) since its RCPT is refused at the end of DATA.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import TypeVar

from renkei import failpoints
from renkei.channels.worker import WorkspaceHubs
from renkei.pipeline.deliveries import record_landing
from renkei.pipeline.integrations import Inbox, inboxes_by_id
from renkei.pipeline.mail import check_mail, mail_meta
from renkei.sources.mail.auth import AuthResults, Resolver
from renkei.store.archive import Stored

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


@dataclass(slots=True)
class Archived:
    """A mail whose bytes are durable, waiting to be recorded: its arrival and its SPF/DKIM results."""

    arrival: Arrival
    auth: AuthResults | None
    stored: Stored


class Lander:
    """The two threads that land mails for every SMTP session, a group at a time.

    One archives (checks SPF and DKIM, writes and fsyncs), the other records (one transaction
    for every archived mail waiting): while a group's bytes are being synced, the one before
    it is being committed. ``submit`` is called with the (workspace id, delivery id) the
    recorded mails made once they are committed, before the sessions are answered.
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
        self._arrivals: queue.SimpleQueue[Arrival | None] = queue.SimpleQueue()
        self._archived: queue.SimpleQueue[Archived | None] = queue.SimpleQueue()
        self._threads = [
            threading.Thread(target=self._archive_loop, name=f"{name}-archive", daemon=True),
            threading.Thread(target=self._record_loop, name=f"{name}-record", daemon=True),
        ]

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        """Land what is waiting, then stop."""
        self._arrivals.put(None)
        for thread in self._threads:
            if thread.is_alive():
                thread.join(timeout)

    def land(self, raw: bytes, origin: Origin, inboxes: dict[int, tuple[int, str]]) -> Future[Landed]:
        """Queue a mail to land; the future answers once it is durable (or says why it is not)."""
        arrival = Arrival(raw, origin, inboxes)
        self._arrivals.put(arrival)
        return arrival.answer

    def _archive_loop(self) -> None:
        for group in _groups(self._arrivals):
            # A session that went away before its mail was taken up (aiosmtpd cancels its wait)
            # will send again: its mail is left alone. Once taken up, it can no longer be cancelled.
            group = [arrival for arrival in group if arrival.answer.set_running_or_notify_cancel()]
            for archived in self._archive(group):
                self._archived.put(archived)
        self._archived.put(None)

    def _record_loop(self) -> None:
        for group in _groups(self._archived):
            self._record(group)

    def _archive(self, group: list[Arrival]) -> list[Archived]:
        """Check and archive the group's mails together (one at a time should that fail)."""
        if not group:
            return []
        try:
            checked = [self._check(arrival) for arrival in group]
            stored = self._hubs.base.archive.put_many([arrival.raw for arrival in group])
        except Exception:
            if len(group) == 1:
                _refuse(group[0], "archiving")
                return []
            log.exception("archiving %s mails together failed; archiving them one at a time", len(group))
            return [archived for arrival in group for archived in self._archive([arrival])]
        failpoints.hit("land.archived")
        return [Archived(a, auth, where) for a, auth, where in zip(group, checked, stored, strict=True)]

    def _check(self, arrival: Arrival) -> AuthResults | None:
        origin = arrival.origin
        return check_mail(
            arrival.raw, resolver=self._resolver, peer_ip=origin.peer_ip, helo=origin.helo, mail_from=origin.mail_from
        )

    def _record(self, group: list[Archived]) -> None:
        """Record the group's mails in one transaction (one at a time should that fail); answer each."""
        try:
            answers = self._record_together(group)
        except Exception:
            if len(group) == 1:
                _refuse(group[0].arrival, "recording")
                return
            log.exception("recording %s mails together failed; recording them one at a time", len(group))
            for archived in group:
                self._record([archived])
            return
        for archived, answer in zip(group, answers, strict=True):
            archived.arrival.answer.set_result(answer)

    def _record_together(self, group: list[Archived]) -> list[Landed]:
        """Record every mail of the group in one transaction, hand the new deliveries on; each mail's answer."""
        answers: list[Landed] = []
        base = self._hubs.base
        with base.engine.begin() as conn:
            wanted = {i for archived in group for i in archived.arrival.inboxes}
            found = inboxes_by_id(conn, base.secrets, wanted)
            for archived in group:
                arrival = archived.arrival
                landed: list[tuple[int, int]] = []
                accepted = 0
                for integration_id, (workspace_id, secret_hash) in arrival.inboxes.items():
                    inbox = _still_there(found.get(integration_id), workspace_id, secret_hash)
                    if inbox is None:
                        log.warning("integration %s was removed, or its inbox moved, as a mail came", integration_id)
                        continue
                    meta = mail_meta(inbox.integration, arrival.raw, arrival.origin.mail_from, archived.auth)
                    hub = self._hubs.get(workspace_id)
                    delivery, is_new = record_landing(
                        conn, hub, inbox.integration, archived.stored, file_name=None, channel="smtp", meta=meta
                    )
                    accepted += 1
                    if is_new:
                        landed.append((workspace_id, delivery.id))
                answers.append((landed, accepted))
        failpoints.hit("land.recorded")
        # A mail sent twice in one group names the first copy's delivery again: submitted once.
        self._submit(list(dict.fromkeys(item for landed, _ in answers for item in landed)))
        return answers


Item = TypeVar("Item")


def _groups(waiting: queue.SimpleQueue[Item | None]) -> Iterator[list[Item]]:
    """What waits on ``waiting``, a group at a time (at most MAX_GROUP), until a None says stop."""
    while True:
        first = waiting.get()
        if first is None:
            return
        group = [first]
        stopping = False
        while len(group) < MAX_GROUP:
            try:
                item = waiting.get_nowait()
            except queue.Empty:
                break
            if item is None:
                stopping = True
                break
            group.append(item)
        yield group
        if stopping:
            return


def _refuse(arrival: Arrival, step: str) -> None:
    """The mail could not be landed: its session answers 451 and the sender retries."""
    log.exception("%s a mail from %s failed; the sender will retry", step, arrival.origin.mail_from)
    arrival.answer.set_exception(RuntimeError(f"{step} failed"))


def _still_there(inbox: Inbox | None, workspace_id: int, secret_hash: str) -> Inbox | None:
    """``inbox`` if it is still the one the recipient named (same workspace, same secret)."""
    if inbox is None or inbox.workspace_id != workspace_id or inbox.inbox_hash != secret_hash:
        return None
    return inbox
