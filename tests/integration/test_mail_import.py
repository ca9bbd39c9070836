"""Portal mails through the pipeline: inbox addresses, verdicts, duplicates, one customer per person."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from renkei.pipeline import customers as customer_service
from renkei.pipeline import deliveries as delivery_service
from renkei.pipeline import integrations as integration_service
from renkei.pipeline import mail as mail_service
from tests.helpers import export

CASES = Path(__file__).resolve().parents[1] / "cases" / "portals"
STATES = {
    "lead": "processed",
    "not_a_lead": "not-a-lead",
    "confirmation": "not-a-lead",
    "unrecognised": "not-a-lead",
    "broken_lead": "failed",
}
KIND_OF = {
    "suumo": ("suumo", None),
    "homes": ("homes", None),
    "athome": ("athome", None),
    "reguide": ("mail-labels", "reguide"),
    "ieul": ("mail-labels", "ieul"),
    "home4u": ("mail-labels", "home4u"),
    "yahoo-fudosan": ("mail-labels", "yahoo-fudosan"),
    "form": ("mail-labels", None),  # the default preset
    "unrelated": ("suumo", None),
}


def integration(hub, kind: str, preset: str | None = None, name: str | None = None):
    settings = {"preset": preset} if preset else {}
    return integration_service.add_integration(
        hub, {"name": name or f"{kind}-{preset}", "kind": kind, "settings": settings}
    )


FIXTURES = sorted(CASES.glob("*/*.eml"))


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_portal_fixture_ends_in_the_expected_state(hub, path):
    expected = json.loads(path.with_suffix("").with_suffix(".expected.json").read_text(encoding="utf-8"))
    kind, preset = KIND_OF[path.parent.name]
    result = mail_service.import_mail(hub, integration(hub, kind, preset), path.read_bytes())
    assert result.state == STATES[expected["verdict"]], result.reason
    customers = export(hub)
    if expected["verdict"] == "lead":
        (customer,) = customers
        (inquiry,) = customer["inquiries"]
        assert inquiry["external_id"] == expected["external_id"]
        if expected["fields"].get("email"):
            assert customer["email"] == expected["fields"]["email"].lower().replace(" ", "")
        assert customer["acquisition_channel"] == inquiry["source"]
    else:
        assert customers == []
        assert result.reason


def test_a_web_forms_mail_is_a_customer_through_a_mail_labels_integration_without_a_preset(hub):
    form = integration(hub, "mail-labels", name="自社フォーム")
    result = mail_service.import_mail(hub, form, (CASES / "form" / "inquiry.eml").read_bytes())
    assert (result.state, result.counts.created, result.counts.errors) == ("processed", 1, 0)
    (customer,) = export(hub)
    assert (customer["last_name"], customer["first_name"], customer["email"]) == ("佐藤", "花子", "hanako@example.jp")
    assert (customer["company_name"], customer["department"], customer["title"]) == ("株式会社ABC", "営業部", "部長")
    assert (customer["phone"], customer["custom"]) == ("+81312345678", {"phone": "+81312345679"})
    assert (customer["address1"], customer["address2"]) == ("渋谷2-21-1", "渋谷ヒカリエ8F")
    (inquiry,) = customer["inquiries"]
    assert (inquiry["source"], inquiry["message"]) == ("Webフォーム", "資料を送ってください。\nよろしくお願いします。")


def test_inbox_addresses_are_unguessable_found_and_rotated(hub):
    suumo = integration(hub, "suumo", name="本店SUUMO")
    address = mail_service.inbox_address(suumo)
    local, _, domain = address.partition("@")
    assert domain == "inbox.localhost" and local.startswith(f"suumo-{suumo.id}-") and len(local.rsplit("-", 1)[1]) >= 20
    assert mail_service.find_inbox(hub.engine, address) == (hub.workspace_id, suumo.id)
    assert (
        mail_service.find_inbox(hub.engine, address.upper().replace("INBOX.LOCALHOST", "inbox.localhost")) is not None
    )
    assert mail_service.find_inbox(hub.engine, f"suumo-{suumo.id}-0000000000000000000000000@inbox.localhost") is None
    assert mail_service.find_inbox(hub.engine, address.replace("inbox.localhost", "example.jp")) is None
    other = integration(hub, "homes", name="HOME'S")
    secret = address.split("@")[0].rsplit("-", 1)[1]
    assert mail_service.find_inbox(hub.engine, f"homes-{other.id}-{secret}@inbox.localhost") is None
    new = mail_service.rotate_inbox_secret(hub, "本店SUUMO")
    assert new != address
    assert mail_service.find_inbox(hub.engine, address) is None
    assert mail_service.find_inbox(hub.engine, new) == (hub.workspace_id, suumo.id)
    # Declaring the integration again keeps its address.
    integration_service.apply_file(hub, {"integrations": [{"name": "本店SUUMO", "kind": "suumo"}]})
    again = integration_service.integration_by_name(hub, "本店SUUMO")
    assert mail_service.inbox_address(again) == new


def test_same_mail_twice_and_its_forwarded_copy_are_duplicates(hub):
    suumo = integration(hub, "suumo")
    raw = (CASES / "suumo" / "rental.eml").read_bytes()
    first = mail_service.import_mail(hub, suumo, raw)
    again = mail_service.import_mail(hub, suumo, raw)
    forwarded = mail_service.import_mail(hub, suumo, (CASES / "suumo" / "rental_forwarded_gmail.eml").read_bytes())
    assert (first.state, again.state, forwarded.state) == ("processed", "duplicate", "duplicate")
    assert again.duplicate_of == first.delivery_id and forwarded.duplicate_of == first.delivery_id
    (customer,) = export(hub)
    assert len(customer["inquiries"]) == 1


def test_what_else_a_mail_said_of_the_inquiry_is_exported_and_shown_with_it(hub):
    mail_service.import_mail(hub, integration(hub, "suumo"), (CASES / "suumo" / "rental.eml").read_bytes())
    (customer,) = export(hub)
    [inquiry] = customer["inquiries"]
    assert inquiry["extra"]["物件種別"] == "賃貸マンション" and inquiry["extra"]["専有面積"] == "40.12㎡"
    shown = customer_service.show_customer(hub, customer["id"])
    assert shown["inquiries"][0]["extra"] == inquiry["extra"]


def test_the_same_person_through_two_portals_is_one_customer_with_two_inquiries(hub):
    def jis(text: str) -> bytes:  # the mail's ISO-2022-JP bytes of ``text``, without its escapes
        return text.encode("iso-2022-jp")[3:-3]

    # SUUMO's 山田 太郎 asking again on LIFULL HOME'S, with the same e-mail address.
    homes_raw = (
        (CASES / "homes" / "inquiry.eml")
        .read_bytes()
        .replace(b"misaki.tanaka@example.co.jp", b"taro.yamada@example.jp")
        .replace(jis("田中\u3000美咲"), jis("山田\u3000太郎"))
    )
    assert jis("山田\u3000太郎") in homes_raw
    mail_service.import_mail(hub, integration(hub, "suumo"), (CASES / "suumo" / "rental.eml").read_bytes())
    mail_service.import_mail(hub, integration(hub, "homes"), homes_raw)
    (customer,) = export(hub)
    assert sorted(i["source"] for i in customer["inquiries"]) == ["LIFULL HOME'S", "SUUMO"]


def test_allowed_senders_quarantine_others_and_undo_removes_the_inquiry(hub):
    strict = integration_service.add_integration(
        hub, {"name": "strict", "kind": "suumo", "settings": {"allowed_senders": ["@jds.example.jp"]}}
    )
    refused = mail_service.import_mail(hub, strict, (CASES / "suumo" / "rental.eml").read_bytes())
    assert refused.state == "quarantined" and "not allowed" in refused.reason
    open_one = integration(hub, "suumo")
    done = mail_service.import_mail(hub, open_one, (CASES / "suumo" / "rental.eml").read_bytes())
    delivery_service.undo_delivery(hub, done.delivery_id)
    assert export(hub) == []


@pytest.mark.parametrize("corpus", ["mail-mikel", "mail-sisimai"])
def test_every_corpus_mail_lands_in_a_terminal_state(hub, corpora, corpus):
    suumo = integration(hub, "suumo")
    states = set()
    for path in sorted((corpora / corpus).glob("*.eml")):
        result = mail_service.import_mail(hub, suumo, path.read_bytes())
        assert result.state in ("processed", "not-a-lead", "quarantined", "duplicate"), (path.name, result.reason)
        states.add(result.state)
    assert "not-a-lead" in states
    assert all(d.state != "received" for d in delivery_service.list_deliveries(hub, limit=1000))
