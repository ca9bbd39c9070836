"""The canonical customer fields and the rules that hold for each.

These names are part of the export format: changing one is a breaking change.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final

NAME_FIELDS: Final = ("last_name", "first_name", "last_name_kana", "first_name_kana")
CONTACT_FIELDS: Final = ("email", "phone", "mobile", "fax")
ADDRESS_FIELDS: Final = ("postal_code", "prefecture", "city", "address1", "address2")
COMPANY_FIELDS: Final = ("company_name", "department", "title")
OTHER_FIELDS: Final = ("acquired_at", "acquisition_channel", "memo", "owner", "status")

#: Single-valued text fields stored as columns of the customer.
SCALAR_FIELDS: Final[tuple[str, ...]] = NAME_FIELDS + CONTACT_FIELDS + ADDRESS_FIELDS + COMPANY_FIELDS + OTHER_FIELDS
#: Set-valued fields.
SET_FIELDS: Final = ("tags", "groups")
#: Every canonical target a mapping may name, besides ``custom:<key>``.
CANONICAL_FIELDS: Final[tuple[str, ...]] = (*SCALAR_FIELDS, *SET_FIELDS)

#: Targets that stand for several canonical fields and are split by a normaliser.
COMPOSITE_TARGETS: Final = ("full_name", "full_name_kana", "address")
#: Targets that feed the delivery's inquiry or the customer's external id, not a field.
INQUIRY_TARGETS: Final = (
    "inquiry.external_id",
    "inquiry.received_at",
    "inquiry.property_code",
    "inquiry.own_property_code",
    "inquiry.property_name",
    "inquiry.property_url",
    "inquiry.price",
    "inquiry.layout",
    "inquiry.message",
)
EXTERNAL_ID_TARGET: Final = "external_id"
#: ``inquiry.extra:<label>``: what else an inquiry says, kept with it by its label (物件種別, 最寄り駅,
#: ご希望の連絡方法), as a portal mail's labels Renkei has no field for are.
INQUIRY_EXTRA_PREFIX: Final = "inquiry.extra:"

#: Fields owned by Renkei or by a sync: never writable by a mapping.
PROTECTED_FIELDS: Final = frozenset({"id", "score", "sync_status", "external_ids", "created_at", "updated_at"})

CUSTOM_PREFIX: Final = "custom:"


class Permission(StrEnum):
    """What a mapped field may do: NG (unlinked), read from the source, write to it, or both."""

    NG = "NG"
    READABLE = "R"
    WRITABLE = "W"
    READABLE_WRITABLE = "RW"

    @property
    def reads(self) -> bool:
        """True when values flow from the source into Renkei."""
        return self in (Permission.READABLE, Permission.READABLE_WRITABLE)

    @property
    def writes(self) -> bool:
        """True when values flow from Renkei out to the source."""
        return self in (Permission.WRITABLE, Permission.READABLE_WRITABLE)

    @classmethod
    def parse(cls, text: str) -> Permission:
        """Read a permission from its code or its long English or Japanese name."""
        key = text.strip().upper().replace("-", "_").replace(" ", "_")
        aliases = {
            "NG": cls.NG,
            "NONE": cls.NG,
            "連携しない": cls.NG,
            "R": cls.READABLE,
            "READABLE": cls.READABLE,
            "READ": cls.READABLE,
            "W": cls.WRITABLE,
            "WRITABLE": cls.WRITABLE,
            "WRITE": cls.WRITABLE,
            "RW": cls.READABLE_WRITABLE,
            "READABLE_WRITABLE": cls.READABLE_WRITABLE,
            "READ_WRITE": cls.READABLE_WRITABLE,
        }
        if key not in aliases:
            raise ValueError(f"unknown permission {text!r}: use NG, R, W or RW")
        return aliases[key]


def is_custom(target: str) -> bool:
    """True for a ``custom:<key>`` target."""
    return target.startswith(CUSTOM_PREFIX) and len(target) > len(CUSTOM_PREFIX)


def is_inquiry_extra(target: str) -> bool:
    """True for an ``inquiry.extra:<label>`` target."""
    return target.startswith(INQUIRY_EXTRA_PREFIX) and len(target) > len(INQUIRY_EXTRA_PREFIX)


def is_known_target(target: str) -> bool:
    """True when a mapping may send a value to ``target``."""
    return (
        target in CANONICAL_FIELDS
        or target in COMPOSITE_TARGETS
        or target in INQUIRY_TARGETS
        or target == EXTERNAL_ID_TARGET
        or is_custom(target)
        or is_inquiry_extra(target)
    )


def allowed_permissions(target: str) -> frozenset[Permission]:
    """The permissions a field may have; protected fields can never be writable."""
    if target in PROTECTED_FIELDS:
        return frozenset({Permission.NG, Permission.READABLE})
    inbound_only = target in COMPOSITE_TARGETS or target in INQUIRY_TARGETS or target == EXTERNAL_ID_TARGET
    if inbound_only or is_inquiry_extra(target):
        # Composite and inquiry targets only exist on the way in.
        return frozenset({Permission.NG, Permission.READABLE})
    return frozenset(Permission)
