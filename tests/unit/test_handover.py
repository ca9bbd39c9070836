"""Mapped batches cross from the reading process to the writer intact (``parallel.pack``/``unpack``)."""

from __future__ import annotations

import pickle
from datetime import UTC, datetime

import pytest

from renkei.core.mapping import MappingSpec, compile_mapping
from renkei.core.patch import CustomerPatch, FieldError
from renkei.core.records import InquiryFacts, RowFields, SourceRecord
from renkei.pipeline.parallel import Mapped, map_batch, pack, unpack
from renkei.sources.csvfile import CsvProblem


def _without_postal_area(batch: list[Mapped]) -> list[Mapped]:
    """The batch as the writer needs it: ``finish`` already used each postal area."""
    out: list[Mapped] = []
    for line, locator, patch, errors in batch:
        if patch is not None:
            patch = CustomerPatch(
                dict(patch.fields),
                dict(patch.custom),
                list(patch.tags),
                list(patch.groups),
                patch.external_id,
                patch.inquiry,
                dict(patch.inquiry_values),
            )
        out.append((line, locator, patch, errors))
    return out


def _crossed(batch: list[Mapped]) -> list[Mapped]:
    """What the writer receives: packed, through the queue's pickling, unpacked."""
    return unpack(pickle.loads(pickle.dumps(pack(batch), protocol=pickle.HIGHEST_PROTOCOL)))


BATCH: list[Mapped] = [
    (
        2,
        "m.csv row 2",
        CustomerPatch({"last_name": "髙橋", "email": "a@example.jp"}, postal_area=("東京都", "港区")),
        [],
    ),
    (3, "m.csv row 3", None, [FieldError("メール", "a@@b", "E-mail address has more than one @")]),
    (4, "m.csv row 4", CustomerPatch({"last_name": "山田"}, custom={"会員番号": "①"}, tags=["VIP"]), []),
    (5, "m.csv", None, [FieldError(None, None, "row has 3 cells, the header has 2")]),
    (None, "mail body", CustomerPatch({"email": "b@example.jp"}, external_id="x-1"), []),
    (
        7,
        "m.csv row 7",
        CustomerPatch(
            {"phone": "+81312345678"},
            inquiry=InquiryFacts("suumo", received_at=datetime(2026, 1, 5, tzinfo=UTC)),
            inquiry_values={"property_name": "ｶﾞｰﾃﾞﾝ"},
        ),
        [],
    ),
    (8, "m.csv row 8", CustomerPatch({}), []),
]


@pytest.mark.parametrize("size", [0, 1, len(BATCH)], ids=["empty", "one", "mixed"])
def test_a_batch_arrives_as_it_left_but_for_postal_areas(size: int) -> None:
    batch = BATCH[:size]
    assert _crossed(batch) == _without_postal_area(batch)


def test_mapped_rows_arrive_in_order_with_their_errors() -> None:
    labels = ("氏名", "メール", "電話", "郵便番号", "住所", "備考")
    index = {label: position for position, label in enumerate(labels)}
    rows = [
        ["山田　太郎", "Taro@Example.JP", "０３－１２３４－５６７８", "〒100-0001", "千代田1-1", "①"],
        ["", "taro@@example.jp", "", "", "", ""],
        ["ﾔﾏﾀﾞ", "", "090 1234 5678", "12-34", "", ""],
    ]
    records: list[SourceRecord | CsvProblem] = [
        SourceRecord(f"f.csv row {line}", RowFields(labels, index, row), line) for line, row in enumerate(rows, 2)
    ]
    records.insert(1, CsvProblem(3, None, "a,b", "row has 2 cells, the header has 6"))
    mapping = compile_mapping(MappingSpec(), labels)
    mapped = map_batch(records, mapping, "f.csv")
    assert _crossed(mapped) == _without_postal_area(mapped)
    assert [(line, patch is None, len(errors)) for line, _, patch, errors in _crossed(mapped)] == [
        (2, False, 0),
        (3, True, 1),
        (3, True, 1),
        (4, True, 1),
    ]


class _Label(str):
    """A str subclass, which marshal cannot write."""


def test_a_batch_marshal_cannot_write_is_pickled_whole() -> None:
    batch: list[Mapped] = [(2, "m.csv row 2", CustomerPatch({"last_name": _Label("山田")}), [])]
    assert _crossed(batch) == batch
