"""Transforms remember outcomes per column: the remembered path must give what the plain one does."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from renkei.core import transforms
from renkei.core.mapping import MappingSpec, compile_mapping, map_record
from renkei.core.patch import CustomerPatch
from renkei.core.records import SourceRecord
from renkei.core.transforms import MEMO_BUDGET, MEMO_FLOOR, memo_size_for, transform_for

TARGETS = [
    "last_name",
    "company_name",
    "email",
    "phone",
    "mobile",
    "fax",
    "postal_code",
    "full_name",
    "full_name_kana",
    "last_name_kana",
    "address",
    "acquired_at",
    "tags",
    "groups",
    "custom:会員番号",
    "inquiry.property_name",
    "external_id",
]

SAMPLES = [
    "",
    " ",
    "なし",
    "-",
    "ー",
    "山田　太郎",
    "山田太郎",
    "ﾔﾏﾀﾞ ﾀﾛｳ",
    "やまだ",
    "Taro.Yamada@Example.CO.JP",
    "ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ",
    "taro@@example.jp",
    "090-1234-5678",
    "(080)3382-4602",
    "+81 6 3402 4917",
    "０３－１２３４－５６７８",
    "03-1234-5678 内線12",
    "12-34",
    "〒100-0001",
    "1000001",
    "東京都千代田区千代田1-1",
    "大阪府大阪市北区梅田５－１７－１５　梅田ビル3F",
    "横浜市中区山下町1",
    "令和8年1月5日",
    "2026/1/5 14:30",
    "2026-02-30",
    "a, b、c|b",
    "=cmd|' /C calc'!A0",
]

# Patches as an earlier column may have left them: the put half must still look at them.
STATES = [
    {},
    {"fields": {"phone": "+81312345678", "mobile": "+819011112222", "last_name": "既存", "prefecture": "北海道"}},
    {"tags": ["a"], "groups": ["c"], "custom": {"会員番号": "1"}, "external_id": "x-1"},
    {"postal_area": ("京都府", "京都市"), "inquiry_values": {"property_name": "既存"}},
]


def _patch(state: dict[str, object]) -> CustomerPatch:
    copied = {key: (value.copy() if hasattr(value, "copy") else value) for key, value in state.items()}
    return CustomerPatch(**copied)  # type: ignore[arg-type]


def _outcome(target: str, memo_size: int, raw: str, state: dict[str, object]) -> tuple[CustomerPatch, str | None]:
    apply = transform_for(target, "電話2", memo_size)
    if memo_size:
        apply(raw, CustomerPatch())  # the value is now remembered
        apply(raw, CustomerPatch(fields={"phone": "+81312345678"}))
    patch = _patch(state)
    reason = apply(raw, patch)
    patch.finish()
    return patch, reason


@pytest.mark.parametrize("target", TARGETS)
@given(
    raw=st.one_of(st.sampled_from(SAMPLES), st.text(max_size=30)),
    state=st.sampled_from(STATES),
)
@settings(max_examples=60, deadline=None)
def test_a_remembered_outcome_is_the_outcome(target: str, raw: str, state: dict[str, object]) -> None:
    assert _outcome(target, 16, raw, state) == _outcome(target, 0, raw, state)


@pytest.fixture
def computed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The raw values the pure half actually computed (rather than remembered)."""
    seen: list[str] = []

    def counting_text(raw: str) -> str | None:
        seen.append(raw)
        return raw.strip() or None

    monkeypatch.setattr(transforms, "_text", counting_text)
    return seen


def test_a_column_remembers_at_most_memo_size_values(computed: list[str]) -> None:
    apply = transform_for("company_name", memo_size=4)
    for raw in ["A社", "A社", "A社", "B社", "B社", "C社", "C社", "A社"]:
        apply(raw, CustomerPatch())
    assert computed == ["A社", "B社", "C社"], "repeated values are remembered"
    apply("D社", CustomerPatch())  # the fourth distinct value: the memo is emptied
    patch = CustomerPatch()
    apply("A社", patch)
    apply("A社", CustomerPatch())
    assert computed == ["A社", "B社", "C社", "D社", "A社"], "forgotten, then remembered again"
    assert patch.fields == {"company_name": "A社"}


def test_a_column_whose_values_do_not_repeat_stops_remembering(computed: list[str]) -> None:
    apply = transform_for("company_name", memo_size=4)
    for raw in ["A社", "B社", "C社", "D社", "E社", "E社"]:
        apply(raw, CustomerPatch())
    assert computed == ["A社", "B社", "C社", "D社", "E社", "E社"]


@pytest.mark.parametrize("columns", [0, 1, 14, 200, 10_000])
def test_memo_budget_is_shared_out_among_columns(columns: int) -> None:
    size = memo_size_for(columns)
    assert size >= MEMO_FLOOR
    assert size * columns <= max(MEMO_BUDGET, MEMO_FLOOR * columns)


def test_each_compiled_mapping_remembers_on_its_own(computed: list[str]) -> None:
    first = compile_mapping(MappingSpec(), ["会社名"])
    second = compile_mapping(MappingSpec(), ["会社名"])
    for mapping in (first, second, first):
        ((_, apply),) = mapping.active
        apply("A社", CustomerPatch())
    assert computed == ["A社", "A社"]


def test_a_constant_is_worked_out_once(computed: list[str]) -> None:
    mapping = compile_mapping(MappingSpec(constants={"status": "新規"}), ["氏名"])
    for line in range(1, 201):
        patch, _ = map_record(SourceRecord(f"row {line}", {"氏名": "山田"}, line=line), mapping)
        assert patch.fields["status"] == "新規"
    assert computed.count("新規") == 1


def test_a_date_column_remembers_beyond_its_share(computed: list[str]) -> None:
    """A file's dates repeat, but are too many distinct values for a column's share of the budget."""
    from renkei.core.transforms import DATE_MEMO_SIZE

    apply = transform_for("acquired_at", memo_size=4)
    days = [f"2021/{month}/{day}" for month in range(1, 13) for day in range(1, 29)]  # 336 distinct
    assert len(days) < DATE_MEMO_SIZE
    for _ in range(3):
        for raw in days:
            patch = CustomerPatch()
            assert apply(raw, patch) is None
    assert computed == days, "each date worked out once, though the column's share is 4"
    assert patch.fields == {"acquired_at": "2021-12-28"}
    # Without memo (size 0) nothing is remembered, dates included.
    computed.clear()
    apply = transform_for("acquired_at", memo_size=0)
    apply("2021/1/1", CustomerPatch())
    apply("2021/1/1", CustomerPatch())
    assert computed == ["2021/1/1", "2021/1/1"]
