"""Many landed mails processed in one transaction (``pipeline.batch``), as the inbox's worker does.

The result must be what processing the mails one by one gives; a mail that fails is recorded
failed alone; a crash before the commit leaves every mail waiting, and processing them again
applies each exactly once.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from email.message import EmailMessage
from pathlib import Path

from renkei.channels import worker
from renkei.channels.worker import Processor, WorkspaceHubs
from renkei.errors import FatalError
from renkei.pipeline import batch, deliveries
from renkei.pipeline import integrations as integration_service
from renkei.pipeline.deliveries import import_file, land, list_deliveries, resume_pending
from renkei.pipeline.hub import Hub
from renkei.pipeline.mail import receive_mail
from tests.helpers import export, states
from tests.zips import zip_bytes

ROOT = Path(__file__).resolve().parents[2]
RENTAL = (ROOT / "tests" / "cases" / "portals" / "suumo" / "rental.eml").read_bytes()


def variant(n: int, email: str | None = None) -> bytes:
    """The SUUMO rental mail as another inquiry (its own Message-ID and 連番), optionally another person."""
    raw = RENTAL.replace(b"<s1@jds>", f"<s{n}@jds>".encode()).replace(b"A1234567890", f"A{n:010d}".encode())
    if email is not None:
        raw = raw.replace(b"taro.yamada@example.jp", email.encode())
        # The mobile number is in full-width digits (in ISO-2022-JP, "#1#2#3#4" is １２３４).
        raw = raw.replace(b"#1#2#3#4", "".join(f"#{digit}" for digit in f"{5000 + n:04d}").encode())
    return raw


def land_mails(hub: Hub, mails: list[bytes]) -> list[int]:
    suumo = integration_service.add_integration(hub, {"name": "suumo", "kind": "suumo"})
    return [receive_mail(hub, suumo, raw, channel="smtp")[0].id for raw in mails]


def test_a_batch_gives_what_one_by_one_gives(hub):
    ids = land_mails(hub, [variant(1), variant(2, "hanako@example.jp"), variant(3), variant(4, "jiro@example.jp")])
    results = batch.process_mails(hub, ids)
    assert [results[i].state for i in ids] == ["processed"] * 4
    assert [results[i].counts.created for i in ids] == [1, 1, 0, 1]
    by_email = {c["email"]: c for c in export(hub)}
    assert sorted(by_email) == ["hanako@example.jp", "jiro@example.jp", "taro.yamada@example.jp"]
    # The first and third mail are the same person: one customer with both inquiries.
    taro = by_email["taro.yamada@example.jp"]
    assert sorted(i["external_id"] for i in taro["inquiries"]) == ["A0000000001", "A0000000003"]
    assert len({c["id"] for c in by_email.values()}) == 3
    assert states(hub) == ["processed"] * 4


def test_the_same_inquiry_twice_in_one_batch_is_a_duplicate(hub):
    raw = variant(1)
    ids = land_mails(hub, [raw, raw.replace(b"<s1@jds>", b"<resent@jds>")])
    results = batch.process_mails(hub, ids)
    assert [results[i].state for i in ids] == ["processed", "duplicate"]
    assert results[ids[1]].duplicate_of == ids[0]
    [customer] = export(hub)
    assert len(customer["inquiries"]) == 1


def test_a_mail_that_fails_is_failed_alone_and_the_rest_commit(hub, monkeypatch):
    ids = land_mails(hub, [variant(1), variant(2, "hanako@example.jp"), variant(3, "jiro@example.jp")])
    real_apply = batch._apply_payload

    def fail_the_second(conn, hub_, integration, delivery_id, *args, **kwargs):
        result = real_apply(conn, hub_, integration, delivery_id, *args, **kwargs)
        if delivery_id == ids[1]:
            raise FatalError("the parser gave up on this mail")  # after writing: the savepoint must undo it
        return result

    monkeypatch.setattr(batch, "_apply_payload", fail_the_second)
    results = batch.process_mails(hub, ids)
    assert [results[i].state for i in ids] == ["processed", "failed", "processed"]
    assert results[ids[1]].reason == "the parser gave up on this mail"
    assert sorted(c["email"] for c in export(hub)) == ["jiro@example.jp", "taro.yamada@example.jp"]


def test_files_and_processed_deliveries_in_a_batch(hub, tmp_path):
    ids = land_mails(hub, [variant(1)])
    csv = integration_service.add_integration(hub, {"name": "csv", "kind": "csv"})
    path = tmp_path / "leads.csv"
    path.write_text("氏名,メールアドレス\n佐藤 花子,hanako@example.jp\n", encoding="utf-8")
    file_delivery, _ = land(hub, csv, path, file_name="leads.csv", channel="upload")
    done = import_file(hub, csv, _other_file(tmp_path)).delivery_id
    results = batch.process_mails(hub, [*ids, file_delivery.id, done])
    assert results[ids[0]].state == "processed"
    assert results[file_delivery.id].state == "processed"
    assert done not in results  # already processed: left alone
    assert sorted(c["email"] for c in export(hub)) == [
        "hanako@example.jp",
        "ichiro@example.jp",
        "taro.yamada@example.jp",
    ]


def _other_file(tmp_path: Path) -> Path:
    path = tmp_path / "other.csv"
    path.write_text("氏名,メールアドレス\n鈴木 一郎,ichiro@example.jp\n", encoding="utf-8")
    return path


def test_the_worker_takes_what_is_waiting_together(hub, monkeypatch):
    ids = land_mails(hub, [variant(n, f"p{n}@example.jp") for n in range(1, 8)])
    calls: list[list[int]] = []
    real = worker.process_mails

    def spy(hub_, delivery_ids):
        calls.append(list(delivery_ids))
        return real(hub_, delivery_ids)

    monkeypatch.setattr(worker, "process_mails", spy)
    processor = Processor(WorkspaceHubs(hub))
    for delivery_id in ids:  # queued before the thread starts: all waiting at once
        processor.submit(hub.workspace_id, delivery_id)
    processor.start()
    processor.join()
    processor.stop()
    assert calls == [ids]
    assert states(hub) == ["processed"] * 7


def test_a_bug_in_one_mail_falls_back_to_one_by_one(hub, monkeypatch):
    ids = land_mails(hub, [variant(n, f"p{n}@example.jp") for n in range(1, 4)])
    real_apply = batch._apply_payload
    lock = threading.Lock()

    def bug_on_the_second(conn, hub_, integration, delivery_id, *args, **kwargs):
        with lock:
            if delivery_id == ids[1]:
                raise RuntimeError("a bug")
        return real_apply(conn, hub_, integration, delivery_id, *args, **kwargs)

    monkeypatch.setattr(batch, "_apply_payload", bug_on_the_second)
    monkeypatch.setattr(deliveries, "_apply_payload", bug_on_the_second)
    worker.process_together(WorkspaceHubs(hub), hub.workspace_id, ids)
    # The batch rolled back; one by one, the good mails went through and the bad one waits for a resume.
    assert [d.state for d in sorted(list_deliveries(hub), key=lambda d: d.id)] == ["processed", "received", "processed"]


def test_a_crash_before_the_commit_leaves_every_mail_waiting_then_each_applies_once(database_url, tmp_path):
    home = tmp_path / "home"
    env = {**os.environ, "RENKEI_HOME": str(home), "RENKEI_DATABASE_URL": database_url, "RENKEI_MAIL_AUTH": "off"}
    script = f"""
import sys
sys.path.insert(0, {str(ROOT)!r})
from renkei.pipeline.hub import Hub
from renkei.pipeline import batch, deliveries
from tests.integration.test_batch import land_mails, variant
hub = Hub.open("default")
ids = land_mails(hub, [variant(1), variant(2, "hanako@example.jp"), variant(3)])
batch.process_mails(hub, ids)
"""
    crashed = subprocess.run(
        [sys.executable, "-c", script], env={**env, "RENKEI_FAILPOINT": "process.before_commit"}, timeout=120
    )
    assert crashed.returncode == 99
    hub = Hub.open("default", url=database_url, home=home)
    try:
        assert states(hub) == ["received"] * 3
        assert export(hub) == []
        assert [r.state for r in resume_pending(hub)] == ["processed"] * 3
        customers = export(hub)
        assert sorted(len(c["inquiries"]) for c in customers) == [1, 2]
    finally:
        hub.close()


def test_mails_carrying_files_in_a_batch_land_and_process_their_files(hub):
    # The inbox's worker takes mail-csv mails in a batch too: a CSV attached and a CSV in a ZIP.
    integration = integration_service.add_integration(
        hub,
        {
            "name": "会員メール",
            "kind": "mail-csv",
            "settings": {"allowed_senders": ["@partner.example.jp"]},
            "notify": {"errors": ["ops@example.jp"]},
        },
    )
    mails = []
    for n, (name, data) in enumerate(
        [
            ("a.csv", "氏名,メール\r\n山田太郎,t@example.jp\r\n".encode("cp932")),
            ("b.zip", zip_bytes({"b.csv": "氏名,メール\r\n佐藤花子,h@example.jp\r\n".encode("cp932")})),
        ]
    ):
        message = EmailMessage()
        message["From"] = "system@partner.example.jp"
        message["To"] = "inbox@inbox.localhost"
        message["Subject"] = f"会員リスト {n}"
        message["Message-ID"] = f"<files{n}@partner.example.jp>"
        message.set_content("添付します。")
        message.add_attachment(data, maintype="application", subtype="octet-stream", filename=name)
        mails.append(message.as_bytes())
    ids = [receive_mail(hub, integration, raw, channel="smtp")[0].id for raw in mails]
    results = batch.process_mails(hub, ids)
    assert [results[i].state for i in ids] == ["processed", "processed"]
    assert sorted(c["email"] for c in export(hub)) == ["h@example.jp", "t@example.jp"]
    assert states(hub) == ["processed"] * 4
