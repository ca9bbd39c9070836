"""Which changes a merge lists, and in which order (history rows and dry runs show that order)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from renkei.core.fields import CUSTOM_PREFIX, SCALAR_FIELDS
from renkei.core.merge import Defaults, MergePolicy, StoredCustomer, merge
from renkei.core.patch import CustomerPatch

values = st.text(alphabet="あいうabc12-", min_size=1, max_size=4)
stored_fields = st.dictionaries(st.sampled_from(SCALAR_FIELDS), st.none() | values, max_size=8)
patch_fields = st.dictionaries(st.sampled_from(SCALAR_FIELDS), values, max_size=8)
customs = st.dictionaries(st.sampled_from(["趣味", "紹介者", "ランク"]), values, max_size=3)


def test_the_date_field_is_decided_last_whatever_its_column():
    customer = StoredCustomer({"acquired_at": "2024-01-01", "title": "主任"}, {}, [], [])
    patch = CustomerPatch(fields={"acquired_at": "2024-06-01", "title": "課長", "memo": "電話済"})
    outcome = merge(customer, patch, MergePolicy("overwrite"), Defaults())
    assert [c.field for c in outcome.changes] == ["title", "memo", "acquired_at"]


def test_a_record_equal_to_the_stored_customer_changes_nothing():
    fields = {"email": "a@example.jp", "title": "課長"}
    customer = StoredCustomer({**fields, "memo": None}, {"趣味": "釣り"}, ["VIP"], [])
    patch = CustomerPatch(fields=dict(fields), custom={"趣味": "釣り"}, tags=["VIP"])
    assert not merge(customer, patch, MergePolicy(), Defaults()).changed


@given(stored_fields, customs, patch_fields, customs)
def test_overwrite_lists_every_differing_value_fields_first_then_custom(before, before_custom, incoming, custom):
    customer = StoredCustomer(before, before_custom, [], [])
    patch = CustomerPatch(fields=dict(incoming), custom=dict(custom))
    outcome = merge(customer, patch, MergePolicy("overwrite"), Defaults())
    differing = [n for n, v in incoming.items() if before.get(n) != v]
    expected = [n for n in differing if n != "acquired_at"] + [n for n in differing if n == "acquired_at"]
    expected += [CUSTOM_PREFIX + k for k, v in custom.items() if before_custom.get(k) != v]
    assert [c.field for c in outcome.changes] == expected
    for change in outcome.changes:
        if change.field.startswith(CUSTOM_PREFIX):
            key = change.field.removeprefix(CUSTOM_PREFIX)
            assert (change.old, change.new) == (before_custom.get(key), custom[key])
        else:
            assert (change.old, change.new) == (before.get(change.field), incoming[change.field])
