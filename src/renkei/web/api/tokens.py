"""API tokens of the workspace (admin only): create (shown once), list (prefix only), revoke."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from renkei.errors import NotFoundError
from renkei.pipeline.users import ApiToken, create_token, list_tokens, revoke_token
from renkei.web.api.common import Admin, ApiRequest, TokenId, aware, errors

router = APIRouter(prefix="/api/tokens", tags=["users"])

Role = Literal["viewer", "operator", "admin"]


class TokenOut(BaseModel):
    id: int
    name: str
    prefix: str = Field(
        description="The token's first characters, to recognise it; the token itself is never shown again."
    )
    role: Role
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenCreated(TokenOut):
    token: str = Field(description="The token: send it as `Authorization: Bearer <token>`. Shown only here, once.")


class TokenCreate(ApiRequest):
    name: str = Field(min_length=1, max_length=200, description="What the token is for (e.g. zapier).")
    role: Role = "operator"


def _out(token: ApiToken) -> dict[str, object]:
    return {
        "id": token.id,
        "name": token.name,
        "prefix": token.prefix,
        "role": token.role,
        "created_at": aware(token.created_at),
        "last_used_at": aware(token.last_used_at),
        "revoked_at": aware(token.revoked_at),
    }


@router.get("", response_model=list[TokenOut], responses=errors(403))
def list_all(caller: Admin) -> list[TokenOut]:
    """Every API token of the workspace, revoked ones too (prefix only)."""
    return [TokenOut.model_validate(_out(token)) for token in list_tokens(caller.hub)]


@router.post("", status_code=201, response_model=TokenCreated, responses=errors(403, 422))
def create(body: TokenCreate, caller: Admin) -> TokenCreated:
    """A new API token of the workspace; the token is in this response only."""
    token, secret = create_token(caller.hub, body.name, body.role, caller.principal.user_id)
    return TokenCreated.model_validate({**_out(token), "token": secret})


@router.delete("/{token_id}", response_model=TokenOut, responses=errors(403, 404))
def revoke(token_id: TokenId, caller: Admin) -> TokenOut:
    """Revoke a token: it stops working at once (it stays listed, with ``revoked_at``)."""
    revoke_token(caller.hub, token_id)
    found = next((t for t in list_tokens(caller.hub) if t.id == token_id), None)
    if found is None:  # pragma: no cover - revoke_token found it a moment ago
        raise NotFoundError(f"no API token {token_id}")
    return TokenOut.model_validate(_out(found))
