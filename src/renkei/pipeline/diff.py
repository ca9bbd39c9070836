"""Field-by-field differences between two states of the same customers (for dry runs)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Connection

from renkei.core.fields import CUSTOM_PREFIX
from renkei.store.customers import load_customers

Snapshot = dict[int, dict[str, object]]


@dataclass(frozen=True, slots=True)
class CustomerDiff:
    """How one customer would differ: ``kind`` is created, removed or changed."""

    customer_id: int
    kind: str
    fields: tuple[tuple[str, object, object], ...]


def snapshot(conn: Connection, workspace_id: int, ids: Iterable[int]) -> Snapshot:
    """The visible values of customers: fields, custom fields, tags and groups."""
    found = load_customers(conn, workspace_id, ids)
    out: Snapshot = {}
    for cid, row in found.items():
        values: dict[str, object] = {k: v for k, v in row.state.fields.items() if v is not None}
        values.update({CUSTOM_PREFIX + k: v for k, v in row.state.custom.items()})
        values["tags"] = tuple(sorted(row.state.tags))
        values["groups"] = tuple(sorted(row.state.groups))
        out[cid] = values
    return out


def diff_customers(before: Snapshot, after: Snapshot) -> list[CustomerDiff]:
    """Every customer whose values differ, with (field, before, after) for each field."""
    diffs: list[CustomerDiff] = []
    for cid in sorted(set(before) | set(after)):
        old = before.get(cid)
        new = after.get(cid)
        kind = "created" if old is None else "removed" if new is None else "changed"
        old = old or {}
        new = new or {}
        fields = tuple(
            (name, old.get(name), new.get(name))
            for name in sorted(set(old) | set(new))
            if old.get(name) != new.get(name) and (old.get(name) or new.get(name))
        )
        if fields or kind != "changed":
            diffs.append(CustomerDiff(cid, kind, fields))
    return diffs
