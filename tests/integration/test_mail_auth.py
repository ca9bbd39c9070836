"""SPF and DKIM results recorded with each mail's delivery, and the quarantine they can trigger.

The SMTP inbox runs for real on loopback; DNS answers come from the test (``FakeDns``).
"""

from __future__ import annotations

import smtplib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from sqlalchemy import select

from renkei.channels.smtp import InboxController, make_controller
from renkei.cli import present
from renkei.pipeline import deliveries as delivery_service
from renkei.pipeline import integrations as integration_service
from renkei.pipeline import mail as mail_service
from renkei.pipeline.hub import Hub
from renkei.sources.mail.auth import authenticate
from renkei.store.schema import outbox
from tests.helpers import eventually, export, free_port, settled
from tests.unit.mail.test_mail_auth import SPF_ZONE, FakeDns, signed, signing_key

RENTAL = (Path(__file__).resolve().parents[1] / "cases" / "portals" / "suumo" / "rental.eml").read_bytes()
SENDER = "system@jds.suumo.jp"
ERRORS_TO = "it@sample-fudosan.example.jp"


@pytest.fixture(scope="module")
def key() -> tuple[bytes, str]:
    return signing_key()


@pytest.fixture
def dns(key: tuple[bytes, str]) -> FakeDns:
    return FakeDns({**SPF_ZONE, ("s1._domainkey.jds.suumo.jp", "TXT"): [key[1]]})


def add_suumo(hub: Hub, quarantine: bool = False) -> Any:
    document = {
        "integrations": [
            {
                "name": "suumo",
                "kind": "suumo",
                "settings": {"quarantine_auth_failures": quarantine},
                "notify": {"errors": [ERRORS_TO]},
            }
        ]
    }
    integration_service.apply_file(hub, document)
    return integration_service.integration_by_name(hub, "suumo")


@pytest.fixture
def inbox(hub: Hub, dns: FakeDns, monkeypatch: pytest.MonkeyPatch) -> Iterator[InboxController]:
    monkeypatch.setenv("RENKEI_MAIL_AUTH", "record")
    controller = make_controller(hub, "127.0.0.1", free_port(), resolver=dns)
    controller.start()
    try:
        yield controller
    finally:
        controller.stop()


def send(port: int, recipient: str, raw: bytes) -> int:
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as client:
        client.ehlo("mx.forwarder.example")
        client.mail(SENDER)
        client.rcpt(recipient)
        return client.data(raw)[0]


def test_smtp_records_dkim_and_says_spf_was_not_judged_for_a_local_peer(hub, inbox, key):
    integration = add_suumo(hub)
    assert send(inbox.port, mail_service.inbox_address(integration), signed(RENTAL, key[0])) == 250
    eventually(settled(hub, 1), "the delivery is processed")
    [delivery] = delivery_service.list_deliveries(hub)
    assert delivery.state == "processed"
    auth = delivery.meta["auth"]
    assert auth["dkim"] == {"result": "pass", "domain": "jds.suumo.jp", "reason": "selector s1"}
    assert (auth["spf"]["result"], auth["spf"]["domain"]) == ("none", "jds.suumo.jp")
    assert "127.0.0.1" in auth["spf"]["reason"]


def test_smtp_quarantines_a_mail_whose_dkim_fails_when_asked_to(hub, inbox, key):
    integration = add_suumo(hub, quarantine=True)
    tampered = signed(RENTAL, key[0]).replace(b"\r\n\r\n", b"\r\n\r\nX", 1)
    assert send(inbox.port, mail_service.inbox_address(integration), tampered) == 250
    eventually(settled(hub, 1), "the delivery is quarantined")
    [delivery] = delivery_service.list_deliveries(hub)
    assert delivery.state == "quarantined"
    assert "DKIM fail for jds.suumo.jp" in (delivery.reason or "")
    assert export(hub) == []
    with hub.engine.connect() as conn:
        [notice] = conn.execute(select(outbox)).all()
    assert notice.recipients == [ERRORS_TO] and "DKIM fail for jds.suumo.jp" in notice.body


def test_with_auth_off_nothing_is_looked_up_or_recorded(hub, dns, key, monkeypatch):
    monkeypatch.setenv("RENKEI_MAIL_AUTH", "off")
    integration = add_suumo(hub, quarantine=True)
    tampered = signed(RENTAL, key[0]).replace(b"\r\n\r\n", b"\r\n\r\nX", 1)
    result = mail_service.import_mail(hub, integration, tampered, resolver=dns)
    assert result.state == "processed"
    assert "auth" not in delivery_service.get_delivery(hub, result.delivery_id).meta
    assert dns.asked == []


def spf_fail(dns: FakeDns) -> Any:
    # A public peer the SPF record of jds.suumo.jp does not list.
    return authenticate(RENTAL, dns, peer_ip="8.8.8.8", helo="mail.spoofer.example", mail_from=SENDER)


def test_an_spf_failure_is_recorded_and_processed_by_default(hub, dns):
    integration = add_suumo(hub)
    delivery, _ = mail_service.receive_mail(hub, integration, RENTAL, channel="smtp", auth=spf_fail(dns))
    assert delivery.meta["auth"]["spf"]["result"] == "fail"
    assert delivery_service.process_delivery(hub, delivery.id).state == "processed"


def test_an_spf_failure_quarantines_when_asked_to_and_a_replay_releases_it(hub, dns):
    integration = add_suumo(hub, quarantine=True)
    delivery, _ = mail_service.receive_mail(hub, integration, RENTAL, channel="smtp", auth=spf_fail(dns))
    result = delivery_service.process_delivery(hub, delivery.id)
    assert result.state == "quarantined"
    assert result.reason is not None and "SPF fail for jds.suumo.jp" in result.reason
    assert export(hub) == []
    assert delivery_service.replay_delivery(hub, delivery.id).state == "processed"
    assert len(export(hub)) == 1


def test_a_mail_imported_from_a_file_records_dkim_only(hub, dns, key, monkeypatch):
    monkeypatch.setenv("RENKEI_MAIL_AUTH", "record")
    integration = add_suumo(hub)
    result = mail_service.import_mail(hub, integration, signed(RENTAL, key[0]), resolver=dns)
    auth = delivery_service.get_delivery(hub, result.delivery_id).meta["auth"]
    assert auth == {"dkim": {"result": "pass", "domain": "jds.suumo.jp", "reason": "selector s1"}}


def test_deliveries_show_displays_the_auth_results(hub, dns):
    integration = add_suumo(hub)
    delivery, _ = mail_service.receive_mail(hub, integration, RENTAL, channel="smtp", auth=spf_fail(dns))
    console = Console(record=True, width=200)
    present.delivery(console, delivery_service.get_delivery(hub, delivery.id), [], as_json=False)
    assert "spf=fail (jds.suumo.jp) dkim=none" in console.export_text()
