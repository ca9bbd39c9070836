"""File rows read by position map exactly as the same rows given as dicts."""

from __future__ import annotations

import pickle

import pytest

from renkei.core.mapping import MappingSpec, compile_mapping, map_record
from renkei.core.patch import CustomerPatch
from renkei.core.records import InquiryFacts, RowFields, SourceRecord

LABELS = ("氏名", "フリガナ", "メール", "電話番号", "携帯電話", "郵便番号", "住所", "登録日", "タグ", "備考")
ROWS = [
    [
        "山田　太郎",
        "ﾔﾏﾀﾞ ﾀﾛｳ",
        "Taro@Example.jp",
        "090-1234-5678",
        "",
        "〒100-0001",
        "千代田1-1",
        "令和8年1月5日",
        "a, b",
        "x",
    ],
    ["", "", "", "", "", "", "", "", "", ""],
    ["高橋", "山田", "taro@", "12", "03-1234-5678", "12-34", "大阪府大阪市北区梅田1-1", "2026-02-30", "", "なし"],
    ["Yamada, Taro", "", "a@b.jp", "", "080 1234 5678", "1000001", "", "2026/1/5 14:30", "c|c", "  memo  "],
]


def row_record(labels: tuple[str, ...], row: list[str], line: int) -> SourceRecord:
    index = {label: position for position, label in enumerate(labels)}
    return SourceRecord(f"f.csv row {line}", RowFields(labels, index, row), line)


@pytest.mark.parametrize("row", ROWS, ids=[f"row{i}" for i in range(len(ROWS))])
def test_row_fields_is_the_dict_of_its_row(row: list[str]) -> None:
    fields = row_record(LABELS, row, 2).fields
    expected = dict(zip(LABELS, row, strict=True))
    assert fields == expected
    assert dict(fields) == expected
    assert len(fields) == len(expected)
    assert list(fields) == list(expected)
    assert fields.get("メール") == expected["メール"]
    assert fields.get("no such label") is None
    assert "no such label" not in fields


def test_a_short_row_has_only_the_labels_it_reaches() -> None:
    fields = row_record(LABELS, ["山田", "ヤマダ"], 2).fields
    assert dict(fields) == {"氏名": "山田", "フリガナ": "ヤマダ"}
    assert fields.get("メール") is None


@pytest.mark.parametrize(
    ("spec", "mapped_labels"),
    [
        pytest.param(MappingSpec(), LABELS, id="same-labels"),
        pytest.param(MappingSpec(unknown_columns="report"), LABELS, id="report-unknown"),
        pytest.param(MappingSpec(constants={"status": "新規", "tags": "z"}), LABELS, id="constants"),
        pytest.param(MappingSpec(), LABELS[::-1], id="labels-in-another-order"),
        pytest.param(MappingSpec(unknown_columns="report"), ("メール", "住所", "ない列"), id="other-labels"),
    ],
)
@pytest.mark.parametrize("row", ROWS, ids=[f"row{i}" for i in range(len(ROWS))])
def test_a_row_maps_as_its_dict_does(spec: MappingSpec, mapped_labels: tuple[str, ...], row: list[str]) -> None:
    mapping = compile_mapping(spec, list(mapped_labels))
    by_position = map_record(row_record(LABELS, row, 7), mapping)
    by_label = map_record(SourceRecord("f.csv row 7", dict(zip(LABELS, row, strict=True)), 7), mapping)
    assert by_position == by_label


@pytest.mark.parametrize(
    "patch",
    [
        CustomerPatch(),
        CustomerPatch({"last_name": "山田", "email": "a@b.jp"}, postal_area=("東京都", "千代田区")),
        CustomerPatch({"last_name": "山田"}, tags=["x"], groups=["g"]),
        CustomerPatch(external_id=""),
        CustomerPatch(custom={"会員番号": "1"}, inquiry_values={"price": "100"}),
        CustomerPatch(inquiry=InquiryFacts("suumo", external_id="q1")),
    ],
    ids=["empty", "fields-only", "lists", "blank-external-id", "custom", "inquiry"],
)
def test_a_patch_survives_the_trip_to_the_writer_process(patch: CustomerPatch) -> None:
    assert pickle.loads(pickle.dumps(patch, protocol=pickle.HIGHEST_PROTOCOL)) == patch
