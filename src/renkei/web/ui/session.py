"""Signing in and out, and choosing the language."""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated
from urllib.parse import urlparse

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from renkei.pipeline.users import LoginRefused, authenticate, close_session, open_session, set_locale
from renkei.web.auth import (
    LOCALE_COOKIE,
    SESSION_COOKIE,
    Caller,
    client_address,
    page_caller,
    state,
)
from renkei.web.i18n import pick_locale, translator
from renkei.web.ui.render import render

router = APIRouter(include_in_schema=False)
LOGIN_CSRF_COOKIE = "renkei_login_csrf"


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never an open redirect."""
    if not target:
        return "/"
    parsed = urlparse(target)
    if parsed.scheme or parsed.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def _login_page(request: Request, *, next_: str, error: str | None = None, status_code: int = 200) -> Response:
    locale = pick_locale(request.query_params.get("lang"), request.cookies.get(LOCALE_COOKIE))
    token = secrets.token_urlsafe(24)
    response = render(
        request,
        "login.html",
        t=translator(locale),
        locale=locale,
        csrf=token,
        next=next_,
        error=error,
        status_code=status_code,
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict", secure=_secure(request), path="/login"
    )
    if request.query_params.get("lang"):
        response.set_cookie(LOCALE_COOKIE, locale, samesite="lax", secure=_secure(request), max_age=365 * 86400)
    return response


@router.get("/login")
def login_form(request: Request, next: str | None = None) -> Response:
    return _login_page(request, next_=_safe_next(next))


@router.post("/login")
def login(
    request: Request,
    login: Annotated[str, Form()],
    password: Annotated[str, Form()],
    csrf: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    target = _safe_next(next)
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not cookie or not hmac.compare_digest(cookie, csrf):
        return _login_page(request, next_=target, error="login.error.csrf", status_code=403)
    if not state(request).limiter.allow(client_address(request)):
        return _login_page(request, next_=target, error="login.error.rate", status_code=429)
    engine = state(request).hubs.base.engine
    result = authenticate(engine, login.strip(), password)
    if isinstance(result, LoginRefused):
        error = "login.error.locked" if result.reason == "locked" else "login.error.wrong"
        return _login_page(request, next_=target, error=error, status_code=401)
    token, _csrf = open_session(engine, result)
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="lax", secure=_secure(request), path="/")
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


@router.post("/logout")
def logout(request: Request, caller: Annotated[Caller, Depends(page_caller())]) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        close_session(caller.hub.engine, token)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.post("/locale")
def choose_locale(
    request: Request,
    caller: Annotated[Caller, Depends(page_caller())],
    locale: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/",
) -> Response:
    chosen = pick_locale(locale)
    if caller.principal.user_id is not None:
        set_locale(caller.hub.engine, caller.principal.user_id, chosen)
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(LOCALE_COOKIE, chosen, samesite="lax", secure=_secure(request), max_age=365 * 86400)
    return response
