"""Deliveries over the API: uploads (background and wait), list, show, raw payload, row errors, replay, undo, runs."""

from __future__ import annotations

import pytest

from renkei.pipeline.hub import Hub
from renkei.pipeline.integrations import add_integration
from renkei.pipeline.mail import import_mail
from tests.conftest import other_workbook, workbook
from tests.helpers import free_port
from tests.web.api_helpers import BAD, GOOD, HEADER, csv_bytes, settled, upload
from tests.web.conftest import bearer
from tests.zips import zip_bytes

MAIL = (
    b"From: =?UTF-8?B?5bqD5ZGK?= <info@example.jp>\r\nTo: inbox@example.jp\r\nSubject: hello\r\n"
    b"Message-ID: <m1@example.jp>\r\nDate: Mon, 2 Nov 2026 10:00:00 +0900\r\nContent-Type: text/plain; charset=utf-8\r\n"
    b"\r\nnot a lead\r\n"
)


@pytest.fixture
def api(hub: Hub) -> dict[str, str]:
    return bearer(hub, "operator")


@pytest.fixture
def members(hub: Hub) -> int:
    return add_integration(hub, {"name": "members", "kind": "csv"}).id


def test_a_cp932_upload_is_landed_at_once_and_processed_in_the_background(client, api, members):
    response = upload(client, api, members, csv_bytes([HEADER, GOOD, BAD]), name="会員_202611.csv")
    assert response.status_code == 202
    body = response.json()
    assert body["url"] == f"/api/deliveries/{body['delivery_id']}" and body["result"] is None
    assert body["delivery"]["state"] in ("received", "processed") and body["delivery"]["channel"] == "upload"
    done = settled(client, api, body["delivery_id"])
    assert done["state"] == "processed" and done["counts"] == {
        "created": 1,
        "updated": 0,
        "unchanged": 0,
        "errors": 1,
        "left_out": 0,
    }
    assert done["row_errors"] == 1 and done["file_name"] == "会員_202611.csv"
    errors = client.get(f"/api/deliveries/{body['delivery_id']}/errors", headers=api).json()
    assert errors["next_cursor"] is None
    [error] = errors["items"]
    assert (error["line"], error["column"], error["value"]) == (3, "メールアドレス", "not-a-mail")


def test_an_excel_workbook_upload_is_imported_and_its_raw_payload_comes_back_as_sent(client, api, members, tmp_path):

    content = workbook(tmp_path / "会員.xlsx", [HEADER, GOOD, BAD]).read_bytes()
    body = upload(client, api, members, content, name="会員.xlsx", wait=True).json()
    assert body["result"]["encoding"] == "xlsx"
    assert body["result"]["counts"] == {"created": 1, "updated": 0, "unchanged": 0, "errors": 1, "left_out": 0}
    [error] = client.get(f"/api/deliveries/{body['delivery_id']}/errors", headers=api).json()["items"]
    assert (error["line"], error["column"], error["value"]) == (3, "メールアドレス", "not-a-mail")
    raw = client.get(f"/api/deliveries/{body['delivery_id']}/raw", headers=api)
    assert raw.content == content and raw.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )


def test_an_xls_workbook_upload_is_imported_and_comes_back_as_sent(client, api, members, tmp_path):
    content = other_workbook("xls", tmp_path / "会員.xls", [HEADER, GOOD, BAD]).read_bytes()
    body = upload(client, api, members, content, name="会員.xls", wait=True).json()
    assert body["result"]["encoding"] == "xls"
    assert body["result"]["counts"] == {"created": 1, "updated": 0, "unchanged": 0, "errors": 1, "left_out": 0}
    [error] = client.get(f"/api/deliveries/{body['delivery_id']}/errors", headers=api).json()["items"]
    assert (error["line"], error["column"], error["value"]) == (3, "メールアドレス", "not-a-mail")
    raw = client.get(f"/api/deliveries/{body['delivery_id']}/raw", headers=api)
    assert raw.content == content and raw.headers["content-type"].startswith("application/vnd.ms-excel")


def test_a_zip_upload_answers_what_became_of_each_of_its_files(client, api, members):
    content = zip_bytes({"会員.csv": csv_bytes([HEADER, GOOD, BAD])}, names="cp932")
    body = upload(client, api, members, content, name="会員.zip", wait=True).json()
    assert body["result"]["state"] == "processed"
    [file] = body["result"]["files"]
    assert file["file_name"] == "会員.csv" and file["result"]["state"] == "processed"
    assert file["result"]["counts"] == {"created": 1, "updated": 0, "unchanged": 0, "errors": 1, "left_out": 0}
    child = client.get(f"/api/deliveries/{file['result']['delivery_id']}", headers=api).json()
    assert (child["file_name"], child["channel"]) == ("会員.csv", "upload")


def test_a_password_kept_with_a_delivery_is_never_shown(client, api, members, hub):
    from sqlalchemy import update

    from renkei.store.schema import deliveries

    body = upload(client, api, members, csv_bytes([HEADER, GOOD]), wait=True).json()
    sealed = hub.secrets.seal({"file_password": "s3cret-pass"})
    with hub.engine.begin() as conn:
        conn.execute(
            update(deliveries)
            .where(deliveries.c.id == body["delivery_id"])
            .values(meta={"file_password": sealed, "ppap_passwords": sealed})
        )
    shown = client.get(f"/api/deliveries/{body['delivery_id']}", headers=api).json()
    assert shown["meta"] == {"file_password": "********", "ppap_passwords": "********"}


def test_wait_processes_before_answering_and_the_same_file_again_is_a_duplicate(client, api, members):
    content = csv_bytes([HEADER, GOOD])
    first = upload(client, api, members, content, wait=True)
    assert first.status_code == 200
    body = first.json()
    assert body["result"]["state"] == "processed" and body["result"]["counts"]["created"] == 1
    assert body["delivery"]["state"] == "processed"
    again = upload(client, api, members, content, wait=True)
    assert again.status_code == 200
    assert (
        again.json()["delivery"]["state"] == "duplicate"
        and again.json()["delivery"]["duplicate_of"] == body["delivery_id"]
    )


def test_a_stopped_integration_lands_the_file_and_ignores_it(client, api, members):
    client.post(f"/api/integrations/{members}/stop", headers=api)
    body = upload(client, api, members, csv_bytes([HEADER, GOOD])).json()
    assert settled(client, api, body["delivery_id"])["state"] == "ignored"
    assert client.get("/api/customers", headers=api).json()["items"] == []


def test_uploads_past_the_limit_are_refused_with_413_and_nothing_landed(client, api, members, monkeypatch):
    monkeypatch.setenv("RENKEI_UPLOAD_MAX_BYTES", "100")
    response = upload(client, api, members, csv_bytes([HEADER, *[GOOD] * 20]))
    assert response.status_code == 413 and response.json()["error"]["code"] == "too_large"

    def chunks():
        yield b'--b\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\n'
        for _ in range(200):
            yield b"x" * 1000
        yield b"\r\n--b--\r\n"

    # No Content-Length (chunked): refused while streaming.
    headers = {**api, "Content-Type": "multipart/form-data; boundary=b"}
    streamed = client.post(f"/api/integrations/{members}/files", headers=headers, content=chunks())
    assert streamed.status_code == 413 and streamed.json()["error"]["code"] == "too_large"
    assert client.get("/api/deliveries", headers=api).json()["items"] == []


def test_upload_needs_a_file_field_and_a_kind_that_takes_files(client, api, hub, members):
    missing = client.post(f"/api/integrations/{members}/files", headers=api, data={"other": "x"})
    assert missing.status_code == 422 and "'file'" in missing.json()["error"]["message"]
    suumo = add_integration(hub, {"name": "suumo", "kind": "suumo"})
    refused = upload(client, api, suumo.id, csv_bytes([HEADER, GOOD]))
    assert refused.status_code == 422 and "inbox address" in refused.json()["error"]["message"]
    mail_csv = add_integration(
        hub,
        {
            "name": "mailed",
            "kind": "mail-csv",
            "settings": {"allowed_senders": ["@x.jp"]},
            "notify": {"errors": ["o@x.jp"]},
        },
    )
    accepted = upload(client, api, mail_csv.id, csv_bytes([HEADER, GOOD]), wait=True)
    assert accepted.status_code == 200 and accepted.json()["result"]["counts"]["created"] == 1
    assert upload(client, api, 999, b"x").status_code == 404


def test_list_filters_and_pages_by_cursor(client, api, hub, members):
    for i in range(3):
        upload(
            client,
            api,
            members,
            csv_bytes([HEADER, [f"山田 {i}", "", f"u{i}@example.jp", "", ""]]),
            name=f"{i}.csv",
            wait=True,
        )
    other = add_integration(hub, {"name": "other", "kind": "csv"}).id
    upload(client, api, other, csv_bytes([HEADER, GOOD]), wait=True)
    first = client.get("/api/deliveries", headers=api, params={"integration_id": members, "limit": 2}).json()
    rest = client.get(
        "/api/deliveries", headers=api, params={"integration_id": members, "limit": 2, "cursor": first["next_cursor"]}
    ).json()
    assert [d["file_name"] for d in first["items"] + rest["items"]] == ["2.csv", "1.csv", "0.csv"]
    assert rest["next_cursor"] is None
    assert len(client.get("/api/deliveries", headers=api, params={"state": "processed"}).json()["items"]) == 4
    assert client.get("/api/deliveries", headers=api, params={"limit": 201}).status_code == 422
    bad = client.get("/api/deliveries", headers=api, params={"cursor": "nonsense"})
    assert bad.status_code == 422 and "cursor" in bad.json()["error"]["message"]
    assert client.get("/api/deliveries", headers=api, params={"integration_id": 999}).status_code == 404


def test_raw_payload_downloads_as_it_arrived(client, api, hub, members):
    content = csv_bytes([HEADER, GOOD])
    delivery_id = upload(client, api, members, content, name="名簿.csv", wait=True).json()["delivery_id"]
    raw = client.get(f"/api/deliveries/{delivery_id}/raw", headers=api)
    assert raw.status_code == 200 and raw.content == content
    assert raw.headers["content-type"].startswith("text/csv")
    assert "filename*=utf-8''%E5%90%8D%E7%B0%BF.csv" in raw.headers["content-disposition"]
    suumo = add_integration(hub, {"name": "suumo", "kind": "suumo"})
    mail = import_mail(hub, suumo, MAIL)
    got = client.get(f"/api/deliveries/{mail.delivery_id}/raw", headers=api)
    assert got.content == MAIL and got.headers["content-type"] == "message/rfc822"
    assert f'filename="delivery-{mail.delivery_id}.eml"' in got.headers["content-disposition"]
    shown = client.get(f"/api/deliveries/{mail.delivery_id}", headers=api).json()
    assert shown["meta"]["message_id"] == "<m1@example.jp>" and shown["mail_auth"] is None
    assert client.get("/api/deliveries/999/raw", headers=api).status_code == 404


def test_row_errors_page_in_file_order(client, api, members):
    rows = [HEADER, *[[f"山田 {i}", "", f"bad{i}", "", ""] for i in range(5)]]
    delivery_id = upload(client, api, members, csv_bytes(rows), wait=True).json()["delivery_id"]
    first = client.get(f"/api/deliveries/{delivery_id}/errors", headers=api, params={"limit": 3}).json()
    rest = client.get(
        f"/api/deliveries/{delivery_id}/errors", headers=api, params={"cursor": first["next_cursor"]}
    ).json()
    assert [e["value"] for e in first["items"] + rest["items"]] == [f"bad{i}" for i in range(5)]


def test_notes_about_the_file_are_listed_with_the_row_errors_but_not_counted(client, api, members):
    content = csv_bytes([["会員一覧", "", "", "", ""], HEADER, GOOD])
    body = upload(client, api, members, content, wait=True).json()
    assert body["result"]["counts"] == {"created": 1, "updated": 0, "unchanged": 0, "errors": 0, "left_out": 0}
    assert body["result"]["notes"] == [
        {"line": 1, "column": None, "value": "会員一覧", "reason": "title line above the header, passed over"}
    ]
    shown = client.get(f"/api/deliveries/{body['delivery_id']}", headers=api).json()
    assert shown["state"] == "processed" and shown["row_errors"] == 1
    [note] = client.get(f"/api/deliveries/{body['delivery_id']}/errors", headers=api).json()["items"]
    assert (note["line"], note["value"], note["reason"]) == (1, "会員一覧", "title line above the header, passed over")
    dry = client.post(f"/api/deliveries/{body['delivery_id']}/dry-run", headers=api).json()
    assert [n["line"] for n in dry["notes"]] == [1] and dry["counts"]["errors"] == 0


def test_dry_run_shows_field_by_field_changes_and_writes_nothing(client, api, members):
    delivery_id = upload(client, api, members, csv_bytes([HEADER, GOOD]), wait=True).json()["delivery_id"]
    mapping = {"rules": [{"source": "会社名", "target": "department"}]}
    dry = client.post(f"/api/deliveries/{delivery_id}/dry-run", headers=api, json={"mapping": mapping})
    assert dry.status_code == 200, dry.text
    body = dry.json()
    assert body["dry_run"] is True and body["rows"][0]["action"] == "created" and body["unlisted_rows"] == 0
    [diff] = body["diffs"]
    changes = {f["field"]: (f["before"], f["after"]) for f in diff["fields"]}
    assert changes["department"] == (None, "株式会社テスト") and changes["company_name"] == ("株式会社テスト", None)
    customer = client.get("/api/customers", headers=api).json()["items"][0]
    assert customer["company_name"] == "株式会社テスト"  # nothing written
    plain = client.post(f"/api/deliveries/{delivery_id}/dry-run", headers=api)
    assert plain.status_code == 200 and plain.json()["diffs"] == []
    invalid = client.post(f"/api/deliveries/{delivery_id}/dry-run", headers=api, json={"mapping": {"rules": "x"}})
    assert invalid.status_code == 422


def test_a_dry_run_row_names_the_inquiry_it_would_add(client, api, members):
    rows = [
        ["タイムスタンプ", "お名前", "メールアドレス", "物件名", "お問い合わせ内容"],
        ["2026/11/03 14:22", "山田 太郎", "t@example.jp", "サンプルハイツ", "見学希望"],
    ]
    delivery_id = upload(client, api, members, csv_bytes(rows), wait=True).json()["delivery_id"]
    dry = client.post(f"/api/deliveries/{delivery_id}/dry-run", headers=api).json()
    [row] = dry["rows"]
    inquiry = row["inquiry"]
    assert (inquiry["received_at"], inquiry["property_name"], inquiry["message"]) == (
        "2026-11-03T14:22:00+09:00",
        "サンプルハイツ",
        "見学希望",
    )
    [customer] = client.get("/api/customers", headers=api).json()["items"]
    detail = client.get(f"/api/customers/{customer['id']}", headers=api).json()
    assert len(detail["inquiries"]) == 1  # the dry run added none


def test_a_sample_reads_the_first_rows_with_a_trial_mapping_and_writes_nothing(client, api, hub, members):
    delivery_id = upload(client, api, members, csv_bytes([HEADER, GOOD, BAD]), wait=True).json()["delivery_id"]
    mapping = {"rules": [{"source": "会社名", "target": "department"}]}
    sampled = client.post(f"/api/deliveries/{delivery_id}/sample", headers=api, json={"mapping": mapping, "rows": 2})
    assert sampled.status_code == 200, sampled.text
    body = sampled.json()
    assert (body["rows_in_delivery"], body["encoding"], body["verdict"]) == (2, "cp932", None)
    assert body["labels"]["会社名"] == "department" and body["labels"]["メールアドレス"] == "email"
    good, bad = body["rows"]
    assert good["line"] == 2 and good["errors"] == []
    assert good["values"]["department"] == "株式会社テスト" and good["values"]["mobile"] == "+819012345678"
    assert "company_name" not in good["values"]
    assert bad["values"] == {} and (bad["errors"][0]["column"], bad["errors"][0]["value"]) == (
        "メールアドレス",
        "not-a-mail",
    )
    first = client.post(f"/api/deliveries/{delivery_id}/sample", headers=api, json={"rows": 1}).json()
    assert [row["line"] for row in first["rows"]] == [2] and first["rows"][0]["values"][
        "company_name"
    ] == "株式会社テスト"
    customer = client.get("/api/customers", headers=api).json()["items"][0]
    assert customer["company_name"] == "株式会社テスト"  # nothing written
    too_many = client.post(f"/api/deliveries/{delivery_id}/sample", headers=api, json={"rows": 1001})
    assert too_many.status_code == 422
    viewer = client.post(f"/api/deliveries/{delivery_id}/sample", headers=bearer(hub, "viewer"))
    assert viewer.status_code == 403


def test_undo_then_replay(client, api, members):
    delivery_id = upload(client, api, members, csv_bytes([HEADER, GOOD]), wait=True).json()["delivery_id"]
    undone = client.post(f"/api/deliveries/{delivery_id}/undo", headers=api)
    assert undone.status_code == 200 and undone.json()["state"] == "undone"
    assert client.get("/api/customers", headers=api).json()["items"] == []
    twice = client.post(f"/api/deliveries/{delivery_id}/undo", headers=api)
    assert twice.status_code == 409 and twice.json()["error"]["code"] == "conflict"
    replayed = client.post(f"/api/deliveries/{delivery_id}/replay", headers=api)
    assert replayed.status_code == 200 and replayed.json()["state"] == "processed"
    assert replayed.json()["counts"]["created"] == 1 and replayed.json()["dry_run"] is False
    assert len(client.get("/api/customers", headers=api).json()["items"]) == 1


def test_replaying_a_duplicate_is_a_conflict(client, api, members):
    content = csv_bytes([HEADER, GOOD])
    upload(client, api, members, content, wait=True)
    duplicate = upload(client, api, members, content).json()["delivery_id"]
    response = client.post(f"/api/deliveries/{duplicate}/replay", headers=api)
    assert response.status_code == 409 and "duplicate" in response.json()["error"]["message"]


def test_run_a_pull_check_now_and_list_runs(client, api, hub, members):
    settings = {
        "host": "127.0.0.1",
        "port": free_port(),
        "username": "u",
        "password": "pw",
        "host_key": "SHA256:" + "A" * 43,
    }
    pull = add_integration(hub, {"name": "pull", "kind": "sftp-pull", "settings": settings})
    ran = client.post(f"/api/integrations/{pull.id}/run", headers=api)
    assert ran.status_code == 200, ran.text
    result = ran.json()
    assert result["state"] == "failed" and result["problems"] and result["check_id"]
    runs = client.get("/api/runs", headers=api, params={"integration_id": pull.id}).json()
    [run] = runs["items"]
    assert run["id"] == result["check_id"] and run["trigger"] == "manual" and run["integration"] == "pull"
    assert run["state"] == "failed" and "127.0.0.1" in run["message"]
    not_pull = client.post(f"/api/integrations/{members}/run", headers=api)
    assert not_pull.status_code == 422
    assert client.get("/api/runs", headers=api, params={"integration_id": 999}).status_code == 404
