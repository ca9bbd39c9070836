"""The ``renkei`` command as a user runs it."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from renkei.cli.main import app
from tests.conftest import write_csv


@pytest.fixture
def cli(database_url, tmp_path, monkeypatch):
    monkeypatch.setenv("RENKEI_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("RENKEI_DATABASE_URL", database_url)
    runner = CliRunner()

    def run(*args: str) -> tuple[int, str, str]:
        result = runner.invoke(app, list(args))
        return result.exit_code, result.stdout, result.stderr

    return run


def test_import_without_integration_auto_maps_and_prints_counts(cli, tmp_path):
    path = write_csv(
        tmp_path / "list.csv",
        [["お名前", "E-mail", "TEL"], ["山田太郎", "t@example.jp", "03-1234-5678"], ["鈴木", "bad@", ""]],
    )
    code, out, _ = cli("import", str(path))
    assert code == 0
    assert "manual-import" in out and "processed" in out
    assert "row 3" in out and "'bad@'" in out
    code, out, _ = cli("import", "--json", str(path))
    (result,) = json.loads(out)
    assert result["state"] == "duplicate"


def test_import_json_has_counts_mapping_and_row_errors(cli, tmp_path):
    path = write_csv(tmp_path / "list.csv", [["氏名", "メール"], ["山田太郎", "t@example.jp"], ["x", "no"]])
    _code, out, _ = cli("import", "--json", str(path))
    (result,) = json.loads(out)
    assert (result["created"], result["errors"], result["encoding"]) == (1, 1, "cp932")
    assert result["mapping"] == {"氏名": "full_name", "メール": "email"}
    assert result["row_errors"][0]["line"] == 3 and result["row_errors"][0]["value"] == "no"


def test_notes_about_the_file_are_shown_and_kept_without_counting_as_errors(cli, tmp_path):
    path = write_csv(
        tmp_path / "ledger.csv",
        [
            ["顧客一覧", "", ""],
            ["氏名", "メール", "メール"],
            ["山田太郎", "t@example.jp", "t2@example.jp"],
            ["鈴木花子", "s@example.jp", ""],
        ],
    )
    code, out, _ = cli("import", "--dry-run", "--json", str(path))
    (result,) = json.loads(out)
    assert (result["created"], result["errors"]) == (2, 0)
    assert [(n["line"], n["reason"]) for n in result["notes"]] == [
        (1, "title line above the header, passed over"),
        (2, "duplicate header 'メール' renamed to 'メール (2)'"),
    ]
    code, out, _ = cli("import", str(path))
    assert code == 0, out
    assert "ledger.csv row 1, value '顧客一覧': title line above the header, passed over" in out
    assert "ledger.csv row 2, column メール, value 'メール': duplicate header 'メール' renamed to 'メール (2)'" in out
    _code, out, _ = cli("deliveries", "list", "--json")
    (delivery,) = json.loads(out)
    _code, out, _ = cli("deliveries", "show", str(delivery["id"]), "--json")
    shown = json.loads(out)
    assert (shown["created"], shown["errors"]) == (2, 0)
    assert [e["reason"] for e in shown["row_errors"]] == [
        "title line above the header, passed over",
        "duplicate header 'メール' renamed to 'メール (2)'",
    ]
    code, out, _ = cli("customers", "export")
    assert [json.loads(line)["custom"] for line in out.splitlines()] == [{"メール (2)": "t2@example.jp"}, {}]


def test_lines_passed_over_among_the_rows_are_notes_not_errors(cli, tmp_path):
    # Two exports joined into one (copy a.csv+b.csv), the second's header again, and a ledger's
    # total at the end: neither is a customer nor a mistake in one.
    path = write_csv(
        tmp_path / "joined.csv",
        [
            ["氏名", "メール"],
            ["山田太郎", "t@example.jp"],
            ["氏名", "メール"],
            ["鈴木花子", "s@example.jp"],
            ["合計", "2件"],
        ],
    )
    code, out, _ = cli("import", "--dry-run", "--json", str(path))
    (result,) = json.loads(out)
    assert (result["created"], result["errors"]) == (2, 0)
    assert [(n["line"], n["value"], n["reason"]) for n in result["notes"]] == [
        (3, None, "the header line again (files joined into one?), passed over"),
        (5, "合計,2件", "a closing line (以上, 合計 …), not a customer: passed over"),
    ]
    assert all(row["action"] == "created" for row in result["rows"])
    code, out, _ = cli("import", str(path))
    assert code == 0, out
    assert "joined.csv row 5, value '合計,2件': a closing line (以上, 合計 …), not a customer: passed over" in out
    _code, out, _ = cli("deliveries", "list", "--json")
    (delivery,) = json.loads(out)
    assert (delivery["state"], delivery["created"], delivery["errors"]) == ("processed", 2, 0)
    _code, out, _ = cli("deliveries", "show", str(delivery["id"]), "--json")
    assert [(e["line"], e["reason"]) for e in json.loads(out)["row_errors"]] == [
        (3, "the header line again (files joined into one?), passed over"),
        (5, "a closing line (以上, 合計 …), not a customer: passed over"),
    ]


def test_a_file_of_nothing_but_lines_passed_over_is_processed_with_nothing_done(cli, tmp_path):
    path = write_csv(tmp_path / "empty-ledger.csv", [["氏名", "メール"], ["以上", ""]])
    code, out, _ = cli("import", "--json", str(path))
    (result,) = json.loads(out)
    assert code == 0, out
    assert (result["state"], result["created"], result["errors"]) == ("processed", 0, 0)
    assert [n["line"] for n in result["notes"]] == [2]


def test_deliveries_sample_prints_the_first_rows_as_the_mapping_reads_them(cli, tmp_path):
    path = write_csv(
        tmp_path / "list.csv",
        [
            ["氏名", "メール", "TEL"],
            ["山田太郎", "T@Example.JP", "090-1111-2222"],
            ["x", "no", ""],
            ["鈴木花子", "s@example.jp", ""],
        ],
    )
    cli("import", str(path))
    code, out, _ = cli("deliveries", "sample", "1", "--rows", "2")
    assert code == 0, out
    assert "delivery 1 (3 rows): the first 2 rows as the mapping reads them, 1 with errors" in out
    assert "メール → email" in out
    assert "row 2: last_name=山田, first_name=太郎, email=t@example.jp, mobile=+819011112222" in out
    assert "row 3, column メール, value 'no': " in out and "鈴木" not in out
    code, out, _ = cli("deliveries", "sample", "1", "--json")
    data = json.loads(out)
    assert [row["line"] for row in data["rows"]] == [2, 3, 4] and data["rows_in_delivery"] == 3
    assert data["rows"][2]["values"] == {"last_name": "鈴木", "first_name": "花子", "email": "s@example.jp"}
    code, out, err = cli("deliveries", "sample", "9")
    assert code != 0 and "Error:" in out + err


def test_dry_run_prints_the_field_by_field_plan(cli, tmp_path):
    path = write_csv(tmp_path / "list.csv", [["氏名", "メール"], ["山田太郎", "t@example.jp"]])
    code, out, _ = cli("import", "--dry-run", str(path))
    assert code == 0 and "would create" in out and "last_name" in out
    code, out, _ = cli("customers", "export")
    assert out == ""


def test_a_dry_run_of_a_long_file_says_how_many_rows_it_does_not_list(cli, tmp_path, monkeypatch):
    from renkei.pipeline import apply as apply_rules

    monkeypatch.setattr(apply_rules, "REPORTED_ROWS", 2)
    rows = [[f"山田{n}", f"t{n}@example.jp"] for n in range(5)]
    path = write_csv(tmp_path / "list.csv", [["氏名", "メール"], *rows])
    code, out, _ = cli("import", "--dry-run", str(path))
    assert code == 0 and out.count("would create") == 2
    said = " ".join(out.split())  # the console wraps long lines
    assert "3 more rows not listed (a dry run lists the first 2; the counts above cover every row)" in said
    code, out, _ = cli("import", "--dry-run", "--json", str(path))
    (data,) = json.loads(out)
    assert (data["created"], len(data["rows"]), data["unlisted_rows"]) == (5, 2, 3)


def test_integrations_add_list_and_apply(cli, tmp_path):
    code, out, _ = cli(
        "integrations",
        "add",
        "csv",
        "会員",
        "--set",
        "encoding=shift_jis",
        "--set",
        "defaults.owner=a@example.jp",
    )
    assert code == 0, out
    code, out, _ = cli("integrations", "list", "--json")
    (item,) = json.loads(out)
    assert (item["name"], item["settings"], item["defaults"]["owner"]) == (
        "会員",
        {"encoding": "shift_jis", "delimiter": None, "sheet": None, "file_names": "any", "file_password": None},
        "a@example.jp",
    )
    spec = tmp_path / "renkei.yaml"
    spec.write_text(
        "integrations:\n  - name: 会員\n    kind: csv\n  - name: 展示会\n    kind: csv\n    defaults: {tags: [展示会]}\n",
        encoding="utf-8",
    )
    code, out, _ = cli("apply", str(spec))
    assert code == 0 and "updated" in out and "created" in out
    code, out, _ = cli("apply", str(spec))
    assert out.count("unchanged") == 2


def test_errors_are_one_line_and_exit_non_zero(cli, tmp_path):
    code, _, err = cli("import", "--integration", "nope", str(tmp_path / "x.csv"))
    assert code == 1 and err.startswith("Error: ") and "nope" in err
    code, _, err = cli("integrations", "add", "csv", "x", "--set", "delimiter=X")
    assert code == 1 and "settings.delimiter" in err
    spec = tmp_path / "bad.yaml"
    spec.write_text(
        "integrations:\n  - name: a\n    kind: nope\n  - name: b\n    kind: csv\n    mapping: {rules: [{source: x, target: score, permission: W}]}\n"
    )
    code, _, err = cli("apply", str(spec))
    assert code == 1 and "integrations.0.kind" in err and "score" in err
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    code, out, err = cli("import", str(empty))
    assert code == 1 and "empty" in (out + err)


def test_each_row_error_is_one_line_however_long_for_grep(cli, tmp_path):
    long_value = "not-an-address-" + "x" * 120
    path = write_csv(
        tmp_path / "a-file-name-long-enough-to-wrap.csv",
        [["氏名", "メール"], ["山田太郎", "t@example.jp"], ["鈴木花子", long_value], ["佐藤一郎", "[bold]no[/bold]"]],
    )
    code, out, _ = cli("import", str(path))
    assert code == 0
    for shown in (out, cli("deliveries", "show", "1")[1]):
        [line] = [line for line in shown.splitlines() if "row 3" in line]
        assert line.endswith(f"row 3, column メール, value '{long_value}': E-mail address has no @")
        assert "row 4, column メール, value '[bold]no[/bold]'" in shown  # printed as it is, never read as markup


def test_tables_into_a_pipe_are_as_wide_as_what_they_hold(cli, tmp_path):
    name = "展示会2026_来場者リスト_東京ビッグサイト_最終版.csv"
    cli("import", str(write_csv(tmp_path / name, [["氏名", "メール"], ["山田太郎", "t@example.jp"]])))
    code, out, _ = cli("deliveries", "list")
    assert code == 0
    [row] = [line for line in out.splitlines() if name in line]  # not cut to "展示会2026_来…"
    assert "processed" in row and "…" not in out


def test_deliveries_show_undo_and_replay(cli, tmp_path):
    path = write_csv(tmp_path / "list.csv", [["氏名", "メール"], ["山田太郎", "t@example.jp"], ["x", "no"]])
    cli("import", str(path))
    _code, out, _ = cli("deliveries", "list", "--json")
    (delivery,) = json.loads(out)
    _code, out, _ = cli("deliveries", "show", str(delivery["id"]), "--json")
    shown = json.loads(out)
    assert shown["state"] == "processed" and shown["row_errors"][0]["value"] == "no"
    code, out, _ = cli("deliveries", "replay", "1", "--dry-run", "--json")
    assert code == 0 and json.loads(out)["diffs"] == []
    code, out, _ = cli("deliveries", "undo", "1")
    assert code == 0 and "undone" in out
    code, out, _ = cli("customers", "export", "--format", "csv")
    assert out.splitlines()[0].startswith("id,last_name,first_name")
    assert len(out.splitlines()) == 1


def test_csv_export_escapes_formulas(cli, tmp_path):
    path = write_csv(tmp_path / "f.csv", [["氏名", "メール", "メモ"], ["山田", "t@example.jp", "=cmd|' /C calc'!A0"]])
    cli("import", str(path))
    out_file = tmp_path / "out.csv"
    code, _, _ = cli("customers", "export", "--format", "csv", "--output", str(out_file))
    assert code == 0
    text = out_file.read_text(encoding="utf-8-sig")
    assert "'=cmd|' /C calc'!A0" in text
    code, out, _ = cli("customers", "export")
    assert json.loads(out)["memo"] == "=cmd|' /C calc'!A0"


def test_installed_script_runs(tmp_path):
    env = {**os.environ, "RENKEI_HOME": str(tmp_path / "h")}
    env.pop("RENKEI_DATABASE_URL", None)
    script = Path(sys.executable).with_name("renkei")
    done = subprocess.run(
        [str(script), "integrations", "list", "--json"], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == []
    assert (tmp_path / "h" / "renkei.db").exists()


def test_apply_leaves_a_status_it_does_not_name(cli, tmp_path):
    spec = tmp_path / "a.yaml"
    spec.write_text("integrations:\n  - name: 会員\n    kind: csv\n", encoding="utf-8")
    cli("apply", str(spec))
    cli("integrations", "stop", "会員")
    code, out, _ = cli("apply", str(spec))
    assert code == 0 and "unchanged" in out
    code, out, _ = cli("integrations", "list", "--json")
    assert json.loads(out)[0]["status"] == "stopped"
    spec.write_text("integrations:\n  - name: 会員\n    kind: csv\n    status: active\n", encoding="utf-8")
    cli("apply", str(spec))
    code, out, _ = cli("integrations", "list", "--json")
    assert json.loads(out)[0]["status"] == "active"


def test_adding_a_mail_integration_prints_its_inbox_address(cli):
    code, out, _ = cli("integrations", "add", "suumo", "SUUMO 渋谷店")
    assert code == 0
    address = re.search(r"Inbox address: (suumo-\d+-[0-9a-f]{25}@\S+)", out).group(1)
    code, listed, _ = cli("integrations", "list", "--json")
    assert json.loads(listed)[0]["inbox_address"] == address


def test_set_values_yaml_cannot_read_are_taken_as_text(cli):
    code, out, err = cli(
        "integrations", "add", "mail-csv", "会員", "--set", "allowed_senders=[@partner.example.jp, b@x.jp]",
        "--set", "notify.errors=[ops@example.jp]", "--json",
    )  # fmt: skip
    assert code == 0, err
    assert json.loads(out)["settings"]["allowed_senders"] == ["@partner.example.jp", "b@x.jp"]


def test_the_cli_says_how_many_values_were_left_out_and_lists_them(cli, tmp_path: Path):
    code, _, _ = cli("integrations", "add", "csv", "展示会", "--set", "mapping.bad_values=leave_out")
    assert code == 0
    path = write_csv(tmp_path / "fair.csv", [["氏名", "電話番号"], ["山田 太郎", "03-1234-567"]])
    code, out, _ = cli("import", "--integration", "展示会", "--dry-run", str(path))
    assert code == 0 and "row 2: would create" in out and "row 2, column 電話番号, value '03-1234-567'" in out
    code, out, _ = cli("import", "--integration", "展示会", str(path))
    assert code == 0, out
    assert "0 (+1 values left out)" in out
    assert "row 2, column 電話番号, value '03-1234-567'" in out and "the row was imported without this value" in out
    code, out, _ = cli("deliveries", "list", "--json")
    assert json.loads(out)[0]["left_out"] == 1


def test_update_changes_only_the_settings_named_and_never_prints_a_secret(cli):
    code, _, err = cli(
        "integrations", "add", "mail-csv", "会員", "--set", "allowed_senders=[@partner.example.jp]",
        "--set", "notify.errors=[ops@example.jp]", "--set", "notify.success=[boss@example.jp]",
    )  # fmt: skip
    assert code == 0, err
    code, out, err = cli(
        "integrations", "update", "会員", "--set", "file_password=Pa55-w0rd", "--set", "notify.errors=[it@example.jp]"
    )
    assert code == 0, err
    assert "Updated mail-csv integration '会員'" in out and "file_password" in out and "Pa55-w0rd" not in out
    code, out, _ = cli("integrations", "list", "--json")
    (listed,) = json.loads(out)
    assert listed["settings"]["file_password"] == "********"
    assert listed["settings"]["allowed_senders"] == ["@partner.example.jp"]  # not named: kept
    code, out, _ = cli("integrations", "update", "会員", "--set", "encoding=cp932", "--json")
    assert json.loads(out)["settings"]["encoding"] == "cp932" and "Pa55" not in out
    code, _, err = cli("integrations", "update", "ない", "--set", "encoding=cp932")
    assert code != 0 and "Error:" in err


def test_customers_show_lists_values_left_out_until_checked(cli, tmp_path):
    document = tmp_path / "fair.yaml"
    document.write_text("integrations:\n  - name: fair\n    kind: csv\n    mapping:\n      bad_values: leave_out\n")
    assert cli("apply", str(document))[0] == 0
    path = write_csv(
        tmp_path / "fair.csv", [["氏名", "メール", "電話番号"], ["山田太郎", "t@example.jp", "03-1234-567"]]
    )
    assert cli("import", "--integration", "fair", str(path))[0] == 0
    code, out, _ = cli("customers", "show", "1")
    assert code == 0 and "left out of delivery 1 (fair): 電話番号 '03-1234-567'" in out
    code, out, _ = cli("customers", "check-left-out", "1")
    assert code == 0 and "1 values left out marked checked" in out
    assert "left out of" not in cli("customers", "show", "1")[1]
    code, _, err = cli("customers", "check-left-out", "99")
    assert code != 0 and "Error: no customer 99" in err


def test_a_dry_run_and_a_customer_show_the_inquiries_a_list_brings(cli, tmp_path):
    rows = [
        ["タイムスタンプ", "お名前", "メールアドレス", "物件名", "お問い合わせ内容"],
        ["2026/11/03 14:22:05", "山田太郎", "t@example.jp", "サンプルハイツ", "見学希望\n土日がいいです"],
    ]
    path = write_csv(tmp_path / "form.csv", rows)
    code, out, _ = cli("import", "--dry-run", str(path))
    assert code == 0 and "+ inquiry 2026-11-03 14:22 · form.csv · サンプルハイツ · 見学希望 · 土日がいいです" in out
    code, out, _ = cli("import", "--dry-run", "--json", str(path))
    [row] = json.loads(out)[0]["rows"]
    assert (row["inquiry"]["received_at"], row["inquiry"]["message"]) == ("2026-11-03T14:22:05+09:00", rows[1][4])
    assert cli("import", str(path))[0] == 0
    customer_id = json.loads(cli("customers", "export")[1])["id"]
    code, out, _ = cli("customers", "show", str(customer_id))
    assert code == 0 and "2026-11-03 14:22" in out and "サンプルハイツ" in out and "土日がいいです" in out
    # The same list again under another name brings no inquiry the customer has not had.
    again = write_csv(tmp_path / "form-1104.csv", rows)
    code, out, _ = cli("import", "--dry-run", "--json", str(again))
    [row] = json.loads(out)[0]["rows"]
    assert (row["action"], row["inquiry"]) == ("unchanged", None)


def test_customers_list_pages_filters_and_names_the_next_page(cli, tmp_path):
    rows = [
        ["氏名", "メール", "タグ"],
        ["山田太郎", "t0@example.jp", ""],
        ["佐藤花子", "t1@example.jp", "展示会"],
        ["鈴木一郎", "t2@example.jp", "展示会"],
    ]
    assert cli("import", str(write_csv(tmp_path / "a.csv", rows)))[0] == 0
    code, out, _ = cli("customers", "list", "--limit", "2", "--json")
    page = json.loads(out)
    assert code == 0 and [c["last_name"] for c in page["items"]] == ["鈴木", "佐藤"]
    assert page["items"][0]["tags"] == ["展示会"]
    code, out, _ = cli("customers", "list", "--limit", "2", "--cursor", page["next_cursor"], "--json")
    assert [c["last_name"] for c in json.loads(out)["items"]] == ["山田"] and json.loads(out)["next_cursor"] is None
    code, out, _ = cli("customers", "list", "--limit", "2")
    assert code == 0 and "t2@example.jp" in out and f"more: --cursor {page['next_cursor']}" in out
    delivery_id = json.loads(cli("deliveries", "list", "--json")[1])[0]["id"]
    assert f"renkei customers list --delivery {delivery_id}" in cli("deliveries", "show", str(delivery_id))[1]
    code, out, _ = cli("customers", "list", "--delivery", str(delivery_id), "--tag", "展示会", "--json")
    assert [c["last_name"] for c in json.loads(out)["items"]] == ["鈴木", "佐藤"]
    code, out, _ = cli("customers", "list", "--owner", "誰か", "--json")
    assert json.loads(out)["items"] == []
    code, out, err = cli("customers", "list", "--limit", "500")
    assert code != 0 and "Error: limit 500: expected 1 to 200" in out + err


def test_inquiries_list_shows_each_with_its_customer(cli, tmp_path):
    rows = [["反響ID", "お名前", "メールアドレス", "物件名"], ["S-1", "山田太郎", "t@example.jp", "サンプルハイツ"]]
    assert cli("import", str(write_csv(tmp_path / "反響.csv", rows)))[0] == 0
    code, out, _ = cli("inquiries", "list", "--json")
    [inquiry] = json.loads(out)["items"]
    assert code == 0 and (inquiry["external_id"], inquiry["last_name"]) == ("S-1", "山田")
    code, out, _ = cli("inquiries", "list")
    assert code == 0 and "サンプルハイツ" in out and "#S-1" in out
    code, out, _ = cli("inquiries", "count", "--days", "7", "--json")
    assert code == 0 and json.loads(out) == []  # the list gives no times: counted by none
    code, out, err = cli("inquiries", "list", "--integration", "ない連携")
    assert code != 0 and "Error:" in out + err
