"""Mapping: a source record's labels to a customer patch of canonical, normalised values.

A mapping is plain data (``MappingSpec``): explicit rules that override header auto-mapping,
constants, a permission per field, and what to do with columns nobody mapped. It is compiled
once per delivery against the labels the source actually has (``compile_mapping``) and then
applied to each record (``map_record``), which is the per-row hot path.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from renkei.core import headers as header_aliases
from renkei.core.errors import NormalizationError
from renkei.core.fields import (
    CUSTOM_PREFIX,
    INQUIRY_EXTRA_PREFIX,
    INQUIRY_TARGETS,
    PROTECTED_FIELDS,
    SCALAR_FIELDS,
    Permission,
    allowed_permissions,
    is_custom,
    is_inquiry_extra,
    is_known_target,
)
from renkei.core.normalize import classify_phone, normalize_email, normalize_label
from renkei.core.normalize.family_names import split_reading
from renkei.core.number_parts import NumberParts, find_parts, join_parts
from renkei.core.patch import CustomerPatch, FieldError
from renkei.core.records import RowFields, SourceRecord
from renkei.core.transforms import (
    PHONE_TARGETS,
    Apply,
    address_transform,
    email_phone_key,
    full_name_transform,
    memo_size_for,
    phone_email_key,
    phone_slot,
    second_column_transform,
    transform_for,
)

UnknownColumns = Literal["custom", "report", "ignore"]
#: What a value a normaliser rejects does to its row: makes it a row error (``reject_row``), or is
#: left out of it, still reported, while the rest of the row goes in (``leave_out``).
BadValues = Literal["reject_row", "leave_out"]
#: The reason a left-out value is reported with, after the normaliser's own.
LEFT_OUT = "the row was imported without this value"


@dataclass(frozen=True, slots=True)
class FieldRule:
    """One explicit mapping row: a source label to a target, with its permission."""

    source: str
    target: str
    permission: Permission = Permission.READABLE_WRITABLE


@dataclass(frozen=True, slots=True)
class MappingSpec:
    """How an integration turns its records into customer patches."""

    rules: tuple[FieldRule, ...] = ()
    constants: Mapping[str, str] = field(default_factory=dict)
    auto_map: bool = True
    unknown_columns: UnknownColumns = "custom"
    #: None: the integration kind's default (``compile_mapping``'s ``bad_values``).
    bad_values: BadValues | None = None


class MappingError(ValueError):
    """The mapping itself is invalid; ``problems`` lists every problem at once."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = tuple(problems)


def validate_spec(spec: MappingSpec) -> None:
    """Raise ``MappingError`` naming every rule that cannot stand."""
    problems: list[str] = []
    for rule in spec.rules:
        if rule.target in PROTECTED_FIELDS:
            if rule.permission.writes:
                problems.append(f"{rule.source!r} → {rule.target}: {rule.target} is protected and never writable")
            continue
        if not is_known_target(rule.target):
            problems.append(f"{rule.source!r} → {rule.target!r}: unknown target field")
        elif rule.permission not in allowed_permissions(rule.target):
            problems.append(f"{rule.source!r} → {rule.target}: permission {rule.permission.value} is not allowed here")
    for target in spec.constants:
        if not is_known_target(target) or target in PROTECTED_FIELDS:
            problems.append(f"constant for {target!r}: unknown or protected target field")
    if problems:
        raise MappingError(problems)


@dataclass(frozen=True, slots=True)
class ColumnPlan:
    """What happens to one source label."""

    label: str
    target: str | None  # None: unknown column
    apply: Apply | None
    #: A later column of a field another column feeds (``TEL2`` beside ``TEL1``): read after the others.
    second: bool = False


@dataclass(frozen=True, slots=True)
class CompiledMapping:
    """A mapping resolved against the labels one source actually has.

    ``positions`` and ``unknown_positions`` are ``active`` and ``unknown`` with each label's
    position in ``labels``: ``map_record`` reads a record's values by position.
    """

    columns: tuple[ColumnPlan, ...]
    active: tuple[tuple[str, Apply], ...]
    constants: tuple[tuple[str, Apply], ...]
    constant_values: tuple[str, ...]
    unknown: tuple[str, ...]
    unknown_columns: UnknownColumns
    bad_values: BadValues
    labels: tuple[str, ...]
    positions: tuple[tuple[int, str, Apply], ...]
    unknown_positions: tuple[tuple[int, str], ...]
    #: Where columns keep a value of another field written in them: (custom key, field) — an e-mail
    #: address in a phone column (``<column> メール``, ``email``), a phone number in an e-mail
    #: column (``<column> 電話``, ``phone``). A row whose columns gave that field none takes it
    #: from there, whatever the order of the columns.
    strays: tuple[tuple[str, str], ...] = ()
    #: Columns side by side that hold one number's parts (``電話番号1``/``2``/``3``: ``03`` | ``1234`` |
    #: ``5678``): a row's parts are joined into the first column's value before the columns are read.
    number_parts: tuple[NumberParts, ...] = ()
    #: Where a row's inquiry takes its time from when the file has no column of its own for it:
    #: the position of the column of the day the person was won (a Google Forms export's
    #: タイムスタンプ beside its お問い合わせ内容), and its reading as an inquiry time. None when the
    #: file has an inquiry time column, no acquisition date column or no inquiry columns.
    inquiry_time: tuple[int, Apply] | None = None

    def targets(self) -> dict[str, str | None]:
        """Source label → target, for showing the user what was auto-mapped; a number's later parts
        (``郵便番号2``) show the field their first column's does, which they are joined into."""
        targets = {plan.label: plan.target for plan in self.columns}
        for parts in self.number_parts:
            first, *rest = parts.positions
            for position in rest:
                targets[self.labels[position]] = targets[self.labels[first]]
        return targets


def compile_mapping(spec: MappingSpec, labels: Sequence[str], bad_values: BadValues = "reject_row") -> CompiledMapping:
    """Resolve ``spec`` against ``labels``: explicit rules first, then auto-mapping.

    ``bad_values``: what a rejected value does when ``spec`` does not say (the kind's default)."""
    validate_spec(spec)
    explicit = {normalize_label(rule.source): rule for rule in spec.rules}
    auto = header_aliases.auto_map(labels) if spec.auto_map else {}
    claimed: set[str] = set()
    ruled: set[str] = set()  # the labels the spec's rules map
    resolved: list[tuple[str, str | None, bool]] = []  # (label, target, read as a second column)
    for label in labels:
        rule = explicit.get(normalize_label(label))
        target: str | None
        if rule is not None:
            ruled.add(label)
            target = rule.target if rule.permission.reads else None
            if target is None:
                resolved.append((label, None, False))
                continue
        else:
            # A label that is Renkei's own field name (a portal record, a re-imported export) is that field.
            target = label if is_known_target(label) and label not in PROTECTED_FIELDS else auto.get(label)
            if target is not None and target in claimed and target in SCALAR_FIELDS:
                target = None
            guess = header_aliases.guess_target(label) if target is None and spec.auto_map else None
            if guess in header_aliases.SHARED_TARGETS:
                # TEL2 beside TEL1, 自宅TEL beside 会社TEL: its number goes where its kind says while
                # that is empty, else under its label; a value that is no number is kept as written.
                resolved.append((label, guess, True))
                continue
        if target is None:
            if spec.unknown_columns == "custom" and label.strip():
                target = CUSTOM_PREFIX + label.strip()
            else:
                resolved.append((label, None, False))
                continue
        claimed.add(target)
        resolved.append((label, target, False))
    resolved = _inquiry_details(resolved, ruled)
    memo_size = memo_size_for(len(labels))
    plans = [
        ColumnPlan(label, target, _transform(target, label, second, claimed, memo_size, label in ruled), second)
        if target
        else ColumnPlan(label, None, None, second)
        for label, target, second in resolved
    ]
    # Second columns last, so that the field's own column fills it first wherever it stands.
    order = sorted(range(len(plans)), key=lambda i: plans[i].second)
    positions = tuple((i, plans[i].label, apply) for i in order if (apply := plans[i].apply) is not None)
    unknown_positions = tuple((i, p.label) for i, p in enumerate(plans) if p.target is None and p.label.strip())
    constants = tuple((target, transform_for(target)) for target in spec.constants)
    return CompiledMapping(
        columns=tuple(plans),
        active=tuple((label, apply) for _, label, apply in positions),
        constants=constants,
        constant_values=tuple(spec.constants.values()),
        unknown=tuple(label for _, label in unknown_positions),
        unknown_columns=spec.unknown_columns,
        bad_values=spec.bad_values or bad_values,
        labels=tuple(labels),
        positions=positions,
        unknown_positions=unknown_positions,
        strays=_strays(resolved),
        number_parts=_number_parts(labels, resolved, ruled),
        inquiry_time=_inquiry_time(resolved),
    )


def _is_inquiry_list(targets: Iterable[str | None]) -> bool:
    """Whether a file whose columns go to ``targets`` reports inquiries (反響): one goes to one."""
    return any(target is not None and (target in INQUIRY_TARGETS or is_inquiry_extra(target)) for target in targets)


def _inquiry_details(
    resolved: list[tuple[str, str | None, bool]], ruled: set[str]
) -> list[tuple[str, str | None, bool]]:
    """``resolved`` with, in a list of inquiries, the columns that say more of the inquiry (物件種別,
    最寄り駅, ご希望の連絡方法) and that neither a field nor a rule of the user's took kept with the
    inquiry (``inquiry.extra:<label>``) rather than as the customer's custom values."""
    if not _is_inquiry_list(target for _, target, _ in resolved):
        return resolved
    return [
        (label, INQUIRY_EXTRA_PREFIX + label.strip(), False)
        if label not in ruled
        and (target is None or is_custom(target))
        and not second
        and header_aliases.is_inquiry_detail(label)
        else (label, target, second)
        for label, target, second in resolved
    ]


def _inquiry_time(resolved: Sequence[tuple[str, str | None, bool]]) -> tuple[int, Apply] | None:
    """``CompiledMapping.inquiry_time`` of a file whose columns resolved as ``resolved``."""
    targets = [target for _, target, _ in resolved]
    if "inquiry.received_at" in targets or not _is_inquiry_list(targets):
        return None
    if "acquired_at" not in targets:
        return None
    return targets.index("acquired_at"), transform_for("inquiry.received_at")


def _number_parts(
    labels: Sequence[str], resolved: Sequence[tuple[str, str | None, bool]], ruled: set[str]
) -> tuple[NumberParts, ...]:
    """The runs of columns holding one number's parts whose first column reads that kind of number
    and whose other columns no rule of the user's maps elsewhere (to the first's field is to it)."""
    kinds = {"phone": PHONE_TARGETS, "postal_code": frozenset({"postal_code"})}
    found = []
    for parts in find_parts(labels):
        first, *rest = parts.positions
        target = resolved[first][1]
        if target in kinds[parts.kind] and all(
            labels[position] not in ruled or resolved[position][1] == target for position in rest
        ):
            found.append(parts)
    return tuple(found)


def _transform(target: str, label: str, second: bool, claimed: set[str], memo_size: int, ruled: bool) -> Apply:
    """A column's transform, knowing the file's other columns (``claimed``) and whether a rule of the
    user's maps it (``ruled``): a second column of its field's reads after the field's own; a name
    column gives a company's name to the company only when no company column does; an address keeps
    its building unless a building column gives it; a job title after the department (``営業部
    部長``) is read from a department column auto-mapped in a file without a title column (a rule
    that says a column is the department is taken at its word), and a department after the
    company's name from a company column likewise."""
    if second:
        return second_column_transform(target, label, memo_size)
    if target == "full_name":
        return full_name_transform(label or target, memo_size, company_column="company_name" in claimed)
    if target == "address":
        return address_transform(memo_size, buildings="address2" not in claimed)
    return transform_for(
        target,
        label,
        memo_size,
        titles_in_department="title" not in claimed and not ruled,
        departments_in_company="department" not in claimed and not ruled,
    )


def map_record(record: SourceRecord, mapping: CompiledMapping) -> tuple[CustomerPatch, list[FieldError]]:
    """Turn one record into a patch; every rejected value becomes a ``FieldError``.

    The patch is the record's when every error is ``left_out``: with ``bad_values: leave_out``,
    the values a normaliser rejected in a row that still names someone and has nothing else
    wrong (a constant the mapping cannot set, a column it reports), which goes in without them.
    Any other error makes the whole row an error, its rejected values with it."""
    patch = CustomerPatch(external_id=record.external_id, inquiry=record.inquiry)
    errors: list[FieldError] = []
    values = _values_by_position(record, mapping)
    if mapping.number_parts:
        values = join_parts(values, mapping.number_parts)
    for position, label, apply in mapping.positions:
        raw = values[position]
        if not raw:
            continue
        reason = apply(raw, patch)
        if reason is not None:
            errors.append(FieldError(label, raw, reason))
    if mapping.inquiry_time is not None and patch.inquiry_values and "received_at" not in patch.inquiry_values:
        position, apply = mapping.inquiry_time
        if raw := values[position]:
            apply(raw, patch)  # a value it rejects is reported once, by the column's own transform
    rejected = len(errors)  # the values rejected; what follows makes the row an error
    if mapping.constants:  # most mappings have none: not even an empty zip per row
        for (target, apply), raw in zip(mapping.constants, mapping.constant_values, strict=True):
            if target in patch.fields and target not in ("tags", "groups"):
                continue
            reason = apply(raw, patch)
            if reason is not None:
                errors.append(FieldError(f"constant {target}", raw, reason))
    if mapping.unknown_columns == "report":
        for position, label in mapping.unknown_positions:
            raw = values[position]
            if raw:
                errors.append(FieldError(label, raw, "column is not mapped to any field"))
    if mapping.strays and patch.custom:
        _settle_strays(patch, mapping.strays)
    if patch.postal_area is not None or patch.street_as_written:  # what finish() completes
        patch.finish()
    fields = patch.fields
    if "last_name_kana" in fields and "first_name_kana" not in fields and "last_name" in fields:
        _divide_reading(fields)
    # Nothing wrong but the values rejected, if any, and those (left out) need not fail the row.
    if len(errors) == rejected and (not errors or mapping.bad_values == "leave_out"):
        if patch.is_anonymous():
            errors.append(FieldError(None, None, "row has no name, e-mail or phone number"))
        elif errors:
            errors = [FieldError(e.column, e.value, f"{e.reason}; {LEFT_OUT}", left_out=True) for e in errors]
    return patch, errors


def _strays(resolved: Sequence[tuple[str, str | None, bool]]) -> tuple[tuple[str, str], ...]:
    """Where the columns of ``resolved`` keep a value of another field's column (``CompiledMapping.strays``)."""
    strays: list[tuple[str, str]] = []
    for label, target, _ in resolved:
        if target in PHONE_TARGETS or target == "full_name":  # 山田太郎 <taro@example.jp> in a name column
            strays.append((phone_email_key(label), "email"))
        elif target == "email":
            strays.append((email_phone_key(label), "phone"))
    return tuple(strays)


def _settle_strays(patch: CustomerPatch, strays: tuple[tuple[str, str], ...]) -> None:
    """The values columns held of another field (``CompiledMapping.strays``), once every column is
    read: each fills its field when the row's own column gave none; one that is the field's value
    is not kept again; any other stays where it is."""
    custom, fields = patch.custom, patch.fields
    for key, field_name in strays:
        value = custom.get(key)
        if value is None:
            continue
        try:  # the transform's own value, or a column of the same name's: that one is checked
            if field_name == "email":
                slot, value = "email", normalize_email(value)
            else:
                value, kind = classify_phone(value)
                slot = phone_slot(kind)
        except NormalizationError:
            continue
        if slot not in fields:
            fields[slot] = value
        if fields[slot] == value:
            del custom[key]


def _divide_reading(fields: dict[str, str]) -> None:
    """A reading written without a space (``ヤマダタロウ``) beside a common family name (``山田``,
    from its column or the full name) is divided where the family name's reading ends."""
    parts = split_reading(fields["last_name_kana"], fields["last_name"])
    if parts is not None:
        fields["last_name_kana"], fields["first_name_kana"] = parts


def _values_by_position(record: SourceRecord, mapping: CompiledMapping) -> Sequence[str | None]:
    """The record's value under each of the mapping's labels, in the mapping's order.

    A file row (``RowFields``) of the file the mapping was compiled for already is that list.
    """
    fields = record.fields
    if isinstance(fields, RowFields) and fields.labels == mapping.labels and len(fields.row) == len(fields.labels):
        return fields.row
    return [fields.get(label) for label in mapping.labels]


__all__ = [
    "LEFT_OUT",
    "BadValues",
    "ColumnPlan",
    "CompiledMapping",
    "FieldRule",
    "MappingError",
    "MappingSpec",
    "compile_mapping",
    "map_record",
    "validate_spec",
]
