"""The catalogues: Japanese and English hold the same keys, and every key a page uses exists in both."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from renkei.core.fields import (
    CANONICAL_FIELDS,
    COMPOSITE_TARGETS,
    EXTERNAL_ID_TARGET,
    INQUIRY_TARGETS,
    PROTECTED_FIELDS,
)
from renkei.pipeline.deliveries import TERMINAL
from renkei.pipeline.users import ROLES
from renkei.sources.registry import kinds
from renkei.web.i18n import LOCALES, catalogue
from renkei.web.ui.common import FLASHES, settings_form

WEB = Path(__file__).resolve().parents[2] / "src" / "renkei" / "web"
#: ``t('key')`` or ``caller.t("key")`` with a literal key (not ``data.get("x")``).
LITERAL = re.compile(r"(?<![\w])t\(\s*['\"]([A-Za-z0-9_.-]+)['\"]\s*[,)]")


def used_keys() -> set[str]:
    found: set[str] = set()
    for path in [*WEB.glob("templates/*.html"), *WEB.glob("ui/*.py")]:
        found |= set(LITERAL.findall(path.read_text(encoding="utf-8")))
    return found


def test_both_catalogues_hold_the_same_keys():
    ja, en = set(catalogue("ja")), set(catalogue("en"))
    assert ja - en == set(), "only in ja.yaml"
    assert en - ja == set(), "only in en.yaml"


def test_no_text_is_empty_and_placeholders_match():
    ja, en = catalogue("ja"), catalogue("en")
    for key in ja:
        assert ja[key].strip() and en[key].strip(), key
        assert set(re.findall(r"{(\w+)}", ja[key])) == set(re.findall(r"{(\w+)}", en[key])), key


def test_the_scan_finds_keys_in_templates_and_modules():
    keys = used_keys()
    assert {"integrations.title", "wizard.error.name_taken", "mapping.error.no_delivery"} <= keys
    assert "get" not in keys and "confirmed" not in keys


@pytest.mark.parametrize("locale", LOCALES)
def test_every_literal_key_used_exists(locale):
    missing = sorted(used_keys() - set(catalogue(locale)))
    assert missing == []


def dynamic_keys() -> set[str]:
    """The keys pages build from data: each value the data can take."""
    keys = {f"roles.{r}" for r in ROLES}
    keys |= {f"integrations.status.{s}" for s in ("active", "stopped", "failing", "waiting")}
    keys |= {f"delivery_state.{s}" for s in ("received", "processed", "not-a-lead", *TERMINAL)}
    keys |= {f"row_action.{a}" for a in ("created", "updated", "unchanged", "error")}
    keys |= {f"diff_kind.{k}" for k in ("created", "removed", "changed")}
    keys |= {f"permission.{p}" for p in ("NG", "R", "W", "RW")} | {
        f"permission_help.{p}" for p in ("NG", "R", "W", "RW")
    }
    keys |= {f"mapping.group.{g}" for g in ("canonical", "composite", "inquiry", "protected", "custom")}
    keys |= {f"mapping.unknown.{u}" for u in ("custom", "report", "ignore")}
    keys |= {f"mapping.why.{w}" for w in ("protected", "inbound")}
    keys |= {f"setup.confirm_{w}" for w in ("mail", "other")}
    keys |= {f"wizard.step{n}.title" for n in (1, 2, 3)}
    keys |= {f"flash.{f}" for f in FLASHES}
    targets = (*CANONICAL_FIELDS, *COMPOSITE_TARGETS, *INQUIRY_TARGETS, EXTERNAL_ID_TARGET, *PROTECTED_FIELDS)
    keys |= {f"fields.{t}" for t in targets}
    for kind in kinds():
        keys |= {f"kinds.{kind.name}.name", f"kinds.{kind.name}.description"}
        form = settings_form(kind)
        for field in form.fields:
            keys |= {f"{field.key}.label", f"{field.key}.help"}
        for section in form.sections:
            keys |= {f"settings_section.{section}.label", f"settings_section.{section}.help"}
    return keys


@pytest.mark.parametrize("locale", LOCALES)
def test_every_key_built_from_data_exists(locale):
    assert sorted(dynamic_keys() - set(catalogue(locale))) == []
