"""Service functions for deliveries: land, process, undo, replay, list and show.

A delivery is landed (archived durably, then recorded as ``received``) before anything else
happens to it; processing then runs in one transaction, so a crash at any point leaves either
the delivery's whole effect or none of it, and a ``received`` delivery is simply processed
again (``resume_pending``).
"""

from __future__ import annotations

import itertools
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

from pydantic import SecretStr
from sqlalchemy import Connection, bindparam, delete, desc, func, select, union_all

from renkei import failpoints
from renkei.core.keyfilter import KeyFilter
from renkei.core.keyfilter import size_for as key_filter_size
from renkei.core.mapping import CompiledMapping
from renkei.core.patch import FieldError
from renkei.errors import ConfigurationError, FatalError, NotFoundError, RenkeiError
from renkei.pipeline import progress
from renkei.pipeline.apply import REPORTED_ROWS, ApplyContext, Counts, RowReport, apply_batch, record_notes
from renkei.pipeline.diff import CustomerDiff, diff_customers, snapshot
from renkei.pipeline.hub import Hub, utcnow
from renkei.pipeline.integrations import Integration, get_integration
from renkei.pipeline.parallel import PARALLEL_BYTES, mapped_batches
from renkei.pipeline.sandbox import sandbox
from renkei.pipeline.specs import MappingModel
from renkei.pipeline.undo import touched_by, undo_delivery_in
from renkei.sources.ppap import waits_for_password
from renkei.sources.registry import Extraction
from renkei.store.archive import Stored
from renkei.store.customers import IdAllocator, count_customers, hold_customers, stored_keys
from renkei.store.db import LANDINGS, hold
from renkei.store.freed import FreedKeys
from renkei.store.schema import deliveries, inquiries, row_errors

TERMINAL = ("processed", "failed", "duplicate", "ignored", "undone", "replaced", "quarantined")


@dataclass(frozen=True, slots=True)
class Delivery:
    """A delivery as stored."""

    id: int
    integration_id: int
    sha256: str
    size: int
    file_name: str | None
    channel: str
    state: str
    reason: str | None
    received_at: Any
    processed_at: Any
    counts: Counts
    duplicate_of: int | None
    replaced_by: int | None
    meta: dict[str, Any]


@dataclass(slots=True)
class ProcessResult:
    """What processing (or a dry run of it) did."""

    delivery_id: int | None
    state: str
    counts: Counts = field(default_factory=Counts)
    reason: str | None = None
    labels: dict[str, str | None] = field(default_factory=dict)
    encoding: str | None = None
    rows: list[RowReport] = field(default_factory=list)
    diffs: list[CustomerDiff] = field(default_factory=list)
    dry_run: bool = False
    duplicate_of: int | None = None
    replaced: int | None = None
    touched: set[int] = field(default_factory=set)
    #: Files a mail carried (name, bytes), and the deliveries they became.
    parts: list[tuple[str, bytes]] = field(default_factory=list)
    children: list[int] = field(default_factory=list)
    #: What became of each of those files, by its name (processed at once, or a dry run's).
    child_results: list[tuple[str, ProcessResult]] = field(default_factory=list)
    #: What the source said about the payload (a mail's verdict: lead, confirmation, …).
    meta: dict[str, Any] = field(default_factory=dict)
    #: What the source noticed about the payload as a whole, by line (not errors; see Extraction).
    notes: list[tuple[int | None, FieldError]] = field(default_factory=list)

    @property
    def unlisted_rows(self) -> int:
        """Rows a dry run counted but does not list (past ``REPORTED_ROWS``)."""
        return max(0, self.counts.rows - len(self.rows)) if self.dry_run else 0


def delivery_from_row(row: Any) -> Delivery:
    """A ``deliveries`` row as a Delivery."""
    return Delivery(
        id=int(row.id),
        integration_id=int(row.integration_id),
        sha256=row.sha256,
        size=int(row.size),
        file_name=row.file_name,
        channel=row.channel,
        state=row.state,
        reason=row.reason,
        received_at=row.received_at,
        processed_at=row.processed_at,
        counts=Counts(row.created_count, row.updated_count, row.unchanged_count, row.error_count, row.left_out_count),
        duplicate_of=row.duplicate_of,
        replaced_by=row.replaced_by,
        meta=dict(row.meta or {}),
    )


def load_delivery(conn: Connection, hub: Hub, delivery_id: int) -> Delivery:
    """A delivery of the hub's workspace, read in the caller's transaction; NotFoundError for any other."""
    row = conn.execute(
        select(deliveries).where(deliveries.c.workspace_id == hub.workspace_id, deliveries.c.id == delivery_id)
    ).first()
    if row is None:
        raise NotFoundError(f"no delivery {delivery_id} in workspace {hub.workspace!r}")
    return delivery_from_row(row)


def get_delivery(hub: Hub, delivery_id: int) -> Delivery:
    """A delivery of this workspace by id."""
    with hub.engine.connect() as conn:
        return load_delivery(conn, hub, delivery_id)


def list_deliveries(hub: Hub, integration: Integration | None = None, limit: int = 50) -> list[Delivery]:
    """The newest deliveries first."""
    query = select(deliveries).where(deliveries.c.workspace_id == hub.workspace_id)
    if integration is not None:
        query = query.where(deliveries.c.integration_id == integration.id)
    with hub.engine.connect() as conn:
        rows = conn.execute(query.order_by(desc(deliveries.c.id)).limit(limit)).all()
    return [delivery_from_row(r) for r in rows]


def delivery_errors(hub: Hub, delivery_id: int, limit: int | None = None) -> list[dict[str, Any]]:
    """The row errors of a delivery, in file order (the first ``limit`` of them)."""
    return list(itertools.islice(iter_delivery_errors(hub, delivery_id), limit))


#: Row errors read from the store at a time when all of a delivery's are listed.
ERRORS_PART = 5000


def iter_delivery_errors(hub: Hub, delivery_id: int) -> Iterator[dict[str, Any]]:
    """Every row error of a delivery, in file order, read a part at a time: a file of bad rows
    can have millions, and ``renkei deliveries show`` lists them all."""
    with hub.engine.connect() as conn:
        load_delivery(conn, hub, delivery_id)
        query = select(row_errors).where(row_errors.c.delivery_id == delivery_id).order_by(row_errors.c.id)
        for row in conn.execution_options(yield_per=ERRORS_PART).execute(query):
            yield dict(row._mapping)


def delivery_labels(hub: Hub, delivery_id: int) -> list[str]:
    """The labels (a file's header, a mail's fields) a delivery's payload has, read again from the archive."""
    delivery = get_delivery(hub, delivery_id)
    integration = get_integration(hub, delivery.integration_id)
    path = hub.archive.path_for(delivery.sha256)
    if not path.exists():
        return []
    try:
        extraction = integration.kind.extract(path, integration.settings, delivery.file_name)
    except (RenkeiError, ValueError, OSError):
        return []  # a payload that cannot be read has no labels to offer
    if extraction.close is not None:
        extraction.close()
    return [label for label in extraction.labels if label.strip()]


def land(
    hub: Hub,
    integration: Integration,
    source: Path | bytes | BinaryIO,
    *,
    file_name: str | None,
    channel: str,
    meta: dict[str, Any] | None = None,
    force: bool = False,
) -> tuple[Delivery, bool]:
    """Archive a payload durably, then record it: (delivery, is_new).

    The same content for the same integration is recorded as a duplicate of the delivery that
    already has it (is_new False) unless ``force`` is set; one still ``received`` (a crash came between landing and
    processing) is returned as it is, to be processed now.
    """
    if isinstance(source, Path):
        stored = hub.archive.put_file(source)
    elif isinstance(source, bytes):
        stored = hub.archive.put_bytes(source)
    else:
        stored = hub.archive.put_stream(source)
    failpoints.hit("land.archived")
    with hub.engine.begin() as conn:
        delivery, is_new = record_landing(
            conn, hub, integration, stored, file_name=file_name, channel=channel, meta=meta, force=force
        )
    failpoints.hit("land.recorded")
    return delivery, is_new


def _earlier_copy_statement() -> Any:
    """The first delivery of an integration with some content or some Message-ID that counts.

    One indexed lookup per key, joined with UNION ALL: an ``OR`` of the two keys makes SQLite
    scan every delivery of the integration, which grows with every mail an inbox ever took.
    Built once: making a union's column collections costs more than running it.
    """
    counted = deliveries.c.state.in_(("received", "processed", "not-a-lead"))
    integration = deliveries.c.integration_id == bindparam("integration_id")
    by_content = select(deliveries).where(integration, deliveries.c.sha256 == bindparam("sha256"), counted)
    by_message = select(deliveries).where(integration, deliveries.c.message_id == bindparam("message_id"), counted)
    found = union_all(by_content, by_message).subquery()
    return select(found).order_by(found.c.id).limit(1)


_EARLIER_COPY = _earlier_copy_statement()


def _earlier_copy(conn: Connection, integration_id: int, sha256: str, message_id: str | None) -> Any:
    """The earlier delivery this content or Message-ID (None: none, matches nothing) repeats, if any."""
    params = {"integration_id": integration_id, "sha256": sha256, "message_id": message_id}
    return conn.execute(_EARLIER_COPY, params).first()


def record_landing(
    conn: Connection,
    hub: Hub,
    integration: Integration,
    stored: Stored,
    *,
    file_name: str | None,
    channel: str,
    meta: dict[str, Any] | None = None,
    force: bool = False,
) -> tuple[Delivery, bool]:
    """Record an archived payload as a delivery inside the caller's transaction: (delivery, is_new).

    The integration's landings take turns (``hold``; a caller recording for several integrations
    holds them all first): two copies of one mail landing at once would each find no earlier
    copy, and both be processed.
    """
    hold(conn, LANDINGS, integration.id)
    now = utcnow()
    message_id = (meta or {}).get("message_id")
    earlier = _earlier_copy(conn, integration.id, stored.sha256, message_id)
    if earlier is not None and earlier.state == "received":
        return delivery_from_row(earlier), True
    if force:
        earlier = None
    values = {
        "workspace_id": hub.workspace_id,
        "integration_id": integration.id,
        "sha256": stored.sha256,
        "size": stored.size,
        "file_name": file_name,
        "channel": channel,
        "received_at": now,
        "meta": meta or {},
        "message_id": message_id,
        "state": "received",
        "duplicate_of": None,
        "processed_at": None,
        "reason": None,
    }
    if earlier is not None:
        values |= {
            "state": "duplicate",
            "duplicate_of": earlier.id,
            "processed_at": now,
            "reason": f"same {'Message-ID' if message_id and earlier.message_id == message_id else 'content'} "
            f"as delivery {earlier.id}",
        }
    row = conn.execute(_INSERT_DELIVERY, values).one()
    return delivery_from_row(row), earlier is None


#: Built once: every landing runs it (the values are its parameters).
_INSERT_DELIVERY = deliveries.insert().returning(*deliveries.c)


def _apply_payload(
    conn: Connection,
    hub: Hub,
    integration: Integration,
    delivery_id: int,
    path: Path,
    file_name: str | None,
    collect_rows: bool,
    freed: FreedKeys | None = None,
    extraction: Extraction | None = None,
    allocator: IdAllocator | None = None,
    mappings: dict[tuple[int, tuple[str, ...]], CompiledMapping] | None = None,
) -> ProcessResult:
    """Apply one payload inside ``conn``'s transaction.

    ``mappings`` keeps compiled mappings by (integration, labels) for a caller that applies
    many payloads of the same shape in one go (a batch of portal mails compiles each once).
    """
    if extraction is None:
        extraction = integration.kind.extract(path, integration.settings, file_name)
    if extraction.verdict == "split":
        # A mail carrying files: each becomes a delivery of its own (see process_delivery).
        result = ProcessResult(delivery_id, "split", reason=extraction.reason)
        result.parts = list(extraction.meta.get("parts", []))
        return result
    if extraction.verdict is not None:
        # Not a lead, unreadable or a broken lead: recorded with its reason, nothing applied.
        return ProcessResult(delivery_id, extraction.verdict, reason=extraction.reason, meta=dict(extraction.meta))
    duplicate = _known_inquiry(conn, hub, extraction)
    if duplicate is not None:
        return ProcessResult(
            delivery_id, "duplicate", reason=f"the same inquiry arrived in delivery {duplicate}", duplicate_of=duplicate
        )
    shape = (integration.id, tuple(extraction.labels))
    mapping = mappings.get(shape) if mappings is not None else None
    if mapping is None:
        mapping = integration.compile_mapping(extraction.labels)
        if mappings is not None:
            mappings[shape] = mapping
    ctx = ApplyContext(
        conn=conn,
        workspace_id=hub.workspace_id,
        integration_id=integration.id,
        delivery_id=delivery_id,
        source_name=source_name(integration, path, file_name),
        mapping=mapping,
        policy=integration.spec.policies.to_core(),
        defaults=integration.spec.defaults.to_core(),
        match_keys=tuple(integration.spec.policies.match_keys),
        now=utcnow(),
        collect_rows=collect_rows,
        freed=freed,
        allocator=allocator,
    )
    size = path.stat().st_size
    # A dry run too: it lists the first rows, and a large file's dry run (a mapping preview) is
    # otherwise half again as long as its import.
    parallel = size >= PARALLEL_BYTES
    seen = _key_filter(conn, hub.workspace_id, integration.id, size) if integration.kind.accepts_files else None

    if parallel and extraction.close is not None:
        # The header was read here to compile the mapping; the child reads the records again.
        extraction.close()

    def reopen() -> Extraction:
        return integration.kind.extract(path, integration.settings, file_name) if parallel else extraction

    record_notes(ctx, extraction.notes)
    for batch, maybe in mapped_batches(reopen, mapping, ctx.source_name, parallel, seen, ctx.match_keys):
        apply_batch(ctx, batch, maybe)
        progress.advance(delivery_id, len(batch))
        failpoints.hit("process.batch")
    counts = ctx.counts
    rows_seen = counts.rows
    state = "failed" if rows_seen and counts.errors == rows_seen else "processed"
    reason = "every row has an error" if state == "failed" else None
    result = ProcessResult(delivery_id, state, counts, reason, mapping.targets(), extraction.encoding, ctx.rows)
    result.touched = ctx.touched
    result.meta = dict(extraction.meta)
    result.notes = [*extraction.notes, *ctx.notes]
    return result


def source_name(integration: Integration, path: Path, file_name: str | None) -> str:
    """What row errors and row locators call a payload: its file name, or "mail"."""
    return file_name or (path.name if integration.kind.accepts_files else "mail")


#: Bytes a file row takes at the least, about: a payload's size over it bounds its rows.
ROW_BYTES = 100
#: Reading a stored key into the filter costs about a third of looking up one that finds nobody
#: (0.8 against 2 µs): the filter is seeded when the workspace holds at most a quarter as many
#: customers as the file may have rows, and it then saves a lookup for nearly every new record.
SEED_SHARE = 4


def _key_filter(conn: Connection, workspace_id: int, integration_id: int, payload_bytes: int) -> KeyFilter | None:
    """A filter holding every key value that can find a stored customer, for a payload of
    ``payload_bytes`` (``parallel.screen``); None, every key looked up, when the workspace holds
    too many customers for reading their keys to pay.

    No other writer can add a customer before this transaction ends (``hold_customers``), so a
    key value that is neither stored nor brought by an earlier record cannot find anybody. An
    empty workspace (a first import, a file replacing the only one) needs nothing read; a
    replaced file whose customers others touched leaves those, and their keys are read in.
    """
    most = payload_bytes // ROW_BYTES // SEED_SHARE
    stored = count_customers(conn, workspace_id, most + 1)
    if stored > most:
        return None
    seen = KeyFilter(key_filter_size(payload_bytes + stored * ROW_BYTES))
    if stored:
        seen.add_all(stored_keys(conn, workspace_id, integration_id))
    return seen


_KNOWN_INQUIRY = (
    select(inquiries.c.delivery_id)
    .where(
        inquiries.c.workspace_id == bindparam("workspace_id"),
        inquiries.c.source == bindparam("source"),
        inquiries.c.external_id == bindparam("external_id"),
    )
    .limit(1)
)


def _known_inquiry(conn: Connection, hub: Hub, extraction: Extraction) -> int | None:
    """The delivery that already brought this inquiry (same source and external id), if any."""
    source, external_id = extraction.meta.get("inquiry_source"), extraction.meta.get("inquiry_external_id")
    if not source or not external_id:
        return None
    params = {"workspace_id": hub.workspace_id, "source": source, "external_id": external_id}
    found = conn.execute(_KNOWN_INQUIRY, params).scalar()
    return int(found) if found is not None else None


def _previous_same_name(conn: Connection, delivery: Delivery) -> int | None:
    if not delivery.file_name:
        return None
    found = conn.execute(
        select(deliveries.c.id)
        .where(
            deliveries.c.integration_id == delivery.integration_id,
            deliveries.c.file_name == delivery.file_name,
            deliveries.c.state == "processed",
            deliveries.c.id != delivery.id,
        )
        .order_by(desc(deliveries.c.id))
        .limit(1)
    ).scalar()
    return int(found) if found is not None else None


#: Built once: every delivery ends with it (building an UPDATE costs more than running it).
_FINISH = (
    deliveries.update()
    .where(deliveries.c.id == bindparam("delivery_id"))
    .values(
        state=bindparam("state"),
        reason=bindparam("reason"),
        processed_at=bindparam("processed_at"),
        duplicate_of=bindparam("duplicate_of"),
        created_count=bindparam("created_count"),
        updated_count=bindparam("updated_count"),
        unchanged_count=bindparam("unchanged_count"),
        error_count=bindparam("error_count"),
        left_out_count=bindparam("left_out_count"),
    )
)


def _finish(conn: Connection, delivery_id: int, result: ProcessResult) -> None:
    counts = result.counts
    conn.execute(
        _FINISH,
        {
            "delivery_id": delivery_id,
            "state": result.state,
            "reason": result.reason,
            "processed_at": utcnow(),
            "duplicate_of": result.duplicate_of,
            "created_count": counts.created,
            "updated_count": counts.updated,
            "unchanged_count": counts.unchanged,
            "error_count": counts.errors,
            "left_out_count": counts.left_out,
        },
    )


def after_delivery(
    conn: Connection, hub: Hub, integration: Integration, delivery: Delivery, result: ProcessResult
) -> None:
    """Hook run inside the delivery's transaction once its result is known (report mails, …).

    Whatever it queues commits or rolls back with the delivery itself.
    """
    for hook in AFTER_DELIVERY:
        hook(conn, hub, integration, delivery, result)


#: Functions called by ``after_delivery``; a module that reacts to results appends itself here.
AFTER_DELIVERY: list[Any] = []


def _fail(hub: Hub, delivery_id: int, reason: str) -> ProcessResult:
    # Read before the transaction: on SQLite a second connection cannot begin while it is open.
    with hub.engine.connect() as read:
        integration_id = load_delivery(read, hub, delivery_id).integration_id
    try:
        integration: Integration | None = get_integration(hub, integration_id)
    except RenkeiError:
        integration = None
    with hub.engine.begin() as conn:
        conn.execute(
            deliveries.update()
            .where(deliveries.c.id == delivery_id)
            .values(state="failed", reason=reason, processed_at=utcnow())
        )
        delivery = load_delivery(conn, hub, delivery_id)
        result = ProcessResult(delivery_id, "failed", reason=reason)
        if integration is not None:
            after_delivery(conn, hub, integration, delivery, result)
    return result


def _land_parts(conn: Connection, hub: Hub, integration: Integration, parent: Delivery, result: ProcessResult) -> None:
    """Archive each file a mail or a ZIP file carried and record it as a delivery, in the parent's
    transaction: a mail's as channel ``mail``, a ZIP file's on the channel the ZIP came by."""
    names = []
    mail = parent.file_name is None
    channel, meta = ("mail", {"mail_delivery": parent.id}) if mail else (parent.channel, {"zip_delivery": parent.id})
    for name, data in result.parts:
        stored = hub.archive.put_bytes(data)
        child, is_new = record_landing(conn, hub, integration, stored, file_name=name, channel=channel, meta=meta)
        names.append(f"{name} → delivery {child.id}" + ("" if is_new else " (duplicate)"))
        if is_new:
            result.children.append(child.id)
    result.state = "processed"
    result.reason = f"{len(result.parts)} file(s): {', '.join(names)}"
    result.parts = []


def _claim(conn: Connection, delivery_id: int) -> bool:
    """Whether the delivery is still ``received``, holding it for this transaction.

    PostgreSQL locks the row (a second worker waits, then sees it processed); SQLite
    transactions here hold the database's write lock from their start.
    """
    query = select(deliveries.c.state).where(deliveries.c.id == delivery_id)
    if conn.dialect.name == "postgresql":
        query = query.with_for_update()
    return bool(conn.execute(query).scalar() == "received")


def process_delivery(hub: Hub, delivery_id: int, *, collect_rows: bool = False) -> ProcessResult:
    """Apply a landed delivery in one transaction, replacing an earlier file of the same name."""
    with hub.engine.connect() as conn:
        delivery = load_delivery(conn, hub, delivery_id)
    if delivery.state != "received":
        raise FatalError(f"delivery {delivery_id} is {delivery.state}, not waiting to be processed")
    integration = get_integration(hub, delivery.integration_id)
    if integration.spec.status == "stopped":
        with hub.engine.begin() as conn:
            conn.execute(
                deliveries.update()
                .where(deliveries.c.id == delivery_id)
                .values(state="ignored", reason="the integration is stopped", processed_at=utcnow())
            )
        return ProcessResult(delivery_id, "ignored", reason="the integration is stopped")
    path = hub.archive.path_for(delivery.sha256)
    try:
        # A mail is decoded and parsed before the transaction, so the write lock is held only to apply it.
        # (A file is read as it is applied: its extraction is lazy.)
        quarantined = bool(delivery.meta.get("quarantine"))
        early = None
        if not quarantined and delivery.file_name is None and not integration.kind.accepts_files:
            early = integration.kind.extract(path, integration.settings, None)
        with hub.engine.connect() as conn, conn.begin():
            hold_customers(conn, hub.workspace_id)
            if not _claim(conn, delivery_id):
                # Another worker (a resume at start, a second node) processed it meanwhile.
                now_state = load_delivery(conn, hub, delivery_id).state
                return ProcessResult(delivery_id, now_state, reason="already processed by another worker")
            replaced = _previous_same_name(conn, delivery)
            if replaced is not None:
                undo_delivery_in(conn, hub.workspace_id, replaced, utcnow())
                conn.execute(
                    deliveries.update()
                    .where(deliveries.c.id == replaced)
                    .values(
                        state="replaced",
                        replaced_by=delivery.id,
                        reason=f"replaced by delivery {delivery.id} of the same name",
                    )
                )
            if quarantined:
                # Held by its channel at landing (a failed SPF/DKIM check); a replay processes it anyway.
                result = ProcessResult(delivery_id, "quarantined", reason=str(delivery.meta["quarantine"]))
            else:
                result = _apply_payload(
                    conn, hub, integration, delivery_id, path, delivery.file_name, collect_rows, extraction=early
                )
            result.replaced = replaced
            if result.state == "split":
                _land_parts(conn, hub, integration, delivery, result)
            _finish(conn, delivery_id, result)
            after_delivery(conn, hub, integration, delivery, result)
            failpoints.hit("process.before_commit")
        failpoints.hit("process.committed")
        result.child_results = _process_children(hub, result.children, collect_rows)
    except RenkeiError as error:
        result = _fail(hub, delivery_id, str(error))  # a protected workbook's password, among others
    result.child_results += after_ppap(hub, delivery_id, result)
    return result


def import_file(
    hub: Hub,
    integration: Integration,
    path: Path,
    *,
    file_name: str | None = None,
    channel: str = "cli",
    collect_rows: bool = False,
    force: bool = False,
) -> ProcessResult:
    """Land a file and process it: the one call behind ``renkei import``.

    ``force`` processes content that was already imported instead of recording a duplicate.
    """
    delivery, is_new = land(hub, integration, path, file_name=file_name or path.name, channel=channel, force=force)
    if not is_new:
        result = ProcessResult(delivery.id, "duplicate", reason=delivery.reason, duplicate_of=delivery.duplicate_of)
        # A ZIP file imported before whose files were landed but not processed (a crash between the two).
        if delivery.duplicate_of is not None:
            with hub.engine.connect() as conn:
                first = load_delivery(conn, hub, delivery.duplicate_of)
                waiting = _files_of(conn, first, "received") if first.state == "processed" else []
            result.child_results = _process_children(hub, waiting, collect_rows)
        return result
    return process_delivery(hub, delivery.id, collect_rows=collect_rows)


def dry_run_file(hub: Hub, integration: Integration, path: Path, *, file_name: str | None = None) -> ProcessResult:
    """What importing ``path`` would do, row by row; nothing is written or archived."""
    with sandbox(hub, path.stat().st_size) as working:
        return _dry_run_file(working, integration, path, file_name)


def _dry_run_file(hub: Hub, integration: Integration, path: Path, file_name: str | None) -> ProcessResult:
    name = file_name or path.name
    with hub.engine.connect() as conn:
        tx = conn.begin()
        try:
            hold_customers(conn, hub.workspace_id)
            placeholder = _placeholder(conn, hub, integration, name)
            result = _apply_payload(conn, hub, integration, placeholder, path, name, True)
            if result.state == "split":  # a ZIP file: each of its files, one after the other
                result.child_results = _dry_run_parts(conn, hub, integration, result.parts)
                result.state, result.parts = "processed", []
                result.reason = f"{len(result.child_results)} file(s): {', '.join(n for n, _ in result.child_results)}"
        finally:
            tx.rollback()
    for done in [result, *(child for _, child in result.child_results)]:
        done.delivery_id, done.dry_run = None, True
    return result


def _dry_run_parts(
    conn: Connection, hub: Hub, integration: Integration, parts: list[tuple[str, bytes]]
) -> list[tuple[str, ProcessResult]]:
    done = []
    with tempfile.TemporaryDirectory(prefix="renkei-parts-") as folder:
        for number, (name, data) in enumerate(parts):
            part = Path(folder, f"{number}{Path(name).suffix}")
            part.write_bytes(data)
            placeholder = _placeholder(conn, hub, integration, name)
            done.append((name, _apply_payload(conn, hub, integration, placeholder, part, name, True)))
    return done


def _placeholder(conn: Connection, hub: Hub, integration: Integration, file_name: str) -> int:
    """A dry run's delivery, rolled back with it."""
    return int(
        conn.execute(
            deliveries.insert()
            .values(
                workspace_id=hub.workspace_id,
                integration_id=integration.id,
                sha256="-" * 64,
                size=0,
                file_name=file_name,
                channel="dry-run",
                state="received",
                received_at=utcnow(),
                meta={},
            )
            .returning(deliveries.c.id)
        ).scalar_one()
    )


def undo_delivery(hub: Hub, delivery_id: int) -> Delivery:
    """Take back everything a processed delivery did; it stays in the history as ``undone``. A mail's
    or a ZIP file's files, deliveries of their own, are taken back with it (newest first)."""
    with hub.engine.connect() as conn, conn.begin():
        hold_customers(conn, hub.workspace_id)
        delivery = load_delivery(conn, hub, delivery_id)
        if delivery.state != "processed":
            raise FatalError(f"delivery {delivery_id} is {delivery.state}: only a processed delivery can be undone")
        now = utcnow()
        for child in reversed(_files_of(conn, delivery, "processed")):
            undo_delivery_in(conn, hub.workspace_id, child, now)
            conn.execute(
                deliveries.update()
                .where(deliveries.c.id == child)
                .values(state="undone", reason=f"undone with delivery {delivery_id}, which carried it")
            )
        undo_delivery_in(conn, hub.workspace_id, delivery_id, now)
        conn.execute(
            deliveries.update().where(deliveries.c.id == delivery_id).values(state="undone", reason="undone by a user")
        )
        return load_delivery(conn, hub, delivery_id)


def _files_of(conn: Connection, parent: Delivery, state: str) -> list[int]:
    """The deliveries in ``state`` of the files ``parent`` (a mail or a ZIP file) carried, oldest first."""
    key = "mail_delivery" if parent.file_name is None else "zip_delivery"
    query = (
        select(deliveries.c.id)
        .where(
            deliveries.c.integration_id == parent.integration_id,
            deliveries.c.id > parent.id,
            deliveries.c.state == state,
            deliveries.c.meta[key].as_integer() == parent.id,
        )
        .order_by(deliveries.c.id)
    )
    return [int(row.id) for row in conn.execute(query)]


#: Where a mail's delivery keeps, encrypted, the password a password mail gave its ZIP, and where a
#: password mail's keeps the passwords it told (pipeline.unlock): never shown.
KEPT_PASSWORD = "file_password"
TOLD_PASSWORDS = "ppap_passwords"
SEALED_META = frozenset({KEPT_PASSWORD, TOLD_PASSWORDS})


def reading_of(hub: Hub, delivery: Delivery, mapping: MappingModel | None = None) -> tuple[Integration, Path]:
    """The integration a delivery is read with (with ``mapping`` instead of its own, when given)
    and where its raw payload is; FatalError when the archive has lost it."""
    integration = get_integration(hub, delivery.integration_id)
    if mapping is not None:
        integration = replace(integration, spec=integration.spec.model_copy(update={"mapping": mapping}))
    if (sealed := delivery.meta.get(KEPT_PASSWORD)) and hasattr(integration.settings, "file_password"):
        # The password its sender's password mail gave its ZIP (pipeline.unlock).
        password = SecretStr(hub.secrets.open(sealed)["file_password"])
        integration = replace(integration, settings=integration.settings.model_copy(update={"file_password": password}))
    path = hub.archive.path_for(delivery.sha256)
    if not path.exists():
        raise FatalError(f"the raw payload of delivery {delivery.id} is missing from the archive ({delivery.sha256})")
    return integration, path


def replay_delivery(
    hub: Hub, delivery_id: int, *, dry_run: bool = False, mapping: MappingModel | None = None
) -> ProcessResult:
    """Process a delivery again with the integration's current parser and mapping.

    A dry run returns the field-by-field difference it would make and writes nothing; it may
    try a ``mapping`` that is not stored (the mapping editor's preview).
    """
    if mapping is not None and not dry_run:
        raise ConfigurationError("a mapping that is not stored can only be tried in a dry run; save it first")
    with hub.engine.connect() as conn:
        delivery = load_delivery(conn, hub, delivery_id)
    if delivery.state in ("duplicate", "received"):
        target = f"delivery {delivery.duplicate_of}" if delivery.duplicate_of else "it"
        raise FatalError(f"delivery {delivery_id} is {delivery.state}: replay {target} instead")
    integration, path = reading_of(hub, delivery, mapping)
    if dry_run:
        with sandbox(hub, path.stat().st_size) as working:
            return _replay(working, delivery, integration, path, dry_run=True)
    return _replay(hub, delivery, integration, path, dry_run=False)


def _replay(hub: Hub, delivery: Delivery, integration: Integration, path: Path, *, dry_run: bool) -> ProcessResult:
    """``replay_delivery``'s transaction (a dry run's in ``hub``'s sandbox)."""
    delivery_id = delivery.id
    with hub.engine.connect() as conn:
        tx = conn.begin()
        try:
            hold_customers(conn, hub.workspace_id)
            # A dry run compares the customers of the rows it lists, and (at most as many) others
            # the delivery had touched, before and after.
            listed = dry_run and delivery.state == "processed"
            before_ids = touched_by(conn, delivery_id, limit=REPORTED_ROWS) if listed else set()
            freed: FreedKeys | None = None
            if delivery.state == "processed":
                freed = FreedKeys.create(conn)
                undo_delivery_in(conn, hub.workspace_id, delivery_id, utcnow(), freed=freed)
            checked = _checked_left_out(conn, delivery_id)
            conn.execute(delete(row_errors).where(row_errors.c.delivery_id == delivery_id))
            result = _apply_payload(conn, hub, integration, delivery_id, path, delivery.file_name, dry_run, freed)
            _check_again(conn, delivery_id, checked)
            if result.state == "split":  # a mail's files: landed as on arrival (those landed before are duplicates)
                _land_parts(conn, hub, integration, delivery, result)
            if freed is not None:
                freed.drop()
            if dry_run:
                result.children = []  # landed in the rolled-back transaction only
                ids = result.touched | before_ids
                after = snapshot(conn, hub.workspace_id, ids)
                tx.rollback()
                with hub.engine.connect() as read:
                    before = snapshot(read, hub.workspace_id, ids)
                result.diffs = diff_customers(before, after)
                result.dry_run = True
            else:
                _finish(conn, delivery_id, result)
                conn.execute(
                    deliveries.update()
                    .where(deliveries.c.id == delivery_id)
                    .values(meta={**delivery.meta, "replayed_at": utcnow().isoformat()}, replaced_by=None)
                )
                tx.commit()
        except RenkeiError:
            if tx.is_active:
                tx.rollback()
            raise
    result.child_results = _process_children(hub, result.children)
    return result


def _checked_left_out(conn: Connection, delivery_id: int) -> dict[tuple[Any, ...], datetime]:
    """The delivery's values left out that someone marked checked, by row, column and value."""
    found = conn.execute(
        select(row_errors.c.line, row_errors.c.column_name, row_errors.c.value, row_errors.c.checked_at).where(
            row_errors.c.delivery_id == delivery_id, row_errors.c.checked_at.is_not(None)
        )
    )
    return {(r.line, r.column_name, r.value): r.checked_at for r in found}


def _check_again(conn: Connection, delivery_id: int, checked: dict[tuple[Any, ...], datetime]) -> None:
    """A replay's values left out that were checked before it stay checked: the same row, column and value."""
    for (line, column, value), at in checked.items():
        conn.execute(
            row_errors.update()
            .where(
                row_errors.c.delivery_id == delivery_id,
                row_errors.c.customer_id.is_not(None),
                row_errors.c.line.is_not_distinct_from(line),
                row_errors.c.column_name.is_not_distinct_from(column),
                row_errors.c.value.is_not_distinct_from(value),
            )
            .values(checked_at=at)
        )


def after_ppap(hub: Hub, delivery_id: int, result: ProcessResult) -> list[tuple[str, ProcessResult]]:
    """PPAP, once a mail is committed: a password mail opening its sender's waiting ZIP mails (and
    protected workbooks), or a ZIP mail (a protected workbook) opened by its sender's earlier
    password mail (``pipeline.unlock``)."""
    if not result.meta.get("passwords") and not (result.state == "failed" and waits_for_password(result.reason)):
        return []
    from renkei.pipeline.unlock import after_ppap_mail  # it replays deliveries: it imports this module

    others = []
    for name, replayed in after_ppap_mail(hub, delivery_id, result):
        if replayed.delivery_id == delivery_id:  # the mail itself, opened by an earlier password mail
            result.state, result.reason, result.children = replayed.state, replayed.reason, replayed.children
            others += replayed.child_results
        else:
            others.append((name, replayed))
    return others


def _process_children(hub: Hub, children: list[int], collect_rows: bool = False) -> list[tuple[str, ProcessResult]]:
    """Process the deliveries a mail's or a ZIP file's files became, after its transaction."""
    done = []
    for child in children:
        with hub.engine.connect() as conn:
            name = load_delivery(conn, hub, child).file_name or ""
        done.append((name, process_delivery(hub, child, collect_rows=collect_rows)))
    return done


def resume_pending(hub: Hub) -> list[ProcessResult]:
    """Process every delivery left ``received`` (a crash came between landing and processing)."""
    with hub.engine.connect() as conn:
        pending = [
            int(r[0])
            for r in conn.execute(
                select(deliveries.c.id)
                .where(deliveries.c.workspace_id == hub.workspace_id, deliveries.c.state == "received")
                .order_by(deliveries.c.id)
            )
        ]
    return [process_delivery(hub, delivery_id) for delivery_id in pending]


@dataclass(frozen=True, slots=True)
class RawPayload:
    """Where a delivery's bytes, as they arrived, are in the archive, and whether they are a whole mail."""

    delivery: Delivery
    path: Path
    is_mail: bool


def raw_payload(hub: Hub, delivery_id: int) -> RawPayload:
    """A delivery's raw payload from the archive; NotFoundError if the delivery or its bytes are gone."""
    delivery = get_delivery(hub, delivery_id)
    path = hub.archive.path_for(delivery.sha256)
    if not path.is_file():
        raise NotFoundError(f"the raw payload of delivery {delivery_id} is not in the archive ({delivery.sha256})")
    integration = get_integration(hub, delivery.integration_id)
    return RawPayload(delivery, path, delivery.file_name is None and not integration.kind.accepts_files)


def row_error_count(hub: Hub, delivery_id: int) -> int:
    """How many row errors a delivery of this workspace has recorded."""
    with hub.engine.connect() as conn:
        load_delivery(conn, hub, delivery_id)
        count = conn.execute(
            select(func.count()).select_from(row_errors).where(row_errors.c.delivery_id == delivery_id)
        ).scalar()
    return int(count or 0)
