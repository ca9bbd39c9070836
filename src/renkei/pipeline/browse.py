"""Reading the store a page at a time, for the web UI and the REST API: always one workspace.

Lists are newest first and paged by an opaque cursor (the last id seen, encoded), so a page
stays right while new rows arrive. Every query names the hub's workspace.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Generic, TypeVar

import jaconv
from sqlalchemy import CompoundSelect, Select, and_, case, desc, exists, func, or_, select, union_all

from renkei.core.errors import NormalizationError
from renkei.core.normalize import classify_phone, normalize_email
from renkei.errors import ConfigurationError
from renkei.pipeline.customers import inquiry_data, standing_left_out
from renkei.pipeline.deliveries import Delivery, delivery_from_row, load_delivery
from renkei.pipeline.hub import Hub, utcnow
from renkei.pipeline.integrations import Integration, list_integrations
from renkei.sources.mail_kind import MAIL_KINDS
from renkei.store.schema import (
    checks,
    customer_labels,
    customers,
    deliveries,
    field_history,
    inquiries,
    integrations,
    row_errors,
)

T = TypeVar("T")
MAX_LIMIT = 200
CUSTOMER_SUMMARY = (
    "last_name",
    "first_name",
    "last_name_kana",
    "first_name_kana",
    "email",
    "phone",
    "mobile",
    "company_name",
    "prefecture",
    "owner",
    "status",
)


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a list, and the cursor of the next (None on the last page)."""

    items: list[T]
    next_cursor: str | None


def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"before": last_id}).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int | None:
    """The id a cursor continues before; a cursor that was not made here is a configuration error."""
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value = json.loads(base64.urlsafe_b64decode(padded.encode()))
        before = value["before"]
    except (binascii.Error, ValueError, KeyError, TypeError, UnicodeDecodeError):
        raise ConfigurationError(f"cursor {cursor!r}: not a cursor this API gave out") from None
    if not isinstance(before, int) or isinstance(before, bool):
        raise ConfigurationError(f"cursor {cursor!r}: not a cursor this API gave out")
    return before


def _limit(limit: int) -> int:
    if limit < 1 or limit > MAX_LIMIT:
        raise ConfigurationError(f"limit {limit}: expected 1 to {MAX_LIMIT}")
    return limit


def _paged(query: Select[Any], id_column: Any, cursor: str | None, limit: int) -> Select[Any]:
    before = decode_cursor(cursor)
    if before is not None:
        query = query.where(id_column < before)
    return query.order_by(desc(id_column)).limit(_limit(limit) + 1)


def _page(items: list[T], limit: int, last_id: Any) -> Page[T]:
    if len(items) > limit:
        items = items[:limit]
        return Page(items, encode_cursor(int(last_id(items[-1]))))
    return Page(items, None)


@dataclass(frozen=True, slots=True)
class IntegrationSummary:
    """An integration with what its list row shows: its last delivery and its counts."""

    integration: Integration
    status: str  # active / stopped / failing
    status_reason: str | None
    deliveries: int
    customers_created: int
    failed_recent: int  # failed or partly failed deliveries in the last 7 days
    last_delivery_at: datetime | None
    last_delivery_state: str | None
    #: A mail integration that has had neither the portal's confirmation mail nor a lead yet.
    waiting: bool


def integration_summaries(hub: Hub) -> list[IntegrationSummary]:
    """Every integration of the workspace by name, with its last delivery and counts."""
    found = list_integrations(hub)
    since = utcnow() - timedelta(days=7)
    failed = or_(deliveries.c.state == "failed", deliveries.c.error_count > 0, deliveries.c.left_out_count > 0)
    with hub.engine.connect() as conn:
        totals = {
            int(r.integration_id): r
            for r in conn.execute(
                select(
                    deliveries.c.integration_id,
                    func.count().label("deliveries"),
                    func.coalesce(func.sum(deliveries.c.created_count), 0).label("created"),
                    func.sum(case((and_(failed, deliveries.c.received_at >= since), 1), else_=0)).label("failed"),
                    func.max(deliveries.c.id).label("last_id"),
                )
                .where(deliveries.c.workspace_id == hub.workspace_id)
                .group_by(deliveries.c.integration_id)
            )
        }
        last_ids = [int(r.last_id) for r in totals.values()]
        last = {
            int(r.id): r
            for r in conn.execute(
                select(deliveries.c.id, deliveries.c.received_at, deliveries.c.state).where(
                    deliveries.c.id.in_(last_ids)
                )
            )
        }
    out = []
    for integration in found:
        total = totals.get(integration.id)
        latest = last.get(int(total.last_id)) if total is not None else None
        out.append(
            IntegrationSummary(
                integration=integration,
                status=integration.spec.status,
                status_reason=integration.status_reason,
                deliveries=int(total.deliveries) if total else 0,
                customers_created=int(total.created) if total else 0,
                failed_recent=int(total.failed or 0) if total else 0,
                last_delivery_at=latest.received_at if latest is not None else None,
                last_delivery_state=latest.state if latest is not None else None,
                waiting=integration.spec.kind in MAIL_KINDS and integration.confirmed_at is None,
            )
        )
    return out


def page_deliveries(
    hub: Hub,
    *,
    integration_id: int | None = None,
    state: str | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> Page[Delivery]:
    """Deliveries newest first, optionally of one integration or in one state."""
    query = select(deliveries).where(deliveries.c.workspace_id == hub.workspace_id)
    if integration_id is not None:
        query = query.where(deliveries.c.integration_id == integration_id)
    if state:
        query = query.where(deliveries.c.state == state)
    with hub.engine.connect() as conn:
        rows = conn.execute(_paged(query, deliveries.c.id, cursor, limit)).all()
    return _page([delivery_from_row(r) for r in rows], limit, lambda d: d.id)


def page_inquiries(
    hub: Hub,
    *,
    integration_id: int | None = None,
    source: str | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> Page[dict[str, Any]]:
    """The workspace's inquiries (反響), the last to arrive first, optionally of one integration or
    from one source (SUUMO, a list's 媒体): each as the export shows it (``INQUIRY_COLUMNS``, times in
    Japan time) with its ``id``, ``delivery_id``, the customer's ``customer_id`` and names, and the
    ``integration``'s name."""
    query = (
        select(
            inquiries,
            customers.c.last_name,
            customers.c.first_name,
            integrations.c.name.label("integration"),
        )
        .join(customers, customers.c.id == inquiries.c.customer_id)
        .join(integrations, integrations.c.id == inquiries.c.integration_id)
        .where(inquiries.c.workspace_id == hub.workspace_id)
    )
    if integration_id is not None:
        query = query.where(inquiries.c.integration_id == integration_id)
    if source and source.strip():
        query = query.where(inquiries.c.source == source.strip())
    with hub.engine.connect() as conn:
        rows = conn.execute(_paged(query, inquiries.c.id, cursor, limit)).all()
    items = [
        {
            "id": int(row.id),
            **inquiry_data(row._mapping),
            "delivery_id": int(row.delivery_id),
            "customer_id": int(row.customer_id),
            "last_name": row.last_name,
            "first_name": row.first_name,
            "integration": row.integration,
        }
        for row in rows
    ]
    return _page(items, limit, lambda i: i["id"])


@dataclass(frozen=True, slots=True)
class SourceCount:
    """How many inquiries one source brought in a span of days, and when the last came."""

    source: str
    inquiries: int
    customers: int
    last_at: datetime | None


def count_inquiries(hub: Hub, *, days: int = 30, now: datetime | None = None) -> list[SourceCount]:
    """The inquiries received in the last ``days`` days (by the time each says it came, 反響日時),
    counted by source, the most first: how many, from how many customers, and the last one's time."""
    if not 1 <= days <= 3660:
        raise ConfigurationError(f"days {days}: expected 1 to 3660")
    since = (now or utcnow()) - timedelta(days=days)
    query = (
        select(
            inquiries.c.source,
            func.count(),
            func.count(inquiries.c.customer_id.distinct()),
            func.max(inquiries.c.received_at),
        )
        .where(inquiries.c.workspace_id == hub.workspace_id, inquiries.c.received_at >= since)
        .group_by(inquiries.c.source)
        .order_by(desc(func.count()), inquiries.c.source)
    )
    with hub.engine.connect() as conn:
        return [SourceCount(str(source), int(n), int(people), last) for source, n, people, last in conn.execute(query)]


_DIGITS = re.compile(r"\d")


_PHONE_WORD = re.compile(r"\+?[\d()\-]+")


def _whole_key(word: str, workspace_id: int) -> Any:
    """The condition for a word that is a whole e-mail address or phone number: that value, found
    through its index at once (the substring match reads every customer: a second or more at a
    million); None for any other word."""
    try:
        if "@" in word:
            return customers.c.email == normalize_email(word)
        if _PHONE_WORD.fullmatch(word) and len(_DIGITS.findall(word)) >= 10:
            e164, _kind = classify_phone(word)
            # One index each: an OR of the two columns under the workspace's condition had the
            # planner walk the workspace's customers in id order instead.
            found = union_all(
                select(customers.c.id).where(customers.c.workspace_id == workspace_id, customers.c.phone == e164),
                select(customers.c.id).where(customers.c.workspace_id == workspace_id, customers.c.mobile == e164),
            )
            return customers.c.id.in_(found)
    except NormalizationError:  # a part of one: matched as a substring
        return None
    return None


def _search(query: str, workspace_id: int) -> Any:
    """A condition matching the words of ``query`` in names, kana, e-mail, phones and company, or
    in what the customer's inquiries asked about (the property's name or code, the inquiry id).

    A word that is a whole e-mail address or phone number matches that value exactly (as it is
    stored: lower case, E.164), through its index; any other word is a substring.
    """
    conditions = []
    for word in unicodedata.normalize("NFKC", query).split():
        whole = _whole_key(word, workspace_id)
        if whole is not None:
            conditions.append(whole)
            continue
        pattern = f"%{word.replace('%', '').replace('_', '')}%"
        lowered = f"%{word.lower().replace('%', '').replace('_', '')}%"
        kana = f"%{jaconv.hira2kata(word.replace('%', '').replace('_', ''))}%"
        fields = [
            customers.c.last_name.like(pattern),
            customers.c.first_name.like(pattern),
            (func.coalesce(customers.c.last_name, "") + func.coalesce(customers.c.first_name, "")).like(pattern),
            customers.c.last_name_kana.like(kana),
            customers.c.first_name_kana.like(kana),
            customers.c.email.like(lowered),
            customers.c.company_name.like(pattern),
        ]
        digits = "".join(_DIGITS.findall(word))
        if len(digits) >= 3:
            # Phones are stored in E.164 (+81…): match on the national digits without the leading 0.
            national = digits[1:] if digits.startswith("0") else digits
            fields += [customers.c.phone.like(f"%{national}%"), customers.c.mobile.like(f"%{national}%")]
        if word.isdigit():
            fields.append(customers.c.id == int(word))
        # The property asked about (サンプルハイツ, its code) or the portal's inquiry id: read once
        # from the workspace's inquiries, far fewer than its customers.
        asked = select(inquiries.c.customer_id).where(
            inquiries.c.workspace_id == workspace_id,
            or_(
                inquiries.c.property_name.like(pattern),
                inquiries.c.property_code == word,
                inquiries.c.own_property_code == word,
                inquiries.c.external_id == word,
            ),
        )
        fields.append(customers.c.id.in_(asked))
        conditions.append(or_(*fields))
    return and_(*conditions)


def page_customers(
    hub: Hub,
    *,
    query: str | None = None,
    tag: str | None = None,
    group: str | None = None,
    left_out: bool = False,
    delivery: int | None = None,
    owner: str | None = None,
    status: str | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> Page[dict[str, Any]]:
    """Customers newest first, as summaries (id, names, contacts, owner, status, tags, groups,
    updated_at, and ``left_out``: whether values were left out of rows that went to them);
    ``left_out`` keeps only those, ``delivery`` only those that delivery created or changed,
    ``owner`` and ``status`` those of that owner (担当者) and status, as stored."""
    select_ = select(customers.c.id, customers.c.updated_at, *(customers.c[name] for name in CUSTOMER_SUMMARY)).where(
        customers.c.workspace_id == hub.workspace_id
    )
    if query and query.strip():
        select_ = select_.where(_search(query, hub.workspace_id))
    if left_out:
        select_ = select_.where(customers.c.id.in_(_with_values_left_out(hub)))
    if owner:
        select_ = select_.where(customers.c.owner == owner.strip())
    if status:
        select_ = select_.where(customers.c.status == status.strip())
    if delivery is not None:
        # ``id + 0``: SQLite would look every customer of a large delivery up by its id and sort them
        # all for one page; walking the newest first and testing each against the delivery's stops
        # at a page (a delivery of 190,000 customers: 340 → 30 ms).
        select_ = select_.where((customers.c.id + 0).in_(touched_by(delivery)))
    for kind, name in (("tag", tag), ("group", group)):
        if name:
            select_ = select_.where(
                exists().where(
                    customer_labels.c.customer_id == customers.c.id,
                    customer_labels.c.kind == kind,
                    customer_labels.c.name == name,
                )
            )
    with hub.engine.connect() as conn:
        rows = conn.execute(_paged(select_, customers.c.id, cursor, limit)).all()
        ids = [int(r.id) for r in rows[:limit]]
        labels: dict[int, dict[str, list[str]]] = {cid: {"tag": [], "group": []} for cid in ids}
        if ids:
            for cid, kind, name in conn.execute(
                select(customer_labels.c.customer_id, customer_labels.c.kind, customer_labels.c.name)
                .where(customer_labels.c.customer_id.in_(ids))
                .order_by(customer_labels.c.name)
            ):
                labels[int(cid)][kind].append(name)
        lacking = set(conn.execute(_with_values_left_out(hub, ids)).scalars()) if ids else set()
    items = []
    for row in rows:
        item = {"id": int(row.id), **{name: row._mapping[name] for name in CUSTOMER_SUMMARY}}
        item["updated_at"] = row.updated_at
        item["tags"] = labels.get(int(row.id), {}).get("tag", [])
        item["groups"] = labels.get(int(row.id), {}).get("group", [])
        item["left_out"] = int(row.id) in lacking
        items.append(item)
    return _page(items, limit, lambda c: c["id"])


def touched_by(delivery_id: int) -> CompoundSelect:
    """The ids of the customers a delivery created or changed, as its counts have it: those it
    created, those whose values it changed, and those it brought an inquiry, a tag or a group.
    Undone, it has changed none, and those it created are gone but those later deliveries kept."""
    return union_all(
        select(customers.c.id).where(customers.c.created_by == delivery_id),
        select(field_history.c.customer_id).where(field_history.c.new_delivery_id == delivery_id),
        select(inquiries.c.customer_id).where(inquiries.c.delivery_id == delivery_id),
        select(customer_labels.c.customer_id).where(customer_labels.c.delivery_id == delivery_id),
    )


def _with_values_left_out(hub: Hub, ids: list[int] | None = None) -> Select[tuple[Any]]:
    """The customers (of ``ids``) that values were left out of rows that went to, from deliveries that
    stand, not yet marked checked."""
    query = (
        select(row_errors.c.customer_id)
        .join(deliveries, deliveries.c.id == row_errors.c.delivery_id)
        .where(*standing_left_out(hub.workspace_id))
    )
    if ids is not None:
        query = query.where(row_errors.c.customer_id.in_(ids))
    return query


def page_checks(
    hub: Hub, *, integration_id: int | None = None, cursor: str | None = None, limit: int = 50
) -> Page[dict[str, Any]]:
    """Scheduled and manual checks of pull integrations, newest first."""
    query = select(checks, integrations.c.name.label("integration")).join(
        integrations, integrations.c.id == checks.c.integration_id
    )
    query = query.where(checks.c.workspace_id == hub.workspace_id)
    if integration_id is not None:
        query = query.where(checks.c.integration_id == integration_id)
    with hub.engine.connect() as conn:
        rows = conn.execute(_paged(query, checks.c.id, cursor, limit)).all()
    return _page([dict(r._mapping) for r in rows], limit, lambda c: c["id"])


def page_row_errors(hub: Hub, delivery_id: int, *, cursor: str | None = None, limit: int = 100) -> Page[dict[str, Any]]:
    """One delivery's row errors in file order (the cursor continues after the last one seen)."""
    with hub.engine.connect() as conn:
        load_delivery(conn, hub, delivery_id)  # NotFoundError for another workspace's delivery
        query = select(row_errors).where(row_errors.c.delivery_id == delivery_id)
        after = decode_cursor(cursor)
        if after is not None:
            query = query.where(row_errors.c.id > after)
        rows = conn.execute(query.order_by(row_errors.c.id).limit(_limit(limit) + 1)).all()
    return _page([dict(r._mapping) for r in rows], limit, lambda e: e["id"])
