"""Service functions for integrations: add, list, find, apply a declarative file."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from pydantic import BaseModel, SecretStr, ValidationError
from sqlalchemy import Connection, bindparam, select

from renkei.core.mapping import CompiledMapping, compile_mapping
from renkei.errors import ConfigurationError, NotFoundError
from renkei.pipeline.hub import Hub, utcnow
from renkei.pipeline.specs import ApplyFile, IntegrationSpec
from renkei.sources.registry import SourceKind, get_kind
from renkei.store.schema import integrations
from renkei.store.secrets import (
    REDACTED,
    SecretBox,
    join_secrets,
    names_secret,
    redact,
    secret_fields,
    split_secrets,
)

MANUAL_IMPORT = "manual-import"
#: Kinds whose failures nobody sees unless they are mailed: error-report addresses are required.
NEEDS_ERROR_ADDRESSES = frozenset({"mail-csv"})


@dataclass(frozen=True, slots=True)
class Integration:
    """A stored integration with its validated settings."""

    id: int
    spec: IntegrationSpec
    kind: SourceKind
    settings: Any
    status_reason: str | None = None
    secrets_set: frozenset[str] = frozenset()
    #: What was generated for the user when it was added (a password), to show once; never stored.
    shown_once: dict[str, str] = field(default_factory=dict)
    #: Mail integrations: when the portal's forwarding was confirmed (a confirmation mail or the first lead).
    confirmed_at: Any = None

    @property
    def name(self) -> str:
        return self.spec.name

    def compile_mapping(self, labels: Sequence[str]) -> CompiledMapping:
        """The integration's mapping resolved against a payload's ``labels``, with its kind's
        default for rejected values where the mapping sets none."""
        return compile_mapping(self.spec.mapping.to_core(), labels, self.kind.bad_values)

    def shown_settings(self) -> dict[str, Any]:
        """Settings fit to print or return: secrets masked."""
        return redact(self.kind.settings, self.spec.settings, set(self.secrets_set))


def describe_validation(error: ValidationError, prefix: str = "") -> str:
    """Every problem of a pydantic error, each with its path, on one line each."""
    lines = []
    for item in error.errors():
        path = ".".join(str(p) for p in item["loc"])
        where = f"{prefix}{path}" if path else prefix.rstrip(".") or "value"
        message = str(item["msg"]).removeprefix("Value error, ")
        lines.append(f"{where}: {message}")
    return "\n".join(lines)


def validate_spec(data: dict[str, Any], where: str = "") -> tuple[IntegrationSpec, SourceKind, Any]:
    """Validate an integration's declaration and its kind's settings, all problems at once."""
    try:
        spec = IntegrationSpec.model_validate(data)
    except ValidationError as error:
        raise ConfigurationError(describe_validation(error, where)) from None
    try:
        kind = get_kind(spec.kind)
    except KeyError as error:
        raise ConfigurationError(f"{where}kind: {error.args[0]}") from None
    problems = []
    if spec.kind in NEEDS_ERROR_ADDRESSES and not spec.notify.errors:
        problems.append(
            f"{where}notify.errors: a {spec.kind} integration needs at least one error-report address"
            " (its senders hear nothing otherwise)"
        )
    try:
        settings = kind.settings.model_validate(spec.settings)
    except ValidationError as error:
        raise ConfigurationError("\n".join([describe_validation(error, f"{where}settings."), *problems])) from None
    if problems:
        raise ConfigurationError("\n".join(problems))
    # Keep what validation generated (an inbox secret) so that it is stored, not generated again.
    spec = spec.model_copy(update={"settings": settings_values(settings)})
    return spec, kind, settings


def settings_values(settings: BaseModel) -> dict[str, Any]:
    """A settings model as plain values, secrets revealed (for storing them encrypted)."""
    out: dict[str, Any] = {}
    for name in type(settings).model_fields:
        value = getattr(settings, name)
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        elif isinstance(value, BaseModel):
            # Nested secrets (an IMAP password) are revealed too: model_dump would mask them.
            value = {**value.model_dump(mode="json"), **_revealed(value)}
        out[name] = value
    return out


def _revealed(model: BaseModel) -> dict[str, Any]:
    """A nested model's secret fields (and nested models), revealed."""
    out: dict[str, Any] = {}
    for name in type(model).model_fields:
        value = getattr(model, name)
        if isinstance(value, SecretStr):
            out[name] = value.get_secret_value()
        elif isinstance(value, BaseModel):
            out[name] = {**value.model_dump(mode="json"), **_revealed(value)}
    return out


def inbox_hash(secret: str) -> str:
    """What an inbox secret is found by: its SHA-256."""
    return hashlib.sha256(secret.encode()).hexdigest()


def _row_values(spec: IntegrationSpec, kind: SourceKind, box: SecretBox) -> dict[str, Any]:
    plain, hidden = split_secrets(kind.settings, spec.settings)
    return {
        "kind": spec.kind,
        "name": spec.name,
        "status": spec.status,
        "settings": plain,
        "secrets": box.seal(hidden),
        "inbox_hash": inbox_hash(hidden["inbox_secret"]) if hidden.get("inbox_secret") else None,
        "mapping": spec.mapping.model_dump(mode="json"),
        "policies": spec.policies.model_dump(mode="json"),
        "defaults": spec.defaults.model_dump(mode="json"),
        "notify": spec.notify.model_dump(mode="json"),
    }


#: Integrations already validated, by everything their row says: any change to the row (ours
#: or a hand-edited database's) is a new key. Mail ingest reads one per delivery.
_PARSED: dict[str, Integration] = {}
_PARSED_MAX = 512


def _from_row(row: Any, box: SecretBox) -> Integration:
    key = json.dumps([id(box), *row], sort_keys=True, default=str)
    found = _PARSED.get(key)
    if found is None:
        found = _parse_row(row, box)
        if len(_PARSED) >= _PARSED_MAX:
            _PARSED.clear()
        _PARSED[key] = found
    return found


def _parse_row(row: Any, box: SecretBox) -> Integration:
    hidden = box.open(row.secrets)
    data = {
        "name": row.name,
        "kind": row.kind,
        "status": row.status,
        "settings": join_secrets(row.settings, hidden),
        "mapping": row.mapping,
        "policies": row.policies,
        "defaults": row.defaults,
        "notify": row.notify,
    }
    spec, kind, settings = validate_spec(data)
    return Integration(
        int(row.id), spec, kind, settings, row.status_reason, frozenset(hidden), confirmed_at=row.confirmed_at
    )


def add_integration(hub: Hub, data: dict[str, Any]) -> Integration:
    """Create an integration; its name must be new in the workspace.

    A kind that generates credentials on creation (a drop box's password) returns them in
    ``shown_once`` of the result, the only place they ever appear.
    """
    shown: dict[str, str] = {}
    try:
        prepare = get_kind(str(data.get("kind"))).prepare_new
    except KeyError:
        prepare = None  # validate_spec names the unknown kind
    if prepare is not None and isinstance(data.get("settings") or {}, dict):
        settings, shown = prepare(str(data.get("name")), dict(data.get("settings") or {}))
        data = {**data, "settings": settings}
    spec, kind, _ = validate_spec(data)
    with hub.engine.begin() as conn:
        if _find_row(conn, hub.workspace_id, spec.name) is not None:
            raise ConfigurationError(f"an integration called {spec.name!r} already exists")
        now = utcnow()
        new_id = conn.execute(
            integrations.insert()
            .values(
                workspace_id=hub.workspace_id,
                created_at=now,
                updated_at=now,
                **_row_values(spec, kind, hub.secrets),
            )
            .returning(integrations.c.id)
        ).scalar_one()
    return replace(get_integration(hub, int(new_id)), shown_once=shown)


def _find_row(conn: Connection, workspace_id: int, name: str) -> Any:
    return conn.execute(
        select(integrations).where(integrations.c.workspace_id == workspace_id, integrations.c.name == name)
    ).first()


def find_integration(hub: Hub, name: str) -> Integration | None:
    """The integration called ``name`` in this workspace, or None."""
    with hub.engine.connect() as conn:
        row = _find_row(conn, hub.workspace_id, name)
    return _from_row(row, hub.secrets) if row is not None else None


def integration_by_name(hub: Hub, name: str) -> Integration:
    """The integration called ``name``; NotFoundError if there is none."""
    found = find_integration(hub, name)
    if found is None:
        raise NotFoundError(f"no integration called {name!r} in workspace {hub.workspace!r}")
    return found


def get_integration(hub: Hub, integration_id: int) -> Integration:
    """An integration by id, within this workspace only."""
    with hub.engine.connect() as conn:
        return _from_row(_row_by_id(conn, hub, integration_id), hub.secrets)


#: Built once: every mail landed and processed reads its integration (building costs more than running).
_ROW_BY_ID = select(integrations).where(
    integrations.c.workspace_id == bindparam("workspace_id"), integrations.c.id == bindparam("integration_id")
)


def _row_by_id(conn: Connection, hub: Hub, integration_id: int) -> Any:
    """The stored row of an integration of the hub's workspace; NotFoundError for any other id."""
    row = conn.execute(_ROW_BY_ID, {"workspace_id": hub.workspace_id, "integration_id": integration_id}).first()
    if row is None:
        raise NotFoundError(f"no integration with id {integration_id} in workspace {hub.workspace!r}")
    return row


#: Built once, like ``_ROW_BY_ID``.
_ROWS_BY_IDS = select(integrations).where(integrations.c.id.in_(bindparam("ids", expanding=True)))


@dataclass(frozen=True, slots=True)
class StoredIntegration:
    """An integration with what its row says besides: its workspace and its inbox's secret hash."""

    workspace_id: int
    inbox_hash: str | None
    integration: Integration


def integrations_by_id(conn: Connection, box: SecretBox, ids: Collection[int]) -> dict[int, StoredIntegration]:
    """The integrations with these ids, whatever their workspace, in one query on ``conn``.

    For callers that serve many deliveries at once: the SMTP inbox landing a group of mails
    (inside their transaction), the worker processing a batch. Each checks the workspace.
    """
    if not ids:
        return {}
    rows = conn.execute(_ROWS_BY_IDS, {"ids": sorted(ids)}).all()
    return {int(row.id): StoredIntegration(int(row.workspace_id), row.inbox_hash, _from_row(row, box)) for row in rows}


def list_integrations(hub: Hub) -> list[Integration]:
    """Every integration of the workspace, by name."""
    with hub.engine.connect() as conn:
        rows = conn.execute(
            select(integrations).where(integrations.c.workspace_id == hub.workspace_id).order_by(integrations.c.name)
        ).all()
    return [_from_row(row, hub.secrets) for row in rows]


def _prepare_declared(hub: Hub, item: dict[str, Any], shown: dict[str, dict[str, str]]) -> dict[str, Any]:
    """A declared integration with what its kind generates (a drop box's login and password).

    For a new integration they are generated and what to show once goes into ``shown``; an
    existing one keeps the values it was given when it was created.
    """
    try:
        prepare = get_kind(str(item.get("kind"))).prepare_new
    except KeyError:
        return item
    settings = item.get("settings") or {}
    if prepare is None or not isinstance(settings, dict):
        return item
    name = str(item.get("name"))
    with hub.engine.connect() as conn:
        row = _find_row(conn, hub.workspace_id, name)
    prepared, once = prepare(name, dict(settings))
    if row is None:
        shown[name] = once
        return {**item, "settings": prepared}
    stored = {**(row.settings or {}), **hub.secrets.open(row.secrets)}
    kept = {key: stored[key] for key in prepared if key not in settings and key in stored}
    return {**item, "settings": {**settings, **kept}}


def apply_file(
    hub: Hub, document: dict[str, Any], shown: dict[str, dict[str, str]] | None = None
) -> list[tuple[str, str]]:
    """Create or update the integrations a declarative document names: (name, created/updated/unchanged).

    What is generated for a new integration and must be shown once (a drop box's password) is
    put into ``shown`` by name, when given.
    """
    generated: dict[str, dict[str, str]] = {}
    items = document.get("integrations")
    extra = sorted(set(document) - {"integrations"})
    problems: list[str] = [f"{key}: unknown key (expected 'integrations')" for key in extra]
    if not isinstance(items, list):
        raise ConfigurationError("\n".join([*problems, "integrations: expected a list of integrations"]))
    specs: list[IntegrationSpec] = []
    names: set[str] = set()
    raw_settings: dict[str, dict[str, Any]] = {}
    declared_status: set[str] = set()
    for index, item in enumerate(items):
        if isinstance(item, dict):
            item = _prepare_declared(hub, item, generated)
            raw_settings[str(item.get("name"))] = dict(item.get("settings") or {})
            if "status" in item:
                declared_status.add(str(item.get("name")))
        if not isinstance(item, dict):
            problems.append(f"integrations.{index}: expected a mapping")
            continue
        try:
            spec, _, _ = validate_spec(item, f"integrations.{index}.")
        except ConfigurationError as error:
            problems.append(str(error))
            continue
        if spec.name in names:
            problems.append(f"integrations.{index}.name: {spec.name!r} is declared twice")
        names.add(spec.name)
        specs.append(spec)
    if problems:
        raise ConfigurationError("\n".join(problems))
    parsed = ApplyFile(integrations=specs)
    results: list[tuple[str, str]] = []
    with hub.engine.begin() as conn:
        for declared in parsed.integrations:
            row = _find_row(conn, hub.workspace_id, declared.name)
            spec = declared
            if row is not None:
                # Secrets the file does not name (a generated inbox secret) stay as they are.
                raw = raw_settings[declared.name]
                kept = {k: v for k, v in hub.secrets.open(row.secrets).items() if not names_secret(raw, k)}
                # A file that does not name a status leaves it alone (a failing integration stays failing).
                status = declared.status if declared.name in declared_status else row.status
                spec, _, _ = validate_spec(
                    {
                        **declared.model_dump(mode="json"),
                        "status": status,
                        "settings": join_secrets(raw, kept),
                    }
                )
            values = _row_values(spec, get_kind(spec.kind), hub.secrets)
            now = utcnow()
            if row is None:
                conn.execute(
                    integrations.insert().values(
                        workspace_id=hub.workspace_id, created_at=now, updated_at=now, **values
                    )
                )
                results.append((spec.name, "created"))
                if shown is not None and generated.get(spec.name):
                    shown[spec.name] = generated[spec.name]
            elif any(getattr(row, key) != value for key, value in values.items() if key != "secrets") or (
                hub.secrets.open(row.secrets) != hub.secrets.open(values["secrets"])
            ):
                conn.execute(integrations.update().where(integrations.c.id == row.id).values(updated_at=now, **values))
                results.append((spec.name, "updated"))
            else:
                results.append((spec.name, "unchanged"))
    return results


def manual_import_integration(hub: Hub) -> Integration:
    """The integration that imports without ``--integration`` use, created on first use."""
    found = find_integration(hub, MANUAL_IMPORT)
    if found is not None:
        return found
    return add_integration(hub, {"name": MANUAL_IMPORT, "kind": "csv", "defaults": {"acquisition_channel": "CSV"}})


def set_status(hub: Hub, name: str, status: str, reason: str | None = None) -> Integration:
    """Start, stop or fail an integration."""
    integration = integration_by_name(hub, name)
    with hub.engine.begin() as conn:
        conn.execute(
            integrations.update()
            .where(integrations.c.id == integration.id)
            .values(status=status, status_reason=reason, updated_at=utcnow())
        )
    return get_integration(hub, integration.id)


UPDATABLE = frozenset({"name", "status", "settings", "mapping", "policies", "defaults", "notify"})


def _merge(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """``base`` with ``changes`` laid over it; nested sections merge key by key."""
    merged = dict(base)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def update_integration(hub: Hub, integration_id: int, changes: dict[str, Any]) -> Integration:
    """Change some of an integration's declaration; what ``changes`` does not name stays as it is.

    ``settings`` are merged key by key (nested sections too); a secret is replaced only when
    ``changes`` gives it a value other than the mask, so a form that sends settings back as shown
    keeps the stored secrets. ``mapping``, ``policies``, ``defaults`` and ``notify`` are replaced
    whole. The kind cannot change.
    """
    unknown = sorted(set(changes) - UPDATABLE)
    if unknown:
        changeable = ", ".join(sorted(UPDATABLE))
        raise ConfigurationError(f"{', '.join(unknown)}: cannot be changed (changeable: {changeable})")
    with hub.engine.begin() as conn:
        row = _row_by_id(conn, hub, integration_id)
        current = _from_row(row, hub.secrets)
        data = current.spec.model_dump(mode="json")
        hidden = hub.secrets.open(row.secrets)
        if "settings" in changes:
            given = changes["settings"]
            if not isinstance(given, dict):
                raise ConfigurationError("settings: expected a mapping")
            given = _without_masks(given, secret_fields(current.kind.settings))
            plain, _ = split_secrets(current.kind.settings, current.spec.settings)
            kept = {path: value for path, value in hidden.items() if not names_secret(given, path)}
            data["settings"] = join_secrets(_merge(plain, given), kept)
        for key in ("name", "status", "mapping", "policies", "defaults", "notify"):
            if key in changes:
                data[key] = changes[key]
        spec, kind, _ = validate_spec(data)
        if spec.name != current.name and _find_row(conn, hub.workspace_id, spec.name) is not None:
            raise ConfigurationError(f"an integration called {spec.name!r} already exists")
        conn.execute(
            integrations.update()
            .where(integrations.c.id == integration_id)
            .values(updated_at=utcnow(), **_row_values(spec, kind, hub.secrets))
        )
    return get_integration(hub, integration_id)


def _without_masks(settings: dict[str, Any], secret_paths: set[str], prefix: str = "") -> dict[str, Any]:
    """Settings as a form sent them back, without the masks (or blanks) it showed in place of secrets."""
    out: dict[str, Any] = {}
    for key, value in settings.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            out[key] = _without_masks(value, secret_paths, path + ".")
        elif value == REDACTED or (path in secret_paths and value in ("", None)):
            continue
        else:
            out[key] = value
    return out
