"""Applying source records to the store: map, match, merge and write, a batch at a time.

This is the hot path of every import. Per batch it maps every record (pure), looks the match
keys up a kind at a time (one round of queries each), loads the customers found once, merges in
memory, and writes with driver-level ``executemany``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy import Connection

from renkei.core.mapping import CompiledMapping
from renkei.core.matching import MatchKey, patch_keys
from renkei.core.merge import (
    NOTHING,
    Defaults,
    FieldChange,
    MergeOutcome,
    MergePolicy,
    apply_outcome,
    merge,
)
from renkei.core.patch import CustomerPatch, FieldError
from renkei.core.records import InquiryFacts
from renkei.core.same_person import Names, another_person
from renkei.pipeline.parallel import Mapped
from renkei.pipeline.repeats import Folded, Repeat, fold_repeats, history_row
from renkei.store.customers import (
    CustomerRow,
    IdAllocator,
    InquiryKey,
    column_of,
    customers_from_rows,
    find_external_ids,
    find_rows,
    inquiry_key,
    inquiry_keys,
    insert_new_customers,
    insert_rows,
    load_rows,
    stored_values,
    touch_customers,
    update_changed,
    values_getter,
)
from renkei.store.freed import FreedKeys
from renkei.store.schema import customer_external_ids, customer_labels, field_history, inquiries, row_errors

Action = Literal["created", "updated", "unchanged", "error"]

#: Rows a dry run reports one by one: the file's first ones (its counts cover every row). Each
#: report explains every change, and a dry run of a million rows kept them all (1.6 GB for 200k).
REPORTED_ROWS = 1000


@dataclass(frozen=True, slots=True)
class RowReport:
    """What one record did (kept for dry runs and for the API)."""

    line: int | None
    locator: str
    action: Action
    customer_id: int | None = None
    changes: tuple[FieldChange, ...] = ()
    tags_added: tuple[str, ...] = ()
    groups_added: tuple[str, ...] = ()
    errors: tuple[FieldError, ...] = ()
    #: Why the record did not match as a key alone would say (a shared number's other holders).
    notes: tuple[str, ...] = ()
    #: The inquiry (反響) the record adds to its customer, as stored (``received_at`` in UTC);
    #: None when it brings none, or one the integration already brought.
    inquiry: Mapping[str, Any] | None = None


@dataclass(slots=True)
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: int = 0
    #: Values left out of rows that went in without them (``bad_values: leave_out``), each
    #: reported as a row error; the rows count by what they did.
    left_out: int = 0

    @property
    def rows(self) -> int:
        """Rows counted, whatever they did."""
        return self.created + self.updated + self.unchanged + self.errors

    def add(self, action: Action) -> None:
        if action == "unchanged":
            self.unchanged += 1
        elif action == "created":
            self.created += 1
        elif action == "updated":
            self.updated += 1
        else:
            self.errors += 1


@dataclass(slots=True)
class ApplyContext:
    """Everything fixed for one delivery."""

    conn: Connection
    workspace_id: int
    integration_id: int
    delivery_id: int
    source_name: str
    mapping: CompiledMapping
    policy: MergePolicy
    defaults: Defaults
    match_keys: tuple[MatchKey, ...]
    now: datetime
    collect_rows: bool = False
    allocator: IdAllocator | None = None
    counts: Counts = field(default_factory=Counts)
    rows: list[RowReport] = field(default_factory=list)
    #: Lines passed over as no record (a closing line, the header again), found among the rows:
    #: recorded with the row errors and listed with the payload's notes (the first
    #: ``REPORTED_ROWS``), never counted.
    notes: list[tuple[int | None, FieldError]] = field(default_factory=list)
    touched: set[int] = field(default_factory=set)
    #: Ids of customers an undo just removed, by their keys: a replay re-creates them with the same id.
    freed: FreedKeys | None = None
    #: Those of the current batch's keys (read a batch at a time).
    freed_here: dict[tuple[str, str], int] = field(default_factory=dict)
    #: The freed ids given out again: one removed customer frees its id under each of its keys.
    reused: set[int] = field(default_factory=set)
    inserted: int = 0
    analyzed_at: int = 0
    #: By customer, how many records changed it after an earlier record of the delivery had
    #: (``fold_repeats``): only customers several records changed have one.
    repeat_rows: dict[int, int] = field(default_factory=dict)


@dataclass(slots=True)
class _Writes:
    inserts: dict[int, CustomerRow] = field(default_factory=dict)
    updates: dict[int, CustomerRow] = field(default_factory=dict)
    #: The columns each updated customer's changes touched (``updated_at`` goes with them).
    columns: dict[int, set[str]] = field(default_factory=dict)
    history: list[dict[str, Any]] = field(default_factory=list)
    labels: list[dict[str, Any]] = field(default_factory=list)
    external_ids: list[dict[str, Any]] = field(default_factory=list)
    inquiries: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    #: Changes to values an earlier record of the delivery changed (``fold_repeats``).
    repeats: list[Repeat] = field(default_factory=list)


def _error_rows(
    ctx: ApplyContext, line: int | None, locator: str, problems: Iterable[FieldError]
) -> list[dict[str, Any]]:
    return [
        {
            "delivery_id": ctx.delivery_id,
            "line": line,
            "locator": locator,
            "column_name": p.column,
            "value": p.value,
            "reason": p.reason,
            "customer_id": None,
        }
        for p in problems
    ]


def record_notes(ctx: ApplyContext, notes: Sequence[tuple[int | None, FieldError]]) -> None:
    """Record what the source noticed about the payload as a whole with its row errors (a note
    names its line, as a row error does), without counting any as an error."""
    rows = [
        row
        for line, note in notes
        for row in _error_rows(ctx, line, f"{ctx.source_name} row {line}" if line else ctx.source_name, [note])
    ]
    if rows:
        insert_rows(ctx.conn, row_errors, rows)


def apply_batch(ctx: ApplyContext, batch: list[Mapped], maybe: set[str] | None = None) -> None:
    """Match, merge and write one batch of mapped records (and their errors).

    ``maybe``: when the import screens its keys (``parallel.screen``), the batch's key values that
    may find a customer; the others cannot, and are not looked up.
    """
    if ctx.allocator is None:
        ctx.allocator = IdAllocator(ctx.conn, floor=ctx.freed.highest() if ctx.freed is not None else 0)
    writes = _Writes()
    first_row = len(ctx.rows)
    # Reported row by row (dry runs) while fewer than REPORTED_ROWS are: every change explained.
    reporting = ctx.collect_rows and first_row < REPORTED_ROWS
    patches: list[tuple[int | None, str, CustomerPatch]] = []
    left_out: dict[int | None, list[FieldError]] = {}  # a reported row's values left out, by line
    left_out_rows: dict[int, list[dict[str, Any]]] = {}  # the error rows of those, by the record's place
    for line, locator, mapped, errors in batch:
        if mapped is None and errors and all(error.passed_over for error in errors):
            # A line that is no record (a closing line, the header again): noted, not counted.
            writes.errors.extend(_error_rows(ctx, line, locator, errors))
            if len(ctx.notes) < REPORTED_ROWS:  # all are stored with the row errors
                ctx.notes.extend((line, error) for error in errors)
        elif mapped is None:
            _report_error(ctx, writes, line, locator, errors, reporting)
        else:
            patches.append((line, locator, mapped))
            if errors:  # values left out of a row that goes in without them: the customer's, once found
                ctx.counts.left_out += len(errors)
                left_out_rows[len(patches) - 1] = _error_rows(ctx, line, locator, errors)
                writes.errors.extend(left_out_rows[len(patches) - 1])
                if reporting:
                    left_out[line] = errors

    match_keys = ctx.match_keys
    keyed = [patch_keys(patch, match_keys) for _, _, patch in patches]
    # Known even when not a match key, so that an id is never mapped twice.
    external_ids = {patch.external_id for _, _, patch in patches if patch.external_id}
    labelled = any(patch.tags or patch.groups for _, _, patch in patches)
    index, rows, holders, decided = _stored_keys(ctx, [patch for _, _, patch in patches], external_ids, maybe)
    wanted = set(index.values())
    if ctx.freed is not None:
        # The freed ids the records no stored customer is found for may take.
        ctx.freed_here = ctx.freed.find(key for keys in keyed if not any(k in index for k in keys) for key in keys)
    # Customers found through an external id are loaded by id; the other keys loaded theirs.
    if missing := wanted.difference(rows):
        rows.update(load_rows(ctx.conn, ctx.workspace_id, sorted(missing)))
    found: dict[int, CustomerRow] = {}
    if labelled or ctx.collect_rows:
        # Stored tags and groups only matter to a record that brings some: loaded only then.
        found = customers_from_rows(ctx.conn, ctx.workspace_id, [rows[cid] for cid in sorted(wanted)], labelled)
        for stored_customer in found.values():
            stored_customer.new = stored_customer.created_by == ctx.delivery_id
    # Otherwise a stored customer becomes a CustomerRow only when a record may change it: most
    # records of a re-import bring exactly the values stored, which the stored row itself shows.
    # The inquiries the integration already brought the customers found: a record repeating one
    # (a cumulative daily list of inquiries under a new name each day) adds none.
    known_inquiries: set[InquiryKey] = set()
    if wanted and any(patch.inquiry is not None or patch.inquiry_values for _, _, patch in patches):
        known_inquiries = inquiry_keys(ctx.conn, ctx.integration_id, sorted(wanted))

    policy, defaults, inserts = ctx.policy, ctx.defaults, writes.inserts
    # Counted here and added once: this loop runs for every row of a file.
    created = updated = unchanged = 0
    for place, ((line, locator, patch), keys) in enumerate(zip(patches, keyed, strict=True)):
        cid: int | None = None
        refused: tuple[str, ...] = ()  # filled only for a reported row
        for key in keys:
            cid = index.get(key)
            if cid is not None and key[0] in _SHARED_KEYS:
                # An address or number people share (a family's, a company's info@ or main line):
                # its oldest holder the record's names do not rule out.
                candidates = holders.get(key)
                if candidates is None:  # one customer holds it, as nearly always
                    candidates = [cid]
                    held = decided.get((key[0], id(patch)), _UNDECIDED)
                    if held == _UNDECIDED or cid in found:  # not decided, or the holder changed since
                        held = None if _another_person(patch, found.get(cid), rows.get(cid)) else cid
                    cid = held
                else:
                    cid = _holder_of(patch, candidates, found, rows)
                if reporting:
                    refused += _refused(key, candidates, cid)
            if cid is not None:
                break
        customer: CustomerRow | None = None
        outcome: MergeOutcome
        if cid is None:
            outcome = merge(None, patch, policy, defaults, explain=reporting)
            customer = _new_customer(ctx, keys, found, rows, outcome)
            inserts[customer.id] = customer
            cid = customer.id
        elif (customer := found.get(cid)) is not None:
            outcome = merge(customer.state, patch, policy, defaults, explain=reporting)
        elif _brings_stored_values(patch, rows[cid]):
            outcome = NOTHING
        else:
            customer = found[cid] = _stored_customer(ctx, rows[cid])
            outcome = merge(customer.state, patch, policy, defaults, explain=reporting)
        if left_out_rows:
            for error_row in left_out_rows.get(place, ()):
                error_row["customer_id"] = cid
        if patch.external_id and ("external_id", patch.external_id) not in index:
            writes.external_ids.append(
                {
                    "integration_id": ctx.integration_id,
                    "external_id": patch.external_id,
                    "customer_id": cid,
                    "delivery_id": ctx.delivery_id,
                }
            )
        for key in keys:
            holder = index.setdefault(key, cid)
            if holder != cid and key[0] in _SHARED_KEYS:  # a second customer holds it now
                shared = holders.setdefault(key, [holder])
                if cid not in shared:
                    shared.append(cid)
        action: Action
        if outcome is NOTHING:
            action = "unchanged"
        elif outcome.created:
            action = "created"
            # A new customer's state is the outcome's already: only labels remain to be written.
            if outcome.tags_added or outcome.groups_added:
                assert customer is not None
                _record_changes(ctx, writes, customer, outcome)
        else:
            action = "updated" if outcome.changed else "unchanged"
            if action == "updated":
                assert customer is not None
                _record_changes(ctx, writes, customer, outcome)
        added: dict[str, Any] | None = None
        if patch.inquiry is not None or patch.inquiry_values:
            inquiry = _inquiry_row(ctx, cid, patch)
            known = inquiry_key(cid, *(inquiry[name] for name in _INQUIRY_KEY_COLUMNS))
            if known is None or known not in known_inquiries:
                if known is not None:
                    known_inquiries.add(known)
                writes.inquiries.append(inquiry)
                added = inquiry
                if action == "unchanged":
                    action = "updated"
        if action == "unchanged":
            unchanged += 1
        elif action == "created":
            created += 1
        else:
            updated += 1
        if reporting:
            ctx.rows.append(
                RowReport(
                    line,
                    locator,
                    action,
                    cid,
                    outcome.changes,
                    outcome.tags_added,
                    outcome.groups_added,
                    errors=tuple(left_out.get(line, ())),
                    notes=refused,
                    inquiry=added,
                )
            )
    counts = ctx.counts
    counts.created += created
    counts.updated += updated
    counts.unchanged += unchanged
    if reporting:
        # In file order, then only as many as are reported: the customers those rows touch are
        # the ones a dry run compares before and after.
        kept = sorted(ctx.rows[first_row:], key=lambda r: r.line or 0)[: max(0, REPORTED_ROWS - first_row)]
        ctx.rows[first_row:] = kept
        ctx.touched.update(r.customer_id for r in kept if r.customer_id is not None)
    _flush(ctx, writes)


#: Every customer holding an e-mail address or number several hold, oldest first, by (kind, value)
#: (one held by a single customer is ``index``'s only).
_Holders = dict[tuple[MatchKey, str], list[int]]
#: For a key one stored customer holds: that customer if the record's names allow, else None, by
#: (kind, id of the record's patch), as decided while the keys were looked up.
_Decided = dict[tuple[MatchKey, int], int | None]
_UNDECIDED = -1  # no customer id


def _add_holders(holders: _Holders, kind: MatchKey, hits: dict[str, int], loaded: dict[int, Sequence[Any]]) -> None:
    """Every stored holder, oldest first, of each ``kind`` value several customers hold (``hits``
    has the oldest of each value, ``loaded`` every holder's row)."""
    value_of = values_getter((kind,))
    several = {value for cid, row in loaded.items() if hits[(value := value_of(row)[0])] != cid}
    for cid, row in sorted(loaded.items()):
        value = value_of(row)[0]
        if value in several:
            holders.setdefault((kind, value), []).append(cid)


def _stored_keys(
    ctx: ApplyContext, patches: list[CustomerPatch], external_ids: set[str], maybe: set[str] | None
) -> tuple[dict[tuple[MatchKey, str], int], dict[int, Sequence[Any]], _Holders, _Decided]:
    """The stored customer each key that can decide a match finds: (kind, value) → customer id;
    the stored rows of the customers found by a key other than an external id; for an e-mail
    address or a number several stored customers hold, all of them (``_holder_of`` picks among
    them); and, for one only one customer holds, whether the record's names allow that customer,
    for the records a key found before their last (``_Decided``), which their match then takes
    unless the customer changed in between.

    Every external id and key value in ``maybe`` is looked up (every one without it). The match
    keys are looked up a kind at a time, in match order, and a record's key only while its
    earlier keys found nobody stored. The keys left out are never consulted: a record stops at
    its first key that finds a customer, so it only reaches a key when its earlier keys found
    nobody stored, and then that key was looked up. A re-import, whose records are nearly all
    found by their first key, so looks up one key a record instead of three.
    """
    conn, workspace_id, integration_id = ctx.conn, ctx.workspace_id, ctx.integration_id
    if maybe is not None:
        external_ids = external_ids & maybe
    external = find_external_ids(conn, integration_id, external_ids)
    index: dict[tuple[MatchKey, str], int] = {("external_id", value): cid for value, cid in external.items()}
    rows: dict[int, Sequence[Any]] = {}
    holders: _Holders = {}
    decided: _Decided = {}
    pending = patches
    last = len(ctx.match_keys) - 1
    for position, kind in enumerate(ctx.match_keys):
        if kind == "external_id":
            hits = external
        else:
            values = {value for patch in pending if (value := patch.fields.get(kind))}
            if maybe is not None:
                values = values & maybe
            hits, loaded = find_rows(conn, workspace_id, kind, values)
            rows.update(loaded)
            for value, cid in hits.items():
                index[(kind, value)] = cid
            if kind in _SHARED_KEYS and len(loaded) > len(hits):
                _add_holders(holders, kind, hits, loaded)
        if hits and position < last:
            # Only the records this kind found nobody for go on to the next kind (or, by a number
            # people share, somebody else: ``_another_person``).
            if kind == "external_id":
                pending = [patch for patch in pending if patch.external_id not in hits]
            elif kind in _SHARED_KEYS:
                still: list[CustomerPatch] = []
                for patch in pending:
                    value = patch.fields.get(kind)
                    if not value or (holder := hits.get(value)) is None:
                        still.append(patch)
                        continue
                    chosen: int | None
                    if (several := holders.get((kind, value))) is not None:
                        chosen = _holder_of(patch, several, {}, rows)
                    else:  # one customer holds it: decided here, taken by the match (apply_batch)
                        chosen = None if _another_person(patch, None, rows[holder]) else holder
                        decided[(kind, id(patch))] = chosen
                    if chosen is None:
                        still.append(patch)
                pending = still
            else:
                pending = [patch for patch in pending if patch.fields.get(kind) not in hits]
    return index, rows, holders, decided


#: Match keys several people can have (a family's landline or address, a company's main line or
#: info@): a customer found by one is the record's person only if the names do not say otherwise
#: (``_another_person``).
_SHARED_KEYS = frozenset({"email", "phone", "mobile"})
_KEY_WORDS = {"email": "e-mail address", "mobile": "mobile number", "phone": "phone number"}
_NAMES = ("last_name", "first_name", "last_name_kana", "first_name_kana")
_names_of = values_getter(_NAMES)


def _holder_of(
    patch: CustomerPatch, holders: list[int], found: dict[int, CustomerRow], rows: dict[int, Sequence[Any]]
) -> int | None:
    """The first of ``holders`` (customers holding the record's number, oldest first) the
    record's names do not rule out, or None."""
    for cid in holders:
        if not _another_person(patch, found.get(cid), rows.get(cid)):
            return cid
    return None


def _refused(key: tuple[MatchKey, str], holders: list[int], taken: int | None) -> tuple[str, ...]:
    """A dry run's note for each holder of a shared number the record's names ruled out."""
    notes = []
    words = _KEY_WORDS[key[0]]
    for customer in holders[: holders.index(taken)] if taken in holders else holders:
        notes.append(f"the {words} {key[1]} is also customer {customer}'s, another person by name")
    return tuple(notes)


def _another_person(patch: CustomerPatch, customer: CustomerRow | None, row: Sequence[Any] | None) -> bool:
    """Whether the record names someone other than the customer its e-mail address or number
    found (``another_person``); a record without names is the key's customer."""
    if customer is not None:
        stored = Names(*(customer.state.fields.get(name) for name in _NAMES))
    elif row is not None:
        stored = Names(*_names_of(row))
    else:
        return False
    fields = patch.fields
    return another_person(Names(*(fields.get(name) for name in _NAMES)), stored)


def _brings_stored_values(patch: CustomerPatch, row: Sequence[Any]) -> bool:
    """Whether merging ``patch`` into the stored customer ``row`` can only find nothing to do.

    True when the patch carries nothing but fields and each is the value stored: whatever the
    policies, no value changes, and tags, groups and custom values are not touched.
    """
    if patch.custom or patch.tags or patch.groups:
        return False
    fields = patch.fields
    return stored_values(row, tuple(fields)) == tuple(fields.values())


def _stored_customer(ctx: ApplyContext, row: Sequence[Any]) -> CustomerRow:
    """A stored customer (without its tags and groups: records with some load them all up front)."""
    customer = customers_from_rows(ctx.conn, ctx.workspace_id, [row], labels=False)[int(row[0])]
    customer.new = customer.created_by == ctx.delivery_id
    return customer


def _new_customer(
    ctx: ApplyContext,
    keys: list[tuple[MatchKey, str]],
    found: dict[int, CustomerRow],
    stored: dict[int, Sequence[Any]],
    outcome: MergeOutcome,
) -> CustomerRow:
    """The customer a creating ``outcome`` makes, with its id: one an undo freed for these keys
    (``_freed_id``), or a new one."""
    assert ctx.allocator is not None and outcome.state is not None
    freed = _freed_id(ctx, keys, found, stored) if ctx.freed_here else None
    customer = CustomerRow(
        id=freed if freed is not None else ctx.allocator.next(),
        state=outcome.state,
        created_by=ctx.delivery_id,
        new=True,
    )
    found[customer.id] = customer
    return customer


def _freed_id(
    ctx: ApplyContext,
    keys: list[tuple[MatchKey, str]],
    found: dict[int, CustomerRow],
    stored: dict[int, Sequence[Any]],
) -> int | None:
    """An id an undo freed under one of ``keys`` that nobody has had again since.

    A removed customer freed its id under each of its keys, and the records that ask for it need
    not be one customer again (a replay's first record can take the id through its mobile, then
    its own later rows change that mobile): the first to ask takes the id, never a second one.
    """
    for key in keys:
        freed = ctx.freed_here.pop(key, None)
        if freed is not None and freed not in ctx.reused and freed not in found and freed not in stored:
            ctx.reused.add(freed)
            return freed
    return None


def _report_error(
    ctx: ApplyContext, writes: _Writes, line: int | None, locator: str, problems: list[FieldError], reporting: bool
) -> None:
    ctx.counts.add("error")
    writes.errors.extend(_error_rows(ctx, line, locator, problems))
    if reporting:
        ctx.rows.append(RowReport(line, locator, "error", errors=tuple(problems)))


def _record_changes(ctx: ApplyContext, writes: _Writes, customer: CustomerRow, outcome: MergeOutcome) -> None:
    if not customer.new:
        delivery = ctx.delivery_id
        if outcome.changes and delivery in customer.sources.values():
            # An earlier record of the delivery changed this customer (``fold_repeats``).
            ctx.repeat_rows[customer.id] = ctx.repeat_rows.get(customer.id, 0) + 1
        for change in outcome.changes:
            source = customer.source_of(change.field)
            if source == delivery:  # an earlier record of the delivery changed it: folded at the flush
                writes.repeats.append((customer, change))
            else:
                writes.history.append(history_row(customer.id, change, source, delivery, ctx.now))
                customer.sources[change.field] = delivery
    if customer.id not in writes.inserts:  # a customer inserted by this batch is written whole
        writes.updates[customer.id] = customer
        columns = writes.columns.setdefault(customer.id, set())
        for change in outcome.changes:
            columns.add(column_of(change.field))
        if outcome.changes and not customer.new:
            columns.add("sources")
    customer.state = apply_outcome(customer.state, outcome)
    for name in outcome.tags_added:
        writes.labels.append({"customer_id": customer.id, "kind": "tag", "name": name, "delivery_id": ctx.delivery_id})
    for name in outcome.groups_added:
        writes.labels.append(
            {"customer_id": customer.id, "kind": "group", "name": name, "delivery_id": ctx.delivery_id}
        )


#: The columns of an inquiry row ``inquiry_key`` takes, after the customer id.
_INQUIRY_KEY_COLUMNS = ("external_id", "received_at", "property_code", "own_property_code", "property_name", "message")


def _received_at(facts: InquiryFacts | None, values: dict[str, str]) -> datetime | None:
    """When the inquiry arrived, in UTC: as the source read it, else from a mapped column (ISO 8601)."""
    if facts is not None and facts.received_at is not None:
        return facts.received_at.astimezone(UTC)
    text = values.get("received_at")
    return datetime.fromisoformat(text).astimezone(UTC) if text else None


def _inquiry_row(ctx: ApplyContext, customer_id: int, patch: CustomerPatch) -> dict[str, Any]:
    facts = patch.inquiry
    values = patch.inquiry_values
    return {
        "workspace_id": ctx.workspace_id,
        "customer_id": customer_id,
        "integration_id": ctx.integration_id,
        "delivery_id": ctx.delivery_id,
        # A list's own column for where the inquiry came from (媒体, 反響元) names it better than the file.
        "source": facts.source if facts else patch.fields.get("acquisition_channel") or ctx.source_name,
        "external_id": (facts.external_id if facts else None) or values.get("external_id"),
        "received_at": _received_at(facts, values),
        "property_code": (facts.property_code if facts else None) or values.get("property_code"),
        "own_property_code": (facts.own_property_code if facts else None) or values.get("own_property_code"),
        "property_name": (facts.property_name if facts else None) or values.get("property_name"),
        "property_url": (facts.property_url if facts else None) or values.get("property_url"),
        "price": (facts.price if facts else None) or values.get("price"),
        "layout": (facts.layout if facts else None) or values.get("layout"),
        "message": (facts.message if facts else None) or values.get("message"),
        "extra": patch.inquiry_extra() or None,
    }


def _refresh_statistics(ctx: ApplyContext) -> None:
    """Keep PostgreSQL's planner statistics in step with a table this transaction is filling.

    Without it the planner believes the customers table is as small as when the transaction
    began and answers every key lookup by scanning it, which makes a large first import
    quadratic. Analysing each time the rows inserted double costs a handful of ANALYZE runs.
    """
    if ctx.conn.dialect.name == "postgresql" and ctx.inserted >= max(2 * ctx.analyzed_at, 1000):
        ctx.conn.exec_driver_sql("ANALYZE customers")
        ctx.analyzed_at = ctx.inserted


def _unreport_folded(ctx: ApplyContext, folded: Folded) -> None:
    """A dry run's reported rows as the delivery leaves their customers: a change to a value the
    delivery later sets back to what it found is no change, and a row of a customer the delivery
    leaves as it found it is unchanged (as the counts have it)."""
    found = set(folded.left_as_found)
    for index, row in enumerate(ctx.rows):
        cid = row.customer_id
        if cid is None or row.action != "updated":
            continue
        changes = tuple(change for change in row.changes if (cid, change.field) not in folded.back)
        if cid in found:
            ctx.rows[index] = replace(row, action="unchanged", changes=changes)
        elif len(changes) != len(row.changes):
            ctx.rows[index] = replace(row, changes=changes)


def _flush(ctx: ApplyContext, writes: _Writes) -> None:
    conn = ctx.conn
    if writes.repeats:
        tied = {row["customer_id"] for rows in (writes.labels, writes.inquiries, writes.external_ids) for row in rows}
        folded = fold_repeats(conn, ctx.delivery_id, ctx.now, writes.history, writes.repeats, ctx.repeat_rows, tied)
        ctx.counts.updated -= folded.unchanged
        ctx.counts.unchanged += folded.unchanged
        if ctx.rows and folded.back:
            _unreport_folded(ctx, folded)
    ctx.inserted += len(writes.inserts)
    insert_new_customers(conn, writes.inserts.values(), ctx.workspace_id, ctx.now)
    update_changed(conn, [(c, writes.columns[c.id]) for c in writes.updates.values()], ctx.workspace_id, ctx.now)
    # A customer who only asked again (an inquiry, no value changed) is updated all the same.
    asked = {row["customer_id"] for row in writes.inquiries}.difference(writes.inserts, writes.updates)
    touch_customers(conn, sorted(asked), ctx.workspace_id, ctx.now)
    # Each goes to the driver in one executemany: SQLAlchemy's per-row handling would cost more.
    insert_rows(conn, field_history, writes.history)
    insert_rows(conn, customer_labels, writes.labels)
    insert_rows(conn, customer_external_ids, writes.external_ids)
    insert_rows(conn, inquiries, writes.inquiries)
    insert_rows(conn, row_errors, writes.errors)
    _refresh_statistics(ctx)
