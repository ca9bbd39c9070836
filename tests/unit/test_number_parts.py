"""Numbers written across columns (core.number_parts) and what the mapping makes of them."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from renkei.core.mapping import FieldRule, MappingSpec, compile_mapping, map_record
from renkei.core.normalize import classify_phone
from renkei.core.number_parts import NumberParts, find_parts, join_parts, joined
from renkei.core.records import SourceRecord


def patch_of(fields: dict[str, str], spec: MappingSpec | None = None):
    mapping = compile_mapping(spec or MappingSpec(), list(fields))
    return map_record(SourceRecord("row 2", fields, line=2), mapping)


@pytest.mark.parametrize(
    ("labels", "expected"),
    [
        pytest.param(["電話番号1", "電話番号2", "電話番号3"], [((0, 1, 2), "phone")], id="ec-cube"),
        pytest.param(["注文者電話番号１", "注文者電話番号２", "注文者電話番号３"], [((0, 1, 2), "phone")], id="rakuten"),
        pytest.param(["tel01", "tel02", "tel03", "zip01", "zip02"], [((0, 1, 2), "phone"), ((3, 4), "postal_code")]),
        pytest.param(["FAX1", "FAX2", "FAX3"], [((0, 1, 2), "phone")], id="fax"),
        pytest.param(["携帯1", "携帯2", "携帯3"], [((0, 1, 2), "phone")], id="mobile"),
        pytest.param(["TEL（市外局番）", "TEL（市内局番）", "TEL（加入者番号）"], [((0, 1, 2), "phone")], id="named"),
        pytest.param(["郵便番号（上3桁）", "郵便番号（下4桁）"], [((0, 1), "postal_code")], id="postal-named"),
        pytest.param(["氏名", "郵便番号1", "郵便番号2", "住所"], [((1, 2), "postal_code")], id="postal-numbered"),
        pytest.param(["TEL1", "TEL2", "TEL3", "TEL4"], [], id="four-numbers-are-numbers"),
        pytest.param(["TEL1", "TEL2"], [], id="two-phone-columns"),
        pytest.param(["電話番号1", "氏名", "電話番号2", "電話番号3"], [], id="not-side-by-side"),
        pytest.param(["電話番号2", "電話番号3", "電話番号4"], [], id="not-from-one"),
        pytest.param(["住所1", "住所2"], [], id="address-lines"),
        pytest.param(["郵便番号1", "住所1", "郵便番号2", "住所2"], [], id="two-addresses"),
        pytest.param(["自宅TEL1", "自宅TEL2", "自宅TEL3", "会社TEL1", "会社TEL2", "会社TEL3"],
                     [((0, 1, 2), "phone"), ((3, 4, 5), "phone")], id="two-numbers-in-parts"),
    ],
)  # fmt: skip
def test_columns_holding_parts_are_found_by_their_labels(labels, expected):
    assert find_parts(labels) == tuple(NumberParts(positions, kind) for positions, kind in expected)


PHONE = NumberParts((0, 1, 2), "phone")
POSTAL = NumberParts((0, 1), "postal_code")


@pytest.mark.parametrize(
    ("values", "parts", "number"),
    [
        (["03", "1234", "5678"], PHONE, "03-1234-5678"),
        (["090", "1111", "2222"], PHONE, "090-1111-2222"),
        (["０４５", "１２３", "４５６７"], PHONE, "045-123-4567"),  # full width
        (["3", "1234", "5678"], PHONE, "03-1234-5678"),  # Excel dropped the zero
        (["90", "1111", "2222"], PHONE, "090-1111-2222"),
        (["0120", "123", "456"], PHONE, "0120-123-456"),
        ([" 03 ", "1234", "5678.0"], PHONE, "03-1234-5678"),
        (["150", "0001"], POSTAL, "150-0001"),
        (["150", "1"], POSTAL, "150-0001"),  # Excel dropped the zeros
        (["1", "1234"], POSTAL, "001-1234"),
        (["１５０", "０００１"], POSTAL, "150-0001"),
        # Not parts: each column is read as written.
        (["03-1234-5678", "090-1111-2222", "06-1234-5678"], PHONE, None),
        (["0312345678", "", ""], PHONE, None),
        (["03", "1234", ""], PHONE, None),
        (["03", "12345", "6789"], PHONE, None),
        (["03", "1234", "56789"], PHONE, None),
        (["03", "1234", "内線5"], PHONE, None),
        (["150-0001", ""], POSTAL, None),
        (["1500", "001"], POSTAL, None),
        (["", ""], POSTAL, None),
    ],
)
def test_a_rows_parts_are_joined_only_when_they_are_parts(values, parts, number):
    assert joined(values, parts) == number


def test_joining_puts_the_number_in_the_first_column_and_leaves_other_rows_as_they_are():
    row = ["山田", "03", "1234", "5678"]
    parts = [NumberParts((1, 2, 3), "phone")]
    assert join_parts(row, parts) == ["山田", "03-1234-5678", None, None]
    assert row == ["山田", "03", "1234", "5678"]  # the record's own row is not changed
    whole = ["山田", "03-1234-5678", "", ""]
    assert join_parts(whole, parts) is whole


@given(
    area=st.sampled_from(["03", "06", "045", "052", "0466", "04992", "090", "080", "070", "050"]),
    exchange=st.integers(0, 9999),
    line=st.integers(0, 9999),
)
def test_a_number_written_in_parts_is_the_number_written_whole(area, exchange, line):
    width = {2: 4, 3: 3, 4: 2, 5: 1}[len(area)] if not area.startswith(("090", "080", "070", "050")) else 4
    parts = [area, str(exchange % 10**width).zfill(width), str(line).zfill(4)]
    whole = "-".join(parts)
    try:
        expected = classify_phone(whole)
    except ValueError:
        return  # not a number Japan gives out
    patch, errors = patch_of({"電話番号1": parts[0], "電話番号2": parts[1], "電話番号3": parts[2]})
    assert errors == []
    slot = "mobile" if expected[1] == "mobile" else "phone" if expected[1] != "fax" else "fax"
    assert patch.fields[slot] == expected[0]


@pytest.mark.parametrize(
    ("row", "fields", "custom"),
    [
        pytest.param(
            {"氏名": "山田太郎", "電話番号1": "03", "電話番号2": "1234", "電話番号3": "5678"},
            {"phone": "+81312345678"}, {}, id="phone",
        ),
        pytest.param(
            {"氏名": "山田太郎", "電話番号1": "090", "電話番号2": "1111", "電話番号3": "2222"},
            {"mobile": "+819011112222"}, {}, id="a-mobile-in-phone-columns",
        ),
        pytest.param(
            {"氏名": "山田太郎", "FAX1": "3", "FAX2": "1234", "FAX3": "5679"},
            {"fax": "+81312345679"}, {}, id="fax-excel-zero",
        ),
        pytest.param(
            {"氏名": "山田太郎", "郵便番号1": "150", "郵便番号2": "0001"},
            {"postal_code": "150-0001", "prefecture": "東京都", "city": "渋谷区"}, {}, id="postal",
        ),
        pytest.param(
            {"氏名": "山田太郎", "TEL1": "03-1234-5678", "TEL2": "090-1111-2222", "TEL3": "06-1234-5678"},
            {"phone": "+81312345678", "mobile": "+819011112222"}, {"TEL3": "+81612345678"}, id="three-numbers",
        ),
        pytest.param(
            {"氏名": "山田太郎", "郵便番号1": "150-0001", "郵便番号2": ""},
            {"postal_code": "150-0001", "prefecture": "東京都", "city": "渋谷区"}, {}, id="postal-whole-in-first",
        ),
    ],
)  # fmt: skip
def test_a_number_in_parts_is_one_value_of_its_field(row, fields, custom):
    patch, errors = patch_of(row)
    assert errors == []
    assert {k: v for k, v in patch.fields.items() if k not in ("last_name", "first_name")} == fields
    assert patch.custom == custom


def test_parts_that_are_no_number_are_a_row_error_naming_the_first_column_and_the_joined_value():
    _, errors = patch_of({"氏名": "山田太郎", "電話番号1": "03", "電話番号2": "1234", "電話番号3": "567"})
    assert [(e.column, e.value) for e in errors] == [("電話番号1", "03-1234-567")]


def test_a_rule_mapping_a_later_part_elsewhere_keeps_the_columns_apart():
    spec = MappingSpec(rules=(FieldRule("電話番号3", "custom:内線"),))
    patch, errors = patch_of({"氏名": "山田太郎", "電話番号1": "03", "電話番号2": "1234", "電話番号3": "5678"}, spec)
    assert patch.custom.get("内線") == "5678"
    assert [(e.column, e.value) for e in errors] == [("電話番号1", "03")]


def test_a_recipients_number_in_parts_is_not_the_customers():
    row = {"注文者名字": "山田", "注文者名前": "太郎", "送付先電話番号１": "06", "送付先電話番号２": "1234",
           "送付先電話番号３": "5678"}  # fmt: skip
    patch, errors = patch_of(row)
    assert errors == []
    assert patch.fields == {"last_name": "山田", "first_name": "太郎"}


def test_the_later_parts_are_shown_as_the_field_they_are_joined_into():
    mapping = compile_mapping(MappingSpec(), ["氏名", "郵便番号1", "郵便番号2", "TEL1", "TEL2", "TEL3"])
    assert mapping.targets() == {
        "氏名": "full_name",
        "郵便番号1": "postal_code",
        "郵便番号2": "postal_code",
        "TEL1": "phone",
        "TEL2": "phone",
        "TEL3": "phone",
    }


def test_rules_mapping_every_part_to_the_field_still_join_them():
    rules = tuple(FieldRule(label, "postal_code") for label in ("郵便番号1", "郵便番号2"))
    patch, errors = patch_of({"氏名": "山田太郎", "郵便番号1": "150", "郵便番号2": "0001"}, MappingSpec(rules=rules))
    assert errors == [] and patch.fields["postal_code"] == "150-0001"
