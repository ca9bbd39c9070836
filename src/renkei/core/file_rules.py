"""File-name rules for files that arrive on a schedule: daily ``yyyymmdd.csv``, monthly ``yyyymm00.csv``."""

from __future__ import annotations

import re
from datetime import date
from typing import Literal

FileNameRule = Literal["any", "daily", "monthly"]

#: The names of the files an import reads (CSV or TSV text, a workbook: .xlsx, .xls, .xlsb, .ods) end in these.
FILE_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xls", ".xlsb", ".ods")
_SUFFIX = "|".join(suffix.lstrip(".") for suffix in FILE_SUFFIXES)
_DAILY = re.compile(rf"(\d{{4}})(\d{{2}})(\d{{2}})\.(?:{_SUFFIX})", re.IGNORECASE)
_MONTHLY = re.compile(rf"(\d{{4}})(\d{{2}})00\.(?:{_SUFFIX})", re.IGNORECASE)


def file_name_problem(name: str, rule: FileNameRule) -> str | None:
    """Why ``name`` breaks ``rule``, or None when it follows it. A ZIP file's name is free: the rule
    is for the files read, those inside it (``sources.zipped``)."""
    if rule == "any":
        return None
    base = name.rsplit("/", 1)[-1]
    if base.lower().endswith(".zip"):
        return None
    if rule == "daily":
        match = _DAILY.fullmatch(base)
        if match is None:
            return f"file name {base!r} does not follow the daily rule yyyymmdd.csv (e.g. 20261122.csv)"
        try:
            date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError:
            return f"file name {base!r} is not a real date (daily rule yyyymmdd.csv)"
        return None
    match = _MONTHLY.fullmatch(base)
    if match is None:
        return f"file name {base!r} does not follow the monthly rule yyyymm00.csv (e.g. 20261100.csv)"
    if not 1 <= int(match.group(2)) <= 12:
        return f"file name {base!r} is not a real month (monthly rule yyyymm00.csv)"
    return None
