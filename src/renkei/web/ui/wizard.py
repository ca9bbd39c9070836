"""Adding an integration in three steps, as the CRM/MA products our users know do it.

1. Name and import rules (owner, customer status, group, tags) — kept in the form, nothing stored.
2. Credentials, a form built from the kind's settings schema; submitting it creates the
   integration *stopped* (kinds that connect somewhere then offer a connection check).
3. How data reaches Renkei (an inbox address and the portal's forwarding steps, a drop box's
   login, the upload page), a confirmation, and "start", which makes it active.

``/integrations/{id}/credentials`` and ``/integrations/{id}/setup`` are steps 2 and 3 for an
integration that exists, so both can be revisited later.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import ValidationError

from renkei.errors import ConfigurationError
from renkei.pipeline.integrations import (
    Integration,
    add_integration,
    describe_validation,
    find_integration,
    get_integration,
    set_status,
    update_integration,
)
from renkei.pipeline.mail import inbox_address
from renkei.pipeline.specs import DefaultsModel, NotifyModel
from renkei.sources.registry import get_kind, kinds
from renkei.web.auth import Caller, page_caller
from renkei.web.ui.common import flash_key, is_mail, redirect, settings_form, settings_from_form, verifiable
from renkei.web.ui.render import render

router = APIRouter(include_in_schema=False)

Viewer = Annotated[Caller, Depends(page_caller())]
Operator = Annotated[Caller, Depends(page_caller("operator"))]

RULE_FIELDS = ("kind", "name", "owner", "status", "group", "tags", "notify_errors", "notify_success")
#: The kinds in the order our users look for them: portals first, then files.
KIND_ORDER = ("suumo", "homes", "athome", "mail-labels", "mail-csv", "csv", "ftp-drop", "sftp-pull", "ftp-pull")


def _ordered_kinds() -> list[Any]:
    def rank(kind: Any) -> tuple[int, str]:
        return (KIND_ORDER.index(kind.name) if kind.name in KIND_ORDER else len(KIND_ORDER), kind.name)

    return sorted(kinds(), key=rank)


def _rules(data: Any) -> dict[str, str]:
    return {name: str(data.get(name) or "").strip() for name in RULE_FIELDS}


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.replace("、", ",").replace("，", ",").split(",") if part.strip()]


def _defaults(rules: dict[str, str]) -> DefaultsModel:
    return DefaultsModel(
        owner=rules["owner"] or None,
        status=rules["status"] or None,
        groups=_split(rules["group"]),
        tags=_split(rules["tags"]),
    )


def _notify(rules: dict[str, str]) -> NotifyModel:
    """The report addresses typed into the rules form (commas, 、 or new lines between them)."""
    return NotifyModel(
        errors=_split(rules["notify_errors"].replace("\n", ",")),
        success=_split(rules["notify_success"].replace("\n", ",")),
    )


def rules_of(integration: Integration) -> dict[str, str]:
    """An integration's import rules and report addresses as the rules form shows them."""
    defaults, notify = integration.spec.defaults, integration.spec.notify
    return {
        "kind": integration.spec.kind,
        "name": integration.name,
        "owner": defaults.owner or "",
        "status": defaults.status or "",
        "group": ", ".join(defaults.groups),
        "tags": ", ".join(defaults.tags),
        "notify_errors": ", ".join(notify.errors),
        "notify_success": ", ".join(notify.success),
    }


def _step1(request: Request, caller: Caller, rules: dict[str, str], error: str | None = None) -> Response:
    return render(
        request,
        "wizard_rules.html",
        caller=caller,
        nav="integrations",
        kinds=_ordered_kinds(),
        rules=rules,
        error=error,
        status_code=422 if error else 200,
    )


def _step2_new(request: Request, caller: Caller, rules: dict[str, str], error: str | None = None, values=None):
    kind = get_kind(rules["kind"])
    return render(
        request,
        "wizard_credentials.html",
        caller=caller,
        nav="integrations",
        kind=kind,
        rules=rules,
        form=settings_form(kind, values),
        integration=None,
        verifiable=False,
        error=error,
        status_code=422 if error else 200,
    )


@router.get("/integrations/new")
def new_integration(request: Request, caller: Operator, kind: str | None = None) -> Response:
    return _step1(request, caller, {**_rules({}), "kind": kind or "suumo"})


@router.post("/integrations/new")
async def rules_done(request: Request, caller: Operator) -> Response:
    """Step 1 submitted: check the name and the rules, then ask for the credentials."""
    rules = _rules(await request.form())
    known = {k.name for k in kinds()}
    if rules["kind"] not in known:
        return _step1(request, caller, rules, caller.t("wizard.error.kind"))
    if not rules["name"]:
        return _step1(request, caller, rules, caller.t("wizard.error.name"))
    if find_integration(caller.hub, rules["name"]) is not None:
        return _step1(request, caller, rules, caller.t("wizard.error.name_taken", name=rules["name"]))
    try:
        _defaults(rules)
        _notify(rules)
    except ValidationError as error:
        return _step1(request, caller, rules, describe_validation(error))
    return _step2_new(request, caller, rules)


@router.post("/integrations/new/create")
async def create(request: Request, caller: Operator) -> Response:
    """Step 2 submitted: create the integration, stopped; go on to the connection check or step 3."""
    data = await request.form()
    rules = _rules(data)
    if rules["kind"] not in {k.name for k in kinds()}:
        return _step1(request, caller, rules, caller.t("wizard.error.kind"))
    kind = get_kind(rules["kind"])
    form = settings_form(kind)
    settings = settings_from_form(form, data)
    try:
        integration = add_integration(
            caller.hub,
            {
                "kind": kind.name,
                "name": rules["name"],
                "status": "stopped",
                "settings": settings,
                "defaults": _defaults(rules).model_dump(mode="json"),
                "notify": _notify(rules).model_dump(mode="json"),
            },
        )
    except (ConfigurationError, ValidationError) as error:
        message = describe_validation(error) if isinstance(error, ValidationError) else str(error)
        return _step2_new(request, caller, rules, message, settings)
    if integration.shown_once:
        return _step3(request, caller, integration, shown=integration.shown_once)
    if verifiable(integration.settings):
        return redirect(f"/integrations/{integration.id}/credentials?done=created")
    return redirect(f"/integrations/{integration.id}/setup?done=created")


def _step2_existing(
    request: Request, caller: Caller, integration: Integration, error: str | None = None, done: str | None = None
) -> Response:
    key = flash_key(done)
    return render(
        request,
        "wizard_credentials.html",
        caller=caller,
        nav="integrations",
        kind=integration.kind,
        rules=None,
        form=settings_form(integration.kind, integration.spec.settings, integration.secrets_set),
        integration=integration,
        verifiable=verifiable(integration.settings),
        error=error,
        flash=caller.t(key) if key else None,
        status_code=422 if error else 200,
    )


@router.get("/integrations/{integration_id}/credentials")
def credentials(request: Request, integration_id: int, caller: Viewer, done: str | None = None) -> Response:
    return _step2_existing(request, caller, get_integration(caller.hub, integration_id), done=done)


@router.post("/integrations/{integration_id}/credentials")
async def save_credentials(request: Request, integration_id: int, caller: Operator) -> Response:
    integration = get_integration(caller.hub, integration_id)
    form = settings_form(integration.kind, integration.spec.settings, integration.secrets_set)
    settings = settings_from_form(form, await request.form(), updating=True)
    try:
        update_integration(caller.hub, integration.id, {"settings": settings})
    except ConfigurationError as error:
        return _step2_existing(request, caller, integration, str(error))
    return redirect(f"/integrations/{integration.id}/credentials?done=saved")


def _step3(
    request: Request,
    caller: Caller,
    integration: Integration,
    *,
    shown: dict[str, str] | None = None,
    error: str | None = None,
    done: str | None = None,
) -> Response:
    kind = integration.spec.kind
    connection: dict[str, Any] | None = None
    if kind == "ftp-drop":
        from renkei.channels.ftp import connection_info

        connection = connection_info(caller.hub)
    key = flash_key(done)
    return render(
        request,
        "wizard_setup.html",
        caller=caller,
        nav="integrations",
        integration=integration,
        kind=kind,
        mail=is_mail(kind),
        address=inbox_address(integration) if is_mail(kind) else None,
        preset=getattr(integration.settings, "preset", None),
        allowed=getattr(integration.settings, "allowed_senders", []),
        connection=connection,
        username=getattr(integration.settings, "username", None),
        shown=shown or {},
        error=error,
        flash=caller.t(key) if key else None,
        status_code=422 if error else 200,
    )


@router.get("/integrations/{integration_id}/setup")
def setup(request: Request, integration_id: int, caller: Viewer, done: str | None = None) -> Response:
    return _step3(request, caller, get_integration(caller.hub, integration_id), done=done)


@router.post("/integrations/{integration_id}/setup")
async def start_from_wizard(request: Request, integration_id: int, caller: Operator) -> Response:
    """Step 3 submitted: with the confirmation ticked, the integration starts."""
    integration = get_integration(caller.hub, integration_id)
    if not (await request.form()).get("confirmed"):
        return _step3(request, caller, integration, error=caller.t("wizard.error.confirm"))
    set_status(caller.hub, integration.name, "active")
    return redirect("/integrations?done=started")


@router.post("/integrations/{integration_id}/setup/password")
def new_drop_password(request: Request, integration_id: int, caller: Operator) -> Response:
    """A drop box's new password, shown once (the old one stops working)."""
    from renkei.pipeline.dropbox import reset_password

    integration = get_integration(caller.hub, integration_id)
    integration, password = reset_password(caller.hub, integration.name)
    username = getattr(integration.settings, "username", "")
    return _step3(request, caller, integration, shown={"username": username, "password": password})


def _rules_page(
    request: Request, caller: Caller, integration: Integration, rules: dict[str, str], error: str | None = None
) -> Response:
    return render(
        request,
        "rules.html",
        caller=caller,
        nav="integrations",
        integration=integration,
        rules=rules,
        error=error,
        status_code=422 if error else 200,
    )


@router.get("/integrations/{integration_id}/rules")
def rules_form(request: Request, integration_id: int, caller: Viewer) -> Response:
    """Step 1 again for an integration that exists: its name, import rules and report addresses."""
    integration = get_integration(caller.hub, integration_id)
    return _rules_page(request, caller, integration, rules_of(integration))


@router.post("/integrations/{integration_id}/rules")
async def save_rules(request: Request, integration_id: int, caller: Operator) -> Response:
    integration = get_integration(caller.hub, integration_id)
    rules = {**_rules(await request.form()), "kind": integration.spec.kind}
    if not rules["name"]:
        return _rules_page(request, caller, integration, rules, caller.t("wizard.error.name"))
    try:
        defaults = _defaults(rules).model_dump(mode="json")
        defaults["acquisition_channel"] = integration.spec.defaults.acquisition_channel
        changes = {"name": rules["name"], "defaults": defaults, "notify": _notify(rules).model_dump(mode="json")}
        update_integration(caller.hub, integration.id, changes)
    except ValidationError as error:
        return _rules_page(request, caller, integration, rules, describe_validation(error))
    except ConfigurationError as error:
        return _rules_page(request, caller, integration, rules, str(error))
    return redirect("/integrations?done=saved")
