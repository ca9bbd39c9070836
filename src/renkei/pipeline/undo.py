"""Undoing a delivery inside a transaction.

What a delivery did is taken back exactly:

- customers that only it created (nothing else has set a value, a tag, an inquiry or an id on
  them since) are removed;
- every value whose latest source is the delivery goes back to the value it replaced, with that
  value's own source; where a later delivery has since replaced the delivery's value, the later
  change's history is re-pointed to the value before, so undoing the later one later still
  lands on a value that exists;
- inquiries, tags, groups and external ids it added are removed;
- a customer left holding nothing at all (kept only for an inquiry or tag a later delivery added,
  which an undo of that one then took back) is removed.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, delete, select, union

from renkei.core.fields import CUSTOM_PREFIX, SCALAR_FIELDS
from renkei.store.customers import (
    CustomerRow,
    HistoryRow,
    KeysAndSources,
    chunks,
    column_of,
    delete_where_in,
    delivery_history,
    keys_and_sources,
    load_customers,
    select_where_in,
    update_changed,
)
from renkei.store.freed import FreedKeys
from renkei.store.schema import (
    customer_external_ids,
    customer_labels,
    customers,
    field_history,
    inquiries,
)


@dataclass(frozen=True, slots=True)
class UndoCounts:
    """What an undo did: customers removed, and customers whose values went back."""

    removed: int
    reverted: int


def _set_value(row: CustomerRow, name: str, value: str | None, source: int | None) -> None:
    fields = dict(row.state.fields)
    custom = dict(row.state.custom)
    if name.startswith(CUSTOM_PREFIX):
        key = name[len(CUSTOM_PREFIX) :]
        if value is None:
            custom.pop(key, None)
        else:
            custom[key] = value
    else:
        fields[name] = value
    row.state = type(row.state)(fields, custom, row.state.tags, row.state.groups)
    if value is None or source is None or source == row.created_by:
        row.sources.pop(name, None)
    else:
        row.sources[name] = source


def touched_by(conn: Connection, delivery_id: int, limit: int | None = None) -> set[int]:
    """Every customer the delivery created or changed (with ``limit``: that many, the lowest ids)."""
    query = union(
        select(customers.c.id).where(customers.c.created_by == delivery_id),
        select(field_history.c.customer_id).where(field_history.c.new_delivery_id == delivery_id),
        select(customer_labels.c.customer_id).where(customer_labels.c.delivery_id == delivery_id),
        select(inquiries.c.customer_id).where(inquiries.c.delivery_id == delivery_id),
        select(customer_external_ids.c.customer_id).where(customer_external_ids.c.delivery_id == delivery_id),
    )
    if limit is not None:
        touched = query.subquery()
        return {int(r[0]) for r in conn.execute(select(touched.c.id).order_by(touched.c.id).limit(limit))}
    return {int(r[0]) for r in conn.execute(query)}


#: The tables whose rows tie a customer to a delivery, and the column naming that delivery.
_TIES = (
    ("field_history", "new_delivery_id"),
    ("customer_labels", "delivery_id"),
    ("inquiries", "delivery_id"),
    ("customer_external_ids", "delivery_id"),
)


def _others_touched(conn: Connection, ids: Sequence[int], delivery_id: int) -> set[int]:
    """Those of ``ids`` another delivery has set a value, a tag, an inquiry or an id on."""
    touched: set[int] = set()
    for table, column in _TIES:
        rows = select_where_in(
            conn,
            f"SELECT customer_id FROM {table} WHERE {column} <> {{mark}}",
            (delivery_id,),
            "customer_id",
            ids,
            "BIGINT",
        )
        touched.update(int(row[0]) for row in rows)
    return touched


#: Customers an undo loads and decides at a time: a delivery that created a million is taken
#: back a part at a time, in flat memory.
UNDO_PART = 5000


def undo_delivery_in(
    conn: Connection, workspace_id: int, delivery_id: int, now: datetime, *, freed: FreedKeys | None = None
) -> UndoCounts:
    """Take back everything ``delivery_id`` did, inside the caller's transaction, a part of
    ``UNDO_PART`` customers at a time (memory stays flat however many it created or changed).

    ``freed``: note there the keys of each removed customer, for a replay that gives the
    customers it re-creates their old ids.
    """
    removed, kept = _take_back_created(conn, workspace_id, delivery_id, now, freed)
    changed = _revert_changes(conn, workspace_id, delivery_id, now)
    # Later changes whose "before" was this delivery's value on a created customer that stays.
    conn.execute(
        field_history.update()
        .where(field_history.c.old_delivery_id == delivery_id)
        .values(old_value=None, old_delivery_id=None)
    )
    tied: set[int] = set()
    for table in (customer_labels, inquiries, customer_external_ids):
        tied.update(conn.execute(select(table.c.customer_id).where(table.c.delivery_id == delivery_id)).scalars())
        conn.execute(delete(table).where(table.c.delivery_id == delivery_id))
    emptied = _remove_emptied(conn, workspace_id, sorted(kept | changed | tied))
    return UndoCounts(removed=removed + len(emptied), reverted=len((kept | changed) - emptied))


def _take_back_created(
    conn: Connection,
    workspace_id: int,
    delivery_id: int,
    now: datetime,
    freed: FreedKeys | None,
) -> tuple[int, set[int]]:
    """Remove the customers only the delivery touched; clear what it set on the ones it created
    that stay (later deliveries touched them). Returns how many were removed and the ids kept."""
    created = [
        int(r[0])
        for r in conn.execute(
            select(customers.c.id).where(
                customers.c.workspace_id == workspace_id, customers.c.created_by == delivery_id
            )
        )
    ]
    removed = 0
    kept: set[int] = set()
    for part in chunks(created, UNDO_PART):
        # Most of them go: what deciding that needs is read first, the whole row only of those that stay.
        stored = keys_and_sources(conn, workspace_id, part)
        others = _others_touched(conn, part, delivery_id)
        others.update(row.id for row in stored if any(source != delivery_id for source in row.sources.values()))
        removable = [row for row in stored if row.id not in others]
        removed += len(removable)
        if freed is not None:
            _free_keys(conn, removable, freed)
        _remove(conn, [row.id for row in removable])
        cleared: list[tuple[CustomerRow, set[str]]] = []
        for cid, row in load_customers(conn, workspace_id, sorted(others.intersection(part)), labels=False).items():
            names = [n for n, v in row.state.fields.items() if v is not None and row.source_of(n) == delivery_id]
            names += [CUSTOM_PREFIX + k for k in row.state.custom if row.source_of(CUSTOM_PREFIX + k) == delivery_id]
            for name in names:
                _set_value(row, name, None, None)
            cleared.append((row, _columns_of(names)))
            kept.add(cid)
        update_changed(conn, cleared, workspace_id, now)
    return removed, kept


def _revert_changes(conn: Connection, workspace_id: int, delivery_id: int, now: datetime) -> set[int]:
    """Put back the values the delivery replaced on customers it did not create; returns their ids.

    A part of customers at a time, each with its history rows from the delivery, newest first
    (a value the delivery changed twice goes back to the first one's "before"): a delivery that
    changed a million customers took 3.9 GB when they were all loaded at once.
    """
    changed = sorted(
        {
            int(r[0])
            for r in conn.execute(
                select(field_history.c.customer_id).where(field_history.c.new_delivery_id == delivery_id)
            )
        }
    )
    for part in chunks(changed, UNDO_PART):
        loaded = load_customers(conn, workspace_id, part, labels=False)
        reverted: dict[int, set[str]] = {}
        for h in delivery_history(conn, delivery_id, part):
            row = loaded[h.customer_id]
            if row.source_of(h.field) == delivery_id:
                _set_value(row, h.field, h.old_value, h.old_delivery_id)
                reverted.setdefault(h.customer_id, set()).update(_columns_of([h.field]))
            else:
                _splice(conn, h)
        update_changed(conn, [(loaded[cid], columns) for cid, columns in reverted.items()], workspace_id, now)
    if changed:
        conn.execute(delete(field_history).where(field_history.c.new_delivery_id == delivery_id))
    return set(changed)


def _columns_of(names: list[str]) -> set[str]:
    """The customer columns that hold ``names`` (fields, ``custom.*``), with ``sources``."""
    return {column_of(name) for name in names} | {"sources"}


def _free_keys(conn: Connection, rows: list[KeysAndSources], freed: FreedKeys) -> None:
    """Note under each key of the customers in ``rows`` (about to be removed) the id it frees."""
    freed.add((kind, value, row.id) for row in rows for kind, value in row.keys.items())
    freed.add(
        ("external_id", external_id, int(cid))
        for cid, external_id in select_where_in(
            conn,
            "SELECT customer_id, external_id FROM customer_external_ids",
            (),
            "customer_id",
            [row.id for row in rows],
            "BIGINT",
        )
    )


_ALL_BLANK = " AND ".join(f"{name} IS NULL" for name in SCALAR_FIELDS)


def _remove_emptied(conn: Connection, workspace_id: int, ids: Sequence[int]) -> set[int]:
    """Remove those of ``ids`` the undo left holding nothing — no value, tag, inquiry or external
    id — and return their ids. Such a customer was kept for what a later delivery added to it
    (an inquiry on a customer the undone delivery created); once that is gone too, it is nobody."""
    emptied: set[int] = set()
    for part in chunks(list(ids), UNDO_PART):
        rows = select_where_in(
            conn,
            f"SELECT id, custom FROM customers WHERE workspace_id = {{mark}} AND {_ALL_BLANK}",
            (workspace_id,),
            "id",
            part,
            "BIGINT",
        )
        # SQLite gives the JSON column's text, PostgreSQL the value.
        blank = [int(cid) for cid, custom in rows if not (json.loads(custom) if isinstance(custom, str) else custom)]
        held: set[int] = set()
        for table in ("customer_labels", "inquiries", "customer_external_ids"):
            held.update(
                int(row[0])
                for row in select_where_in(conn, f"SELECT customer_id FROM {table}", (), "customer_id", blank, "BIGINT")
            )
        gone = [cid for cid in blank if cid not in held]
        _remove(conn, gone)
        emptied.update(gone)
    return emptied


def _remove(conn: Connection, ids: list[int]) -> None:
    """Delete customers only the delivery touched, with their history, labels, inquiries and external ids."""
    for table, _ in _TIES:
        delete_where_in(conn, table, "customer_id", ids, "BIGINT")
    delete_where_in(conn, "customers", "id", ids, "BIGINT")


def _splice(conn: Connection, h: HistoryRow) -> None:
    """A later delivery replaced this delivery's value: its history now starts from our 'before'."""
    later = conn.execute(
        select(field_history.c.id)
        .where(
            field_history.c.customer_id == h.customer_id,
            field_history.c.field == h.field,
            field_history.c.old_delivery_id == h.new_delivery_id,
            field_history.c.id > h.id,
        )
        .order_by(field_history.c.id)
        .limit(1)
    ).scalar()
    if later is not None:
        conn.execute(
            field_history.update()
            .where(field_history.c.id == later)
            .values(old_value=h.old_value, old_delivery_id=h.old_delivery_id)
        )
