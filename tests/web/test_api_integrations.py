"""The integrations API: list with state, create (one-time credentials), show, change, start/stop, verify, rotate."""

from __future__ import annotations

import pytest

from renkei.pipeline.hub import Hub
from renkei.pipeline.integrations import get_integration
from renkei.store.secrets import REDACTED
from tests.helpers import free_port
from tests.web.api_helpers import GOOD, HEADER, csv_bytes, upload
from tests.web.conftest import bearer

HOST_KEY = "SHA256:" + "A" * 43


@pytest.fixture
def api(hub: Hub) -> dict[str, str]:
    return bearer(hub, "operator")


def test_create_show_and_list_an_integration_with_its_state(client, api):
    created = client.post("/api/integrations", headers=api, json={"kind": "csv", "name": "会員リスト"})
    assert created.status_code == 201
    body = created.json()
    assert body["kind"] == "csv" and body["status"] == "active" and body["shown_once"] == {}
    assert body["url"] == f"/api/integrations/{body['id']}" and body["inbox_address"] is None
    upload(client, api, body["id"], csv_bytes([HEADER, GOOD]), wait=True)
    shown = client.get(body["url"], headers=api).json()
    assert (shown["deliveries"], shown["customers_created"], shown["last_delivery_state"]) == (1, 1, "processed")
    listed = client.get("/api/integrations", headers=api).json()
    assert [i["name"] for i in listed] == ["会員リスト"] and listed[0]["waiting_for_confirmation"] is False


def test_a_drop_box_password_is_shown_once_and_only_its_mask_afterwards(client, api):
    body = client.post("/api/integrations", headers=api, json={"kind": "ftp-drop", "name": "partner drop"}).json()
    password = body["shown_once"]["password"]
    assert len(password) >= 12 and body["settings"]["password_hash"] == REDACTED
    for response in (client.get(body["url"], headers=api), client.get("/api/integrations", headers=api)):
        assert password not in response.text and "shown_once" not in response.text
    reset = client.post(f"{body['url']}/password/reset", headers=api).json()
    assert reset["username"] == body["shown_once"]["username"] and reset["password"] != password


def test_a_mail_integration_shows_its_inbox_address_and_waits_for_confirmation(client, api):
    body = client.post("/api/integrations", headers=api, json={"kind": "suumo", "name": "SUUMO"}).json()
    address = body["inbox_address"]
    assert address.startswith(f"suumo-{body['id']}-") and body["settings"]["inbox_secret"] == REDACTED
    [listed] = client.get("/api/integrations", headers=api).json()
    assert listed["waiting_for_confirmation"] is True and listed["inbox_address"] == address
    check = client.post(f"{body['url']}/check", headers=api).json()
    assert check["result"] == "waiting" and check["inbox_address"] == address
    rotated = client.post(f"{body['url']}/inbox/rotate", headers=api).json()["inbox_address"]
    assert rotated != address and client.get(body["url"], headers=api).json()["inbox_address"] == rotated


def test_rotate_and_reset_refuse_kinds_without_an_inbox_or_a_password(client, api):
    body = client.post("/api/integrations", headers=api, json={"kind": "csv", "name": "files"}).json()
    for action in ("inbox/rotate", "password/reset"):
        response = client.post(f"{body['url']}/{action}", headers=api)
        assert response.status_code == 422 and response.json()["error"]["code"] == "invalid"


def test_invalid_settings_are_all_reported_with_their_paths(client, api):
    response = client.post(
        "/api/integrations",
        headers=api,
        json={"kind": "sftp-pull", "name": "x", "settings": {"host": "", "port": 0, "username": "u"}},
    )
    assert response.status_code == 422
    message = response.json()["error"]["message"]
    assert "settings.host" in message and "settings.port" in message and "settings.host_key" in message
    unknown = client.post("/api/integrations", headers=api, json={"kind": "nope", "name": "x"})
    assert unknown.status_code == 422 and "known kinds" in unknown.json()["error"]["message"]
    extra = client.post("/api/integrations", headers=api, json={"kind": "csv", "name": "x", "colour": "red"})
    assert extra.status_code == 422 and extra.json()["error"]["details"][0]["where"] == "body.colour"
    client.post("/api/integrations", headers=api, json={"kind": "csv", "name": "twice"})
    again = client.post("/api/integrations", headers=api, json={"kind": "csv", "name": "twice"})
    assert again.status_code == 422 and "already exists" in again.json()["error"]["message"]


def test_patch_changes_only_what_it_names_and_keeps_secrets(client, api, hub):
    settings = {"host": "127.0.0.1", "username": "u", "password": "s3cret-pass", "host_key": HOST_KEY}
    body = client.post(
        "/api/integrations", headers=api, json={"kind": "sftp-pull", "name": "partner", "settings": settings}
    ).json()
    assert body["settings"]["password"] == REDACTED and "s3cret-pass" not in str(body)
    # A form sends the settings back as shown (mask included) with one change.
    shown = {**body["settings"], "folder": "/out"}
    changed = client.patch(body["url"], headers=api, json={"settings": shown, "defaults": {"owner": "田中"}})
    assert changed.status_code == 200, changed.text
    after = changed.json()
    assert after["settings"]["folder"] == "/out" and after["defaults"]["owner"] == "田中" and after["name"] == "partner"
    stored = get_integration(hub, body["id"]).settings
    assert stored.password.get_secret_value() == "s3cret-pass" and stored.folder == "/out"
    renamed = client.patch(
        body["url"], headers=api, json={"name": "partner (new)", "settings": {"password": "n3w-pass"}}
    )
    assert renamed.json()["name"] == "partner (new)"
    assert get_integration(hub, body["id"]).settings.password.get_secret_value() == "n3w-pass"
    bad = client.patch(body["url"], headers=api, json={"settings": {"port": 70000}})
    assert bad.status_code == 422 and "settings.port" in bad.json()["error"]["message"]
    assert client.patch(body["url"], headers=api, json={"kind": "csv"}).status_code == 422


def test_stop_and_start(client, api):
    body = client.post("/api/integrations", headers=api, json={"kind": "csv", "name": "files"}).json()
    stopped = client.post(f"{body['url']}/stop", headers=api).json()
    assert stopped["status"] == "stopped" and stopped["status_reason"]
    assert client.get("/api/integrations", headers=api).json()[0]["status"] == "stopped"
    started = client.post(f"{body['url']}/start", headers=api).json()
    assert started["status"] == "active" and started["status_reason"] is None


def test_check_reports_what_there_is_to_verify(client, api):
    csv_id = client.post("/api/integrations", headers=api, json={"kind": "csv", "name": "files"}).json()["id"]
    nothing = client.post(f"/api/integrations/{csv_id}/check", headers=api).json()
    assert nothing["result"] == "nothing-to-verify"
    settings = {
        "host": "127.0.0.1",
        "port": free_port(),
        "username": "u",
        "password": "pw-never-shown",
        "host_key": HOST_KEY,
    }
    sftp = client.post(
        "/api/integrations", headers=api, json={"kind": "sftp-pull", "name": "sftp", "settings": settings}
    ).json()
    result = client.post(f"{sftp['url']}/check", headers=api)
    assert result.status_code == 200
    assert result.json()["result"] == "error" and "127.0.0.1" in result.json()["message"]
    assert "pw-never-shown" not in result.text


def test_unknown_integration_is_404_in_the_envelope(client, api):
    for method, path in (("GET", ""), ("PATCH", ""), ("POST", "/start"), ("POST", "/check")):
        response = client.request(
            method, f"/api/integrations/999{path}", headers=api, json={} if method == "PATCH" else None
        )
        assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    assert client.get("/api/integrations/abc", headers=api).status_code == 422


def test_kinds_describe_their_settings_with_secrets_write_only(client, api):
    kinds = {k["name"]: k for k in client.get("/api/kinds", headers=api).json()}
    assert {"csv", "ftp-drop", "sftp-pull", "ftp-pull", "suumo", "mail-csv"} <= set(kinds)
    sftp = kinds["sftp-pull"]
    assert (
        sftp["secret_fields"] == ["file_password", "password", "private_key"]
        and sftp["accepts_uploads"]
        and not sftp["mail"]
    )
    password = sftp["settings_schema"]["properties"]["password"]["anyOf"][0]
    assert password == {"format": "password", "type": "string", "writeOnly": True}
    assert kinds["suumo"]["mail"] and not kinds["suumo"]["accepts_uploads"] and kinds["mail-csv"]["accepts_uploads"]
    assert kinds["suumo"]["generated_fields"] == ["inbox_secret"] and "imap.password" in kinds["suumo"]["secret_fields"]


@pytest.fixture
def sftp_partner(tmp_path):
    from tests.integration.pull_servers import PASSWORD, USER, RemoteSftp

    root = tmp_path / "remote"
    (root / "in").mkdir(parents=True)
    server = RemoteSftp(root).start()
    settings = {
        "host": "127.0.0.1",
        "port": server.port,
        "username": USER,
        "password": PASSWORD,
        "host_key": server.key_line,
        "folder": "in",
        "stable_seconds": 0.2,
    }
    try:
        yield root / "in", settings
    finally:
        server.stop()


def test_check_logs_in_and_lists_a_pull_folder_without_landing_anything(client, api, sftp_partner):
    folder, settings = sftp_partner
    (folder / "members.csv").write_bytes(csv_bytes([HEADER, GOOD]))
    (folder / "notes.txt").write_bytes(b"x")
    body = client.post(
        "/api/integrations", headers=api, json={"kind": "sftp-pull", "name": "partner", "settings": settings}
    ).json()
    result = client.post(f"{body['url']}/check", headers=api).json()
    assert result["result"] == "ok", result
    assert "2 file(s), 1 matching '*.csv'" in result["message"]
    assert client.get("/api/deliveries", headers=api).json()["items"] == []
    assert client.get("/api/runs", headers=api).json()["items"] == []
    # A run fetches and imports the file.
    ran = client.post(f"/api/integrations/{body['id']}/run", headers=api).json()
    assert (ran["state"], ran["found"], ran["landed"]) == ("ok", 1, 1), ran["message"]
    [outcome] = ran["files"]
    assert outcome["name"] == "members.csv" and outcome["counts"]["created"] == 1
    assert client.get(f"/api/deliveries/{outcome['delivery_id']}", headers=api).json()["state"] == "processed"
