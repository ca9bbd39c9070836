"""The SMTP inbox's landing: mails of concurrent sessions land together, and nothing is lost.

A real inbox (aiosmtpd on loopback, smtplib clients) on SQLite and PostgreSQL; the lander is
also driven directly to put several mails into one group.
"""

from __future__ import annotations

import smtplib
import threading

import pytest
from bench.mail_ingest import mail

from renkei.channels import landing
from renkei.channels.landing import Lander, Origin
from renkei.channels.worker import WorkspaceHubs
from renkei.pipeline.deliveries import list_deliveries
from renkei.pipeline.hub import Hub
from renkei.pipeline.mail import find_inbox, inbox_key, rotate_inbox_secret
from tests.helpers import eventually, settled, states
from tests.helpers import export as customers
from tests.integration.test_smtp import SENDER, add_suumo, running_inbox, send

ORIGIN = Origin("127.0.0.1", "relay.example.jp", SENDER)


def person(n: int, to: str = "x@inbox.localhost") -> bytes:
    """A SUUMO inquiry mail from a person of its own (e-mail, phone, inquiry id and Message-ID differ)."""
    return mail(n, to)


def test_mails_from_many_sessions_at_once_each_become_one_customer(hub):
    address = add_suumo(hub)
    replies: list[int] = []
    with running_inbox(hub) as inbox:

        def session(first: int) -> None:
            with smtplib.SMTP("127.0.0.1", inbox.port, timeout=30) as client:
                for n in range(first, first + 8):
                    client.sendmail(SENDER, [address], person(n))
                    replies.append(250)

        threads = [threading.Thread(target=session, args=(k * 8,)) for k in range(5)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        eventually(settled(hub, 40), "every mail is processed")
    assert replies == [250] * 40
    assert states(hub) == ["processed"] * 40
    assert sorted(c["email"] for c in customers(hub)) == sorted(f"bench{n}@example.jp" for n in range(40))


def lander_for(hub: Hub, submitted: list[tuple[int, int]]) -> Lander:
    return Lander(WorkspaceHubs(hub), submitted.extend)


def inboxes(hub: Hub, address: str) -> dict[int, tuple[int, str]]:
    found = find_inbox(hub.engine, address)
    key = inbox_key(address)
    assert found is not None and key is not None
    return {found[1]: (found[0], key[1])}


def land_together(lander: Lander, mails: list[tuple[bytes, dict[int, tuple[int, str]]]]) -> list[object]:
    """Queue every mail before the lander starts, so that they form one group; each answer."""
    answers = [lander.land(raw, ORIGIN, named) for raw, named in mails]
    lander.start()
    try:
        return [answer.result(timeout=30) for answer in answers]
    finally:
        lander.stop()


def test_a_group_lands_every_mail_once_and_a_repeat_within_it_is_not_recorded_again(hub):
    address = add_suumo(hub)
    named = inboxes(hub, address)
    submitted: list[tuple[int, int]] = []
    one, two = person(1), person(2)
    answers = land_together(lander_for(hub, submitted), [(one, named), (two, named), (one, named)])
    first, second = sorted(list_deliveries(hub), key=lambda d: d.id)
    assert (first.state, second.state) == ("received", "received")
    # The repeat names the delivery its first copy made, still waiting; it goes on to processing once.
    ws = hub.workspace_id
    assert answers == [([(ws, first.id)], 1), ([(ws, second.id)], 1), ([(ws, first.id)], 1)]
    assert submitted == [(ws, first.id), (ws, second.id)]
    assert all(hub.archive.path_for(d.sha256).exists() for d in (first, second))


def test_a_mail_that_cannot_be_recorded_is_refused_alone(hub, monkeypatch):
    address = add_suumo(hub)
    named = inboxes(hub, address)
    real = landing.record_landing
    mails = [person(n) for n in (1, 2, 3)]

    def fails_for_person_2(conn, hub_, integration, stored, **kwargs):  # type: ignore[no-untyped-def]
        if hub_.archive.read(stored.sha256) == mails[1]:
            raise RuntimeError("disk trouble")
        return real(conn, hub_, integration, stored, **kwargs)

    monkeypatch.setattr(landing, "record_landing", fails_for_person_2)
    submitted: list[tuple[int, int]] = []
    lander = lander_for(hub, submitted)
    answers = [lander.land(raw, ORIGIN, named) for raw in mails]
    lander.start()
    try:
        assert answers[0].result(timeout=30)[1] == 1
        with pytest.raises(RuntimeError):
            answers[1].result(timeout=30)
        assert answers[2].result(timeout=30)[1] == 1
    finally:
        lander.stop()
    # The other two are recorded once each (the group's transaction was rolled back, then each landed alone).
    assert states(hub) == ["received", "received"]
    assert len(submitted) == 2


def test_a_rotated_inbox_address_is_refused_even_right_after_a_mail_to_it(hub):
    address = add_suumo(hub)
    with running_inbox(hub) as inbox:
        assert send(inbox.port, [address], person(1))[0] == 250
        eventually(settled(hub, 1), "the first mail is processed")
        new_address = rotate_inbox_secret(hub, "suumo")
        # The old address was remembered at RCPT a moment ago: the landing still refuses it.
        with smtplib.SMTP("127.0.0.1", inbox.port, timeout=30) as client:
            client.ehlo()
            assert client.mail(SENDER)[0] == 250
            assert client.rcpt(address)[0] == 250
            assert client.data(person(2))[0] == 554
        assert send(inbox.port, [new_address], person(3))[0] == 250
        eventually(settled(hub, 2), "the mail to the new address is processed")
    assert sorted(c["email"] for c in customers(hub)) == ["bench1@example.jp", "bench3@example.jp"]


def test_a_mail_whose_session_went_away_before_landing_is_left_alone_and_the_lander_goes_on(hub):
    address = add_suumo(hub)
    named = inboxes(hub, address)
    submitted: list[tuple[int, int]] = []
    lander = lander_for(hub, submitted)
    gone = lander.land(person(1), ORIGIN, named)
    kept = lander.land(person(2), ORIGIN, named)
    assert gone.cancel()  # what aiosmtpd does when the client disconnects while it waits
    lander.start()
    try:
        assert kept.result(timeout=30)[1] == 1
        assert lander.land(person(3), ORIGIN, named).result(timeout=30)[1] == 1
    finally:
        lander.stop()
    assert states(hub) == ["received", "received"]
    assert len(submitted) == 2
