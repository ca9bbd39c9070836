"""CSV upload: choose an integration, upload, confirm the column mapping, watch the import, see the result.

The file is archived when uploaded (content-addressed, nothing recorded yet); the page then
shows how each column would be mapped. Confirming saves the changed columns as mapping rules,
lands the file as a delivery and processes it on a thread of its own, whose progress the page
polls; the end shows the counts and the row errors.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError
from starlette.datastructures import UploadFile

from renkei.core.fields import CUSTOM_PREFIX, INQUIRY_EXTRA_PREFIX, Permission
from renkei.errors import ConfigurationError, RenkeiError
from renkei.pipeline import progress
from renkei.pipeline.browse import page_row_errors
from renkei.pipeline.deliveries import get_delivery, land
from renkei.pipeline.integrations import (
    Integration,
    describe_validation,
    get_integration,
    list_integrations,
    manual_import_integration,
    update_integration,
)
from renkei.pipeline.specs import MappingModel
from renkei.web.auth import Caller, page_caller
from renkei.web.ui.common import redirect
from renkei.web.ui.mapping import INQUIRY_EXTRA_CHOICE, TARGET_GROUPS
from renkei.web.ui.render import render

router = APIRouter(include_in_schema=False)

Viewer = Annotated[Caller, Depends(page_caller())]
Operator = Annotated[Caller, Depends(page_caller("operator"))]

SAMPLE_ROWS = 3
IGNORE = "ignore"
_SHA = re.compile(r"^[0-9a-f]{64}$")


def _file_integrations(caller: Caller) -> list[Integration]:
    return [i for i in list_integrations(caller.hub) if i.kind.accepts_files]


def _staged_token(caller: Caller, sha256: str) -> str:
    """Ties an uploaded file to this session: the form cannot name another payload of the archive."""
    return hmac.new((caller.principal.csrf or "").encode(), sha256.encode(), hashlib.sha256).hexdigest()


def columns_of(integration: Integration, path: Path, file_name: str) -> dict[str, Any]:
    """How the integration's mapping would take the file's columns, with a few sample values each."""
    extraction = integration.kind.extract(path, integration.settings, file_name)
    try:
        if extraction.verdict == "split":  # a ZIP file: its files are imported one by one with this mapping
            return {"files": [name for name, _ in extraction.meta.get("parts", [])], "columns": []}
        if extraction.verdict is not None:
            return {"problem": extraction.reason or extraction.verdict}
        targets = integration.compile_mapping(extraction.labels).targets()
        samples: dict[str, list[str]] = {label: [] for label in extraction.labels}
        seen = 0
        for batch in extraction.batches:
            for record in batch:
                fields = getattr(record, "fields", None)
                if fields is None:
                    continue
                for label in extraction.labels:
                    samples[label].append(str(fields.get(label) or ""))
                seen += 1
                if seen >= SAMPLE_ROWS:
                    break
            if seen >= SAMPLE_ROWS:
                break
    finally:
        if extraction.close is not None:
            extraction.close()
    columns = [{"label": label, "target": targets.get(label), "samples": samples[label]} for label in extraction.labels]
    return {"columns": columns, "encoding": extraction.encoding}


@router.get("/upload")
def upload_page(request: Request, caller: Viewer, integration: str | None = None) -> Response:
    chosen = int(integration) if integration and integration.isdigit() else None
    return render(
        request, "upload.html", caller=caller, nav="upload", integrations=_file_integrations(caller), chosen=chosen
    )


def _confirm_page(
    request: Request,
    caller: Caller,
    integration: Integration,
    sha256: str,
    file_name: str,
    error: str | None = None,
) -> Response:
    path = caller.hub.archive.path_for(sha256)
    try:
        found = columns_of(integration, path, file_name)
    except (RenkeiError, ValueError) as problem:
        found = {"problem": str(problem)}
    return render(
        request,
        "upload_confirm.html",
        caller=caller,
        nav="upload",
        integration=integration,
        sha256=sha256,
        token=_staged_token(caller, sha256),
        file_name=file_name,
        found=found,
        target_groups=TARGET_GROUPS,
        error=error,
        status_code=422 if error or "problem" in found else 200,
    )


@router.post("/upload")
async def upload(request: Request, caller: Operator) -> Response:
    """The file arrives: archive it and show how its columns would be mapped."""
    form = await request.form()
    try:
        upload = form.get("file")
        choice = str(form.get("integration") or "")
        if not isinstance(upload, UploadFile) or not upload.filename:
            return render(
                request,
                "upload.html",
                caller=caller,
                nav="upload",
                integrations=_file_integrations(caller),
                chosen=None,
                error=caller.t("upload.error.no_file"),
                status_code=422,
            )
        if not choice.isdigit():
            integration = manual_import_integration(caller.hub)
        else:
            integration = get_integration(caller.hub, int(choice))
        if not integration.kind.accepts_files:
            raise ConfigurationError(f"integration {integration.name!r} does not take files")
        # Copied, hashed and fsynced on a worker thread: the event loop serves everyone meanwhile.
        stored = await run_in_threadpool(caller.hub.archive.put_stream, upload.file)
        file_name = Path(upload.filename).name
    finally:
        await form.close()
    return _confirm_page(request, caller, integration, stored.sha256, file_name)


def _rules_from_form(integration: Integration, data: Any, columns: list[dict[str, Any]]) -> list[dict[str, str]]:
    """The integration's rules with those of the columns the user changed replaced."""
    changed: dict[str, dict[str, str]] = {}
    for index, column in enumerate(columns):
        choice = str(data.get(f"target-{index}") or "")
        custom = str(data.get(f"custom-{index}") or "").strip()
        auto = column["target"]
        if choice == IGNORE:
            if auto is None:
                continue
            rule = {"source": column["label"], "target": CUSTOM_PREFIX + column["label"], "permission": Permission.NG}
        elif choice in ("custom", INQUIRY_EXTRA_CHOICE):
            prefix = CUSTOM_PREFIX if choice == "custom" else INQUIRY_EXTRA_PREFIX
            target = prefix + (custom or column["label"])
            if target == auto:
                continue
            rule = {"source": column["label"], "target": target, "permission": Permission.READABLE}
        else:
            if choice == auto or not choice:
                continue
            rule = {"source": column["label"], "target": choice, "permission": Permission.READABLE}
        changed[column["label"]] = {k: str(v) for k, v in rule.items()}
    kept = [r.model_dump() for r in integration.spec.mapping.rules if r.source not in changed]
    return kept + list(changed.values())


@router.post("/upload/import")
async def start_import(request: Request, caller: Operator) -> Response:
    """The mapping is confirmed: save what changed, land the file and import it in the background."""
    data = await request.form()
    sha256 = str(data.get("sha256") or "")
    file_name = Path(str(data.get("file_name") or "upload.csv")).name
    integration = get_integration(caller.hub, int(str(data.get("integration") or "0")))
    token = str(data.get("token") or "")
    if not _SHA.match(sha256) or not hmac.compare_digest(token, _staged_token(caller, sha256)):
        raise ConfigurationError("the uploaded file is not known to this session; upload it again")
    path = caller.hub.archive.path_for(sha256)
    if not path.exists():
        raise ConfigurationError("the uploaded file is gone; upload it again")
    found = columns_of(integration, path, file_name)
    if "problem" not in found:
        rules = _rules_from_form(integration, data, found["columns"])
        if rules != [r.model_dump() for r in integration.spec.mapping.rules]:
            try:
                mapping = MappingModel(**{**integration.spec.mapping.model_dump(), "rules": rules})
                integration = update_integration(caller.hub, integration.id, {"mapping": mapping.model_dump()})
            except ValidationError as error:
                return _confirm_page(request, caller, integration, sha256, file_name, describe_validation(error))
            except ConfigurationError as error:
                return _confirm_page(request, caller, integration, sha256, file_name, str(error))
    delivery, is_new = await run_in_threadpool(
        land, caller.hub, integration, path, file_name=file_name, channel="upload"
    )
    if is_new:
        progress.process_in_background(caller.hub, delivery.id, progress.estimate_rows(path))
    return redirect(f"/upload/{delivery.id}")


def _progress_of(caller: Caller, delivery_id: int) -> dict[str, Any]:
    delivery = get_delivery(caller.hub, delivery_id)
    followed = progress.get(delivery_id)
    if followed is not None and not (followed.finished and delivery.state == "received"):
        out = followed.to_json()
    else:
        counts = delivery.counts
        finished = delivery.state != "received"
        out = {
            "delivery_id": delivery.id,
            "total": None,
            "done": 0,
            "percent": 100 if finished else 0,
            "finished": finished,
            "state": delivery.state,
            "counts": {
                "created": counts.created,
                "updated": counts.updated,
                "unchanged": counts.unchanged,
                "errors": counts.errors,
            },
            "reason": delivery.reason,
        }
    if out["finished"]:
        # The delivery row is the truth once it is written.
        out["state"] = delivery.state if delivery.state != "received" else out["state"]
    return out


@router.get("/upload/{delivery_id}/progress")
def import_progress(delivery_id: int, caller: Viewer) -> Response:
    """How far the import is (polled by the page)."""
    return JSONResponse(_progress_of(caller, delivery_id), headers={"Cache-Control": "no-store"})


@router.get("/upload/{delivery_id}")
def import_page(request: Request, delivery_id: int, caller: Viewer) -> Response:
    delivery = get_delivery(caller.hub, delivery_id)
    state = _progress_of(caller, delivery_id)
    errors = page_row_errors(caller.hub, delivery_id) if state["finished"] else None
    return render(
        request,
        "upload_progress.html",
        caller=caller,
        nav="upload",
        delivery=delivery,
        integration=get_integration(caller.hub, delivery.integration_id),
        state=state,
        row_errors=errors,
    )
