"""What operators do on the pages: add an integration, edit and preview a mapping, replay, upload, manage users."""

from __future__ import annotations

import re
import threading
import time

import pytest

from renkei.errors import ConfigurationError
from renkei.pipeline import progress
from renkei.pipeline.browse import page_customers
from renkei.pipeline.deliveries import (
    delivery_labels,
    get_delivery,
    import_file,
    list_deliveries,
    replay_delivery,
    undo_delivery,
)
from renkei.pipeline.hub import utcnow
from renkei.pipeline.integrations import add_integration, find_integration, get_integration, set_status
from renkei.pipeline.mail import inbox_address
from renkei.pipeline.specs import MappingModel
from renkei.web.ui import mapping as mapping_ui
from renkei.web.ui.common import JST
from tests.conftest import other_workbook, workbook, write_csv
from tests.web.test_ui_pages import MEMBERS, seed
from tests.zips import zip_bytes


def test_the_wizard_creates_a_stopped_integration_and_starts_it_in_step_three(hub, admin):
    step2 = admin.post(
        "/integrations/new",
        data={
            "kind": "suumo",
            "name": "SUUMO 渋谷店",
            "owner": "山田",
            "status": "新規反響",
            "group": "SUUMO",
            "tags": "賃貸、渋谷",
        },
    )
    assert step2.status_code == 200 and 'data-testid="wizard-credentials"' in step2.text
    assert 'name="inbox_secret"' not in step2.text  # generated, never asked for
    assert find_integration(hub, "SUUMO 渋谷店") is None  # nothing stored in step 1
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', step2.text))
    created = admin.post("/integrations/new/create", data=fields, follow_redirects=False)
    assert created.status_code == 303
    integration = find_integration(hub, "SUUMO 渋谷店")
    assert integration.spec.status == "stopped"
    assert integration.spec.defaults.model_dump() == {
        "owner": "山田",
        "status": "新規反響",
        "acquisition_channel": None,
        "tags": ["賃貸", "渋谷"],
        "groups": ["SUUMO"],
    }
    step3 = admin.client.get(created.headers["location"])
    assert inbox_address(integration) in step3.text and "反響メール送信先" in step3.text
    assert "確認メール" in step3.text and 'data-copy="inbox-address"' in step3.text
    refused = admin.post(f"/integrations/{integration.id}/setup", data={})
    assert refused.status_code == 422 and get_integration(hub, integration.id).spec.status == "stopped"
    started = admin.post(f"/integrations/{integration.id}/setup", data={"confirmed": "1"}, follow_redirects=False)
    assert started.headers["location"] == "/integrations?done=started"
    assert get_integration(hub, integration.id).spec.status == "active"
    listing = admin.client.get("/integrations?done=started").text
    assert "連携を開始しました" in listing and "確認待ち" in listing  # no mail yet


def test_step_one_refuses_a_name_that_is_taken(hub, admin):
    admin.post("/integrations/new/create", data={"kind": "csv", "name": "会員CSV"})
    again = admin.post("/integrations/new", data={"kind": "csv", "name": "会員CSV"})
    assert again.status_code == 422 and "すでにあります" in again.text


def test_a_drop_box_shows_its_one_time_password_once(hub, admin):
    shown = admin.post("/integrations/new/create", data={"kind": "ftp-drop", "name": "取引先A"})
    password = re.search(r'data-testid="one-time-password">([^<]+)<', shown.text).group(1)
    integration = find_integration(hub, "取引先A")
    assert integration.settings.username in shown.text and integration.spec.status == "stopped"
    later = admin.client.get(f"/integrations/{integration.id}/setup").text
    assert password not in later and 'data-testid="one-time-password"' not in later


def test_settings_form_errors_are_shown_with_their_field(hub, admin):
    page = admin.post("/integrations/new/create", data={"kind": "mail-csv", "name": "CSVメール"})
    assert page.status_code == 422 and "allowed_senders" in page.text
    assert find_integration(hub, "CSVメール") is None


def test_secrets_are_never_sent_back_and_kept_when_left_empty(hub, admin):
    admin.post(
        "/integrations/new/create",
        data={
            "kind": "mail-labels",
            "name": "リガイド",
            "preset": "reguide",
            "imap.enabled": "1",
            "imap.host": "imap.example.jp",
            "imap.username": "u",
            "imap.password": "s3cret-pass",
            "imap.tls": "1",
        },
    )
    integration = find_integration(hub, "リガイド")
    assert integration.settings.imap.password.get_secret_value() == "s3cret-pass"
    page = admin.client.get(f"/integrations/{integration.id}/credentials").text
    assert "s3cret-pass" not in page and 'data-testid="verify"' in page and "設定済み" in page
    admin.post(
        f"/integrations/{integration.id}/credentials",
        data={
            "preset": "ieul",
            "imap.enabled": "1",
            "imap.host": "imap2.example.jp",
            "imap.username": "u",
            "imap.tls": "1",
        },
    )
    changed = get_integration(hub, integration.id)
    assert changed.settings.preset == "ieul" and changed.settings.imap.host == "imap2.example.jp"
    assert changed.settings.imap.password.get_secret_value() == "s3cret-pass"


def test_the_list_shows_failing_with_its_reason_and_stops_and_starts(hub, admin, tmp_path):
    ids = seed(hub, tmp_path)
    set_status(hub, "manual-import", "failing", reason="CSVの見出しが読めません")
    html = admin.client.get("/integrations").text
    assert "連携失敗" in html and "CSVの見出しが読めません" in html and "連携中" in html
    admin.post(f"/integrations/{ids['suumo']}/stop")
    assert get_integration(hub, ids["suumo"]).spec.status == "stopped"
    assert "停止中" in admin.client.get("/integrations").text
    admin.post(f"/integrations/{ids['suumo']}/start")
    assert get_integration(hub, ids["suumo"]).spec.status == "active"


# --- mapping ---------------------------------------------------------------------------------


def test_replay_may_try_a_mapping_that_is_not_stored_only_as_a_dry_run(hub, tmp_path):
    ids = seed(hub, tmp_path)
    trial = MappingModel(rules=[{"source": "会員ランク", "target": "memo", "permission": "R"}])
    result = replay_delivery(hub, ids["file"], dry_run=True, mapping=trial)
    changes = {(d.customer_id, name, new) for d in result.diffs for name, _old, new in d.fields}
    assert any(name == "memo" and new == "ゴールド" for _cid, name, new in changes)
    assert get_integration(hub, ids["manual"]).spec.mapping.rules == []  # nothing stored
    assert replay_delivery(hub, ids["file"], dry_run=True).diffs == []  # nor written
    with pytest.raises(ConfigurationError):
        replay_delivery(hub, ids["file"], mapping=trial)
    assert delivery_labels(hub, ids["file"]) == MEMBERS[0]


def test_the_mapping_preview_shows_the_diff_of_the_unsaved_mapping(hub, admin, tmp_path):
    ids = seed(hub, tmp_path)
    page = admin.client.get(f"/integrations/{ids['manual']}/mapping").text
    assert '<option value="会員ランク">' in page  # headers of the latest delivery are offered
    assert "members.csv (2 行)</option>" in page  # each delivery to preview with says how many rows it has
    form = {
        "source": "会員ランク",
        "target": "memo",
        "custom": "",
        "permission": "R",
        "auto_map": "1",
        "unknown_columns": "custom",
        "delivery": str(ids["file"]),
    }
    preview = admin.post(f"/integrations/{ids['manual']}/mapping/preview", data=form)
    assert preview.status_code == 200 and 'data-testid="preview-result"' in preview.text
    assert re.search(
        r"メモ</th><td class=\"diff-old\">.*?</td><td aria-hidden=\"true\">→</td><td class=\"diff-new\">ゴールド",
        preview.text,
    )
    assert 'value="会員ランク"' in preview.text  # the unsaved rows stay in the form
    assert get_integration(hub, ids["manual"]).spec.mapping.rules == []
    saved = admin.post(f"/integrations/{ids['manual']}/mapping", data=form, follow_redirects=False)
    assert saved.status_code == 303
    assert [r.model_dump() for r in get_integration(hub, ids["manual"]).spec.mapping.rules] == [
        {"source": "会員ランク", "target": "memo", "permission": "R"}
    ]


def test_the_mapping_preview_shows_the_inquiry_a_row_would_add(hub, admin, tmp_path):
    ids = seed(hub, tmp_path)
    form = {"source": "", "target": "", "custom": "", "permission": "R", "auto_map": "1"}
    form |= {"unknown_columns": "custom", "delivery": str(ids["mail"])}
    preview = admin.post(f"/integrations/{ids['suumo']}/mapping/preview", data=form)
    assert preview.status_code == 200 and 'data-testid="preview-result"' in preview.text
    [added] = re.findall(r'data-testid="inquiry-added">([^<]*)<', preview.text)
    assert added.startswith("反響を追加： 20") and "サンプルハイツ" in added, added


def test_a_large_delivery_is_previewed_by_its_first_rows_until_every_row_is_asked_for(
    hub, admin, tmp_path, monkeypatch
):
    ids = seed(hub, tmp_path)
    monkeypatch.setattr(mapping_ui, "FULL_PREVIEW_ROWS", 1)  # the 2-row delivery counts as large
    replays: list[int] = []

    def counted_replay(hub, delivery_id, **kwargs):
        replays.append(delivery_id)
        return replay_delivery(hub, delivery_id, **kwargs)

    monkeypatch.setattr(mapping_ui, "replay_delivery", counted_replay)
    form = {"source": "会員ランク", "target": "memo", "custom": "", "permission": "R", "auto_map": "1"}
    form |= {"unknown_columns": "custom", "delivery": str(ids["file"])}
    quick = admin.post(f"/integrations/{ids['manual']}/mapping/preview", data=form)
    assert quick.status_code == 200 and 'data-testid="preview-sample"' in quick.text
    assert 'data-testid="preview-result"' not in quick.text and replays == []  # no dry run, nothing held
    assert "この受信は 2 行あるため、先頭 2 行をこのマッピングで読み取った結果" in quick.text
    assert "読み取れた行 1、エラー 1" in quick.text
    assert re.search(r"メモ</th><td class=\"diff-new\">ゴールド", quick.text)  # the unsaved mapping's value
    assert re.search(r"メールアドレス <code>not-an-address</code>: ", quick.text)  # the bad row, its column and value
    assert 'name="whole" value="1"' in quick.text and 'form="mapping-form"' in quick.text
    whole = admin.post(f"/integrations/{ids['manual']}/mapping/preview", data=form | {"whole": "1"})
    assert 'data-testid="preview-result"' in whole.text and replays == [ids["file"]]
    assert re.search(r"メモ</th><td class=\"diff-old\">.*?</td><td aria-hidden=\"true\">→</td>", whole.text)
    admin.post("/locale", data={"locale": "en", "next": "/"})
    english = admin.post(f"/integrations/{ids['manual']}/mapping/preview", data=form)
    assert "This delivery has 2 rows, so the preview shows what the mapping reads from its first 2 rows" in english.text
    assert "Rows read: 1; with errors: 1" in english.text and "Preview the changes of every row (2 rows" in english.text


def test_a_protected_field_is_never_writable_and_the_page_says_why(hub, admin, tmp_path):
    ids = seed(hub, tmp_path)
    page = admin.client.get(f"/integrations/{ids['manual']}/mapping").text
    assert (
        "書き込み（W/RW）にはできません" in page
        and "&#34;score&#34;: {&#34;allowed&#34;: [&#34;NG&#34;, &#34;R&#34;]" in page
    )
    refused = admin.post(
        f"/integrations/{ids['manual']}/mapping",
        data={"source": "スコア", "target": "score", "permission": "RW", "auto_map": "1", "unknown_columns": "custom"},
    )
    assert refused.status_code == 422 and "protected" in refused.text
    assert "Renkeiまたは同期が管理するため" in refused.text
    custom = admin.post(
        f"/integrations/{ids['manual']}/mapping",
        data={
            "source": "会員ランク",
            "target": "custom",
            "custom": "rank",
            "permission": "RW",
            "auto_map": "1",
            "unknown_columns": "custom",
        },
        follow_redirects=False,
    )
    assert custom.status_code == 303
    assert get_integration(hub, ids["manual"]).spec.mapping.rules[0].target == "custom:rank"


# --- deliveries and customers ----------------------------------------------------------------


def test_a_delivery_shows_its_row_errors_and_the_raw_payload(hub, admin, tmp_path):
    ids = seed(hub, tmp_path)
    html = admin.client.get(f"/deliveries/{ids['file']}").text
    assert "not-an-address" in html and "メールアドレス" in html and 'data-testid="row-errors"' in html
    assert "山田太郎,yamada@example.jp" in html and "cp932" in html
    mail = admin.client.get(f"/deliveries/{ids['mail']}").text
    assert "[リクルートＪＤＳ]反響お知らせメール" in mail and 'data-testid="mail-text"' in mail
    listing = admin.client.get(f"/deliveries?integration={ids['suumo']}").text
    assert f'data-testid="delivery-{ids["mail"]}"' in listing and f'data-testid="delivery-{ids["file"]}"' not in listing
    failed = admin.client.get("/deliveries?state=failed").text
    assert 'data-testid="delivery-' not in failed


def test_a_workbook_delivery_shows_the_first_rows_of_the_sheet_it_was_read_from(hub, admin, tmp_path):
    from renkei.pipeline.deliveries import import_file
    from renkei.pipeline.integrations import manual_import_integration

    path = workbook(tmp_path / "会員.xlsx", [["氏名", "メール"], ["山田太郎", "y@example.jp"]], more_sheets=("メモ",))
    result = import_file(hub, manual_import_integration(hub), path)
    html = admin.client.get(f"/deliveries/{result.delivery_id}").text
    assert "山田太郎,y@example.jp" in html and "xlsx: 顧客一覧" in html
    # The note on the other sheet, in the page's language.
    assert "ブックにシートが 2 枚あります" in html


def test_an_ods_delivery_shows_the_first_rows_of_its_sheet(hub, admin, tmp_path):
    from renkei.pipeline.deliveries import import_file
    from renkei.pipeline.integrations import manual_import_integration

    path = other_workbook("ods", tmp_path / "会員.ods", [["氏名", "メール"], ["山田太郎", "y@example.jp"]])
    result = import_file(hub, manual_import_integration(hub), path)
    html = admin.client.get(f"/deliveries/{result.delivery_id}").text
    assert "山田太郎,y@example.jp" in html and "ods: 顧客一覧" in html


def test_dry_run_replay_and_undo_from_the_delivery_page(hub, admin, tmp_path):
    ids = seed(hub, tmp_path)
    dry = admin.post(f"/deliveries/{ids['file']}/dry-run")
    assert dry.status_code == 200 and "変更はありません" in dry.text
    replayed = admin.post(f"/deliveries/{ids['file']}/replay", follow_redirects=False)
    assert replayed.headers["location"].endswith("done=replayed")
    undone = admin.post(f"/deliveries/{ids['file']}/undo", follow_redirects=False)
    assert undone.status_code == 303 and get_delivery(hub, ids["file"]).state == "undone"
    again = admin.post(f"/deliveries/{ids['file']}/undo")
    assert again.status_code == 409 and "only a processed delivery" in again.text


def test_customers_search_and_detail_with_sources_and_inquiries(hub, admin, tmp_path):
    ids = seed(hub, tmp_path)
    found = admin.client.get("/customers", params={"q": "yamada@example.jp"}).text
    assert f'data-testid="customer-{ids["customer"]}"' in found
    assert 'data-testid="customer-' not in admin.client.get("/customers", params={"q": "存在しない名前"}).text
    tagged = admin.client.get("/customers", params={"tag": "賃貸"}).text
    assert tagged.count('data-testid="customer-') == 1
    suumo_customer = re.search(r'data-testid="customer-(\d+)"', tagged).group(1)
    detail = admin.client.get(f"/customers/{suumo_customer}").text
    assert "SUUMO 渋谷" in detail and f'href="/deliveries/{ids["mail"]}"' in detail
    assert 'data-testid="inquiries"' in detail and "A1234567890" in detail and "山田" in detail
    # What else the mail said of the inquiry, by its label.
    assert re.search(r'data-testid="inquiry-extra">.*<dt>物件種別</dt><dd>賃貸マンション</dd>', detail)
    assert "<dt>専有面積</dt><dd>40.12㎡</dd>" in detail
    # Who asked about a property, or by the portal's inquiry id.
    for words in ("サンプルハイツ", "A1234567890"):
        found = admin.client.get("/customers", params={"q": words}).text
        assert found.count('data-testid="customer-') == 1 and f'data-testid="customer-{suumo_customer}"' in found


def test_the_inquiry_timeline_shows_the_newest_first_and_those_without_a_time_last(hub, admin, tmp_path):
    integration = add_integration(hub, {"name": "反響", "kind": "csv"})
    header = ["反響日時", "お名前", "メールアドレス", "物件名"]
    for name, when, place in (
        ("a", "", "時刻なし"),
        ("b", "2026/11/03 10:00", "古い"),
        ("c", "2026/11/05 10:00", "新しい"),
    ):
        rows = [header, [when, "山田 太郎", "t@example.jp", place]]
        import_file(hub, integration, write_csv(tmp_path / f"{name}.csv", rows))
    listed = admin.client.get("/customers").text
    customer = re.search(r'data-testid="customer-(\d+)"', listed).group(1)
    detail = admin.client.get(f"/customers/{customer}").text
    assert detail.index("新しい") < detail.index("古い") < detail.index("時刻なし")


def test_phone_numbers_are_shown_as_people_write_them(hub, admin, tmp_path):
    # Stored as E.164 for matching; the list, the detail and the history show 03-1234-5678.
    integration = add_integration(hub, {"name": "会員", "kind": "csv"})
    rows = [
        ["氏名", "メール", "電話番号", "携帯", "FAX"],
        ["山田太郎", "t@example.jp", "0312345678", "09012345678", "03-1234-5679"],
    ]
    import_file(hub, integration, write_csv(tmp_path / "a.csv", rows))
    rows[1][2] = "+1 212-555-1234"
    import_file(hub, integration, write_csv(tmp_path / "b.csv", rows))
    listed = admin.client.get("/customers").text
    assert "+1 212-555-1234" in listed and "+12125551234" not in listed
    customer = re.search(r'data-testid="customer-(\d+)"', listed).group(1)
    detail = admin.client.get(f"/customers/{customer}").text
    assert "090-1234-5678" in detail and "03-1234-5679" in detail
    assert "03-1234-5678" in detail  # in the history: what the second file replaced
    assert "+81" not in detail


def test_a_delivery_links_the_customers_it_created_or_changed(hub, admin, tmp_path):
    integration = add_integration(hub, {"name": "会員", "kind": "csv"})
    rows = [["氏名", "メール", "会社名"], ["山田太郎", "t@example.jp", ""], ["佐藤花子", "h@example.jp", ""]]
    first = import_file(hub, integration, write_csv(tmp_path / "a.csv", rows))
    rows[1][2] = "株式会社テスト"
    second = import_file(hub, integration, write_csv(tmp_path / "b.csv", rows))  # 山田 changed, 佐藤 not
    page = admin.client.get(f"/deliveries/{second.delivery_id}").text
    assert f'href="/customers?delivery={second.delivery_id}" data-testid="delivery-customers"' in page
    listed = admin.client.get("/customers", params={"delivery": second.delivery_id}).text
    assert "山田" in listed and "佐藤" not in listed
    assert f"受信 #{second.delivery_id} で作成・更新された顧客" in listed
    assert f'name="delivery" value="{second.delivery_id}"' in listed  # a search keeps to the delivery
    both = admin.client.get("/customers", params={"delivery": first.delivery_id}).text
    assert "山田" in both and "佐藤" in both
    # A delivery that changed nobody offers no list.
    third = import_file(hub, integration, write_csv(tmp_path / "c.csv", rows))
    assert 'data-testid="delivery-customers"' not in admin.client.get(f"/deliveries/{third.delivery_id}").text
    # Nor does one undone: what it did is taken back.
    undo_delivery(hub, second.delivery_id)
    assert 'data-testid="delivery-customers"' not in admin.client.get(f"/deliveries/{second.delivery_id}").text


def test_the_inquiry_list_shows_every_customers_inquiries_and_filters_by_source(hub, admin, tmp_path):
    ids = seed(hub, tmp_path)
    listed = admin.client.get("/inquiries").text
    assert 'data-testid="inquiry-list"' in listed and "A1234567890" in listed and "反響一覧" in listed
    assert '<a href="/inquiries?source=SUUMO">SUUMO</a>' in listed
    assert re.search(r'<td class="nowrap"><a href="/customers/\d+">山田 太郎</a></td>', listed)
    assert f'href="/deliveries/{ids["mail"]}"' in listed
    assert "A1234567890" not in admin.client.get("/inquiries", params={"source": "HOME'S"}).text
    # The first page counts the last 30 days' inquiries by source: the fixture's is older.
    integration = add_integration(hub, {"name": "反響", "kind": "csv"})
    when = utcnow().astimezone(JST).strftime("%Y/%m/%d %H:%M")
    rows = [["反響日時", "お名前", "メールアドレス", "媒体"], [when, "高橋 花子", "h@example.jp", "HOME'S"]]
    import_file(hub, integration, write_csv(tmp_path / "反響.csv", rows))
    counts = admin.client.get("/inquiries").text
    assert re.search(r'data-testid="inquiry-counts">.*直近 30 日の反響元別件数', counts, re.S)
    assert re.search(r">HOME&#39;S</a></td><td>1</td><td>1</td>", counts)


def test_the_customer_list_filters_by_owner_and_status_and_links_them(hub, admin, tmp_path):
    fair = add_integration(hub, {"name": "展示会", "kind": "csv", "defaults": {"owner": "佐藤", "status": "新規"}})
    web = add_integration(hub, {"name": "資料請求", "kind": "csv", "defaults": {"owner": "鈴木"}})
    import_file(hub, fair, write_csv(tmp_path / "a.csv", [["氏名", "メール"], ["山田太郎", "t@example.jp"]]))
    import_file(hub, web, write_csv(tmp_path / "b.csv", [["氏名", "メール"], ["高橋花子", "h@example.jp"]]))
    listed = admin.client.get("/customers").text
    assert '<a href="/customers?owner=%E4%BD%90%E8%97%A4">佐藤</a>' in listed
    mine = admin.client.get("/customers", params={"owner": "佐藤"}).text
    assert "山田" in mine and "高橋" not in mine
    assert 'name="owner" value="佐藤"' in mine
    new = admin.client.get("/customers", params={"status": "新規"}).text
    assert "山田" in new and "高橋" not in new


def test_a_second_phone_kept_as_a_custom_value_is_shown_as_people_write_it(hub, admin, tmp_path):
    integration = add_integration(hub, {"name": "名刺", "kind": "csv"})
    rows = [["氏名", "会社TEL", "直通TEL", "紹介コード"], ["山田太郎", "03-1111-2222", "03-1111-3333", "+12345678"]]
    import_file(hub, integration, write_csv(tmp_path / "cards.csv", rows))
    listed = admin.client.get("/customers").text
    customer = re.search(r'data-testid="customer-(\d+)"', listed).group(1)
    detail = admin.client.get(f"/customers/{customer}").text
    assert "03-1111-3333" in detail and "+81311113333" not in detail
    assert "+12345678" in detail  # a custom value that is no phone number stays as written


def test_the_customer_page_lists_the_values_left_out_of_its_rows(hub, admin, tmp_path):
    integration = add_integration(hub, {"name": "展示会", "kind": "csv", "mapping": {"bad_values": "leave_out"}})
    rows = [["氏名", "メール", "電話番号"], ["山田太郎", "t@example.jp", "03-1234-567"]]
    result = import_file(hub, integration, write_csv(tmp_path / "fair.csv", rows))
    listed = admin.client.get("/customers").text
    customer = re.search(r'data-testid="customer-(\d+)"', listed).group(1)
    detail = admin.client.get(f"/customers/{customer}").text
    assert 'data-testid="left-out"' in detail and "取り込めなかった値" in detail
    assert "03-1234-567" in detail and f'href="/deliveries/{result.delivery_id}"' in detail
    # The delivery's page links the value left out to the customer.
    delivery_page = admin.client.get(f"/deliveries/{result.delivery_id}").text
    assert f'href="/customers/{customer}"' in delivery_page
    # The list marks the customer, and keeps only such customers when asked.
    assert f'data-testid="left-out-{customer}"' in listed
    import_file(
        hub, integration, write_csv(tmp_path / "more.csv", [rows[0], ["鈴木花子", "h@example.jp", "03-3333-4444"]])
    )
    only = admin.client.get("/customers", params={"left_out": "true"}).text
    assert re.findall(r'data-testid="customer-(\d+)"', only) == [customer]
    # Someone called and confirmed the number: marked checked, it asks for no more looks.
    checked = admin.post(f"/customers/{customer}/left-out/checked", follow_redirects=False)
    assert checked.status_code == 303 and checked.headers["location"].endswith("done=left_out_checked")
    after = admin.client.get(f"/customers/{customer}?done=left_out_checked").text
    assert 'data-testid="left-out"' not in after and "確認済みにしました" in after
    assert 'data-testid="customer-' not in admin.client.get("/customers", params={"left_out": "true"}).text


# --- upload ----------------------------------------------------------------------------------


def wait_until_finished(session, delivery_id: int) -> dict:
    for _ in range(200):
        state = session.client.get(f"/upload/{delivery_id}/progress").json()
        if state["finished"]:
            return state
        time.sleep(0.05)
    raise AssertionError("the import never finished")


def test_upload_confirms_a_column_kept_with_the_inquiry_and_a_mapping_keeps_another_there(hub, admin, tmp_path):
    rows = [
        ["お名前", "メールアドレス", "物件名", "物件種別", "区分"],
        ["山田太郎", "t@example.jp", "ハイツ", "賃貸", "売買"],
    ]
    path = write_csv(tmp_path / "反響.csv", rows)
    with path.open("rb") as handle:
        confirm = admin.post(
            "/upload", data={"integration": "manual-import"}, files={"file": ("反響.csv", handle, "text/csv")}
        )
    form = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', confirm.text))
    chosen = {
        name: re.search(rf'name="{name}".*?<option value="([^"]+)" selected', confirm.text, re.S).group(1)
        for name in re.findall(r'<select name="(target-\d+)"', confirm.text)
    }
    assert (chosen["target-3"], chosen["target-4"]) == ("inquiry_extra", "custom")  # 物件種別; 区分 unknown
    assert 'name="custom-3" value="物件種別"' in confirm.text
    chosen["target-4"] = "inquiry_extra"  # 区分 too is the inquiry's
    started = admin.post("/upload/import", data={**form, **chosen, "custom-4": "区分"}, follow_redirects=False)
    delivery_id = int(started.headers["location"].rsplit("/", 1)[1])
    assert wait_until_finished(admin, delivery_id)["state"] == "processed"
    integration = find_integration(hub, "manual-import")
    assert [(r.source, r.target) for r in integration.spec.mapping.rules] == [("区分", "inquiry.extra:区分")]
    [customer] = page_customers(hub).items
    detail = admin.client.get(f"/customers/{customer['id']}").text
    assert "<dt>物件種別</dt><dd>賃貸</dd>" in detail and "<dt>区分</dt><dd>売買</dd>" in detail
    mapping = admin.client.get(f"/integrations/{integration.id}/mapping").text
    assert (
        re.search(r'<option value="inquiry_extra" selected>', mapping) and 'value="区分" class="custom-name"' in mapping
    )


def test_upload_confirms_the_mapping_imports_in_the_background_and_shows_row_errors(hub, admin, tmp_path):
    path = write_csv(tmp_path / "会員.csv", MEMBERS)
    with path.open("rb") as handle:
        confirm = admin.post(
            "/upload", data={"integration": "manual-import"}, files={"file": ("会員.csv", handle, "text/csv")}
        )
    assert confirm.status_code == 200 and 'data-testid="columns"' in confirm.text
    assert "cp932" in confirm.text and "yamada@example.jp" in confirm.text
    form = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', confirm.text))
    selects = re.findall(r'<select name="(target-\d+)"', confirm.text)
    assert len(selects) == 4
    chosen = {
        name: re.search(rf'name="{name}".*?<option value="([^"]+)" selected', confirm.text, re.S).group(1)
        for name in selects
    }
    assert chosen["target-0"] == "full_name" and chosen["target-1"] == "email"
    chosen["target-3"] = "memo"  # 会員ランク → メモ instead of a custom field
    started = admin.post("/upload/import", data={**form, **chosen}, follow_redirects=False)
    assert started.status_code == 303
    delivery_id = int(started.headers["location"].rsplit("/", 1)[1])
    state = wait_until_finished(admin, delivery_id)
    assert state["state"] == "processed" and state["counts"] == {
        "created": 1,
        "updated": 0,
        "unchanged": 0,
        "errors": 1,
        "left_out": 0,
    }
    page = admin.client.get(started.headers["location"]).text
    assert 'data-testid="row-errors"' in page and "not-an-address" in page and 'value="100"' in page
    integration = find_integration(hub, "manual-import")
    assert [r.target for r in integration.spec.mapping.rules] == ["memo"]


def test_a_zip_upload_lists_its_files_and_imports_each(hub, admin, tmp_path):
    content = zip_bytes(
        {"東京/会員.csv": write_csv(tmp_path / "会員.csv", MEMBERS).read_bytes(), "readme.pdf": b"%PDF"}
    )
    confirm = admin.post(
        "/upload", data={"integration": "manual-import"}, files={"file": ("会員.zip", content, "application/zip")}
    )
    assert (
        confirm.status_code == 200 and 'data-testid="zip-files"' in confirm.text and "<li>会員.csv</li>" in confirm.text
    )
    form = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', confirm.text))
    started = admin.post("/upload/import", data=form, follow_redirects=False)
    assert started.status_code == 303
    delivery_id = int(started.headers["location"].rsplit("/", 1)[1])
    assert wait_until_finished(admin, delivery_id)["state"] == "processed"
    [child] = [d for d in list_deliveries(hub) if d.file_name == "会員.csv"]
    assert (child.state, child.counts.created, child.counts.errors) == ("processed", 1, 1)


def test_an_upload_token_cannot_name_another_payload(hub, admin, tmp_path):
    ids = seed(hub, tmp_path)
    other = get_delivery(hub, ids["mail"]).sha256
    refused = admin.post(
        "/upload/import",
        data={"sha256": other, "token": "0" * 64, "file_name": "x.csv", "integration": str(ids["manual"])},
    )
    assert refused.status_code == 422


def test_the_progress_registry_follows_only_what_it_was_asked_to():
    progress.advance(987654, 10)
    assert progress.get(987654) is None
    progress.track(987654, 200)
    progress.advance(987654, 50)
    assert progress.get(987654).percent == 25
    progress.advance(987654, 500)
    assert progress.get(987654).percent == 99  # the total is an estimate: 100 only once finished
    progress.finish(987654, "processed", {"created": 1})
    assert progress.get(987654).to_json()["percent"] == 100


def test_estimated_rows_count_lines_less_the_header(tmp_path):
    path = write_csv(tmp_path / "a.csv", MEMBERS)
    assert progress.estimate_rows(path) == 2
    (tmp_path / "b.csv").write_bytes(b"a,b\n1,2")
    assert progress.estimate_rows(tmp_path / "b.csv") == 1


# --- settings --------------------------------------------------------------------------------


def test_admins_add_users_with_a_one_time_password_and_manage_tokens(hub, admin, new_client):
    added = admin.post("/settings/users", data={"login": "suzuki@example.jp", "role": "operator", "locale": "ja"})
    password = re.search(r'data-testid="one-time-password">([^<]+)<', added.text).group(1)
    from tests.web.conftest import sign_in

    assert sign_in(new_client(), "suzuki@example.jp", password).client.get("/api/me").json()["role"] == "operator"
    assert password not in admin.client.get("/settings").text
    duplicate = admin.post("/settings/users", data={"login": "suzuki@example.jp", "role": "viewer"})
    assert duplicate.status_code == 422 and "already exists" in duplicate.text
    created = admin.post("/settings/tokens", data={"name": "Zapier", "role": "viewer"})
    secret = re.search(r'data-testid="token">([^<]+)<', created.text).group(1)
    assert new_client().get("/api/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    token_id = re.search(r'action="/settings/tokens/(\d+)/revoke"', created.text).group(1)
    admin.post(f"/settings/tokens/{token_id}/revoke")
    assert new_client().get("/api/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 401


def test_report_addresses_are_asked_in_the_wizard_and_required_for_mail_csv(hub, admin):
    rules = {"kind": "mail-csv", "name": "CSVメール", "owner": "", "status": "", "group": "", "tags": ""}
    page = admin.post(
        "/integrations/new/create", data={**rules, "allowed_senders": "@partner.example.jp", "notify_errors": ""}
    )
    assert page.status_code == 422 and "notify.errors" in page.text and find_integration(hub, "CSVメール") is None
    bad = admin.post("/integrations/new", data={**rules, "notify_errors": "ops-at-example"})
    assert bad.status_code == 422 and "ops-at-example" in bad.text
    admin.post(
        "/integrations/new/create",
        data={**rules, "allowed_senders": "@partner.example.jp", "notify_errors": "ＯＰＳ@Example.jp、b@example.jp"},
    )
    created = find_integration(hub, "CSVメール")
    assert created is not None and created.spec.notify.errors == ["ops@example.jp", "b@example.jp"]


def test_import_rules_and_report_addresses_can_be_changed_later(hub, admin):
    from renkei.pipeline.integrations import add_integration

    integration = add_integration(
        hub, {"name": "展示会", "kind": "csv", "defaults": {"owner": "田中", "acquisition_channel": "展示会"}}
    )
    page = admin.client.get(f"/integrations/{integration.id}/rules").text
    assert 'value="田中"' in page and "通知先" in page
    response = admin.post(
        f"/integrations/{integration.id}/rules",
        data={"name": "展示会2026", "owner": "佐藤", "status": "見込み", "group": "東京, 大阪", "tags": "展示会",
              "notify_errors": "ops@example.jp", "notify_success": ""},
        follow_redirects=False,
    )  # fmt: skip
    assert response.status_code == 303
    changed = find_integration(hub, "展示会2026")
    assert (changed.spec.defaults.owner, changed.spec.defaults.status) == ("佐藤", "見込み")
    assert changed.spec.defaults.groups == ["東京", "大阪"] and changed.spec.defaults.tags == ["展示会"]
    assert changed.spec.defaults.acquisition_channel == "展示会" and changed.spec.notify.errors == ["ops@example.jp"]


def test_the_server_answers_others_while_a_mapping_preview_runs(hub, admin, tmp_path, monkeypatch):
    # A preview is a dry run of a whole delivery (a minute for a million rows): it runs on a
    # worker thread, and the server answers meanwhile instead of waiting for it.
    ids = seed(hub, tmp_path)
    entered, release = threading.Event(), threading.Event()

    def slow_replay(*args, **kwargs):
        entered.set()
        release.wait(30)  # only a safety net: released as soon as the other request is answered
        return replay_delivery(*args, **kwargs)

    monkeypatch.setattr(mapping_ui, "replay_delivery", slow_replay)
    form = {"source": "会員ランク", "target": "memo", "custom": "", "permission": "R", "auto_map": "1"}
    form |= {"unknown_columns": "custom", "delivery": str(ids["file"])}
    answers: list[int] = []
    previewing = threading.Thread(
        target=lambda: answers.append(
            admin.post(f"/integrations/{ids['manual']}/mapping/preview", data=form).status_code
        )
    )
    previewing.start()
    try:
        assert entered.wait(30)
        assert admin.client.get("/health").status_code == 200
        assert previewing.is_alive() and not release.is_set()  # answered while the preview ran
    finally:
        release.set()
        previewing.join(60)
    assert answers == [200]


def test_the_mapping_page_chooses_what_a_value_that_is_not_valid_does_to_its_row(hub, admin, tmp_path):
    ids = seed(hub, tmp_path)
    page = admin.client.get(f"/integrations/{ids['manual']}/mapping").text
    assert '<option value="" selected>連携の種類の既定' in page
    form = {"source": "", "target": "", "custom": "", "permission": "R", "auto_map": "1", "unknown_columns": "custom"}
    preview = admin.post(
        f"/integrations/{ids['manual']}/mapping/preview",
        data=form | {"bad_values": "leave_out", "delivery": str(ids["file"]), "whole": "1"},
    )
    # The member with an e-mail address that is not one goes in without it, in the unsaved mapping's preview.
    assert 'data-testid="preview-result"' in preview.text and "（値を除いて取り込み 1 件）" in preview.text
    assert "メールアドレス: メールアドレスに @ がありません（この値を除いて取り込みました）" in preview.text
    assert '<option value="leave_out" selected>' in preview.text
    assert get_integration(hub, ids["manual"]).spec.mapping.bad_values is None
    saved = admin.post(
        f"/integrations/{ids['manual']}/mapping", data=form | {"bad_values": "leave_out"}, follow_redirects=False
    )
    assert saved.status_code == 303
    assert get_integration(hub, ids["manual"]).spec.mapping.bad_values == "leave_out"
    assert (
        '<option value="leave_out" selected>値を除いて行を取り込む' in admin.client.get(saved.headers["location"]).text
    )
    admin.post(f"/integrations/{ids['manual']}/mapping", data=form | {"bad_values": ""})
    assert get_integration(hub, ids["manual"]).spec.mapping.bad_values is None


def test_a_sample_shows_a_row_that_goes_in_without_a_value_left_out_as_read_with_the_value_said(
    hub, admin, tmp_path, monkeypatch
):
    ids = seed(hub, tmp_path)
    monkeypatch.setattr(mapping_ui, "FULL_PREVIEW_ROWS", 1)  # the 2-row delivery is sampled
    form = {"source": "", "target": "", "custom": "", "permission": "R", "auto_map": "1", "unknown_columns": "custom"}
    quick = admin.post(
        f"/integrations/{ids['manual']}/mapping/preview",
        data=form | {"bad_values": "leave_out", "delivery": str(ids["file"])},
    )
    assert 'data-testid="preview-sample"' in quick.text
    assert "読み取れた行 2、エラー 0" in quick.text
    assert re.search(r"メールアドレス <code>not-an-address</code>: .*（この値を除いて取り込みました）", quick.text)


def test_the_delivery_pages_count_the_values_left_out(hub, admin, tmp_path):
    fair = add_integration(hub, {"name": "展示会", "kind": "csv", "mapping": {"bad_values": "leave_out"}})
    path = write_csv(tmp_path / "fair.csv", [["氏名", "電話番号"], ["山田 太郎", "03-1234-567"]])
    result = import_file(hub, fair, path)
    listing = admin.client.get("/deliveries").text
    assert "新規 1・更新 0・変更なし 0・エラー 0（値を除いて取り込み 1 件）" in listing
    page = admin.client.get(f"/deliveries/{result.delivery_id}").text
    assert (
        "（値を除いて取り込み 1 件）" in page and "（この値を除いて取り込みました）" in page and "03-1234-567" in page
    )
