"""The declared error policy and the package's public names."""

from __future__ import annotations

from typing import get_args

import pytest

import renkei.core.normalize as normalize
from renkei.core.normalize import ERROR_POLICY, ErrorPolicy


@pytest.mark.parametrize(
    "field",
    [
        "email",
        "phone",
        "mobile",
        "fax",
        "postal_code",
        "acquired_at",
        "last_name_kana",
        "first_name_kana",
        "full_name_kana",
    ],
)
def test_identifying_fields_reject_bad_values(field: str) -> None:
    assert ERROR_POLICY[field] == "reject"


@pytest.mark.parametrize(
    "field",
    ["last_name", "first_name", "full_name", "address", "prefecture", "city", "address1", "address2"],
)
def test_free_text_fields_keep_the_raw_value(field: str) -> None:
    assert ERROR_POLICY[field] == "keep_raw"


def test_every_policy_is_a_declared_one() -> None:
    assert set(ERROR_POLICY.values()) <= set(get_args(ErrorPolicy))


def test_policies_name_canonical_fields_or_composite_targets() -> None:
    from renkei.core.fields import CANONICAL_FIELDS, COMPOSITE_TARGETS

    assert set(ERROR_POLICY) <= {*CANONICAL_FIELDS, *COMPOSITE_TARGETS}


@pytest.mark.parametrize("name", normalize.__all__)
def test_public_names_are_exported(name: str) -> None:
    assert getattr(normalize, name) is not None
