"""A file row's record built through its slots is the record ``SourceRecord(...)`` builds."""

from __future__ import annotations

import dataclasses

import pytest

from renkei.core.records import RowFields, SourceRecord, file_row_record


def test_file_row_record_equals_the_dataclass_one() -> None:
    labels = ("姓", "名")
    fields = RowFields(labels, {label: i for i, label in enumerate(labels)}, ["山田", "太郎"])
    built = file_row_record("f.csv row 2", fields, 2)
    expected = SourceRecord("f.csv row 2", fields, 2)
    assert built == expected
    assert type(built) is SourceRecord
    assert (built.external_id, built.inquiry) == (None, None)
    assert dataclasses.replace(built, locator="x") == dataclasses.replace(expected, locator="x")
    with pytest.raises(dataclasses.FrozenInstanceError):
        built.line = 3  # type: ignore[misc]
