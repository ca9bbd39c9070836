"""Paged reading for the UI and API, and partial updates of integrations."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from renkei.errors import ConfigurationError, NotFoundError
from renkei.pipeline.browse import (
    count_inquiries,
    decode_cursor,
    encode_cursor,
    integration_summaries,
    page_customers,
    page_deliveries,
    page_inquiries,
    page_row_errors,
)
from renkei.pipeline.deliveries import import_file, undo_delivery
from renkei.pipeline.hub import as_utc
from renkei.pipeline.integrations import add_integration, get_integration, update_integration
from renkei.store.secrets import REDACTED
from tests.conftest import write_csv

HEADER = ["氏名", "フリガナ", "メールアドレス", "電話番号", "会社名"]


def _import(hub, tmp_path: Path, name: str, rows: list[list[str]], integration=None):
    integration = integration or add_integration(hub, {"name": "members", "kind": "csv"})
    return integration, import_file(hub, integration, write_csv(tmp_path / name, [HEADER, *rows]))


def test_customers_page_by_cursor_newest_first_and_search_names_kana_mail_phone(hub, tmp_path):
    rows = [
        [f"山田 {i}郎", "ヤマダ タロウ", f"u{i}@example.jp", f"090-1234-{i:04d}", "株式会社テスト"] for i in range(5)
    ]
    rows.append(["佐藤 花子", "サトウ ハナコ", "Hanako@Example.JP", "03-3333-4444", "連携商事"])
    _import(hub, tmp_path, "a.csv", rows)
    first = page_customers(hub, limit=4)
    second = page_customers(hub, limit=4, cursor=first.next_cursor)
    ids = [c["id"] for c in first.items + second.items]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == 6 and second.next_cursor is None
    assert [c["first_name"] for c in page_customers(hub, query="さとう").items] == ["花子"]
    assert [c["last_name"] for c in page_customers(hub, query="hanako@example").items] == ["佐藤"]
    assert [c["email"] for c in page_customers(hub, query="0312345555").items] == []
    assert [c["email"] for c in page_customers(hub, query="090-1234-0003").items] == ["u3@example.jp"]
    assert len(page_customers(hub, query="ｶﾌﾞｼｷｶﾞｲｼｬ").items) == 0
    assert len(page_customers(hub, query="テスト").items) == 5
    assert [c["first_name"] for c in page_customers(hub, query="佐藤 花子").items] == ["花子"]


def test_a_whole_address_or_phone_number_finds_its_customer_through_the_index(hub, tmp_path):
    rows = [
        ["山田 太郎", "", "Taro@Example.JP", "090-1234-0003", ""],
        ["佐藤 花子", "", "xtaro@example.jp", "03-3333-4444", ""],
        ["鈴木 一郎", "", "ichiro@example.jp", "", ""],
    ]
    _import(hub, tmp_path, "a.csv", rows)

    def found(query: str) -> list[str]:
        return [c["last_name"] for c in page_customers(hub, query=query).items]

    assert found("ＴＡＲＯ＠example.jp") == ["山田"]  # the stored form: width folded, lower case; not xtaro
    assert found("taro@example") == ["佐藤", "山田"]  # part of an address: every customer it is part of
    assert found("０９０－１２３４－０００３") == ["山田"] and found("09012340003") == ["山田"]
    assert found("(03)3333-4444") == ["佐藤"] and found("+81-3-3333-4444") == ["佐藤"]
    assert found("3333-4444") == ["佐藤"]  # part of a number: digits anywhere in it
    assert found("山田 taro@example.jp") == ["山田"] and found("鈴木 taro@example.jp") == []
    assert found("090-1234-0099") == []
    if hub.engine.dialect.name == "sqlite":  # what keeps it instant at a million customers
        from sqlalchemy import select

        from renkei.pipeline.browse import _search
        from renkei.store.schema import customers

        for query, index in (("taro@example.jp", "email"), ("03-3333-4444", "phone"), ("03-3333-4444", "mobile")):
            condition = (customers.c.workspace_id == hub.workspace_id) & _search(query, hub.workspace_id)
            query_sql = select(customers.c.id).where(condition).order_by(customers.c.id.desc()).limit(51)
            sql = query_sql.compile(hub.engine, compile_kwargs={"literal_binds": True})
            with hub.engine.connect() as conn:
                plan = " ".join(str(r[-1]) for r in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}"))
            assert f"INDEX ix_customers_workspace_id_{index} (" in plan, plan


def test_the_customers_a_delivery_created_or_changed(hub, tmp_path):
    members, first = _import(
        hub,
        tmp_path,
        "a.csv",
        [
            ["山田 太郎", "", "t@example.jp", "", ""],
            ["佐藤 花子", "", "h@example.jp", "", ""],
            ["鈴木 一郎", "", "i@example.jp", "", ""],
        ],
    )
    by_name = {c["last_name"]: c["id"] for c in page_customers(hub).items}
    # The second file changes 山田's company, repeats 佐藤 as she is, and creates 高橋; a list of
    # another integration only tags 鈴木.
    _, second = _import(
        hub,
        tmp_path,
        "b.csv",
        [
            ["山田 太郎", "", "t@example.jp", "", "株式会社テスト"],
            ["佐藤 花子", "", "h@example.jp", "", ""],
            ["高橋 次郎", "", "j@example.jp", "", ""],
        ],
        integration=members,
    )
    fair = add_integration(hub, {"name": "展示会", "kind": "csv"})
    third = import_file(
        hub, fair, write_csv(tmp_path / "c.csv", [["メールアドレス", "タグ"], ["i@example.jp", "展示会"]])
    )
    assert (third.counts.updated, third.counts.unchanged) == (1, 0)

    def names(delivery_id: int, **more) -> list[str]:
        return [c["last_name"] for c in page_customers(hub, delivery=delivery_id, **more).items]

    assert names(first.delivery_id) == ["鈴木", "佐藤", "山田"]
    assert names(second.delivery_id) == ["高橋", "山田"]  # 佐藤 came unchanged
    assert names(third.delivery_id) == ["鈴木"]
    assert names(second.delivery_id, query="山田") == ["山田"]
    page = page_customers(hub, delivery=first.delivery_id, limit=2)
    rest = page_customers(hub, delivery=first.delivery_id, limit=2, cursor=page.next_cursor)
    assert [c["id"] for c in page.items + rest.items] == [by_name["鈴木"], by_name["佐藤"], by_name["山田"]]
    # Another workspace's customers are not listed by its delivery's id in this one.
    other = hub.for_workspace("other")
    theirs = import_file(
        other,
        add_integration(other, {"name": "members", "kind": "csv"}),
        write_csv(tmp_path / "d.csv", [HEADER, ["伊藤 四郎", "", "s@example.jp", "", ""]]),
    )
    assert names(theirs.delivery_id) == [] and [c["last_name"] for c in page_customers(other).items] == ["伊藤"]
    undo_delivery(hub, second.delivery_id)  # what it did is taken back: it has touched nobody
    assert names(second.delivery_id) == []


def test_customers_of_one_owner_or_status(hub, tmp_path):
    sato = add_integration(hub, {"name": "展示会", "kind": "csv", "defaults": {"owner": "佐藤", "status": "新規"}})
    suzuki = add_integration(hub, {"name": "資料請求", "kind": "csv", "defaults": {"owner": "鈴木"}})
    _import(hub, tmp_path, "a.csv", [["山田 太郎", "", "t@example.jp", "", ""]], integration=sato)
    _import(hub, tmp_path, "b.csv", [["高橋 花子", "", "h@example.jp", "", ""]], integration=suzuki)

    def names(**filters) -> list[str]:
        return [c["last_name"] for c in page_customers(hub, **filters).items]

    assert names(owner="佐藤") == ["山田"] and names(owner=" 鈴木 ") == ["高橋"]
    assert names(status="新規") == ["山田"] and names(owner="鈴木", status="新規") == []
    assert names(owner="") == ["高橋", "山田"]  # an empty filter is none


def test_a_search_finds_who_asked_about_a_property_or_by_the_inquiry_id(hub, tmp_path):
    header = ["反響ID", "お名前", "メールアドレス", "物件名", "物件コード"]
    rows = [
        ["S-100", "山田 太郎", "t@example.jp", "サンプルハイツ 203", "P-0042"],
        ["S-101", "高橋 花子", "h@example.jp", "パークハウス", "P-0077"],
    ]
    manual = add_integration(hub, {"name": "反響", "kind": "csv"})
    import_file(hub, manual, write_csv(tmp_path / "反響.csv", [header, *rows]))
    other = hub.for_workspace("other")  # another workspace's inquiry about the same property
    theirs = add_integration(other, {"name": "反響", "kind": "csv"})
    import_file(
        other,
        theirs,
        write_csv(tmp_path / "theirs.csv", [header, ["S-9", "伊藤 四郎", "i@example.jp", "サンプルハイツ", "P-0042"]]),
    )

    def names(query: str) -> list[str]:
        return [c["last_name"] for c in page_customers(hub, query=query).items]

    assert names("サンプルハイツ") == ["山田"] and names("P-0077") == ["高橋"] and names("S-100") == ["山田"]
    assert names("ハイツ 山田") == ["山田"] and names("ハイツ 高橋") == []


def test_the_inquiries_of_every_customer_the_last_to_arrive_first(hub, tmp_path):
    header = ["反響日時", "お名前", "メールアドレス", "物件名", "媒体"]
    fair = add_integration(hub, {"name": "反響", "kind": "csv"})
    import_file(
        hub,
        fair,
        write_csv(
            tmp_path / "a.csv",
            [
                header,
                ["2026/11/05 10:00", "山田 太郎", "t@example.jp", "ハイツ", "SUUMO"],
                ["2026/11/01 09:00", "高橋 花子", "h@example.jp", "パーク", "HOME'S"],
            ],
        ),
    )
    web = add_integration(hub, {"name": "資料請求", "kind": "csv"})
    import_file(hub, web, write_csv(tmp_path / "b.csv", [header, ["", "山田 太郎", "t@example.jp", "タワー", ""]]))
    other = hub.for_workspace("other")
    import_file(
        other,
        add_integration(other, {"name": "反響", "kind": "csv"}),
        write_csv(tmp_path / "c.csv", [header, ["2026/11/06 10:00", "伊藤 四郎", "i@example.jp", "ハイツ", "SUUMO"]]),
    )

    def seen(**filters) -> list[tuple[str, str]]:
        return [(i["property_name"], i["last_name"]) for i in page_inquiries(hub, **filters).items]

    assert seen() == [("タワー", "山田"), ("パーク", "高橋"), ("ハイツ", "山田")]  # as they came, not by their times
    assert seen(source="SUUMO") == [("ハイツ", "山田")] and seen(integration_id=web.id) == [("タワー", "山田")]
    first = page_inquiries(hub, limit=2)
    rest = page_inquiries(hub, limit=2, cursor=first.next_cursor)
    assert [i["property_name"] for i in first.items + rest.items] == ["タワー", "パーク", "ハイツ"]
    [tower] = page_inquiries(hub, integration_id=web.id).items
    assert (tower["integration"], tower["source"], tower["received_at"]) == ("資料請求", "b.csv", None)


def test_inquiries_of_the_last_days_counted_by_source(hub, tmp_path):
    header = ["反響日時", "お名前", "メールアドレス", "物件名", "媒体"]
    rows = [
        ["2026/11/05 10:00", "山田 太郎", "t@example.jp", "ハイツ", "SUUMO"],
        ["2026/11/06 10:00", "山田 太郎", "t@example.jp", "パーク", "SUUMO"],  # the same customer again
        ["2026/11/07 10:00", "高橋 花子", "h@example.jp", "タワー", "SUUMO"],
        ["2026/11/08 10:00", "鈴木 一郎", "i@example.jp", "ハイツ", "HOME'S"],
        ["2026/09/01 10:00", "伊藤 四郎", "s@example.jp", "ハイツ", "athome"],  # before the 30 days
    ]
    import_file(
        hub, add_integration(hub, {"name": "反響", "kind": "csv"}), write_csv(tmp_path / "a.csv", [header, *rows])
    )
    other = hub.for_workspace("other")
    import_file(
        other, add_integration(other, {"name": "反響", "kind": "csv"}), write_csv(tmp_path / "b.csv", [header, rows[3]])
    )
    now = datetime(2026, 11, 10, tzinfo=UTC)
    counted = [(c.source, c.inquiries, c.customers) for c in count_inquiries(hub, days=30, now=now)]
    assert counted == [("SUUMO", 3, 2), ("HOME'S", 1, 1)]
    [suumo, _] = count_inquiries(hub, days=30, now=now)
    assert as_utc(suumo.last_at) == datetime(2026, 11, 7, 1, 0, tzinfo=UTC)  # 10:00 in Japan
    assert [c.source for c in count_inquiries(hub, days=90, now=now)] == ["SUUMO", "HOME'S", "athome"]
    with pytest.raises(ConfigurationError):
        count_inquiries(hub, days=0)


def test_a_cursor_not_made_here_is_refused(hub):
    assert decode_cursor(encode_cursor(42)) == 42
    for bad in ("xyz", "e30", encode_cursor(1)[:-3] + "!!"):
        with pytest.raises(ConfigurationError):
            page_customers(hub, cursor=bad)
    with pytest.raises(ConfigurationError):
        page_customers(hub, limit=0)


def test_deliveries_and_row_errors_pages(hub, tmp_path):
    integration, _ = _import(hub, tmp_path, "a.csv", [["山田太郎", "", "bad-mail", "", ""], ["", "", "x@", "", ""]])
    _import(hub, tmp_path, "b.csv", [["佐藤花子", "", "h@example.jp", "", ""]], integration)
    page = page_deliveries(hub, integration_id=integration.id)
    assert [d.file_name for d in page.items] == ["b.csv", "a.csv"]
    errors = page_row_errors(hub, page.items[1].id, limit=1)
    more = page_row_errors(hub, page.items[1].id, cursor=errors.next_cursor)
    assert len(errors.items) == 1 and errors.items[0]["value"] == "bad-mail"
    assert [e["value"] for e in more.items] == ["x@"]
    other = hub.for_workspace("other")
    with pytest.raises(NotFoundError):
        page_row_errors(other, page.items[1].id)
    assert page_deliveries(other).items == []


def test_summaries_count_deliveries_and_show_the_last(hub, tmp_path):
    integration, _ = _import(hub, tmp_path, "a.csv", [["山田太郎", "", "bad-mail", "", ""]])
    _import(hub, tmp_path, "b.csv", [["佐藤花子", "", "h@example.jp", "", ""]], integration)
    add_integration(hub, {"name": "suumo", "kind": "suumo"})
    by_name = {s.integration.name: s for s in integration_summaries(hub)}
    members = by_name["members"]
    assert (members.deliveries, members.customers_created, members.failed_recent) == (2, 1, 1)
    assert members.last_delivery_state == "processed" and not members.waiting
    assert by_name["suumo"].waiting and by_name["suumo"].deliveries == 0


def test_update_keeps_secrets_not_named_and_ignores_masks(hub):
    integration = add_integration(hub, {"name": "suumo", "kind": "suumo", "settings": {"allowed_senders": []}})
    secret = integration.settings.inbox_secret.get_secret_value()
    shown = integration.shown_settings()
    assert shown["inbox_secret"] == REDACTED
    updated = update_integration(
        hub, integration.id, {"settings": {**shown, "allowed_senders": ["@jds.suumo.jp"]}, "name": "SUUMO 本店"}
    )
    assert updated.name == "SUUMO 本店" and updated.settings.allowed_senders == ["@jds.suumo.jp"]
    assert updated.settings.inbox_secret.get_secret_value() == secret
    assert get_integration(hub, integration.id).settings.inbox_secret.get_secret_value() == secret
    with pytest.raises(ConfigurationError, match="kind"):
        update_integration(hub, integration.id, {"kind": "homes"})
    with pytest.raises(ConfigurationError, match="allowed_senders"):
        update_integration(hub, integration.id, {"settings": {"allowed_senders": "nope"}})
    add_integration(hub, {"name": "other", "kind": "csv"})
    with pytest.raises(ConfigurationError, match="already exists"):
        update_integration(hub, integration.id, {"name": "other"})
    with pytest.raises(NotFoundError):
        update_integration(hub.for_workspace("elsewhere"), integration.id, {"name": "stolen"})
    assert get_integration(hub, integration.id).name == "SUUMO 本店"


def test_update_replaces_mapping_and_defaults_whole(hub):
    integration = add_integration(hub, {"name": "members", "kind": "csv", "defaults": {"owner": "田中", "tags": ["a"]}})
    mapping = {"rules": [{"source": "会員番号", "target": "custom:member_no", "permission": "RW"}]}
    updated = update_integration(hub, integration.id, {"mapping": mapping, "defaults": {"status": "新規"}})
    assert updated.spec.mapping.rules[0].target == "custom:member_no"
    assert updated.spec.defaults.owner is None and updated.spec.defaults.status == "新規"
