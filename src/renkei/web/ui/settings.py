"""Administration: the workspace's users (added with a role and a one-time password) and API tokens."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from renkei.errors import ConfigurationError
from renkei.pipeline.users import ROLES, add_user, create_token, list_tokens, list_users, revoke_token
from renkei.web.auth import Caller, page_caller
from renkei.web.ui.common import flash_key, redirect
from renkei.web.ui.render import render

router = APIRouter(include_in_schema=False)

Admin = Annotated[Caller, Depends(page_caller("admin"))]


def _page(
    request: Request,
    caller: Caller,
    *,
    new_user: tuple[str, str] | None = None,
    new_token: str | None = None,
    error: str | None = None,
    done: str | None = None,
) -> Response:
    key = flash_key(done)
    return render(
        request,
        "settings.html",
        caller=caller,
        nav="settings",
        users=list_users(caller.hub),
        tokens=list_tokens(caller.hub),
        roles=ROLES,
        new_user=new_user,
        new_token=new_token,
        error=error,
        flash=caller.t(key) if key else None,
        status_code=422 if error else 200,
    )


@router.get("/settings")
def settings_page(request: Request, caller: Admin, done: str | None = None) -> Response:
    return _page(request, caller, done=done)


@router.post("/settings/users")
async def add_user_page(request: Request, caller: Admin) -> Response:
    """A new user with a generated one-time password, shown on this page only."""
    form = await request.form()
    login = str(form.get("login") or "").strip()
    try:
        user, password = add_user(
            caller.hub,
            login,
            role=str(form.get("role") or "viewer"),
            display_name=str(form.get("display_name") or "").strip() or None,
            locale=str(form.get("locale") or "ja"),
        )
    except ConfigurationError as error:
        return _page(request, caller, error=str(error))
    return _page(request, caller, new_user=(user.login, password or ""))


@router.post("/settings/tokens")
async def add_token(request: Request, caller: Admin) -> Response:
    """A new API token, shown on this page only."""
    form = await request.form()
    try:
        _token, secret = create_token(
            caller.hub, str(form.get("name") or ""), str(form.get("role") or "viewer"), caller.principal.user_id
        )
    except ConfigurationError as error:
        return _page(request, caller, error=str(error))
    return _page(request, caller, new_token=secret)


@router.post("/settings/tokens/{token_id}/revoke")
def revoke(token_id: int, caller: Admin) -> Response:
    revoke_token(caller.hub, token_id)
    return redirect("/settings?done=token_revoked")
