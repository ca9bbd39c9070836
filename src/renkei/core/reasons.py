"""Reasons the pipeline records, said in the reader's language.

Row errors, delivery reasons and an integration's failing reason are stored as the pipeline
writes them, in English: the CLI, the API and logs give them as they are. The admin pages and
the Japanese part of report mails say each reason ``reasons.yaml`` (beside this module) knows
in Japanese: it holds the English text with ``{placeholders}`` for what varies, and the
Japanese. A reason it does not know is shown as stored.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from pathlib import Path

import yaml

CATALOGUE = Path(__file__).with_name("reasons.yaml")
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


@functools.cache
def reasons() -> list[dict[str, str]]:
    """The catalogue's entries, each ``{"en": …, "ja": …}``."""
    with CATALOGUE.open(encoding="utf-8") as handle:
        return list(yaml.safe_load(handle) or [])


def _pattern(template: str) -> re.Pattern[str]:
    """A template as a pattern: its placeholders match any text."""
    parts = _PLACEHOLDER.split(template)
    # split() alternates text and placeholder names: text, name, text, name, …, text.
    return re.compile(
        "".join(re.escape(part) if index % 2 == 0 else f"(?P<{part}>.*?)" for index, part in enumerate(parts)),
        re.DOTALL,
    )


@functools.cache
def _compiled(locale: str) -> tuple[dict[str, str], list[tuple[re.Pattern[str], str]]]:
    exact: dict[str, str] = {}
    patterns: list[tuple[re.Pattern[str], str]] = []
    for entry in reasons():
        english, shown = entry["en"], entry[locale]
        if _PLACEHOLDER.search(english):
            patterns.append((_pattern(english), shown))
        else:
            exact[english] = shown
    return exact, patterns


def say_reason(reason: str | None, locale: str) -> str:
    """``reason`` in ``locale`` when the catalogue knows it, else as stored ('' for None)."""
    if not reason:
        return ""
    if locale == "en":
        return reason
    exact, patterns = _compiled(locale)
    known = exact.get(reason)
    if known is not None:
        return known
    for pattern, shown in patterns:
        match = pattern.fullmatch(reason)
        if match is not None:
            values = match.groupdict()
            if "reason" in values:  # a reason quoting another (the last of several failures)
                values["reason"] = say_reason(values["reason"], locale)
            return shown.format(**values)
    return reason


def reason_sayer(locale: str) -> Callable[[str | None], str]:
    """``say_reason`` for one locale, for templates."""
    return functools.partial(say_reason, locale=locale)


__all__ = ["reason_sayer", "reasons", "say_reason"]
