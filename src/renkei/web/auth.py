"""Who is calling, and may they: session cookies for pages, bearer tokens for the API, CSRF, roles.

Every route but ``/health`` and the login page depends on one of ``api_caller`` or
``page_caller``; the caller's hub is scoped to the caller's workspace, so a service function
given it cannot see another workspace's rows, whatever id is asked for.

A session-authenticated request that changes something (any method but GET/HEAD/OPTIONS)
must carry the session's CSRF token, in the ``X-CSRF-Token`` header or a ``csrf`` form field.
Bearer-token requests carry no cookie a browser would send by itself, so need none.
"""

from __future__ import annotations

import hmac
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from fastapi import Request

from renkei.channels.worker import WorkspaceHubs
from renkei.pipeline.hub import Hub
from renkei.pipeline.users import Principal, session_principal, token_principal
from renkei.web.errors import ApiError, LoginRequired
from renkei.web.i18n import Translate, pick_locale, translator

SESSION_COOKIE = "renkei_session"
LOCALE_COOKIE = "renkei_lang"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class LoginLimiter:
    """At most ``attempts`` logins per client address in ``window`` seconds (a sliding window)."""

    def __init__(self, attempts: int = 10, window: float = 300.0) -> None:
        self.attempts = attempts
        self.window = window
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, client: str) -> bool:
        now = time.monotonic()
        with self._lock:
            seen = self._seen.setdefault(client, deque())
            while seen and seen[0] <= now - self.window:
                seen.popleft()
            if len(seen) >= self.attempts:
                return False
            seen.append(now)
            return True


@dataclass(slots=True)
class WebState:
    """What every request may need, kept on ``app.state.renkei``."""

    hubs: WorkspaceHubs
    limiter: LoginLimiter


@dataclass(frozen=True, slots=True)
class Caller:
    """An authenticated request: who, in which workspace (its hub), in which language."""

    principal: Principal
    hub: Hub
    locale: str
    t: Translate

    def may(self, role: str) -> bool:
        return self.principal.may(role)


def state(request: Request) -> WebState:
    found: WebState = request.app.state.renkei
    return found


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _principal(request: Request) -> Principal | None:
    engine = state(request).hubs.base.engine
    header = request.headers.get("authorization", "")
    if header[:7].lower() == "bearer ":
        return token_principal(engine, header[7:].strip())
    cookie = request.cookies.get(SESSION_COOKIE)
    return session_principal(engine, cookie) if cookie else None


def _caller(request: Request, principal: Principal) -> Caller:
    locale = pick_locale(principal.locale if principal.via == "session" else None, request.cookies.get(LOCALE_COOKIE))
    return Caller(principal, state(request).hubs.get(principal.workspace_id), locale, translator(locale))


def csrf_matches(principal: Principal, offered: str | None) -> bool:
    return bool(principal.csrf and offered and hmac.compare_digest(principal.csrf, offered))


async def _csrf_ok(request: Request, principal: Principal) -> bool:
    if principal.via != "session" or request.method in SAFE_METHODS:
        return True
    offered = request.headers.get(CSRF_HEADER)
    if offered is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get("csrf")
        offered = value if isinstance(value, str) else None
    return csrf_matches(principal, offered)


def api_caller(role: str = "viewer") -> Callable[[Request], Awaitable[Caller]]:
    """A dependency for API routes: the caller, or a 401/403 in the error envelope."""

    async def dependency(request: Request) -> Caller:
        principal = _principal(request)
        if principal is None:
            raise ApiError(401, "sign in or send an API token (Authorization: Bearer …)")
        # The role first: a caller who may not do this never gets a request body read (a form, an upload).
        if not principal.may(role):
            raise ApiError(403, f"this needs the {role} role; you have {principal.role}")
        if not await _csrf_ok(request, principal):
            raise ApiError(403, "the CSRF token is missing or wrong", "csrf")
        return _caller(request, principal)

    return dependency


def page_caller(role: str = "viewer") -> Callable[[Request], Awaitable[Caller]]:
    """A dependency for pages: the caller, or a redirect to the login page."""

    async def dependency(request: Request) -> Caller:
        principal = _principal(request)
        if principal is None or principal.via != "session":
            raise LoginRequired()
        if not principal.may(role):
            raise ApiError(403, f"this needs the {role} role; you have {principal.role}")
        if not await _csrf_ok(request, principal):
            raise ApiError(403, "the CSRF token is missing or wrong; reload the page and try again", "csrf")
        return _caller(request, principal)

    return dependency
