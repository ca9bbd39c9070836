"""The hub: one store, one archive, one workspace. Every entry point opens one of these."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, select

from renkei.store.archive import Archive
from renkei.store.db import database_url, make_engine, migrate, renkei_home
from renkei.store.schema import workspaces
from renkei.store.secrets import SecretBox

DEFAULT_WORKSPACE = "default"


def utcnow() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """A time read from the store, aware: SQLite hands back naive UTC, PostgreSQL aware times."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


@dataclass(slots=True)
class Hub:
    """What the service functions work on: the store, the archive and the caller's workspace."""

    engine: Engine
    archive: Archive
    workspace_id: int
    workspace: str
    secrets: SecretBox

    @classmethod
    def open(cls, workspace: str = DEFAULT_WORKSPACE, url: str | None = None, home: Path | None = None) -> Hub:
        """Open (and migrate) the store, and the workspace called ``workspace``, creating it if new."""
        home = home or renkei_home()
        engine = make_engine(url or database_url(home))
        migrate(engine)
        workspace_id = ensure_workspace(engine, workspace)
        return cls(engine, Archive(home / "archive"), workspace_id, workspace, SecretBox(home))

    def for_workspace(self, workspace: str) -> Hub:
        """The same store and archive, scoped to another workspace."""
        return Hub(self.engine, self.archive, ensure_workspace(self.engine, workspace), workspace, self.secrets)

    def for_workspace_id(self, workspace_id: int) -> Hub:
        """The same store, archive and secrets, scoped to the workspace with this id."""
        with self.engine.connect() as conn:
            name = conn.execute(select(workspaces.c.name).where(workspaces.c.id == workspace_id)).scalar_one()
        return Hub(self.engine, self.archive, workspace_id, str(name), self.secrets)

    def close(self) -> None:
        self.engine.dispose()


def ensure_workspace(engine: Engine, name: str) -> int:
    """The id of the workspace called ``name``, created if it does not exist."""
    with engine.begin() as conn:
        found = conn.execute(select(workspaces.c.id).where(workspaces.c.name == name)).scalar()
        if found is not None:
            return int(found)
        return int(
            conn.execute(
                workspaces.insert().values(name=name, created_at=utcnow()).returning(workspaces.c.id)
            ).scalar_one()
        )
