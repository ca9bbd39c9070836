"""Merge policies (pure), with properties: merging twice changes nothing the second time."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from renkei.core.fields import SCALAR_FIELDS
from renkei.core.merge import POLICIES, Defaults, MergePolicy, StoredCustomer, apply_outcome, merge
from renkei.core.patch import CustomerPatch
from renkei.core.records import InquiryFacts


def stored(**fields: str) -> StoredCustomer:
    return StoredCustomer(fields, {}, [], [])


def test_new_customer_gets_defaults_unless_the_record_has_its_own():
    patch = CustomerPatch(fields={"email": "a@example.jp", "status": "商談中"}, tags=["x"])
    outcome = merge(
        None, patch, MergePolicy(), Defaults(owner="sato", status="新規", tags=("展示会",), groups=("東京",))
    )
    values = {c.field: c.new for c in outcome.changes}
    assert outcome.created and values == {"email": "a@example.jp", "status": "商談中", "owner": "sato"}
    assert (outcome.tags_added, outcome.groups_added) == (("x", "展示会"), ("東京",))


@pytest.mark.parametrize(
    ("patch", "acquired"),
    [
        pytest.param(
            CustomerPatch(
                fields={"email": "a@example.jp"},
                inquiry=InquiryFacts("suumo", received_at=datetime(2026, 11, 30, 16, 30, tzinfo=UTC)),
            ),
            "2026-12-01",  # 01:30 the next day in Japan
            id="a-portal-mail-lead-in-japan-time",
        ),
        pytest.param(
            CustomerPatch(
                fields={"email": "a@example.jp"}, inquiry_values={"received_at": "2024-05-06T10:12:00+09:00"}
            ),
            "2024-05-06",
            id="an-inquiry-list-row",
        ),
        pytest.param(
            CustomerPatch(
                fields={"email": "a@example.jp", "acquired_at": "2024-04-01"},
                inquiry_values={"received_at": "2024-05-06T10:12:00+09:00"},
            ),
            "2024-04-01",
            id="the-records-own-date-first",
        ),
        pytest.param(CustomerPatch(fields={"email": "a@example.jp"}), None, id="no-inquiry"),
    ],
)
def test_a_new_customer_was_acquired_the_day_its_inquiry_arrived(patch, acquired):
    outcome = merge(None, patch, MergePolicy(), Defaults())
    assert outcome.state is not None and outcome.state.fields.get("acquired_at") == acquired


def test_an_inquiry_does_not_change_a_stored_customers_acquisition_date():
    patch = CustomerPatch(fields={"email": "a@example.jp"}, inquiry_values={"received_at": "2024-05-06T10:12:00+09:00"})
    outcome = merge(stored(email="a@example.jp"), patch, MergePolicy(), Defaults())
    assert not outcome.changed


@pytest.mark.parametrize(
    ("policy", "old", "new", "changed"),
    [
        pytest.param("overwrite", "主任", "課長", True, id="overwrite"),
        pytest.param("keep_existing", "主任", "課長", False, id="keep-existing"),
        pytest.param("keep_existing", None, "課長", False, id="keep-existing-leaves-blank"),
        pytest.param("fill_blanks", "主任", "課長", False, id="fill-blanks-stored"),
        pytest.param("fill_blanks", None, "課長", True, id="fill-blanks-blank"),
    ],
)
def test_policies(policy, old, new, changed):
    outcome = merge(stored(title=old), CustomerPatch(fields={"title": new}), MergePolicy(policy), Defaults())
    assert bool(outcome.changes) == changed


@pytest.mark.parametrize(
    ("stored_date", "incoming_date", "wins"),
    [
        pytest.param("2024-01-01", "2024-06-01", True, id="newer"),
        pytest.param("2024-06-01", "2024-01-01", False, id="older"),
        pytest.param("2024-06-01", "2024-06-01", True, id="same-day"),
        pytest.param(None, "2024-01-01", True, id="stored-undated"),
        pytest.param("2024-01-01", None, False, id="incoming-undated"),
    ],
)
def test_newer_wins_compares_the_date_field(stored_date, incoming_date, wins):
    fields = {"title": "課長"} | ({"acquired_at": incoming_date} if incoming_date else {})
    customer = stored(title="主任", **({"acquired_at": stored_date} if stored_date else {}))
    outcome = merge(customer, CustomerPatch(fields=fields), MergePolicy("newer_wins"), Defaults())
    assert any(c.field == "title" for c in outcome.changes) == wins


def test_per_field_policy_overrides_the_default():
    policy = MergePolicy("overwrite", {"status": "keep_existing"})
    outcome = merge(
        stored(status="契約済", title="主任"),
        CustomerPatch(fields={"status": "新規", "title": "課長"}),
        policy,
        Defaults(),
    )
    assert [c.field for c in outcome.changes] == ["title"]


values = st.text(alphabet="あいうアイウabc123@.-", min_size=1, max_size=8)
field_maps = st.dictionaries(st.sampled_from(SCALAR_FIELDS), values, max_size=6)


@given(field_maps, field_maps, st.sampled_from(POLICIES), st.lists(values, max_size=3))
def test_merging_the_same_patch_twice_changes_nothing_the_second_time(before, incoming, policy, tags):
    customer = StoredCustomer(dict(before), {}, [], [])
    patch = CustomerPatch(fields=dict(incoming), tags=list(dict.fromkeys(tags)))
    first = merge(customer, patch, MergePolicy(policy), Defaults())
    after = apply_outcome(customer, first)
    second = merge(after, patch, MergePolicy(policy), Defaults())
    assert not second.changed


@given(field_maps, st.sampled_from(POLICIES))
def test_an_empty_patch_never_erases(before, policy):
    customer = StoredCustomer(dict(before), {}, [], [])
    outcome = merge(customer, CustomerPatch(), MergePolicy(policy), Defaults())
    assert not outcome.changed
    assert apply_outcome(customer, outcome).fields == before
