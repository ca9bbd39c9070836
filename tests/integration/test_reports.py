"""Report mails: queued with the delivery's result, sent through a real SMTP relay on loopback.

The relay is an aiosmtpd sink; the sender's single pass is driven directly with an injected
``now``, so retries and backoff are checked without waiting.
"""

from __future__ import annotations

import csv
import io
import json
import time
from collections.abc import Iterator
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from sqlalchemy import select
from typer.testing import CliRunner

from renkei.channels import outbox as outbox_sender
from renkei.cli.main import app
from renkei.errors import ConfigurationError
from renkei.pipeline import deliveries as delivery_service
from renkei.pipeline import integrations as integration_service
from renkei.pipeline import mail as mail_service
from renkei.pipeline import notify
from renkei.pipeline.hub import Hub, utcnow
from renkei.pipeline.relay import RelaySettings, current_relay, relay_from_env
from renkei.store.schema import outbox
from renkei.store.schema import settings as settings_table
from tests.conftest import write_csv
from tests.helpers import export, free_port
from tests.integration.test_mail_csv import ZIPPED_CSV, mail_csv, notice_mail, workbook_mail, zip_mail
from tests.zips import zip_bytes

ERRORS_TO = "ops@example.jp"
SUCCESS_TO = "sales@example.jp"


class Sink:
    """An SMTP relay that keeps what it is given."""

    def __init__(self) -> None:
        self.mails: list[tuple[str, list[str], EmailMessage]] = []

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if address.startswith("nobody@"):
            return "550 5.1.1 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        message = message_from_bytes(envelope.content, policy=policy.default)  # type: ignore[arg-type]
        self.mails.append((str(envelope.mail_from), list(envelope.rcpt_tos), message))  # type: ignore[arg-type]
        return "250 OK"


@pytest.fixture
def relay() -> Iterator[tuple[RelaySettings, Sink]]:
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield (
            RelaySettings(host="127.0.0.1", port=controller.port, security="none", from_address="renkei@example.jp"),
            sink,
        )
    finally:
        controller.stop()


def add_csv(hub: Hub, errors: list[str] | None = None, success: list[str] | None = None) -> Any:
    document = {
        "integrations": [
            {"name": "会員CSV", "kind": "csv", "notify": {"errors": errors or [], "success": success or []}}
        ]
    }
    integration_service.apply_file(hub, document)
    return integration_service.integration_by_name(hub, "会員CSV")


def good_file(tmp_path: Path, name: str = "good.csv", email: str = "a@example.jp") -> Path:
    return write_csv(tmp_path / name, [["氏名", "メール"], ["山田", email]])


def empty_file(tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    path.write_bytes(b"\xef\xbb\xbf")
    return path


def rows(hub: Hub) -> list[Any]:
    with hub.engine.connect() as conn:
        return list(conn.execute(select(outbox).order_by(outbox.c.id)).all())


def send(hub: Hub, relay: RelaySettings, now: Any = None) -> outbox_sender.Pass:
    return outbox_sender.send_due(hub.engine, relay, now=now)


def test_row_errors_bring_one_mail_with_every_error_as_csv(hub, tmp_path, relay):
    settings, sink = relay
    integration = add_csv(hub, errors=[ERRORS_TO], success=[SUCCESS_TO])
    path = write_csv(
        tmp_path / "members.csv",
        [
            ["氏名", "メール", "電話番号"],
            ["山田", "a@example.jp", ""],
            ["佐藤", "b@example.jp", "12"],
            ["鈴木", "", "=1+2"],
        ],
    )
    result = delivery_service.import_file(hub, integration, path)
    assert result.state == "processed" and result.counts.errors == 2

    assert send(hub, settings).sent == 1
    [(sender, recipients, mail)] = sink.mails
    assert (sender, recipients) == ("renkei@example.jp", [ERRORS_TO])
    assert mail["Subject"] == "[Renkei] 連携エラー: 会員CSV (members.csv)"
    body = mail.get_body(("plain",)).get_content()
    assert "一部エラー" in body and "エラー 2 件" in body and "Row errors" in body
    assert body.index("連携:") < body.index("Integration:")
    # Each part lists the row errors in its own language.
    japanese, english = body[: body.index("Integration:")], body[body.index("Integration:") :]
    assert "3行目 [電話番号] '12': 電話番号の桁数が足りません" in japanese
    assert "row 3 [電話番号] '12': Phone number is too short" in english
    assert "Phone number" not in japanese and "行目" not in english
    [attachment] = list(mail.iter_attachments())
    assert attachment.get_filename() == f"renkei-errors-{result.delivery_id}.csv"
    assert attachment.get_content_type() == "text/csv"
    raw = attachment.get_payload(decode=True)
    assert raw.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert table[0] == ["行 (line)", "列 (column)", "値 (value)", "理由", "reason", "顧客ID (customer)"]
    assert table[1] == ["3", "電話番号", "12", "電話番号の桁数が足りません", "Phone number is too short", ""]
    # A cell a spreadsheet would run as a formula arrives as text.
    assert table[2][:3] == ["4", "電話番号", "'=1+2"]
    assert len(table) == 3
    assert [r.state for r in rows(hub)] == ["sent"]


def test_a_clean_import_mails_counts_only_to_success_addresses(hub, tmp_path, relay):
    settings, sink = relay
    integration = add_csv(hub, errors=[ERRORS_TO])
    assert delivery_service.import_file(hub, integration, good_file(tmp_path)).counts.created == 1
    assert rows(hub) == []

    integration = add_csv(hub, errors=[ERRORS_TO], success=[SUCCESS_TO, "boss@example.jp"])
    delivery_service.import_file(hub, integration, good_file(tmp_path, "second.csv", "b@example.jp"))
    assert send(hub, settings).sent == 1
    [(_, recipients, mail)] = sink.mails
    assert recipients == [SUCCESS_TO, "boss@example.jp"]
    assert mail["Subject"] == "[Renkei] 連携完了: 会員CSV (second.csv)"
    assert "新規 1 件" in mail.get_body(("plain",)).get_content()
    assert list(mail.iter_attachments()) == []


def test_reports_link_the_delivery_and_its_customers_on_the_hubs_public_address(hub, tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("RENKEI_PUBLIC_URL", "https://renkei.example.co.jp/")
    integration = add_csv(hub, errors=[ERRORS_TO], success=[SUCCESS_TO])
    done = delivery_service.import_file(hub, integration, good_file(tmp_path))
    failed = delivery_service.import_file(hub, integration, empty_file(tmp_path, "empty.csv"))
    success, error = rows(hub)
    base = "https://renkei.example.co.jp"
    assert f"詳細: {base}/deliveries/{done.delivery_id}" in success.body
    assert f"顧客: {base}/customers?delivery={done.delivery_id}" in success.body
    assert f"Customers: {base}/customers?delivery={done.delivery_id}" in success.body
    assert f"詳細: {base}/deliveries/{failed.delivery_id}" in error.body
    assert "顧客: " not in error.body  # it brought nobody
    # An address that is no URL is left out, said in the log: the report still goes.
    monkeypatch.setenv("RENKEI_PUBLIC_URL", "renkei.example.co.jp")
    monkeypatch.setattr(notify, "_WARNED", set())
    delivery_service.import_file(hub, integration, good_file(tmp_path, "again.csv", "b@example.jp"))
    assert "詳細: " not in rows(hub)[-1].body and caplog.text.count("RENKEI_PUBLIC_URL") == 1  # said once


def test_a_success_report_names_the_inquiries_it_brought(hub, tmp_path, monkeypatch):
    monkeypatch.setenv("RENKEI_PUBLIC_URL", "https://renkei.example.co.jp")
    integration = add_csv(hub, success=[SUCCESS_TO])
    header = ["反響日時", "お名前", "メールアドレス", "物件名", "お問い合わせ内容", "媒体"]
    leads = [
        ["2026/11/03 10:00", "山田 太郎", "t@example.jp", "サンプルハイツ", "見学希望です\n土日で", "SUUMO"],
        *[[f"2026/11/04 1{n}:00", "", f"u{n}@example.jp", "パーク", "", "HOME'S"] for n in range(10)],
    ]
    delivery_service.import_file(hub, integration, write_csv(tmp_path / "反響.csv", [header, *leads]))
    [mail] = rows(hub)
    customer = next(c for c in export(hub) if c["last_name"] == "山田")
    assert "反響 (10 件 / 全 11 件):" in mail.body and "Inquiries (10 of 11):" in mail.body
    line = f"  - 山田 太郎 様 (顧客 #{customer['id']} https://renkei.example.co.jp/customers/{customer['id']}): "
    assert line + "SUUMO · サンプルハイツ · 2026-11-03 10:00 · 見学希望です" in mail.body
    assert "  - (顧客 #" in mail.body and "  -  (" not in mail.body  # a lead known by its address only


def test_a_portal_mails_success_report_names_its_lead(hub):
    integration = integration_service.add_integration(
        hub, {"name": "SUUMO", "kind": "suumo", "notify": {"success": [SUCCESS_TO]}}
    )
    rental = Path(__file__).resolve().parents[1] / "cases" / "portals" / "suumo" / "rental.eml"
    mail_service.import_mail(hub, integration, rental.read_bytes())
    [mail] = rows(hub)
    assert mail.subject.startswith("[Renkei] 連携完了: SUUMO") and "反響 (1 件):" in mail.body
    assert "  - 山田 太郎 様 (顧客 #" in mail.body and "SUUMO · サンプルハイツ①" in mail.body
    assert "  - 山田 太郎 (customer #" in mail.body


def test_a_daily_export_that_ends_with_its_total_is_a_clean_import(hub, tmp_path):
    # The lines passed over (the total, the header again) are notes: the success mail goes, the
    # error report does not, and the integration never turns failing over them.
    integration = add_csv(hub, errors=[ERRORS_TO], success=[SUCCESS_TO])
    path = write_csv(tmp_path / "daily.csv", [["氏名", "メール"], ["山田", "a@example.jp"], ["以上", ""]])
    result = delivery_service.import_file(hub, integration, path)
    assert (result.counts.created, result.counts.errors) == (1, 0)
    [mail] = rows(hub)
    assert mail.recipients == [SUCCESS_TO] and mail.subject == "[Renkei] 連携完了: 会員CSV (daily.csv)"


def test_a_relay_that_is_down_leaves_the_mail_queued_until_it_is_back(hub, tmp_path, relay):
    settings, sink = relay
    integration = add_csv(hub, errors=[ERRORS_TO])
    delivery_service.import_file(hub, integration, empty_file(tmp_path, "empty.csv"))
    down = settings.model_copy(update={"port": free_port()})
    now = utcnow()

    done = send(hub, down, now)
    assert (done.sent, done.retried) == (0, 1)
    [row] = rows(hub)
    assert (row.state, row.attempts) == ("queued", 1)
    assert row.last_error and "Connection" in row.last_error
    assert row.next_attempt_at.replace(tzinfo=None) == (now + timedelta(minutes=1)).replace(tzinfo=None)
    assert send(hub, settings, now + timedelta(seconds=30)).sent == 0  # not due yet
    assert sink.mails == []

    assert send(hub, settings, now + timedelta(minutes=2)).sent == 1
    [row] = rows(hub)
    assert (row.state, row.attempts, row.last_error) == ("sent", 2, None)
    assert len(sink.mails) == 1


def test_backoff_doubles_up_to_an_hour_and_gives_up_after_ten_attempts(hub, tmp_path, relay):
    settings, _ = relay
    integration = add_csv(hub, errors=[ERRORS_TO])
    delivery_service.import_file(hub, integration, empty_file(tmp_path, "empty.csv"))
    down = settings.model_copy(update={"port": free_port()})
    now = utcnow()
    waits = []
    for _ in range(outbox_sender.MAX_ATTEMPTS):
        [row] = rows(hub)
        now = max(now, row.next_attempt_at.replace(tzinfo=now.tzinfo))
        send(hub, down, now)
        [after] = rows(hub)
        if after.state == "queued":
            waits.append(after.next_attempt_at.replace(tzinfo=now.tzinfo) - now)
    assert [w.total_seconds() / 60 for w in waits] == [1, 2, 4, 8, 16, 32, 60, 60, 60]
    [row] = rows(hub)
    assert (row.state, row.attempts) == ("failed", 10)


def test_failing_after_three_failures_one_mail_then_one_recovery_mail(hub, tmp_path, relay):
    settings, sink = relay
    integration = add_csv(hub, errors=[ERRORS_TO])
    for n in range(5):
        result = delivery_service.import_file(hub, integration, empty_file(tmp_path, f"empty{n}.csv"), force=True)
        assert result.state == "failed"
        status = integration_service.integration_by_name(hub, "会員CSV")
        assert status.spec.status == ("failing" if n >= 2 else "active")
    assert "3 deliveries in a row failed" in (status.status_reason or "")
    send(hub, settings)
    subjects = [mail["Subject"] for _, _, mail in sink.mails]
    assert subjects == [
        "[Renkei] 連携エラー: 会員CSV (empty0.csv)",
        "[Renkei] 連携エラー: 会員CSV (empty1.csv)",
        "[Renkei] 連携失敗: 会員CSV",
    ]

    delivery_service.import_file(hub, integration, good_file(tmp_path))
    assert integration_service.integration_by_name(hub, "会員CSV").spec.status == "active"
    send(hub, settings)
    assert [mail["Subject"] for _, _, mail in sink.mails[3:]] == ["[Renkei] 連携復旧: 会員CSV"]

    # Counting starts again: one failure is one error mail, not a new 連携失敗.
    delivery_service.import_file(hub, integration, empty_file(tmp_path, "again.csv"), force=True)
    send(hub, settings)
    assert [mail["Subject"] for _, _, mail in sink.mails[4:]] == ["[Renkei] 連携エラー: 会員CSV (again.csv)"]


def test_duplicates_count_neither_way(hub, tmp_path):
    integration = add_csv(hub, errors=[ERRORS_TO], success=[SUCCESS_TO])
    good = good_file(tmp_path)
    assert delivery_service.import_file(hub, integration, good).state == "processed"
    for n in range(2):
        delivery_service.import_file(hub, integration, empty_file(tmp_path, f"empty{n}.csv"), force=True)
    # A duplicate of the good file neither breaks the run of failures nor brings a mail.
    assert delivery_service.import_file(hub, integration, good).state == "duplicate"
    assert integration_service.integration_by_name(hub, "会員CSV").spec.status == "active"
    delivery_service.import_file(hub, integration, empty_file(tmp_path, "empty2.csv"), force=True)
    assert integration_service.integration_by_name(hub, "会員CSV").spec.status == "failing"
    assert [r.subject.split(":")[0] for r in rows(hub)] == [
        "[Renkei] 連携完了",
        "[Renkei] 連携エラー",
        "[Renkei] 連携エラー",
        "[Renkei] 連携失敗",
    ]


def test_a_rolled_back_delivery_leaves_no_mail(hub, tmp_path, relay, monkeypatch):
    integration = add_csv(hub, errors=[ERRORS_TO], success=[SUCCESS_TO])

    def crash(*_: Any) -> None:
        raise RuntimeError("power cut before commit")

    monkeypatch.setattr(delivery_service, "AFTER_DELIVERY", [*delivery_service.AFTER_DELIVERY, crash])
    with pytest.raises(RuntimeError):
        delivery_service.import_file(hub, integration, empty_file(tmp_path, "empty.csv"))
    with pytest.raises(RuntimeError):
        delivery_service.import_file(hub, integration, good_file(tmp_path))
    assert rows(hub) == []
    assert {d.state for d in delivery_service.list_deliveries(hub)} == {"received"}


def test_relay_settings_from_the_environment_never_show_the_password():
    relay = relay_from_env(
        {
            "RENKEI_SMTP_RELAY_HOST": "smtp.example.jp",
            "RENKEI_SMTP_RELAY_USER": "renkei",
            "RENKEI_SMTP_RELAY_PASSWORD": "hunter2-secret",
        }
    )
    assert relay is not None
    assert (relay.port, relay.security, relay.from_address.startswith("renkei@")) == (587, "starttls", True)
    assert "hunter2" not in repr(relay) + relay.describe()
    assert relay_from_env({}) is None


def test_a_stored_relay_logs_in_and_its_password_is_never_shown(database_url, tmp_path, monkeypatch):
    logins: list[tuple[str, str]] = []

    def authenticator(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        assert isinstance(data, LoginPassword)
        logins.append((data.login.decode(), data.password.decode()))
        return AuthResult(success=data.password == b"s3cret-pass")

    sink = Sink()
    controller = Controller(
        sink, hostname="127.0.0.1", port=free_port(), authenticator=authenticator, auth_require_tls=False
    )
    controller.start()
    monkeypatch.setenv("RENKEI_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("RENKEI_DATABASE_URL", database_url)
    monkeypatch.setenv("RENKEI_SMTP_RELAY_HOST", "unused.example.jp")
    runner = CliRunner()
    try:
        args = ["relay", "set", "--host", "127.0.0.1", "--port", str(controller.port), "--security", "none"]
        done = runner.invoke(
            app, [*args, "--user", "renkei", "--password-stdin", "--from", "r@example.jp"], "s3cret-pass\n"
        )
        assert done.exit_code == 0, done.output
        shown = runner.invoke(app, ["relay", "show", "--json"])
        assert json.loads(shown.stdout)["source"] == "stored" and json.loads(shown.stdout)["password"] == "********"
        assert "s3cret" not in done.output + shown.output

        hub = Hub.open("default", url=database_url, home=tmp_path / "home")
        try:
            with hub.engine.connect() as conn:
                [row] = conn.execute(select(settings_table)).all()
            assert "s3cret" not in json.dumps(row.value) + (row.secrets or "")
            integration = add_csv(hub, errors=[ERRORS_TO])
            delivery_service.import_file(hub, integration, empty_file(tmp_path, "empty.csv"))
            relay, source = current_relay(hub)
            assert relay is not None and source == "stored"
            assert outbox_sender.send_due(hub.engine, relay).sent == 1
        finally:
            hub.close()
        assert logins == [("renkei", "s3cret-pass")]
        assert [mail["From"] for _, _, mail in sink.mails] == ["r@example.jp"]

        assert runner.invoke(app, ["relay", "clear"]).exit_code == 0
        assert json.loads(runner.invoke(app, ["relay", "show", "--json"]).stdout)["source"] == "environment"
    finally:
        controller.stop()


def test_the_sender_thread_sends_through_the_relay_in_effect_and_stops(hub, tmp_path, relay, monkeypatch):
    settings, sink = relay
    monkeypatch.setenv("RENKEI_SMTP_RELAY_HOST", settings.host)
    monkeypatch.setenv("RENKEI_SMTP_RELAY_PORT", str(settings.port))
    monkeypatch.setenv("RENKEI_SMTP_RELAY_SECURITY", "none")
    integration = add_csv(hub, errors=[ERRORS_TO])
    delivery_service.import_file(hub, integration, empty_file(tmp_path, "empty.csv"))
    sender = outbox_sender.make_sender(hub, interval=0.05)
    sender.start()
    try:
        for _ in range(600):
            if sink.mails:
                break
            time.sleep(0.05)
    finally:
        sender.stop()
    assert [r.state for r in rows(hub)] == ["sent"]
    assert len(sink.mails) == 1


def test_a_huge_error_list_is_cut_in_the_attachment_and_the_mail_says_where_the_rest_is(
    hub, tmp_path, relay, monkeypatch
):
    settings, sink = relay
    monkeypatch.setattr(notify, "ERRORS_IN_CSV", 1)
    integration = add_csv(hub, errors=[ERRORS_TO])
    path = write_csv(
        tmp_path / "m.csv", [["氏名", "電話番号"], ["山田", "12"], ["佐藤", "34"], ["鈴木", "09011112222"]]
    )
    result = delivery_service.import_file(hub, integration, path)
    assert result.counts.errors == 2
    send(hub, settings)
    [(_, _, mail)] = sink.mails
    body = mail.get_body(("plain",)).get_content()
    assert "first 1 of 2" in body and f"renkei deliveries show {result.delivery_id}" in body
    [attachment] = list(mail.iter_attachments())
    assert len(attachment.get_payload(decode=True).decode("utf-8-sig").splitlines()) == 2


@pytest.mark.parametrize("setting", ["1", "0", "many"], ids=["one", "zero-ignored", "not-a-number-ignored"])
def test_failing_after_is_set_by_the_environment(hub, tmp_path, monkeypatch, setting):
    monkeypatch.setenv("RENKEI_FAILING_AFTER", setting)
    integration = add_csv(hub, errors=[ERRORS_TO])
    result = delivery_service.import_file(hub, integration, empty_file(tmp_path, "empty.csv"))
    assert result.state == "failed"
    expected = "failing" if setting == "1" else "active"
    assert integration_service.integration_by_name(hub, "会員CSV").spec.status == expected
    assert [r.subject.split(":")[0] for r in rows(hub)] == [
        "[Renkei] 連携失敗" if setting == "1" else "[Renkei] 連携エラー"
    ]


INJECTED = "ops@example.jp\r\nBcc: spy@example.jp"


def test_a_header_injecting_address_is_refused_when_configured(hub):
    with pytest.raises(ConfigurationError, match=r"notify\.errors"):
        add_csv(hub, errors=[INJECTED])


def test_a_mail_that_cannot_be_sent_is_given_up_at_once(hub, tmp_path, relay):
    settings, sink = relay
    integration = add_csv(hub, errors=["nobody@example.jp"])
    delivery_service.import_file(hub, integration, empty_file(tmp_path, "empty.csv"))
    assert send(hub, settings).failed == 1
    [row] = rows(hub)
    assert (row.state, row.attempts) == ("failed", 1) and row.last_error
    assert sink.mails == []


def test_a_queued_mail_with_a_header_injecting_recipient_is_given_up_not_sent(hub, relay):
    # Configuration refuses such an address; a row queued by an older version must still not reach the relay.
    settings, sink = relay
    now = utcnow()
    with hub.engine.begin() as conn:
        conn.execute(
            outbox.insert().values(
                workspace_id=hub.workspace_id, kind="report", recipients=[INJECTED], subject="s", body="b",
                attachments=[], state="queued", attempts=0, next_attempt_at=now, created_at=now,
            )
        )  # fmt: skip
    assert send(hub, settings).failed == 1
    [row] = rows(hub)
    assert (row.state, row.attempts) == ("failed", 1) and row.last_error
    assert sink.mails == []


def test_a_zip_mail_waiting_for_its_password_reports_only_if_none_opens_it(hub, relay):
    # PPAP: the ZIP's mail fails for want of its password, which the sender's next mail tells. The
    # error mail waits PASSWORD_WAIT for it; with no password mail it goes, saying it waited.
    settings, sink = relay
    integration = mail_csv(hub)
    now = utcnow()
    failed = mail_service.import_mail(
        hub, integration, zip_mail(zip_bytes({"会員.csv": ZIPPED_CSV}, password=b"Pw7-2291"))
    )
    assert failed.state == "failed"
    assert send(hub, settings, now + timedelta(minutes=1)).sent == 0  # waiting for the password mail
    assert send(hub, settings, now + notify.PASSWORD_WAIT + timedelta(minutes=1)).sent == 1
    [(_, to, mail)] = sink.mails
    body = mail.get_body(("plain",)).get_content()
    assert to == ["ops@example.jp"] and "file_password" in body
    assert (
        "パスワードのメールを待ちましたが" in body and "No password mail that opens it came in the 15 minutes" in body
    )


def test_a_zip_mail_opened_by_its_password_mail_sends_no_error_report(hub, relay):
    settings, sink = relay
    integration = mail_csv(hub)
    now = utcnow()
    zipped = mail_service.import_mail(
        hub, integration, zip_mail(zip_bytes({"会員.csv": ZIPPED_CSV}, password=b"Pw7-2291"))
    )
    told = mail_service.import_mail(hub, integration, notice_mail("パスワード：Pw7-2291"))
    assert [r.state for _, r in told.child_results] == ["processed"]
    assert [(r.delivery_id, r.state) for r in rows(hub)] == [(zipped.delivery_id, "withdrawn")]
    assert send(hub, settings, now + timedelta(days=1)).sent == 0
    assert sink.mails == []
    # A ZIP whose password mail came first is opened at once: its report is withdrawn as well.
    first = mail_service.import_mail(hub, integration, notice_mail("パスワード：Qx4-8830", n=2))
    second = mail_service.import_mail(
        hub, integration, zip_mail(zip_bytes({"会員2.csv": ZIPPED_CSV}, password=b"Qx4-8830"))
    )
    assert (first.state, second.state) == ("not-a-lead", "processed")
    assert {r.state for r in rows(hub)} == {"withdrawn"}
    assert send(hub, settings, now + timedelta(days=1)).sent == 0 and sink.mails == []


def test_an_encrypted_zip_dropped_as_a_file_reports_at_once(hub, tmp_path, relay):
    # No password mail comes with a file channel: its failure is told at once.
    settings, sink = relay
    integration = add_csv(hub, errors=[ERRORS_TO])
    path = tmp_path / "members.zip"
    path.write_bytes(zip_bytes({"会員.csv": ZIPPED_CSV}, password=b"Pw7-2291"))
    assert delivery_service.import_file(hub, integration, path).state == "failed"
    assert send(hub, settings).sent == 1 and "members.zip" in sink.mails[0][2]["Subject"]


def test_a_protected_workbook_a_mail_carried_waits_for_its_password_mail_too(hub, relay, tmp_path):
    settings, sink = relay
    integration = mail_csv(hub)
    now = utcnow()
    mailed = mail_service.import_mail(hub, integration, workbook_mail(tmp_path, "Wb7-3390"))
    assert send(hub, settings, now + timedelta(minutes=1)).sent == 0  # held for the password mail
    mail_service.import_mail(hub, integration, notice_mail("パスワード：Wb7-3390"))
    assert [(r.delivery_id, r.state) for r in rows(hub)] == [(mailed.children[0], "withdrawn")]
    assert send(hub, settings, now + timedelta(days=1)).sent == 0 and sink.mails == []
