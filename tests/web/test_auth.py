"""Signing in and out, lockout, rate limits, sessions that expire, CSRF, API tokens, roles."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient

from renkei.pipeline.hub import utcnow
from renkei.pipeline.users import (
    MAX_FAILED_LOGINS,
    SESSION_IDLE,
    SESSION_LIFETIME,
    add_user,
    authenticate,
    create_token,
    ensure_first_admin,
    open_session,
    revoke_token,
    session_principal,
)
from renkei.web.auth import LoginLimiter
from renkei.web.server import create_app
from tests.web.conftest import PASSWORD, bearer, login_csrf, sign_in, user_session


def test_pages_need_a_session_and_send_you_to_the_login_page(client: TestClient):
    response = client.get("/?x=1", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/%3Fx%3D1"


def test_login_sets_an_httponly_samesite_cookie_and_returns_where_you_were_going(hub, client):
    add_user(hub, "sato", role="viewer", password=PASSWORD)
    response = client.post(
        "/login",
        data={"login": "sato", "password": PASSWORD, "csrf": login_csrf(client), "next": "/deliveries"},
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"] == "/deliveries"
    cookie = response.headers["set-cookie"]
    assert "renkei_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Secure" not in cookie  # plain HTTP here; over TLS the cookie is Secure
    me = client.get("/api/me").json()
    assert me["name"] == "sato" and me["role"] == "viewer" and me["workspace"] == "default" and me["csrf"]


def test_the_session_cookie_is_secure_over_https(hub, app):
    add_user(hub, "sato", role="viewer", password=PASSWORD)
    with TestClient(app, base_url="https://testserver") as client:
        response = client.post(
            "/login",
            data={"login": "sato", "password": PASSWORD, "csrf": login_csrf(client)},
            follow_redirects=False,
        )
    assert "Secure" in response.headers["set-cookie"]


def test_login_never_redirects_off_site(hub, client):
    add_user(hub, "sato", role="viewer", password=PASSWORD)
    for target in ("https://evil.example/", "//evil.example/x", "javascript:alert(1)"):
        response = client.post(
            "/login",
            data={"login": "sato", "password": PASSWORD, "csrf": login_csrf(client), "next": target},
            follow_redirects=False,
        )
        assert response.headers["location"] == "/"


def test_login_form_without_its_csrf_token_is_refused(hub, client):
    add_user(hub, "sato", role="viewer", password=PASSWORD)
    response = client.post("/login", data={"login": "sato", "password": PASSWORD, "csrf": "forged"})
    assert response.status_code == 403
    assert client.get("/api/me").status_code == 401


def test_wrong_password_says_so_in_japanese_and_five_in_a_row_lock_the_user(hub, client):
    add_user(hub, "sato", role="viewer", password=PASSWORD)
    for _ in range(MAX_FAILED_LOGINS - 1):
        response = client.post("/login", data={"login": "sato", "password": "nope", "csrf": login_csrf(client)})
        assert response.status_code == 401 and "ログインIDまたはパスワードが正しくありません" in response.text
    response = client.post("/login", data={"login": "sato", "password": "nope", "csrf": login_csrf(client)})
    assert "ロックされています" in response.text
    # Locked: even the right password is refused until the lock ends.
    response = client.post("/login", data={"login": "sato", "password": PASSWORD, "csrf": login_csrf(client)})
    assert response.status_code == 401 and "ロックされています" in response.text
    later = utcnow() + timedelta(minutes=16)
    assert authenticate(hub.engine, "sato", PASSWORD, now=later).login == "sato"


def test_login_attempts_are_rate_limited_per_client(hub):
    add_user(hub, "sato", role="viewer", password=PASSWORD)
    with TestClient(create_app(hub, limiter=LoginLimiter(attempts=3, window=60))) as client:
        codes = [
            client.post("/login", data={"login": "x", "password": "y", "csrf": login_csrf(client)}).status_code
            for _ in range(4)
        ]
        assert codes == [401, 401, 401, 429]
        response = client.post("/login", data={"login": "sato", "password": PASSWORD, "csrf": login_csrf(client)})
        assert response.status_code == 429


def test_sessions_end_after_idle_time_and_after_their_lifetime(hub):
    user, _ = add_user(hub, "sato", role="viewer", password=PASSWORD)
    start = utcnow()
    token, _csrf = open_session(hub.engine, user, now=start)
    assert session_principal(hub.engine, token, now=start + SESSION_IDLE / 2) is not None
    assert session_principal(hub.engine, token, now=start + SESSION_IDLE / 2 + SESSION_IDLE) is None
    # Gone for good: the expired session was deleted.
    assert session_principal(hub.engine, token, now=start) is None
    token, _csrf = open_session(hub.engine, user, now=start)
    moment = start
    while moment < start + SESSION_LIFETIME - SESSION_IDLE / 2:
        moment += SESSION_IDLE / 2
        assert session_principal(hub.engine, token, now=moment) is not None
    assert session_principal(hub.engine, token, now=start + SESSION_LIFETIME) is None


def test_logout_needs_the_csrf_token_and_ends_the_session(admin):
    assert admin.client.post("/logout", follow_redirects=False).status_code == 403
    assert admin.client.get("/api/me").status_code == 200
    assert admin.post("/logout", follow_redirects=False).status_code == 303
    assert admin.client.get("/api/me").status_code == 401


def test_api_errors_use_one_envelope(client):
    body = client.get("/api/me").json()
    assert body == {"error": {"code": "unauthenticated", "message": body["error"]["message"]}}
    assert client.get("/api/no-such-thing").json()["error"]["code"] == "not_found"


def test_api_tokens_authenticate_until_revoked(hub, client):
    token, secret = create_token(hub, "zapier", "operator")
    headers = {"Authorization": f"Bearer {secret}"}
    me = client.get("/api/me", headers=headers).json()
    assert me["via"] == "token" and me["role"] == "operator" and me["csrf"] is None
    assert client.get("/api/me", headers={"Authorization": "Bearer rk_wrong"}).status_code == 401
    revoke_token(hub, token.id)
    assert client.get("/api/me", headers=headers).status_code == 401


def test_tokens_are_stored_hashed(hub):
    from sqlalchemy import select

    from renkei.store.schema import api_tokens

    _token, secret = create_token(hub, "zapier", "viewer")
    with hub.engine.connect() as conn:
        stored = conn.execute(select(api_tokens)).one()
    assert secret not in str(stored._mapping.values()) and stored.token_hash != secret


def test_a_users_session_is_scoped_to_their_workspace(hub, new_client):
    other = hub.for_workspace("tokyo-branch")
    add_user(other, "tanaka", role="admin", password=PASSWORD)
    session = sign_in(new_client(), "tanaka")
    assert session.client.get("/api/me").json()["workspace"] == "tokyo-branch"
    assert new_client().get("/api/me", headers=bearer(other, "viewer")).json()["workspace"] == "tokyo-branch"


def test_first_start_creates_one_admin_with_a_one_time_password(hub, client):
    password = ensure_first_admin(hub)
    assert password and ensure_first_admin(hub) is None
    assert sign_in(client, "admin", password).client.get("/api/me").json()["role"] == "admin"


def test_the_language_switch_is_remembered_for_the_user(hub, new_client):
    session = user_session(hub, new_client, "viewer")
    assert session.client.get("/api/me").json()["locale"] == "ja"
    response = session.post("/locale", data={"locale": "en", "next": "/"}, follow_redirects=False)
    assert response.status_code == 303
    assert session.client.get("/api/me").json()["locale"] == "en"
    assert sign_in(new_client(), "viewer@example.jp").client.get("/api/me").json()["locale"] == "en"


def test_login_page_in_english_on_request(client):
    page = client.get("/login?lang=en")
    assert "Sign in" in page.text and 'lang="en"' in page.text
    assert "ログイン" in client.get("/login?lang=ja").text
