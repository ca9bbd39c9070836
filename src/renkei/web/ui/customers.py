"""Customers: a search and list, and one customer with every value's source, its history and inquiries."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from renkei.core.fields import SCALAR_FIELDS
from renkei.errors import ConfigurationError
from renkei.pipeline.browse import page_customers
from renkei.pipeline.customers import check_left_out, show_customer
from renkei.web.auth import Caller, page_caller
from renkei.web.ui.common import flash_key, redirect
from renkei.web.ui.render import render

router = APIRouter(include_in_schema=False)

Viewer = Annotated[Caller, Depends(page_caller())]
Operator = Annotated[Caller, Depends(page_caller("operator"))]


@router.get("/customers")
def customers_page(
    request: Request,
    caller: Viewer,
    q: str | None = None,
    tag: str | None = None,
    group: str | None = None,
    left_out: bool = False,
    delivery: int | None = None,
    owner: str | None = None,
    status: str | None = None,
    cursor: str | None = None,
) -> Response:
    filters = {
        "query": q or None,
        "tag": tag or None,
        "group": group or None,
        "left_out": left_out,
        "delivery": delivery,
        "owner": owner or None,
        "status": status or None,
    }
    try:
        page = page_customers(caller.hub, cursor=cursor, **filters)
    except ConfigurationError:
        page = page_customers(caller.hub, **filters)
    return render(
        request,
        "customers.html",
        caller=caller,
        nav="customers",
        page=page,
        q=q or "",
        tag=tag or "",
        group=group or "",
        left_out=left_out,
        delivery=delivery,
        owner=owner or "",
        status=status or "",
    )


@router.get("/customers/{customer_id}")
def customer_page(request: Request, customer_id: int, caller: Viewer, done: str | None = None) -> Response:
    customer = show_customer(caller.hub, customer_id)
    ordered = [name for name in SCALAR_FIELDS if name in customer["fields"]]
    ordered += sorted(name for name in customer["fields"] if name not in SCALAR_FIELDS)
    return render(
        request,
        "customer.html",
        caller=caller,
        nav="customers",
        customer=customer,
        ordered=ordered,
        inquiries=_newest_first(customer["inquiries"]),
        flash=caller.t(key) if (key := flash_key(done)) else None,
    )


def _newest_first(inquiries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Inquiries (oldest first, those without a time last) as the timeline shows them: the newest
    first, then those without a time, the last come first."""
    timed = [i for i in inquiries if i["received_at"]]
    untimed = [i for i in inquiries if not i["received_at"]]
    return [*reversed(timed), *reversed(untimed)]


@router.post("/customers/{customer_id}/left-out/checked")
def left_out_checked(customer_id: int, caller: Operator) -> Response:
    """Mark the values left out of the customer's rows checked."""
    check_left_out(caller.hub, customer_id)
    return redirect(f"/customers/{customer_id}?done=left_out_checked")
