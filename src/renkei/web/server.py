"""The HTTP side of ``renkei serve``: for now the health endpoint and pending-delivery pickup."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from sqlalchemy import text

from renkei import __version__
from renkei.pipeline.deliveries import resume_pending
from renkei.pipeline.hub import Hub


def create_app(hub: Hub) -> FastAPI:
    """The application for one hub."""

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        resume_pending(hub)
        yield

    app = FastAPI(title="Renkei", version=__version__, lifespan=lifespan)

    @app.get("/health")
    def health() -> dict[str, Any]:
        with hub.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return {"status": "ok", "version": __version__, "database": hub.engine.dialect.name}

    return app


def run(host: str, port: int, workspace: str) -> None:
    """Serve until interrupted."""
    import uvicorn

    hub = Hub.open(workspace)
    print(
        f"Renkei {__version__} on http://{host}:{port} (store: {hub.engine.url.render_as_string(hide_password=True)})"
    )
    uvicorn.run(create_app(hub), host=host, port=port, log_level="info")
