"""Integrations (連携): list with their state, create, show, change, start, stop, verify, rotate credentials.

Settings are always returned with their secrets masked. What an integration generates for the
user (a drop box's password) is in the creating response's ``shown_once`` and nowhere else; a
mail integration's inbox address is shown wherever the integration is (it is what the portal
is told to forward to).
"""

from __future__ import annotations

import contextlib
from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from renkei.errors import RenkeiError
from renkei.pipeline.browse import IntegrationSummary, integration_summaries
from renkei.pipeline.dropbox import reset_password
from renkei.pipeline.integrations import (
    Integration,
    add_integration,
    get_integration,
    set_status,
    update_integration,
)
from renkei.pipeline.mail import inbox_address, rotate_inbox_secret
from renkei.pipeline.specs import DefaultsModel, MappingModel, NotifyModel, PolicyModel, Status
from renkei.sources.mail_kind import MAIL_KINDS, MailSettings
from renkei.sources.pull_kind import PULL_KINDS
from renkei.web.api.common import ApiRequest, IntegrationId, Operator, Viewer, aware, errors

router = APIRouter(prefix="/api/integrations", tags=["integrations"])


class IntegrationOut(BaseModel):
    """An integration as the API shows it: settings with secrets masked (``********``)."""

    id: int
    name: str
    kind: str
    status: Status = Field(description="active (連携中), stopped (停止中) or failing (連携失敗).")
    status_reason: str | None = Field(description="Why it is failing or was stopped, when known.")
    settings: dict[str, Any]
    mapping: MappingModel
    policies: PolicyModel
    defaults: DefaultsModel
    notify: NotifyModel
    inbox_address: str | None = Field(description="Mail kinds: the address portals forward to.")
    confirmed_at: datetime | None = Field(
        description="Mail kinds: when the portal's confirmation mail (or the first lead) arrived."
    )
    url: str


class IntegrationSummaryOut(IntegrationOut):
    """An integration with what its list row shows."""

    deliveries: int
    customers_created: int
    failed_recent: int = Field(description="Failed or partly failed deliveries in the last 7 days.")
    last_delivery_at: datetime | None
    last_delivery_state: str | None
    waiting_for_confirmation: bool = Field(
        description="Mail kinds: neither the portal's confirmation mail nor a lead has arrived yet."
    )


class IntegrationCreated(IntegrationOut):
    shown_once: dict[str, str] = Field(
        description="Credentials generated for you (a drop box's username and password): shown only here, once."
    )


class IntegrationCreate(ApiRequest):
    """A new integration; ``settings`` follow the kind's schema (``GET /api/kinds``)."""

    kind: str = Field(max_length=100, description="One of the kinds of GET /api/kinds.")
    name: str = Field(min_length=1, max_length=200)
    status: Status = "active"
    settings: dict[str, Any] = Field(default_factory=dict)
    mapping: MappingModel = Field(default_factory=MappingModel)
    policies: PolicyModel = Field(default_factory=PolicyModel)
    defaults: DefaultsModel = Field(default_factory=DefaultsModel)
    notify: NotifyModel = Field(default_factory=NotifyModel)


class IntegrationChange(ApiRequest):
    """What to change; what is left out stays. ``settings`` merge key by key and keep secrets not named
    (a masked value sent back keeps the stored secret); the other sections are replaced whole."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    status: Status | None = None
    settings: dict[str, Any] | None = None
    mapping: MappingModel | None = None
    policies: PolicyModel | None = None
    defaults: DefaultsModel | None = None
    notify: NotifyModel | None = None


class CheckOut(BaseModel):
    """What verifying an integration found."""

    kind: str
    result: Literal["ok", "error", "waiting", "confirmed", "nothing-to-verify"] = Field(
        description="ok/error: credentials were tried; waiting/confirmed: a mail inbox's confirmation state."
    )
    message: str
    inbox_address: str | None = None
    confirmed_at: datetime | None = None


class InboxAddress(BaseModel):
    inbox_address: str


class DropBoxPassword(BaseModel):
    username: str
    password: str = Field(description="The new password, shown only in this response.")


def _address(integration: Integration) -> str | None:
    return inbox_address(integration) if isinstance(integration.settings, MailSettings) else None


def present(integration: Integration) -> IntegrationOut:
    """The API's view of an integration."""
    return IntegrationOut(**_fields(integration))


def _fields(integration: Integration) -> dict[str, Any]:
    spec = integration.spec
    return {
        "id": integration.id,
        "name": spec.name,
        "kind": spec.kind,
        "status": spec.status,
        "status_reason": integration.status_reason,
        "settings": integration.shown_settings(),
        "mapping": spec.mapping,
        "policies": spec.policies,
        "defaults": spec.defaults,
        "notify": spec.notify,
        "inbox_address": _address(integration),
        "confirmed_at": aware(integration.confirmed_at),
        "url": f"/api/integrations/{integration.id}",
    }


def _summary(summary: IntegrationSummary) -> IntegrationSummaryOut:
    fields = _fields(summary.integration) | {"status": summary.status, "status_reason": summary.status_reason}
    return IntegrationSummaryOut(
        **fields,
        deliveries=summary.deliveries,
        customers_created=summary.customers_created,
        failed_recent=summary.failed_recent,
        last_delivery_at=aware(summary.last_delivery_at),
        last_delivery_state=summary.last_delivery_state,
        waiting_for_confirmation=summary.waiting,
    )


@router.get("", response_model=list[IntegrationSummaryOut], responses=errors())
def list_all(caller: Viewer) -> list[IntegrationSummaryOut]:
    """Every integration of the workspace by name, with its state, last delivery and counts."""
    return [_summary(s) for s in integration_summaries(caller.hub)]


@router.post("", status_code=201, response_model=IntegrationCreated, responses=errors(403, 422))
def create(body: IntegrationCreate, caller: Operator) -> IntegrationCreated:
    """Add an integration. Generated credentials are in ``shown_once``, only in this response."""
    integration = add_integration(caller.hub, body.model_dump(mode="json"))
    return IntegrationCreated(**_fields(integration), shown_once=dict(integration.shown_once))


@router.get("/{integration_id}", response_model=IntegrationSummaryOut, responses=errors(404))
def show(integration_id: IntegrationId, caller: Viewer) -> IntegrationSummaryOut:
    """One integration with its state, last delivery and counts."""
    get_integration(caller.hub, integration_id)  # 404 before summarising the workspace
    found = next(s for s in integration_summaries(caller.hub) if s.integration.id == integration_id)
    return _summary(found)


@router.patch("/{integration_id}", response_model=IntegrationOut, responses=errors(403, 404, 422))
def change(integration_id: IntegrationId, body: IntegrationChange, caller: Operator) -> IntegrationOut:
    """Change part of an integration; what is not named stays as it is. The kind cannot change."""
    changes = body.model_dump(mode="json", exclude_unset=True, exclude_none=True)
    return present(update_integration(caller.hub, integration_id, changes))


@router.post("/{integration_id}/start", response_model=IntegrationOut, responses=errors(403, 404))
def start(integration_id: IntegrationId, caller: Operator) -> IntegrationOut:
    """Start (or restart after a failure): deliveries are processed again."""
    integration = get_integration(caller.hub, integration_id)
    return present(set_status(caller.hub, integration.name, "active"))


@router.post("/{integration_id}/stop", response_model=IntegrationOut, responses=errors(403, 404))
def stop(integration_id: IntegrationId, caller: Operator) -> IntegrationOut:
    """Stop: what arrives meanwhile is still landed, and recorded as ignored."""
    integration = get_integration(caller.hub, integration_id)
    return present(set_status(caller.hub, integration.name, "stopped", "stopped by a user"))


@router.post("/{integration_id}/check", response_model=CheckOut, responses=errors(403, 404))
def check(integration_id: IntegrationId, caller: Operator) -> CheckOut:
    """Verify what can be verified: a pull kind's server login and folder, a mail kind's IMAP login and
    confirmation state. Nothing is fetched or landed."""
    return _verify(get_integration(caller.hub, integration_id))


def _verify(integration: Integration) -> CheckOut:
    kind = integration.spec.kind
    if kind in PULL_KINDS:
        return _verify_pull(integration)
    if kind in MAIL_KINDS:
        return _verify_mail(integration)
    return CheckOut(kind=kind, result="nothing-to-verify", message=f"a {kind} integration has no credentials to try")


def _verify_pull(integration: Integration) -> CheckOut:
    from renkei.core.pull_rules import selection
    from renkei.sources.remote import open_folder

    settings = integration.settings
    kind = integration.spec.kind
    try:
        with open_folder(settings) as folder:
            listing = folder.listing()
    except RenkeiError as error:
        return CheckOut(kind=kind, result="error", message=str(error))
    files = [entry for entry in listing if entry.kind == "file"]
    taken = [entry for entry in listing if selection(entry, settings.pattern, settings.file_names)[0]]
    message = (
        f"logged in to {settings.host} as {settings.username!r}; folder {settings.folder!r} has "
        f"{len(files)} file(s), {len(taken)} matching {settings.pattern!r}"
    )
    return CheckOut(kind=kind, result="ok", message=message)


def _verify_mail(integration: Integration) -> CheckOut:
    settings = integration.settings
    kind = integration.spec.kind
    address = _address(integration)
    confirmed = aware(integration.confirmed_at)
    if settings.imap is not None:
        from renkei.pipeline.imap_pull import connect

        try:
            client = connect(settings.imap, timeout=20.0)
        except RenkeiError as error:
            return CheckOut(
                kind=kind, result="error", message=str(error), inbox_address=address, confirmed_at=confirmed
            )
        with contextlib.suppress(Exception):  # the login worked; how the session ends does not matter
            client.logout()
        imap_note = f"IMAP login to {settings.imap.host} as {settings.imap.username!r} works. "
    else:
        imap_note = ""
    if confirmed is None:
        message = f"{imap_note}no confirmation mail or lead has arrived yet at {address}"
        return CheckOut(kind=kind, result="waiting", message=message, inbox_address=address)
    message = f"{imap_note}forwarding confirmed at {confirmed.isoformat(timespec='seconds')}"
    return CheckOut(kind=kind, result="confirmed", message=message, inbox_address=address, confirmed_at=confirmed)


@router.post("/{integration_id}/inbox/rotate", response_model=InboxAddress, responses=errors(403, 404, 422))
def rotate_inbox(integration_id: IntegrationId, caller: Operator) -> InboxAddress:
    """Give a mail integration a new inbox address; the old one stops working at once."""
    integration = get_integration(caller.hub, integration_id)
    return InboxAddress(inbox_address=rotate_inbox_secret(caller.hub, integration.name))


@router.post("/{integration_id}/password/reset", response_model=DropBoxPassword, responses=errors(403, 404, 422))
def reset_drop_password(integration_id: IntegrationId, caller: Operator) -> DropBoxPassword:
    """Give a drop box a new password (shown only in this response); the old one stops working."""
    integration = get_integration(caller.hub, integration_id)
    changed, password = reset_password(caller.hub, integration.name)
    return DropBoxPassword(username=str(changed.settings.username), password=password)
