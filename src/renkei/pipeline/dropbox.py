"""Service functions for drop boxes (``ftp-drop``): their folders, logins and landed files.

The FTP and SFTP servers serve every workspace of a store. A login names one integration by
its username; its folder is ``$RENKEI_HOME/dropbox/<workspace>/<integration id>/``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, select

from renkei.errors import ConfigurationError
from renkei.passwords import hash_password, new_password
from renkei.pipeline.deliveries import Delivery, land
from renkei.pipeline.hub import Hub, utcnow
from renkei.pipeline.integrations import Integration, get_integration, integration_by_name
from renkei.sources.ftp_kind import KIND, FtpDropSettings
from renkei.store.schema import integrations, workspaces
from renkei.store.secrets import SecretBox

_SAFE_WORKSPACE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


@dataclass(frozen=True, slots=True)
class DropUser:
    """What a login needs to know about a drop box."""

    workspace_id: int
    workspace: str
    integration_id: int
    username: str
    password_hash: str | None
    authorized_keys: tuple[str, ...]


def dropbox_root(hub: Hub) -> Path:
    """The folder that holds every drop box: ``dropbox`` beside the archive in RENKEI_HOME."""
    return hub.archive.root.parent / "dropbox"


def drop_folder(root: Path, workspace: str, workspace_id: int, integration_id: int) -> Path:
    """The folder of one drop box (created if missing)."""
    part = workspace if _SAFE_WORKSPACE.match(workspace) and workspace not in (".", "..") else f"ws-{workspace_id}"
    folder = root / part / str(integration_id)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder.resolve()


def find_drop_user(engine: Engine, box: SecretBox, username: str) -> DropUser | None:
    """The drop box whose login is ``username`` (None if there is none, or more than one)."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(integrations, workspaces.c.name.label("workspace_name"))
            .join(workspaces, workspaces.c.id == integrations.c.workspace_id)
            .where(integrations.c.kind == KIND)
        ).all()
    found = [row for row in rows if (row.settings or {}).get("username") == username]
    if len(found) != 1:
        return None
    row = found[0]
    hidden = box.open(row.secrets)
    return DropUser(
        int(row.workspace_id),
        str(row.workspace_name),
        int(row.id),
        username,
        hidden.get("password_hash"),
        tuple((row.settings or {}).get("authorized_keys") or ()),
    )


def reset_password(hub: Hub, name: str) -> tuple[Integration, str]:
    """Give a drop box a new password (the old one stops working): (integration, the password)."""
    integration = integration_by_name(hub, name)
    if not isinstance(integration.settings, FtpDropSettings):
        raise ConfigurationError(f"integration {name!r} ({integration.spec.kind}) has no drop-box password")
    password = new_password()
    with hub.engine.begin() as conn:
        token = conn.execute(select(integrations.c.secrets).where(integrations.c.id == integration.id)).scalar()
        hidden = hub.secrets.open(token)
        hidden["password_hash"] = hash_password(password)
        conn.execute(
            integrations.update()
            .where(integrations.c.id == integration.id, integrations.c.workspace_id == hub.workspace_id)
            .values(secrets=hub.secrets.seal(hidden), updated_at=utcnow())
        )
    return get_integration(hub, integration.id), password


def land_dropped_file(hub: Hub, integration_id: int, path: Path, file_name: str, channel: str) -> Delivery | None:
    """Archive a completely uploaded file and record its delivery, then remove it from the folder.

    Returns the delivery to process, or None when it needs none (the same content arrived before).
    """
    integration = get_integration(hub, integration_id)
    delivery, is_new = land(hub, integration, path, file_name=file_name, channel=channel)
    path.unlink(missing_ok=True)
    return delivery if is_new else None
