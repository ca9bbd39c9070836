"""What several pages share: times in Japan time, flash messages, settings forms from a kind's schema."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi.responses import RedirectResponse
from starlette.datastructures import FormData

from renkei.core.errors import NormalizationError
from renkei.core.fields import CUSTOM_PREFIX
from renkei.core.normalize.phone import normalize_phone
from renkei.pipeline.hub import as_utc
from renkei.sources.mail_kind import MAIL_KINDS
from renkei.sources.registry import SourceKind
from renkei.store.secrets import secret_fields
from renkei.web.ui.render import TEMPLATES

JST = ZoneInfo("Asia/Tokyo")
#: Settings Renkei generates itself: never asked for in a form.
GENERATED = frozenset({"inbox_secret", "password_hash"})
#: Settings generated for one kind when left empty, and not asked for when it is added.
GENERATED_FOR = {"ftp-drop": frozenset({"username"})}
#: Settings that mean something for some kinds only.
ONLY_FOR = {"preset": frozenset({"mail-labels"})}
#: Flash messages a redirect may ask for (``?done=…``), each a catalogue key.
FLASHES = frozenset(
    {
        "started",
        "stopped",
        "created",
        "saved",
        "mapping_saved",
        "replayed",
        "undone",
        "left_out_checked",
        "token_revoked",
        "user_added",
        "check_started",
        "polled",
    }
)


def jst(value: Any, with_seconds: bool = False) -> str:
    """A stored time as Japan time (``2026/08/12 02:04``); SQLite gives naive UTC back."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime):
        return as_utc(value).astimezone(JST).strftime("%Y/%m/%d %H:%M:%S" if with_seconds else "%Y/%m/%d %H:%M")
    return str(value)


#: The fields that hold telephone numbers, stored as E.164 (``+81312345678``).
PHONE_FIELDS = frozenset({"phone", "mobile", "fax"})


#: A number as the phone transform stores it: what a custom field holds of a second phone column
#: (``直通TEL``, ``TEL2``) beside the one that filled the field.
_E164 = re.compile(r"\+[1-9][0-9]{6,14}")


def shown(value: Any, field: str) -> Any:
    """A stored value as people read it: a phone number in its national form (``03-1234-5678``;
    a number abroad as ``+1 212-555-1234``) — a phone field's, or a custom field's that holds a
    number as the phone transform stores it — anything else as it is."""
    if not isinstance(value, str) or not value.startswith("+"):
        return value
    if field not in PHONE_FIELDS and not (field.startswith(CUSTOM_PREFIX) and _E164.fullmatch(value)):
        return value
    try:
        return normalize_phone(value).national
    except NormalizationError:
        return value


TEMPLATES.env.filters["jst"] = jst
TEMPLATES.env.filters["shown"] = shown


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def flash_key(done: str | None) -> str | None:
    """The catalogue key of a flash message named in the query, if it is one of ours."""
    return f"flash.{done}" if done in FLASHES else None


def is_mail(kind: str) -> bool:
    return kind in MAIL_KINDS


def verifiable(settings: Any) -> bool:
    """Whether an integration connects somewhere a connection check can try (a server, an IMAP mailbox)."""
    return bool(getattr(settings, "host", None) or getattr(settings, "imap", None))


def display_state(status: str, waiting: bool, kind: str) -> str:
    """active / stopped / failing, or waiting for a mail integration not confirmed yet."""
    if status == "active" and waiting and is_mail(kind):
        return "waiting"
    return status


# --- settings forms --------------------------------------------------------------------------


@dataclass
class FormField:
    """One input of a settings form, built from the settings model's JSON schema."""

    name: str  # the dotted path: imap.host
    widget: str  # text, number, checkbox, select, lines, password
    required: bool = False
    nullable: bool = False
    options: list[str] = field(default_factory=list)
    default: Any = None
    value: Any = None
    secret_set: bool = False
    section: str | None = None

    @property
    def key(self) -> str:
        """Its catalogue key prefix: settings_field.imap.host."""
        return f"settings_field.{self.name}"

    @property
    def input_id(self) -> str:
        return "setting-" + self.name.replace(".", "-").replace("_", "-")


@dataclass
class SettingsForm:
    fields: list[FormField]
    sections: dict[str, bool]  # nested section → enabled now

    def top(self) -> list[FormField]:
        return [f for f in self.fields if f.section is None]

    def of(self, section: str) -> list[FormField]:
        return [f for f in self.fields if f.section == section]


def _ref(prop: dict[str, Any]) -> str | None:
    if "$ref" in prop:
        return str(prop["$ref"]).rsplit("/", 1)[-1]
    for option in prop.get("anyOf", []):
        if "$ref" in option:
            return str(option["$ref"]).rsplit("/", 1)[-1]
    return None


def _widget(prop: dict[str, Any], secret: bool) -> tuple[str, list[str], bool]:
    options = [o for o in prop.get("anyOf", []) if o.get("type") != "null"]
    nullable = any(o.get("type") == "null" for o in prop.get("anyOf", []))
    main = options[0] if len(options) == 1 else prop
    if secret:
        return ("secret_text" if "key" in str(prop.get("title", "")).lower() else "password"), [], nullable
    if "enum" in main:
        return "select", [str(v) for v in main["enum"]], nullable
    kind = main.get("type")
    if kind == "boolean":
        return "checkbox", [], nullable
    if kind in ("integer", "number"):
        return "number", [], nullable
    if kind == "array":
        items = main.get("items", {})
        if "enum" in items:
            return "multi", [str(v) for v in items["enum"]], nullable
        return "lines", [], nullable
    return "text", [], nullable


def settings_form(
    kind: SourceKind, current: dict[str, Any] | None = None, secrets_set: frozenset[str] = frozenset()
) -> SettingsForm:
    """The inputs of ``kind``'s settings; ``current`` fills them (secrets never: they are only marked as set)."""
    schema = kind.settings.model_json_schema()
    defs = schema.get("$defs", {})
    secrets = secret_fields(kind.settings)
    hidden = GENERATED | GENERATED_FOR.get(kind.name, frozenset())
    current = current or {}
    fields: list[FormField] = []
    sections: dict[str, bool] = {}

    def add(props: dict[str, Any], required: set[str], values: dict[str, Any], section: str | None) -> None:
        for name, prop in props.items():
            path = f"{section}.{name}" if section else name
            if name in hidden or kind.name not in ONLY_FOR.get(name, {kind.name}):
                continue
            ref = _ref(prop)
            if ref is not None and section is None:
                sub = defs[ref]
                sections[name] = isinstance(values.get(name), dict)
                add(sub.get("properties", {}), set(sub.get("required", [])), values.get(name) or {}, name)
                continue
            widget, options, nullable = _widget(prop, path in secrets)
            if name == "preset":
                from renkei.sources.portals.mail_labels import PRESETS

                widget, options = "select", sorted(PRESETS)
            value = None if path in secrets else values.get(name, prop.get("default"))
            fields.append(
                FormField(
                    path,
                    widget,
                    required=name in required,
                    nullable=nullable,
                    options=options,
                    default=prop.get("default"),
                    value=value,
                    secret_set=path in secrets_set,
                    section=section,
                )
            )

    add(schema.get("properties", {}), set(schema.get("required", [])), current, None)
    return SettingsForm(fields, sections)


def settings_from_form(form: SettingsForm, data: FormData, *, updating: bool = False) -> dict[str, Any]:
    """The settings a submitted form gives: empty inputs leave defaults (and stored secrets) alone."""
    out: dict[str, Any] = {}
    for section in form.sections:
        out[section] = {} if data.get(f"{section}.enabled") else None
    for item in form.fields:
        target = out
        if item.section is not None:
            if out.get(item.section) is None:
                continue
            target = out[item.section]
        leaf = item.name.rsplit(".", 1)[-1]
        if item.widget == "checkbox":
            target[leaf] = bool(data.get(item.name))
            continue
        if item.widget == "multi":
            target[leaf] = [str(v) for v in data.getlist(item.name)]
            continue
        raw = data.get(item.name)
        text = raw.strip() if isinstance(raw, str) else ""
        if item.widget == "lines":
            target[leaf] = [line.strip() for line in text.splitlines() if line.strip()]
        elif not text:
            if item.widget != "password" and item.nullable and updating:
                target[leaf] = None
        elif item.widget == "number":
            try:
                target[leaf] = int(text)
            except ValueError:
                try:
                    target[leaf] = float(text)
                except ValueError:
                    target[leaf] = text  # validation names it
        else:
            target[leaf] = text
    return out
