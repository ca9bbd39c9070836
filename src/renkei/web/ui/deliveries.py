"""Deliveries: the list (by integration and state) and one delivery with its row errors and raw payload."""

from __future__ import annotations

import io
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from renkei.errors import ConfigurationError, FatalError
from renkei.pipeline.browse import page_deliveries, page_row_errors
from renkei.pipeline.deliveries import TERMINAL, Delivery, ProcessResult, get_delivery, replay_delivery, undo_delivery
from renkei.pipeline.hub import Hub
from renkei.pipeline.integrations import Integration, get_integration, list_integrations
from renkei.web.auth import Caller, page_caller
from renkei.web.ui.common import flash_key, redirect
from renkei.web.ui.render import render

router = APIRouter(include_in_schema=False)

Viewer = Annotated[Caller, Depends(page_caller())]
Operator = Annotated[Caller, Depends(page_caller("operator"))]

STATES = ("received", "processed", "not-a-lead", *[s for s in TERMINAL if s != "processed"])
PREVIEW_LINES = 20
PREVIEW_CHARS = 20_000


@router.get("/deliveries")
def deliveries_page(
    request: Request,
    caller: Viewer,
    integration: str | None = None,
    state: str | None = None,
    cursor: str | None = None,
    done: str | None = None,
) -> Response:
    integration_id = int(integration) if integration and integration.isdigit() else None
    chosen_state = state if state in STATES else None
    key = flash_key(done)
    try:
        page = page_deliveries(caller.hub, integration_id=integration_id, state=chosen_state, cursor=cursor)
    except ConfigurationError:
        page = page_deliveries(caller.hub, integration_id=integration_id, state=chosen_state)
    names = {i.id: i.name for i in list_integrations(caller.hub)}
    return render(
        request,
        "deliveries.html",
        caller=caller,
        nav="deliveries",
        page=page,
        names=names,
        states=STATES,
        integration_id=integration_id,
        state=chosen_state,
        flash=caller.t(key) if key else None,
    )


def payload_preview(hub: Hub, integration: Integration, delivery: Delivery) -> dict[str, Any]:
    """What the page shows of the raw payload: a mail decoded to text, or a file's first lines."""
    path = hub.archive.path_for(delivery.sha256)
    if not path.exists():
        return {"kind": "missing"}
    if delivery.file_name is None and not integration.kind.accepts_files:
        from renkei.sources.mail import UndecodableMail, decode_mail

        try:
            mail = decode_mail(path.read_bytes())
        except UndecodableMail as error:
            return {"kind": "undecodable", "reason": error.reason}
        text = mail.text or ""
        return {
            "kind": "mail",
            "subject": mail.subject,
            "from": (mail.from_display and f"{mail.from_display} <{mail.from_addr}>") or mail.from_addr,
            "to": ", ".join(mail.to_addrs),
            "date": mail.date,
            "text": text[:PREVIEW_CHARS],
            "cut": len(text) > PREVIEW_CHARS,
            "attachments": [(a.filename or a.content_type, len(a.data)) for a in mail.attachments],
            "forwarded_by": mail.forwarded_by,
        }
    from renkei.sources.encoding import NotTextError, detect_encoding
    from renkei.sources.workbooks import first_rows, workbook_kind
    from renkei.sources.xlsxfile import WorkbookError

    if book := workbook_kind(path):
        try:
            sheet, rows = first_rows(path, book, PREVIEW_LINES, getattr(integration.settings, "sheet", None))
        except WorkbookError as error:
            return {"kind": "binary", "reason": error.reason}
        return {"kind": "file", "encoding": f"{book}: {sheet}", "lines": [",".join(row) for row in rows]}
    with path.open("rb") as handle:
        head = handle.read(64 * 1024)
    try:
        detected = detect_encoding(io.BytesIO(head), len(head))
    except NotTextError as error:
        return {"kind": "binary", "reason": str(error)}
    text = head.decode(detected.codec, errors="replace")
    lines = text.splitlines()[:PREVIEW_LINES]
    return {"kind": "file", "encoding": detected.encoding, "lines": lines}


def _detail(
    request: Request,
    caller: Caller,
    delivery_id: int,
    *,
    errors_cursor: str | None = None,
    dry_run: ProcessResult | None = None,
    error: str | None = None,
    done: str | None = None,
) -> Response:
    delivery = get_delivery(caller.hub, delivery_id)
    integration = get_integration(caller.hub, delivery.integration_id)
    try:
        row_errors = page_row_errors(caller.hub, delivery.id, cursor=errors_cursor)
    except ConfigurationError:
        row_errors = page_row_errors(caller.hub, delivery.id)
    key = flash_key(done)
    return render(
        request,
        "delivery.html",
        caller=caller,
        nav="deliveries",
        delivery=delivery,
        integration=integration,
        row_errors=row_errors,
        payload=payload_preview(caller.hub, integration, delivery),
        auth=delivery.meta.get("auth"),
        dry_run=dry_run,
        error=error,
        flash=caller.t(key) if key else None,
        status_code=409 if error else 200,
    )


@router.get("/deliveries/{delivery_id}")
def delivery_page(
    request: Request, delivery_id: int, caller: Viewer, errors: str | None = None, done: str | None = None
) -> Response:
    return _detail(request, caller, delivery_id, errors_cursor=errors, done=done)


@router.post("/deliveries/{delivery_id}/replay")
def replay(request: Request, delivery_id: int, caller: Operator) -> Response:
    try:
        replay_delivery(caller.hub, delivery_id)
    except (FatalError, ConfigurationError) as error:
        return _detail(request, caller, delivery_id, error=str(error))
    return redirect(f"/deliveries/{delivery_id}?done=replayed")


@router.post("/deliveries/{delivery_id}/dry-run")
def dry_run(request: Request, delivery_id: int, caller: Operator) -> Response:
    try:
        result = replay_delivery(caller.hub, delivery_id, dry_run=True)
    except (FatalError, ConfigurationError) as error:
        return _detail(request, caller, delivery_id, error=str(error))
    return _detail(request, caller, delivery_id, dry_run=result)


@router.post("/deliveries/{delivery_id}/undo")
def undo(request: Request, delivery_id: int, caller: Operator) -> Response:
    try:
        undo_delivery(caller.hub, delivery_id)
    except (FatalError, ConfigurationError) as error:
        return _detail(request, caller, delivery_id, error=str(error))
    return redirect(f"/deliveries/{delivery_id}?done=undone")
