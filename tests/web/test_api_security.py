"""Who may call what: roles on every route, CSRF for sessions, workspaces isolated, no secret ever returned.

The route lists come from the served OpenAPI document, so a new route is covered without editing this file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import asyncssh
from fastapi.testclient import TestClient

from renkei.pipeline.customers import iter_customers
from renkei.pipeline.deliveries import get_delivery, import_file
from renkei.pipeline.hub import Hub
from renkei.pipeline.integrations import add_integration, get_integration
from renkei.pipeline.mail import inbox_address
from renkei.pipeline.users import create_token, list_tokens
from tests.conftest import write_csv
from tests.helpers import free_port
from tests.web.api_helpers import GOOD, HEADER, csv_bytes, upload
from tests.web.conftest import bearer, user_session

ADMIN_ONLY = ("/api/users", "/api/tokens")


@dataclass
class Ids:
    integration_id: int
    delivery_id: int
    customer_id: int
    token_id: int


def seed(hub: Hub, tmp_path) -> Ids:
    """One integration, a processed delivery, its customer and an API token in the hub's workspace."""
    integration = add_integration(hub, {"name": "members", "kind": "csv"})
    result = import_file(hub, integration, write_csv(tmp_path / f"{hub.workspace}.csv", [HEADER, GOOD]))
    customer = next(iter_customers(hub))["id"]
    token, _ = create_token(hub, "partner", "viewer")
    return Ids(integration.id, result.delivery_id, customer, token.id)


def routes(app, *, unsafe_only: bool = False) -> list[tuple[str, str]]:
    """Every API operation of the served document as (METHOD, path template)."""
    found = []
    for path, operations in app.openapi()["paths"].items():
        if not path.startswith("/api/"):
            continue
        for method in operations:
            if unsafe_only and method in ("get", "head", "options"):
                continue
            found.append((method.upper(), path))
    return found


def fill(path: str, ids: Ids) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: str(getattr(ids, m.group(1))), path)


def test_a_viewer_is_refused_every_change_and_an_operator_the_admin_routes(hub, client, app, tmp_path):
    ids = seed(hub, tmp_path)
    viewer, operator = bearer(hub, "viewer"), bearer(hub, "operator")
    unsafe = routes(app, unsafe_only=True)
    assert len(unsafe) >= 15
    for method, path in unsafe:
        response = client.request(method, fill(path, ids), headers=viewer)
        assert response.status_code == 403, (method, path, response.text)
        assert response.json()["error"]["code"] == "forbidden"
    for method, path in routes(app):
        if path.startswith(ADMIN_ONLY):
            response = client.request(method, fill(path, ids), headers=operator)
            assert response.status_code == 403, (method, path)
    # Reading is every role's.
    for method, path in routes(app):
        if method == "GET" and not path.startswith(ADMIN_ONLY):
            assert client.get(fill(path, ids), headers=viewer).status_code == 200, path
    assert get_delivery(hub, ids.delivery_id).state == "processed"


def test_a_session_needs_the_csrf_header_on_every_unsafe_route_a_token_does_not(hub, app, new_client, tmp_path):
    ids = seed(hub, tmp_path)
    session = user_session(hub, new_client, "admin")
    for method, path in routes(app, unsafe_only=True):
        response = session.client.request(method, fill(path, ids))
        assert response.status_code == 403, (method, path)
        assert response.json()["error"]["code"] == "csrf"
    assert get_delivery(hub, ids.delivery_id).state == "processed"
    assert session.post(f"/api/integrations/{ids.integration_id}/stop").json()["status"] == "stopped"
    token = new_client()
    assert (
        token.post(f"/api/integrations/{ids.integration_id}/start", headers=bearer(hub, "operator")).status_code == 200
    )


def test_a_session_upload_may_carry_its_csrf_token_as_a_form_field(hub, new_client, tmp_path):
    ids = seed(hub, tmp_path)
    session = user_session(hub, new_client, "operator")
    response = session.client.post(
        f"/api/integrations/{ids.integration_id}/files",
        params={"wait": "true"},
        data={"csrf": session.csrf},
        files={"file": ("b.csv", csv_bytes([HEADER, ["佐藤 花子", "", "h@example.jp", "", ""]]), "text/csv")},
    )
    assert response.status_code == 200, response.text
    assert response.json()["result"]["counts"]["created"] == 1


def test_another_workspaces_ids_are_404_everywhere_and_nothing_changes(hub, client, app, tmp_path):
    seed(hub, tmp_path)
    other = hub.for_workspace("tokyo-branch")
    theirs = seed(other, tmp_path)
    their_token_secret = create_token(other, "their bot", "admin")[1]
    before = (get_integration(other, theirs.integration_id), get_delivery(other, theirs.delivery_id))
    mine = bearer(hub, "admin")
    tried = 0
    for method, path in routes(app):
        if "{" not in path:
            continue
        files = {"file": ("x.csv", csv_bytes([HEADER, GOOD]), "text/csv")} if path.endswith("/files") else None
        body = {} if method == "PATCH" else None
        response = client.request(method, fill(path, theirs), headers=mine, json=body, files=files)
        assert response.status_code == 404, (method, path, response.text)
        assert response.json()["error"]["code"] == "not_found"
        assert "members" not in response.text
        tried += 1
    for path in ("/api/deliveries", "/api/runs"):
        assert client.get(path, headers=mine, params={"integration_id": theirs.integration_id}).status_code == 404
    assert tried >= 15
    assert (get_integration(other, theirs.integration_id), get_delivery(other, theirs.delivery_id)) == before
    assert all(t.revoked_at is None for t in list_tokens(other))
    assert client.get("/api/me", headers={"Authorization": f"Bearer {their_token_secret}"}).status_code == 200
    # Lists never show the other workspace's rows either.
    for path in ("/api/integrations", "/api/deliveries", "/api/customers", "/api/runs", "/api/tokens", "/api/users"):
        assert "tokyo" not in client.get(path, headers=mine).text


def test_no_secret_is_ever_returned_in_a_full_flow(hub, client: TestClient):
    """Every response of a flow that touches every kind of secret, scanned for the secret values."""
    admin = bearer(hub, "admin")
    responses: list[tuple[str, str]] = []

    def call(method: str, url: str, **kwargs):
        response = client.request(method, url, headers=admin, **kwargs)
        assert response.status_code < 500, (url, response.text)
        responses.append((f"{method} {url}", response.text))
        return response

    private_key = asyncssh.generate_private_key("ssh-ed25519").export_private_key().decode()
    sftp_password, imap_password = "sftp-Pa55word-zz", "imap-Pa55word-yy"
    sftp = call(
        "POST",
        "/api/integrations",
        json={
            "kind": "sftp-pull",
            "name": "partner sftp",
            "settings": {
                "host": "127.0.0.1",
                "port": free_port(),
                "username": "u",
                "password": sftp_password,
                "private_key": private_key,
                "host_key": "SHA256:" + "A" * 43,
            },
        },
    ).json()
    suumo = call(
        "POST",
        "/api/integrations",
        json={
            "kind": "suumo",
            "name": "SUUMO",
            "settings": {
                "imap": {
                    "host": "127.0.0.1",
                    "port": free_port(),
                    "tls": False,
                    "username": "u",
                    "password": imap_password,
                }
            },
        },
    ).json()
    drop = call("POST", "/api/integrations", json={"kind": "ftp-drop", "name": "drop"}).json()
    csv_id = call("POST", "/api/integrations", json={"kind": "csv", "name": "files"}).json()["id"]
    for integration in (sftp, suumo, drop):
        url = integration["url"]
        call("GET", url)
        call("PATCH", url, json={"settings": integration["settings"]})
        call("POST", f"{url}/check")
        call("POST", f"{url}/stop")
        call("POST", f"{url}/start")
    call("POST", f"/api/integrations/{sftp['id']}/run")
    reset = call("POST", f"{drop['url']}/password/reset").json()["password"]
    call("POST", f"{suumo['url']}/inbox/rotate")
    delivery = upload(client, admin, csv_id, csv_bytes([HEADER, GOOD]), wait=True).json()["delivery_id"]
    for url in ("/api/integrations", "/api/kinds", "/api/deliveries", f"/api/deliveries/{delivery}", "/api/runs"):
        call("GET", url)
    call("GET", f"/api/deliveries/{delivery}/errors")
    call("POST", f"/api/deliveries/{delivery}/dry-run")
    call("GET", "/api/customers")
    call("GET", "/api/customers/export")
    token = call("POST", "/api/tokens", json={"name": "bot"}).json()["token"]
    user_password = call("POST", "/api/users", json={"login": "sato"}).json()["password"]
    call("GET", "/api/tokens")
    call("GET", "/api/users")

    stored = get_integration(hub, drop["id"]).settings.password_hash.get_secret_value()
    never_shown = [
        sftp_password,
        private_key.strip().splitlines()[1],
        imap_password,
        stored,
        admin["Authorization"][7:],
    ]
    for secret in never_shown:
        leaks = [where for where, text in responses if secret in text]
        assert leaks == [], f"a secret appears in {leaks}"
    once = {
        drop["shown_once"]["password"]: "POST /api/integrations",
        reset: f"POST {drop['url']}/password/reset",
        token: "POST /api/tokens",
        user_password: "POST /api/users",
    }
    for secret, where in once.items():
        assert [w for w, text in responses if secret in text] == [where]
    # The inbox address is shown on purpose (it is what the portal forwards to); its secret only inside it.
    address = inbox_address(get_integration(hub, suumo["id"]))
    secret_part = address.split("@")[0].rsplit("-", 1)[1]
    for _where, text in responses:
        assert text.count(secret_part) == text.count(address)
