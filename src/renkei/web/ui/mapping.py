"""The mapping editor: source field ↔ Renkei field rows with a permission each, save, and a preview.

The preview replays a recent delivery as a dry run with the mapping as it stands in the form
(not saved), and shows, row by row, what would change in each customer. A delivery of more than
``FULL_PREVIEW_ROWS`` rows is previewed by its first rows as the mapping reads them (a replay's
dry run of a million rows takes minutes and holds the workspace's customers meanwhile); the user
may still ask for the whole dry run.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from renkei.core.fields import (
    CANONICAL_FIELDS,
    COMPOSITE_TARGETS,
    CUSTOM_PREFIX,
    EXTERNAL_ID_TARGET,
    INQUIRY_EXTRA_PREFIX,
    INQUIRY_TARGETS,
    PROTECTED_FIELDS,
    Permission,
    allowed_permissions,
)
from renkei.errors import ConfigurationError, FatalError
from renkei.pipeline.browse import page_deliveries
from renkei.pipeline.deliveries import ProcessResult, delivery_labels, get_delivery, replay_delivery
from renkei.pipeline.integrations import Integration, describe_validation, get_integration, update_integration
from renkei.pipeline.sample import Sample, sample_delivery
from renkei.pipeline.specs import MappingModel
from renkei.web.auth import Caller, page_caller
from renkei.web.ui.common import flash_key, redirect
from renkei.web.ui.render import render

router = APIRouter(include_in_schema=False)

Viewer = Annotated[Caller, Depends(page_caller())]
Operator = Annotated[Caller, Depends(page_caller("operator"))]

PERMISSIONS = [p.value for p in Permission]
#: Groups of the target list, in the order shown.
TARGET_GROUPS: list[tuple[str, tuple[str, ...]]] = [
    ("canonical", CANONICAL_FIELDS),
    ("composite", COMPOSITE_TARGETS),
    ("inquiry", (*INQUIRY_TARGETS, EXTERNAL_ID_TARGET)),
    ("protected", tuple(sorted(PROTECTED_FIELDS))),
]
#: The editor's choice for ``inquiry.extra:<label>``, named in the same box as a custom field.
INQUIRY_EXTRA_CHOICE = "inquiry_extra"
PREVIEW_STATES = ("processed", "failed")
PREVIEW_ROWS = 100
#: Deliveries of more rows are previewed by their first ``PREVIEW_ROWS`` rows unless the user asks for all.
FULL_PREVIEW_ROWS = 10_000


def _why_limited(target: str) -> str | None:
    """Why a target cannot take every permission: protected, or inbound only."""
    if target in PROTECTED_FIELDS:
        return "protected"
    if set(allowed_permissions(target)) != set(Permission):
        return "inbound"
    return None


def _constraints() -> dict[str, Any]:
    """For the page's script: each target's allowed permissions and why the others are not."""
    out: dict[str, Any] = {}
    for _group, targets in TARGET_GROUPS:
        for target in targets:
            why = _why_limited(target)
            if why:
                out[target] = {"allowed": sorted(p.value for p in allowed_permissions(target)), "why": why}
    extra = INQUIRY_EXTRA_PREFIX + "x"  # any label: the choice whose name box names it
    out[INQUIRY_EXTRA_CHOICE] = {"allowed": sorted(p.value for p in allowed_permissions(extra)), "why": "inbound"}
    return out


def _rows_from_form(data: FormData) -> list[dict[str, str]]:
    sources, targets = data.getlist("source"), data.getlist("target")
    customs, permissions = data.getlist("custom"), data.getlist("permission")
    rows = []
    for index, source in enumerate(sources):
        source = str(source).strip()
        target = str(targets[index]) if index < len(targets) else ""
        custom = str(customs[index]).strip() if index < len(customs) else ""
        if target == "custom":
            target = CUSTOM_PREFIX + custom
        elif target == INQUIRY_EXTRA_CHOICE:
            target = INQUIRY_EXTRA_PREFIX + custom
        permission = str(permissions[index]) if index < len(permissions) else "R"
        if source or custom:
            rows.append({"source": source, "target": target, "permission": permission})
    return rows


def _model(integration: Integration, rows: list[dict[str, str]], data: FormData) -> MappingModel:
    current = integration.spec.mapping
    return MappingModel(
        rules=rows,  # type: ignore[arg-type]
        constants=dict(current.constants),
        auto_map=bool(data.get("auto_map")),
        unknown_columns=str(data.get("unknown_columns") or current.unknown_columns),  # type: ignore[arg-type]
        bad_values=_bad_values(data, current.bad_values),  # type: ignore[arg-type]
    )


def _bad_values(data: FormData, current: str | None) -> str | None:
    """The form's choice for rejected values: '' is the kind's default (None); absent, the current one."""
    chosen = data.get("bad_values")
    if chosen is None:
        return current
    return str(chosen) or None


def _source_labels(caller: Caller, integration: Integration, recent: list[Any]) -> list[str]:
    """The labels seen in the latest delivery that has any."""
    for delivery in recent[:3]:
        labels = delivery_labels(caller.hub, delivery.id)
        if labels:
            return labels
    return []


def _view_rows(rows: list[dict[str, str]]) -> list[dict[str, Any]]:
    out = []
    for row in rows:
        target = row["target"]
        choice, name = target, ""
        for prefix, named in ((CUSTOM_PREFIX, "custom"), (INQUIRY_EXTRA_PREFIX, INQUIRY_EXTRA_CHOICE)):
            if target.startswith(prefix):
                choice, name = named, target[len(prefix) :]
        out.append({**row, "choice": choice, "custom": name, "why": _why_limited(target)})
    return out


def _preview(result: ProcessResult) -> dict[str, Any]:
    diffs = {d.customer_id: d for d in result.diffs}
    rows = []
    for report in result.rows[:PREVIEW_ROWS]:
        diff = diffs.get(report.customer_id) if report.customer_id is not None else None
        rows.append({"report": report, "diff": diff})
    return {
        "result": result,
        "rows": rows,
        "more": max(0, result.counts.rows - len(rows)),
        "labels": result.labels,
    }


def _page(
    request: Request,
    caller: Caller,
    integration: Integration,
    *,
    rows: list[dict[str, str]] | None = None,
    auto_map: bool | None = None,
    unknown_columns: str | None = None,
    bad_values: str | None = None,
    error: str | None = None,
    preview: dict[str, Any] | None = None,
    sample: Sample | None = None,
    chosen: int | None = None,
    done: str | None = None,
) -> Response:
    mapping = integration.spec.mapping
    if rows is None:
        rows = [r.model_dump() for r in mapping.rules]
    recent = [d for d in page_deliveries(caller.hub, integration_id=integration.id, limit=20).items]
    usable = [d for d in recent if d.state in PREVIEW_STATES]
    key = flash_key(done)
    return render(
        request,
        "mapping.html",
        caller=caller,
        nav="integrations",
        integration=integration,
        rows=_view_rows(rows),
        auto_map=mapping.auto_map if auto_map is None else auto_map,
        unknown_columns=unknown_columns or mapping.unknown_columns,
        bad_values=mapping.bad_values if bad_values is None else bad_values,
        target_groups=TARGET_GROUPS,
        permissions=PERMISSIONS,
        constraints=json.dumps(_constraints()),
        sources=_source_labels(caller, integration, usable),
        deliveries=usable,
        chosen=chosen,
        error=error,
        preview=preview,
        sample=sample,
        flash=caller.t(key) if key else None,
        status_code=422 if error else 200,
    )


@router.get("/integrations/{integration_id}/mapping")
def mapping_page(request: Request, integration_id: int, caller: Viewer, done: str | None = None) -> Response:
    return _page(request, caller, get_integration(caller.hub, integration_id), done=done)


@router.post("/integrations/{integration_id}/mapping")
async def save_mapping(request: Request, integration_id: int, caller: Operator) -> Response:
    integration = get_integration(caller.hub, integration_id)
    data = await request.form()
    rows = _rows_from_form(data)
    try:
        model = _model(integration, rows, data)
        update_integration(caller.hub, integration.id, {"mapping": model.model_dump(mode="json")})
    except ValidationError as error:
        return _page(request, caller, integration, rows=rows, error=describe_validation(error))
    except ConfigurationError as error:
        return _page(request, caller, integration, rows=rows, error=str(error))
    return redirect(f"/integrations/{integration.id}/mapping?done=mapping_saved")


@router.post("/integrations/{integration_id}/mapping/preview")
async def preview_mapping(request: Request, integration_id: int, caller: Operator) -> Response:
    """A dry run of a recent delivery with the mapping in the form; nothing is saved or written."""
    integration = get_integration(caller.hub, integration_id)
    data = await request.form()
    rows = _rows_from_form(data)
    keep = {
        "rows": rows,
        "auto_map": bool(data.get("auto_map")),
        "unknown_columns": str(data.get("unknown_columns")),
        "bad_values": str(data.get("bad_values") or ""),
    }
    try:
        model = _model(integration, rows, data)
    except ValidationError as error:
        return _page(request, caller, integration, **keep, error=describe_validation(error))
    try:
        delivery_id = int(str(data.get("delivery") or ""))
    except ValueError:
        return _page(request, caller, integration, **keep, error=caller.t("mapping.error.no_delivery"))
    delivery = get_delivery(caller.hub, delivery_id)
    if delivery.integration_id != integration.id:
        return _page(request, caller, integration, **keep, error=caller.t("mapping.error.no_delivery"))
    try:
        if delivery.counts.rows > FULL_PREVIEW_ROWS and not data.get("whole"):
            sample = await run_in_threadpool(sample_delivery, caller.hub, delivery_id, rows=PREVIEW_ROWS, mapping=model)
            return _page(request, caller, integration, **keep, sample=sample, chosen=delivery_id)
        # A worker thread: a large delivery's dry run takes a while, and the event loop serves everyone.
        result = await run_in_threadpool(replay_delivery, caller.hub, delivery_id, dry_run=True, mapping=model)
    except (ConfigurationError, FatalError) as error:
        return _page(request, caller, integration, **keep, error=str(error), chosen=delivery_id)
    return _page(request, caller, integration, **keep, preview=_preview(result), chosen=delivery_id)
