"""A customer patch: what one record says about one customer, normalised."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

from renkei.core.normalize.address import (
    may_hold_building,
    prefecture_of_city,
    split_building,
    split_city,
    split_prefecture,
)
from renkei.core.records import InquiryFacts


@dataclass(frozen=True, slots=True)
class FieldError:
    """A value a normaliser rejected, or a row-level problem when ``column`` is None."""

    column: str | None
    value: str | None
    reason: str
    #: A value left out of its row, which goes in without it (``bad_values: leave_out``).
    left_out: bool = False
    #: A line that is no record, passed over (a ledger's closing line, the header again): noted
    #: with the row errors, never counted as one.
    passed_over: bool = False


#: How ``CustomerPatch.inquiry_values`` keeps an ``inquiry.extra:<label>`` value: ``extra:<label>``.
EXTRA_KEY: Final = "extra:"


@dataclass(slots=True)
class CustomerPatch:
    """Canonical values from one record. Empty values are simply absent: they never erase.

    ``extra_phones`` holds further numbers of a kind whose slot was already taken; the mapper
    keeps them as custom values rather than dropping them.
    """

    fields: dict[str, str] = field(default_factory=dict)
    custom: dict[str, str] = field(default_factory=dict)
    tags: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    external_id: str | None = None
    inquiry: InquiryFacts | None = None
    inquiry_values: dict[str, str] = field(default_factory=dict)
    postal_area: tuple[str, str] | None = None
    #: ``address1`` came from a street column as written, which may hold the whole address or
    #: repeat the city (``finish`` sees to it; an address split by the mapping never does).
    street_as_written: bool = False

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle compactly: one patch per row crosses from the mapping process to the writer.

        Most patches hold only fields and a postal area; their empty containers are not sent.
        ``street_as_written`` is not sent either: ``finish`` has used it where the patch was made.
        """
        only_fields = not (self.custom or self.tags or self.groups or self.inquiry_values) and (
            self.external_id is None and self.inquiry is None
        )
        if only_fields:
            return _patch_of_fields, (self.fields, self.postal_area)
        values = (self.custom, self.tags, self.groups, self.external_id, self.inquiry, self.inquiry_values)
        return CustomerPatch, (self.fields, *values, self.postal_area)

    def inquiry_extra(self) -> dict[str, str]:
        """What else the record's inquiry says, by its label: its source's (a mail's other labels),
        then the columns kept with it (``inquiry.extra:<label>``)."""
        extra = dict(self.inquiry.extra) if self.inquiry is not None and self.inquiry.extra else {}
        for key, value in self.inquiry_values.items():
            if key.startswith(EXTRA_KEY):
                extra.setdefault(key[len(EXTRA_KEY) :], value)
        return extra

    def set_default(self, name: str, value: str) -> None:
        """Set ``name`` unless an earlier column already did."""
        if name not in self.fields:
            self.fields[name] = value

    def finish(self) -> None:
        """Complete the address once every column is read.

        An ``address1`` that starts with a prefecture (a whole address in a 番地 or Street
        column) gives the prefecture and city the record lacks; then the postal code fills what
        is still missing; then the prefecture and city are not repeated at the start of
        ``address1``, so that the parts read as one address; an ``address1`` that starts with a
        city of the record's prefecture when the record has no city gives the city (with no
        prefecture either, a city only one prefecture has gives both); a building written after
        its number with a space between is ``address2`` when the row has none. A prefecture
        (or a city) in ``address1`` other than the record's stays where it is: the conflict is the
        file's, and stays visible.
        """
        fields = self.fields
        line = fields.get("address1") if self.street_as_written else None
        if line is not None:
            prefecture, rest = split_prefecture(line)
            if prefecture is not None and fields.setdefault("prefecture", prefecture) == prefecture:
                line = rest
                city, rest = split_city(rest)
                if city is not None and fields.setdefault("city", city) == city:
                    line = rest
        if self.postal_area is not None:
            prefecture, city = self.postal_area
            if "prefecture" not in fields and prefecture:
                fields["prefecture"] = prefecture
                if "city" not in fields and city:
                    fields["city"] = city
            elif fields.get("prefecture") == prefecture and "city" not in fields and city:
                fields["city"] = city
        if line is not None:
            city = fields.get("city")
            if city is None and (prefecture := fields.get("prefecture")):
                # 住所1 beside a 都道府県 column, holding the city (大阪市北区梅田1丁目1番3号):
                # the city is split off when it is one of that prefecture's.
                city, rest = split_city(line, prefecture)
                if city is not None:
                    fields["city"] = city
                    line = rest
            elif city is None:
                # No prefecture either: a city only one prefecture has gives both.
                city, rest = split_city(line)
                if city is not None and (prefecture := prefecture_of_city(city)) is not None:
                    fields["prefecture"], fields["city"] = prefecture, city
                    line = rest
            elif city and line.startswith(city):
                line = line[len(city) :].lstrip()
            if "address2" not in fields and may_hold_building(line):  # the row's building column is the building
                line, building = split_building(line)
                if building is not None:
                    fields["address2"] = building
            if line:
                fields["address1"] = line
            else:
                del fields["address1"]

    def is_anonymous(self) -> bool:
        """True when nothing identifies a person: no name, e-mail or phone number."""
        f = self.fields
        return not (
            f.get("last_name")
            or f.get("first_name")
            or f.get("email")
            or f.get("phone")
            or f.get("mobile")
            or self.external_id
        )

    def match_keys(self) -> list[tuple[str, str]]:
        """The keys this patch can be matched by, as (kind, value)."""
        keys: list[tuple[str, str]] = []
        f = self.fields
        if self.external_id:
            keys.append(("external_id", self.external_id))
        for kind in ("email", "mobile", "phone"):
            value = f.get(kind)
            if value:
                keys.append((kind, value))
        return keys


def _patch_of_fields(fields: dict[str, str], postal_area: tuple[str, str] | None) -> CustomerPatch:
    """Unpickle a patch that holds only fields and a postal area (see ``CustomerPatch.__reduce__``)."""
    return CustomerPatch(fields, postal_area=postal_area)
