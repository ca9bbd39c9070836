"""Checks of pull integrations (scheduled or started by hand): list them, run one now."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from renkei.pipeline.browse import page_checks
from renkei.pipeline.integrations import get_integration
from renkei.web.api.common import Cursor, IntegrationFilter, IntegrationId, Limit, Operator, Page, Viewer, aware, errors
from renkei.web.api.deliveries import CountsOut, counts_out
from renkei.web.errors import ApiError

router = APIRouter(prefix="/api", tags=["runs"])


class RunOut(BaseModel):
    """One check of a pull integration's remote folder."""

    id: int
    integration_id: int
    integration: str
    trigger: Literal["schedule", "manual"] | str
    state: str = Field(description="running, ok, failed or abandoned.")
    started_at: datetime
    heartbeat_at: datetime | None
    finished_at: datetime | None
    found: int
    landed: int
    message: str | None


class FileOut(BaseModel):
    name: str
    delivery_id: int
    state: str
    reason: str | None
    counts: CountsOut
    same_as: int | None = Field(description="The earlier delivery with the same content, when not landed again.")


class SkippedOut(BaseModel):
    name: str
    reason: str


class RunResult(BaseModel):
    """What running a check now did."""

    check_id: int | None
    state: Literal["ok", "failed"] | str
    found: int
    landed: int
    files: list[FileOut]
    skipped: list[SkippedOut]
    waiting: list[str] = Field(description="Files still being written: fetched by a later check.")
    problems: list[str]
    message: str
    url: str | None


def _run(row: dict[str, Any]) -> RunOut:
    return RunOut(
        id=row["id"],
        integration_id=row["integration_id"],
        integration=row["integration"],
        trigger=row["trigger"],
        state=row["state"],
        started_at=aware(row["started_at"]),  # type: ignore[arg-type]
        heartbeat_at=aware(row["heartbeat_at"]),
        finished_at=aware(row["finished_at"]),
        found=row["found"],
        landed=row["landed"],
        message=row["message"],
    )


@router.get("/runs", response_model=Page[RunOut], responses=errors(404, 422))
def list_runs(
    caller: Viewer, integration_id: IntegrationFilter = None, cursor: Cursor = None, limit: Limit = 50
) -> Page[RunOut]:
    """Checks of pull integrations, newest first, optionally of one integration."""
    if integration_id is not None:
        get_integration(caller.hub, integration_id)  # another workspace's integration: 404
    page = page_checks(caller.hub, integration_id=integration_id, cursor=cursor, limit=limit)
    return Page[RunOut](items=[_run(row) for row in page.items], next_cursor=page.next_cursor)


@router.post("/integrations/{integration_id}/run", response_model=RunResult, responses=errors(403, 404, 409, 422))
def run_now(integration_id: IntegrationId, caller: Operator) -> RunResult:
    """Check a pull integration's remote folder now: fetch, land and process every new complete file.

    Answers when the check is over (a file still being written makes it wait ``stable_seconds``).
    A check already running for the integration: 409."""
    from renkei.pipeline.pull import run_check

    integration = get_integration(caller.hub, integration_id)
    result = run_check(caller.hub, integration, "manual")
    if result.check_id is None:
        raise ApiError(409, "; ".join(result.problems) or "a check of this integration is already running", "busy")
    return RunResult(
        check_id=result.check_id,
        state=result.state,
        found=result.found,
        landed=result.landed,
        files=[
            FileOut(
                name=f.name,
                delivery_id=f.delivery_id,
                state=f.state,
                reason=f.reason,
                counts=counts_out(f.counts),
                same_as=f.same_as,
            )
            for f in result.files
        ],
        skipped=[SkippedOut(name=name, reason=why) for name, why in result.skipped],
        waiting=list(result.waiting),
        problems=list(result.problems),
        message=result.message,
        url=f"/api/runs?integration_id={integration_id}",
    )
