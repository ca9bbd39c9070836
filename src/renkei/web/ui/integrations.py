"""The integrations list: each integration's state, last delivery and counts; start and stop."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from renkei.pipeline.browse import integration_summaries
from renkei.pipeline.integrations import get_integration, set_status
from renkei.sources.pull_kind import PULL_KINDS
from renkei.web.auth import Caller, page_caller
from renkei.web.ui.common import display_state, flash_key, redirect
from renkei.web.ui.render import render

router = APIRouter(include_in_schema=False)

Viewer = Annotated[Caller, Depends(page_caller())]
Operator = Annotated[Caller, Depends(page_caller("operator"))]


@router.get("/integrations")
def integrations_page(request: Request, caller: Viewer, done: str | None = None) -> Response:
    rows = [
        {
            "summary": s,
            "state": display_state(s.status, s.waiting, s.integration.spec.kind),
            # Pull kinds check a server, mail kinds with IMAP poll a mailbox: both can be run now.
            "runnable": s.integration.spec.kind in PULL_KINDS or getattr(s.integration.settings, "imap", None),
        }
        for s in integration_summaries(caller.hub)
    ]
    key = flash_key(done)
    return render(
        request, "integrations.html", caller=caller, nav="integrations", rows=rows, flash=caller.t(key) if key else None
    )


@router.post("/integrations/{integration_id}/start")
def start(integration_id: int, caller: Operator) -> Response:
    integration = get_integration(caller.hub, integration_id)
    set_status(caller.hub, integration.name, "active")
    return redirect("/integrations?done=started")


@router.post("/integrations/{integration_id}/stop")
def stop(integration_id: int, caller: Operator) -> Response:
    integration = get_integration(caller.hub, integration_id)
    set_status(caller.hub, integration.name, "stopped")
    return redirect("/integrations?done=stopped")
