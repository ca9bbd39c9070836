"""``renkei serve``'s HTTP side: the admin UI, the REST API and ``/health``, beside the channels.

The app owns the background channels it is given (SMTP inbox, drop box, report-mail sender,
scheduler, IMAP poller): the lifespan resumes every workspace's leftovers once, starts them, and
stops them on shutdown.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Protocol

from fastapi import Depends, FastAPI
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import text

from renkei import __version__
from renkei.channels.worker import WorkspaceHubs, resume_all
from renkei.pipeline.hub import Hub
from renkei.web import errors
from renkei.web.auth import Caller, LoginLimiter, WebState, page_caller

STATIC = Path(__file__).parent / "static"


class Channel(Protocol):
    def start(self) -> None: ...

    def stop(self) -> None: ...


def create_app(hub: Hub, channels: Sequence[Channel] = (), *, limiter: LoginLimiter | None = None) -> FastAPI:
    """The application for one store; ``channels`` are started with it and stopped after it."""
    hubs = WorkspaceHubs(hub)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # Every workspace's leftovers, once; the channels below then start without resuming again.
        resume_all(hubs)
        for channel in channels:
            if hasattr(channel, "resume_at_start"):
                channel.resume_at_start = False
        started: list[Channel] = []
        try:
            for channel in channels:
                channel.start()
                started.append(channel)
            yield
        finally:
            for channel in reversed(started):
                channel.stop()

    app = FastAPI(
        title="Renkei",
        version=__version__,
        lifespan=lifespan,
        description="Renkei's REST API. Authenticate with `Authorization: Bearer <API token>`.",
        openapi_url="/api/openapi.json",
        docs_url="/api/docs",
        redoc_url=None,
    )
    app.state.renkei = WebState(hubs, limiter or LoginLimiter())
    errors.install(app)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/health", tags=["health"])
    def health() -> dict[str, Any]:
        """Whether the hub answers and its store is reachable (no authentication)."""
        with hub.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return {"status": "ok", "version": __version__, "database": hub.engine.dialect.name}

    @app.get("/", include_in_schema=False)
    def home(_caller: Caller = Depends(page_caller())) -> Response:  # noqa: B008
        return RedirectResponse("/integrations", status_code=303)

    _include_routers(app)
    return app


def _include_routers(app: FastAPI) -> None:
    """The routers of the API and of the pages: every module of theirs that has a ``router``."""
    import importlib
    import pkgutil

    for package in ("renkei.web.api", "renkei.web.ui"):
        module = importlib.import_module(package)
        for info in sorted(pkgutil.iter_modules(module.__path__), key=lambda m: m.name):
            sub = importlib.import_module(f"{package}.{info.name}")
            router = getattr(sub, "router", None)
            if router is not None:
                app.include_router(router)


def run(host: str, port: int, workspace: str, smtp_port: int = 0, ftp_port: int = 0, sftp_port: int = 0) -> None:
    """Serve until interrupted: UI and API, and with the ports given the SMTP inbox and the drop box."""
    import uvicorn

    from renkei.channels.outbox import make_sender
    from renkei.channels.smtp import env_host, env_max_bytes, make_controller
    from renkei.pipeline.users import ensure_first_admin

    hub = Hub.open(workspace)
    print(
        f"Renkei {__version__} on http://{host}:{port} (store: {hub.engine.url.render_as_string(hide_password=True)})"
    )
    password = ensure_first_admin(hub)
    if password is not None:
        print(
            f"First start: created user 'admin' in workspace {hub.workspace!r} with the one-time password {password}"
            " (change it with `renkei users password admin`)",
            flush=True,
        )
    channels: list[Any] = []
    if smtp_port:
        inbox = make_controller(hub, env_host(), smtp_port, env_max_bytes())
        print(f"SMTP inbox on {inbox.hostname}:{smtp_port}", flush=True)
        channels.append(inbox)
    if ftp_port or sftp_port:
        from renkei.channels.ftp import DropBoxController
        from renkei.channels.ftp import env_host as ftp_host

        channels.append(DropBoxController(hub, ftp_host(), ftp_port or None, sftp_port or None))
        print(f"Drop box on {ftp_host()}: FTP(S) port {ftp_port or '-'}, SFTP port {sftp_port or '-'}", flush=True)
    channels.append(make_sender(hub))
    if os.environ.get("RENKEI_SCHEDULER", "on") != "off":
        from renkei.channels.imap import make_poller
        from renkei.channels.scheduler import make_scheduler

        channels += [make_scheduler(hub), make_poller(hub)]
        print("Scheduler on: pull integrations at their schedules, IMAP mailboxes at their intervals", flush=True)
    uvicorn.run(create_app(hub, channels), host=host, port=port, log_level="info")
