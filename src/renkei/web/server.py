"""The HTTP side of ``renkei serve``: for now the health endpoint and pending-delivery pickup."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI
from sqlalchemy import text

from renkei import __version__
from renkei.channels.worker import WorkspaceHubs, resume_all
from renkei.pipeline.hub import Hub

if TYPE_CHECKING:
    from renkei.channels.outbox import OutboxSender
    from renkei.channels.smtp import InboxController


def create_app(
    hub: Hub, inbox: InboxController | None = None, outbox: OutboxSender | None = None, dropbox: Any = None
) -> FastAPI:
    """The application for one hub, and the SMTP inbox and report-mail sender it starts and stops."""

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # Every workspace's leftovers, once; the channels below then start without resuming again.
        resume_all(WorkspaceHubs(hub))
        for channel in (inbox, dropbox):
            if channel is not None:
                channel.resume_at_start = False
        if inbox is not None:
            inbox.start()
        if dropbox is not None:
            dropbox.start()
        if outbox is not None:
            outbox.start()
        try:
            yield
        finally:
            if dropbox is not None:
                dropbox.stop()
            if inbox is not None:
                inbox.stop()
            if outbox is not None:
                outbox.stop()

    app = FastAPI(title="Renkei", version=__version__, lifespan=lifespan)

    @app.get("/health")
    def health() -> dict[str, Any]:
        with hub.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return {"status": "ok", "version": __version__, "database": hub.engine.dialect.name}

    return app


def run(host: str, port: int, workspace: str, smtp_port: int = 0, ftp_port: int = 0, sftp_port: int = 0) -> None:
    """Serve until interrupted; with ``smtp_port``, the SMTP inbox too, and with the others the drop box."""
    import uvicorn

    from renkei.channels.outbox import make_sender
    from renkei.channels.smtp import env_host, env_max_bytes, make_controller

    hub = Hub.open(workspace)
    print(
        f"Renkei {__version__} on http://{host}:{port} (store: {hub.engine.url.render_as_string(hide_password=True)})"
    )
    inbox = make_controller(hub, env_host(), smtp_port, env_max_bytes()) if smtp_port else None
    if inbox is not None:
        print(f"SMTP inbox on {inbox.hostname}:{smtp_port}", flush=True)
    dropbox = None
    if ftp_port or sftp_port:
        from renkei.channels.ftp import DropBoxController
        from renkei.channels.ftp import env_host as ftp_host

        dropbox = DropBoxController(hub, ftp_host(), ftp_port or None, sftp_port or None)
        print(f"Drop box on {ftp_host()}: FTP(S) port {ftp_port or '-'}, SFTP port {sftp_port or '-'}", flush=True)
    uvicorn.run(create_app(hub, inbox, make_sender(hub), dropbox=dropbox), host=host, port=port, log_level="info")
