"""IMAP polling beside the inbox: every mail integration with an ``imap`` mailbox, in every workspace.

``Poller`` runs on a daemon thread. Every ``tick`` seconds it looks for mail integrations whose
settings name an IMAP mailbox (stopped ones are skipped) and polls each one that is due, that is
once every ``interval_minutes`` (the first time at once). A poll that fails is logged, once per
change of its message, and tried again at the next interval; nothing is lost, because a mail
stays on the server until it is landed (``renkei.pipeline.imap_pull``).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from sqlalchemy import select

from renkei.channels.worker import WorkspaceHubs
from renkei.errors import ConfigurationError, NotFoundError, RenkeiError
from renkei.pipeline.hub import Hub
from renkei.pipeline.imap_pull import PollResult, imap_settings, poll_once
from renkei.pipeline.integrations import Integration, get_integration
from renkei.sources.mail.auth import Resolver
from renkei.sources.mail_kind import MAIL_KINDS
from renkei.store.schema import integrations

log = logging.getLogger(__name__)

TICK = 5.0

Poll = Callable[[Hub, Integration], PollResult]


class Poller:
    """A thread polling the IMAP mailboxes of every workspace's mail integrations, each at its interval."""

    def __init__(self, hub: Hub, *, tick: float = TICK, resolver: Resolver | None = None) -> None:
        self.hubs = WorkspaceHubs(hub)
        self._tick = tick
        self._resolver = resolver
        self._due: dict[int, float] = {}
        self._told: dict[int, str] = {}
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="renkei-imap", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 60.0) -> None:
        """Finish the poll in hand and stop."""
        self._stopping.set()
        if self._thread.is_alive():
            self._thread.join(timeout)
            if self._thread.is_alive():
                log.warning("the IMAP polling thread did not stop within %s s", timeout)

    def poll_due(self, now: float | None = None) -> dict[int, PollResult | str]:
        """One pass: poll every integration that is due; integration id → result, or the error's message."""
        now = time.monotonic() if now is None else now
        done: dict[int, PollResult | str] = {}
        for workspace_id, integration_id in self._mailboxes():
            if self._stopping.is_set():
                break
            if self._due.get(integration_id, 0.0) > now:
                continue
            hub = self.hubs.get(workspace_id)
            try:
                integration = get_integration(hub, integration_id)
                interval = imap_settings(integration).interval_minutes * 60.0
            except (NotFoundError, ConfigurationError):
                continue  # removed or changed meanwhile
            self._due[integration_id] = now + interval
            done[integration_id] = self._poll(hub, integration)
        return done

    def _mailboxes(self) -> list[tuple[int, int]]:
        """(workspace id, integration id) of every mail integration whose settings name an IMAP mailbox."""
        with self.hubs.base.engine.connect() as conn:
            rows = conn.execute(
                select(integrations.c.workspace_id, integrations.c.id, integrations.c.settings).where(
                    integrations.c.kind.in_(MAIL_KINDS), integrations.c.status != "stopped"
                )
            ).all()
        return [(int(r.workspace_id), int(r.id)) for r in rows if (r.settings or {}).get("imap")]

    def _poll(self, hub: Hub, integration: Integration) -> PollResult | str:
        try:
            result = poll_once(hub, integration, resolver=self._resolver)
        except RenkeiError as error:
            self._tell(integration, f"IMAP poll of {integration.name!r} failed: {error}", logging.WARNING)
            return str(error)
        except Exception as error:
            log.exception("IMAP poll of %r crashed; trying again at the next interval", integration.name)
            return f"crashed: {error}"
        self._tell(integration, f"polling IMAP for {integration.name!r}", logging.INFO)
        if result.landed or result.skipped:
            log.info(
                "IMAP %r: %s landed, %s duplicate, %s skipped",
                integration.name, len(result.landed), result.duplicates, len(result.skipped),
            )  # fmt: skip
        return result

    def _tell(self, integration: Integration, message: str, level: int) -> None:
        """Log how an integration's polls go, once per change."""
        if self._told.get(integration.id) != message:
            self._told[integration.id] = message
            log.log(level, "%s", message)

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                self.poll_due()
            except Exception:
                log.exception("the IMAP polling pass crashed; trying again in %s s", self._tick)
            self._stopping.wait(self._tick)


def make_poller(hub: Hub, tick: float = TICK) -> Poller:
    """An IMAP poller for every workspace of ``hub``'s store; callers start and stop it."""
    return Poller(hub, tick=tick)
