"""What the API's resource modules share: role dependencies, ids, paging, and the error envelope's model.

This module has no ``router``: the server includes only the modules that have one.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Path, Query
from pydantic import BaseModel, ConfigDict, Field, model_validator

from renkei.pipeline.browse import MAX_LIMIT
from renkei.pipeline.hub import as_utc
from renkei.web.auth import Caller, api_caller

T = TypeVar("T")

Viewer = Annotated[Caller, Depends(api_caller("viewer"))]
Operator = Annotated[Caller, Depends(api_caller("operator"))]
Admin = Annotated[Caller, Depends(api_caller("admin"))]

#: Every id in a path: a positive 64-bit integer (a bigger one could never name a row).
MAX_ID = 2**63 - 1
IntegrationId = Annotated[int, Path(ge=1, le=MAX_ID, description="The integration's id.")]
DeliveryId = Annotated[int, Path(ge=1, le=MAX_ID, description="The delivery's id.")]
CustomerId = Annotated[int, Path(ge=1, le=MAX_ID, description="The customer's id.")]
TokenId = Annotated[int, Path(ge=1, le=MAX_ID, description="The API token's id.")]
IntegrationFilter = Annotated[
    int | None, Query(ge=1, le=MAX_ID, description="Only what belongs to the integration with this id.")
]

#: Text in a query string: no NUL character (no database can store or compare it).
NO_NUL = r"^[^\x00]*$"
Cursor = Annotated[
    str | None,
    Query(
        max_length=200,
        pattern=NO_NUL,
        description="The `next_cursor` of the previous page; leave out for the first page.",
    ),
]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"Items per page (1 to {MAX_LIMIT}).")]


class ErrorBody(BaseModel):
    code: str = Field(description="A stable code: unauthenticated, forbidden, not_found, invalid, conflict, …")
    message: str = Field(description="What went wrong, for people.")
    details: Any = Field(default=None, description="For invalid requests: each problem with where it is.")


class ErrorEnvelope(BaseModel):
    """Every error the API answers: one envelope."""

    error: ErrorBody


_DESCRIPTIONS = {
    401: "No valid session or API token.",
    403: "The caller's role is too low, or a session's CSRF token is missing.",
    404: "Nothing with this id in the caller's workspace.",
    409: "The request conflicts with the current state (e.g. replaying a delivery that was never processed).",
    413: "The upload is larger than the configured limit.",
    422: "The request or the settings it names are not valid.",
}


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for these error statuses (and 401, which every route can answer)."""
    return {status: {"model": ErrorEnvelope, "description": _DESCRIPTIONS[status]} for status in (401, *statuses)}


class Page(BaseModel, Generic[T]):
    """One page of a list, newest first; ``next_cursor`` is null on the last page."""

    items: list[T]
    next_cursor: str | None


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_has_nul(v) for v in value)
    return False


class ApiRequest(BaseModel):
    """A request body: unknown keys are refused, and so is the NUL character (no database can store it)."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _no_nul(cls, data: Any) -> Any:
        if _has_nul(data):
            raise ValueError("text cannot contain the NUL character")
        return data


def aware(moment: Any) -> datetime | None:
    """A stored time as an aware UTC datetime (SQLite hands back naive UTC)."""
    if moment is None:
        return None
    return as_utc(datetime.fromisoformat(moment) if isinstance(moment, str) else moment)
