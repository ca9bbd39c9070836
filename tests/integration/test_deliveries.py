"""Same-name replace, undo, replay and dry runs, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from renkei.errors import FatalError
from renkei.pipeline import apply as apply_rules
from renkei.pipeline import customers as customer_service
from renkei.pipeline import deliveries as delivery_service
from renkei.pipeline import integrations as integration_service
from renkei.pipeline import undo as undo_service
from renkei.pipeline.browse import page_customers
from renkei.pipeline.hub import utcnow
from renkei.store import customers as customer_store
from tests.conftest import write_csv
from tests.helpers import export
from tests.integration.test_import import by_email

HEADER = ["氏名", "メールアドレス", "役職", "タグ"]


def csv_file(tmp_path, name, rows):
    folder = tmp_path / f"d{len(list(tmp_path.iterdir()))}"
    folder.mkdir()
    return write_csv(folder / name, [HEADER, *rows])


def test_same_name_replaces_what_the_earlier_file_brought(hub, tmp_path):
    manual = integration_service.manual_import_integration(hub)
    other = delivery_service.import_file(
        hub, manual, csv_file(tmp_path, "other.csv", [["既存", "keep@example.jp", "部長", ""]])
    )
    first = delivery_service.import_file(
        hub,
        manual,
        csv_file(
            tmp_path,
            "members.csv",
            [["山田", "keep@example.jp", "社長", "VIP"], ["鈴木", "gone@example.jp", "", ""]],
        ),
    )
    assert by_email(hub)["keep@example.jp"]["title"] == "社長"
    second = delivery_service.import_file(
        hub, manual, csv_file(tmp_path, "members.csv", [["佐藤", "new@example.jp", "", ""]])
    )
    assert second.replaced == first.delivery_id
    people = by_email(hub)
    # Customers only the earlier file created are gone; values go back; its tags are removed.
    assert set(people) == {"keep@example.jp", "new@example.jp"}
    assert people["keep@example.jp"]["title"] == "部長"
    assert people["keep@example.jp"]["tags"] == []
    assert delivery_service.get_delivery(hub, first.delivery_id).state == "replaced"
    assert delivery_service.get_delivery(hub, other.delivery_id).state == "processed"


def test_undo_then_undo_of_a_later_delivery_lands_on_the_original(hub, tmp_path):
    manual = integration_service.manual_import_integration(hub)
    delivery_service.import_file(hub, manual, csv_file(tmp_path, "a.csv", [["山田", "y@example.jp", "主任", ""]]))
    b = delivery_service.import_file(hub, manual, csv_file(tmp_path, "b.csv", [["山田", "y@example.jp", "課長", ""]]))
    c = delivery_service.import_file(hub, manual, csv_file(tmp_path, "c.csv", [["山田", "y@example.jp", "部長", ""]]))
    delivery_service.undo_delivery(hub, b.delivery_id)
    assert by_email(hub)["y@example.jp"]["title"] == "部長"
    delivery_service.undo_delivery(hub, c.delivery_id)
    assert by_email(hub)["y@example.jp"]["title"] == "主任"


def test_undo_keeps_a_created_customer_that_others_changed(hub, tmp_path):
    manual = integration_service.manual_import_integration(hub)
    a = delivery_service.import_file(hub, manual, csv_file(tmp_path, "a.csv", [["山田", "y@example.jp", "主任", ""]]))
    delivery_service.import_file(hub, manual, csv_file(tmp_path, "b.csv", [["", "y@example.jp", "", "紹介"]]))
    delivery_service.undo_delivery(hub, a.delivery_id)
    (only,) = export(hub)
    assert (only["email"], only["title"], only["last_name"], only["tags"]) == (None, None, None, ["紹介"])


def test_a_customer_an_undo_leaves_holding_nothing_is_removed(hub, tmp_path):
    manual = integration_service.manual_import_integration(hub)
    a = delivery_service.import_file(hub, manual, csv_file(tmp_path, "a.csv", [["山田", "y@example.jp", "主任", ""]]))
    b = delivery_service.import_file(hub, manual, csv_file(tmp_path, "b.csv", [["", "y@example.jp", "", "紹介"]]))
    delivery_service.undo_delivery(hub, a.delivery_id)
    assert len(export(hub)) == 1  # kept for b's tag
    delivery_service.undo_delivery(hub, b.delivery_id)
    assert export(hub) == []  # neither a's values nor b's tag: nobody


def test_undo_removes_customers_only_it_created_and_cannot_run_twice(hub, tmp_path):
    manual = integration_service.manual_import_integration(hub)
    a = delivery_service.import_file(hub, manual, csv_file(tmp_path, "a.csv", [["山田", "y@example.jp", "", "x"]]))
    assert delivery_service.undo_delivery(hub, a.delivery_id).state == "undone"
    assert export(hub) == []
    with pytest.raises(FatalError):
        delivery_service.undo_delivery(hub, a.delivery_id)


def test_replay_dry_run_shows_the_diff_and_writes_nothing(hub, tmp_path):
    integration_service.apply_file(hub, {"integrations": [{"name": "x", "kind": "csv"}]})
    x = integration_service.integration_by_name(hub, "x")
    done = delivery_service.import_file(hub, x, csv_file(tmp_path, "a.csv", [["山田", "y@example.jp", "主任", ""]]))
    integration_service.apply_file(
        hub,
        {
            "integrations": [
                {
                    "name": "x",
                    "kind": "csv",
                    "mapping": {"rules": [{"source": "役職", "target": "department"}]},
                }
            ]
        },
    )
    preview = delivery_service.replay_delivery(hub, done.delivery_id, dry_run=True)
    assert preview.dry_run
    (diff,) = preview.diffs
    assert ("department", None, "主任") in diff.fields and ("title", "主任", None) in diff.fields
    assert by_email(hub)["y@example.jp"]["title"] == "主任"
    delivery_service.replay_delivery(hub, done.delivery_id)
    person = by_email(hub)["y@example.jp"]
    assert (person["title"], person["department"]) == (None, "主任")


def test_import_dry_run_reports_each_row_and_writes_nothing(hub, tmp_path):
    manual = integration_service.manual_import_integration(hub)
    delivery_service.import_file(hub, manual, csv_file(tmp_path, "a.csv", [["山田", "y@example.jp", "主任", ""]]))
    path = csv_file(
        tmp_path,
        "b.csv",
        [["山田", "y@example.jp", "課長", ""], ["鈴木", "s@example.jp", "", ""], ["x", "bad", "", ""]],
    )
    result = delivery_service.dry_run_file(hub, manual, path)
    actions = [(r.line, r.action) for r in result.rows]
    assert actions == [(2, "updated"), (3, "created"), (4, "error")]
    assert [(c.field, c.old, c.new) for c in result.rows[0].changes] == [("title", "主任", "課長")]
    assert by_email(hub)["y@example.jp"]["title"] == "主任"
    assert len(delivery_service.list_deliveries(hub)) == 1


@pytest.fixture
def three_rows_listed(monkeypatch):
    """Dry runs list their first 3 rows (1,000 in use): a small file shows what a large one does."""
    monkeypatch.setattr(apply_rules, "REPORTED_ROWS", 3)
    monkeypatch.setattr(delivery_service, "REPORTED_ROWS", 3)


def test_a_dry_run_lists_its_first_rows_and_counts_them_all(hub, tmp_path, three_rows_listed):
    manual = integration_service.manual_import_integration(hub)
    rows = [[f"山田{n}", f"m{n}@example.jp", "", ""] for n in range(6)]
    rows.insert(1, ["x", "bad", "", ""])
    result = delivery_service.dry_run_file(hub, manual, csv_file(tmp_path, "big.csv", rows))
    # The file's first rows, in file order, an error among them; the counts cover all seven.
    assert [(r.line, r.action) for r in result.rows] == [(2, "created"), (3, "error"), (4, "created")]
    assert (result.counts.created, result.counts.errors, result.unlisted_rows) == (6, 1, 4)
    assert export(hub) == []


def test_a_replay_dry_run_compares_the_customers_of_the_rows_it_lists(hub, tmp_path, three_rows_listed):
    integration_service.apply_file(hub, {"integrations": [{"name": "x", "kind": "csv"}]})
    x = integration_service.integration_by_name(hub, "x")
    rows = [[f"山田{n}", f"m{n}@example.jp", "主任", ""] for n in range(6)]
    done = delivery_service.import_file(hub, x, csv_file(tmp_path, "a.csv", rows))
    renamed = {"mapping": {"rules": [{"source": "役職", "target": "department"}]}}
    integration_service.apply_file(hub, {"integrations": [{"name": "x", "kind": "csv", **renamed}]})
    preview = delivery_service.replay_delivery(hub, done.delivery_id, dry_run=True)
    assert (preview.counts.created, preview.unlisted_rows) == (6, 3)
    listed = {r.customer_id for r in preview.rows}
    assert len(listed) == 3 and {d.customer_id for d in preview.diffs} == listed
    assert all(("title", "主任", None) in d.fields for d in preview.diffs)
    assert {c["title"] for c in export(hub)} == {"主任"}


def test_every_value_is_explained(hub, tmp_path):
    manual = integration_service.manual_import_integration(hub)
    a = delivery_service.import_file(hub, manual, csv_file(tmp_path, "a.csv", [["山田", "y@example.jp", "主任", ""]]))
    b = delivery_service.import_file(hub, manual, csv_file(tmp_path, "b.csv", [["山田", "y@example.jp", "課長", ""]]))
    (only,) = export(hub)
    shown = customer_service.show_customer(hub, only["id"])
    assert shown["fields"]["title"]["source"]["delivery_id"] == b.delivery_id
    assert shown["fields"]["title"]["source"]["integration"] == "manual-import"
    assert shown["fields"]["email"]["source"]["delivery_id"] == a.delivery_id
    (change,) = shown["history"]
    assert (change["field"], change["old"], change["new"]) == ("title", "主任", "課長")
    assert change["old_source"]["delivery_id"] == a.delivery_id


def test_an_export_holds_only_its_workspaces_tags_and_inquiries_when_their_ids_interleave(hub, tmp_path):
    # Customers of two workspaces made in turn have interleaved ids: each export reads its pages'
    # labels and inquiries by their range of ids, and passes over the other workspace's.
    spec = {
        "name": "members",
        "kind": "csv",
        "mapping": {"rules": [{"source": "物件", "target": "inquiry.property_name", "permission": "R"}]},
    }
    other = hub.for_workspace("other")
    ours, theirs = (integration_service.add_integration(h, spec) for h in (hub, other))
    header = ["氏名", "メールアドレス", "タグ", "物件"]
    for n, (h, integration) in enumerate([(hub, ours), (other, theirs), (hub, ours), (other, theirs)]):
        row = [f"山田{n}", f"y{n}@example.jp", f"タグ{n}", f"物件{n}"]
        delivery_service.import_file(h, integration, write_csv(tmp_path / f"{n}.csv", [header, row]))
    mine, others = export(hub), export(other)
    assert mine[0]["id"] < others[0]["id"] < mine[1]["id"] < others[1]["id"]
    assert [(c["tags"], [i["property_name"] for i in c["inquiries"]]) for c in mine] == [
        (["タグ0"], ["物件0"]),
        (["タグ2"], ["物件2"]),
    ]
    assert [(c["tags"], [i["property_name"] for i in c["inquiries"]]) for c in others] == [
        (["タグ1"], ["物件1"]),
        (["タグ3"], ["物件3"]),
    ]


def test_an_inquiry_time_from_a_column_is_kept_and_a_bad_one_is_a_row_error(hub, tmp_path):
    rules = [
        {"source": "反響日時", "target": "inquiry.received_at", "permission": "R"},
        {"source": "物件", "target": "inquiry.property_name", "permission": "R"},
    ]
    integration = integration_service.add_integration(hub, {"name": "反響", "kind": "csv", "mapping": {"rules": rules}})
    rows = [
        ["氏名", "メールアドレス", "反響日時", "物件"],
        ["山田太郎", "y@example.jp", "令和6年5月6日 10時30分", "サンプルハイツ"],
        ["鈴木花子", "s@example.jp", "2024/5/6 23:10", "パーク"],
        ["佐藤一郎", "k@example.jp", "先週", "ハウス"],
    ]
    done = delivery_service.import_file(hub, integration, write_csv(tmp_path / "inq.csv", rows))
    assert (done.counts.created, done.counts.errors) == (2, 1)
    [error] = delivery_service.delivery_errors(hub, done.delivery_id)
    assert (error["line"], error["column_name"], error["value"]) == (4, "反響日時", "先週")
    times = [[i["received_at"] for i in c["inquiries"]] for c in export(hub)]
    assert times == [["2024-05-06T10:30:00+09:00"], ["2024-05-06T23:10:00+09:00"]]


def test_an_inquiry_already_brought_is_not_added_again_by_a_later_cumulative_list(hub, tmp_path):
    rules = [
        {"source": "反響日時", "target": "inquiry.received_at", "permission": "R"},
        {"source": "物件", "target": "inquiry.property_name", "permission": "R"},
        {"source": "内容", "target": "inquiry.message", "permission": "R"},
        {"source": "反響ID", "target": "inquiry.external_id", "permission": "R"},
    ]
    integration = integration_service.add_integration(hub, {"name": "反響", "kind": "csv", "mapping": {"rules": rules}})
    header = ["氏名", "メールアドレス", "反響日時", "物件", "内容", "反響ID"]
    monday = [
        header,
        ["山田太郎", "y@example.jp", "2024/5/6 10:00", "サンプルハイツ", "見学希望", ""],
        ["山田太郎", "y@example.jp", "2024/5/6 10:00", "サンプルハイツ", "見学希望", ""],  # the same row twice
        ["鈴木花子", "s@example.jp", "2024/5/6 11:00", "パーク", "資料請求", "R-1"],
        # Neither a time nor an id: the same request on another day would look the same, so it is kept.
        ["佐藤一郎", "k@example.jp", "", "ハウス", "資料請求", ""],
    ]
    first = delivery_service.import_file(hub, integration, write_csv(tmp_path / "反響_0506.csv", monday))
    assert (first.counts.created, first.counts.updated, first.counts.unchanged) == (3, 0, 1)
    tuesday = [
        *monday,
        ["山田太郎", "y@example.jp", "2024/5/7 09:00", "サンプルハイツ", "もう一度見学", ""],
        ["鈴木花子", "s@example.jp", "2024/5/6 11:05", "パーク", "資料請求（再送）", "R-1"],  # same id
    ]
    second = delivery_service.import_file(hub, integration, write_csv(tmp_path / "反響_0507.csv", tuesday))
    assert (second.counts.created, second.counts.updated, second.counts.unchanged) == (0, 2, 4)
    inquiries = {c["last_name"]: [i["message"] for i in c["inquiries"]] for c in export(hub)}
    assert inquiries == {"山田": ["見学希望", "もう一度見学"], "鈴木": ["資料請求"], "佐藤": ["資料請求", "資料請求"]}

    # Undoing Monday takes back what it did, Tuesday's repeats of it included (they changed
    # nothing): 山田 stays for Tuesday's new inquiry, without Monday's name and e-mail.
    delivery_service.undo_delivery(hub, first.delivery_id)
    assert [(c["email"], [i["message"] for i in c["inquiries"]]) for c in export(hub)] == [
        (None, ["もう一度見学"]),
        (None, ["資料請求"]),
    ]
    # Replaying Tuesday has the store say what Tuesday's list holds, and leaves no empty customer.
    delivery_service.replay_delivery(hub, second.delivery_id)
    inquiries = {c["email"]: sorted(i["message"] for i in c["inquiries"]) for c in export(hub)}
    assert inquiries == {
        "y@example.jp": ["もう一度見学", "見学希望"],
        "s@example.jp": ["資料請求"],
        "k@example.jp": ["資料請求"],
    }


def test_an_inquiry_lists_detail_columns_are_the_inquirys_not_the_customers(hub, tmp_path):
    rows = [
        ["反響日時", "お名前", "メールアドレス", "物件名", "物件種別", "最寄り駅", "ご希望の連絡方法"],
        ["2026/11/03 10:00", "山田 太郎", "t@example.jp", "サンプルハイツ", "賃貸マンション", "目黒駅 徒歩7分", "電話"],
        ["2026/11/05 18:30", "山田 太郎", "t@example.jp", "パークハウス", "分譲マンション", "恵比寿駅 徒歩5分", ""],
    ]
    manual = integration_service.manual_import_integration(hub)
    delivery_service.import_file(hub, manual, write_csv(tmp_path / "反響一覧.csv", rows))
    [customer] = export(hub)
    assert customer["custom"] == {}  # two properties' details would have overwritten each other there
    assert [i["extra"] for i in customer["inquiries"]] == [
        {"物件種別": "賃貸マンション", "最寄り駅": "目黒駅 徒歩7分", "ご希望の連絡方法": "電話"},
        {"物件種別": "分譲マンション", "最寄り駅": "恵比寿駅 徒歩5分"},
    ]


def test_a_customer_who_only_asks_again_is_updated(hub, tmp_path):
    header = ["反響日時", "お名前", "メールアドレス", "物件名"]
    manual = integration_service.manual_import_integration(hub)
    first = [header, ["2026/11/03 10:00", "山田 太郎", "t@example.jp", "ハイツ"]]
    delivery_service.import_file(hub, manual, write_csv(tmp_path / "a.csv", first))
    [before] = page_customers(hub).items
    again = [header, ["2026/11/05 10:00", "山田 太郎", "t@example.jp", "パーク"]]  # nothing new but the inquiry
    done = delivery_service.import_file(hub, manual, write_csv(tmp_path / "b.csv", again))
    [after] = page_customers(hub).items
    assert done.counts.updated == 1 and after["updated_at"] > before["updated_at"]


def test_inquiries_without_a_time_come_after_those_with_one_on_either_database(hub, tmp_path):
    manual = integration_service.manual_import_integration(hub)
    untimed = [["お名前", "メールアドレス", "物件名"], ["山田 太郎", "t@example.jp", "パーク"]]
    delivery_service.import_file(hub, manual, write_csv(tmp_path / "a.csv", untimed))
    timed = [
        ["反響日時", "お名前", "メールアドレス", "物件名"],
        ["2026/11/03 10:00", "山田 太郎", "t@example.jp", "ハイツ"],
    ]
    delivery_service.import_file(hub, manual, write_csv(tmp_path / "b.csv", timed))
    [customer] = export(hub)
    assert [i["property_name"] for i in customer["inquiries"]] == ["ハイツ", "パーク"]
    shown = customer_service.show_customer(hub, customer["id"])
    assert [i["property_name"] for i in shown["inquiries"]] == ["ハイツ", "パーク"]


def test_a_form_export_sent_again_with_more_answers_adds_only_the_new_inquiries(hub, tmp_path):
    # A Google Forms export has no inquiry time column: its タイムスタンプ (when the form was sent)
    # is each inquiry's time, so the same answers in the next day's export are known again.
    header = ["タイムスタンプ", "メールアドレス", "お名前", "お問い合わせ内容"]
    monday = [
        header,
        ["2026/11/03 14:22:05", "taro@example.jp", "山田 太郎", "資料がほしいです"],
        ["2026/11/04 9:01:44", "hanako@example.jp", "佐藤 花子", "見学希望\n土日"],
    ]
    manual = integration_service.manual_import_integration(hub)
    delivery_service.import_file(hub, manual, write_csv(tmp_path / "フォームの回答_1104.csv", monday))
    tuesday = [*monday, ["2026/11/05 10:00:00", "taro@example.jp", "山田 太郎", "資料がほしいです"]]
    done = delivery_service.import_file(hub, manual, write_csv(tmp_path / "フォームの回答_1105.csv", tuesday))
    assert (done.counts.created, done.counts.updated, done.counts.unchanged) == (0, 1, 2)
    inquiries = {c["last_name"]: [(i["received_at"], i["message"]) for i in c["inquiries"]] for c in export(hub)}
    assert inquiries == {
        "山田": [("2026-11-03T14:22:05+09:00", "資料がほしいです"), ("2026-11-05T10:00:00+09:00", "資料がほしいです")],
        "佐藤": [("2026-11-04T09:01:44+09:00", "見学希望\n土日")],
    }


def test_a_list_of_inquiries_is_auto_mapped_into_customers_with_their_inquiries(hub, tmp_path):
    rows = [
        ["反響ID", "反響日時", "お名前", "メールアドレス", "物件名", "賃料", "間取り", "お問い合わせ内容"],
        [
            "S-100",
            "2024/05/06 10:12",
            "山田 太郎",
            "taro@example.jp",
            "サンプルハイツ 203",
            "8.5万円",
            "1LDK",
            "見学希望",
        ],
    ]
    manual = integration_service.manual_import_integration(hub)
    done = delivery_service.import_file(hub, manual, write_csv(tmp_path / "反響一覧.csv", rows))
    assert done.counts.created == 1 and done.counts.errors == 0
    [customer] = export(hub)
    assert (customer["custom"], customer["acquired_at"]) == ({}, "2024-05-06")  # the day the inquiry came
    [inquiry] = customer["inquiries"]
    assert (inquiry["external_id"], inquiry["received_at"]) == ("S-100", "2024-05-06T10:12:00+09:00")
    assert (inquiry["property_name"], inquiry["price"], inquiry["layout"], inquiry["message"]) == (
        "サンプルハイツ 203",
        "8.5万円",
        "1LDK",
        "見学希望",
    )
    assert inquiry["source"] == "反響一覧.csv"  # without a column saying where it came from: the file


def test_an_inquiry_list_names_where_each_inquiry_came_from_by_its_own_column(hub, tmp_path):
    rows = [
        ["反響日時", "お名前", "メールアドレス", "物件名", "媒体"],
        ["2024/05/06 10:12", "山田 太郎", "taro@example.jp", "サンプルハイツ", "SUUMO"],
        ["2024/05/07 09:00", "山田 太郎", "taro@example.jp", "パーク", "LIFULL HOME'S"],
    ]
    manual = integration_service.manual_import_integration(hub)
    delivery_service.import_file(hub, manual, write_csv(tmp_path / "反響一覧.csv", rows))
    [customer] = export(hub)
    assert [(i["property_name"], i["source"]) for i in customer["inquiries"]] == [
        ("サンプルハイツ", "SUUMO"),
        ("パーク", "LIFULL HOME'S"),
    ]


def test_workspaces_do_not_see_each_other(hub, tmp_path):
    manual = integration_service.manual_import_integration(hub)
    done = delivery_service.import_file(hub, manual, csv_file(tmp_path, "a.csv", [["山田", "y@example.jp", "", ""]]))
    other = hub.for_workspace("other")
    assert export(other) == []
    assert integration_service.list_integrations(other) == []
    from renkei.errors import NotFoundError

    with pytest.raises(NotFoundError):
        delivery_service.get_delivery(other, done.delivery_id)
    with pytest.raises(NotFoundError):
        customer_service.show_customer(other, export(hub)[0]["id"])
    # The same person in another workspace is another customer.
    theirs = integration_service.manual_import_integration(other)
    delivery_service.import_file(other, theirs, csv_file(tmp_path, "a.csv", [["山田", "y@example.jp", "", ""]]))
    assert len(export(other)) == 1 and len(export(hub)) == 1


def test_stopped_integration_keeps_but_does_not_process(hub, tmp_path):
    manual = integration_service.manual_import_integration(hub)
    integration_service.set_status(hub, manual.name, "stopped")
    stopped = integration_service.integration_by_name(hub, manual.name)
    result = delivery_service.import_file(hub, stopped, csv_file(tmp_path, "a.csv", [["山田", "y@example.jp", "", ""]]))
    assert result.state == "ignored"
    assert export(hub) == []
    assert hub.archive.path_for(delivery_service.get_delivery(hub, result.delivery_id).sha256).exists()


def test_replay_keeps_customer_ids_and_new_people_get_new_ones(hub, tmp_path):
    integration_service.apply_file(hub, {"integrations": [{"name": "x", "kind": "csv"}]})
    x = integration_service.integration_by_name(hub, "x")
    done = delivery_service.import_file(
        hub, x, csv_file(tmp_path, "a.csv", [["山田", "y@example.jp", "主任", ""], ["鈴木", "s@example.jp", "", ""]])
    )
    before = {c["email"]: c["id"] for c in export(hub)}
    # A mapping change that makes the second row a new person (title becomes its e-mail's owner).
    integration_service.apply_file(
        hub,
        {"integrations": [{"name": "x", "kind": "csv", "mapping": {"rules": [{"source": "役職", "target": "memo"}]}}]},
    )
    delivery_service.replay_delivery(hub, done.delivery_id)
    after = {c["email"]: c["id"] for c in export(hub)}
    assert after == before
    assert len(set(after.values())) == 2


def test_id_allocation_never_hands_out_an_id_a_replay_gives_back(hub, tmp_path):
    from renkei.store.customers import IdAllocator

    manual = integration_service.manual_import_integration(hub)
    delivery_service.import_file(
        hub, manual, csv_file(tmp_path, "a.csv", [["山田", "y@example.jp", "", ""], ["鈴木", "s@example.jp", "", ""]])
    )
    ids = sorted(c["id"] for c in export(hub))
    with hub.engine.connect() as conn, conn.begin():
        allocator = IdAllocator(conn, floor=ids[-1] + 5)
        assert allocator.next() > ids[-1] + 5
        conn.rollback()


def test_a_replay_never_gives_one_freed_id_to_two_customers(hub, tmp_path):
    # The first batch (5,000 rows) ends with customer A as (e1b, m2): its rows changed its mobile
    # and then its e-mail. The second batch's row creates B (e2, m1), with A's first mobile.
    # Undoing frees A's id under e1b and m2 and B's under e2 and m1. Replayed, the first row
    # (e1, m1) takes B's id through m1 and becomes A again; B's row, in the next batch, finds
    # nobody by m1 any more and asked for its id through e2: that id was taken.
    header = ["氏名", "メールアドレス", "携帯電話"]
    rows = [
        ["山田一郎", "e1@example.jp", "090-1111-0001"],
        ["山田一郎", "e1@example.jp", "090-1111-0002"],
        ["山田一郎", "e1b@example.jp", "090-1111-0002"],
        *([f"会員{n}", f"filler{n}@example.jp", ""] for n in range(4997)),
        ["佐藤花子", "e2@example.jp", "090-1111-0001"],
    ]
    manual = integration_service.manual_import_integration(hub)
    path = write_csv(tmp_path / "big.csv", [header, *rows])
    done = delivery_service.import_file(hub, manual, path)
    assert (done.counts.created, done.counts.updated) == (4999, 2)
    before = {c["email"]: (c["mobile"], c["id"]) for c in export(hub)}
    assert before["e2@example.jp"][0] == before["e1b@example.jp"][0][:-1] + "1"

    dry = delivery_service.replay_delivery(hub, done.delivery_id, dry_run=True)
    assert (dry.counts.created, dry.counts.updated) == (4999, 2)
    again = delivery_service.replay_delivery(hub, done.delivery_id)
    assert (again.counts.created, again.counts.updated) == (4999, 2)
    after = {c["email"]: (c["mobile"], c["id"]) for c in export(hub)}
    assert {e: m for e, (m, _) in after.items()} == {e: m for e, (m, _) in before.items()}
    assert len({cid for _, cid in after.values()}) == 4999


def test_undo_puts_changed_values_back_a_part_at_a_time(hub, tmp_path, monkeypatch):
    # Parts of 2 customers: each part's values go back, a value the file changed twice goes back
    # to the first "before", and one a later file replaced stays, its history spliced.
    monkeypatch.setattr(undo_service, "UNDO_PART", 2)
    manual = integration_service.manual_import_integration(hub)
    people = [f"y{n}@example.jp" for n in range(5)]
    delivery_service.import_file(
        hub, manual, csv_file(tmp_path, "a.csv", [[f"山田{n}", e, "主任", ""] for n, e in enumerate(people)])
    )
    changes = [["", e, "課長", ""] for e in people] + [["", "y2@example.jp", "部長", ""]]
    b = delivery_service.import_file(hub, manual, csv_file(tmp_path, "b.csv", changes))
    c = delivery_service.import_file(hub, manual, csv_file(tmp_path, "c.csv", [["", "y3@example.jp", "社長", ""]]))
    assert [by_email(hub)[e]["title"] for e in people] == ["課長", "課長", "部長", "社長", "課長"]
    with hub.engine.connect() as conn, conn.begin():
        counts = undo_service.undo_delivery_in(conn, hub.workspace_id, b.delivery_id, utcnow())
        conn.rollback()
    assert (counts.removed, counts.reverted) == (0, 5)
    delivery_service.undo_delivery(hub, b.delivery_id)
    assert [by_email(hub)[e]["title"] for e in people] == ["主任", "主任", "主任", "社長", "主任"]
    delivery_service.undo_delivery(hub, c.delivery_id)
    assert [by_email(hub)[e]["title"] for e in people] == ["主任"] * 5


def test_undo_takes_a_large_delivery_back_a_part_at_a_time(hub, tmp_path, monkeypatch):
    # Parts of 2 customers: kept and removed customers fall in different parts, the freed keys of
    # every part are known to the replay, and the counts add up across parts. Each part's reads
    # and deletes are a statement per customer.
    monkeypatch.setattr(undo_service, "UNDO_PART", 2)
    monkeypatch.setattr(customer_store, "LOOKUP_CHUNK", 1)
    manual = integration_service.manual_import_integration(hub)
    rows = [[f"山田{n}", f"y{n}@example.jp", "主任", ""] for n in range(5)]
    a = delivery_service.import_file(hub, manual, csv_file(tmp_path, "a.csv", rows))
    # A later file tags two of them: those stay, without what the first file gave them.
    later = [["", "y1@example.jp", "", "紹介"], ["", "y4@example.jp", "", "紹介"]]
    delivery_service.import_file(hub, manual, csv_file(tmp_path, "b.csv", later))
    ids = {c["email"]: c["id"] for c in export(hub)}
    # Replayed: the three removed customers come back with their ids (their keys were freed in
    # different parts); the two kept ones lost what the file gave them, e-mail included.
    replayed = delivery_service.replay_delivery(hub, a.delivery_id)
    assert replayed.counts.created == 5
    now = {c["email"]: c["id"] for c in export(hub) if c["email"]}
    assert all(now[e] == ids[e] for e in ("y0@example.jp", "y2@example.jp", "y3@example.jp"))
    assert now["y1@example.jp"] != ids["y1@example.jp"] and len(export(hub)) == 7
    undone = delivery_service.undo_delivery(hub, a.delivery_id)
    assert undone.state == "undone"
    left = export(hub)
    assert [(c["email"], c["title"], c["tags"]) for c in left] == [(None, None, ["紹介"]), (None, None, ["紹介"])]
