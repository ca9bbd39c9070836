"""Integration kinds and the JSON schema of their settings, from which a client builds its forms."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from renkei.sources.mail_kind import MAIL_KINDS
from renkei.sources.registry import SourceKind, kinds
from renkei.store.secrets import secret_fields
from renkei.web.api.common import Viewer, errors

router = APIRouter(prefix="/api/kinds", tags=["integrations"])

#: Settings Renkei generates and rotates itself: shown in no form.
GENERATED = frozenset({"inbox_secret", "password_hash"})


class KindOut(BaseModel):
    name: str
    description: str
    mail: bool = Field(description="Receives mails at an inbox address (and, except mail-csv, no file uploads).")
    accepts_uploads: bool = Field(description="Files may be sent with POST /api/integrations/{id}/files.")
    secret_fields: list[str] = Field(description="Settings that are write-only: stored encrypted, shown masked.")
    generated_fields: list[str] = Field(description="Settings Renkei generates (rotate or reset them instead).")
    settings_schema: dict[str, Any] = Field(
        description="JSON Schema of the settings; secrets have writeOnly: true and format: password."
    )


def describe(kind: SourceKind) -> KindOut:
    secrets = sorted(secret_fields(kind.settings))
    return KindOut(
        name=kind.name,
        description=kind.description,
        mail=kind.name in MAIL_KINDS,
        accepts_uploads=kind.accepts_files or kind.name == "mail-csv",
        secret_fields=secrets,
        generated_fields=sorted(name for name in kind.settings.model_fields if name in GENERATED),
        settings_schema=kind.settings.model_json_schema(),
    )


@router.get("", response_model=list[KindOut], responses=errors())
def list_kinds(_caller: Viewer) -> list[KindOut]:
    """Every kind an integration can be, with its settings' JSON schema."""
    return [describe(kind) for kind in kinds()]
