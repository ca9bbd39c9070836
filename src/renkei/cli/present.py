"""How the CLI shows results: rich tables for people, JSON for scripts."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from renkei.core.patch import FieldError
from renkei.pipeline.apply import Counts
from renkei.pipeline.customers import inquiry_data, jsonable, minute, person_name
from renkei.pipeline.deliveries import Delivery, ProcessResult
from renkei.pipeline.hub import Hub
from renkei.pipeline.integrations import Integration
from renkei.pipeline.sample import Sample

ERRORS_SHOWN = 20


def _json(console: Console, data: Any) -> None:
    console.print_json(json.dumps(data, ensure_ascii=False, default=str))


_UNREAD, _NOTHING = object(), object()


class _Streamed(list):  # type: ignore[type-arg]
    """A JSON array written from an iterator as it is read (``_json_stream``).

    json's own encoder, when it writes with an indent, walks a list with ``bool()`` and ``iter()``
    only: this one answers them from the iterator, never holding its items, and starts it only
    when the encoder reaches it (each delivery's errors hold a connection while they are read).
    """

    def __init__(self, items: Iterable[Any]) -> None:
        super().__init__()
        self._items = items
        self._first: Any = _UNREAD
        self._rest: Iterator[Any] = iter(())

    def _peek(self) -> None:
        if self._first is _UNREAD:
            self._rest = iter(self._items)
            self._first = next(self._rest, _NOTHING)

    def __bool__(self) -> bool:
        self._peek()
        return self._first is not _NOTHING

    def __iter__(self) -> Iterator[Any]:
        self._peek()
        if self._first is not _NOTHING:
            yield self._first
            yield from self._rest


def _json_stream(console: Console, data: Any) -> None:
    """``data`` as indented JSON, written as it is encoded (its ``_Streamed`` arrays as they are
    read): a file of a million bad rows lists a million errors. rich's ``print_json`` parses and
    colours the whole text first (100,000 errors: 29 s and 2 GB)."""
    out = console.file
    for chunk in json.JSONEncoder(ensure_ascii=False, indent=2, default=str).iterencode(data):
        out.write(chunk)
    out.write("\n")


def _error_data(errors: Iterable[dict[str, Any]]) -> _Streamed:
    return _Streamed({k: e[k] for k in ("line", "column_name", "value", "reason")} for e in errors)


def _inbox(integration: Integration) -> str | None:
    from renkei.pipeline.mail import inbox_address
    from renkei.sources.mail_kind import MAIL_KINDS

    return inbox_address(integration) if integration.spec.kind in MAIL_KINDS else None


def _integration_data(integration: Integration) -> dict[str, Any]:
    spec = integration.spec
    return {
        "inbox_address": _inbox(integration),
        "id": integration.id,
        "name": spec.name,
        "kind": spec.kind,
        "status": spec.status,
        "status_reason": integration.status_reason,
        "settings": integration.shown_settings(),
        "defaults": spec.defaults.model_dump(mode="json"),
        "confirmed_at": integration.confirmed_at,
    }


def _confirmation(integration: Integration) -> str:
    """Mail integrations: whether the portal's forwarding is confirmed yet."""
    if _inbox(integration) is None:
        return ""
    if integration.confirmed_at is None:
        return "確認待ち (waiting for the first mail)"
    return f"確認済み {str(integration.confirmed_at)[:19]}"


def integration_added(console: Console, integration: Integration, as_json: bool) -> None:
    if as_json:
        _json(console, _integration_data(integration))
        return
    _say(console, f"Added {integration.spec.kind} integration {integration.name!r} (id {integration.id}).")
    address = _inbox(integration)
    if address:
        _say(console, f"Inbox address: {address}")
        _say(
            console,
            "Have the portal send (or forward) its mails to this address; keep it secret"
            " (`renkei integrations rotate-inbox` makes a new one).",
        )


def integration_updated(console: Console, integration: Integration, keys: list[str], as_json: bool) -> None:
    """What changed, by key only: a value given may be a secret."""
    if as_json:
        _json(console, _integration_data(integration))
        return
    _say(
        console,
        f"Updated {integration.spec.kind} integration {integration.name!r} (id {integration.id}): {', '.join(keys)}.",
    )


def integrations(console: Console, hub: Hub, items: list[Integration], as_json: bool) -> None:
    if as_json:
        _json(console, [_integration_data(i) for i in items])
        return
    table = Table("id", "name", "kind", "status", "inbox address", "forwarding")
    for item in items:
        status = item.spec.status + (f" ({item.status_reason})" if item.status_reason else "")
        table.add_row(str(item.id), item.name, item.spec.kind, status, _inbox(item) or "", _confirmation(item))
    console.print(table)


def _result_data(path: Path, result: ProcessResult) -> dict[str, Any]:
    data: dict[str, Any] = {
        "file": str(path),
        "delivery_id": result.delivery_id,
        "state": result.state,
        "dry_run": result.dry_run,
        "encoding": result.encoding,
        "created": result.counts.created,
        "updated": result.counts.updated,
        "unchanged": result.counts.unchanged,
        "errors": result.counts.errors,
        "left_out": result.counts.left_out,
        "reason": result.reason,
        "mapping": result.labels,
    }
    if result.duplicate_of:
        data["duplicate_of"] = result.duplicate_of
    if result.replaced:
        data["replaced_delivery"] = result.replaced
    if result.unlisted_rows:
        data["unlisted_rows"] = result.unlisted_rows
    if result.notes:
        data["notes"] = [
            {"line": line, "column": n.column, "value": n.value, "reason": n.reason} for line, n in result.notes
        ]
    if result.rows:
        data["rows"] = [
            {
                "line": r.line,
                "action": r.action,
                "customer_id": r.customer_id if r.action != "created" or not result.dry_run else None,
                "changes": [{"field": c.field, "old": c.old, "new": c.new} for c in r.changes],
                "tags_added": list(r.tags_added),
                "groups_added": list(r.groups_added),
                "errors": [{"column": e.column, "value": e.value, "reason": e.reason} for e in r.errors],
                "notes": list(r.notes),
                "inquiry": inquiry_data(r.inquiry) if r.inquiry is not None else None,
            }
            for r in result.rows
        ]
    return data


def import_results(
    console: Console,
    hub: Hub,
    integration: Integration,
    results: list[tuple[Path, ProcessResult]],
    as_json: bool,
) -> None:
    from renkei.pipeline.deliveries import delivery_errors, iter_delivery_errors

    if as_json:
        out = []
        for path, result in results:
            data = _result_data(path, result)
            if result.delivery_id is not None and not result.dry_run:
                data["row_errors"] = _error_data(iter_delivery_errors(hub, result.delivery_id))
            out.append(data)
        _json_stream(console, out)
        return
    table = Table(
        "file",
        "delivery",
        "state",
        "created",
        "updated",
        "unchanged",
        "errors",
        title=f"→ {integration.name}",
    )
    for path, result in results:
        table.add_row(
            str(path),
            "dry run" if result.dry_run else str(result.delivery_id),
            result.state + (f" (of {result.duplicate_of})" if result.duplicate_of else ""),
            str(result.counts.created),
            str(result.counts.updated),
            str(result.counts.unchanged),
            _errors_cell(result.counts),
        )
    console.print(table)
    for path, result in results:
        if result.reason:
            _say(console, f"{path}: {result.reason}")
        if result.replaced:
            _say(console, f"{path}: replaced delivery {result.replaced} of the same name")
        if result.dry_run:
            for line, note in result.notes:
                _say(console, _field_error_line(path, line, "", note))
            _dry_rows(console, path, result)
        elif result.delivery_id is not None and (result.counts.errors or result.counts.left_out or result.notes):
            # The notes about the file as a whole were recorded first: they lead the list.
            errors = delivery_errors(hub, result.delivery_id, limit=ERRORS_SHOWN)
            for e in errors:
                _say(console, _error_line(path, e))
            if result.counts.errors + result.counts.left_out + len(result.notes) > len(errors):
                _say(console, f"… see `renkei deliveries show {result.delivery_id}` for every row error")


def _errors_cell(counts: Counts) -> str:
    """Rows in error, and the values left out of rows that went in without them."""
    return f"{counts.errors} (+{counts.left_out} values left out)" if counts.left_out else str(counts.errors)


def _say(console: Console, text: str) -> None:
    """One plain line, written as it is: never wrapped (a line stays one line for grep), no markup
    read into it, and none of rich's rendering, which cost 150 µs a line (100,000 row errors: 21 s)."""
    if console.record:  # a console kept for ``export_text``: through rich, which records what it writes
        console.out(text, highlight=False)
        return
    console.file.write(text + "\n")


def _error_line(path: Path | str, e: dict[str, Any]) -> str:
    where = f"row {e['line']}" if e.get("line") else (e.get("locator") or "")
    if where == Path(path).name:  # a note about the file as a whole: its locator is the file's name
        where = ""
    column = f", column {e['column_name']}" if e.get("column_name") else ""
    value = f", value {e['value']!r}" if e.get("value") is not None else ""
    return f"{path}{' ' if where else ''}{where}{column}{value}: {e['reason']}"


def _field_error_line(path: Path | str, line: int | None, locator: str, e: FieldError) -> str:
    """``_error_line`` of a rejected value as mapping reports it (a dry run's rows, a sample's)."""
    error = {"line": line, "locator": locator, "column_name": e.column, "value": e.value, "reason": e.reason}
    return _error_line(path, error)


def _dry_rows(console: Console, path: Path, result: ProcessResult) -> None:
    for row in result.rows:
        if row.action == "error" or row.errors:  # the errors, or the values left out of the row
            for e in row.errors:
                _say(console, _field_error_line(path, row.line, "", e))
        if row.action in ("error", "unchanged"):
            continue
        label = "would create" if row.action == "created" else f"would update customer {row.customer_id}"
        _say(console, f"row {row.line}: {label}")
        for note in row.notes:
            _say(console, f"    ({note})")
        for change in row.changes:
            old = "" if change.old is None else f"{change.old!r} → "
            _say(console, f"    {change.field}: {old}{change.new!r}")
        for tag in row.tags_added:
            _say(console, f"    + tag {tag}")
        for group in row.groups_added:
            _say(console, f"    + group {group}")
        if row.inquiry is not None:
            _say(console, f"    + inquiry {_inquiry_line(inquiry_data(row.inquiry))}")
    if result.unlisted_rows:
        _say(
            console,
            f"{path}: {result.unlisted_rows:,} more rows not listed (a dry run lists the first "
            f"{len(result.rows):,}; the counts above cover every row)",
        )


def _delivery_data(d: Delivery) -> dict[str, Any]:
    return {
        "id": d.id,
        "integration_id": d.integration_id,
        "file_name": d.file_name,
        "channel": d.channel,
        "state": d.state,
        "reason": d.reason,
        "sha256": d.sha256,
        "size": d.size,
        "received_at": d.received_at,
        "processed_at": d.processed_at,
        "created": d.counts.created,
        "updated": d.counts.updated,
        "unchanged": d.counts.unchanged,
        "errors": d.counts.errors,
        "left_out": d.counts.left_out,
        "duplicate_of": d.duplicate_of,
        "replaced_by": d.replaced_by,
        "auth": d.meta.get("auth"),
    }


def _auth_line(auth: dict[str, Any] | None) -> str | None:
    """A mail's SPF and DKIM results on one line (``spf=pass (example.jp) dkim=none``)."""
    if not auth:
        return None
    parts = []
    for check in ("spf", "dkim"):
        if result := auth.get(check):
            domain = f" ({result['domain']})" if result.get("domain") else ""
            parts.append(f"{check}={result.get('result')}{domain}")
    return " ".join(parts) or None


def deliveries(console: Console, hub: Hub, items: list[Delivery], as_json: bool) -> None:
    if as_json:
        _json(console, [_delivery_data(d) for d in items])
        return
    table = Table("id", "file", "channel", "state", "received", "created", "updated", "unchanged", "errors")
    for d in items:
        table.add_row(
            str(d.id),
            d.file_name or "",
            d.channel,
            d.state,
            str(d.received_at)[:19],
            str(d.counts.created),
            str(d.counts.updated),
            str(d.counts.unchanged),
            _errors_cell(d.counts),
        )
    console.print(table)


def delivery(console: Console, d: Delivery, errors: Iterable[dict[str, Any]], as_json: bool) -> None:
    if as_json:
        data = _delivery_data(d)
        data["row_errors"] = _error_data(errors)
        _json_stream(console, data)
        return
    for key, value in _delivery_data(d).items():
        if key == "auth":
            value = _auth_line(value)
        if value is not None:
            _say(console, f"{key:13} {value}")
    if d.state == "processed" and (d.counts.created or d.counts.updated):
        _say(console, f"{'customers':13} renkei customers list --delivery {d.id}")
    for e in errors:
        _say(console, _error_line(d.file_name or "", e))


def replay(console: Console, result: ProcessResult, as_json: bool) -> None:
    if as_json:
        data = _result_data(Path(""), result)
        data.pop("file")
        data.pop("rows", None)
        data["diffs"] = [
            {
                "customer_id": d.customer_id,
                "kind": d.kind,
                "fields": [{"field": f, "old": o, "new": n} for f, o, n in d.fields],
            }
            for d in result.diffs
        ]
        _json(console, data)
        return
    verb = "would be" if result.dry_run else "is now"
    _say(
        console,
        f"delivery {result.delivery_id} {verb} {result.state}: {result.counts.created} created, "
        f"{result.counts.updated} updated, {result.counts.unchanged} unchanged, {result.counts.errors} errors",
    )
    for d in result.diffs:
        _say(console, f"customer {d.customer_id}: {d.kind}")
        for name, old, new in d.fields:
            _say(console, f"    {name}: {old!r} → {new!r}")


def sample(console: Console, found: Sample, as_json: bool) -> None:
    if as_json:
        _json(console, found.as_data())
        return
    head = f"delivery {found.delivery_id} ({found.rows_in_delivery} rows)"
    if found.verdict is not None:
        _say(console, f"{head}: {found.verdict}: {found.reason or ''}")
        return
    _say(
        console,
        f"{head}: the first {len(found.rows)} rows as the mapping reads them, {found.errors} with errors",
    )
    for label, target in found.labels.items():
        _say(console, f"  {label} → {target or '(not imported)'}")
    for row in found.rows:
        for e in row.errors:
            _say(console, _field_error_line("", row.line, row.locator, e).lstrip())
        if not row.rejected:
            where = f"row {row.line}" if row.line is not None else row.locator
            values = ", ".join(f"{name}={value}" for name, value in row.values)
            _say(console, f"{where}: {values}")


def _page(
    console: Console,
    items: list[dict[str, Any]],
    next_cursor: str | None,
    as_json: bool,
    columns: tuple[str, ...],
    cells: Callable[[dict[str, Any]], list[str]],
) -> None:
    """A page of a list: JSON, or a table of ``columns`` with ``cells`` of each item, and the next
    page's cursor."""
    if as_json:
        _json(console, {"items": items, "next_cursor": next_cursor})
        return
    if not items:
        _say(console, "(none)")
        return
    table = Table(*columns)
    for item in items:
        table.add_row(*cells(item))
    console.print(table)
    if next_cursor:
        _say(console, f"more: --cursor {next_cursor}")


def customer_page(console: Console, items: list[dict[str, Any]], next_cursor: str | None, as_json: bool) -> None:
    """A page of customer summaries (``browse.page_customers``), and the cursor of the next."""
    items = [{**c, "updated_at": jsonable(c["updated_at"])} for c in items]  # Japan time, with its offset
    columns = ("id", "name", "e-mail", "phone", "company", "owner", "status", "tags", "updated")
    _page(
        console,
        items,
        next_cursor,
        as_json,
        columns,
        lambda c: [
            str(c["id"]),
            person_name(c["last_name"], c["first_name"]) + (" (values left out)" if c["left_out"] else ""),
            c["email"] or "",
            c["phone"] or c["mobile"] or "",
            c["company_name"] or "",
            c["owner"] or "",
            c["status"] or "",
            ", ".join([*c["tags"], *c["groups"]]),
            minute(c["updated_at"]),
        ],
    )


def inquiry_page(console: Console, items: list[dict[str, Any]], next_cursor: str | None, as_json: bool) -> None:
    """A page of inquiries (``browse.page_inquiries``), and the cursor of the next."""
    columns = ("id", "received", "customer", "source", "inquiry", "integration / delivery")
    _page(
        console,
        items,
        next_cursor,
        as_json,
        columns,
        lambda i: [
            str(i["id"]),
            minute(i["received_at"]),
            f"{person_name(i['last_name'], i['first_name'])} (#{i['customer_id']})",
            i["source"],
            _inquiry_what(i),
            f"{i['integration']} / {i['delivery_id']}",
        ],
    )


def customer(console: Console, data: dict[str, Any], as_json: bool) -> None:
    if as_json:
        _json(console, data)
        return
    _say(console, f"customer {data['id']}")
    table = Table("field", "value", "source")
    for name, item in data["fields"].items():
        source = item["source"]
        where = f"{source['integration']} / delivery {source['delivery_id']} at {source['at']}" if source else ""
        table.add_row(name, str(item["value"]), where)
    console.print(table)
    if data["tags"]:
        _say(console, "tags: " + ", ".join(data["tags"]))
    if data["groups"]:
        _say(console, "groups: " + ", ".join(data["groups"]))
    for h in data["history"]:
        _say(console, f"{h['at']} {h['field']}: {h['old']!r} → {h['new']!r}")
    if data["inquiries"]:
        inquiries = Table("received", "source", "inquiry", title="inquiries")
        for i in data["inquiries"]:
            inquiries.add_row(minute(i["received_at"]), i["source"], _inquiry_what(i))
        console.print(inquiries)
    for left in data["left_out"]:
        source = left["source"]
        _say(
            console,
            f"left out of delivery {source['delivery_id']} ({source['integration']}): "
            f"{left['column'] or ''} {left['value']!r}: {left['reason']}",
        )


def _inquiry_what(inquiry: dict[str, Any]) -> str:
    """What an inquiry says: its id, property (name, code, price, layout, page), message and what else
    it said (``label: value``), a line each."""
    property_line = " ".join(
        str(inquiry[name])
        for name in ("property_name", "property_code", "own_property_code", "price", "layout")
        if inquiry[name]
    )
    lines = [
        f"#{inquiry['external_id']}" if inquiry["external_id"] else "",
        property_line,
        inquiry["property_url"] or "",
        inquiry["message"] or "",
        *(f"{label}: {value}" for label, value in (inquiry["extra"] or {}).items()),
    ]
    return "\n".join(line for line in lines if line)


def _inquiry_line(inquiry: dict[str, Any]) -> str:
    """An inquiry on one line (a dry run's row): when, from where, and what it says, its message's first line."""
    what = _inquiry_what(inquiry).replace("\n", " · ")
    parts = (minute(inquiry["received_at"]), inquiry["source"], what)
    line = " · ".join(part for part in parts if part)
    return line if len(line) <= 100 else line[:99] + "…"


def rows(console: Console, items: list[dict[str, Any]], as_json: bool) -> None:
    """A list of flat records: JSON, or a table whose columns are the records' keys."""
    if as_json:
        _json(console, items)
        return
    if not items:
        _say(console, "(none)")
        return
    table = Table(*items[0].keys())
    for item in items:
        table.add_row(*("" if v is None else str(v) for v in item.values()))
    console.print(table)


def check(console: Console, name: str, result: Any, as_json: bool) -> None:
    """What one check of a pull integration did (``renkei run``)."""
    files = [
        {"file": f.name, "delivery_id": f.delivery_id, "state": f.state, "reason": f.reason, "same_as": f.same_as,
         "created": f.counts.created, "updated": f.counts.updated, "unchanged": f.counts.unchanged,
         "errors": f.counts.errors}
        for f in result.files
    ]  # fmt: skip
    if as_json:
        _json(
            console,
            {"check_id": result.check_id, "integration": name, "state": result.state, "found": result.found,
             "landed": result.landed, "files": files, "skipped": [{"file": n, "reason": r} for n, r in result.skipped],
             "waiting": result.waiting, "finished": result.finished, "problems": result.problems},
        )  # fmt: skip
        return
    if result.check_id is None:
        return
    _say(
        console,
        f"check {result.check_id} of {name!r}: {result.found} new file(s) found, {result.landed} landed",
    )
    for f in files:
        counts = f"{f['created']} created, {f['updated']} updated, {f['unchanged']} unchanged, {f['errors']} errors"
        line = f"  {f['file']} → delivery {f['delivery_id']}: {f['state']}"
        line += f" ({f['reason']})" if f["reason"] and f["state"] != "processed" else f" ({counts})"
        _say(console, line)
    for file_name in result.finished:
        _say(console, f"  {file_name}: landed by an earlier check, finished now")
    for file_name in result.waiting:
        _say(console, f"  {file_name}: still changing, left for the next check")
    for file_name, reason in result.skipped:
        _say(console, f"  {file_name}: skipped, {reason}")


def poll(console: Console, name: str, result: Any, as_json: bool) -> None:
    """What one poll of a mail integration's IMAP mailbox did (``renkei run``)."""
    data = {
        "integration": name,
        "found": result.found,
        "landed": result.landed,
        "duplicates": result.duplicates,
        "finished": result.finished,
        "skipped": [{"message": key, "reason": why} for key, why in result.skipped],
    }
    if as_json:
        _json(console, data)
        return
    _say(
        console,
        f"poll of {name!r}: {result.found} message(s) in the folder, {len(result.landed)} landed"
        f" (deliveries {', '.join(map(str, result.landed)) or '-'}), {result.duplicates} duplicate(s),"
        f" {result.finished} marked on the server",
    )
    for key, why in result.skipped:
        _say(console, f"  message {key} left alone: {why}")
