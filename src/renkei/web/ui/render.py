"""Render a page: the template, the caller's language, the CSRF token for its forms."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from renkei import __version__
from renkei.core.reasons import reason_sayer
from renkei.web.auth import Caller
from renkei.web.i18n import DEFAULT_LOCALE, Translate

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).resolve().parents[1] / "templates"))


def render(
    request: Request,
    template: str,
    *,
    caller: Caller | None = None,
    t: Translate | None = None,
    locale: str | None = None,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    """The page ``template`` for ``caller`` (or, before login, with the given translator and locale)."""
    values = {
        "caller": caller,
        "t": caller.t if caller else t,
        "locale": caller.locale if caller else locale,
        "reason": reason_sayer(caller.locale if caller else locale or DEFAULT_LOCALE),
        "csrf": caller.principal.csrf if caller else context.pop("csrf", ""),
        "version": __version__,
        **context,
    }
    response = TEMPLATES.TemplateResponse(request, template, values, status_code=status_code)
    response.headers["Cache-Control"] = "no-store"
    return response
