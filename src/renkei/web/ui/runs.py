"""Runs: the scheduled and manual checks of pull integrations, and "check now" for those and IMAP mailboxes."""

from __future__ import annotations

import logging
import threading
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from renkei.errors import ConfigurationError, RenkeiError
from renkei.pipeline.browse import page_checks
from renkei.pipeline.integrations import get_integration, list_integrations
from renkei.sources.pull_kind import PULL_KINDS
from renkei.web.auth import Caller, page_caller
from renkei.web.ui.common import flash_key, redirect
from renkei.web.ui.render import render

log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)

Viewer = Annotated[Caller, Depends(page_caller())]
Operator = Annotated[Caller, Depends(page_caller("operator"))]


@router.get("/runs")
def runs_page(
    request: Request, caller: Viewer, integration: str | None = None, cursor: str | None = None, done: str | None = None
) -> Response:
    integration_id = int(integration) if integration and integration.isdigit() else None
    try:
        page = page_checks(caller.hub, integration_id=integration_id, cursor=cursor)
    except ConfigurationError:
        page = page_checks(caller.hub, integration_id=integration_id)
    pulls = {i.id: i.name for i in list_integrations(caller.hub) if i.spec.kind in PULL_KINDS}
    key = flash_key(done)
    return render(
        request,
        "runs.html",
        caller=caller,
        nav="runs",
        page=page,
        pulls=pulls,
        integration_id=integration_id,
        flash=caller.t(key) if key else None,
    )


@router.post("/integrations/{integration_id}/run")
def run_now(request: Request, integration_id: int, caller: Operator) -> Response:
    """Check a pull integration now (on a thread of its own: the runs page shows it), or poll an IMAP mailbox."""
    integration = get_integration(caller.hub, integration_id)
    if integration.spec.kind in PULL_KINDS:
        from renkei.pipeline.pull import run_check

        def check() -> None:
            try:
                run_check(caller.hub, integration)
            except Exception:  # recorded on the check row where it can be; never lost silently
                log.exception("check of %r started from the UI crashed", integration.name)

        threading.Thread(target=check, name=f"renkei-check-{integration.id}", daemon=True).start()
        return redirect(f"/runs?integration={integration.id}&done=check_started")
    if getattr(integration.settings, "imap", None) is None:
        raise ConfigurationError(f"integration {integration.name!r} has nothing to check: it neither pulls nor polls")
    from renkei.pipeline.imap_pull import poll_once

    try:
        poll_once(caller.hub, integration)
    except RenkeiError as error:
        message = caller.t("runs.poll_failed", name=integration.name, reason=str(error))
        return render(request, "error.html", caller=caller, message=message, status_code=409)
    return redirect(f"/deliveries?integration={integration.id}&done=polled")
