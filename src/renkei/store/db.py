"""Opening the store: the engine for SQLite (embedded default) or PostgreSQL, and migrations."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import sys
import threading
from pathlib import Path
from typing import Any

try:
    import fcntl
except ImportError:  # not POSIX: threads still take turns, processes meet SQLite's busy handler
    fcntl = None  # type: ignore[assignment]

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event, text

MIGRATIONS = Path(__file__).with_name("migrations")


def renkei_home() -> Path:
    """``$RENKEI_HOME``, by default ``./.renkei``."""
    return Path(os.environ.get("RENKEI_HOME") or ".renkei").resolve()


def database_url(home: Path | None = None) -> str:
    """``$RENKEI_DATABASE_URL``, or SQLite at ``$RENKEI_HOME/renkei.db``."""
    url = os.environ.get("RENKEI_DATABASE_URL")
    if url:
        if url.startswith("postgresql://") or url.startswith("postgres://"):
            url = "postgresql+psycopg://" + url.split("://", 1)[1]
        return url
    home = home or renkei_home()
    home.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{home / 'renkei.db'}"


#: How long a thread waits for another thread's write transaction, as SQLite's busy_timeout does.
WRITE_WAIT_SECONDS = 30.0


class WriteTurn:
    """Turns at one SQLite database's write lock: a thread lock, and a file lock between processes.

    Threads of one process wait on the thread lock; processes (the inbox's worker, a CLI import
    beside ``renkei serve``) wait on an advisory ``flock`` of ``<database>-turn``. Both wake the
    next writer the moment a commit or rollback ends the turn, where SQLite's own busy handler
    would sleep and poll (1, 2, 5 … 100 ms). The file lock only orders writers: SQLite's locking
    still decides, so a process that does not take turns (the ``sqlite3`` shell) is safe too.
    """

    def __init__(self, database: str) -> None:
        self.thread_lock = threading.RLock()
        self._holders = 0
        self._fd: int | None = None
        if database and database != ":memory:" and fcntl is not None:
            try:
                self._fd = os.open(f"{database}-turn", os.O_RDWR | os.O_CREAT, 0o600)
            except OSError:  # a read-only folder: threads still take turns
                self._fd = None

    def take(self) -> None:
        if not self.thread_lock.acquire(timeout=WRITE_WAIT_SECONDS):
            raise sqlite3.OperationalError("database is locked (another thread kept writing)")
        self._holders += 1
        if self._holders == 1 and self._fd is not None:
            # Without file locks here, SQLite's busy handler orders the processes.
            with contextlib.suppress(OSError):
                fcntl.flock(self._fd, fcntl.LOCK_EX)

    def give(self) -> None:
        self._holders -= 1
        if self._holders == 0 and self._fd is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(self._fd, fcntl.LOCK_UN)
        self.thread_lock.release()


_turns: dict[str, WriteTurn] = {}
_turns_guard = threading.Lock()


def _write_turn(database: str) -> WriteTurn:
    with _turns_guard:
        found = _turns.get(database)
        if found is None:
            found = _turns[database] = WriteTurn(database)
        return found


class _TurnTakingConnection(sqlite3.Connection):
    """A SQLite connection whose write transactions take turns (see ``WriteTurn``).

    Every write transaction here starts with ``BEGIN IMMEDIATE`` (the database's write lock),
    after waiting for its turn.
    """

    write_turn: WriteTurn | None = None
    holding = False

    def take_turn(self) -> None:
        turn = self.write_turn
        if turn is None or self.holding:
            return
        turn.take()
        self.holding = True

    def end_turn(self) -> None:
        if self.holding and self.write_turn is not None:
            self.holding = False
            self.write_turn.give()

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self.end_turn()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self.end_turn()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self.end_turn()


def _autobegun() -> bool:
    """Whether the transaction beginning now was begun implicitly, by a first statement on a connection.

    Every write in Renkei opens its transaction explicitly (``engine.begin()``, ``conn.begin()``);
    a transaction SQLAlchemy begins on its own is a read. Should SQLAlchemy's internals change so
    that this is not recognised, every transaction is simply treated as a write, as before.
    """
    frame = sys._getframe(2)
    for _ in range(16):
        if frame is None:
            return False
        if frame.f_code.co_name == "_autobegin":
            return True
        frame = frame.f_back
    return False


#: SQLite page size of a new store, in bytes.
PAGE_SIZE = 8192


def _sqlite_setup(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not pysqlite, decide when transactions begin (see `begin` below).
        dbapi_connection.isolation_level = None
        if isinstance(dbapi_connection, _TurnTakingConnection):
            dbapi_connection.write_turn = _write_turn(str(engine.url.database or ""))
        cursor = dbapi_connection.cursor()
        # Only a new, empty file takes it (before WAL mode is set); an existing store keeps its size.
        # Wide customer rows and their three key indexes insert ~20 % faster on 8 KiB pages than on
        # the default 4 KiB (bench/run.py's first import).
        cursor.execute(f"PRAGMA page_size={PAGE_SIZE}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA cache_size=-65536")
        # Temporary tables (a replay's freed keys, ~2.3 million for the 1M-row bench delivery) have
        # a cache of their own, 2 MiB by default, which kept writing their index out and reading
        # it back: replaying that delivery 82 → 76–79 s. Like the other, it fills only as used.
        cursor.execute("PRAGMA temp.cache_size=-65536")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(conn: Any) -> None:
        if _autobegun():
            # `with engine.connect() as conn: conn.execute(select …)`: a read. In WAL mode it sees a
            # snapshot and neither waits for nor holds up a writer (a page stays quick during an import).
            conn.exec_driver_sql("BEGIN")
            return
        # `engine.begin()` / `conn.begin()`: a write. It takes the write lock up front: no upgrade
        # deadlocks between writers.
        dbapi_connection = conn.connection.dbapi_connection
        if isinstance(dbapi_connection, _TurnTakingConnection):
            dbapi_connection.take_turn()
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            if isinstance(dbapi_connection, _TurnTakingConnection):
                dbapi_connection.end_turn()
            raise


#: The first keys of the advisory locks PostgreSQL transactions take turns on (``hold``).
CUSTOMER_WRITERS = 0x524E4B49  # "RNKI": a workspace's customers, by workspace id
LANDINGS = 0x524E4B4C  # "RNKL": recording deliveries of an integration, by integration id


def hold(conn: Connection, space: int, *keys: int) -> None:
    """Take turns with other transactions on ``(space, key)`` for each of ``keys``, until this
    transaction ends.

    PostgreSQL: a transaction-level advisory lock each, taken in key order (two transactions
    holding several never wait on each other), and again at no cost by a transaction that holds
    it already. SQLite: nothing to do, a write transaction here holds the database's write lock
    from its start.
    """
    if conn.dialect.name != "postgresql":
        return
    for key in sorted(set(keys)):
        conn.execute(text("SELECT pg_advisory_xact_lock(:space, :key)"), {"space": space, "key": key})


def make_engine(url: str | None = None) -> Engine:
    """An engine for ``url`` (default: from the environment), with SQLite tuned for WAL."""
    url = url or database_url()
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "factory": _TurnTakingConnection})
        _sqlite_setup(engine)
        return engine
    return create_engine(url, pool_pre_ping=True)


def copy_sqlite(source: Path, target: Path) -> None:
    """A copy of the SQLite store at ``source`` as it is now, at ``target`` (SQLite's online
    backup: it reads one consistent state, and writers go on meanwhile)."""
    with contextlib.closing(sqlite3.connect(source)) as reading, contextlib.closing(sqlite3.connect(target)) as writing:
        reading.backup(writing)


def alembic_config(url: str) -> Config:
    """Alembic configured for the package's migrations and ``url``."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def migrate(engine: Engine) -> None:
    """Bring the schema up to date (idempotent)."""
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
