"""Inquiries (反響): every customer's, the last to arrive first."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from renkei.pipeline.browse import count_inquiries, page_inquiries
from renkei.web.api.common import NO_NUL, Cursor, Limit, Page, Viewer, aware, errors
from renkei.web.api.customers import InquiryOut

router = APIRouter(prefix="/api/inquiries", tags=["inquiries"])


class InquiryItem(InquiryOut):
    """An inquiry with the customer who made it and where it came in."""

    id: int
    customer_id: int
    last_name: str | None
    first_name: str | None
    integration: str = Field(description="The integration that brought it.")
    delivery_id: int
    customer_url: str


@router.get("", response_model=Page[InquiryItem], responses=errors(422))
def list_inquiries(
    caller: Viewer,
    integration_id: Annotated[int | None, Query(ge=1, description="Only those one integration brought.")] = None,
    source: Annotated[
        str | None,
        Query(max_length=200, pattern=NO_NUL, description="Only those from one source (SUUMO, a list's 媒体)."),
    ] = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> Page[InquiryItem]:
    """Inquiries, the last to arrive first, each with its customer."""
    page = page_inquiries(caller.hub, integration_id=integration_id, source=source, cursor=cursor, limit=limit)
    items = [InquiryItem(**item, customer_url=f"/api/customers/{item['customer_id']}") for item in page.items]
    return Page[InquiryItem](items=items, next_cursor=page.next_cursor)


class SourceCountOut(BaseModel):
    source: str
    inquiries: int
    customers: int = Field(description="How many customers the inquiries came from.")
    last_at: datetime | None = Field(description="When the last of them was received.")


@router.get("/counts", response_model=list[SourceCountOut], responses=errors(422))
def inquiry_counts(
    caller: Viewer,
    days: Annotated[int, Query(ge=1, le=3660, description="The last so many days, by each inquiry's time.")] = 30,
) -> list[SourceCountOut]:
    """The inquiries of the last ``days`` days counted by source (SUUMO, LIFULL HOME'S, a list's 媒体),
    the most first."""
    return [
        SourceCountOut(source=c.source, inquiries=c.inquiries, customers=c.customers, last_at=aware(c.last_at))
        for c in count_inquiries(caller.hub, days=days)
    ]
