"""Customers over the API: list and search by cursor, show with sources and history, streamed export."""

from __future__ import annotations

import csv
import io
import json

import pytest

from renkei.pipeline import customers as customer_service
from renkei.pipeline.customers import export_csv, export_jsonl
from renkei.pipeline.hub import Hub, utcnow
from renkei.pipeline.integrations import add_integration
from tests.web.api_helpers import HEADER, csv_bytes, upload
from tests.web.conftest import bearer


@pytest.fixture
def api(hub: Hub) -> dict[str, str]:
    return bearer(hub, "viewer")


@pytest.fixture
def loaded(hub: Hub, client) -> int:
    """Six customers from one file, then a second file that changes one of them."""
    operator = bearer(hub, "operator")
    integration = add_integration(hub, {"name": "members", "kind": "csv", "defaults": {"tags": ["展示会"]}})
    rows = [
        [f"山田 {i}郎", "ヤマダ タロウ", f"u{i}@example.jp", f"090-1234-{i:04d}", "株式会社テスト"] for i in range(5)
    ]
    rows.append(["佐藤 花子", "サトウ ハナコ", "hanako@example.jp", "03-3333-4444", "=連携商事"])
    upload(client, operator, integration.id, csv_bytes([HEADER, *rows]), name="a.csv", wait=True)
    change = [["佐藤 花子", "サトウ ハナコ", "hanako@example.jp", "03-3333-4444", "連携ホールディングス"]]
    upload(client, operator, integration.id, csv_bytes([HEADER, *change]), name="b.csv", wait=True)
    return integration.id


def test_list_pages_newest_first_and_searches(client, api, loaded):
    first = client.get("/api/customers", headers=api, params={"limit": 4}).json()
    rest = client.get("/api/customers", headers=api, params={"limit": 4, "cursor": first["next_cursor"]}).json()
    ids = [c["id"] for c in first["items"] + rest["items"]]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == 6 and rest["next_cursor"] is None
    found = client.get("/api/customers", headers=api, params={"q": "さとう"}).json()["items"]
    assert [c["first_name"] for c in found] == ["花子"] and found[0]["tags"] == ["展示会"]
    assert found[0]["url"] == f"/api/customers/{found[0]['id']}"
    assert len(client.get("/api/customers", headers=api, params={"tag": "展示会"}).json()["items"]) == 6
    assert client.get("/api/customers", headers=api, params={"group": "none"}).json()["items"] == []


def test_list_filters_the_customers_a_delivery_created_or_changed(client, api, loaded):
    a, b = (
        next(d for d in client.get("/api/deliveries", headers=api).json()["items"] if d["file_name"] == name)
        for name in ("a.csv", "b.csv")
    )
    shown = client.get(f"/api/deliveries/{a['id']}", headers=api).json()
    assert shown["customers_url"] == f"/api/customers?delivery={a['id']}"
    created = client.get(shown["customers_url"], headers=api).json()["items"]
    assert len(created) == 6
    [changed] = client.get("/api/customers", headers=api, params={"delivery": b["id"]}).json()["items"]
    assert changed["first_name"] == "花子"
    assert client.get("/api/customers", headers=api, params={"delivery": 0}).status_code == 422


def test_list_filters_by_owner_and_status(hub, client, api):
    integration = add_integration(
        hub, {"name": "展示会", "kind": "csv", "defaults": {"owner": "佐藤", "status": "商談中"}}
    )
    operator = bearer(hub, "operator")
    upload(client, operator, integration.id, csv_bytes([HEADER, ["山田 太郎", "", "t@example.jp", "", ""]]), wait=True)
    [found] = client.get("/api/customers", headers=api, params={"owner": "佐藤", "status": "商談中"}).json()["items"]
    assert (found["owner"], found["status"]) == ("佐藤", "商談中")
    assert client.get("/api/customers", headers=api, params={"owner": "鈴木"}).json()["items"] == []


def test_the_inquiry_list_names_each_inquirys_customer(hub, client, api):
    integration = add_integration(hub, {"name": "反響", "kind": "csv"})
    rows = [["反響ID", "お名前", "メールアドレス", "物件名"], ["S-1", "山田 太郎", "t@example.jp", "ハイツ"]]
    upload(client, bearer(hub, "operator"), integration.id, csv_bytes(rows), wait=True)
    listed = client.get("/api/inquiries", headers=api).json()
    [inquiry] = listed["items"]
    assert (inquiry["external_id"], inquiry["property_name"], inquiry["last_name"]) == ("S-1", "ハイツ", "山田")
    assert client.get(inquiry["customer_url"], headers=api).json()["inquiries"][0]["external_id"] == "S-1"
    assert client.get("/api/inquiries", headers=api, params={"source": "SUUMO"}).json()["items"] == []
    assert client.get("/api/inquiries").status_code == 401
    # Counted by source over the last days, by each inquiry's time: this one says none.
    assert client.get("/api/inquiries/counts", headers=api).json() == []
    assert client.get("/api/inquiries/counts", headers=api, params={"days": 0}).status_code == 422


def test_inquiries_are_counted_by_source(hub, client, api):
    integration = add_integration(hub, {"name": "反響", "kind": "csv"})
    rows = [
        ["反響日時", "お名前", "メールアドレス", "媒体"],
        [utcnow().strftime("%Y/%m/%d %H:%M"), "山田 太郎", "t@example.jp", "SUUMO"],
    ]
    upload(client, bearer(hub, "operator"), integration.id, csv_bytes(rows), wait=True)
    [counted] = client.get("/api/inquiries/counts", headers=api, params={"days": 7}).json()
    assert (counted["source"], counted["inquiries"], counted["customers"]) == ("SUUMO", 1, 1)


def test_show_has_every_values_source_history_and_inquiries(client, api, loaded):
    [hanako] = client.get("/api/customers", headers=api, params={"q": "hanako"}).json()["items"]
    shown = client.get(hanako["url"], headers=api).json()
    company = shown["fields"]["company_name"]
    assert company["value"] == "連携ホールディングス"
    assert company["source"]["integration"] == "members" and company["source"]["file_name"] == "b.csv"
    [change] = [h for h in shown["history"] if h["field"] == "company_name"]
    assert change["old"] == "=連携商事" and change["new"] == "連携ホールディングス"
    assert change["old_source"]["file_name"] == "a.csv" and change["new_source"]["file_name"] == "b.csv"
    assert shown["tags"] == ["展示会"] and shown["inquiries"] == []
    missing = client.get("/api/customers/999999", headers=api)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("format_", ["jsonl", "csv"])
def test_export_streams_every_customer(client, api, loaded, format_):
    response = client.get("/api/customers/export", headers=api, params={"format": format_})
    assert response.status_code == 200
    assert f'filename="customers-default.{format_}"' in response.headers["content-disposition"]
    if format_ == "jsonl":
        assert response.headers["content-type"].startswith("application/x-ndjson")
        records = [json.loads(line) for line in response.text.splitlines()]
        assert len(records) == 6 and {r["tags"][0] for r in records} == {"展示会"}
    else:
        assert response.headers["content-type"].startswith("text/csv")
        assert response.content.startswith("\ufeffid,".encode())
        rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert len(rows) == 6 and {r["company_name"] for r in rows} == {"株式会社テスト", "連携ホールディングス"}
    assert client.get("/api/customers/export", headers=api, params={"format": "xml"}).status_code == 422


@pytest.mark.parametrize("format_", ["jsonl", "csv"])
def test_the_streamed_export_is_the_cli_export_whatever_its_pieces(hub, client, api, loaded, format_, monkeypatch):
    whole = io.StringIO()
    if format_ == "csv":
        whole.write("\ufeff")  # the CLI's file is UTF-8 with a BOM, for Excel: so is the download
    (export_jsonl if format_ == "jsonl" else export_csv)(hub, whole)
    # Pieces of a few hundred characters: every customer crosses a piece boundary somewhere.
    monkeypatch.setattr(customer_service, "EXPORT_CHUNK", 300)
    pieces = list(customer_service.export_text(hub, format_))
    assert len(pieces) > 2 and "".join(pieces) == whole.getvalue()
    response = client.get("/api/customers/export", headers=api, params={"format": format_})
    assert response.text == whole.getvalue()


def test_show_lists_the_values_left_out_of_the_customers_rows(hub, client, api):
    operator = bearer(hub, "operator")
    integration = add_integration(hub, {"name": "fair", "kind": "csv", "mapping": {"bad_values": "leave_out"}})
    rows = [HEADER, ["山田 太郎", "ヤマダ タロウ", "taro@example.jp", "03-1234-567", "株式会社テスト"]]
    done = upload(client, operator, integration.id, csv_bytes(rows), name="fair.csv", wait=True).json()
    [taro] = client.get("/api/customers", headers=api).json()["items"]
    [left] = client.get(taro["url"], headers=api).json()["left_out"]
    assert (left["column"], left["value"], left["line"]) == ("電話番号", "03-1234-567", 2)
    assert left["source"]["file_name"] == "fair.csv" and left["source"]["delivery_id"] == done["delivery_id"]
    [error] = client.get(f"/api/deliveries/{done['delivery_id']}/errors", headers=api).json()["items"]
    assert error["customer_id"] == taro["id"]


def test_the_list_says_and_filters_which_customers_had_values_left_out(hub, client, api):
    operator = bearer(hub, "operator")
    integration = add_integration(hub, {"name": "fair", "kind": "csv", "mapping": {"bad_values": "leave_out"}})
    rows = [
        HEADER,
        ["山田 太郎", "ヤマダ タロウ", "taro@example.jp", "03-1234-567", "株式会社テスト"],
        ["佐藤 花子", "サトウ ハナコ", "hanako@example.jp", "03-3333-4444", "連携商事"],
    ]
    upload(client, operator, integration.id, csv_bytes(rows), name="fair.csv", wait=True)
    listed = client.get("/api/customers", headers=api).json()["items"]
    assert {c["email"]: c["left_out"] for c in listed} == {"taro@example.jp": True, "hanako@example.jp": False}
    only = client.get("/api/customers", headers=api, params={"left_out": "true"}).json()["items"]
    assert [c["email"] for c in only] == ["taro@example.jp"]


def test_values_left_out_marked_checked_leave_the_customer_and_the_filter(hub, client, api):
    operator = bearer(hub, "operator")
    integration = add_integration(hub, {"name": "fair", "kind": "csv", "mapping": {"bad_values": "leave_out"}})
    rows = [HEADER, ["山田 太郎", "ヤマダ タロウ", "taro@example.jp", "03-1234-567", "株式会社テスト"]]
    upload(client, operator, integration.id, csv_bytes(rows), name="fair.csv", wait=True)
    [taro] = client.get("/api/customers", headers=api).json()["items"]
    refused = client.post(f"{taro['url']}/left-out/checked", headers=api)
    assert refused.status_code == 403  # a viewer changes nothing
    done = client.post(f"{taro['url']}/left-out/checked", headers=operator)
    assert done.status_code == 200 and done.json() == {"checked": 1}
    assert client.get(taro["url"], headers=api).json()["left_out"] == []
    assert client.get("/api/customers", headers=api, params={"left_out": "true"}).json()["items"] == []
    assert client.post(f"{taro['url']}/left-out/checked", headers=operator).json() == {"checked": 0}
    assert client.post("/api/customers/999999/left-out/checked", headers=operator).status_code == 404
