"""Every string a page shows comes from a catalogue: ``locales/ja.yaml`` (default) or ``en.yaml``.

Keys are dotted (``integrations.status.active``); values may name ``{placeholders}``. Both
catalogues hold the same keys; a test checks that and that every key a template uses exists.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

LOCALES = ("ja", "en")
DEFAULT_LOCALE = "ja"
CATALOGUE_DIR = Path(__file__).parent / "locales"

Translate = Callable[..., str]


def _flatten(tree: dict[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in tree.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat |= _flatten(value, name + ".")
        else:
            flat[name] = str(value)
    return flat


@functools.cache
def catalogue(locale: str) -> dict[str, str]:
    """The flat key → text map of one locale."""
    with (CATALOGUE_DIR / f"{locale}.yaml").open(encoding="utf-8") as handle:
        return _flatten(yaml.safe_load(handle) or {})


def pick_locale(*candidates: str | None) -> str:
    """The first supported locale among ``candidates`` (user setting, cookie, query…), else Japanese."""
    for candidate in candidates:
        if candidate:
            short = candidate.split("-")[0].split("_")[0].lower()
            if short in LOCALES:
                return short
    return DEFAULT_LOCALE


def translator(locale: str) -> Translate:
    """``t(key, **values)`` for one locale. An unknown key shows itself, so a gap is visible, not blank."""
    texts = catalogue(locale)

    def t(key: str, **values: Any) -> str:
        text = texts.get(key)
        if text is None:
            return key
        return text.format(**values) if values else text

    return t
