"""CSV files mailed as attachments (``mail-csv``), and the daily/monthly file-name rules."""

from __future__ import annotations

import json
from email.message import EmailMessage

import pytest
from sqlalchemy import select

from renkei.errors import ConfigurationError
from renkei.pipeline import batch
from renkei.pipeline import deliveries as delivery_service
from renkei.pipeline import integrations as integration_service
from renkei.pipeline import mail as mail_service
from renkei.store.schema import deliveries, integrations
from tests.conftest import other_workbook, workbook, write_csv
from tests.helpers import export
from tests.zips import aes_zip, protected_workbook, zip_bytes


def csv_mail(sender: str, files: dict[str, str], subject: str = "会員リスト") -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "inbox@inbox.localhost"
    message["Subject"] = subject
    message.set_content("添付します。")
    for name, text in files.items():
        message.add_attachment(text.encode("cp932"), maintype="text", subtype="csv", filename=name)
    return message.as_bytes()


def mail_csv(hub, **settings):
    data = {
        "name": "会員メール",
        "kind": "mail-csv",
        "settings": {"allowed_senders": ["@partner.example.jp"], **settings},
        "notify": {"errors": ["ops@example.jp"]},
    }
    return integration_service.add_integration(hub, data)


def test_attachments_from_an_allowed_sender_become_deliveries(hub):
    integration = mail_csv(hub)
    raw = csv_mail(
        "system@partner.example.jp",
        {
            "20261122.csv": "氏名,メール\r\n山田太郎,t@example.jp\r\n",
            "extra.csv": "氏名,メール\r\n鈴木花子,h@example.jp\r\n",
        },
    )
    result = mail_service.import_mail(hub, integration, raw)
    assert result.state == "processed" and len(result.children) == 2
    assert sorted(c["email"] for c in export(hub)) == ["h@example.jp", "t@example.jp"]
    children = [delivery_service.get_delivery(hub, child) for child in result.children]
    assert {(d.file_name, d.state, d.channel) for d in children} == {
        ("20261122.csv", "processed", "mail"),
        ("extra.csv", "processed", "mail"),
    }


def test_a_file_of_the_same_name_replaces_the_earlier_one(hub):
    integration = mail_csv(hub)
    mail_service.import_mail(
        hub, integration, csv_mail("a@partner.example.jp", {"list.csv": "メール\r\nold@example.jp\r\n"})
    )
    mail_service.import_mail(
        hub, integration, csv_mail("a@partner.example.jp", {"list.csv": "メール\r\nnew@example.jp\r\n"})
    )
    assert [c["email"] for c in export(hub)] == ["new@example.jp"]


def test_other_senders_are_quarantined_and_mails_without_csv_fail(hub):
    integration = mail_csv(hub)
    refused = mail_service.import_mail(
        hub, integration, csv_mail("x@evil.example", {"a.csv": "メール\r\na@example.jp\r\n"})
    )
    assert refused.state == "quarantined" and "x@evil.example" in refused.reason
    bare = mail_service.import_mail(hub, integration, csv_mail("a@partner.example.jp", {}))
    assert bare.state == "failed" and "no CSV or spreadsheet (.xlsx, .xls, .xlsb, .ods) attachment" in bare.reason
    assert export(hub) == []


def test_stopped_integration_keeps_the_mail_but_does_not_process_it(hub):
    integration = mail_csv(hub)
    integration_service.set_status(hub, integration.name, "stopped")
    stopped = integration_service.integration_by_name(hub, integration.name)
    result = mail_service.import_mail(
        hub, stopped, csv_mail("a@partner.example.jp", {"a.csv": "メール\r\na@example.jp\r\n"})
    )
    assert result.state == "ignored" and export(hub) == []


def test_allowed_senders_are_required(hub):
    with pytest.raises(ConfigurationError, match="allowed_senders"):
        integration_service.add_integration(hub, {"name": "x", "kind": "mail-csv"})


def test_error_report_addresses_are_required_and_must_be_addresses(hub):
    settings = {"allowed_senders": ["@partner.example.jp"]}
    with pytest.raises(ConfigurationError, match=r"notify\.errors: a mail-csv integration needs"):
        integration_service.add_integration(hub, {"name": "x", "kind": "mail-csv", "settings": settings})
    with pytest.raises(ConfigurationError, match=r"'ops-at-example\.jp'"):
        integration_service.add_integration(
            hub, {"name": "x", "kind": "mail-csv", "settings": settings, "notify": {"errors": ["ops-at-example.jp"]}}
        )
    added = integration_service.add_integration(
        hub,
        {
            "name": "x",
            "kind": "mail-csv",
            "settings": settings,
            "notify": {"errors": ["ＯＰＳ@Example.jp", "ops@example.jp"]},
        },
    )
    assert added.spec.notify.errors == ["ops@example.jp"]


def test_daily_rule_refuses_other_names_with_a_reason(hub, tmp_path):
    integration = mail_csv(hub, file_names="daily")
    result = mail_service.import_mail(
        hub,
        integration,
        csv_mail(
            "a@partner.example.jp",
            {"members.csv": "メール\r\na@example.jp\r\n", "20261122.csv": "メール\r\nb@example.jp\r\n"},
        ),
    )
    states = {
        delivery_service.get_delivery(hub, c).file_name: delivery_service.get_delivery(hub, c) for c in result.children
    }
    assert states["20261122.csv"].state == "processed"
    assert states["members.csv"].state == "failed" and "yyyymmdd" in states["members.csv"].reason
    integration_service.apply_file(
        hub, {"integrations": [{"name": "monthly", "kind": "csv", "settings": {"file_names": "monthly"}}]}
    )
    monthly = integration_service.integration_by_name(hub, "monthly")
    ok = delivery_service.import_file(
        hub, monthly, write_csv(tmp_path / "20261100.csv", [["メール"], ["c@example.jp"]])
    )
    bad = delivery_service.import_file(
        hub, monthly, write_csv(tmp_path / "20261122.csv", [["メール"], ["d@example.jp"]])
    )
    assert (ok.state, bad.state) == ("processed", "failed")
    assert "yyyymm00" in bad.reason


def test_an_excel_workbook_attached_is_imported_and_replaced_by_its_next_version(hub, tmp_path):

    def xlsx_mail(rows: list[list[object]]) -> bytes:
        message = EmailMessage()
        message["From"] = "system@partner.example.jp"
        message["To"] = "inbox@inbox.localhost"
        message["Subject"] = "会員リスト"
        message.set_content("添付します。")
        data = workbook(tmp_path / "members.xlsx", rows).read_bytes()
        # Mailers name the type, or say only application/octet-stream: the name is enough.
        message.add_attachment(data, maintype="application", subtype="octet-stream", filename="会員.xlsx")
        return message.as_bytes()

    integration = mail_csv(hub)
    first = mail_service.import_mail(hub, integration, xlsx_mail([["氏名", "メール"], ["山田太郎", "t@example.jp"]]))
    assert first.state == "processed" and len(first.children) == 1
    assert delivery_service.get_delivery(hub, first.children[0]).file_name == "会員.xlsx"
    mail_service.import_mail(hub, integration, xlsx_mail([["氏名", "メール"], ["鈴木花子", "h@example.jp"]]))
    assert [c["email"] for c in export(hub)] == ["h@example.jp"]


def test_an_xls_workbook_attached_as_excel_sends_it_is_imported(hub, tmp_path):
    message = EmailMessage()
    message["From"] = "system@partner.example.jp"
    message["To"] = "inbox@inbox.localhost"
    message["Subject"] = "会員リスト"
    message.set_content("添付します。")
    data = other_workbook("xls", tmp_path / "members.xls", [["氏名", "メール"], ["山田太郎", "t@example.jp"]])
    message.add_attachment(data.read_bytes(), maintype="application", subtype="vnd.ms-excel", filename="会員.xls")
    result = mail_service.import_mail(hub, mail_csv(hub), message.as_bytes())
    assert result.state == "processed" and len(result.children) == 1
    child = delivery_service.get_delivery(hub, result.children[0])
    assert (child.file_name, child.state) == ("会員.xls", "processed")
    assert [c["email"] for c in export(hub)] == ["t@example.jp"]


def zip_mail(data: bytes, name: str = "会員リスト.zip", subject: str = "会員リスト") -> bytes:
    message = EmailMessage()
    message["From"] = "system@partner.example.jp"
    message["To"] = "inbox@inbox.localhost"
    message["Subject"] = subject
    message.set_content("添付します。パスワードは別途お送りします。")
    message.add_attachment(data, maintype="application", subtype="x-zip-compressed", filename=name)
    return message.as_bytes()


ZIPPED_CSV = "氏名,メール\r\n山田太郎,t@example.jp\r\n".encode("cp932")


def test_a_zip_attachments_csv_is_imported_under_its_own_name(hub):
    # Windows' "送る → 圧縮(zip形式)フォルダー" on a Japanese PC: the member's name in CP932, no UTF-8 flag.
    integration = mail_csv(hub)
    result = mail_service.import_mail(
        hub, integration, zip_mail(zip_bytes({"会員/20261122.csv": ZIPPED_CSV}, names="cp932"))
    )
    assert result.state == "processed" and len(result.children) == 1
    child = delivery_service.get_delivery(hub, result.children[0])
    assert (child.file_name, child.state) == ("20261122.csv", "processed")
    assert [c["email"] for c in export(hub)] == ["t@example.jp"]
    # The next day's archive holding a file of the same name replaces what the first brought.
    newer = "氏名,メール\r\n鈴木花子,h@example.jp\r\n".encode("cp932")
    mail_service.import_mail(hub, integration, zip_mail(zip_bytes({"20261122.csv": newer})))
    assert [c["email"] for c in export(hub)] == ["h@example.jp"]


def test_an_encrypted_zip_fails_until_its_password_is_set_and_then_replays(hub):
    # PPAP: the ZIP in one mail, its password in the next. Without the password the mail fails with
    # what to do; once it is set, replaying the archived mail imports the file.
    integration = mail_csv(hub)
    first = mail_service.import_mail(
        hub, integration, zip_mail(zip_bytes({"members.csv": ZIPPED_CSV}, password=b"Pa55"))
    )
    assert first.state == "failed"
    assert (
        first.reason
        == "会員リスト.zip is encrypted: set the integration's file_password (the password its sender uses)"
    )
    notice = csv_mail("system@partner.example.jp", {}, subject="【パスワードのお知らせ】会員リスト")
    told = mail_service.import_mail(hub, integration, notice)
    assert told.state == "not-a-lead" and "password notice" in told.reason
    integration_service.update_integration(hub, integration.id, {"settings": {"file_password": "Pa55"}})
    with hub.engine.connect() as conn:
        row = conn.execute(select(integrations.c.settings, integrations.c.secrets)).one()
    assert "Pa55" not in json.dumps(row.settings) + (row.secrets or "")  # encrypted at rest
    updated = integration_service.integration_by_name(hub, integration.name)
    assert updated.shown_settings()["file_password"] == "********"
    replayed = delivery_service.replay_delivery(hub, first.delivery_id)
    assert replayed.state == "processed" and len(replayed.children) == 1
    assert [c["email"] for c in export(hub)] == ["t@example.jp"]
    # Replaying it again lands nothing new: its file is already a delivery of its own.
    again = delivery_service.replay_delivery(hub, first.delivery_id)
    assert (again.state, again.children) == ("processed", []) and "(duplicate)" in again.reason
    assert len(export(hub)) == 1


def test_an_aes_zip_opens_with_its_password_and_a_wrong_one_is_named(hub):
    integration = mail_csv(hub, file_password="correct horse")
    wrong = mail_service.import_mail(hub, integration, zip_mail(aes_zip({"a.csv": ZIPPED_CSV}, b"battery staple")))
    assert (wrong.state, wrong.reason) == ("failed", "会員リスト.zip: the file_password does not open a.csv")
    right = mail_service.import_mail(
        hub, integration, zip_mail(aes_zip({"a.csv": ZIPPED_CSV}, b"correct horse"), "b.zip")
    )
    assert right.state == "processed" and [c["email"] for c in export(hub)] == ["t@example.jp"]


def test_a_zip_without_a_csv_or_expanding_past_the_limit_fails_and_imports_nothing(hub, monkeypatch):
    integration = mail_csv(hub)
    empty = mail_service.import_mail(hub, integration, zip_mail(zip_bytes({"readme.pdf": b"%PDF"})))
    assert (empty.state, empty.reason) == ("failed", "会員リスト.zip holds no CSV or spreadsheet file")
    monkeypatch.setenv("RENKEI_UNZIP_MAX_BYTES", "1000")
    bomb = mail_service.import_mail(hub, integration, zip_mail(zip_bytes({"big.csv": ZIPPED_CSV * 100}), "big.zip"))
    assert bomb.state == "failed" and "big.csv expands past 1,000 bytes" in bomb.reason
    assert export(hub) == []


def test_undoing_the_mail_takes_back_what_its_files_brought(hub):
    integration = mail_csv(hub)
    raw = csv_mail("system@partner.example.jp", {"a.csv": "氏名,メール\r\n山田太郎,t@example.jp\r\n"})
    result = mail_service.import_mail(hub, integration, raw)
    assert [c["email"] for c in export(hub)] == ["t@example.jp"]
    delivery_service.undo_delivery(hub, result.delivery_id)
    assert export(hub) == []
    assert delivery_service.get_delivery(hub, result.children[0]).state == "undone"


def workbook_mail(tmp_path, password: str) -> bytes:
    """A mail carrying a password-protected workbook (パスワード付きExcel) as PPAP sends it."""
    plain = workbook(tmp_path / "plain.xlsx", [["氏名", "メール"], ["山田太郎", "t@example.jp"]]).read_bytes()
    message = EmailMessage()
    message["From"] = "system@partner.example.jp"
    message["To"] = "inbox@inbox.localhost"
    message["Subject"] = "会員リスト"
    message.set_content("添付します。パスワードは別途お送りします。")
    message.add_attachment(
        protected_workbook(plain, password), maintype="application", subtype="octet-stream", filename="会員.xlsx"
    )
    return message.as_bytes()


def test_a_password_protected_workbook_attached_opens_with_the_file_password(hub, tmp_path):
    # パスワード付きExcel: the workbook itself encrypted, its password sent in another mail.
    integration = mail_csv(hub)
    first = mail_service.import_mail(hub, integration, workbook_mail(tmp_path, "Pa55"))
    child = delivery_service.get_delivery(hub, first.children[0])
    assert (child.state, child.reason) == (
        "failed",
        "会員.xlsx is protected by a password: set the integration's file_password (the password its sender uses)",
    )
    integration_service.update_integration(hub, integration.id, {"settings": {"file_password": "Pa55"}})
    assert delivery_service.replay_delivery(hub, child.id).state == "processed"
    assert [c["email"] for c in export(hub)] == ["t@example.jp"]


def notice_mail(text: str, sender: str = "system@partner.example.jp", n: int = 1) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "inbox@inbox.localhost"
    message["Subject"] = "【パスワードのお知らせ】会員リスト"
    message["Message-ID"] = f"<notice{n}@partner.example.jp>"
    message.set_content(text)
    return message.as_bytes()


def test_the_password_mail_opens_the_zip_its_sender_mailed_before(hub):
    # PPAP with a new password for every ZIP: nothing is set on the integration. The ZIP's mail
    # fails; the password mail after it opens it, and the files are imported.
    integration = mail_csv(hub)
    zipped = mail_service.import_mail(hub, integration, zip_mail(aes_zip({"会員.csv": ZIPPED_CSV}, b"x7#Kp2!q")))
    assert zipped.state == "failed"
    told = mail_service.import_mail(
        hub, integration, notice_mail("先ほどお送りしたファイルのパスワードです。\n\nパスワード：x7#Kp2!q\n\n以上")
    )
    assert told.state == "not-a-lead"
    [(name, replayed)] = told.child_results
    assert (name, replayed.state) == (f"mail {zipped.delivery_id}", "processed")
    assert [c["email"] for c in export(hub)] == ["t@example.jp"]
    assert delivery_service.get_delivery(hub, zipped.delivery_id).state == "processed"
    assert "its password opened the ZIP of delivery" in delivery_service.get_delivery(hub, told.delivery_id).reason
    # Kept encrypted with the mail's delivery: never in plain text, and a later replay opens it again.
    with hub.engine.connect() as conn:
        stored = json.dumps(
            [dict(row._mapping) for row in conn.execute(select(deliveries.c.meta, deliveries.c.reason))]
        )
    assert "x7#Kp2!q" not in stored
    again = delivery_service.replay_delivery(hub, zipped.delivery_id)
    assert again.state == "processed" and len(export(hub)) == 1


def test_a_password_mail_from_another_sender_or_with_another_password_opens_nothing(hub):
    integration = mail_csv(hub)
    zipped = mail_service.import_mail(
        hub, integration, zip_mail(zip_bytes({"会員.csv": ZIPPED_CSV}, password=b"right-one"))
    )
    other = mail_service.import_mail(
        hub, integration, notice_mail("パスワード：right-one", sender="someone@partner.example.jp")
    )
    wrong = mail_service.import_mail(hub, integration, notice_mail("パスワード：wrong-one", n=2))
    assert (other.child_results, wrong.child_results) == ([], [])
    assert delivery_service.get_delivery(hub, zipped.delivery_id).state == "failed"
    assert export(hub) == []


def test_the_inbox_worker_opens_a_zip_with_the_password_mail_of_the_same_batch(hub):
    integration = mail_csv(hub)
    raws = [
        zip_mail(zip_bytes({"会員.csv": ZIPPED_CSV}, password=b"Abc12345")),
        notice_mail("【パスワード】\nAbc12345"),
    ]
    ids = [mail_service.receive_mail(hub, integration, raw, channel="smtp")[0].id for raw in raws]
    results = batch.process_mails(hub, ids)
    assert results[ids[1]].state == "not-a-lead" and [r.state for _, r in results[ids[1]].child_results] == [
        "processed"
    ]
    assert [c["email"] for c in export(hub)] == ["t@example.jp"]


def test_a_password_mail_that_came_first_opens_the_zip_mail_after_it(hub):
    # The two mails may arrive (or be processed) in either order.
    integration = mail_csv(hub)
    told = mail_service.import_mail(hub, integration, notice_mail("解凍パスワード　Zq9-4471"))
    assert (told.state, told.child_results) == ("not-a-lead", [])
    with hub.engine.connect() as conn:
        stored = json.dumps([row.meta for row in conn.execute(select(deliveries.c.meta))])
    assert "Zq9-4471" not in stored  # what it told is kept encrypted
    zipped = mail_service.import_mail(
        hub, integration, zip_mail(zip_bytes({"会員.csv": ZIPPED_CSV}, password=b"Zq9-4471"))
    )
    assert zipped.state == "processed"  # failed for want of its password, then opened
    [(name, child)] = zipped.child_results
    assert (name, child.state, child.counts.created) == ("会員.csv", "processed", 1)
    assert [c["email"] for c in export(hub)] == ["t@example.jp"]
    assert delivery_service.get_delivery(hub, zipped.delivery_id).state == "processed"


def test_the_password_mail_opens_the_protected_workbook_its_sender_mailed_either_order(hub, tmp_path):
    # パスワード付きExcel with its password in the next mail: no setting, as for a ZIP.
    integration = mail_csv(hub)
    mailed = mail_service.import_mail(hub, integration, workbook_mail(tmp_path, "Wb7-3390"))
    [child] = mailed.children
    assert delivery_service.get_delivery(hub, child).state == "failed"
    told = mail_service.import_mail(hub, integration, notice_mail("パスワード：Wb7-3390"))
    [(name, replayed)] = told.child_results
    assert (name, replayed.delivery_id, replayed.state) == ("会員.xlsx", child, "processed")
    assert [c["email"] for c in export(hub)] == ["t@example.jp"]
    assert (
        f"its password opened the workbook of delivery {child}"
        in delivery_service.get_delivery(hub, told.delivery_id).reason
    )
    with hub.engine.connect() as conn:
        stored = json.dumps([row.meta for row in conn.execute(select(deliveries.c.meta))])
    assert "Wb7-3390" not in stored  # kept encrypted with the file's delivery
    again = delivery_service.replay_delivery(hub, child)
    assert again.state == "processed" and len(export(hub)) == 1
    # The password mail first: the workbook is opened as it comes.
    first = mail_service.import_mail(hub, integration, notice_mail("パスワード：Qq2-8871", n=2))
    assert first.state == "not-a-lead"
    later = mail_service.import_mail(hub, integration, workbook_mail(tmp_path, "Qq2-8871"))
    [(name, opened)] = later.child_results
    assert (name, opened.state) == ("会員.xlsx", "processed")


def test_the_inbox_worker_opens_a_protected_workbook_with_the_password_mail_of_the_same_batch(hub, tmp_path):
    # Over SMTP both mails land in one batch, and the workbook is landed after the password mail.
    integration = mail_csv(hub)
    raws = [workbook_mail(tmp_path, "Kx7-5521"), notice_mail("パスワード：Kx7-5521")]
    ids = [mail_service.receive_mail(hub, integration, raw, channel="smtp")[0].id for raw in raws]
    results = batch.process_mails(hub, ids)
    assert results[ids[1]].state == "not-a-lead"
    assert [(name, r.state) for name, r in results[ids[1]].child_results] == [("会員.xlsx", "processed")]
    assert [c["email"] for c in export(hub)] == ["t@example.jp"]


def test_a_password_mail_from_another_sender_opens_no_protected_workbook(hub, tmp_path):
    integration = mail_csv(hub)
    mailed = mail_service.import_mail(hub, integration, workbook_mail(tmp_path, "Wb7-3390"))
    other = mail_service.import_mail(
        hub, integration, notice_mail("パスワード：Wb7-3390", sender="someone@partner.example.jp")
    )
    assert other.child_results == []
    assert delivery_service.get_delivery(hub, mailed.children[0]).state == "failed"
    assert export(hub) == []


def test_a_workbook_a_mailer_labelled_as_a_zip_is_read_as_the_workbook(hub, tmp_path):
    # An .xlsx is a ZIP inside: some mailers send it as application/zip. Its name says what it is.
    data = workbook(tmp_path / "members.xlsx", [["氏名", "メール"], ["山田太郎", "t@example.jp"]]).read_bytes()
    result = mail_service.import_mail(hub, mail_csv(hub), zip_mail(data, name="会員.xlsx"))
    assert result.state == "processed" and [c["email"] for c in export(hub)] == ["t@example.jp"]
