"""Keys of the customers an undo removed, for a replay that gives the ones it re-creates their ids back.

A removed customer frees its id under each of its keys (e-mail, mobile, phone, external ids).
They are kept in a temporary table of the replay's transaction, not in memory: replaying a
file that had created a million customers frees ~2.5 million keys, 0.85 GB as a dict. The
table lives and dies with the transaction: a rollback (a dry run, a failure) takes it back with
everything else, PostgreSQL drops it at the commit, and ``drop`` removes SQLite's before it.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection

from renkei.store.customers import execute_many, select_where_in

#: The table's name; it is in the connection's schema of temporary tables.
NAME = "renkei_freed_keys"


class FreedKeys:
    """The freed keys of one replay: (kind, value) → the id of the removed customer that had it."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.postgres = conn.dialect.name == "postgresql"
        self.table = f"{'pg_temp' if self.postgres else 'temp'}.{NAME}"

    @classmethod
    def create(cls, conn: Connection) -> FreedKeys:
        """An empty table for this transaction."""
        freed = cls(conn)
        ending = " ON COMMIT DROP" if freed.postgres else " WITHOUT ROWID"
        id_type = "BIGINT" if freed.postgres else "INTEGER"
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS {freed.table}")
        conn.exec_driver_sql(
            f"CREATE TEMPORARY TABLE {NAME} (kind TEXT NOT NULL, value TEXT NOT NULL,"
            f" customer_id {id_type} NOT NULL, PRIMARY KEY (kind, value)){ending}"
        )
        return freed

    def add(self, keys: Iterable[tuple[str, str, int]]) -> None:
        """Note (kind, value, customer id) for each key; a key already noted keeps its first id."""
        rows = list(keys)
        if not rows:
            return
        mark = "%s" if self.postgres else "?"
        execute_many(
            self.conn,
            f"INSERT INTO {self.table} (kind, value, customer_id) VALUES ({mark}, {mark}, {mark})"
            " ON CONFLICT (kind, value) DO NOTHING",
            rows,
        )

    def find(self, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], int]:
        """The freed id under each of ``keys`` that has one."""
        by_kind: dict[str, set[str]] = {}
        for kind, value in keys:
            by_kind.setdefault(kind, set()).add(value)
        found: dict[tuple[str, str], int] = {}
        for kind, values in by_kind.items():
            select_sql = f"SELECT value, customer_id FROM {self.table} WHERE kind = {{mark}}"
            for value, cid in select_where_in(self.conn, select_sql, (kind,), "value", sorted(values), "TEXT"):
                found[(kind, value)] = int(cid)
        return found

    def highest(self) -> int:
        """The highest id freed (0 when none was)."""
        return int(self.conn.exec_driver_sql(f"SELECT COALESCE(MAX(customer_id), 0) FROM {self.table}").scalar_one())

    def drop(self) -> None:
        """Remove the table before the transaction commits (SQLite keeps a temporary table after it)."""
        self.conn.exec_driver_sql(f"DROP TABLE IF EXISTS {self.table}")


__all__ = ["FreedKeys"]
