"""The ``csv`` kind: CSV/TSV files imported by hand, by upload or by a file channel."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from renkei.core.file_rules import file_name_problem
from renkei.core.patch import FieldError
from renkei.core.records import RowFields, SourceRecord, file_row_record
from renkei.sources.csvfile import CsvOptions, CsvProblem, open_csv
from renkei.sources.encoding import resolve_encoding
from renkei.sources.registry import Extraction, SourceKind, register
from renkei.sources.zipped import ZipProblem, data_files, unzip_limit


class CsvSettings(BaseModel):
    """Settings of a CSV integration."""

    model_config = ConfigDict(extra="forbid")

    encoding: str | None = Field(
        default=None,
        description="Override the detected encoding (e.g. cp932, utf-8). Shift_JIS is read as CP932.",
    )
    delimiter: Literal[",", "\t", ";", "|"] | None = Field(default=None, description="Override the detected delimiter.")
    sheet: str | None = Field(
        default=None,
        description=(
            "The worksheet of a workbook (.xlsx, .xls, .xlsb, .ods) to read, by name;"
            " the first visible one when not set."
        ),
    )
    file_names: Literal["any", "daily", "monthly"] = Field(
        default="any", description="Accept any name, or only daily yyyymmdd.csv / monthly yyyymm00.csv names."
    )
    file_password: SecretStr | None = Field(
        default=None,
        description=(
            "The password the sender's encrypted ZIP files and password-protected workbooks open with"
            " (stored encrypted, never shown)."
        ),
    )

    @property
    def opening_password(self) -> str | None:
        """``file_password``, revealed: what the readers open a file with."""
        return self.file_password.get_secret_value() if self.file_password else None


def extract_csv(path: Path, settings: BaseModel, file_name: str | None) -> Extraction:
    """Open the CSV and stream its rows as source records (problems pass through as is)."""
    assert isinstance(settings, CsvSettings)
    if (file_name or path.name).lower().endswith(".zip"):
        return _archive_files(path, file_name or path.name, settings)
    problem = file_name_problem(file_name or path.name, settings.file_names)
    if problem is not None:
        return Extraction([], iter(()), verdict="failed", reason=problem)
    encoding = resolve_encoding(settings.encoding) if settings.encoding else None
    tsv = (file_name or path.name).lower().endswith((".tsv", ".tab"))
    options = CsvOptions(
        encoding=encoding,
        delimiter=settings.delimiter or ("\t" if tsv else None),
        sheet=settings.sheet or None,
        password=settings.opening_password,
    )
    csv_file = open_csv(path, options, name=file_name or path.name)
    # Interned: the mapping compiled from these labels and the rows read again in a forked
    # child then hold the very same strings, and comparing their labels is quick.
    labels = tuple(map(sys.intern, csv_file.headers))
    index = {label: position for position, label in enumerate(labels)}
    name = file_name or path.name

    def batches() -> Iterator[list[SourceRecord | Any]]:
        with csv_file:
            for batch in csv_file.batches():
                # Per row: (line, values) becomes a record, a problem passes through as it is.
                yield [
                    item
                    if isinstance(item, CsvProblem)
                    else file_row_record(f"{name} row {item[0]}", RowFields(labels, index, item[1]), item[0])
                    for item in batch
                ]

    notes = [(p.line, FieldError(p.column, p.value, p.reason)) for p in csv_file.problems]
    return Extraction(
        labels=list(labels), batches=batches(), encoding=csv_file.encoding, close=csv_file.close, notes=notes
    )


def _archive_files(path: Path, name: str, settings: CsvSettings) -> Extraction:
    """A ZIP file's CSV and workbook files, each to become a delivery of its own (``sources.zipped``)."""
    try:
        parts = data_files(name, path, settings.opening_password, unzip_limit())
    except ZipProblem as problem:
        return Extraction([], iter(()), verdict="failed", reason=problem.reason)
    return Extraction([], iter(()), verdict="split", meta={"parts": parts})


register(
    SourceKind(
        name="csv",
        settings=CsvSettings,
        extract=extract_csv,
        description="CSV/TSV files (CP932 from Excel or UTF-8), imported by hand, upload or file channel",
    )
)
