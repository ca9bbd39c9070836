"""Users and API tokens over the API (admin only): passwords and tokens shown once, tokens revoked."""

from __future__ import annotations

import pytest

from renkei.pipeline.hub import Hub
from tests.web.conftest import bearer, sign_in


@pytest.fixture
def api(hub: Hub) -> dict[str, str]:
    return bearer(hub, "admin")


def test_add_a_user_with_a_generated_password_shown_once(hub, client, new_client, api):
    created = client.post("/api/users", headers=api, json={"login": "sato@example.jp", "role": "viewer"})
    assert created.status_code == 201
    body = created.json()
    assert body["role"] == "viewer" and body["locale"] == "ja" and len(body["password"]) >= 10
    session = sign_in(new_client(), "sato@example.jp", body["password"])
    assert session.client.get("/api/me").json()["role"] == "viewer"
    listed = client.get("/api/users", headers=api)
    assert [u["login"] for u in listed.json()] == ["sato@example.jp"] and body["password"] not in listed.text


def test_a_given_password_is_not_returned_and_bad_users_are_refused(client, api):
    body = client.post("/api/users", headers=api, json={"login": "tanaka", "password": "long enough pw"}).json()
    assert body["password"] is None and body["role"] == "operator"
    again = client.post("/api/users", headers=api, json={"login": "tanaka"})
    assert again.status_code == 422 and "already exists" in again.json()["error"]["message"]
    for bad in ({"login": "a b"}, {"login": "x", "role": "owner"}, {"login": "x", "password": "short"}):
        assert client.post("/api/users", headers=api, json=bad).status_code == 422


def test_tokens_are_shown_once_listed_by_prefix_and_revoked(client, api):
    created = client.post("/api/tokens", headers=api, json={"name": "zapier", "role": "viewer"})
    assert created.status_code == 201
    token = created.json()
    assert token["token"].startswith(token["prefix"]) and token["role"] == "viewer"
    headers = {"Authorization": f"Bearer {token['token']}"}
    assert client.get("/api/me", headers=headers).json()["role"] == "viewer"
    listed = client.get("/api/tokens", headers=api)
    assert token["token"] not in listed.text
    assert [t["name"] for t in listed.json()] == ["test admin", "zapier"]
    revoked = client.delete(f"/api/tokens/{token['id']}", headers=api)
    assert revoked.status_code == 200 and revoked.json()["revoked_at"] is not None
    assert client.get("/api/me", headers=headers).status_code == 401
    assert client.delete("/api/tokens/999", headers=api).status_code == 404
    assert client.post("/api/tokens", headers=api, json={"name": " "}).status_code == 422
