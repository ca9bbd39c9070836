"""The HTTP side of ``renkei serve``: for now the health endpoint and pending-delivery pickup."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from aiosmtpd.controller import Controller
from fastapi import FastAPI
from sqlalchemy import text

from renkei import __version__
from renkei.pipeline.deliveries import resume_pending
from renkei.pipeline.hub import Hub


def create_app(hub: Hub, inbox: Controller | None = None) -> FastAPI:
    """The application for one hub, and the SMTP inbox it starts and stops with it."""

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        resume_pending(hub)
        # Started after the resume above, so that the two never process the same delivery.
        if inbox is not None:
            inbox.start()
        try:
            yield
        finally:
            if inbox is not None:
                inbox.stop()

    app = FastAPI(title="Renkei", version=__version__, lifespan=lifespan)

    @app.get("/health")
    def health() -> dict[str, Any]:
        with hub.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return {"status": "ok", "version": __version__, "database": hub.engine.dialect.name}

    return app


def run(host: str, port: int, workspace: str, smtp_port: int = 0) -> None:
    """Serve until interrupted; with ``smtp_port``, the SMTP inbox too."""
    import uvicorn

    from renkei.channels.smtp import env_host, env_max_bytes, make_controller

    hub = Hub.open(workspace)
    print(
        f"Renkei {__version__} on http://{host}:{port} (store: {hub.engine.url.render_as_string(hide_password=True)})"
    )
    inbox = make_controller(hub, env_host(), smtp_port, env_max_bytes()) if smtp_port else None
    if inbox is not None:
        print(f"SMTP inbox on {inbox.hostname}:{smtp_port}", flush=True)
    uvicorn.run(create_app(hub, inbox), host=host, port=port, log_level="info")
