"""Reading and writing customers in batches: the store side of match and merge."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, select, text

from renkei.core.fields import CUSTOM_PREFIX, SCALAR_FIELDS
from renkei.core.matching import MatchKey
from renkei.core.merge import StoredCustomer
from renkei.store.schema import customer_external_ids, customer_labels, customers

CHUNK = 500
#: Keys per lookup query: large, to keep round trips few (SQLite allows 32,766 parameters).
LOOKUP_CHUNK = 2000


def chunks(items: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    """``items`` in slices of at most ``size``."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass(slots=True)
class CustomerRow:
    """A customer as loaded for merging, with what explains each value."""

    id: int
    state: StoredCustomer
    sources: dict[str, int] = field(default_factory=dict)
    created_by: int = 0
    new: bool = False

    def source_of(self, name: str) -> int | None:
        """The delivery that set ``name``'s current value, or None when it is empty."""
        if name.startswith(CUSTOM_PREFIX):
            present = self.state.custom.get(name[len(CUSTOM_PREFIX) :]) is not None
        else:
            present = self.state.fields.get(name) is not None
        if not present:
            return None
        return self.sources.get(name, self.created_by)


class IdAllocator:
    """Hands out customer ids inside the current write transaction."""

    def __init__(self, conn: Connection, floor: int = 0) -> None:
        self.conn = conn
        self.pending: list[int] = []
        self.sqlite = conn.dialect.name == "sqlite"
        self.next_sqlite: int | None = None
        #: Ids up to here are spoken for (a replay gives removed customers their ids back).
        self.floor = floor

    def next(self) -> int:
        if self.sqlite:
            if self.next_sqlite is None:
                # SQLite transactions here take the write lock at BEGIN: no other writer runs.
                highest = int(self.conn.execute(text("SELECT COALESCE(MAX(id), 0) FROM customers")).scalar_one())
                self.next_sqlite = max(highest, self.floor) + 1
            value = self.next_sqlite
            self.next_sqlite += 1
            return value
        if not self.pending:
            rows = self.conn.execute(text("SELECT nextval('customer_ids') FROM generate_series(1, 1000)"))
            self.pending = [int(r[0]) for r in rows][::-1]
        return self.pending.pop()


def _decode_json(value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    if isinstance(value, str):
        loaded = json.loads(value)
        return loaded if isinstance(loaded, dict) else {}
    return dict(value)


_COLUMNS = [
    customers.c.id,
    *(customers.c[name] for name in SCALAR_FIELDS),
    customers.c.custom,
    customers.c.sources,
    customers.c.created_by,
]


def _rows_to_customers(conn: Connection, rows: Sequence[Any]) -> dict[int, CustomerRow]:
    found: dict[int, CustomerRow] = {}
    tags: dict[int, list[str]] = {}
    groups: dict[int, list[str]] = {}
    for row in rows:
        mapping = row._mapping
        cid = int(mapping["id"])
        tags[cid] = []
        groups[cid] = []
        fields = {name: mapping[name] for name in SCALAR_FIELDS}
        found[cid] = CustomerRow(
            id=cid,
            state=StoredCustomer(fields, _decode_json(mapping["custom"]), tags[cid], groups[cid]),
            sources={k: int(v) for k, v in _decode_json(mapping["sources"]).items()},
            created_by=int(mapping["created_by"]),
        )
    if found:
        ids = list(found)
        for part in chunks(ids):
            label_rows = conn.execute(
                select(customer_labels.c.customer_id, customer_labels.c.kind, customer_labels.c.name).where(
                    customer_labels.c.customer_id.in_(part)
                )
            )
            for cid, kind, name in label_rows:
                (tags if kind == "tag" else groups)[int(cid)].append(name)
    return found


def load_customers(conn: Connection, workspace_id: int, ids: Iterable[int]) -> dict[int, CustomerRow]:
    """Customers by id, within one workspace."""
    wanted = list(ids)
    rows: list[Any] = []
    for part in chunks(wanted):
        rows.extend(
            conn.execute(select(*_COLUMNS).where(customers.c.workspace_id == workspace_id, customers.c.id.in_(part)))
        )
    return _rows_to_customers(conn, rows)


def find_by_keys(
    conn: Connection,
    workspace_id: int,
    integration_id: int,
    keys: dict[MatchKey, set[str]],
) -> tuple[dict[tuple[MatchKey, str], int], dict[int, CustomerRow]]:
    """Look up every key at once: (kind, value) → customer id, and the customers found."""
    index: dict[tuple[MatchKey, str], int] = {}
    rows: list[Any] = []
    external = sorted(keys.get("external_id", ()))
    for part in chunks(external, LOOKUP_CHUNK):
        for external_id, cid in conn.execute(
            select(customer_external_ids.c.external_id, customer_external_ids.c.customer_id).where(
                customer_external_ids.c.integration_id == integration_id,
                customer_external_ids.c.external_id.in_(part),
            )
        ):
            index[("external_id", external_id)] = int(cid)
    column_keys: list[tuple[MatchKey, list[str]]] = [
        (kind, sorted(keys.get(kind, ()))) for kind in ("email", "mobile", "phone")
    ]
    seen: set[int] = set()
    for kind, values in column_keys:
        column = customers.c[kind]
        for part in chunks(values, LOOKUP_CHUNK):
            for row in conn.execute(
                select(*_COLUMNS).where(customers.c.workspace_id == workspace_id, column.in_(part))
            ):
                cid = int(row.id)
                index.setdefault((kind, row._mapping[kind]), cid)
                if cid not in seen:
                    seen.add(cid)
                    rows.append(row)
    found = _rows_to_customers(conn, rows)
    missing = {cid for (kind, _), cid in index.items() if kind == "external_id" and cid not in found}
    if missing:
        found.update(load_customers(conn, workspace_id, missing))
    return index, found


def customer_values(row: CustomerRow, workspace_id: int, now: datetime) -> dict[str, Any]:
    """The column values to insert or update for ``row``."""
    values: dict[str, Any] = {name: row.state.fields.get(name) for name in SCALAR_FIELDS}
    values["c_id"] = row.id
    values["workspace_id"] = workspace_id
    values["custom"] = dict(row.state.custom) or None
    values["sources"] = row.sources or None
    values["created_by"] = row.created_by
    values["updated_at"] = now
    values["created_at"] = now
    return values


_INSERT_COLUMNS = ("id", "workspace_id", *SCALAR_FIELDS, "custom", "sources", "created_by", "created_at", "updated_at")


def _json_text(value: Any) -> str | None:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")) if value else None


def insert_new_customers(conn: Connection, rows: Iterable[CustomerRow], workspace_id: int, now: datetime) -> None:
    """Insert new customers with one driver-level ``executemany`` (the import's hot path).

    SQLAlchemy's per-row parameter processing costs more than the insert itself here, so the
    rows go to the driver as plain tuples; the timestamp is processed once, as SQLAlchemy would.
    """
    process = customers.c.created_at.type.bind_processor(conn.dialect)
    stamp = process(now) if process else now
    params = []
    for row in rows:
        fields = row.state.fields
        params.append(
            (
                row.id,
                workspace_id,
                *[fields.get(name) for name in SCALAR_FIELDS],
                _json_text(row.state.custom),
                _json_text(row.sources),
                row.created_by,
                stamp,
                stamp,
            )
        )
    if not params:
        return
    postgres = conn.dialect.name == "postgresql"
    marks = []
    for name in _INSERT_COLUMNS:
        mark = "%s" if postgres else "?"
        marks.append(f"CAST({mark} AS JSON)" if postgres and name in ("custom", "sources") else mark)
    sql = f"INSERT INTO customers ({', '.join(_INSERT_COLUMNS)}) VALUES ({', '.join(marks)})"
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.executemany(sql, params)
    finally:
        cursor.close()


def update_customers(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Write changed customers back (values from ``customer_values``)."""
    if not rows:
        return
    statement = (
        customers.update()
        .where(customers.c.id == bindparam("c_id"))
        .values(**{name: bindparam(name) for name in (*SCALAR_FIELDS, "custom", "sources", "updated_at")})
    )
    conn.execute(statement, rows)


__all__ = [
    "CustomerRow",
    "IdAllocator",
    "chunks",
    "customer_values",
    "find_by_keys",
    "insert_new_customers",
    "load_customers",
    "update_customers",
]
