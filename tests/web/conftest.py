"""A served app on a fresh store, a client, and signed-in users of each role."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from renkei.pipeline.hub import Hub
from renkei.pipeline.users import add_user, create_token
from renkei.web.auth import LoginLimiter
from renkei.web.server import create_app

PASSWORD = "correct horse battery"


@dataclass
class Session:
    """A signed-in browser-like client: its cookie jar and the session's CSRF token."""

    client: TestClient
    csrf: str
    login: str

    def post(self, url: str, **kwargs):
        headers = {"X-CSRF-Token": self.csrf, **kwargs.pop("headers", {})}
        return self.client.post(url, headers=headers, **kwargs)

    def request(self, method: str, url: str, **kwargs):
        headers = {"X-CSRF-Token": self.csrf, **kwargs.pop("headers", {})}
        return self.client.request(method, url, headers=headers, **kwargs)


def login_csrf(client: TestClient, next_: str = "/") -> str:
    page = client.get("/login", params={"next": next_})
    return re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)


def sign_in(client: TestClient, login: str, password: str = PASSWORD) -> Session:
    """Sign in through the login form, as a browser does; fails the test if it does not work."""
    response = client.post(
        "/login",
        data={"login": login, "password": password, "csrf": login_csrf(client), "next": "/"},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    me = client.get("/api/me").json()
    return Session(client, me["csrf"], login)


@pytest.fixture
def app(hub: Hub):
    return create_app(hub, limiter=LoginLimiter(attempts=10_000))


@pytest.fixture
def client(app) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def new_client(app):
    """Another browser on the same app (its own cookies)."""
    opened: list[TestClient] = []

    def make() -> TestClient:
        c = TestClient(app)
        c.__enter__()
        opened.append(c)
        return c

    yield make
    for c in opened:
        c.__exit__(None, None, None)


@pytest.fixture
def admin(hub: Hub, client: TestClient) -> Session:
    add_user(hub, "admin@example.jp", role="admin", password=PASSWORD)
    return sign_in(client, "admin@example.jp")


def user_session(hub: Hub, new_client, role: str, login: str | None = None) -> Session:
    login = login or f"{role}@example.jp"
    add_user(hub, login, role=role, password=PASSWORD)
    return sign_in(new_client(), login)


def bearer(hub: Hub, role: str = "operator") -> dict[str, str]:
    """Headers carrying a new API token of ``role`` in the hub's workspace."""
    _token, secret = create_token(hub, f"test {role}", role)
    return {"Authorization": f"Bearer {secret}"}
