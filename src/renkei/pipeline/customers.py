"""Service functions for customers: export, show with every value's source and history."""

from __future__ import annotations

import csv
import io
import itertools
import json
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Connection, select

from renkei.core.fields import CUSTOM_PREFIX, SCALAR_FIELDS
from renkei.errors import NotFoundError
from renkei.pipeline.hub import Hub, as_utc, utcnow
from renkei.store.customers import load_customers
from renkei.store.schema import (
    customer_labels,
    customers,
    deliveries,
    field_history,
    inquiries,
    integrations,
    row_errors,
)

PAGE = 1000
INQUIRY_COLUMNS = (
    "source",
    "external_id",
    "received_at",
    "property_code",
    "own_property_code",
    "property_name",
    "property_url",
    "price",
    "layout",
    "message",
    # What else the inquiry said, by its label (a portal mail's 物件種別, 最寄り駅, 専有面積,
    # ご希望の連絡方法): null when nothing.
    "extra",
)
#: A cell starting with one of these is a formula to a spreadsheet: written as text instead.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


JST = ZoneInfo("Asia/Tokyo")


def jsonable(value: Any) -> Any:
    """Times in Japan time with their offset (SQLite hands back UTC without one)."""
    if isinstance(value, datetime):
        return as_utc(value).astimezone(JST).isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def minute(value: datetime | str | None) -> str:
    """A time as people read it, to the minute in Japan time (``2026-11-03 14:22``): a stored time or
    one ``jsonable`` gave; empty for none."""
    iso = jsonable(value) if isinstance(value, datetime) else value
    return iso[:16].replace("T", " ") if iso else ""


def person_name(last_name: str | None, first_name: str | None) -> str:
    """A customer's name as shown in a line of text: family name, then given name."""
    return " ".join(part for part in (last_name, first_name) if part)


def inquiry_data(inquiry: Mapping[str, Any]) -> dict[str, Any]:
    """An inquiry as the export, the API and the CLI show it: ``INQUIRY_COLUMNS``, times in Japan time."""
    return {c: jsonable(inquiry[c]) for c in INQUIRY_COLUMNS}


#: What an export record holds of the customer row: its timestamps and sources are not read (a
#: timestamp costs SQLite a parse per value, a third of a large export's reading).
_EXPORTED = (customers.c.id, *(customers.c[name] for name in SCALAR_FIELDS), customers.c.custom)


def iter_customers(hub: Hub) -> Iterator[dict[str, Any]]:
    """Every customer of the workspace in id order, as export records (streamed a page at a time)."""
    last = 0
    with hub.engine.connect() as conn:
        while True:
            page = conn.execute(
                select(*_EXPORTED)
                .where(customers.c.workspace_id == hub.workspace_id, customers.c.id > last)
                .order_by(customers.c.id)
                .limit(PAGE)
            ).all()
            if not page:
                return
            ids = [int(r[0]) for r in page]
            # The page's labels and inquiries are read by the range of its ids (a list of a thousand
            # ids cost more to put into the statement than to run it); rows of customers in the
            # range that are not the page's (another workspace's) are passed over.
            first, last = ids[0], ids[-1]
            labels: dict[int, dict[str, list[str]]] = {cid: {"tag": [], "group": []} for cid in ids}
            for cid, kind, name in conn.execute(
                select(customer_labels.c.customer_id, customer_labels.c.kind, customer_labels.c.name)
                .where(customer_labels.c.customer_id.between(first, last))
                .order_by(customer_labels.c.customer_id, customer_labels.c.kind, customer_labels.c.name)
            ):
                if (held := labels.get(int(cid))) is not None:
                    held[kind].append(name)
            found: dict[int, list[dict[str, Any]]] = {cid: [] for cid in ids}
            for row in conn.execute(
                select(inquiries)
                .where(inquiries.c.customer_id.between(first, last))
                .order_by(inquiries.c.received_at.nulls_last(), inquiries.c.id)
            ):
                if (listed := found.get(int(row.customer_id))) is not None:
                    listed.append(inquiry_data(row._mapping))
            for row in page:
                cid = int(row[0])
                record: dict[str, Any] = {"id": cid}
                record.update(zip(SCALAR_FIELDS, row[1:-1], strict=True))
                custom = row[-1]
                record["custom"] = json.loads(custom) if isinstance(custom, str) else (custom or {})
                record["tags"] = labels[cid]["tag"]
                record["groups"] = labels[cid]["group"]
                record["inquiries"] = found[cid]
                yield record


def _jsonl_lines(hub: Hub) -> Iterator[str]:
    """Every customer as one JSON object a line."""
    for record in iter_customers(hub):
        yield json.dumps(record, ensure_ascii=False) + "\n"


def export_jsonl(hub: Hub, out: TextIO) -> int:
    """Write every customer as one JSON object a line; returns the count."""
    return _write_lines(out, _jsonl_lines(hub))


def safe_cell(value: Any) -> str:
    """``value`` as a CSV cell that a spreadsheet shows as text, never runs as a formula ('' for None)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def csv_rows(hub: Hub) -> Iterator[list[Any]]:
    """The export's CSV rows, header first (tags and groups joined with ', ', custom as JSON)."""
    yield ["id", *SCALAR_FIELDS, "tags", "groups", "custom", "inquiries"]
    for record in iter_customers(hub):
        yield [
            record["id"],
            *(safe_cell(record[name]) for name in SCALAR_FIELDS),
            safe_cell(", ".join(record["tags"])),
            safe_cell(", ".join(record["groups"])),
            json.dumps(record["custom"], ensure_ascii=False) if record["custom"] else "",
            len(record["inquiries"]),
        ]


def _csv_lines(hub: Hub) -> Iterator[str]:
    """``csv_rows`` as CSV text, a row at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in csv_rows(hub):
        writer.writerow(row)
        yield _drain(buffer)


def export_csv(hub: Hub, out: TextIO) -> int:
    """Write every customer as CSV (tags and groups joined with ', ', custom as JSON); returns the count."""
    return _write_lines(out, _csv_lines(hub)) - 1  # the header is no customer


def _write_lines(out: TextIO, lines: Iterator[str]) -> int:
    """Write ``lines`` to ``out``; how many there were."""
    count = 0
    for line in lines:
        out.write(line)
        count += 1
    return count


#: Characters of export text handed on at a time when streaming (``export_text``).
EXPORT_CHUNK = 256 * 1024


def export_text(hub: Hub, format_: str) -> Iterator[str]:
    """The export as ``renkei customers export`` writes its file (CSV with a BOM), in pieces of about
    ``EXPORT_CHUNK`` characters for streaming: a web server hands each piece on in a step of its
    own (a thread hop for a plain iterator), which a customer at a time made cost more than the
    export itself (948k customers: 208 s)."""
    # A BOM before the CSV, as the CLI writes its file: Excel then reads it as UTF-8.
    lines = _jsonl_lines(hub) if format_ == "jsonl" else itertools.chain(["\ufeff"], _csv_lines(hub))
    pieces: list[str] = []
    size = 0
    for line in lines:
        pieces.append(line)
        size += len(line)
        if size >= EXPORT_CHUNK:
            yield "".join(pieces)
            pieces, size = [], 0
    if pieces:
        yield "".join(pieces)


def _drain(buffer: io.StringIO) -> str:
    """What ``buffer`` holds, leaving it empty."""
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


def show_customer(hub: Hub, customer_id: int) -> dict[str, Any]:
    """A customer with, for every value, the integration and delivery that set it and when, and its history."""
    with hub.engine.connect() as conn:
        found = load_customers(conn, hub.workspace_id, [customer_id])
        if customer_id not in found:
            raise NotFoundError(f"no customer {customer_id} in workspace {hub.workspace!r}")
        row = found[customer_id]
        names = [n for n, v in row.state.fields.items() if v is not None]
        names += [CUSTOM_PREFIX + k for k in row.state.custom]
        sources = {name: row.source_of(name) for name in names}
        history = conn.execute(
            select(field_history).where(field_history.c.customer_id == customer_id).order_by(field_history.c.id)
        ).all()
        delivery_ids = {d for d in sources.values() if d} | {h.new_delivery_id for h in history}
        delivery_ids |= {h.old_delivery_id for h in history if h.old_delivery_id}
        info: dict[int, dict[str, Any]] = {}
        if delivery_ids:
            for d in conn.execute(
                select(
                    deliveries.c.id,
                    deliveries.c.file_name,
                    deliveries.c.processed_at,
                    deliveries.c.received_at,
                    integrations.c.name,
                )
                .join(integrations, integrations.c.id == deliveries.c.integration_id)
                .where(deliveries.c.id.in_(delivery_ids), deliveries.c.workspace_id == hub.workspace_id)
            ):
                info[int(d.id)] = _source(int(d.id), d)
        inquiry_rows = conn.execute(
            select(inquiries)
            .where(inquiries.c.customer_id == customer_id)
            .order_by(inquiries.c.received_at.nulls_last(), inquiries.c.id)
        ).all()
        left_out = _left_out(conn, hub, customer_id)
    values: dict[str, Any] = {}
    for name in names:
        value = (
            row.state.custom[name[len(CUSTOM_PREFIX) :]] if name.startswith(CUSTOM_PREFIX) else row.state.fields[name]
        )
        source = sources[name]
        values[name] = {"value": value, "source": info.get(source) if source else None}
    return {
        "id": customer_id,
        "fields": values,
        "tags": sorted(row.state.tags),
        "groups": sorted(row.state.groups),
        "history": [
            {
                "field": h.field,
                "old": h.old_value,
                "new": h.new_value,
                "at": jsonable(h.changed_at),
                "old_source": info.get(h.old_delivery_id) if h.old_delivery_id else None,
                "new_source": info.get(h.new_delivery_id),
            }
            for h in history
        ],
        "inquiries": [inquiry_data(i._mapping) for i in inquiry_rows],
        "left_out": left_out,
    }


#: Values left out listed on a customer's page at most, newest first.
LEFT_OUT_SHOWN = 50


def _left_out(conn: Connection, hub: Hub, customer_id: int) -> list[dict[str, Any]]:
    """The values left out of the rows that went to the customer (``bad_values: leave_out``: a
    mistyped phone number of a portal's lead), the newest delivery's first, in row and column order,
    from deliveries that still stand, until someone marks them checked (``check_left_out``)."""
    found = conn.execute(
        select(
            row_errors.c.delivery_id,
            row_errors.c.line,
            row_errors.c.column_name,
            row_errors.c.value,
            row_errors.c.reason,
            deliveries.c.file_name,
            deliveries.c.processed_at,
            deliveries.c.received_at,
            integrations.c.name,
        )
        .join(deliveries, deliveries.c.id == row_errors.c.delivery_id)
        .join(integrations, integrations.c.id == deliveries.c.integration_id)
        .where(row_errors.c.customer_id == customer_id, *standing_left_out(hub.workspace_id))
        .order_by(row_errors.c.delivery_id.desc(), row_errors.c.id)
        .limit(LEFT_OUT_SHOWN)
    )
    return [
        {
            "column": r.column_name,
            "value": r.value,
            "reason": r.reason,
            "line": r.line,
            "source": _source(int(r.delivery_id), r),
        }
        for r in found
    ]


def standing_left_out(workspace_id: int) -> tuple[ColumnElement[bool], ...]:
    """Where a row error (joined to its delivery) is a value left out that still asks for a look:
    it names the customer its row went to, nobody marked it checked, and its delivery stands."""
    return (
        row_errors.c.customer_id.is_not(None),
        row_errors.c.checked_at.is_(None),
        deliveries.c.workspace_id == workspace_id,
        deliveries.c.state == "processed",
    )


def _source(delivery_id: int, row: Any) -> dict[str, Any]:
    """Where a value came from: the delivery, its integration (``name``), its file and when."""
    return {
        "delivery_id": delivery_id,
        "integration": row.name,
        "file_name": row.file_name,
        "at": jsonable(row.processed_at or row.received_at),
    }


def check_left_out(hub: Hub, customer_id: int) -> int:
    """Mark the values left out of the customer's rows checked (someone called and confirmed the
    number): they leave its page and the list's 要確認. How many were marked."""
    with hub.engine.begin() as conn:
        known = conn.execute(
            select(customers.c.id).where(customers.c.id == customer_id, customers.c.workspace_id == hub.workspace_id)
        ).first()
        if known is None:
            raise NotFoundError(f"no customer {customer_id} in workspace {hub.workspace!r}")
        ours = select(deliveries.c.id).where(deliveries.c.workspace_id == hub.workspace_id)
        return int(
            conn.execute(
                row_errors.update()
                .where(
                    row_errors.c.customer_id == customer_id,
                    row_errors.c.checked_at.is_(None),
                    row_errors.c.delivery_id.in_(ours),
                )
                .values(checked_at=utcnow())
            ).rowcount
        )
