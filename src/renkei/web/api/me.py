"""Who am I: the caller's workspace, role and language (and, for a session, its CSRF token)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel

from renkei.web.auth import Caller, api_caller

router = APIRouter(prefix="/api", tags=["session"])


class Me(BaseModel):
    workspace: str
    name: str
    role: str
    locale: str
    via: str
    csrf: str | None = None


@router.get("/me", response_model=Me)
def me(caller: Annotated[Caller, Depends(api_caller())]) -> Me:
    """The caller. Pages' scripts read the CSRF token from here or from the page's meta tag."""
    p = caller.principal
    return Me(workspace=p.workspace, name=p.name, role=p.role, locale=caller.locale, via=p.via, csrf=p.csrf)
