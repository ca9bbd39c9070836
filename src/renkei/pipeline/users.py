"""People and programs that may use the web UI and the REST API: users, sessions, API tokens.

A user belongs to one workspace and has one role. Passwords are argon2id hashes. A session is
a random token in a cookie, stored as its SHA-256 with its own CSRF token; it ends after a
time without use and at the latest after a fixed lifetime. An API token is shown once and
stored as its SHA-256. A login that keeps failing locks the user for a while.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, func, select, update

from renkei.errors import ConfigurationError, NotFoundError
from renkei.passwords import hash_password, new_password, verify_password
from renkei.pipeline.hub import Hub, as_utc, utcnow
from renkei.store.schema import api_tokens, users, web_sessions, workspaces

ROLES = ("admin", "operator", "viewer")
#: What each role may do: viewers read, operators also change integrations and data, admins also manage people.
ROLE_RANK = {"viewer": 0, "operator": 1, "admin": 2}
LOCALES = ("ja", "en")
LOGIN = re.compile(r"^[A-Za-z0-9._@+-]{1,200}$")
MIN_PASSWORD = 10

MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)
SESSION_IDLE = timedelta(minutes=int(os.environ.get("RENKEI_SESSION_IDLE_MINUTES", "120")))
SESSION_LIFETIME = timedelta(hours=12)
#: A session's last use is written at most this often (not on every request).
TOUCH_EVERY = timedelta(minutes=1)
TOKEN_PREFIX = "rk_"


@dataclass(frozen=True, slots=True)
class User:
    id: int
    workspace_id: int
    login: str
    display_name: str
    role: str
    locale: str
    created_at: datetime
    last_login_at: datetime | None


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: a user through a session, or an API token; always inside one workspace."""

    workspace_id: int
    workspace: str
    role: str
    locale: str
    user_id: int | None
    name: str
    via: str  # session / token
    csrf: str | None = None

    def may(self, role: str) -> bool:
        """Whether this caller has at least ``role``."""
        return ROLE_RANK[self.role] >= ROLE_RANK[role]


@dataclass(frozen=True, slots=True)
class LoginRefused:
    reason: str  # wrong / locked
    locked_until: datetime | None = None


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _user(row: Any) -> User:
    return User(
        int(row.id),
        int(row.workspace_id),
        row.login,
        row.display_name,
        row.role,
        row.locale,
        row.created_at,
        row.last_login_at,
    )


def _check(login: str, role: str, locale: str) -> None:
    if not LOGIN.match(login):
        raise ConfigurationError(f"login {login!r}: use letters, digits and . _ @ + - (at most 200)")
    if role not in ROLES:
        raise ConfigurationError(f"role {role!r}: expected one of {', '.join(ROLES)}")
    if locale not in LOCALES:
        raise ConfigurationError(f"locale {locale!r}: expected one of {', '.join(LOCALES)}")


def add_user(
    hub: Hub,
    login: str,
    *,
    role: str = "operator",
    password: str | None = None,
    display_name: str | None = None,
    locale: str = "ja",
) -> tuple[User, str | None]:
    """Add a user to the hub's workspace: (user, the generated password when none was given)."""
    _check(login, role, locale)
    generated = None
    if password is None:
        password = generated = new_password()
    elif len(password) < MIN_PASSWORD:
        raise ConfigurationError(f"the password must have at least {MIN_PASSWORD} characters")
    with hub.engine.begin() as conn:
        if conn.execute(select(users.c.id).where(func.lower(users.c.login) == login.lower())).first():
            raise ConfigurationError(f"a user called {login!r} already exists")
        row = conn.execute(
            users.insert()
            .values(
                workspace_id=hub.workspace_id,
                login=login,
                display_name=display_name or login,
                password_hash=hash_password(password),
                role=role,
                locale=locale,
                created_at=utcnow(),
            )
            .returning(*users.c)
        ).one()
    return _user(row), generated


def list_users(hub: Hub) -> list[User]:
    with hub.engine.connect() as conn:
        rows = conn.execute(select(users).where(users.c.workspace_id == hub.workspace_id).order_by(users.c.id))
        return [_user(r) for r in rows]


def set_password(hub: Hub, login: str, password: str | None = None) -> str | None:
    """Set (or generate, returned) a user's password; ends the user's sessions and clears a lockout."""
    generated = None
    if password is None:
        password = generated = new_password()
    elif len(password) < MIN_PASSWORD:
        raise ConfigurationError(f"the password must have at least {MIN_PASSWORD} characters")
    with hub.engine.begin() as conn:
        user_id = conn.execute(
            select(users.c.id).where(users.c.workspace_id == hub.workspace_id, users.c.login == login)
        ).scalar()
        if user_id is None:
            raise NotFoundError(f"no user called {login!r} in workspace {hub.workspace!r}")
        conn.execute(
            update(users)
            .where(users.c.id == user_id)
            .values(password_hash=hash_password(password), failed_logins=0, locked_until=None)
        )
        conn.execute(web_sessions.delete().where(web_sessions.c.user_id == user_id))
    return generated


def set_locale(engine: Engine, user_id: int, locale: str) -> None:
    if locale not in LOCALES:
        raise ConfigurationError(f"locale {locale!r}: expected one of {', '.join(LOCALES)}")
    with engine.begin() as conn:
        conn.execute(update(users).where(users.c.id == user_id).values(locale=locale))


def ensure_first_admin(hub: Hub) -> str | None:
    """On a store without users, create ``admin`` in the hub's workspace: its one-time password, else None."""
    with hub.engine.connect() as conn:
        if conn.execute(select(users.c.id).limit(1)).first() is not None:
            return None
    _user_row, password = add_user(hub, "admin", role="admin", display_name="Administrator")
    return password


def authenticate(engine: Engine, login: str, password: str, now: datetime | None = None) -> User | LoginRefused:
    """Check a login. Five failures in a row lock the user for 15 minutes (wrong passwords then are not even tried)."""
    now = now or utcnow()
    with engine.connect() as conn:
        row = conn.execute(select(users).where(users.c.login == login, users.c.disabled_at.is_(None))).first()
    if row is None:
        verify_password(None, password)  # the same time as a real check
        return LoginRefused("wrong")
    if row.locked_until is not None and as_utc(row.locked_until) > now:
        return LoginRefused("locked", as_utc(row.locked_until))
    if not verify_password(row.password_hash, password):
        failed = int(row.failed_logins) + 1
        locked_until = now + LOCKOUT if failed >= MAX_FAILED_LOGINS else None
        with engine.begin() as conn:
            conn.execute(
                update(users)
                .where(users.c.id == row.id)
                .values(failed_logins=0 if locked_until else failed, locked_until=locked_until)
            )
        return LoginRefused("locked", locked_until) if locked_until else LoginRefused("wrong")
    with engine.begin() as conn:
        conn.execute(
            update(users).where(users.c.id == row.id).values(failed_logins=0, locked_until=None, last_login_at=now)
        )
    return _user(row)


def open_session(engine: Engine, user: User, now: datetime | None = None) -> tuple[str, str]:
    """A new session for ``user``: (the cookie's token, the session's CSRF token)."""
    now = now or utcnow()
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    with engine.begin() as conn:
        conn.execute(
            web_sessions.insert().values(
                id=_digest(token),
                user_id=user.id,
                csrf=csrf,
                created_at=now,
                expires_at=now + SESSION_LIFETIME,
                last_seen_at=now,
            )
        )
    return token, csrf


def close_session(engine: Engine, token: str) -> None:
    with engine.begin() as conn:
        conn.execute(web_sessions.delete().where(web_sessions.c.id == _digest(token)))


def session_principal(engine: Engine, token: str, now: datetime | None = None) -> Principal | None:
    """The caller a session cookie names, or None when it is unknown, idle too long or too old."""
    now = now or utcnow()
    query = (
        select(web_sessions, users, workspaces.c.name.label("workspace_name"))
        .join(users, users.c.id == web_sessions.c.user_id)
        .join(workspaces, workspaces.c.id == users.c.workspace_id)
        .where(web_sessions.c.id == _digest(token), users.c.disabled_at.is_(None))
    )
    with engine.connect() as conn:
        row = conn.execute(query).first()
    if row is None:
        return None
    last_seen = as_utc(row.last_seen_at)
    if as_utc(row.expires_at) <= now or last_seen + SESSION_IDLE <= now:
        close_session(engine, token)
        return None
    if now - last_seen >= TOUCH_EVERY:
        with engine.begin() as conn:
            conn.execute(update(web_sessions).where(web_sessions.c.id == _digest(token)).values(last_seen_at=now))
    return Principal(
        int(row.workspace_id),
        row.workspace_name,
        row.role,
        row.locale,
        int(row.user_id),
        row.display_name,
        "session",
        row.csrf,
    )


@dataclass(frozen=True, slots=True)
class ApiToken:
    id: int
    name: str
    prefix: str
    role: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


def _token(row: Any) -> ApiToken:
    return ApiToken(int(row.id), row.name, row.prefix, row.role, row.created_at, row.last_used_at, row.revoked_at)


def create_token(hub: Hub, name: str, role: str, user_id: int | None = None) -> tuple[ApiToken, str]:
    """A new API token for the hub's workspace: (its record, the token, shown this once)."""
    if role not in ROLES:
        raise ConfigurationError(f"role {role!r}: expected one of {', '.join(ROLES)}")
    if not name.strip():
        raise ConfigurationError("an API token needs a name")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with hub.engine.begin() as conn:
        row = conn.execute(
            api_tokens.insert()
            .values(
                workspace_id=hub.workspace_id,
                user_id=user_id,
                name=name.strip(),
                token_hash=_digest(token),
                prefix=token[:10],
                role=role,
                created_at=utcnow(),
            )
            .returning(*api_tokens.c)
        ).one()
    return _token(row), token


def list_tokens(hub: Hub) -> list[ApiToken]:
    with hub.engine.connect() as conn:
        rows = conn.execute(
            select(api_tokens).where(api_tokens.c.workspace_id == hub.workspace_id).order_by(api_tokens.c.id)
        )
        return [_token(r) for r in rows]


def revoke_token(hub: Hub, token_id: int) -> None:
    with hub.engine.begin() as conn:
        done = conn.execute(
            update(api_tokens)
            .where(api_tokens.c.id == token_id, api_tokens.c.workspace_id == hub.workspace_id)
            .values(revoked_at=utcnow())
        ).rowcount
    if not done:
        raise NotFoundError(f"no API token {token_id} in workspace {hub.workspace!r}")


def token_principal(engine: Engine, token: str, now: datetime | None = None) -> Principal | None:
    """The caller an API token names, or None when it is unknown or revoked."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    now = now or utcnow()
    query = (
        select(api_tokens, workspaces.c.name.label("workspace_name"))
        .join(workspaces, workspaces.c.id == api_tokens.c.workspace_id)
        .where(api_tokens.c.token_hash == _digest(token), api_tokens.c.revoked_at.is_(None))
    )
    with engine.connect() as conn:
        row = conn.execute(query).first()
    if row is None:
        return None
    if row.last_used_at is None or now - as_utc(row.last_used_at) >= TOUCH_EVERY:
        with engine.begin() as conn:
            conn.execute(update(api_tokens).where(api_tokens.c.id == row.id).values(last_used_at=now))
    return Principal(int(row.workspace_id), row.workspace_name, row.role, "en", row.user_id, row.name, "token", None)
