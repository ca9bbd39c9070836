"""Mapping a record to a customer patch (pure)."""

from __future__ import annotations

import pytest

from renkei.core.fields import Permission
from renkei.core.mapping import FieldRule, MappingError, MappingSpec, compile_mapping, map_record, validate_spec
from renkei.core.records import SourceRecord


def patch_of(fields: dict[str, str], spec: MappingSpec | None = None):
    mapping = compile_mapping(spec or MappingSpec(), list(fields))
    return map_record(SourceRecord("row 2", fields, line=2), mapping)


@pytest.mark.parametrize(
    ("column", "value", "slot"),
    [
        pytest.param("電話番号", "090-1234-5678", "mobile", id="mobile-in-phone-column"),
        pytest.param("携帯電話", "03-1234-5678", "phone", id="fixed-in-mobile-column"),
        pytest.param("TEL", "０３（１２３４）５６７８", "phone", id="full-width-fixed"),
        pytest.param("携帯", "+81 80 1234 5678", "mobile", id="international-mobile"),
        pytest.param("電話", "050-1234-5678", "phone", id="voip-is-phone"),
    ],
)
def test_phones_land_by_what_the_number_is(column, value, slot):
    patch, errors = patch_of({"メール": "a@example.jp", column: value})
    assert errors == []
    assert slot in patch.fields and patch.fields[slot].startswith("+81")
    assert ({"phone", "mobile"} - {slot}).isdisjoint(patch.fields)


def test_a_second_number_of_a_taken_kind_is_kept_as_custom():
    patch, _ = patch_of({"電話番号": "090-1111-2222", "携帯電話": "080-3333-4444"})
    assert patch.fields["mobile"] == "+819011112222"
    assert patch.custom == {"携帯電話": "+818033334444"}


@pytest.mark.parametrize(
    ("value", "email", "others"),
    [
        pytest.param("a@example.jp; B@Example.jp", "a@example.jp", "b@example.jp", id="semicolon"),
        pytest.param(
            "a@example.jp、b@example.jp／c@example.jp", "a@example.jp", "b@example.jp, c@example.jp", id="japanese"
        ),
        pytest.param("a@example.jp a@example.jp", "a@example.jp", None, id="the-same-twice"),
    ],
)
def test_several_addresses_in_one_cell_give_the_email_and_keep_the_others(value, email, others):
    patch, errors = patch_of({"氏名": "山田", "メール": value})
    assert errors == [] and patch.fields["email"] == email
    assert patch.custom == ({"メール": others} if others else {})


@pytest.mark.parametrize(
    "value",
    [
        "山田太郎 <Taro@Example.jp>",
        '"Yamada Taro" <taro@example.jp>',
        "<taro@example.jp>",
        "taro@example.jp（自宅）",
        "taro@example.jp (PC)",
        "ＰＣ：taro@example.jp",
        "E-mail: taro@example.jp",
        "taro@example.jp。",
        "taro@example.jp ※携帯",
        "taro@example.jp 会社",
        "taro@example.jp\u200b",
        "\ufefftaro@example.jp",
    ],
)
def test_an_address_with_a_name_label_or_note_around_it_is_the_email(value):
    patch, errors = patch_of({"氏名": "山田", "メール": value})
    assert errors == [] and patch.fields["email"] == "taro@example.jp" and patch.custom == {}


@pytest.mark.parametrize(
    "value", ["taro yamada@example.jp", "山田 <taro@exa mple.jp>", "taro@@example.jp", "taro@example. jp"]
)
def test_an_address_that_is_wrong_inside_is_still_rejected(value):
    _, errors = patch_of({"氏名": "山田", "メール": value})
    assert [e.value for e in errors] == [value]


def test_a_cell_of_addresses_with_one_bad_is_rejected_whole():
    _, errors = patch_of({"氏名": "山田", "メール": "a@example.jp; b@"})
    assert [(e.column, e.value) for e in errors] == [("メール", "a@example.jp; b@")]


@pytest.mark.parametrize(
    ("fields", "expected", "custom"),
    [
        pytest.param(  # a mobile number in the second column is the mobile, wherever that column stands
            {"TEL2": "090-1234-5678", "TEL1": "03-1234-5678"},
            {"phone": "+81312345678", "mobile": "+819012345678"},
            {},
            id="tel2-mobile",
        ),
        pytest.param(  # a second fixed line: the first column's is the phone, the second kept normalised
            {"電話番号1": "03-1234-5678", "電話番号2": "06-1234-5678"},
            {"phone": "+81312345678"},
            {"電話番号2": "+81612345678"},
            id="second-fixed",
        ),
        pytest.param(  # the first column empty: the second one's number is the phone
            {"電話番号1": "", "電話番号2": "06-1234-5678"},
            {"phone": "+81612345678"},
            {},
            id="first-empty",
        ),
        pytest.param(  # Eight's card export: company, department and direct lines
            {"TEL会社": "03-1111-2222", "TEL部門": "03-3333-4444", "TEL直通": "090-5555-6666", "Fax": "03-7777-8888"},
            {"phone": "+81311112222", "mobile": "+819055556666", "fax": "+81377778888"},
            {"TEL部門": "+81333334444"},
            id="eight",
        ),
        pytest.param(  # a second column's value that is no number is kept as written, not a row error
            {"TEL1": "03-1234-5678", "TEL2": "本社に確認"},
            {"phone": "+81312345678"},
            {"TEL2": "本社に確認"},
            id="not-a-number",
        ),
        pytest.param(  # a second e-mail column: the e-mail when the first is empty
            {"メールアドレス1": "", "メールアドレス2": "Taro@Example.JP"},
            {"email": "taro@example.jp"},
            {},
            id="second-email",
        ),
    ],
)
def test_a_second_phone_or_email_column_fills_its_field_by_kind_or_is_kept(fields, expected, custom):
    patch, errors = patch_of(fields)
    assert errors == []
    assert {k: v for k, v in patch.fields.items() if k in ("phone", "mobile", "fax", "email")} == expected
    assert patch.custom == custom


def test_a_bad_number_in_the_fields_own_column_is_still_a_row_error():
    _, errors = patch_of({"TEL1": "本社に確認", "TEL2": "03-1234-5678"})
    assert [(e.column, e.value) for e in errors] == [("TEL1", "本社に確認")]


@pytest.mark.parametrize(
    ("fields", "expected", "custom"),
    [
        pytest.param(
            {"顧客名": "株式会社ABC", "メール": "a@example.jp"}, {"company_name": "株式会社ABC"}, {}, id="kabushiki"
        ),
        pytest.param(
            {"お名前": "ABC商事㈱", "メール": "a@example.jp"}, {"company_name": "ABC商事株式会社"}, {}, id="kakko-kabu"
        ),
        pytest.param(
            {"氏名": "（有）山田商店", "メール": "a@example.jp"}, {"company_name": "有限会社山田商店"}, {}, id="yugen"
        ),
        pytest.param({"Name": "Example Inc.", "Email": "a@example.jp"}, {"company_name": "Example Inc."}, {}, id="inc"),
        pytest.param(  # the file's own company column is the company's: the other kept under its label
            {"顧客名": "株式会社ABC", "会社名": "ABC商事", "メール": "a@example.jp"},
            {"company_name": "ABC商事"},
            {"顧客名": "株式会社ABC"},
            id="with-a-company-column",
        ),
        pytest.param(  # a person's name that only looks like one is a name
            {"氏名": "山田 株太郎", "メール": "a@example.jp"},
            {"last_name": "山田", "first_name": "株太郎"},
            {},
            id="a-person",
        ),
    ],
)
def test_a_company_name_in_a_name_column_is_the_company_not_a_person(fields, expected, custom):
    patch, errors = patch_of(fields)
    assert errors == []
    names = ("last_name", "first_name", "company_name")
    assert {k: v for k, v in patch.fields.items() if k in names} == expected
    assert patch.custom == custom


def test_a_second_email_column_mapped_by_a_rule_is_kept_as_custom():
    spec = MappingSpec(rules=(FieldRule("PC", "email"), FieldRule("携帯メール", "email")))
    patch, _ = patch_of({"氏名": "山田", "PC": "a@example.jp", "携帯メール": "a.mobile@docomo.ne.jp"}, spec)
    assert patch.fields["email"] == "a@example.jp" and patch.custom == {"携帯メール": "a.mobile@docomo.ne.jp"}


def test_an_extension_is_kept_beside_the_number_and_a_note_after_it_is_no_error():
    patch, errors = patch_of({"氏名": "山田", "会社TEL": "03-1234-5678（内線123）", "携帯": "090-1111-2222（本人）"})
    assert errors == []
    assert (patch.fields["phone"], patch.fields["mobile"]) == ("+81312345678", "+819011112222")
    assert patch.custom == {"会社TEL 内線": "123"}


@pytest.mark.parametrize(
    ("value", "fields", "note"),
    [
        pytest.param("090-1234-5678 ※夜間のみ", {"mobile": "+819012345678"}, "※夜間のみ", id="after-a-reference-mark"),
        pytest.param(
            "03-1234-5678(平日9時～17時)", {"phone": "+81312345678"}, "(平日9時～17時)", id="hours-in-brackets"
        ),
        pytest.param("090-1234-5678 夜間のみ", {"mobile": "+819012345678"}, "夜間のみ", id="after-a-space"),
        pytest.param("ＦＡＸ：03-1234-5679 ※24時間", {"fax": "+81312345679"}, "※24時間", id="after-a-labelled-fax"),
    ],
)
def test_a_note_after_a_number_is_kept_beside_it(value, fields, note):
    patch, errors = patch_of({"氏名": "山田", "電話番号": value})
    assert errors == []
    assert {k: v for k, v in patch.fields.items() if k != "last_name"} == fields
    assert patch.custom == {"電話番号 注記": note}


def test_a_note_after_what_is_no_number_is_still_the_rows_error():
    _, errors = patch_of({"氏名": "山田", "電話番号": "090-1234-56 夜間"})
    assert [(e.column, e.value) for e in errors] == [("電話番号", "090-1234-56 夜間")]


@pytest.mark.parametrize(
    ("value", "fields", "custom"),
    [
        pytest.param(
            "03-1234-5678 / 090-1234-5678", {"phone": "+81312345678", "mobile": "+819012345678"}, {}, id="slash"
        ),
        pytest.param(
            "自宅 03-1234-5678 携帯 090-1234-5678",
            {"phone": "+81312345678", "mobile": "+819012345678"},
            {},
            id="labels-and-spaces",
        ),
        pytest.param(
            "ＴＥＬ：０３－１２３４－５６７８\nＦＡＸ：０３－１２３４－５６７９",
            {"phone": "+81312345678", "fax": "+81312345679"},
            {},
            id="tel-and-fax-lines",
        ),
        pytest.param(
            "03-1234-5678（代表）、03-1234-5679（FAX）",
            {"phone": "+81312345678", "fax": "+81312345679"},
            {},
            id="fax-note",
        ),
        pytest.param(
            "(代)03-1234-5678 / (FAX)03-1234-5679",
            {"phone": "+81312345678", "fax": "+81312345679"},
            {},
            id="notes-before-the-numbers",
        ),
        pytest.param(
            "03-1234-5678、03-2222-3333 内線45",
            {"phone": "+81312345678"},
            {"電話番号": "+81322223333", "電話番号 内線": "45"},
            id="two-fixed-lines",
        ),
        pytest.param("090-1111-2222 or 090-1111-2222", {"mobile": "+819011112222"}, {}, id="the-same-twice"),
        pytest.param("FAX 03-1234-5679", {"fax": "+81312345679"}, {}, id="one-fax"),
    ],
)
def test_several_numbers_in_one_cell_each_land_in_their_slot(value, fields, custom):
    patch, errors = patch_of({"氏名": "山田", "電話番号": value})
    assert errors == []
    assert {name: patch.fields[name] for name in ("phone", "mobile", "fax") if name in patch.fields} == fields
    assert patch.custom == custom


@pytest.mark.parametrize(
    ("value", "fields"),
    [
        pytest.param("taro@example.jp", {"email": "taro@example.jp"}, id="an-address-alone"),
        pytest.param(
            "090-1234-5678 / Taro@Example.jp",
            {"email": "taro@example.jp", "mobile": "+819012345678"},
            id="a-number-and-an-address",
        ),
        pytest.param(
            "mail:taro@example.jp TEL:03-1234-5678",
            {"email": "taro@example.jp", "phone": "+81312345678"},
            id="labelled",
        ),
        pytest.param(
            "03-1234-5678 taro@example.jp", {"email": "taro@example.jp", "phone": "+81312345678"}, id="after-a-space"
        ),
        pytest.param(
            "ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ（携帯）０９０－１２３４－５６７８",
            {"email": "taro@example.jp", "mobile": "+819012345678"},
            id="full-width",
        ),
    ],
)
def test_an_address_in_a_contact_column_is_the_email_of_a_file_without_an_email_column(value, fields):
    patch, errors = patch_of({"氏名": "山田太郎", "連絡先": value})
    assert errors == []
    assert {k: v for k, v in patch.fields.items() if k not in ("last_name", "first_name")} == fields
    assert patch.custom == {}


@pytest.mark.parametrize(
    ("phone", "email", "fields", "custom"),
    [
        pytest.param("taro@example.jp", "", {"email": "taro@example.jp"}, {}, id="the-email-column-empty"),
        pytest.param("taro@example.jp", "taro@example.jp", {"email": "taro@example.jp"}, {}, id="the-same-address"),
        pytest.param(
            "090-1234-5678 / taro2@example.jp",
            "taro@example.jp",
            {"email": "taro@example.jp", "mobile": "+819012345678"},
            {"電話番号 メール": "taro2@example.jp"},
            id="another-address-is-kept",
        ),
        pytest.param(
            "taro2@example.jp", "bad@", {"email": "taro2@example.jp"}, {}, id="the-email-column-rejected-this-row"
        ),
    ],
)
def test_an_address_in_a_phone_column_beside_an_email_column(phone, email, fields, custom):
    # The phone column before the e-mail column, as files order them: the e-mail column's own
    # address wins wherever it stands.
    patch, errors = patch_of({"氏名": "山田太郎", "電話番号": phone, "メール": email})
    assert {k: v for k, v in patch.fields.items() if k not in ("last_name", "first_name")} == fields
    assert patch.custom == custom
    assert [e.column for e in errors] == (["メール"] if email == "bad@" else [])


@pytest.mark.parametrize("value", ["taro@@example.jp", "090-1234-5678 / taro@", "TEL 090-1234-567 taro@example.jp"])
def test_a_phone_cell_with_an_address_and_something_wrong_is_still_rejected(value):
    _patch, errors = patch_of({"氏名": "山田太郎", "連絡先": value})
    assert [(e.column, e.value) for e in errors] == [("連絡先", value)]


def test_a_cell_of_numbers_with_one_bad_is_rejected_whole():
    _, errors = patch_of({"氏名": "山田", "電話番号": "03-1234-5678 / 03-1234"})
    assert [(e.column, e.value) for e in errors] == [("電話番号", "03-1234-5678 / 03-1234")]


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        pytest.param(
            {"氏名": "山田 太郎（やまだ たろう）"}, ("山田", "太郎", "ヤマダ", "タロウ"), id="reading-in-brackets"
        ),
        pytest.param({"氏名": "山田太郎(ﾔﾏﾀﾞ ﾀﾛｳ)"}, ("山田", "太郎", "ヤマダ", "タロウ"), id="half-width-reading"),
        pytest.param(
            {"フリガナ": "ヤマダ タロウ", "氏名": "山田 太郎（やまだ たろう）"},
            ("山田", "太郎", "ヤマダ", "タロウ"),
            id="and-a-reading-column",
        ),
        pytest.param({"氏名": "山田太郎（本社）"}, ("山田", "太郎", None, None), id="a-note-is-not-a-reading"),
        pytest.param(
            {"氏名": "やまだ たろう"}, ("やまだ", "たろう", "ヤマダ", "タロウ"), id="a-name-in-kana-is-its-reading"
        ),
        pytest.param({"氏名": "ｽｽﾞｷ ｲﾁﾛｳ"}, ("スズキ", "イチロウ", "スズキ", "イチロウ"), id="half-width-kana-name"),
        pytest.param({"氏名": "Taro Yamada"}, ("Yamada", "Taro", None, None), id="latin-is-no-reading"),
        pytest.param(
            {"氏名": "山田太郎", "フリガナ": "ヤマダタロウ"}, ("山田", "太郎", "ヤマダ", "タロウ"), id="unspaced"
        ),
        pytest.param(
            {"姓": "河野", "名": "一郎", "フリガナ": "ｶﾜﾉｲﾁﾛｳ"},
            ("河野", "一郎", "カワノ", "イチロウ"),
            id="second-reading",
        ),
        pytest.param(
            {"氏名": "佐藤 花子", "ふりがな": "さとーはなこ"}, ("佐藤", "花子", "サトー", "ハナコ"), id="long-mark"
        ),
        pytest.param(
            {"氏名": "森 太郎", "氏名（カナ）": "モリタロウ"}, ("森", "太郎", "モリ", "タロウ"), id="one-kanji-family"
        ),
        pytest.param(
            {"氏名": "山田 太郎", "フリガナ": "ヤマモトタロウ"},
            ("山田", "太郎", "ヤマモトタロウ", None),
            id="unspaced-not-the-family-names-reading",
        ),
        pytest.param(
            {"氏名": "四十物 太郎", "フリガナ": "アイモノタロウ"},
            ("四十物", "太郎", "アイモノタロウ", None),
            id="unspaced-an-uncommon-family-name",
        ),
        pytest.param({"氏名": "山田", "フリガナ": "ヤマダ"}, ("山田", None, "ヤマダ", None), id="family-name-only"),
        pytest.param(
            {"氏名": "山田太郎 様", "フリガナ": "ヤマダタロウ 様"},
            ("山田", "太郎", "ヤマダ", "タロウ"),
            id="reading-with-sama",
        ),
        pytest.param(
            {"氏名": "山田 太郎", "フリガナ": "やまだ　たろう（様）"},
            ("山田", "太郎", "ヤマダ", "タロウ"),
            id="reading-with-sama-in-brackets",
        ),
        pytest.param(
            {"氏名": "山田太郎", "フリガナ": "ﾔﾏﾀﾞ ﾀﾛｳ ｻﾏ"},
            ("山田", "太郎", "ヤマダ", "タロウ"),
            id="reading-with-sama-in-kana",
        ),
        pytest.param(
            {"氏名": "浅間 太郎", "フリガナ": "アサマ タロウ"},
            ("浅間", "太郎", "アサマ", "タロウ"),
            id="a-reading-ending-in-sama",
        ),
        pytest.param(
            {"氏名": "山田・太郎", "フリガナ": "ﾔﾏﾀﾞ･ﾀﾛｳ"}, ("山田", "太郎", "ヤマダ", "タロウ"), id="middle-dots"
        ),
        pytest.param({"氏名": "ヤマダ・タロウ"}, ("ヤマダ", "タロウ", "ヤマダ", "タロウ"), id="kana-with-a-middle-dot"),
        pytest.param(
            {"氏名": "山田太郎", "フリガナ": "・ヤマダ"}, ("山田", "太郎", "・ヤマダ", None), id="a-dot-first"
        ),
    ],
)
def test_a_reading_after_the_full_name_fills_the_kana_fields(fields, expected):
    patch, errors = patch_of({**fields, "メール": "a@example.jp"})
    assert errors == []
    names = ("last_name", "first_name", "last_name_kana", "first_name_kana")
    assert tuple(patch.fields.get(name) for name in names) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        pytest.param("株式会社ABC 山田太郎", ("株式会社ABC", None, "山田", "太郎"), id="company-then-person"),
        pytest.param(
            "ABC株式会社　営業部　山田 太郎", ("ABC株式会社", "営業部", "山田", "太郎"), id="company-department-person"
        ),
        pytest.param("株式会社 ABC 山田太郎", ("株式会社ABC", None, "山田", "太郎"), id="legal-form-apart"),
        pytest.param("山田太郎（ABC株式会社）", ("ABC株式会社", None, "山田", "太郎"), id="company-in-brackets"),
        pytest.param("ABC Co., Ltd. Taro Yamada", ("ABC Co., Ltd.", None, "Yamada", "Taro"), id="english"),
        pytest.param("株式会社 山田商店", ("株式会社山田商店", None, None, None), id="a-company-alone"),
        pytest.param("株式会社ABC 営業部", ("株式会社ABC 営業部", None, None, None), id="a-department-is-no-person"),
    ],
)
def test_a_company_written_with_the_person_in_a_name_column(name, expected):
    patch, _ = patch_of({"氏名": name, "メール": "a@example.jp"})
    names = ("company_name", "department", "last_name", "first_name")
    assert tuple(patch.fields.get(field) for field in names) == expected


def test_a_company_written_with_the_person_beside_a_company_column_is_kept_under_the_column():
    patch, _ = patch_of({"会社名": "XYZ商事", "氏名": "株式会社ABC 山田太郎"})
    assert (patch.fields["company_name"], patch.fields["last_name"]) == ("XYZ商事", "山田")
    assert patch.custom == {"氏名 会社名": "株式会社ABC"}


def test_a_reading_after_a_slash_fills_the_kana_fields():
    patch, _ = patch_of({"氏名": "山田太郎／ヤマダタロウ"})
    names = ("last_name", "first_name", "last_name_kana", "first_name_kana")
    assert tuple(patch.fields.get(field) for field in names) == ("山田", "太郎", "ヤマダ", "タロウ")


@pytest.mark.parametrize(
    ("name", "custom"),
    [
        pytest.param("山田　花子（旧姓：佐藤）", {"氏名 注記": "旧姓:佐藤"}, id="a-maiden-name"),
        pytest.param("山田太郎（本社）", {"氏名 注記": "本社"}, id="a-place"),
        pytest.param("山田太郎（様）", {}, id="a-form-of-address-is-dropped"),
    ],
)
def test_a_note_in_brackets_after_a_name_is_kept_beside_it_not_in_it(name, custom):
    patch, errors = patch_of({"氏名": name})
    assert errors == [] and patch.fields["first_name"] in ("花子", "太郎")
    assert patch.custom == custom


def test_rejected_values_are_errors_naming_column_and_value():
    _, errors = patch_of({"氏名": "山田", "メール": "yamada.example.jp", "郵便番号": "12-34", "フリガナ": "山田"})
    assert {(e.column, e.value) for e in errors} == {
        ("メール", "yamada.example.jp"),
        ("郵便番号", "12-34"),
        ("フリガナ", "山田"),
    }
    assert all(e.reason for e in errors)


def test_row_without_name_email_or_phone_is_an_error():
    _, errors = patch_of({"会社名": "株式会社テスト"})
    assert [e.reason for e in errors] == ["row has no name, e-mail or phone number"]


def test_address_is_split_and_postal_code_fills_only_what_is_missing():
    patch, _ = patch_of({"氏名": "山田", "郵便番号": "〒100-0001", "住所": "千代田1-1 ビル3F"})
    assert (patch.fields["prefecture"], patch.fields["city"]) == ("東京都", "千代田区")
    patch, _ = patch_of({"氏名": "山田", "郵便番号": "1000001", "住所": "大阪府大阪市北区梅田1-1"})
    assert (patch.fields["prefecture"], patch.fields["city"]) == ("大阪府", "大阪市北区")


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        pytest.param(
            {"番地": "大阪府大阪市北区梅田1-1-1"},
            ("大阪府", "大阪市北区", "梅田1-1-1"),
            id="whole-address-in-the-street-column",
        ),
        pytest.param(
            {"郵便番号": "530-0001", "番地": "大阪府大阪市北区梅田1-1-1"},
            ("大阪府", "大阪市北区", "梅田1-1-1"),
            id="whole-address-and-postal-code",
        ),
        pytest.param(
            {"郵便番号": "150-0002", "住所1": "渋谷区渋谷2-21-1"},
            ("東京都", "渋谷区", "渋谷2-21-1"),
            id="city-repeated-after-postal-code-fill",
        ),
        pytest.param(
            {"市区町村": "渋谷区", "Street": "渋谷区渋谷2-21-1"},
            (None, "渋谷区", "渋谷2-21-1"),
            id="city-repeated-from-its-column",
        ),
        pytest.param(
            {"都道府県": "東京都", "番地": "大阪府大阪市北区梅田1-1-1"},
            ("東京都", None, "大阪府大阪市北区梅田1-1-1"),
            id="another-prefecture-is-left-as-written",
        ),
        pytest.param({"住所1": "北海道"}, ("北海道", None, None), id="nothing-after-the-prefecture"),
        pytest.param(
            {"郵便番号": "100-0001", "番地": "千代田1-1"},
            ("東京都", "千代田区", "千代田1-1"),
            id="a-town-named-like-its-city-is-kept",
        ),
        pytest.param(  # Sansan's and many ledgers' 都道府県 + 住所1 without a postal code
            {"都道府県": "大阪府", "住所1": "大阪市北区梅田１丁目１番３号"},
            ("大阪府", "大阪市北区", "梅田1丁目1番3号"),
            id="city-at-the-start-of-address1-beside-a-prefecture",
        ),
        pytest.param(
            {"都道府県": "東京都", "住所1": "西多摩郡瑞穂町箱根ケ崎1"},
            ("東京都", "西多摩郡瑞穂町", "箱根ケ崎1"),
            id="a-district-town",
        ),
        pytest.param(
            {"都道府県": "東京都", "住所1": "横浜市中区山下町1"},
            ("東京都", None, "横浜市中区山下町1"),
            id="a-city-of-another-prefecture-is-left-as-written",
        ),
        pytest.param({"都道府県": "東京都", "住所1": "中央1-2-3"}, ("東京都", None, "中央1-2-3"), id="no-city"),
        pytest.param(
            {"住所1": "大阪市北区梅田1-1"}, ("大阪府", "大阪市北区", "梅田1-1"), id="no-prefecture-one-has-the-city"
        ),
        pytest.param(
            {"番地": "府中市宮西町1-1"}, (None, None, "府中市宮西町1-1"), id="no-prefecture-two-have-the-city"
        ),
        pytest.param(  # a whole address without its prefecture: the city says it, when only one has the city
            {"住所": "大阪市北区梅田１－１"},
            ("大阪府", "大阪市北区", "梅田1-1"),
            id="whole-address-without-prefecture",
        ),
        pytest.param({"住所": "府中市宮西町1-1"}, (None, "府中市", "宮西町1-1"), id="a-city-two-prefectures-have"),
    ],
)
def test_address1_does_not_repeat_the_prefecture_or_city(fields, expected):
    patch, errors = patch_of({"氏名": "山田", **fields})
    assert errors == []
    assert tuple(patch.fields.get(name) for name in ("prefecture", "city", "address1")) == expected


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        pytest.param(  # a ledger's postal column with the address after the code
            {"郵便番号": "〒100-0001 東京都千代田区千代田１－１"},
            ("100-0001", "東京都", "千代田区", "千代田1-1"),
            id="address-after-the-code",
        ),
        pytest.param(
            {"郵便番号・住所": "〒530-0001 大阪市北区梅田1-1"},
            ("530-0001", "大阪府", "大阪市北区", "梅田1-1"),
            id="postal-code-and-address-column",
        ),
        pytest.param(  # the address column's parts come first, as a whole address's do
            {"住所": "東京都港区芝公園4-2-8", "郵便番号": "〒100-0001 東京都千代田区千代田1-1"},
            ("100-0001", "東京都", "港区", "芝公園4-2-8"),
            id="an-address-column-too",
        ),
    ],
)
def test_a_postal_code_column_with_the_address_after_it_gives_both(fields, expected):
    patch, errors = patch_of({"氏名": "山田", **fields})
    assert errors == []
    names = ("postal_code", "prefecture", "city", "address1")
    assert tuple(patch.fields.get(name) for name in names) == expected


def test_a_postal_code_with_a_note_that_is_no_address_is_still_rejected():
    _, errors = patch_of({"氏名": "山田", "郵便番号": "1000001(東京)"})
    assert [(e.column, e.reason) for e in errors] == [("郵便番号", "Postal code is not seven digits like 123-4567")]


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        pytest.param(
            {"住所": "〒150-0002 東京都渋谷区渋谷２丁目２１−１"},
            ("150-0002", "東京都", "渋谷区", "渋谷2丁目21-1", None),
            id="postal-code-before-the-address",
        ),
        pytest.param(
            {"住所": "〒1500002　渋谷区渋谷２ー２１ー１　ヒカリエ８Ｆ"},
            ("150-0002", "東京都", "渋谷区", "渋谷2-21-1", "ヒカリエ8F"),
            id="digits-only-code-and-long-marks-between-digits",
        ),
        pytest.param(  # a street column's building, too, when the row gives none of its own
            {"郵便番号": "100-0001", "番地": "千代田1-1　ＡＢＣビル3F"},
            ("100-0001", "東京都", "千代田区", "千代田1-1", "ABCビル3F"),
            id="a-street-column-with-a-building",
        ),
        pytest.param(
            {"郵便番号": "100-0001", "番地": "千代田1-1 ABCビル3F", "建物名": "XYZビル"},
            ("100-0001", "東京都", "千代田区", "千代田1-1 ABCビル3F", "XYZビル"),
            id="a-street-column-beside-a-building-value",
        ),
        pytest.param(  # the file's building column is the building: the address is left whole
            {"住所": "東京都渋谷区渋谷2-21-1 ヒカリエ8F", "建物名": "ヒカリエ 8階"},
            (None, "東京都", "渋谷区", "渋谷2-21-1 ヒカリエ8F", "ヒカリエ 8階"),
            id="an-address-beside-a-building-column",
        ),
        pytest.param(
            {"郵便番号": "150-0002", "番地": "渋谷２−２１ｰ１", "建物名": "コーポ渋谷１０１"},
            ("150-0002", "東京都", "渋谷区", "渋谷2-21-1", "コーポ渋谷101"),
            id="street-and-building-columns",
        ),
        pytest.param(
            {"郵便番号": "100-0001", "住所": "〒150-0002 東京都渋谷区渋谷2-21-1"},
            ("100-0001", "東京都", "渋谷区", "渋谷2-21-1", None),
            id="the-postal-code-column-first",
        ),
        pytest.param({"住所": "123-4567"}, (None, None, None, "123-4567", None), id="a-code-alone-is-no-address"),
        pytest.param(
            {"郵便番号": "150-0002", "番地": "渋谷１～３番"},
            ("150-0002", "東京都", "渋谷区", "渋谷1～3番", None),
            id="a-range-keeps-its-tilde",
        ),
    ],
)
def test_addresses_are_stored_with_their_dashes_folded_and_a_postal_code_before_them_taken(fields, expected):
    patch, errors = patch_of({"氏名": "山田", **fields})
    assert errors == []
    names = ("postal_code", "prefecture", "city", "address1", "address2")
    assert tuple(patch.fields.get(name) for name in names) == expected


def test_a_prefecture_column_is_the_prefectures_full_name():
    patch, _ = patch_of({"氏名": "山田", "都道府県": "大阪", "郵便番号": "530-0001", "番地": "大阪府大阪市北区梅田1-1"})
    assert (patch.fields["prefecture"], patch.fields["city"], patch.fields["address1"]) == (
        "大阪府",
        "大阪市北区",
        "梅田1-1",
    )
    patch, _ = patch_of({"Last Name": "Yamada", "State/Province": "Tokyo", "Street": "渋谷2-21-1"})
    assert patch.fields["prefecture"] == "東京都"
    patch, _ = patch_of({"氏名": "山田", "都道府県": "東京都下"})
    assert patch.fields["prefecture"] == "東京都下"  # not a prefecture's name: kept as written


def test_tags_and_groups_split_on_japanese_and_ascii_separators():
    patch, _ = patch_of({"メール": "a@example.jp", "タグ": "展示会、VIP,紹介", "グループ": "東京；大阪"})
    assert (patch.tags, patch.groups) == (["展示会", "VIP", "紹介"], ["東京", "大阪"])


def test_quotes_around_each_tag_are_not_part_of_it():
    patch, _ = patch_of({"Email Address": "a@example.jp", "TAGS": '"vip","セミナー参加"'})  # Mailchimp
    assert patch.tags == ["vip", "セミナー参加"]


def test_a_secondary_email_column_is_kept_beside_the_email():
    patch, _ = patch_of({"Email": "a@example.jp", "Secondary Email": "B@example.jp"})  # Zoho
    assert (patch.fields["email"], patch.custom) == ("a@example.jp", {"Secondary Email": "b@example.jp"})


def test_explicit_rules_override_auto_mapping_and_ng_drops_the_column():
    spec = MappingSpec(
        rules=(FieldRule("氏名", "company_name"), FieldRule("メール", "email", Permission.NG)),
        unknown_columns="ignore",
    )
    patch, _ = patch_of({"氏名": "山田商店", "メール": "a@example.jp", "電話": "03-1234-5678"}, spec)
    assert patch.fields == {"company_name": "山田商店", "phone": "+81312345678"}


def test_permission_write_only_is_not_read():
    spec = MappingSpec(rules=(FieldRule("役職", "title", Permission.WRITABLE),))
    patch, _ = patch_of({"メール": "a@example.jp", "役職": "部長"}, spec)
    assert "title" not in patch.fields


@pytest.mark.parametrize(
    ("rule", "problem"),
    [
        pytest.param(FieldRule("x", "score", Permission.WRITABLE), "protected", id="protected-writable"),
        pytest.param(FieldRule("x", "id", Permission.READABLE_WRITABLE), "protected", id="id-readable-writable"),
        pytest.param(FieldRule("x", "nickname"), "unknown target", id="unknown-target"),
        pytest.param(FieldRule("x", "full_name", Permission.WRITABLE), "not allowed", id="composite-writable"),
    ],
)
def test_invalid_rules_are_all_reported(rule, problem):
    with pytest.raises(MappingError) as raised:
        validate_spec(MappingSpec(rules=(rule, FieldRule("y", "email"))))
    assert len(raised.value.problems) == 1 and problem in raised.value.problems[0]


def test_unknown_columns_policy():
    fields = {"メール": "a@example.jp", "会員ランク": "ゴールド"}
    assert patch_of(fields)[0].custom == {"会員ランク": "ゴールド"}
    assert patch_of(fields, MappingSpec(unknown_columns="ignore"))[0].custom == {}
    _, errors = patch_of(fields, MappingSpec(unknown_columns="report"))
    assert [(e.column, e.value) for e in errors] == [("会員ランク", "ゴールド")]


def test_constants_fill_what_the_record_lacks():
    spec = MappingSpec(constants={"acquisition_channel": "展示会", "tags": "2026"})
    patch, _ = patch_of({"メール": "a@example.jp"}, spec)
    assert (patch.fields["acquisition_channel"], patch.tags) == ("展示会", ["2026"])


@pytest.mark.parametrize(
    ("fields", "custom"),
    [
        pytest.param({"氏名": "山田 太郎", "フリガナ": "Yamada Taro"}, {"フリガナ": "Yamada Taro"}, id="romaji"),
        pytest.param(
            {"氏名": "John Smith", "フリガナ": "Ｊｏｈｎ　Ｓｍｉｔｈ"}, {"フリガナ": "John Smith"}, id="full-width"
        ),
        pytest.param(
            {"姓": "大野", "名": "一郎", "セイ": "Ōno", "メイ": "Ichiro"},
            {"セイ": "Ōno", "メイ": "Ichiro"},
            id="each-name",
        ),
        pytest.param({"氏名": "Mary O'Brien", "フリガナ": "O'Brien, Mary"}, {"フリガナ": "O'Brien, Mary"}, id="comma"),
    ],
)
def test_a_name_in_latin_letters_in_a_reading_column_is_kept_under_the_column_not_an_error(fields, custom):
    patch, errors = patch_of({**fields, "メール": "a@example.jp"})
    assert errors == []
    assert patch.custom == custom
    assert "last_name_kana" not in patch.fields and "first_name_kana" not in patch.fields
    assert patch.fields["last_name"]


@pytest.mark.parametrize(
    ("column", "value"),
    [
        pytest.param("フリガナ", "山田太郎", id="kanji"),
        pytest.param("フリガナ", "ヤマダ Taro", id="kana-and-latin"),
        pytest.param("セイ", "taro@example.jp", id="an-e-mail-address"),
        pytest.param("メイ", "090-1234-5678", id="a-number"),
    ],
)
def test_a_reading_column_holding_something_else_is_still_rejected(column, value):
    _, errors = patch_of({"氏名": "山田 太郎", column: value})
    assert [(e.column, e.value) for e in errors] == [(column, value)]


def _leaving_out(fields: dict[str, str]):
    return patch_of(fields, MappingSpec(bad_values="leave_out"))


def test_a_rejected_value_makes_the_row_an_error_by_default():
    _, errors = patch_of({"氏名": "山田 太郎", "電話番号": "090-1234-567"})
    assert [(e.column, e.left_out) for e in errors] == [("電話番号", False)]


def test_with_leave_out_a_rejected_value_is_left_out_of_a_row_that_goes_in_without_it():
    patch, errors = _leaving_out({"氏名": "山田 太郎", "電話番号": "090-1234-567", "郵便番号": "150-0001"})
    assert [(e.column, e.value, e.left_out) for e in errors] == [("電話番号", "090-1234-567", True)]
    assert errors[0].reason.endswith("; the row was imported without this value")
    assert patch.fields["last_name"] == "山田" and patch.fields["postal_code"] == "150-0001"
    assert "phone" not in patch.fields and "mobile" not in patch.fields


def test_with_leave_out_a_row_left_with_nobody_to_name_is_still_an_error():
    _, errors = _leaving_out({"メール": "taro.example.jp", "会社名": "株式会社テスト"})
    # The row is not imported: its rejected value is an error as without leave_out.
    assert [(e.column, e.left_out) for e in errors] == [("メール", False), (None, False)]
    assert errors[0].reason == "E-mail address has no @"


def test_leave_out_does_not_cover_a_column_the_mapping_reports():
    _, errors = patch_of(
        {"氏名": "山田 太郎", "謎の列": "x"},
        MappingSpec(auto_map=True, unknown_columns="report", bad_values="leave_out"),
    )
    assert [(e.column, e.left_out) for e in errors] == [("謎の列", False)]
    _, errors = patch_of(
        {"氏名": "山田 太郎", "電話番号": "03-12", "謎の列": "x"},
        MappingSpec(auto_map=True, unknown_columns="report", bad_values="leave_out"),
    )
    assert [(e.column, e.left_out) for e in errors] == [("電話番号", False), ("謎の列", False)]


def test_the_kinds_default_applies_when_the_mapping_does_not_say():
    mapping = compile_mapping(MappingSpec(), ["氏名", "電話番号"], bad_values="leave_out")
    patch, errors = map_record(SourceRecord("mail", {"氏名": "山田 太郎", "電話番号": "03-12"}), mapping)
    assert errors[0].left_out and patch.fields["last_name"] == "山田"
    told = compile_mapping(MappingSpec(bad_values="reject_row"), ["氏名", "電話番号"], bad_values="leave_out")
    assert told.bad_values == "reject_row"


@pytest.mark.parametrize(
    ("company", "expected"),
    [
        pytest.param("（株）ＡＢＣ", "株式会社ABC", id="short-form-before"),
        pytest.param("ABC(株)", "ABC株式会社", id="short-form-after"),
        pytest.param("㈱ABC", "株式会社ABC", id="enclosed"),
        pytest.param("(有)山田商店", "有限会社山田商店", id="yugen"),
        pytest.param("ABC(同)", "ABC合同会社", id="godo"),
        pytest.param("株式会社ABC 御中", "株式会社ABC", id="a-form-of-address-after-it"),
        pytest.param("ABC(本社)", "ABC(本社)", id="other-brackets-kept"),
        pytest.param("御中商事", "御中商事", id="onchu-inside-kept"),
        pytest.param("ABC Co., Ltd.", "ABC Co., Ltd.", id="english-as-written"),
        pytest.param("株式会社 ABC", "株式会社ABC", id="a-space-after-the-legal-form"),
        pytest.param("ABC　株式会社", "ABC株式会社", id="a-space-before-the-legal-form"),
        pytest.param("(株) ABC", "株式会社ABC", id="a-space-after-a-short-form"),
        pytest.param("一般社団法人 XYZ協会", "一般社団法人XYZ協会", id="an-association"),
        pytest.param("株式会社 ABC Japan", "株式会社ABC Japan", id="other-spaces-kept"),
    ],
)
def test_a_companys_short_legal_form_is_spelled_out(company, expected):
    patch, errors = patch_of({"氏名": "山田 太郎", "会社名": company})
    assert errors == [] and patch.fields["company_name"] == expected


def test_a_company_written_with_the_person_has_its_legal_form_spelled_out():
    patch, _ = patch_of({"氏名": "(株)ABC 山田 太郎"})
    assert (patch.fields["company_name"], patch.fields["last_name"]) == ("株式会社ABC", "山田")


@pytest.mark.parametrize(
    ("column", "value", "department", "title"),
    [
        pytest.param("部署", "営業部 部長", "営業部", "部長", id="a-title-after-the-department"),
        pytest.param("部署・役職", "総務課課長代理", "総務課", "課長代理", id="a-combined-column"),
        pytest.param("所属・役職", "部長", None, "部長", id="a-title-alone"),
        pytest.param("部署", "第二営業部", "第二営業部", None, id="a-department-alone"),
    ],
)
def test_a_department_column_gives_the_title_written_in_it(column, value, department, title):
    patch, errors = patch_of({"氏名": "山田太郎", column: value})
    assert errors == []
    assert (patch.fields.get("department"), patch.fields.get("title")) == (department, title)


def test_a_department_beside_a_title_column_is_kept_whole():
    # The title column says the title: what the department cell holds is its department.
    patch, _ = patch_of({"氏名": "山田太郎", "部署": "営業部 部長", "役職": "課長"})
    assert (patch.fields["department"], patch.fields["title"]) == ("営業部 部長", "課長")


@pytest.mark.parametrize(
    ("fields", "expected", "custom"),
    [
        pytest.param({"メール": "090-1234-5678"}, {"mobile": "+819012345678"}, {}, id="no-phone-column"),
        pytest.param({"メール": "03-1234-5678"}, {"phone": "+81312345678"}, {}, id="a-fixed-line"),
        pytest.param(
            {"メール": "090-1234-5678", "電話番号": ""}, {"mobile": "+819012345678"}, {}, id="the-phone-column-empty"
        ),
        pytest.param(
            {"メール": "090-1234-5678", "電話番号": "090-1234-5678"}, {"mobile": "+819012345678"}, {}, id="the-same"
        ),
        pytest.param(
            {"メール": "090-1111-2222", "電話番号": "090-1234-5678"},
            {"mobile": "+819012345678"},
            {"メール 電話": "+819011112222"},
            id="the-phone-columns-number-wins",
        ),
    ],
)
def test_a_phone_number_in_an_email_column_is_the_number(fields, expected, custom):
    patch, errors = patch_of({"氏名": "山田太郎", **fields})
    assert errors == []
    assert {k: v for k, v in patch.fields.items() if k not in ("last_name", "first_name")} == expected
    assert patch.custom == custom


def test_what_is_neither_address_nor_number_in_an_email_column_is_still_rejected():
    _patch, errors = patch_of({"氏名": "山田太郎", "メール": "090-1234"})
    assert [(e.column, e.reason) for e in errors] == [("メール", "E-mail address has no @")]


def test_a_column_a_rule_maps_to_the_department_is_taken_at_its_word():
    spec = MappingSpec(rules=(FieldRule("役職", "department"),))
    patch, _ = patch_of({"氏名": "山田太郎", "役職": "主任"}, spec)
    assert (patch.fields["department"], patch.fields.get("title")) == ("主任", None)


@pytest.mark.parametrize("value", ["03-1234-5678/5679", "03-1234-5678～9", "ＴＥＬ ０３－１２３４－５６７８～９"])
def test_a_business_cards_next_line_by_its_last_digits_is_a_second_number(value):
    patch, errors = patch_of({"氏名": "山田太郎", "電話番号": value})
    assert errors == []
    assert patch.fields["phone"] == "+81312345678"
    assert patch.custom == {"電話番号": "+81312345679"}


def test_a_column_named_as_a_kept_value_is_read_as_what_it_holds():
    # A column named as the transforms name what they keep (<column> 電話, <column> メール) fills
    # the field only with what the field takes; anything else stays as written, and no row fails.
    patch, errors = patch_of({"氏名": "山田太郎", "電話番号": "", "メール": "", "メール 電話": "夜間のみ"})
    assert errors == [] and patch.custom == {"メール 電話": "夜間のみ"}
    patch, errors = patch_of({"氏名": "山田太郎", "電話番号": "", "メール": "", "電話番号 メール": "携帯の方へ"})
    assert errors == [] and patch.custom == {"電話番号 メール": "携帯の方へ"}
    patch, errors = patch_of({"氏名": "山田太郎", "電話番号": "", "メール": "", "電話番号 メール": "T@example.jp"})
    assert errors == [] and patch.fields["email"] == "t@example.jp" and patch.custom == {}


def test_excels_text_mark_before_a_number_code_date_or_address_is_not_part_of_it():
    # Exports meant for Excel write '09012345678 to keep the leading zero; lists copied out of
    # Excel keep the mark. Free text keeps what it was written with.
    patch, errors = patch_of(
        {
            "氏名": "山田太郎",
            "電話番号": "'09012345678",
            "郵便番号": "'1000005",
            "メール": "'taro@example.jp",
            "登録日": "＇2024/05/01",
            "メモ": "'90年代から",
        }
    )
    assert errors == []
    fields = patch.fields
    assert (fields["mobile"], fields["postal_code"], fields["email"]) == (
        "+819012345678",
        "100-0005",
        "taro@example.jp",
    )
    assert (fields["acquired_at"], fields["memo"]) == ("2024-05-01", "'90年代から")


def test_a_whole_number_written_as_a_float_is_the_number():
    # pandas reads a column with empty cells as floats and writes 9012345678.0 back.
    spec = MappingSpec(rules=(FieldRule("会員番号", "external_id", Permission.READABLE),))
    patch, errors = patch_of(
        {
            "会員番号": "123.0",
            "氏名": "山田太郎",
            "携帯": "9012345678.0",
            "郵便番号": "600001.0",
            "登録日": "20240501.0",
        },
        spec,
    )
    assert errors == []
    assert patch.external_id == "123"
    fields = patch.fields
    assert (fields["mobile"], fields["postal_code"], fields["acquired_at"]) == (
        "+819012345678",
        "060-0001",
        "2024-05-01",
    )


def test_an_external_id_with_excels_text_mark_is_the_id_without_it():
    spec = MappingSpec(rules=(FieldRule("会員番号", "external_id", Permission.READABLE),))
    patch, _ = patch_of({"会員番号": "'000123", "メール": "a@example.jp"}, spec)
    assert patch.external_id == "000123"


@pytest.mark.parametrize(
    "value",
    [
        "taro @example.jp",
        "taro@ example.jp",
        "ｔａｒｏ　＠　ｅｘａｍｐｌｅ．ｊｐ",
        "“taro@example.jp”",
        "「taro@example.jp」",
        "taro@example。jp",  # the input method's full stop for the dot
        "taro@example｡jp",
    ],
)
def test_an_address_with_spaces_around_its_at_or_quotes_around_it_is_the_address(value):
    patch, errors = patch_of({"氏名": "山田太郎", "メール": value})
    assert errors == [] and patch.fields["email"] == "taro@example.jp"


def test_a_long_vowel_mark_typed_for_a_hyphen_in_an_address_is_the_hyphen():
    patch, errors = patch_of({"氏名": "山田太郎", "メール": "taroーyamada@example.jp"})
    assert errors == [] and patch.fields["email"] == "taro-yamada@example.jp"


@pytest.mark.parametrize("value", ["a b@example.jp", "山田 太郎 @example.jp"])
def test_a_space_inside_an_address_is_still_rejected(value):
    _patch, errors = patch_of({"氏名": "山田太郎", "メール": value})
    assert [e.column for e in errors] == ["メール"]


def test_an_address_alone_in_a_contact_column_with_spaces_around_its_at_is_the_email():
    patch, errors = patch_of({"氏名": "鈴木一郎", "連絡先": "ichiro @example.jp"})
    assert errors == [] and patch.fields["email"] == "ichiro@example.jp"


@pytest.mark.parametrize(
    ("column", "value", "street", "building"),
    [
        pytest.param(
            "住所",
            "東京都港区六本木6-10-1六本木ヒルズ森タワー45F",
            "六本木6-10-1",
            "六本木ヒルズ森タワー45F",
            id="address",
        ),
        pytest.param(
            "番地", "六本木6-10-1六本木ヒルズ森タワー45F", "六本木6-10-1", "六本木ヒルズ森タワー45F", id="street"
        ),
        pytest.param("住所", "東京都千代田区丸の内1-1-1-101", "丸の内1-1-1-101", None, id="a-room-number"),
    ],
)
def test_a_building_written_right_after_the_number_is_address2(column, value, street, building):
    patch, errors = patch_of({"氏名": "山田太郎", column: value})
    assert errors == []
    assert (patch.fields["address1"], patch.fields.get("address2")) == (street, building)


@pytest.mark.parametrize(
    ("columns", "company", "expected"),
    [
        pytest.param({}, "(株)ABC 営業部", ("株式会社ABC", "営業部", None), id="a-department"),
        pytest.param(
            {}, "株式会社ABC 東京支店 営業課 課長", ("株式会社ABC", "東京支店 営業課", "課長"), id="and-a-title"
        ),
        pytest.param(
            {"役職": "部長"}, "株式会社ABC 営業課 課長", ("株式会社ABC", "営業課 課長", "部長"), id="a-title-column"
        ),
        pytest.param(
            {"部署": "総務部"}, "株式会社ABC 営業部", ("株式会社ABC 営業部", "総務部", None), id="a-department-column"
        ),
        pytest.param({}, "ABC 営業部", ("ABC 営業部", None, None), id="no-legal-form-no-telling"),
        pytest.param({}, "ABC株式会社 本社", ("ABC株式会社 本社", None, None), id="not-a-unit"),
        pytest.param({}, "株式会社ABC 代表取締役", ("株式会社ABC", None, "代表取締役"), id="a-title-alone"),
        pytest.param({}, "(株)ABC 部長", ("株式会社ABC", None, "部長"), id="a-title-after-a-short-form"),
        pytest.param(
            {"役職": "部長"}, "株式会社ABC 社長", ("株式会社ABC 社長", None, "部長"), id="a-title-alone-a-title-column"
        ),
        pytest.param({}, "ABC 部長", ("ABC 部長", None, None), id="a-title-no-legal-form"),
        pytest.param(
            {"部署": "総務部"},
            "株式会社テスト 代表取締役",
            ("株式会社テスト", "総務部", "代表取締役"),
            id="a-title-alone-beside-a-department-column",
        ),
    ],
)
def test_a_department_written_after_the_company_is_the_department(columns, company, expected):
    patch, errors = patch_of({"氏名": "山田太郎", "会社名": company, **columns})
    assert errors == []
    fields = patch.fields
    assert (fields["company_name"], fields.get("department"), fields.get("title")) == expected


@pytest.mark.parametrize(
    ("column", "value"),
    [
        pytest.param("電話番号", "000-0000-0000", id="zeros"),
        pytest.param("電話番号", "090-0000-0000", id="a-mobile-prefix-then-zeros"),
        pytest.param("TEL", "０３－００００－００００", id="an-area-code-then-zeros-full-width"),
        pytest.param("携帯", "0", id="excels-empty-reference"),
        pytest.param("郵便番号", "000-0000", id="a-postal-code-of-zeros"),
        pytest.param("メールアドレス", "0", id="an-email-of-zero"),
        pytest.param("電話番号", "#REF!", id="an-excel-error"),
        pytest.param("郵便番号", "未記入", id="not-filled-in"),
        pytest.param("登録日", "0000-00-00 00:00:00", id="mysqls-zero-date"),
        pytest.param("登録日", "1900/1/0", id="excels-day-zero"),
        pytest.param("反響日時", "0000/00/00", id="an-inquiry-time-of-zeros"),
    ],
)
def test_a_number_nobody_gave_is_no_value_not_a_row_error(column, value):
    # A form's required field given by someone without a number, or Excel's formula cell: the
    # lead goes in without it (it was a row error: the lead lost until the file was mended).
    patch, errors = patch_of({"氏名": "山田 太郎", "会社名": "ABC", column: value})
    assert errors == []
    assert patch.fields == {"last_name": "山田", "first_name": "太郎", "company_name": "ABC"}


def test_a_number_with_zeros_in_it_is_still_read_or_rejected():
    patch, errors = patch_of({"氏名": "山田 太郎", "電話番号": "0120-000-000", "携帯": "090-0000-0001"})
    assert patch.fields["phone"] == "+81120000000"
    assert [(error.column, error.value) for error in errors] == [("携帯", "090-0000-0001")]


@pytest.mark.parametrize(
    ("value", "family", "given", "joint"),
    [
        pytest.param("山田太郎・花子", "山田", "太郎", "花子", id="a-couple-by-a-middle-dot"),
        pytest.param("山田 太郎、花子", "山田", "太郎", "花子", id="by-a-comma"),
        pytest.param("山田太郎／山田花子", "山田", "太郎", "山田花子", id="two-whole-names"),
        pytest.param("ヤマダ・タロウ", "ヤマダ", "タロウ", None, id="one-name-with-a-dot"),
        pytest.param("山田・太郎", "山田", "太郎", None, id="family-dot-given"),
    ],
)
def test_two_peoples_names_in_one_cell_are_the_first_person_and_the_other_kept(value, family, given, joint):
    # 連名 (a couple at a model-house fair): the family name was 山田太郎 and the given name 花子.
    patch, errors = patch_of({"氏名": value, "電話番号": "03-1234-5678"})
    assert errors == []
    assert (patch.fields["last_name"], patch.fields["first_name"]) == (family, given)
    assert patch.custom == ({"氏名 連名": joint} if joint else {})


@pytest.mark.parametrize(
    ("row", "email", "custom"),
    [
        pytest.param({"名前": "山田太郎 <taro@example.jp>"}, "taro@example.jp", {}, id="name-and-address"),
        pytest.param({"名前": '"山田 太郎" taro@example.jp'}, "taro@example.jp", {}, id="quoted-name-then-address"),
        pytest.param(
            {"名前": "山田太郎 <taro@example.jp>", "メール": "t.yamada@example.jp"},
            "t.yamada@example.jp",
            {"名前 メール": "taro@example.jp"},
            id="the-e-mail-column-first",
        ),
        pytest.param(
            {"メール": "taro@example.jp", "名前": "山田太郎 <taro@example.jp>"}, "taro@example.jp", {}, id="the-same"
        ),
    ],
)
def test_an_address_written_with_the_name_is_the_e_mail_not_the_given_name(row, email, custom):
    patch, errors = patch_of(row)
    assert errors == []
    assert (patch.fields["last_name"], patch.fields["first_name"]) == ("山田", "太郎")
    assert patch.fields["email"] == email and patch.custom == custom


def test_a_name_column_holding_only_an_address_gives_the_e_mail():
    patch, errors = patch_of({"名前": "taro@example.jp", "電話": "03-1234-5678"})
    assert errors == []
    assert patch.fields == {"email": "taro@example.jp", "phone": "+81312345678"}


def test_a_couples_reading_is_the_first_persons_and_the_other_kept():
    patch, errors = patch_of({"氏名": "山田 太郎・花子", "フリガナ": "ヤマダ タロウ・ハナコ"})
    assert errors == []
    fields = patch.fields
    assert (fields["last_name_kana"], fields["first_name_kana"]) == ("ヤマダ", "タロウ")
    assert patch.custom == {"氏名 連名": "花子", "フリガナ 連名": "ハナコ"}


def test_google_contacts_labels_are_tags_without_its_own_groups():
    patch, errors = patch_of({"Name": "山田太郎", "Labels": "* myContacts ::: 顧客 ::: セミナー"})
    assert errors == [] and patch.tags == ["顧客", "セミナー"]


def test_a_microsoft_forms_answer_by_someone_not_signed_in_is_the_person_the_questions_name():
    row = {"ID": "1", "開始時刻": "2024/5/1 10:00:00", "完了時刻": "2024/5/1 10:02:00", "メール": "anonymous",
           "名前": "", "お名前": "山田太郎", "メールアドレス": "taro@example.jp"}  # fmt: skip
    patch, errors = patch_of(row)
    assert errors == []
    assert (patch.fields["last_name"], patch.fields["email"]) == ("山田", "taro@example.jp")
    assert "メール" not in patch.custom and "名前" not in patch.custom


@pytest.mark.parametrize(
    ("fields", "received_at"),
    [
        pytest.param(
            {"タイムスタンプ": "2026/11/03 14:22:05", "メール": "a@example.jp", "お問い合わせ内容": "資料請求"},
            "2026-11-03T14:22:05+09:00",
            id="a-form-export-s-timestamp",
        ),
        pytest.param(
            {"お問い合わせ内容": "資料請求", "登録日": "令和8年11月3日", "メール": "a@example.jp"},
            "2026-11-03T00:00:00+09:00",
            id="a-day-in-any-column-order",
        ),
        pytest.param(
            {"登録日": "2026/11/03", "反響日時": "2026/11/05 10:00", "メール": "a@example.jp", "物件名": "ハイツ"},
            "2026-11-05T10:00:00+09:00",
            id="the-list-s-own-inquiry-time-wins",
        ),
    ],
)
def test_an_inquiry_without_a_time_of_its_own_takes_the_rows_acquisition_time(fields, received_at):
    patch, errors = patch_of(fields)
    assert errors == []
    assert patch.inquiry_values["received_at"] == received_at


def test_a_row_with_an_acquisition_time_and_no_inquiry_values_makes_no_inquiry():
    # A customer list with a 作成日 column and an お問い合わせ内容 column left empty in this row.
    patch, _ = patch_of({"作成日": "2026/11/03 10:00", "メール": "a@example.jp", "お問い合わせ内容": ""})
    assert patch.inquiry_values == {}
    assert patch.fields["acquired_at"] == "2026-11-03"


def test_a_bad_acquisition_date_is_reported_once_not_again_as_the_inquiry_time():
    patch, errors = patch_of({"タイムスタンプ": "先週", "メール": "a@example.jp", "お問い合わせ内容": "資料請求"})
    assert [(e.column, e.value) for e in errors] == [("タイムスタンプ", "先週")]
    assert "received_at" not in patch.inquiry_values


def test_an_inquiry_lists_columns_that_say_more_of_the_inquiry_are_kept_with_it():
    fields = {
        "反響日時": "2026/11/03 10:00",
        "お名前": "山田太郎",
        "メールアドレス": "t@example.jp",
        "物件名": "サンプルハイツ",
        "物件種別": "賃貸マンション",
        "ご希望の連絡方法": "電話",
        "会員ランク": "ゴールド",
    }
    patch, errors = patch_of(fields)
    assert errors == [] and patch.custom == {"会員ランク": "ゴールド"}
    assert patch.inquiry_extra() == {"物件種別": "賃貸マンション", "ご希望の連絡方法": "電話"}


def test_the_same_columns_in_a_list_without_inquiries_are_the_customers_custom_values():
    patch, _ = patch_of({"お名前": "山田太郎", "メールアドレス": "t@example.jp", "物件種別": "戸建て"})
    assert patch.custom == {"物件種別": "戸建て"} and patch.inquiry_values == {}


def test_a_rule_keeps_any_column_with_the_inquiry_and_a_rule_elsewhere_is_taken_at_its_word():
    spec = MappingSpec(
        rules=(
            FieldRule("区分", "inquiry.extra:区分", Permission.READABLE),
            FieldRule("物件種別", "custom:種別", Permission.READABLE),
        )
    )
    fields = {"メールアドレス": "t@example.jp", "物件名": "ハイツ", "区分": "売買", "物件種別": "戸建て"}
    patch, errors = patch_of(fields, spec)
    assert errors == [] and patch.inquiry_extra() == {"区分": "売買"} and patch.custom == {"種別": "戸建て"}
    with pytest.raises(MappingError):
        validate_spec(MappingSpec(rules=(FieldRule("区分", "inquiry.extra:区分", Permission.WRITABLE),)))


def test_a_rule_keeping_a_column_with_the_inquiry_makes_the_file_a_list_of_inquiries():
    spec = MappingSpec(rules=(FieldRule("区分", "inquiry.extra:区分", Permission.READABLE),))
    fields = {"登録日": "2026/11/03", "メールアドレス": "t@example.jp", "区分": "売買", "物件種別": "戸建て"}
    patch, errors = patch_of(fields, spec)
    assert errors == [] and patch.custom == {}
    assert patch.inquiry_extra() == {"区分": "売買", "物件種別": "戸建て"}
    assert patch.inquiry_values["received_at"] == "2026-11-03T00:00:00+09:00"
