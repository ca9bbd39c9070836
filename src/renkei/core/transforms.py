"""Per-target transforms: normalise a raw value and put it into a patch.

Each transform returns None on success or a reason when the value is rejected. Which fields
reject and which keep the raw text is the normalisers' declared ``ERROR_POLICY``: a rejected
value becomes a row error, never a silent blank.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from renkei.core.errors import NormalizationError
from renkei.core.fields import CUSTOM_PREFIX, INQUIRY_TARGETS
from renkei.core.normalize import (
    ERROR_POLICY,
    classify_phone,
    clean_text,
    fold_width,
    lookup_postal_code,
    normalize_email,
    normalize_postal_code,
    parse_date,
    split_city,
    split_full_name,
    split_prefecture,
    to_katakana,
)
from renkei.core.patch import CustomerPatch

Apply = Callable[[str, CustomerPatch], str | None]

_LIST_SPLIT = re.compile(r"\s*[,、，;；|\n]\s*")


@lru_cache(maxsize=65536)
def _text(raw: str) -> str | None:
    return clean_text(fold_width(raw))


def _scalar(name: str) -> Apply:
    def apply(raw: str, patch: CustomerPatch) -> str | None:
        value = _text(raw)
        if value is not None:
            patch.set_default(name, value)
        return None

    return apply


def _rejecting(name: str, normalise: Callable[[str], str]) -> Apply:
    keep_raw = ERROR_POLICY.get(name, "reject") == "keep_raw"

    def apply(raw: str, patch: CustomerPatch) -> str | None:
        text = _text(raw)
        if text is None:
            return None
        try:
            value = normalise(text)
        except NormalizationError as error:
            if keep_raw:
                patch.set_default(name, text)
                return None
            return error.reason
        patch.set_default(name, value)
        return None

    return apply


def _phone(target: str, label: str) -> Apply:
    def apply(raw: str, patch: CustomerPatch) -> str | None:
        if _text(raw) is None:
            return None
        try:
            e164, kind = classify_phone(raw)
        except NormalizationError as error:
            return error.reason
        slot = "fax" if target == "fax" else "mobile" if kind == "mobile" else "phone"
        if slot in patch.fields:
            if patch.fields[slot] != e164:
                patch.custom.setdefault(label, e164)
        else:
            patch.fields[slot] = e164
        return None

    return apply


def _postal(raw: str, patch: CustomerPatch) -> str | None:
    if _text(raw) is None:
        return None
    try:
        code = normalize_postal_code(raw)
    except NormalizationError as error:
        return error.reason
    patch.set_default("postal_code", code)
    area = lookup_postal_code(code)
    if area is not None and patch.postal_area is None:
        patch.postal_area = (area.prefecture, area.city)
    return None


def _full_name(raw: str, patch: CustomerPatch) -> str | None:
    text = _text(raw)
    if text is None:
        return None
    family, given = split_full_name(text)
    patch.set_default("last_name", family)
    if given:
        patch.set_default("first_name", given)
    return None


def _full_name_kana(raw: str, patch: CustomerPatch) -> str | None:
    text = _text(raw)
    if text is None:
        return None
    try:
        kana = to_katakana(text)
    except NormalizationError as error:
        return error.reason
    family, _, given = kana.partition(" ")
    patch.set_default("last_name_kana", family)
    if given:
        patch.set_default("first_name_kana", given)
    return None


def _address(raw: str, patch: CustomerPatch) -> str | None:
    text = _text(raw)
    if text is None:
        return None
    prefecture, rest = split_prefecture(text)
    city, rest = split_city(rest)
    if prefecture:
        patch.set_default("prefecture", prefecture)
    if city:
        patch.set_default("city", city)
    if rest:
        patch.set_default("address1", rest)
    return None


def _date(raw: str) -> str:
    return parse_date(raw).isoformat()


def _list(kind: str) -> Apply:
    def apply(raw: str, patch: CustomerPatch) -> str | None:
        target = patch.tags if kind == "tags" else patch.groups
        for item in _LIST_SPLIT.split(raw.strip()):
            value = _text(item)
            if value and value not in target:
                target.append(value)
        return None

    return apply


def _custom(key: str) -> Apply:
    def apply(raw: str, patch: CustomerPatch) -> str | None:
        value = _text(raw)
        if value is not None:
            patch.custom.setdefault(key, value)
        return None

    return apply


def _inquiry(attribute: str) -> Apply:
    def apply(raw: str, patch: CustomerPatch) -> str | None:
        value = _text(raw)
        if value is not None:
            patch.inquiry_values.setdefault(attribute, value)
        return None

    return apply


def _external_id(raw: str, patch: CustomerPatch) -> str | None:
    value = _text(raw)
    if value is not None and patch.external_id is None:
        patch.external_id = value
    return None


def transform_for(target: str, label: str = "") -> Apply:
    """The transform that puts a raw value for ``target`` into a patch."""
    if target in ("phone", "mobile", "fax"):
        return _phone(target, label or target)
    if target.startswith(CUSTOM_PREFIX):
        return _custom(target[len(CUSTOM_PREFIX) :])
    if target in INQUIRY_TARGETS:
        return _inquiry(target.split(".", 1)[1])
    simple: dict[str, Apply] = {
        "postal_code": _postal,
        "full_name": _full_name,
        "full_name_kana": _full_name_kana,
        "address": _address,
        "external_id": _external_id,
        "tags": _list("tags"),
        "groups": _list("groups"),
        "email": _rejecting("email", normalize_email),
        "last_name_kana": _rejecting("last_name_kana", to_katakana),
        "first_name_kana": _rejecting("first_name_kana", to_katakana),
        "acquired_at": _rejecting("acquired_at", _date),
    }
    return simple.get(target) or _scalar(target)
