"""Match-and-merge decisions: how an incoming patch meets the stored customer.

Policies, per integration and per field:

- ``overwrite``: an incoming value replaces the stored one.
- ``keep_existing``: an existing customer's field is never changed by this integration; the
  value is only used when the customer is created.
- ``fill_blanks``: an incoming value is written only where the stored value is empty.
- ``newer_wins``: an incoming value replaces the stored one when the incoming record's date
  field (``date_field``, e.g. ``acquired_at`` or a card's exchange date) is the same or later
  than the stored one.

Whatever the policy, an empty incoming value never erases a stored one (an empty value is not
in the patch at all).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Literal, NamedTuple

from renkei.core.fields import CUSTOM_PREFIX
from renkei.core.normalize.dates import JST
from renkei.core.patch import CustomerPatch

Policy = Literal["overwrite", "keep_existing", "fill_blanks", "newer_wins"]
POLICIES: tuple[Policy, ...] = ("overwrite", "keep_existing", "fill_blanks", "newer_wins")


@dataclass(frozen=True, slots=True)
class MergePolicy:
    """The policy of one integration: a default and per-field overrides."""

    default: Policy = "overwrite"
    per_field: Mapping[str, Policy] = field(default_factory=dict)
    date_field: str = "acquired_at"

    def for_field(self, name: str) -> Policy:
        """The policy that decides ``name``."""
        return self.per_field.get(name, self.default)


@dataclass(frozen=True, slots=True)
class Defaults:
    """Values a new customer gets from the integration unless the record has its own."""

    owner: str | None = None
    status: str | None = None
    acquisition_channel: str | None = None
    tags: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()


class StoredCustomer(NamedTuple):
    """What the merge needs to know of a stored customer.

    A NamedTuple, immutable as a frozen dataclass would be: one is built for every customer an
    import loads or creates, and it builds in a third of the time.
    """

    fields: Mapping[str, str | None]
    custom: Mapping[str, str]
    tags: Collection[str]
    groups: Collection[str]


class FieldChange(NamedTuple):
    """One value that changes: ``custom:<key>`` for custom fields."""

    field: str
    old: str | None
    new: str


class MergeOutcome(NamedTuple):
    """What applying a patch does. ``created`` customers list every value as a change.

    A NamedTuple for the reason ``StoredCustomer`` is one: every row of an import makes one.
    """

    created: bool
    changes: tuple[FieldChange, ...]
    tags_added: tuple[str, ...]
    groups_added: tuple[str, ...]
    #: For a creation: the new customer as a whole (``changes`` is empty unless explained).
    state: StoredCustomer | None = None

    @property
    def changed(self) -> bool:
        """True when anything about the customer changes."""
        return bool(self.created or self.changes or self.tags_added or self.groups_added)


def _incoming_wins(
    policy: Policy, old: str | None, date_field: str, patch: CustomerPatch, stored: StoredCustomer
) -> bool:
    if not old:
        return policy != "keep_existing"
    if policy == "overwrite":
        return True
    if policy == "newer_wins":
        incoming_date = patch.fields.get(date_field)
        stored_date = stored.fields.get(date_field)
        if not stored_date:
            return True
        return bool(incoming_date) and str(incoming_date) >= stored_date
    return False


#: What a patch that changes nothing does (outcomes are immutable, so one serves every row).
NOTHING = MergeOutcome(False, (), (), ())


def merge(
    stored: StoredCustomer | None,
    patch: CustomerPatch,
    policy: MergePolicy,
    defaults: Defaults,
    *,
    explain: bool = True,
) -> MergeOutcome:
    """Decide every change ``patch`` makes to ``stored`` (None: a new customer).

    A creation lists every value as a change only when ``explain`` is set (dry runs); the
    import's hot path skips building them.
    """
    if stored is None:
        return _create(patch, defaults, explain)
    stored_fields = stored.fields
    changes: list[FieldChange] = []
    # A re-delivered record's values are mostly the stored ones: one subset test settles that
    # case, and otherwise the few that differ are found before deciding anything.
    if not patch.fields.items() <= stored_fields.items():
        differing = [name for name, new in patch.fields.items() if stored_fields.get(name) != new]
        # Decide the date field last so that newer_wins compares against the stored date.
        if policy.date_field in differing:
            differing.remove(policy.date_field)
            differing.append(policy.date_field)
        for name in differing:
            old = stored_fields.get(name)
            if _incoming_wins(policy.for_field(name), old, policy.date_field, patch, stored):
                changes.append(FieldChange(name, old, patch.fields[name]))
    if not patch.custom.items() <= stored.custom.items():
        for key, new in patch.custom.items():
            name = CUSTOM_PREFIX + key
            old = stored.custom.get(key)
            if old == new:
                continue
            if _incoming_wins(policy.for_field(name), old, policy.date_field, patch, stored):
                changes.append(FieldChange(name, old, new))
    tags_added = tuple(t for t in patch.tags if t not in stored.tags) if patch.tags else ()
    groups_added = tuple(g for g in patch.groups if g not in stored.groups) if patch.groups else ()
    if not (changes or tags_added or groups_added):
        return NOTHING
    return MergeOutcome(False, tuple(changes), tags_added, groups_added)


def _create(patch: CustomerPatch, defaults: Defaults, explain: bool) -> MergeOutcome:
    values: dict[str, str | None] = dict(patch.fields)
    if defaults.owner and not values.get("owner"):
        values["owner"] = defaults.owner
    if defaults.status and not values.get("status"):
        values["status"] = defaults.status
    # A portal inquiry's customer came through that portal unless the integration says otherwise.
    channel = defaults.acquisition_channel or (patch.inquiry.source if patch.inquiry else None)
    if channel and not values.get("acquisition_channel"):
        values["acquisition_channel"] = channel
    # And it was acquired the day the inquiry arrived, unless the record says when.
    if not values.get("acquired_at") and (day := _inquiry_day(patch)) is not None:
        values["acquired_at"] = day
    tags = tuple(dict.fromkeys((*patch.tags, *defaults.tags))) if defaults.tags else tuple(patch.tags)
    groups = tuple(dict.fromkeys((*patch.groups, *defaults.groups))) if defaults.groups else tuple(patch.groups)
    state = StoredCustomer(values, dict(patch.custom), list(tags), list(groups))
    changes: tuple[FieldChange, ...] = ()
    if explain:
        changes = tuple(
            [FieldChange(name, None, value) for name, value in values.items() if value is not None]
            + [FieldChange(CUSTOM_PREFIX + key, None, value) for key, value in patch.custom.items()]
        )
    return MergeOutcome(True, changes, tags, groups, state)


def _inquiry_day(patch: CustomerPatch) -> str | None:
    """The day, in Japan time, the record's inquiry arrived (ISO 8601), if it says."""
    if patch.inquiry is not None and patch.inquiry.received_at is not None:
        return patch.inquiry.received_at.astimezone(JST).date().isoformat()
    received = patch.inquiry_values.get("received_at")  # ISO 8601 in Japan time (transforms)
    return received[:10] if received else None


def apply_outcome(stored: StoredCustomer | None, outcome: MergeOutcome) -> StoredCustomer:
    """The customer as it is after ``outcome``: used to merge further rows of the same file."""
    if outcome.state is not None:
        return outcome.state
    fields: dict[str, str | None] = dict(stored.fields) if stored else {}
    custom: dict[str, str] = dict(stored.custom) if stored else {}
    for change in outcome.changes:
        if change.field.startswith(CUSTOM_PREFIX):
            custom[change.field[len(CUSTOM_PREFIX) :]] = change.new
        else:
            fields[change.field] = change.new
    tags = [*(stored.tags if stored else ()), *outcome.tags_added]
    groups = [*(stored.groups if stored else ()), *outcome.groups_added]
    return StoredCustomer(fields, custom, tags, groups)
