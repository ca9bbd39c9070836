"""Users of the workspace (admin only): list them, add one (a generated password is shown once)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from renkei.pipeline.users import User, add_user, list_users
from renkei.web.api.common import Admin, ApiRequest, aware, errors

router = APIRouter(prefix="/api/users", tags=["users"])

Role = Literal["viewer", "operator", "admin"]


class UserOut(BaseModel):
    id: int
    login: str
    display_name: str
    role: Role
    locale: Literal["ja", "en"]
    created_at: datetime
    last_login_at: datetime | None


class UserCreated(UserOut):
    password: str | None = Field(description="The generated password when none was given: shown only here, once.")


class UserCreate(ApiRequest):
    login: str = Field(min_length=1, max_length=200, description="Letters, digits and . _ @ + -")
    role: Role = "operator"
    display_name: str | None = Field(default=None, max_length=200)
    locale: Literal["ja", "en"] = "ja"
    password: str | None = Field(
        default=None, min_length=10, max_length=1000, description="Leave out to have one generated (shown once)."
    )


def _out(user: User) -> dict[str, object]:
    return {
        "id": user.id,
        "login": user.login,
        "display_name": user.display_name,
        "role": user.role,
        "locale": user.locale,
        "created_at": aware(user.created_at),
        "last_login_at": aware(user.last_login_at),
    }


@router.get("", response_model=list[UserOut], responses=errors(403))
def list_all(caller: Admin) -> list[UserOut]:
    """Every user of the workspace."""
    return [UserOut.model_validate(_out(user)) for user in list_users(caller.hub)]


@router.post("", status_code=201, response_model=UserCreated, responses=errors(403, 422))
def create(body: UserCreate, caller: Admin) -> UserCreated:
    """Add a user; without a password one is generated and returned in this response only."""
    user, generated = add_user(
        caller.hub,
        body.login,
        role=body.role,
        password=body.password,
        display_name=body.display_name,
        locale=body.locale,
    )
    return UserCreated.model_validate({**_out(user), "password": generated})
