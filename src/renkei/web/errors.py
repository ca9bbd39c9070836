"""One JSON error envelope for the whole API: ``{"error": {"code", "message", "details"}}``.

Browser pages get the same failures as a page (or a redirect to the login page) instead.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from renkei.errors import ConfigurationError, NotFoundError, RenkeiError

log = logging.getLogger(__name__)

STATUS_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    422: "invalid",
    429: "rate_limited",
    500: "internal",
}


class ApiError(Exception):
    """A failure to answer with the envelope: HTTP status, a stable code, a message for people."""

    def __init__(self, status: int, message: str, code: str | None = None, details: Any = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code or STATUS_CODES.get(status, "error")
        self.message = message
        self.details = details


class LoginRequired(Exception):
    """A page was asked for without a valid session: go to the login page."""


def envelope(status: int, message: str, code: str | None = None, details: Any = None) -> JSONResponse:
    body: dict[str, Any] = {"code": code or STATUS_CODES.get(status, "error"), "message": message}
    if details is not None:
        body["details"] = details
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse({"error": body}, status_code=status, headers=headers)


def install(app: FastAPI) -> None:
    """Register the handlers that turn every failure into the envelope (or a redirect for pages)."""

    @app.exception_handler(ApiError)
    async def api_error(_request: Request, error: ApiError) -> Response:
        return envelope(error.status, error.message, error.code, error.details)

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, _error: LoginRequired) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        from urllib.parse import quote

        return RedirectResponse(f"/login?next={quote(target)}", status_code=303)

    @app.exception_handler(NotFoundError)
    async def not_found(_request: Request, error: NotFoundError) -> Response:
        return envelope(404, str(error))

    @app.exception_handler(ConfigurationError)
    async def configuration(_request: Request, error: ConfigurationError) -> Response:
        return envelope(422, str(error))

    @app.exception_handler(RenkeiError)
    async def renkei_error(_request: Request, error: RenkeiError) -> Response:
        return envelope(409, str(error), "conflict")

    @app.exception_handler(RequestValidationError)
    async def invalid(_request: Request, error: RequestValidationError) -> Response:
        details = [
            {"where": ".".join(str(p) for p in e.get("loc", ())), "message": e.get("msg", "")} for e in error.errors()
        ]
        return envelope(422, "the request is not valid", "invalid", details)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, error: StarletteHTTPException) -> Response:
        return envelope(error.status_code, str(error.detail))

    @app.exception_handler(Exception)
    async def crash(_request: Request, error: Exception) -> Response:
        log.exception("unhandled error", exc_info=error)
        return envelope(500, "an internal error happened; it has been logged")
