"""Values left out of a row that goes in without them (``bad_values: leave_out``): a portal
mail's default, a choice for files. Nothing is lost: each is a row error, said in the report mail."""

from __future__ import annotations

import email
from email import policy
from pathlib import Path

from sqlalchemy import select

from renkei.pipeline import customers as customer_service
from renkei.pipeline import deliveries as delivery_service
from renkei.pipeline import integrations as integration_service
from renkei.pipeline import mail as mail_service
from renkei.store.schema import outbox, row_errors
from tests.conftest import write_csv
from tests.helpers import export

RENTAL = Path(__file__).resolve().parents[1] / "cases" / "portals" / "suumo" / "rental.eml"


def _with_phone(number: str) -> bytes:
    """The SUUMO rental inquiry with another phone number, as the customer typed it."""
    message = email.message_from_bytes(RENTAL.read_bytes(), policy=policy.default)
    body = message.get_content()  # type: ignore[attr-defined]
    assert "ＴＥＬ：０９０−１２３４−５６７８" in body
    message.set_content(body.replace("ＴＥＬ：０９０−１２３４−５６７８", f"ＴＥＬ：{number}"), charset="utf-8")  # type: ignore[attr-defined]
    return message.as_bytes()


def _row_errors(hub, delivery_id: int) -> list[tuple]:
    return [
        (e["line"], e["column_name"], e["value"], e["reason"])
        for e in delivery_service.delivery_errors(hub, delivery_id)
    ]


def test_a_portal_inquiry_with_a_mistyped_number_is_a_customer_with_its_inquiry_and_the_number_reported(hub):
    integration = integration_service.add_integration(
        hub, {"name": "SUUMO", "kind": "suumo", "notify": {"errors": ["ops@example.jp"]}}
    )
    result = mail_service.import_mail(hub, integration, _with_phone("090-1234-567"))
    assert result.state == "processed"
    assert (result.counts.created, result.counts.errors, result.counts.left_out) == (1, 0, 1)
    (customer,) = export(hub)
    assert customer["email"] == "taro.yamada@example.jp" and customer["phone"] is customer["mobile"] is None
    assert [i["external_id"] for i in customer["inquiries"]] == ["A1234567890"]
    ((_, column, value, reason),) = _row_errors(hub, result.delivery_id)
    assert (column, value) == ("phone", "090-1234-567")
    assert reason.endswith("; the row was imported without this value")
    assert delivery_service.get_delivery(hub, result.delivery_id).counts.left_out == 1
    # The people who handle errors hear of it, in Japanese first.
    with hub.engine.connect() as conn:
        (mail,) = conn.execute(select(outbox.c.recipients, outbox.c.subject, outbox.c.body)).all()
    assert "連携エラー" in mail.subject
    assert "除いて取り込んだ値 1 件" in mail.body and "（この値を除いて取り込みました）" in mail.body
    assert "'090-1234-567'" in mail.body
    # ... with the customer the lead became, to open and call.
    assert f"(顧客 #{customer['id']})" in mail.body and f"(customer #{customer['id']})" in mail.body


def test_the_report_links_the_customer_a_value_was_left_out_of_on_the_hubs_address(hub, monkeypatch):
    monkeypatch.setenv("RENKEI_PUBLIC_URL", "https://renkei.example.co.jp")
    integration = integration_service.add_integration(
        hub, {"name": "SUUMO", "kind": "suumo", "notify": {"errors": ["ops@example.jp"]}}
    )
    mail_service.import_mail(hub, integration, _with_phone("090-1234-567"))
    (customer,) = export(hub)
    with hub.engine.connect() as conn:
        (body,) = conn.execute(select(outbox.c.body)).scalars().all()
    assert f"(顧客 #{customer['id']} https://renkei.example.co.jp/customers/{customer['id']})" in body


def test_a_portal_inquiry_with_a_mistyped_mail_domain_keeps_the_lead_and_asks_for_the_address(hub):
    integration = integration_service.add_integration(hub, {"name": "SUUMO", "kind": "suumo"})
    raw = RENTAL.read_bytes().replace(b"taro.yamada@example.jp", b"taro.yamada@gmail.con")
    result = mail_service.import_mail(hub, integration, raw)
    assert (result.state, result.counts.created, result.counts.left_out) == ("processed", 1, 1)
    (customer,) = export(hub)
    assert customer["email"] is None and customer["mobile"] == "+819012345678"
    shown = customer_service.show_customer(hub, customer["id"])
    [left] = shown["left_out"]
    assert left["value"] == "taro.yamada@gmail.con" and "(.com mistyped?)" in left["reason"]


def test_a_file_integration_may_leave_bad_values_out_and_says_so(hub, tmp_path: Path):
    integration = integration_service.add_integration(
        hub, {"name": "展示会", "kind": "csv", "mapping": {"bad_values": "leave_out"}}
    )
    rows = [
        ["氏名", "メール", "電話番号", "登録日"],
        ["山田 太郎", "taro@example.jp", "03-1234-567", "2024/2/30"],
        ["", "hanako.example.jp", "", ""],  # nothing else to know her by: still an error
        ["鈴木 一郎", "ichiro@example.jp", "090-1111-2222", "2024/5/1"],
    ]
    result = delivery_service.import_file(hub, integration, write_csv(tmp_path / "fair.csv", rows))
    assert (result.counts.created, result.counts.errors, result.counts.left_out) == (2, 1, 2)
    people = {c["last_name"]: c for c in export(hub)}
    assert set(people) == {"山田", "鈴木"}
    assert people["山田"]["phone"] is None and people["山田"]["acquired_at"] is None
    errors = _row_errors(hub, result.delivery_id)
    assert [(line, column) for line, column, *_ in errors] == [(2, "電話番号"), (2, "登録日"), (3, "メール"), (3, None)]
    # The same file into an integration that keeps the default: those rows are errors.
    strict = integration_service.add_integration(hub, {"name": "厳格", "kind": "csv"})
    result = delivery_service.import_file(hub, strict, write_csv(tmp_path / "fair2.csv", rows))
    assert (result.counts.errors, result.counts.left_out) == (2, 0)


def test_the_customer_shows_the_values_left_out_of_its_rows_while_their_delivery_stands(hub, tmp_path: Path):
    # The salesperson opening the lead sees the number the customer mistyped, with where it came from.
    integration = integration_service.add_integration(hub, {"name": "SUUMO", "kind": "suumo"})
    result = mail_service.import_mail(hub, integration, _with_phone("090-1234-567"))
    (customer,) = export(hub)
    shown = customer_service.show_customer(hub, customer["id"])
    ((left,),) = [shown["left_out"]]
    assert (left["column"], left["value"], left["line"]) == ("phone", "090-1234-567", None)
    assert left["reason"].endswith("; the row was imported without this value")
    assert (left["source"]["delivery_id"], left["source"]["integration"]) == (result.delivery_id, "SUUMO")
    # A file's row: the customer it went to, by the row (not the other rows' customers).
    files = integration_service.add_integration(
        hub, {"name": "展示会", "kind": "csv", "mapping": {"bad_values": "leave_out"}}
    )
    rows = [
        ["氏名", "メール", "電話番号"],
        ["鈴木 一郎", "ichiro@example.jp", "090-1111-2222"],
        ["山田 太郎", "taro.yamada@example.jp", "03-1234-567"],
    ]
    fair = delivery_service.import_file(hub, files, write_csv(tmp_path / "fair.csv", rows))
    taro = customer_service.show_customer(hub, customer["id"])["left_out"]
    assert [(e["value"], e["line"], e["source"]["delivery_id"]) for e in taro] == [
        ("03-1234-567", 3, fair.delivery_id),
        ("090-1234-567", None, result.delivery_id),
    ]
    ichiro = next(c for c in export(hub) if c["email"] == "ichiro@example.jp")
    assert customer_service.show_customer(hub, ichiro["id"])["left_out"] == []
    # Undone, the delivery's values left out are no longer the customer's.
    delivery_service.undo_delivery(hub, fair.delivery_id)
    again = customer_service.show_customer(hub, customer["id"])["left_out"]
    assert [e["value"] for e in again] == ["090-1234-567"]


def test_values_left_out_marked_checked_stay_checked_when_their_delivery_is_replayed(hub, tmp_path: Path):
    files = integration_service.add_integration(
        hub, {"name": "展示会", "kind": "csv", "mapping": {"bad_values": "leave_out"}}
    )
    rows = [["氏名", "メール", "電話番号", "登録日"], ["山田 太郎", "taro@example.jp", "03-1234-567", "2024/2/30"]]
    fair = delivery_service.import_file(hub, files, write_csv(tmp_path / "fair.csv", rows))
    (customer,) = export(hub)
    assert customer_service.check_left_out(hub, customer["id"]) == 2
    replayed = delivery_service.replay_delivery(hub, fair.delivery_id)
    assert replayed.counts.left_out == 2
    assert customer_service.show_customer(hub, customer["id"])["left_out"] == []
    # A value the replay leaves out that was not checked before asks for a look.
    with hub.engine.begin() as conn:
        conn.execute(row_errors.update().where(row_errors.c.column_name == "登録日").values(checked_at=None))
    delivery_service.replay_delivery(hub, fair.delivery_id)
    again = customer_service.show_customer(hub, customer["id"])["left_out"]
    assert [e["column"] for e in again] == ["登録日"]
