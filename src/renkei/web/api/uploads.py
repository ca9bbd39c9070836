"""Sending a file to an integration over HTTP (the "API way" of delivering a CSV).

``POST /api/integrations/{id}/files`` takes one multipart field ``file``. The body is parsed as
it streams in (file parts are spooled to disk, never held in memory) and refused with 413 past
``RENKEI_UPLOAD_MAX_BYTES`` (default 2 GiB). The file is then landed like any channel's (raw
archive, then the delivery row) and the answer is 202 with the delivery's URL; a worker thread
processes it. With ``?wait=true`` it is processed before the answer, which then carries the
result. The same content sent again is recorded as a duplicate (200, nothing processed).

Which integrations take files: every file kind (csv, ftp-drop, sftp-pull, ftp-pull), and
mail-csv (the file is read as one of its mailed attachments would be; sender rules do not apply,
the caller is authenticated). Portal mail kinds (suumo, homes, athome, mail-labels) read mails,
not files: 422. A stopped integration's file is landed and recorded as ignored, as every channel
does.
"""

from __future__ import annotations

import re
import threading
from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import APIRouter, FastAPI, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field
from starlette.datastructures import UploadFile
from starlette.types import Receive, Scope

from renkei.channels.worker import Processor
from renkei.limits import env_bytes
from renkei.pipeline.deliveries import get_delivery, land, process_delivery
from renkei.pipeline.integrations import Integration, get_integration
from renkei.web.api.common import IntegrationId, Operator, errors
from renkei.web.api.deliveries import DeliveryOut, ProcessOut, delivery_out, process_out
from renkei.web.auth import CSRF_HEADER, state
from renkei.web.errors import ApiError

DEFAULT_MAX_BYTES = 2 * 1024**3
#: What a multipart body may carry besides the file (boundaries, part headers, a CSRF field).
ENVELOPE_SLACK = 64 * 1024
_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\]")


def max_upload_bytes() -> int:
    """The largest file an upload may carry (``RENKEI_UPLOAD_MAX_BYTES``, default 2 GiB)."""
    return env_bytes("RENKEI_UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES)


_lock = threading.Lock()


def _processor(request: Request) -> Processor:
    """The app's upload worker, started on first use (and stopped with the app)."""
    app = request.app
    with _lock:
        found: Processor | None = getattr(app.state, "renkei_uploads", None)
        if found is None:
            found = Processor(state(request).hubs, name="renkei-uploads")
            found.start()
            app.state.renkei_uploads = found
        return found


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    yield
    with _lock:
        found: Processor | None = getattr(app.state, "renkei_uploads", None)
        app.state.renkei_uploads = None
    if found is not None:
        # The delivery in hand is finished; what is still queued stays received for the next start.
        await run_in_threadpool(found.stop)


router = APIRouter(prefix="/api/integrations", tags=["uploads"], lifespan=_lifespan)


class UploadOut(BaseModel):
    delivery_id: int
    url: str = Field(description="Where to follow the delivery (GET).")
    delivery: DeliveryOut
    result: ProcessOut | None = Field(description="With wait=true: what processing did. Null while queued.")


class _LimitedRequest(Request):
    """A request whose body stops with 413 once more than ``limit`` bytes have arrived."""

    def __init__(self, scope: Scope, receive: Receive, limit: int) -> None:
        super().__init__(scope, receive)
        self._limit = limit

    async def stream(self) -> AsyncGenerator[bytes, None]:
        seen = 0
        async for chunk in super().stream():
            seen += len(chunk)
            if seen > self._limit:
                raise _too_large(self._limit - ENVELOPE_SLACK)
            yield chunk


def _too_large(limit: int) -> ApiError:
    return ApiError(413, f"the file is larger than the upload limit of {limit} bytes (RENKEI_UPLOAD_MAX_BYTES)")


def _refuse_unless_files(integration: Integration) -> None:
    if integration.kind.accepts_files or integration.spec.kind == "mail-csv":
        return
    raise ApiError(
        422,
        f"integration {integration.name!r} ({integration.spec.kind}) reads mails, not files: "
        "forward the mails to its inbox address",
    )


def _file_name(given: str | None) -> str:
    name = _UNSAFE.sub("_", (given or "").replace("\\", "/").rsplit("/", 1)[-1]).strip()
    return name[:200] or "upload.csv"


_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {"file": {"type": "string", "format": "binary", "description": "The CSV/TSV file."}},
                }
            }
        },
    }
}


@router.post(
    "/{integration_id}/files",
    status_code=202,
    response_model=UploadOut,
    responses={
        200: {"model": UploadOut, "description": "Processed (wait=true) or a duplicate."},
        **errors(403, 404, 413, 422),
    },
    openapi_extra=_BODY,
)
async def upload(
    integration_id: IntegrationId,
    request: Request,
    response: Response,
    caller: Operator,
    wait: Annotated[bool, Query(description="Process before answering and return the result.")] = False,
) -> UploadOut:
    """Send a file: it is landed, then processed in the background (202) or at once (``wait=true``)."""
    hub = caller.hub
    integration = await run_in_threadpool(get_integration, hub, integration_id)
    _refuse_unless_files(integration)
    limit = max_upload_bytes()
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit + ENVELOPE_SLACK:
        raise _too_large(limit)
    if caller.principal.via == "session" and CSRF_HEADER not in request.headers:
        # The CSRF check already read the form (its csrf field); the parsed form is kept on the request.
        form = await request.form()
    else:
        form = await _LimitedRequest(request.scope, request.receive, limit + ENVELOPE_SLACK).form(
            max_files=1, max_fields=10
        )
    try:
        part = form.get("file")
        if not isinstance(part, UploadFile):
            raise ApiError(422, "send the file as multipart/form-data in a field called 'file'")
        if part.size is not None and part.size > limit:
            raise _too_large(limit)
        name = _file_name(part.filename)
        delivery, is_new = await run_in_threadpool(land, hub, integration, part.file, file_name=name, channel="upload")
    finally:
        await form.close()
    result = None
    if not is_new:
        response.status_code = 200
    elif wait:
        result = process_out(await run_in_threadpool(process_delivery, hub, delivery.id))
        delivery = await run_in_threadpool(get_delivery, hub, delivery.id)
        response.status_code = 200
    else:
        _processor(request).submit(hub.workspace_id, delivery.id)
    return UploadOut(
        delivery_id=delivery.id, url=f"/api/deliveries/{delivery.id}", delivery=delivery_out(delivery), result=result
    )
