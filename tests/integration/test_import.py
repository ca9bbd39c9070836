"""CSV import through the service functions, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest

from renkei.pipeline import deliveries as delivery_service
from renkei.pipeline import integrations as integration_service
from tests.conftest import any_workbook, write_csv
from tests.helpers import export
from tests.zips import zip_bytes

HEADER = ["氏名", "フリガナ", "メールアドレス", "電話番号", "郵便番号", "住所", "会社名", "役職", "登録日"]


def by_email(hub) -> dict[str, dict]:
    return {c["email"]: c for c in export(hub)}


def members(tmp_path: Path, name: str = "members.csv", rows: list[list[str]] | None = None) -> Path:
    return write_csv(
        tmp_path / name,
        [
            HEADER,
            *(
                rows
                or [
                    [
                        "山田　太郎",
                        "ヤマダ　タロウ",
                        "Taro.Yamada@Example.co.jp",
                        "090-1234-5678",
                        "100-0001",
                        "東京都千代田区千代田1-1",
                        "㈱髙橋商事",
                        "部長",
                        "令和6年1月5日",
                    ],
                    [
                        "鈴木 花子",
                        "すずき はなこ",
                        "hanako@example.com",
                        "０３－１２３４－５６７８",
                        "〒530-0001",
                        "大阪市北区梅田1-2-3",
                        "株式会社テスト①",
                        "課長",
                        "2024/2/3",
                    ],
                ]
            ),
        ],
    )


def test_cp932_file_becomes_normalised_customers(hub, tmp_path):
    integration = integration_service.manual_import_integration(hub)
    result = delivery_service.import_file(hub, integration, members(tmp_path))
    assert (result.state, result.counts.created, result.counts.errors) == ("processed", 2, 0)
    people = by_email(hub)
    taro = people["taro.yamada@example.co.jp"]
    assert (taro["last_name"], taro["first_name"]) == ("山田", "太郎")
    assert (taro["last_name_kana"], taro["first_name_kana"]) == ("ヤマダ", "タロウ")
    assert taro["mobile"] == "+819012345678" and taro["phone"] is None
    assert (taro["prefecture"], taro["city"]) == ("東京都", "千代田区")
    assert taro["company_name"] == "株式会社髙橋商事"  # ㈱ read from CP932, spelled out; 髙 as written
    assert taro["acquired_at"] == "2024-01-05"
    assert taro["acquisition_channel"] == "CSV"
    hanako = people["hanako@example.com"]
    assert hanako["phone"] == "+81312345678" and hanako["mobile"] is None
    assert hanako["last_name_kana"] == "スズキ"
    assert hanako["postal_code"] == "530-0001"
    # Prefecture filled from the postal code where the address lacks it.
    assert hanako["prefecture"] == "大阪府"
    assert hanako["company_name"] == "株式会社テスト①"


def test_bad_rows_are_reported_and_the_rest_goes_through(hub, tmp_path):
    integration = integration_service.manual_import_integration(hub)
    path = members(
        tmp_path,
        rows=[
            ["山田太郎", "", "yamada@example.jp", "090-1111-2222", "", "", "", "", ""],
            ["佐藤一郎", "", "not-an-address", "090-3333-4444", "", "", "", "", ""],
            ["田中", "", "tanaka@example.jp", "12", "", "", "", "", ""],
            ["", "", "", "", "", "", "会社だけ", "", ""],
            ["高橋", "", "takahashi@example.jp", "", "", "", "", "", "2024/2/30"],
        ],
    )
    result = delivery_service.import_file(hub, integration, path)
    assert result.state == "processed"
    assert (result.counts.created, result.counts.errors) == (1, 4)
    errors = delivery_service.delivery_errors(hub, result.delivery_id)
    found = {(e["line"], e["column_name"], e["value"]) for e in errors}
    assert (3, "メールアドレス", "not-an-address") in found
    assert (4, "電話番号", "12") in found
    assert (5, None, None) in found
    assert (6, "登録日", "2024/2/30") in found
    assert all(e["reason"] for e in errors)
    assert list(by_email(hub)) == ["yamada@example.jp"]


def test_identical_content_is_a_recorded_no_op(hub, tmp_path):
    integration = integration_service.manual_import_integration(hub)
    first = delivery_service.import_file(hub, integration, members(tmp_path))
    again = delivery_service.import_file(hub, integration, members(tmp_path, name="copy.csv"))
    assert again.state == "duplicate" and again.duplicate_of == first.delivery_id
    assert len(export(hub)) == 2
    states = [d.state for d in delivery_service.list_deliveries(hub)]
    assert states == ["duplicate", "processed"]


def test_rows_of_one_file_that_are_the_same_person_merge(hub, tmp_path):
    integration = integration_service.manual_import_integration(hub)
    path = members(
        tmp_path,
        rows=[
            ["山田太郎", "", "yamada@example.jp", "", "", "", "", "主任", ""],
            ["山田太郎", "", "YAMADA@EXAMPLE.JP", "090-1111-2222", "", "", "", "", ""],
            ["山田太郎", "", "", "09011112222", "", "", "", "課長", ""],
        ],
    )
    result = delivery_service.import_file(hub, integration, path)
    assert (result.counts.created, result.counts.updated) == (1, 2)
    (only,) = export(hub)
    assert (only["email"], only["mobile"], only["title"]) == ("yamada@example.jp", "+819011112222", "課長")


def test_empty_incoming_value_never_erases(hub, tmp_path):
    integration = integration_service.manual_import_integration(hub)
    delivery_service.import_file(hub, integration, members(tmp_path))
    path = members(tmp_path, name="later.csv", rows=[["", "", "hanako@example.com", "", "", "", "", "", ""]])
    result = delivery_service.import_file(hub, integration, path)
    assert result.counts.unchanged == 1
    assert by_email(hub)["hanako@example.com"]["company_name"] == "株式会社テスト①"


@pytest.mark.parametrize(
    ("policy", "incoming_date", "expected_title"),
    [
        pytest.param("overwrite", "2020/1/1", "社長", id="overwrite"),
        pytest.param("keep_existing", "2030/1/1", "部長", id="keep-existing"),
        pytest.param("fill_blanks", "2030/1/1", "部長", id="fill-blanks-keeps-stored"),
        pytest.param("newer_wins", "2030/1/1", "社長", id="newer-wins-newer"),
        pytest.param("newer_wins", "2020/1/1", "部長", id="newer-wins-older"),
    ],
)
def test_merge_policies(hub, tmp_path, policy, incoming_date, expected_title):
    integration_service.apply_file(
        hub,
        {
            "integrations": [
                {"name": "cards", "kind": "csv", "policies": {"default": policy, "date_field": "acquired_at"}}
            ]
        },
    )
    cards = integration_service.integration_by_name(hub, "cards")
    delivery_service.import_file(hub, cards, members(tmp_path))
    path = members(
        tmp_path,
        name="update.csv",
        rows=[["", "", "taro.yamada@example.co.jp", "", "", "", "", "社長", incoming_date]],
    )
    delivery_service.import_file(hub, cards, path)
    taro = by_email(hub)["taro.yamada@example.co.jp"]
    assert taro["title"] == expected_title
    if policy == "fill_blanks":
        # A blank is filled: the stored customer had no department... and acquired_at was set.
        assert taro["acquired_at"] == "2024-01-05"


def test_fill_blanks_fills_only_empty_fields(hub, tmp_path):
    integration_service.apply_file(
        hub, {"integrations": [{"name": "x", "kind": "csv", "policies": {"default": "fill_blanks"}}]}
    )
    x = integration_service.integration_by_name(hub, "x")
    delivery_service.import_file(
        hub, x, members(tmp_path, rows=[["山田太郎", "", "y@example.jp", "03-1111-2222", "", "", "", "", ""]])
    )
    delivery_service.import_file(
        hub,
        x,
        members(
            tmp_path, name="b.csv", rows=[["山田太郎", "", "y@example.jp", "03-3333-4444", "", "", "会社", "", ""]]
        ),
    )
    (only,) = export(hub)
    assert (only["phone"], only["company_name"]) == ("+81311112222", "会社")


def test_defaults_apply_to_new_customers_only(hub, tmp_path):
    integration_service.apply_file(
        hub,
        {
            "integrations": [
                {
                    "name": "展示会",
                    "kind": "csv",
                    "defaults": {
                        "owner": "sato@example.co.jp",
                        "status": "新規",
                        "tags": ["展示会2026"],
                        "groups": ["東京"],
                        "acquisition_channel": "展示会",
                    },
                }
            ]
        },
    )
    fair = integration_service.integration_by_name(hub, "展示会")
    manual = integration_service.manual_import_integration(hub)
    delivery_service.import_file(
        hub, manual, members(tmp_path, rows=[["既存", "", "old@example.jp", "", "", "", "", "", ""]])
    )
    delivery_service.import_file(
        hub,
        fair,
        members(
            tmp_path,
            name="fair.csv",
            rows=[
                ["既存", "", "old@example.jp", "", "", "", "", "", ""],
                ["新規", "", "new@example.jp", "", "", "", "", "", ""],
            ],
        ),
    )
    people = by_email(hub)
    new = people["new@example.jp"]
    assert (new["owner"], new["status"], new["tags"], new["groups"], new["acquisition_channel"]) == (
        "sato@example.co.jp",
        "新規",
        ["展示会2026"],
        ["東京"],
        "展示会",
    )
    old = people["old@example.jp"]
    assert (old["owner"], old["tags"], old["acquisition_channel"]) == (None, [], "CSV")


def test_unknown_columns_go_to_custom_fields_or_are_reported(hub, tmp_path):
    path = write_csv(tmp_path / "x.csv", [["メールアドレス", "会員ランク"], ["a@example.jp", "ゴールド"]])
    manual = integration_service.manual_import_integration(hub)
    delivery_service.import_file(hub, manual, path)
    assert export(hub)[0]["custom"] == {"会員ランク": "ゴールド"}
    integration_service.apply_file(
        hub, {"integrations": [{"name": "strict", "kind": "csv", "mapping": {"unknown_columns": "report"}}]}
    )
    strict = integration_service.integration_by_name(hub, "strict")
    result = delivery_service.import_file(
        hub,
        strict,
        write_csv(tmp_path / "y.csv", [["メールアドレス", "会員ランク"], ["b@example.jp", "シルバー"]]),
    )
    assert result.counts.errors == 1
    (error,) = delivery_service.delivery_errors(hub, result.delivery_id)
    assert (error["column_name"], error["value"]) == ("会員ランク", "シルバー")


def test_explicit_mapping_overrides_auto_mapping_and_constants_apply(hub, tmp_path):
    integration_service.apply_file(
        hub,
        {
            "integrations": [
                {
                    "name": "mapped",
                    "kind": "csv",
                    "mapping": {
                        "rules": [
                            {"source": "連絡先", "target": "email"},
                            {"source": "備考", "target": "custom:note"},
                            {"source": "会社名", "target": "company_name", "permission": "NG"},
                        ],
                        "constants": {"acquisition_channel": "セミナー"},
                    },
                }
            ]
        },
    )
    mapped = integration_service.integration_by_name(hub, "mapped")
    path = write_csv(tmp_path / "m.csv", [["連絡先", "備考", "会社名"], ["c@example.jp", "メモ", "無視される"]])
    delivery_service.import_file(hub, mapped, path)
    (only,) = export(hub)
    assert (only["email"], only["custom"], only["company_name"], only["acquisition_channel"]) == (
        "c@example.jp",
        {"note": "メモ"},
        None,
        "セミナー",
    )


def test_large_files_read_in_a_child_process_give_the_same_result(hub, tmp_path, monkeypatch):
    rows = [
        [f"山田{i}", "", f"p{i}@example.jp", f"090-{1000 + i // 10000:04d}-{i % 10000:04d}", "", "", "", "", ""]
        for i in range(12000)
    ]
    rows.append(["", "", "broken", "", "", "", "", "", ""])
    path = members(tmp_path, rows=rows)
    monkeypatch.setattr(delivery_service, "PARALLEL_BYTES", 0)
    integration = integration_service.manual_import_integration(hub)
    result = delivery_service.import_file(hub, integration, path)
    assert (result.counts.created, result.counts.errors) == (12000, 1)
    (error,) = delivery_service.delivery_errors(hub, result.delivery_id)
    assert (error["line"], error["value"]) == (12002, "broken")
    assert len(export(hub)) == 12000


@pytest.mark.parametrize("kind", ["xlsx", "xls", "xlsb", "ods"])
def test_a_workbook_is_imported_as_its_csv_would_be(hub, tmp_path, kind):
    from datetime import date, datetime

    path = any_workbook(
        kind,
        tmp_path / f"顧客台帳.{kind}",
        [
            ["顧客台帳"],
            ["氏名", "メールアドレス", "電話番号", "郵便番号", "登録日", "備考"],
            # What Excel keeps for numbers typed into cells: the leading zeros are gone.
            ["山田 太郎", "taro@example.jp", 9012345678, 600001, date(2024, 5, 1), None],
            ["鈴木 花子", "hanako@example.jp", "03-1234-5678", "100-0001", datetime(2024, 5, 2, 9, 30), "紹介"],
            ["佐藤", "not-an-email", None, None, None, None],
        ],
    )
    integration = integration_service.manual_import_integration(hub)
    result = delivery_service.import_file(hub, integration, path)
    assert (result.state, result.encoding, result.counts.created, result.counts.errors) == ("processed", kind, 2, 1)
    people = by_email(hub)
    taro, hanako = people["taro@example.jp"], people["hanako@example.jp"]
    assert (taro["mobile"], taro["postal_code"], taro["prefecture"], taro["acquired_at"]) == (
        "+819012345678",
        "060-0001",
        "北海道",
        "2024-05-01",
    )
    assert (hanako["phone"], hanako["acquired_at"], hanako["memo"]) == ("+81312345678", "2024-05-02", "紹介")
    errors = [e for e in delivery_service.delivery_errors(hub, result.delivery_id) if e["reason"].startswith("E-mail")]
    assert [(e["line"], e["value"]) for e in errors] == [(5, "not-an-email")]  # the row the spreadsheet shows
    # The archived workbook replays (it is stored under its hash, without its name).
    replayed = delivery_service.replay_delivery(hub, result.delivery_id)
    assert (replayed.state, replayed.counts.created, replayed.counts.errors) == ("processed", 2, 1)
    assert by_email(hub)["taro@example.jp"]["mobile"] == "+819012345678"


def test_a_mobile_number_in_a_second_phone_column_is_the_mobile_and_finds_the_customer(hub, tmp_path):
    integration = integration_service.manual_import_integration(hub)
    first = write_csv(tmp_path / "cards.csv", [["氏名", "携帯電話"], ["山田太郎", "090-1234-5678"]])
    assert delivery_service.import_file(hub, integration, first).counts.created == 1
    # A list with two phone columns, the mobile in the second (before: kept as text under TEL2, so
    # the row made a second customer).
    second = write_csv(
        tmp_path / "list.csv",
        [["氏名", "TEL1", "TEL2", "FAX"], ["山田太郎", "03-1234-5678", "090-1234-5678", "03-1234-5679"]],
    )
    result = delivery_service.import_file(hub, integration, second)
    assert (result.counts.created, result.counts.updated, result.counts.errors) == (0, 1, 0)
    assert result.labels["TEL2"] == "phone"  # shown as a phone column, read as a second one
    (customer,) = export(hub)
    assert (customer["mobile"], customer["phone"], customer["fax"]) == ("+819012345678", "+81312345678", "+81312345679")
    assert "TEL2" not in customer["custom"]


RAKUTEN_HEADER = [
    "受注番号", "注文日時", "注文者郵便番号１", "注文者郵便番号２", "注文者住所：都道府県", "注文者住所：都市区",
    "注文者住所：町以降", "注文者名字", "注文者名前", "注文者名字フリガナ", "注文者名前フリガナ", "注文者電話番号１",
    "注文者電話番号２", "注文者電話番号３", "メールアドレス", "送付先名字", "送付先名前", "送付先電話番号１",
    "送付先電話番号２", "送付先電話番号３",
]  # fmt: skip


def test_a_shops_order_export_becomes_its_orderers_with_numbers_written_in_parts(hub, tmp_path):
    # Rakuten's order export: the orderer's postal code in two columns and phone in three (before:
    # every row an error, "Phone number is too short" for 03), 名字/名前 the family and given name; the
    # recipient (送付先) is someone else, kept under its columns. Two orders by one customer are one.
    integration = integration_service.manual_import_integration(hub)
    path = write_csv(
        tmp_path / "orders.csv",
        [
            RAKUTEN_HEADER,
            ["123-1", "2024-05-01 10:00:00", "150", "0001", "東京都", "渋谷区", "神宮前1-1-1", "山田", "太郎",
             "ヤマダ", "タロウ", "03", "1234", "5678", "taro@example.jp", "佐藤", "花子", "06", "1234", "5678"],
            ["123-2", "2024-05-02 11:00:00", "150", "0001", "東京都", "渋谷区", "神宮前1-1-1", "山田", "太郎",
             "ヤマダ", "タロウ", "03", "1234", "5678", "taro@example.jp", "山田", "太郎", "03", "1234", "5678"],
            ["123-3", "2024-05-03 12:00:00", "５３０", "１", "大阪府", "大阪市北区", "梅田1-1-1", "鈴木", "一郎",
             "スズキ", "イチロウ", "90", "1111", "2222", "ichiro@example.jp", "鈴木", "一郎", "", "", ""],
        ],
    )  # fmt: skip
    result = delivery_service.import_file(hub, integration, path)
    assert (result.state, result.counts.created, result.counts.errors) == ("processed", 2, 0)
    people = by_email(hub)
    taro = people["taro@example.jp"]
    assert (taro["last_name"], taro["first_name"], taro["first_name_kana"]) == ("山田", "太郎", "タロウ")
    assert (taro["postal_code"], taro["prefecture"], taro["city"], taro["address1"]) == (
        "150-0001", "東京都", "渋谷区", "神宮前1-1-1",
    )  # fmt: skip
    assert taro["phone"] == "+81312345678"
    assert taro["custom"]["送付先名字"] in ("佐藤", "山田")
    ichiro = people["ichiro@example.jp"]
    assert (ichiro["postal_code"], ichiro["mobile"]) == ("530-0001", "+819011112222")


def test_a_zip_files_csvs_are_imported_each_as_a_delivery_and_a_dry_run_shows_them(hub, tmp_path):
    integration = integration_service.manual_import_integration(hub)
    first = "氏名,メールアドレス\r\n山田太郎,taro@example.jp\r\n".encode("cp932")
    second = "氏名,メールアドレス\r\n佐藤花子,hanako@example.jp\r\n".encode("cp932")
    archive = tmp_path / "export.zip"
    archive.write_bytes(zip_bytes({"tokyo.csv": first, "osaka.csv": second, "readme.pdf": b"%PDF"}))
    tried = delivery_service.dry_run_file(hub, integration, archive)
    assert [(name, r.state, r.counts.created, r.dry_run) for name, r in tried.child_results] == [
        ("tokyo.csv", "processed", 1, True),
        ("osaka.csv", "processed", 1, True),
    ]
    assert export(hub) == [] and delivery_service.list_deliveries(hub) == []
    result = delivery_service.import_file(hub, integration, archive)
    assert (result.state, result.reason) == (
        "processed", f"2 file(s): tokyo.csv → delivery {result.children[0]}, osaka.csv → delivery {result.children[1]}",
    )  # fmt: skip
    assert [(name, r.state, r.counts.created) for name, r in result.child_results] == [
        ("tokyo.csv", "processed", 1),
        ("osaka.csv", "processed", 1),
    ]
    assert sorted(by_email(hub)) == ["hanako@example.jp", "taro@example.jp"]
    # Undoing a file of the archive takes back what it brought, as for a file sent alone.
    delivery_service.undo_delivery(hub, result.children[1])
    assert sorted(by_email(hub)) == ["taro@example.jp"]


def test_an_encrypted_zip_without_its_password_fails_saying_what_to_set(hub, tmp_path):
    integration = integration_service.add_integration(hub, {"name": "取引先", "kind": "csv"})
    archive = tmp_path / "list.zip"
    archive.write_bytes(zip_bytes({"list.csv": "メール\r\na@example.jp\r\n".encode()}, password=b"secret"))
    result = delivery_service.import_file(hub, integration, archive)
    assert (result.state, result.reason) == (
        "failed", "list.zip is encrypted: set the integration's file_password (the password its sender uses)",
    )  # fmt: skip
    assert export(hub) == []


def test_undoing_a_zip_file_takes_back_what_its_files_brought(hub, tmp_path):
    integration = integration_service.manual_import_integration(hub)
    kept = write_csv(tmp_path / "kept.csv", [["氏名", "メールアドレス"], ["鈴木一郎", "ichiro@example.jp"]])
    delivery_service.import_file(hub, integration, kept)
    archive = tmp_path / "export.zip"
    archive.write_bytes(
        zip_bytes(
            {
                "a.csv": "氏名,メールアドレス\r\n山田太郎,taro@example.jp\r\n".encode("cp932"),
                "b.csv": "氏名,メールアドレス\r\n佐藤花子,hanako@example.jp\r\n".encode("cp932"),
            }
        )
    )
    result = delivery_service.import_file(hub, integration, archive)
    assert sorted(by_email(hub)) == ["hanako@example.jp", "ichiro@example.jp", "taro@example.jp"]
    undone = delivery_service.undo_delivery(hub, result.delivery_id)
    assert undone.state == "undone"
    assert sorted(by_email(hub)) == ["ichiro@example.jp"]
    children = [delivery_service.get_delivery(hub, child) for child in result.children]
    assert {(d.state, d.reason) for d in children} == {
        ("undone", f"undone with delivery {result.delivery_id}, which carried it")
    }
