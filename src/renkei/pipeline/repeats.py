"""A value one delivery changes more than once: its history keeps one change, or none.

Rows of one file that are the same person merge into one customer, and where they disagree (a
later row with another title or date) the later row's value is the one kept. Re-sending that file
under another name found the customer with the later row's values: its first row changed them to
its own, and the later row changed them back, two changes in the history for a customer the file
left as it was, and both rows counted as updated. Folded, the delivery's changes to a value are
one, from the value before the delivery to the last it set: none when that is the value it
found, and then the records that changed that customer, which together left it as the delivery
found it, count as unchanged.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam

from renkei.core.merge import FieldChange
from renkei.store.customers import CustomerRow, delete_where_in, delivery_history, select_where_in
from renkei.store.schema import field_history

#: A change to a value an earlier record of the same delivery had changed, with its customer.
Repeat = tuple[CustomerRow, FieldChange]

#: The tables besides ``field_history`` whose rows say what a delivery did to a customer.
_TIES = ("customer_labels", "inquiries", "customer_external_ids")


@dataclass(slots=True)
class _Fold:
    """The delivery's change to one value: from the value before it to its latest."""

    customer: CustomerRow
    field: str
    old: str | None
    old_by: int | None
    new: str
    #: This batch's history row for it, not yet written, or the stored one's id.
    here: dict[str, Any] | None
    stored_id: int | None


@dataclass(slots=True)
class Folded:
    """What folding a batch's repeats did."""

    #: Records that count as unchanged instead of updated.
    unchanged: int = 0
    #: (customer id, field) of each value the delivery set back to what it found.
    back: set[tuple[int, str]] = field(default_factory=set)
    #: The customers the delivery leaves as it found them.
    left_as_found: list[int] = field(default_factory=list)


def fold_repeats(
    conn: Connection,
    delivery_id: int,
    now: datetime,
    history: list[dict[str, Any]],
    repeats: list[Repeat],
    repeat_rows: dict[int, int],
    tied_here: Collection[int],
) -> Folded:
    """Fold each of ``repeats`` into the delivery's earlier change to the same value.

    ``history`` is the batch's history rows, not yet written: edited in place. ``repeat_rows``:
    by customer, how many records of the delivery so far changed it after an earlier one had;
    ``tied_here``: the customers the batch adds a tag, group, inquiry or external id to. Returns
    how many records count as unchanged instead of updated (for each customer the delivery leaves
    as it found it, those records and the first: a customer's count starts again from there), the
    values set back and those customers.
    """
    if not repeats:
        return Folded()
    here = {(row["customer_id"], row["field"]): row for row in history}
    ids = sorted({customer.id for customer, _ in repeats})
    stored = delivery_history(conn, delivery_id, ids)
    first_stored = {(h.customer_id, h.field): h for h in stored}  # newest first: the oldest stays
    folds: dict[tuple[int, str], _Fold] = {}
    for customer, change in repeats:
        key = (customer.id, change.field)
        fold = folds.get(key)
        if fold is None:
            if (row := here.get(key)) is not None:
                fold = _Fold(customer, change.field, row["old_value"], row["old_delivery_id"], change.new, row, None)
            elif (h := first_stored.get(key)) is not None:
                fold = _Fold(customer, change.field, h.old_value, h.old_delivery_id, change.new, None, h.id)
            else:  # no earlier change of the delivery to fold into: this one is the first
                row = history_row(customer.id, change, delivery_id, delivery_id, now)
                history.append(row)
                here[key] = row
                fold = _Fold(customer, change.field, change.old, delivery_id, change.new, row, None)
            folds[key] = fold
        fold.new = change.new

    dropped: set[int] = set()  # id() of this batch's rows that go
    deleted: list[int] = []
    rewritten: list[dict[str, Any]] = []
    back: set[int] = set()  # customers with a value back as the delivery found it
    values_back: set[tuple[int, str]] = set()
    for fold in folds.values():
        customer = fold.customer
        if fold.new == fold.old:
            back.add(customer.id)
            values_back.add((customer.id, fold.field))
            if fold.old_by is None or fold.old_by == customer.created_by:
                customer.sources.pop(fold.field, None)
            else:
                customer.sources[fold.field] = fold.old_by
            if fold.here is not None:
                dropped.add(id(fold.here))
            elif fold.stored_id is not None:
                deleted.append(fold.stored_id)
        elif fold.here is not None:
            fold.here["new_value"] = fold.new
        else:
            rewritten.append({"history_id": fold.stored_id, "latest": fold.new})
    if dropped:
        history[:] = [row for row in history if id(row) not in dropped]
    if deleted:
        delete_where_in(conn, "field_history", "id", deleted, "BIGINT")
    if rewritten:
        conn.execute(
            field_history.update()
            .where(field_history.c.id == bindparam("history_id"))
            .values(new_value=bindparam("latest")),
            rewritten,
        )
    if not back:
        return Folded()
    gone = set(deleted)
    remaining = {row["customer_id"] for row in history}
    remaining.update(h.customer_id for h in stored if h.id not in gone)
    remaining.update(tied_here)
    candidates = sorted(back - remaining)
    for table in _TIES:
        if not candidates:
            break
        tied = select_where_in(
            conn,
            f"SELECT customer_id FROM {table} WHERE delivery_id = {{mark}}",
            (delivery_id,),
            "customer_id",
            candidates,
            "BIGINT",
        )
        held = {int(row[0]) for row in tied}
        candidates = [cid for cid in candidates if cid not in held]
    return Folded(sum(repeat_rows.pop(cid, 0) + 1 for cid in candidates), values_back, candidates)


def history_row(
    customer_id: int, change: FieldChange, old_by: int | None, delivery_id: int, now: datetime
) -> dict[str, Any]:
    """The ``field_history`` row of ``change``, made by ``delivery_id`` to a value ``old_by`` had set."""
    return {
        "customer_id": customer_id,
        "field": change.field,
        "old_value": change.old,
        "old_delivery_id": old_by,
        "new_value": change.new,
        "new_delivery_id": delivery_id,
        "changed_at": now,
    }
