"""Customers: list and search, show with every value's source, history and inquiries, export."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from renkei.pipeline.browse import page_customers
from renkei.pipeline.customers import check_left_out, export_text, show_customer
from renkei.web.api.common import NO_NUL, Cursor, CustomerId, Limit, Operator, Page, Viewer, aware, errors

router = APIRouter(prefix="/api/customers", tags=["customers"])

Label = Annotated[str | None, Query(max_length=200, pattern=NO_NUL)]


class CustomerSummary(BaseModel):
    id: int
    last_name: str | None
    first_name: str | None
    last_name_kana: str | None
    first_name_kana: str | None
    email: str | None
    phone: str | None
    mobile: str | None
    company_name: str | None
    prefecture: str | None
    owner: str | None
    status: str | None
    tags: list[str]
    groups: list[str]
    updated_at: datetime | None
    left_out: bool = Field(description="Whether values were left out of rows that went to it (GET its url lists them).")
    url: str


class SourceOut(BaseModel):
    """The delivery that set a value, and when."""

    delivery_id: int
    integration: str
    file_name: str | None
    at: datetime | None


class FieldValueOut(BaseModel):
    value: Any
    source: SourceOut | None


class HistoryOut(BaseModel):
    field: str
    old: Any
    new: Any
    at: datetime | None
    old_source: SourceOut | None
    new_source: SourceOut | None


class InquiryOut(BaseModel):
    source: str
    external_id: str | None
    received_at: datetime | None
    property_code: str | None
    own_property_code: str | None
    property_name: str | None
    property_url: str | None
    price: str | None
    layout: str | None
    message: str | None
    extra: dict[str, str] | None = Field(
        default=None,
        description="What else the inquiry said, by its label (a portal mail's 物件種別, 最寄り駅, 専有面積, "
        "ご希望の連絡方法); null when nothing.",
    )


class LeftOutOut(BaseModel):
    """A value left out of a row that went to the customer (``bad_values: leave_out``), and why."""

    column: str | None
    value: str | None
    reason: str
    line: int | None
    source: SourceOut


class CustomerDetail(BaseModel):
    """A customer: each value with the integration and delivery that set it; ``custom:<key>`` for custom fields."""

    id: int
    fields: dict[str, FieldValueOut]
    tags: list[str]
    groups: list[str]
    history: list[HistoryOut]
    inquiries: list[InquiryOut]
    left_out: list[LeftOutOut] = Field(
        description="Values left out of the rows that went to this customer (newest 50), from deliveries that stand."
    )


@router.get("", response_model=Page[CustomerSummary], responses=errors(422))
def list_customers(
    caller: Viewer,
    q: Annotated[
        str | None,
        Query(
            max_length=200,
            pattern=NO_NUL,
            description="Words to find in names, kana, e-mail, phones, company, the properties asked about.",
        ),
    ] = None,
    tag: Label = None,
    group: Label = None,
    left_out: Annotated[
        bool, Query(description="Only customers values were left out of rows that went to (bad_values: leave_out).")
    ] = False,
    delivery: Annotated[
        int | None,
        Query(
            ge=1, description="Only the customers this delivery created or changed (values, inquiries, tags, groups)."
        ),
    ] = None,
    owner: Annotated[
        str | None, Query(max_length=200, pattern=NO_NUL, description="Only the customers of this owner (担当者).")
    ] = None,
    status: Annotated[
        str | None, Query(max_length=200, pattern=NO_NUL, description="Only the customers of this status.")
    ] = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> Page[CustomerSummary]:
    """Customers newest first; ``q`` searches, the others filter."""
    page = page_customers(
        caller.hub,
        query=q,
        tag=tag,
        group=group,
        left_out=left_out,
        delivery=delivery,
        owner=owner,
        status=status,
        cursor=cursor,
        limit=limit,
    )
    items = [
        CustomerSummary(**{**item, "updated_at": aware(item["updated_at"]), "url": f"/api/customers/{item['id']}"})
        for item in page.items
    ]
    return Page[CustomerSummary](items=items, next_cursor=page.next_cursor)


@router.get(
    "/export",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "Every customer: one JSON object a line (jsonl), or CSV with a header row.",
            "content": {
                "application/x-ndjson": {"schema": {"type": "string"}},
                "text/csv": {"schema": {"type": "string"}},
            },
        },
        **errors(),
    },
)
def export(
    caller: Viewer,
    format: Annotated[Literal["jsonl", "csv"], Query(description="jsonl (default) or csv.")] = "jsonl",
) -> StreamingResponse:
    """Every customer of the workspace, streamed (UTF-8), as ``renkei customers export`` writes them."""
    media = "application/x-ndjson; charset=utf-8" if format == "jsonl" else "text/csv; charset=utf-8"
    name = f"customers-{caller.hub.workspace}.{format}"
    return StreamingResponse(
        export_text(caller.hub, format),
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="{_ascii(name)}"'},
    )


def _ascii(name: str) -> str:
    return "".join(c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in name)


@router.get("/{customer_id}", response_model=CustomerDetail, responses=errors(404))
def show(customer_id: CustomerId, caller: Viewer) -> CustomerDetail:
    """One customer with every value's source, the history of changes and the inquiries (反響)."""
    found: dict[str, Any] = show_customer(caller.hub, customer_id)
    return CustomerDetail.model_validate(found)


class CheckedOut(BaseModel):
    checked: int = Field(description="How many values left out were marked checked.")


@router.post("/{customer_id}/left-out/checked", response_model=CheckedOut, responses=errors(404))
def left_out_checked(customer_id: CustomerId, caller: Operator) -> CheckedOut:
    """Mark the values left out of the customer's rows checked (someone confirmed the number): they
    leave its ``left_out`` and the list's ``left_out`` filter."""
    return CheckedOut(checked=check_left_out(caller.hub, customer_id))
