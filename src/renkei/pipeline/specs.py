"""Integration specifications: the declarative, validated shape of one integration.

The same model validates ``renkei apply FILE.yaml``, ``integrations add --set`` and (later) the
API. It converts to the pure core's plain data with ``to_core``.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from renkei.core.errors import NormalizationError
from renkei.core.fields import Permission
from renkei.core.mapping import FieldRule, MappingError, MappingSpec, validate_spec
from renkei.core.matching import MATCH_KEYS, MatchKey
from renkei.core.merge import Defaults, MergePolicy, Policy
from renkei.core.normalize import normalize_email

Status = Literal["active", "stopped", "failing"]


class RuleSpec(BaseModel):
    """One mapping row."""

    model_config = ConfigDict(extra="forbid")
    source: str
    target: str
    permission: str = "RW"

    @field_validator("permission")
    @classmethod
    def _permission(cls, value: str) -> str:
        return Permission.parse(value).value


class MappingModel(BaseModel):
    """Explicit rules, constants, auto-mapping and the unknown-column rule."""

    model_config = ConfigDict(extra="forbid")
    rules: list[RuleSpec] = Field(default_factory=list)
    constants: dict[str, str] = Field(default_factory=dict)
    auto_map: bool = True
    unknown_columns: Literal["custom", "report", "ignore"] = "custom"
    #: What a rejected value does to its record: ``reject_row`` (the row is an error) or
    #: ``leave_out`` (the row goes in without it, reported); None: the kind's default.
    bad_values: Literal["reject_row", "leave_out"] | None = None

    @model_validator(mode="after")
    def _valid(self) -> MappingModel:
        try:
            validate_spec(self.to_core())
        except MappingError as error:
            raise ValueError("; ".join(error.problems)) from None
        return self

    def to_core(self) -> MappingSpec:
        rules = tuple(FieldRule(r.source, r.target, Permission(r.permission)) for r in self.rules)
        return MappingSpec(rules, dict(self.constants), self.auto_map, self.unknown_columns, self.bad_values)


class PolicyModel(BaseModel):
    """Merge policy and match keys."""

    model_config = ConfigDict(extra="forbid")
    default: Policy = "overwrite"
    fields: dict[str, Policy] = Field(default_factory=dict)
    date_field: str = "acquired_at"
    match_keys: list[MatchKey] = Field(default_factory=lambda: list(MATCH_KEYS))

    @field_validator("match_keys")
    @classmethod
    def _keys(cls, value: list[MatchKey]) -> list[MatchKey]:
        if not value:
            raise ValueError("at least one match key is needed")
        if len(set(value)) != len(value):
            raise ValueError("a match key is listed twice")
        return value

    def to_core(self) -> MergePolicy:
        return MergePolicy(self.default, dict(self.fields), self.date_field)


class DefaultsModel(BaseModel):
    """What new customers get."""

    model_config = ConfigDict(extra="forbid")
    owner: str | None = None
    status: str | None = None
    acquisition_channel: str | None = None
    tags: list[str] = Field(default_factory=list)
    groups: list[str] = Field(default_factory=list)

    def to_core(self) -> Defaults:
        return Defaults(self.owner, self.status, self.acquisition_channel, tuple(self.tags), tuple(self.groups))


class NotifyModel(BaseModel):
    """Who hears about deliveries: error reports and success reports, each a list of e-mail addresses."""

    model_config = ConfigDict(extra="forbid")
    errors: list[str] = Field(default_factory=list)
    success: list[str] = Field(default_factory=list)

    @field_validator("errors", "success")
    @classmethod
    def _addresses(cls, value: list[str]) -> list[str]:
        out: list[str] = []
        for raw in value:
            if not raw.strip():
                continue
            try:
                address = normalize_email(raw)
            except NormalizationError as error:
                raise ValueError(f"{raw!r}: {error.reason}") from None
            if address not in out:
                out.append(address)
        return out


class IntegrationSpec(BaseModel):
    """One integration as declared by a user."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=200)
    kind: str
    status: Status = "active"
    settings: dict[str, Any] = Field(default_factory=dict)
    mapping: MappingModel = Field(default_factory=MappingModel)
    policies: PolicyModel = Field(default_factory=PolicyModel)
    defaults: DefaultsModel = Field(default_factory=DefaultsModel)
    notify: NotifyModel = Field(default_factory=NotifyModel)


class ApplyFile(BaseModel):
    """The document ``renkei apply`` reads."""

    model_config = ConfigDict(extra="forbid")
    integrations: list[IntegrationSpec] = Field(default_factory=list)
