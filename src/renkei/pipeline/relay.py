"""The outbound SMTP relay that report mails go through, configured for the whole hub.

Set with ``renkei relay set`` (stored in the ``settings`` table, the password encrypted with the
hub's secret key) or, when nothing is stored, read from ``RENKEI_SMTP_RELAY_*`` environment
variables. The password travels as a ``SecretStr`` and is never logged or shown.
"""

from __future__ import annotations

import os
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, model_validator
from sqlalchemy import select

from renkei.errors import ConfigurationError
from renkei.pipeline.hub import Hub, utcnow
from renkei.pipeline.mail import mail_domain
from renkei.store.schema import settings as settings_table
from renkei.store.secrets import REDACTED

Security = Literal["none", "starttls", "tls"]
DEFAULT_PORTS: dict[str, int] = {"none": 25, "starttls": 587, "tls": 465}
RELAY_KEY = "smtp_relay"


class RelaySettings(BaseModel):
    """Where and how report mails are handed over for sending."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    host: str = Field(min_length=1)
    port: int = Field(default=0, ge=0, le=65535, description="0: 25, 587 or 465 by security")
    security: Security = "starttls"
    user: str | None = None
    password: SecretStr | None = None
    from_address: str = ""
    timeout: float = Field(default=30.0, gt=0)

    @model_validator(mode="after")
    def _defaults(self) -> RelaySettings:
        if not self.port:
            object.__setattr__(self, "port", DEFAULT_PORTS[self.security])
        if not self.from_address:
            object.__setattr__(self, "from_address", f"renkei@{mail_domain()}")
        if self.password is not None and not self.user:
            raise ValueError("a relay password needs a user")
        return self

    def describe(self) -> str:
        """The relay for a log line or an error: no password."""
        who = f"{self.user}@" if self.user else ""
        return f"{who}{self.host}:{self.port} ({self.security})"


def relay_from_env(environ: dict[str, str] | None = None) -> RelaySettings | None:
    """The relay ``RENKEI_SMTP_RELAY_HOST`` (and friends) name, or None when no host is set."""
    env = os.environ if environ is None else environ
    host = (env.get("RENKEI_SMTP_RELAY_HOST") or "").strip()
    if not host:
        return None
    raw_port = env.get("RENKEI_SMTP_RELAY_PORT") or "0"
    try:
        port = int(raw_port)
    except ValueError:
        raise ConfigurationError(f"RENKEI_SMTP_RELAY_PORT={raw_port!r}: expected a port number") from None
    values = {
        "host": host,
        "port": port,
        "security": (env.get("RENKEI_SMTP_RELAY_SECURITY") or "starttls").strip().lower(),
        "user": env.get("RENKEI_SMTP_RELAY_USER") or None,
        "password": env.get("RENKEI_SMTP_RELAY_PASSWORD") or None,
        "from_address": env.get("RENKEI_SMTP_RELAY_FROM") or "",
    }
    return _validate(values, "RENKEI_SMTP_RELAY_", upper=True)


def _validate(values: dict[str, Any], prefix: str, upper: bool = False) -> RelaySettings:
    try:
        return RelaySettings.model_validate(values)
    except ValidationError as error:
        # Never echo the input: it may hold the password.
        problems = []
        for e in error.errors(include_input=False):
            name = ".".join(str(p) for p in e["loc"]) or "settings"
            problems.append(f"{prefix}{name.upper() if upper else name}: {str(e['msg']).removeprefix('Value error, ')}")
        raise ConfigurationError("; ".join(problems)) from None


def stored_relay(hub: Hub) -> RelaySettings | None:
    """The relay ``renkei relay set`` stored for the hub, or None."""
    with hub.engine.connect() as conn:
        row = conn.execute(
            select(settings_table).where(settings_table.c.key == RELAY_KEY, settings_table.c.workspace_id.is_(None))
        ).first()
    if row is None:
        return None
    return _validate({**row.value, **hub.secrets.open(row.secrets)}, "relay.")


def current_relay(hub: Hub) -> tuple[RelaySettings | None, str]:
    """The relay in effect and where it comes from: ``stored``, ``environment`` or ``none``."""
    stored = stored_relay(hub)
    if stored is not None:
        return stored, "stored"
    from_env = relay_from_env()
    return from_env, "environment" if from_env is not None else "none"


def save_relay(hub: Hub, values: dict[str, Any]) -> RelaySettings:
    """Validate and store the hub's relay, the password encrypted; it replaces what was stored."""
    given = {k: v for k, v in values.items() if v is not None}
    relay = _validate(given, "relay.")
    # Only what was given: the derived defaults (port, sender address) follow their sources.
    plain = {k: v for k, v in given.items() if k != "password"}
    secret = {"password": relay.password.get_secret_value()} if relay.password is not None else {}
    where = (settings_table.c.key == RELAY_KEY, settings_table.c.workspace_id.is_(None))
    with hub.engine.begin() as conn:
        found = conn.execute(select(settings_table.c.id).where(*where)).scalar()
        row = {"value": plain, "secrets": hub.secrets.seal(secret), "updated_at": utcnow()}
        if found is None:
            conn.execute(settings_table.insert().values(key=RELAY_KEY, workspace_id=None, **row))
        else:
            conn.execute(settings_table.update().where(settings_table.c.id == found).values(**row))
    return relay


def clear_relay(hub: Hub) -> bool:
    """Forget the stored relay (the environment's applies again); whether one was stored."""
    with hub.engine.begin() as conn:
        done = conn.execute(
            settings_table.delete().where(settings_table.c.key == RELAY_KEY, settings_table.c.workspace_id.is_(None))
        )
    return bool(done.rowcount)


def shown_relay(relay: RelaySettings) -> dict[str, Any]:
    """The relay fit to print: the password masked."""
    shown = relay.model_dump(mode="json")
    shown["password"] = REDACTED if relay.password is not None else None
    return shown
