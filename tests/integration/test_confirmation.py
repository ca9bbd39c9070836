"""Forwarding confirmed: SUUMO's address-confirmation mail or the first lead marks a mail integration
confirmed (with a notice for the former); a quarantined mail is told to the error addresses."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from sqlalchemy import select

from renkei.cli import present
from renkei.errors import FatalError
from renkei.pipeline import deliveries as delivery_service
from renkei.pipeline import integrations as integration_service
from renkei.pipeline import mail as mail_service
from renkei.pipeline.hub import Hub
from renkei.store.schema import outbox

CASES = Path(__file__).resolve().parents[1] / "cases" / "portals"
ERRORS_TO, SUCCESS_TO = "it@sample-fudosan.example.jp", "sales@sample-fudosan.example.jp"


def add_suumo(hub: Hub, *, errors: list[str], success: list[str], settings: dict[str, Any] | None = None) -> Any:
    document = {
        "integrations": [
            {
                "name": "目黒店SUUMO",
                "kind": "suumo",
                "settings": settings or {},
                "notify": {"errors": errors, "success": success},
            }
        ]
    }
    integration_service.apply_file(hub, document)
    return integration_service.integration_by_name(hub, "目黒店SUUMO")


def mails(hub: Hub) -> list[Any]:
    with hub.engine.connect() as conn:
        return list(conn.execute(select(outbox).order_by(outbox.c.id)).all())


def listed(hub: Hub) -> str:
    console = Console(record=True, width=250)
    present.integrations(console, hub, integration_service.list_integrations(hub), as_json=False)
    return console.export_text()


@pytest.mark.parametrize("fixture", ["address_confirmation", "settings_notice"])
def test_a_confirmation_mail_confirms_forwarding_and_tells_every_address_once(hub, fixture):
    integration = add_suumo(hub, errors=[ERRORS_TO, SUCCESS_TO], success=[SUCCESS_TO])
    assert integration.confirmed_at is None
    assert "確認待ち" in listed(hub)
    result = mail_service.import_mail(hub, integration, (CASES / "suumo" / f"{fixture}.eml").read_bytes())
    assert result.state == "not-a-lead"
    confirmed = integration_service.integration_by_name(hub, "目黒店SUUMO")
    assert confirmed.confirmed_at is not None
    shown = listed(hub)
    assert "確認待ち" not in shown and "確認済み" in shown
    [notice] = mails(hub)
    assert "連携が完了しました" in notice.subject and "目黒店SUUMO" in notice.subject
    assert notice.recipients == [ERRORS_TO, SUCCESS_TO]
    assert "目黒店SUUMO" in notice.body and "転送は確認済み" in notice.body
    assert notice.delivery_id == result.delivery_id


def test_the_confirmation_notice_carries_the_portals_link(hub):
    integration = add_suumo(hub, errors=[ERRORS_TO], success=[])
    mail_service.import_mail(hub, integration, (CASES / "suumo" / "address_confirmation.eml").read_bytes())
    [notice] = mails(hub)
    assert "https://jds.suumo.jp/confirm?token=EXAMPLETOKEN0001" in notice.body


def test_the_first_lead_confirms_forwarding_without_a_notice(hub):
    integration = add_suumo(hub, errors=[ERRORS_TO], success=[])
    assert mail_service.import_mail(hub, integration, (CASES / "suumo" / "rental.eml").read_bytes()).state == (
        "processed"
    )
    first = integration_service.integration_by_name(hub, "目黒店SUUMO").confirmed_at
    assert first is not None
    assert [m.subject for m in mails(hub) if "連携が完了しました" in m.subject] == []
    mail_service.import_mail(hub, integration, (CASES / "suumo" / "sale_quoted_printable.eml").read_bytes())
    assert integration_service.integration_by_name(hub, "目黒店SUUMO").confirmed_at == first


def test_a_notice_that_is_not_a_confirmation_confirms_nothing(hub):
    integration = add_suumo(hub, errors=[ERRORS_TO], success=[SUCCESS_TO])
    mail_service.import_mail(hub, integration, (CASES / "suumo" / "maintenance_notice.eml").read_bytes())
    assert integration_service.integration_by_name(hub, "目黒店SUUMO").confirmed_at is None
    assert mails(hub) == []


def test_confirmation_commits_with_the_delivery_or_not_at_all(hub, monkeypatch):
    integration = add_suumo(hub, errors=[ERRORS_TO], success=[])
    calls = []

    def crash_once(*_: Any) -> None:
        calls.append(1)
        if len(calls) == 1:
            raise FatalError("the store went away before commit")

    monkeypatch.setattr(delivery_service, "AFTER_DELIVERY", [*delivery_service.AFTER_DELIVERY, crash_once])
    result = mail_service.import_mail(hub, integration, (CASES / "suumo" / "address_confirmation.eml").read_bytes())
    assert result.state == "failed"
    assert integration_service.integration_by_name(hub, "目黒店SUUMO").confirmed_at is None
    assert [m.subject for m in mails(hub) if "連携が完了しました" in m.subject] == []


def test_a_quarantined_mail_is_told_to_the_error_addresses_once(hub):
    integration = add_suumo(
        hub, errors=[ERRORS_TO], success=[SUCCESS_TO], settings={"allowed_senders": ["@homes.co.jp"]}
    )
    result = mail_service.import_mail(hub, integration, (CASES / "suumo" / "rental.eml").read_bytes())
    assert result.state == "quarantined"
    [notice] = mails(hub)
    assert notice.recipients == [ERRORS_TO]
    assert "隔離" in notice.subject and "目黒店SUUMO" in notice.subject
    assert "system@jds.suumo.jp is not allowed" in notice.body
    assert f"renkei deliveries show {result.delivery_id}" in notice.body
    assert integration_service.integration_by_name(hub, "目黒店SUUMO").confirmed_at is None


def test_an_unreadable_mail_is_quarantined_and_told(hub):
    integration = add_suumo(hub, errors=[ERRORS_TO], success=[])
    result = mail_service.import_mail(hub, integration, b"\x00\x01 not a mail at all \xff" * 3)
    assert result.state == "quarantined"
    assert [m.subject.split(":")[0] for m in mails(hub)] == ["[Renkei] 隔離"]
