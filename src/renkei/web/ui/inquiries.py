"""反響一覧: every customer's inquiries, the last to arrive first."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from renkei.errors import ConfigurationError
from renkei.pipeline.browse import count_inquiries, page_inquiries
from renkei.pipeline.integrations import list_integrations
from renkei.web.auth import Caller, page_caller
from renkei.web.ui.render import render

router = APIRouter(include_in_schema=False)

Viewer = Annotated[Caller, Depends(page_caller())]
#: The days the page counts inquiries over, by source.
COUNTED_DAYS = 30


@router.get("/inquiries")
def inquiries_page(
    request: Request,
    caller: Viewer,
    integration: str | None = None,
    source: str | None = None,
    cursor: str | None = None,
) -> Response:
    integration_id = int(integration) if integration and integration.isdigit() else None
    filters = {"integration_id": integration_id, "source": source or None}
    try:
        page = page_inquiries(caller.hub, cursor=cursor, **filters)
    except ConfigurationError:  # a cursor not made here: the first page
        page = page_inquiries(caller.hub, **filters)
    names = {i.id: i.name for i in list_integrations(caller.hub)}
    counts = count_inquiries(caller.hub, days=COUNTED_DAYS) if not cursor else []  # on the first page
    return render(
        request,
        "inquiries.html",
        caller=caller,
        nav="inquiries",
        page=page,
        names=names,
        integration_id=integration_id,
        source=source or "",
        counts=counts,
        counted_days=COUNTED_DAYS,
    )
