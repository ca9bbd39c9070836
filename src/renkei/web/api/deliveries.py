"""Deliveries: list, show, download the raw payload, row errors, replay (for real or as a dry run), sample, undo."""

from __future__ import annotations

import mimetypes
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field

from renkei.pipeline.apply import REPORTED_ROWS
from renkei.pipeline.browse import page_deliveries, page_row_errors
from renkei.pipeline.customers import inquiry_data
from renkei.pipeline.deliveries import (
    SEALED_META,
    Delivery,
    ProcessResult,
    get_delivery,
    raw_payload,
    replay_delivery,
    row_error_count,
    undo_delivery,
)
from renkei.pipeline.integrations import get_integration
from renkei.pipeline.sample import MAX_SAMPLE_ROWS, SAMPLE_ROWS, sample_delivery
from renkei.pipeline.specs import MappingModel
from renkei.store.secrets import REDACTED
from renkei.web.api.common import (
    ApiRequest,
    Cursor,
    DeliveryId,
    IntegrationFilter,
    Limit,
    Operator,
    Page,
    Viewer,
    aware,
    errors,
)
from renkei.web.api.customers import InquiryOut

router = APIRouter(prefix="/api/deliveries", tags=["deliveries"])

State = Literal[
    "received", "processed", "not-a-lead", "duplicate", "failed", "quarantined", "ignored", "undone", "replaced"
]


class CountsOut(BaseModel):
    created: int
    updated: int
    unchanged: int
    errors: int = Field(description="Rows that could not be applied (see the row errors).")
    left_out: int = Field(
        0,
        description="Values left out of rows that went in without them (each in the row errors; the "
        "integration's mapping `bad_values: leave_out`, a portal mail kind's default).",
    )


class DeliveryOut(BaseModel):
    """One unit of inbound work: a file, a mail or an API page, with what processing it did."""

    id: int
    integration_id: int
    state: str = Field(description="received, processed, not-a-lead, duplicate, failed, quarantined, ignored, …")
    reason: str | None
    file_name: str | None
    channel: str
    size: int
    sha256: str
    received_at: datetime
    processed_at: datetime | None
    counts: CountsOut
    duplicate_of: int | None
    replaced_by: int | None
    meta: dict[str, Any] = Field(description="Message-ID, envelope sender, mail authentication results, …")
    url: str
    raw_url: str


class DeliveryDetail(DeliveryOut):
    row_errors: int = Field(description="How many row errors were recorded (GET …/errors lists them).")
    mail_auth: dict[str, Any] | None = Field(description="SPF and DKIM results of a mail, when they were checked.")
    customers_url: str = Field(description="The customers it created or changed (GET /api/customers?delivery=ID).")


class RowErrorOut(BaseModel):
    id: int
    line: int | None
    locator: str | None
    column: str | None
    value: str | None
    reason: str
    customer_id: int | None = Field(
        None, description="For a value left out of a row that went in without it: the customer the row went to."
    )


class FieldChangeOut(BaseModel):
    field: str
    old: Any
    new: Any


class FieldErrorOut(BaseModel):
    column: str | None
    value: str | None
    reason: str


class RowOut(BaseModel):
    """What one row (or mail) did or would do, field by field."""

    line: int | None
    locator: str
    action: Literal["created", "updated", "unchanged", "error"]
    customer_id: int | None
    changes: list[FieldChangeOut]
    tags_added: list[str]
    groups_added: list[str]
    errors: list[FieldErrorOut]
    notes: list[str] = Field(
        default_factory=list, description="Why the row did not match as a key alone would say (dry runs)."
    )
    inquiry: InquiryOut | None = Field(
        default=None,
        description="The inquiry (反響) the row adds to its customer; null when it brings none, or one the "
        "integration already brought.",
    )


class NoteOut(FieldErrorOut):
    line: int | None


class FieldDiffOut(BaseModel):
    field: str
    before: Any
    after: Any


class CustomerDiffOut(BaseModel):
    customer_id: int
    kind: Literal["created", "removed", "changed"]
    fields: list[FieldDiffOut]


class ProcessOut(BaseModel):
    """What processing a delivery did, or (``dry_run``) would do: nothing of a dry run is kept."""

    delivery_id: int | None
    state: str
    reason: str | None
    counts: CountsOut
    dry_run: bool
    duplicate_of: int | None
    replaced: int | None = Field(description="An earlier delivery of the same file name this one replaced.")
    encoding: str | None
    rows: list[RowOut] = Field(
        description=f"Dry runs: the first {REPORTED_ROWS:,} rows with their field-by-field changes (counts cover all)."
    )
    unlisted_rows: int = Field(description="Dry runs: rows past those listed in `rows`.")
    notes: list[NoteOut] = Field(
        default_factory=list,
        description="What was noticed about the file as a whole (a renamed duplicate header, title lines above the "
        "header passed over): not errors; a delivery lists them with its row errors.",
    )
    diffs: list[CustomerDiffOut] = Field(
        description="Dry runs: how each customer of the listed rows would differ, and (up to as many) others "
        "the delivery had touched."
    )
    files: list[FileResultOut] = Field(
        default_factory=list,
        description="A ZIP file's (or a mail's) CSV and workbook files, each a delivery of its own: what became"
        " of each.",
    )


class FileResultOut(BaseModel):
    """One file a ZIP file or a mail carried, and what processing it did."""

    file_name: str
    result: ProcessOut


ProcessOut.model_rebuild()


class DryRunRequest(ApiRequest):
    mapping: MappingModel | None = Field(
        default=None, description="Try this mapping instead of the stored one (nothing is saved)."
    )


class SampleRequest(ApiRequest):
    mapping: MappingModel | None = Field(
        default=None, description="Read the rows with this mapping instead of the stored one (nothing is saved)."
    )
    rows: int = Field(default=SAMPLE_ROWS, ge=1, le=MAX_SAMPLE_ROWS, description="How many of the first rows to read.")


class SampleRowOut(BaseModel):
    line: int | None
    locator: str
    values: dict[str, str] = Field(
        description="Target → value: canonical fields, `custom:NAME`, `tags`, `groups`, `external_id`, `inquiry.*`."
    )
    errors: list[FieldErrorOut]


class SampleOut(BaseModel):
    """The first rows of a delivery as the mapping reads them; no customer is looked up and nothing is written."""

    delivery_id: int
    rows_in_delivery: int = Field(description="Rows the delivery's last processing counted.")
    encoding: str | None
    verdict: str | None = Field(description="Set when the payload has no rows to read (not a lead, unreadable).")
    reason: str | None
    labels: dict[str, str | None] = Field(description="Each source column or field → the target it maps to.")
    rows: list[SampleRowOut]


def counts_out(counts: Any) -> CountsOut:
    return CountsOut(
        created=counts.created,
        updated=counts.updated,
        unchanged=counts.unchanged,
        errors=counts.errors,
        left_out=counts.left_out,
    )


def delivery_out(delivery: Delivery) -> DeliveryOut:
    return DeliveryOut(**_fields(delivery))


def _fields(delivery: Delivery) -> dict[str, Any]:
    return {
        "id": delivery.id,
        "integration_id": delivery.integration_id,
        "state": delivery.state,
        "reason": delivery.reason,
        "file_name": delivery.file_name,
        "channel": delivery.channel,
        "size": delivery.size,
        "sha256": delivery.sha256,
        "received_at": aware(delivery.received_at),
        "processed_at": aware(delivery.processed_at),
        "counts": counts_out(delivery.counts),
        "duplicate_of": delivery.duplicate_of,
        "replaced_by": delivery.replaced_by,
        "meta": {k: REDACTED if k in SEALED_META else v for k, v in delivery.meta.items()},
        "url": f"/api/deliveries/{delivery.id}",
        "raw_url": f"/api/deliveries/{delivery.id}/raw",
    }


def _jsonable(value: Any) -> Any:
    if isinstance(value, tuple | list | set | frozenset):
        return [_jsonable(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def process_out(result: ProcessResult) -> ProcessOut:
    return ProcessOut(
        delivery_id=result.delivery_id,
        state=result.state,
        reason=result.reason,
        counts=counts_out(result.counts),
        dry_run=result.dry_run,
        duplicate_of=result.duplicate_of,
        replaced=result.replaced,
        encoding=result.encoding,
        unlisted_rows=result.unlisted_rows,
        notes=[NoteOut(line=line, column=n.column, value=n.value, reason=n.reason) for line, n in result.notes],
        rows=[
            RowOut(
                line=row.line,
                locator=row.locator,
                action=row.action,
                customer_id=row.customer_id,
                changes=[
                    FieldChangeOut(field=c.field, old=_jsonable(c.old), new=_jsonable(c.new)) for c in row.changes
                ],
                tags_added=list(row.tags_added),
                groups_added=list(row.groups_added),
                errors=[FieldErrorOut(column=e.column, value=e.value, reason=e.reason) for e in row.errors],
                notes=list(row.notes),
                inquiry=InquiryOut(**inquiry_data(row.inquiry)) if row.inquiry is not None else None,
            )
            for row in result.rows
        ],
        diffs=[
            CustomerDiffOut(
                customer_id=diff.customer_id,
                kind=diff.kind,  # type: ignore[arg-type]
                fields=[FieldDiffOut(field=f, before=_jsonable(b), after=_jsonable(a)) for f, b, a in diff.fields],
            )
            for diff in result.diffs
        ],
        files=[FileResultOut(file_name=name, result=process_out(child)) for name, child in result.child_results],
    )


@router.get("", response_model=Page[DeliveryOut], responses=errors(404, 422))
def list_deliveries(
    caller: Viewer,
    integration_id: IntegrationFilter = None,
    state: State | None = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> Page[DeliveryOut]:
    """Deliveries newest first, optionally of one integration or in one state."""
    if integration_id is not None:
        get_integration(caller.hub, integration_id)  # another workspace's integration: 404
    page = page_deliveries(caller.hub, integration_id=integration_id, state=state, cursor=cursor, limit=limit)
    return Page[DeliveryOut](items=[delivery_out(d) for d in page.items], next_cursor=page.next_cursor)


@router.get("/{delivery_id}", response_model=DeliveryDetail, responses=errors(404))
def show(delivery_id: DeliveryId, caller: Viewer) -> DeliveryDetail:
    """One delivery with its counts, meta (with a mail's authentication results) and row-error count."""
    delivery = get_delivery(caller.hub, delivery_id)
    return DeliveryDetail(
        **_fields(delivery),
        row_errors=row_error_count(caller.hub, delivery_id),
        mail_auth=delivery.meta.get("auth"),
        customers_url=f"/api/customers?delivery={delivery_id}",
    )


@router.get(
    "/{delivery_id}/raw",
    response_class=FileResponse,
    responses={
        200: {
            "description": "The payload's bytes as they arrived (a mail as message/rfc822).",
            "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
        },
        **errors(404),
    },
)
def raw(delivery_id: DeliveryId, caller: Viewer) -> FileResponse:
    """Download the payload exactly as it arrived, from the raw archive."""
    found = raw_payload(caller.hub, delivery_id)
    delivery = found.delivery
    if found.is_mail:
        name, media_type = f"delivery-{delivery.id}.eml", "message/rfc822"
    else:
        name = delivery.file_name or f"delivery-{delivery.id}.bin"
        media_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        if name.lower().endswith((".csv", ".tsv", ".txt")):
            media_type = "text/csv" if name.lower().endswith(".csv") else "text/plain"
    return FileResponse(found.path, media_type=media_type, filename=name)


@router.get("/{delivery_id}/errors", response_model=Page[RowErrorOut], responses=errors(404, 422))
def row_errors(delivery_id: DeliveryId, caller: Viewer, cursor: Cursor = None, limit: Limit = 100) -> Page[RowErrorOut]:
    """The delivery's row errors in file order."""
    page = page_row_errors(caller.hub, delivery_id, cursor=cursor, limit=limit)
    items = [
        RowErrorOut(
            id=e["id"],
            line=e["line"],
            locator=e["locator"],
            column=e["column_name"],
            value=e["value"],
            reason=e["reason"],
            customer_id=e.get("customer_id"),
        )
        for e in page.items
    ]
    return Page[RowErrorOut](items=items, next_cursor=page.next_cursor)


@router.post("/{delivery_id}/replay", response_model=ProcessOut, responses=errors(403, 404, 409))
def replay(delivery_id: DeliveryId, caller: Operator) -> ProcessOut:
    """Process the delivery again with the integration's current parser and mapping."""
    return process_out(replay_delivery(caller.hub, delivery_id))


@router.post("/{delivery_id}/dry-run", response_model=ProcessOut, responses=errors(403, 404, 409, 422))
def dry_run(
    delivery_id: DeliveryId, caller: Operator, body: Annotated[DryRunRequest | None, Body()] = None
) -> ProcessOut:
    """What replaying would change, row by row and customer by customer, field by field; nothing is written.

    A ``mapping`` in the body is tried instead of the stored one (the mapping editor's preview)."""
    mapping = body.mapping if body is not None else None
    return process_out(replay_delivery(caller.hub, delivery_id, dry_run=True, mapping=mapping))


@router.post("/{delivery_id}/sample", response_model=SampleOut, responses=errors(403, 404, 409, 422))
def sample(
    delivery_id: DeliveryId, caller: Operator, body: Annotated[SampleRequest | None, Body()] = None
) -> SampleOut:
    """The first rows of the delivery as the mapping (or a ``mapping`` in the body) reads them.

    The quick preview of a large delivery: the payload is read from the archive and mapped, no
    customer is looked up and nothing is held or written, so it answers at once whatever the
    delivery's size. ``dry-run`` shows what replaying would change, and takes as long as a replay."""
    request = body or SampleRequest()
    found = sample_delivery(caller.hub, delivery_id, rows=request.rows, mapping=request.mapping)
    return SampleOut(**found.as_data())


@router.post("/{delivery_id}/undo", response_model=DeliveryOut, responses=errors(403, 404, 409))
def undo(delivery_id: DeliveryId, caller: Operator) -> DeliveryOut:
    """Take back everything a processed delivery did; it stays in the history as ``undone``."""
    return delivery_out(undo_delivery(caller.hub, delivery_id))
