"""Reading and writing customers in batches: the store side of match and merge."""

from __future__ import annotations

import json
import operator
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from typing import Any, NamedTuple

from sqlalchemy import Column, Connection, Table, text

from renkei.core.fields import CUSTOM_PREFIX, SCALAR_FIELDS
from renkei.core.matching import MatchKey
from renkei.core.merge import StoredCustomer
from renkei.store.db import CUSTOMER_WRITERS, hold
from renkei.store.schema import customers

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
    if value is None or value == "null":
        return {}
    if isinstance(value, str):
        loaded = json.loads(value)
        return loaded if isinstance(loaded, dict) else {}
    return dict(value)


def _decode_sources(value: Any) -> dict[str, int]:
    sources = _decode_json(value)
    return {k: int(v) for k, v in sources.items()} if sources else {}


#: What merging needs of a customer, in this order (``customers_from_rows`` reads them by position).
LOAD_COLUMNS = ("id", *SCALAR_FIELDS, "custom", "sources", "created_by")
_CUSTOM_AT = 1 + len(SCALAR_FIELDS)
_FIELD_POSITION = {name: position for position, name in enumerate(SCALAR_FIELDS)}


@cache
def _placeholders(count: int) -> str:
    return ", ".join("?" * count)


def _one_of(postgres: bool, column: str, values: Sequence[Any], sql_type: str) -> tuple[str, tuple[Any, ...]]:
    """A driver-level condition ``column`` is one of ``values``, and its parameters.

    PostgreSQL takes the values as one array; SQLite as one placeholder each. Plain SQL text, not
    SQLAlchemy's expanding ``in_()``, whose per-value bound names cost more than the lookup itself.
    """
    if postgres:
        return f"{column} = ANY(CAST(%s AS {sql_type}[]))", (list(values),)
    return f"{column} IN ({_placeholders(len(values))})", tuple(values)


def select_where_in(
    conn: Connection, select_sql: str, scope: tuple[Any, ...], column: str, values: Sequence[Any], sql_type: str
) -> list[Any]:
    """Rows of ``select_sql`` (ending in ``WHERE`` conditions with ``{mark}`` placeholders bound to
    ``scope``, or with no ``WHERE`` when ``scope`` is empty) whose ``column`` is one of ``values``,
    a chunk of values per query."""
    postgres = conn.dialect.name == "postgresql"
    head = select_sql.format(mark="%s" if postgres else "?")
    rows: list[Any] = []
    # Inside a transaction (every import batch), the driver's cursor gives plain tuples, cheaper
    # than SQLAlchemy's rows; outside one, SQLAlchemy begins it as it always does.
    cursor = conn.connection.dbapi_connection.cursor() if conn.in_transaction() else None  # type: ignore[union-attr]
    try:
        for part in chunks(values, LOOKUP_CHUNK):
            condition, params = _one_of(postgres, column, part, sql_type)
            sql = f"{head} {'AND' if scope else 'WHERE'} {condition}"
            if cursor is None:
                rows.extend(conn.exec_driver_sql(sql, (*scope, *params)).fetchall())
            else:
                cursor.execute(sql, (*scope, *params))
                rows.extend(cursor.fetchall())
    finally:
        if cursor is not None:
            cursor.close()
    return rows


def delete_where_in(conn: Connection, table: str, column: str, values: Sequence[Any], sql_type: str) -> None:
    """Delete the rows of ``table`` whose ``column`` is one of ``values``, a chunk of values per
    statement, in plain SQL (``select_where_in``'s form): SQLAlchemy compiling an expanding
    ``in_()`` for each chunk cost more than deleting its rows."""
    postgres = conn.dialect.name == "postgresql"
    for part in chunks(values, LOOKUP_CHUNK):
        condition, params = _one_of(postgres, column, part, sql_type)
        conn.exec_driver_sql(f"DELETE FROM {table} WHERE {condition}", params)


def customers_from_rows(
    conn: Connection, workspace_id: int, rows: Iterable[Sequence[Any]], labels: bool
) -> dict[int, CustomerRow]:
    """Customers from their stored rows (``load_rows``), with their tags and groups when ``labels``."""
    # One customer per stored row of a re-import: kept to the few steps each needs.
    found: dict[int, CustomerRow] = {}
    tags: dict[int, list[str]] = {}
    groups: dict[int, list[str]] = {}
    names, custom_at = SCALAR_FIELDS, _CUSTOM_AT
    for row in rows:
        cid = int(row[0])
        custom, sources = row[custom_at], row[custom_at + 1]
        tag_list: list[str] = []
        group_list: list[str] = []
        if labels:
            tags[cid] = tag_list
            groups[cid] = group_list
        found[cid] = CustomerRow(
            cid,
            StoredCustomer(
                dict(zip(names, row[1:custom_at], strict=True)),
                {} if custom is None else _decode_json(custom),
                tag_list,
                group_list,
            ),
            {} if sources is None else _decode_sources(sources),
            int(row[custom_at + 2]),
        )
    if found and labels:
        label_rows = select_where_in(
            conn,
            "SELECT l.customer_id, l.kind, l.name FROM customer_labels l JOIN customers c ON c.id = l.customer_id"
            " WHERE +c.workspace_id = {mark}",
            (workspace_id,),
            "l.customer_id",
            list(found),
            "BIGINT",
        )
        for cid, kind, name in label_rows:
            (tags if kind == "tag" else groups)[int(cid)].append(name)
    return found


def load_customers(
    conn: Connection, workspace_id: int, ids: Iterable[int], *, labels: bool = True
) -> dict[int, CustomerRow]:
    """Customers by id, within one workspace.

    ``labels=False`` leaves every customer's tags and groups empty, for a caller that will not
    look at them (an import batch none of whose records carries a tag or a group).
    """
    return customers_from_rows(conn, workspace_id, list(load_rows(conn, workspace_id, ids).values()), labels)


def load_rows(conn: Connection, workspace_id: int, ids: Iterable[int]) -> dict[int, Sequence[Any]]:
    """Customers by id as stored rows (``LOAD_COLUMNS``), for ``customers_from_rows`` or ``stored_values``."""
    # ``+workspace_id`` (here and for the labels): SQLite, without planner statistics, would
    # rather scan the whole workspace through an index that starts with workspace_id than look
    # the ids up. The unary plus keeps that index out of the running; the condition still holds.
    rows = select_where_in(
        conn,
        f"SELECT {', '.join(LOAD_COLUMNS)} FROM customers WHERE +workspace_id = {{mark}}",
        (workspace_id,),
        "id",
        list(ids),
        "BIGINT",
    )
    return {int(row[0]): row for row in rows}


class KeysAndSources(NamedTuple):
    """What undoing the delivery that created a customer needs to decide whether it goes."""

    id: int
    #: Its e-mail, mobile and phone (those it has): the keys a replay may give its id back under.
    keys: dict[str, str]
    #: The deliveries other than its creator that set one of its current values.
    sources: dict[str, int]


KEY_FIELDS = ("email", "mobile", "phone")


def keys_and_sources(conn: Connection, workspace_id: int, ids: Sequence[int]) -> list[KeysAndSources]:
    """Customers by id, reduced to their keys and sources (much cheaper to read than ``load_rows``)."""
    rows = select_where_in(
        conn,
        f"SELECT id, {', '.join(KEY_FIELDS)}, sources FROM customers WHERE +workspace_id = {{mark}}",
        (workspace_id,),
        "id",
        ids,
        "BIGINT",
    )
    return [
        KeysAndSources(
            int(row[0]),
            {kind: value for kind, value in zip(KEY_FIELDS, row[1:4], strict=True) if value},
            {} if row[4] is None else _decode_sources(row[4]),
        )
        for row in rows
    ]


def find_rows(
    conn: Connection, workspace_id: int, kind: MatchKey, values: Collection[str]
) -> tuple[dict[str, int], dict[int, Sequence[Any]]]:
    """What ``find_ids`` finds for a key stored on the customer (e-mail, mobile, phone), and
    every customer having one of ``values`` as its stored row (``load_rows``'s form).

    One query finds and loads: a re-import, whose records nearly all find their customer by
    their first key, reads each customer once instead of finding it and then loading it by id.
    """
    if kind not in KEY_FIELDS:
        raise ValueError(f"not a key stored on the customer: {kind!r}")
    position = 1 + SCALAR_FIELDS.index(kind)
    found: dict[str, int] = {}
    loaded: dict[int, Sequence[Any]] = {}
    select_sql = f"SELECT {', '.join(LOAD_COLUMNS)} FROM customers WHERE workspace_id = {{mark}}"
    for row in select_where_in(conn, select_sql, (workspace_id,), kind, sorted(values), "TEXT"):
        value, cid = row[position], int(row[0])
        if value not in found or cid < found[value]:
            found[value] = cid
        loaded[cid] = row
    return found, loaded


def stored_values(row: Sequence[Any], names: tuple[str, ...]) -> tuple[Any, ...]:
    """The values of ``names`` (scalar fields) in a stored row, in that order."""
    return _getter(names)(row)


def values_getter(names: tuple[str, ...]) -> Callable[[Sequence[Any]], tuple[Any, ...]]:
    """``stored_values`` for these ``names``, found once: for a loop over many rows."""
    return _getter(names)


@cache
def _getter(names: tuple[str, ...]) -> Callable[[Sequence[Any]], tuple[Any, ...]]:
    positions = [1 + _FIELD_POSITION[name] for name in names]
    if len(positions) == 1:
        only = positions[0]
        return lambda row: (row[only],)
    return operator.itemgetter(*positions)


def hold_customers(conn: Connection, workspace_id: int) -> None:
    """Make this transaction the only one writing the workspace's customers until it ends.

    Matching reads the customers a record's keys find and creates one when none is found: two
    transactions doing that at once for the same new person (two mails of one inquirer, a mail
    beside a file) would each create one. SQLite transactions here hold the database's write
    lock from their start already. PostgreSQL transactions take an advisory lock on the
    workspace; other workspaces go on. Every transaction that writes customers takes it first,
    before any row lock, so no two of them can wait on each other.
    """
    hold(conn, CUSTOMER_WRITERS, workspace_id)


def count_customers(conn: Connection, workspace_id: int, up_to: int) -> int:
    """How many customers the workspace holds (as this transaction sees it), counted up to ``up_to``."""
    counted = conn.execute(
        text("SELECT count(*) FROM (SELECT 1 FROM customers WHERE workspace_id = :workspace_id LIMIT :up_to) AS c"),
        {"workspace_id": workspace_id, "up_to": up_to},
    ).scalar_one()
    return int(counted)


def stored_keys(conn: Connection, workspace_id: int, integration_id: int) -> Iterator[str]:
    """Every key value that can find a stored customer of the workspace: its customers' e-mails,
    mobiles and phones (each read from its own index) and the integration's external ids."""
    postgres = conn.dialect.name == "postgresql"
    mark = "%s" if postgres else "?"
    queries = [
        (f"SELECT {kind} FROM customers WHERE workspace_id = {mark} AND {kind} IS NOT NULL", workspace_id)
        for kind in KEY_FIELDS
    ]
    queries.append((f"SELECT external_id FROM customer_external_ids WHERE integration_id = {mark}", integration_id))
    for sql, scope in queries:
        # Streamed: PostgreSQL's driver would otherwise hold every value of a query at once.
        for row in conn.exec_driver_sql(sql, (scope,), execution_options={"yield_per": 10_000}):
            yield row[0]


#: What tells an inquiry of one customer from another (``inquiry_key``).
InquiryKey = tuple[Any, ...]


def inquiry_key(
    customer_id: int,
    external_id: str | None,
    received_at: datetime | str | None,
    property_code: str | None,
    own_property_code: str | None,
    property_name: str | None,
    message: str | None,
) -> InquiryKey | None:
    """An inquiry's identity for its customer (within one integration): its external id when it
    has one, else what it says — when it arrived, which property, the message. None for one with
    neither an id nor a time: two such inquiries may be two (the same request on two days)."""
    if external_id:
        return (customer_id, external_id)
    if received_at is None:
        return None
    if isinstance(received_at, str):  # SQLite's text, UTC
        received_at = datetime.fromisoformat(received_at)
    if received_at.tzinfo is not None:
        received_at = received_at.astimezone(UTC).replace(tzinfo=None)
    return (customer_id, None, received_at, property_code, own_property_code, property_name, message)


_INQUIRY_KEYS = (
    "SELECT customer_id, external_id, received_at, property_code, own_property_code, property_name, message"
    " FROM inquiries WHERE integration_id = {mark}"
)


def inquiry_keys(conn: Connection, integration_id: int, customer_ids: Sequence[int]) -> set[InquiryKey]:
    """The ``inquiry_key`` of every inquiry the integration brought these customers."""
    rows = select_where_in(conn, _INQUIRY_KEYS, (integration_id,), "customer_id", customer_ids, "BIGINT")
    return {key for row in rows if (key := inquiry_key(*row)) is not None}


def find_external_ids(conn: Connection, integration_id: int, values: Collection[str]) -> dict[str, int]:
    """The customer each of ``values`` names as the integration's external id, for those that name one.

    An index-only lookup (an external id names one customer of an integration): the customers
    themselves are loaded once, by id, with the others found.
    """
    select_sql = "SELECT external_id, customer_id FROM customer_external_ids WHERE integration_id = {mark}"
    rows = select_where_in(conn, select_sql, (integration_id,), "external_id", sorted(values), "TEXT")
    return {value: int(cid) for value, cid in rows}


class HistoryRow(NamedTuple):
    """One change a delivery made to a customer's value (a ``field_history`` row)."""

    id: int
    customer_id: int
    field: str
    old_value: str | None
    old_delivery_id: int | None
    new_delivery_id: int


def delivery_history(conn: Connection, delivery_id: int, customer_ids: Sequence[int]) -> list[HistoryRow]:
    """The changes ``delivery_id`` made to these customers' values, newest first."""
    # ``+new_delivery_id``: SQLite, without planner statistics, would walk every change of the
    # delivery (a million) for each part of customers instead of looking the customers up.
    rows = select_where_in(
        conn,
        "SELECT id, customer_id, field, old_value, old_delivery_id, new_delivery_id FROM field_history"
        " WHERE +new_delivery_id = {mark}",
        (delivery_id,),
        "customer_id",
        list(customer_ids),
        "BIGINT",
    )
    history = [
        HistoryRow(int(i), int(cid), name, old, None if old_by is None else int(old_by), int(new_by))
        for i, cid, name, old, old_by, new_by in rows
    ]
    history.sort(key=operator.attrgetter("id"), reverse=True)
    return history


_INSERT_COLUMNS = ("id", "workspace_id", *SCALAR_FIELDS, "custom", "sources", "created_by", "created_at", "updated_at")


def _json_text(value: Any) -> str | None:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")) if value else None


def _bind_processor(conn: Connection, column: Column[Any]) -> Callable[[Any], Any] | None:
    """How SQLAlchemy prepares a value of ``column`` for this database's driver (None: as is)."""
    process: Callable[[Any], Any] | None = column.type.dialect_impl(conn.dialect).bind_processor(conn.dialect)
    return process


def execute_many(conn: Connection, sql: str, params: list[tuple[Any, ...]]) -> None:
    """``executemany`` on the driver's own cursor, inside the connection's transaction."""
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.executemany(sql, params)
    finally:
        cursor.close()


def insert_new_customers(conn: Connection, rows: Iterable[CustomerRow], workspace_id: int, now: datetime) -> None:
    """Insert new customers with one driver-level ``executemany`` (the import's hot path).

    SQLAlchemy's per-row parameter processing costs more than the insert itself here, so the
    rows go to the driver as plain tuples; the timestamp is processed once, as SQLAlchemy would.
    """
    process = _bind_processor(conn, customers.c.created_at)
    stamp = process(now) if process else now
    params = [
        (
            row.id,
            workspace_id,
            *map(row.state.fields.get, SCALAR_FIELDS),
            _json_text(row.state.custom),
            _json_text(row.sources),
            row.created_by,
            stamp,
            stamp,
        )
        for row in rows
    ]
    if not params:
        return
    if conn.dialect.name == "postgresql":
        _copy_rows(conn, "customers", _INSERT_COLUMNS, params)
        return
    sql = f"INSERT INTO customers ({', '.join(_INSERT_COLUMNS)}) VALUES ({', '.join('?' * len(_INSERT_COLUMNS))})"
    execute_many(conn, sql, params)


def _copy_rows(conn: Connection, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
    """PostgreSQL: ``rows`` into ``table`` with ``COPY … FROM STDIN``, inside the connection's transaction.

    A batch's new customers as one stream: an ``INSERT`` per row, even pipelined, costs the
    server a statement each (a 1M-row import spent half its time waiting on them). JSON columns
    take their text as it is; timestamps and None go through psycopg's own adaptation.
    """
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    finally:
        cursor.close()


def column_of(name: str) -> str:
    """The customer column that holds field ``name`` (every ``custom.*`` field is in ``custom``)."""
    return "custom" if name.startswith(CUSTOM_PREFIX) else name


def update_changed(
    conn: Connection, changed: Iterable[tuple[CustomerRow, Collection[str]]], workspace_id: int, now: datetime
) -> None:
    """Write back, for each customer, only the columns named with it (fields, ``custom``,
    ``sources``), and ``updated_at``: one ``executemany`` per set of columns.

    Setting a column an index covers makes the database rewrite that index entry even when the
    value is the one stored: an import's update that sets every column costs six times one that
    sets the column that changed.
    """
    groups: dict[tuple[str, ...], list[tuple[list[Any], int]]] = {}
    for row, columns in changed:
        names = (*sorted(columns), "updated_at")
        groups.setdefault(names, []).append(([_column_value(row, name, now) for name in names], row.id))
    for names, params in groups.items():
        _update(conn, names, params, workspace_id)


def touch_customers(conn: Connection, ids: Sequence[int], workspace_id: int, now: datetime) -> None:
    """Set these customers' ``updated_at`` to ``now``: something of theirs other than a value changed."""
    _update(conn, ("updated_at",), [([now], cid) for cid in ids], workspace_id)


def _column_value(row: CustomerRow, name: str, now: datetime) -> Any:
    if name == "custom":
        return dict(row.state.custom) or None
    if name == "sources":
        return row.sources or None
    if name == "updated_at":
        return now
    return row.state.fields.get(name)


def _update(conn: Connection, names: Sequence[str], params: list[tuple[list[Any], int]], workspace_id: int) -> None:
    """``UPDATE customers SET names… WHERE id AND workspace_id`` for each (values, id) of ``params``."""
    if not params:
        return
    processors = [_bind_processor(conn, customers.c[name]) for name in names]
    prepared = [
        (
            *[value if process is None else process(value) for value, process in zip(values, processors, strict=True)],
            cid,
            workspace_id,
        )
        for values, cid in params
    ]
    mark = "%s" if conn.dialect.name == "postgresql" else "?"
    assignments = ", ".join(f"{name} = {mark}" for name in names)
    execute_many(conn, f"UPDATE customers SET {assignments} WHERE id = {mark} AND workspace_id = {mark}", prepared)


def insert_rows(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert ``rows`` (dicts with the same keys) into ``table`` with one driver-level ``executemany``.

    What ``conn.execute(table.insert(), rows)`` stores, without SQLAlchemy's per-row parameter
    handling: each value goes through its column type's own processor (JSON, timestamps).
    """
    if not rows:
        return
    processors = [(name, _bind_processor(conn, table.c[name])) for name in rows[0]]
    params = [
        tuple([row[name] if process is None else process(row[name]) for name, process in processors]) for row in rows
    ]
    mark = "%s" if conn.dialect.name == "postgresql" else "?"
    names = ", ".join(name for name, _ in processors)
    marks = ", ".join(mark for _ in processors)
    execute_many(conn, f"INSERT INTO {table.name} ({names}) VALUES ({marks})", params)


__all__ = [
    "KEY_FIELDS",
    "CustomerRow",
    "HistoryRow",
    "IdAllocator",
    "KeysAndSources",
    "chunks",
    "column_of",
    "count_customers",
    "customers_from_rows",
    "delete_where_in",
    "delivery_history",
    "execute_many",
    "find_external_ids",
    "find_rows",
    "hold_customers",
    "inquiry_key",
    "inquiry_keys",
    "insert_new_customers",
    "insert_rows",
    "keys_and_sources",
    "load_customers",
    "load_rows",
    "select_where_in",
    "stored_keys",
    "stored_values",
    "update_changed",
    "values_getter",
]
