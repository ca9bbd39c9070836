"""Pulling files from a partner's server: real SFTP and FTPS servers on loopback, real clients.

A check lands and imports each new, complete file once; a later check fetches nothing new; a
changed file replaces the earlier one; the remote file is kept, moved or deleted; the server is
checked before anything is sent; unsafe entries are skipped; two checks never overlap.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import asyncssh
import pytest
from sqlalchemy import select

from renkei.pipeline import integrations as integration_service
from renkei.pipeline.deliveries import list_deliveries
from renkei.pipeline.hub import Hub, utcnow
from renkei.pipeline.pull import list_checks, run_check
from renkei.store.schema import checks, integrations, remote_items
from tests.helpers import export, states
from tests.integration.pull_servers import PASSWORD, USER, RemoteFtp, RemoteSftp
from tests.zips import zip_bytes

CSV = "氏名,メールアドレス\r\n山田太郎,taro@example.jp\r\n佐藤花子,hanako@example.jp\r\n".encode("cp932")
OTHER = "氏名,メールアドレス\r\n鈴木一郎,ichiro@example.jp\r\n".encode("cp932")


@dataclass
class Partner:
    """A partner's server and the folder (on disk) its files are in."""

    kind: str
    folder: Path
    settings: dict[str, Any]
    server: Any = None
    extra: dict[str, Any] = field(default_factory=dict)


def start_partner(protocol: str, tmp_path: Path, *, mlsd: bool = True) -> Partner:
    root = tmp_path / "remote"
    (root / "in").mkdir(parents=True, exist_ok=True)
    common = {"host": "127.0.0.1", "username": USER, "password": PASSWORD, "folder": "in", "stable_seconds": 0.2}
    if protocol == "sftp":
        sftp = RemoteSftp(root).start()
        return Partner("sftp-pull", root / "in", {**common, "port": sftp.port, "host_key": sftp.key_line}, sftp)
    ftp = RemoteFtp(root, tmp_path / "cert", mlsd=mlsd).start()
    settings = {**common, "port": ftp.port, "tls_certificate_sha256": ftp.certificate_sha256}
    return Partner("ftp-pull", root / "in", settings, ftp)


@pytest.fixture(params=["sftp", "ftps"])
def partner(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Partner]:
    started = start_partner(request.param, tmp_path)
    try:
        yield started
    finally:
        started.server.stop()


def add_pull(hub: Hub, partner: Partner, name: str = "取引先ファイル", **settings: Any) -> Any:
    return integration_service.add_integration(
        hub, {"name": name, "kind": partner.kind, "settings": {**partner.settings, **settings}}
    )


def check(hub: Hub, name: str = "取引先ファイル") -> Any:
    return run_check(hub, integration_service.integration_by_name(hub, name))


def emails(hub: Hub) -> list[str]:
    return sorted(c["email"] for c in export(hub))


def put(partner: Partner, name: str, data: bytes, *, age: float = 0) -> Path:
    path = partner.folder / name
    path.write_bytes(data)
    if age:
        moment = time.time() - age
        os.utime(path, (moment, moment))
    return path


def test_a_pull_lands_and_imports_a_cp932_csv_once(hub, partner):
    add_pull(hub, partner)
    put(partner, "members.csv", CSV)
    first = check(hub)
    assert (first.state, first.found, first.landed) == ("ok", 1, 1), first.message
    [delivery] = list_deliveries(hub)
    assert (delivery.state, delivery.channel, delivery.file_name) == ("processed", partner.kind, "members.csv")
    assert hub.archive.path_for(delivery.sha256).read_bytes() == CSV
    assert emails(hub) == ["hanako@example.jp", "taro@example.jp"]
    assert [f.name for f in first.files] == ["members.csv"] and first.files[0].counts.created == 2
    # Kept remotely (the default), and not fetched again.
    assert (partner.folder / "members.csv").read_bytes() == CSV
    second = check(hub)
    assert (second.state, second.found, second.landed, second.files) == ("ok", 0, 0, [])
    assert len(list_deliveries(hub)) == 1
    assert [c["state"] for c in list_checks(hub)] == ["ok", "ok"]


def test_a_pulled_zip_files_csvs_are_imported(hub, partner):
    add_pull(hub, partner, pattern="*.zip", file_password="ppap", file_names="daily")  # the rule is for its files
    put(partner, "export.zip", zip_bytes({"出力/20261122.csv": CSV}, names="cp932", password=b"ppap"))
    done = check(hub)
    assert (done.state, done.landed) == ("ok", 1), done.message
    by_name = {d.file_name: d for d in list_deliveries(hub)}
    assert by_name["20261122.csv"].state == "processed" and by_name["20261122.csv"].channel == partner.kind
    assert emails(hub) == ["hanako@example.jp", "taro@example.jp"]


def test_a_changed_file_of_the_same_name_is_fetched_again_and_replaces_the_first(hub, partner):
    add_pull(hub, partner)
    path = put(partner, "daily.csv", CSV, age=600)
    assert check(hub).landed == 1
    path.write_bytes(OTHER)
    os.utime(path, (time.time() - 60, time.time() - 60))
    again = check(hub)
    assert (again.state, again.landed) == ("ok", 1), again.message
    assert states(hub) == ["processed", "replaced"]
    assert emails(hub) == ["ichiro@example.jp"]


def test_a_touched_file_with_the_same_content_is_not_landed_again(hub, partner):
    add_pull(hub, partner)
    path = put(partner, "daily.csv", CSV, age=600)
    assert check(hub).landed == 1
    os.utime(path, (time.time() - 60, time.time() - 60))
    again = check(hub)
    assert (again.state, again.found, again.landed) == ("ok", 1, 0), again.message
    assert again.files[0].same_as == list_deliveries(hub)[0].id
    assert states(hub) == ["processed"]


@pytest.mark.parametrize("after", ["move", "delete"])
def test_the_remote_file_is_moved_or_deleted_once_landed(hub, partner, after):
    add_pull(hub, partner, after_landing=after, move_to="done" if after == "move" else None)
    put(partner, "members.csv", CSV)
    result = check(hub)
    assert (result.state, result.landed) == ("ok", 1), result.message
    assert not (partner.folder / "members.csv").exists()
    if after == "move":
        assert (partner.folder / "done" / "members.csv").read_bytes() == CSV
    assert emails(hub) == ["hanako@example.jp", "taro@example.jp"]
    assert check(hub).found == 0
    with hub.engine.connect() as conn:
        assert [r.state for r in conn.execute(select(remote_items))] == ["done"]


def test_a_wrong_password_fails_the_check_with_a_clear_message(hub, partner):
    add_pull(hub, partner, password="wrong")
    put(partner, "members.csv", CSV)
    result = check(hub)
    assert result.state == "failed"
    assert "login refused" in result.message and USER in result.message
    assert "wrong" not in result.message.replace("(wrong password or key)", "")
    assert list_deliveries(hub) == []
    [row] = list_checks(hub)
    assert row["state"] == "failed" and "login refused" in row["message"]


def test_an_empty_file_is_a_failed_delivery_saying_so(hub, partner):
    add_pull(hub, partner)
    put(partner, "empty.csv", b"")
    result = check(hub)
    assert (result.state, result.landed) == ("ok", 1), result.message
    [delivery] = list_deliveries(hub)
    assert delivery.state == "failed" and "empty" in (delivery.reason or "")


def test_a_stopped_integration_lands_the_file_but_does_not_apply_it(hub, partner):
    add_pull(hub, partner, after_landing="delete")
    integration_service.set_status(hub, "取引先ファイル", "stopped")
    put(partner, "members.csv", CSV)
    result = check(hub)
    assert result.landed == 1
    [delivery] = list_deliveries(hub)
    assert delivery.state == "ignored"
    assert hub.archive.path_for(delivery.sha256).read_bytes() == CSV
    assert emails(hub) == []


def test_files_breaking_the_pattern_or_name_rule_are_left_alone(hub, partner):
    add_pull(hub, partner, file_names="daily")
    put(partner, "20260105.csv", CSV)
    put(partner, "members.csv", OTHER)
    put(partner, "readme.txt", b"not for us")
    result = check(hub)
    assert [f.name for f in result.files] == ["20260105.csv"]
    assert [name for name, _ in result.skipped] == ["members.csv"]
    assert "yyyymmdd" in result.skipped[0][1]
    assert emails(hub) == ["hanako@example.jp", "taro@example.jp"]


@pytest.mark.parametrize("protocol", ["sftp", "ftp-list"])
def test_links_folders_and_unsafe_names_are_skipped(hub, tmp_path, protocol):
    partner = start_partner("sftp" if protocol == "sftp" else "ftps", tmp_path, mlsd=False)
    try:
        add_pull(hub, partner)
        secret = tmp_path / "outside.csv"
        secret.write_bytes(OTHER)
        (partner.folder / "link.csv").symlink_to(secret)
        (partner.folder / "folder.csv").mkdir()
        put(partner, "..\\escape.csv", OTHER)
        put(partner, ".partial.csv", OTHER)
        put(partner, "good.csv", CSV)
        result = check(hub)
    finally:
        partner.server.stop()
    assert result.state == "ok", result.message
    assert [f.name for f in result.files] == ["good.csv"]
    skipped = dict(result.skipped)
    assert "link" in skipped["link.csv"]
    assert ".." in skipped["..\\escape.csv"] and ".partial.csv" in skipped
    assert "folder.csv" not in skipped
    assert emails(hub) == ["hanako@example.jp", "taro@example.jp"]
    assert secret.read_bytes() == OTHER


def test_a_file_still_growing_is_fetched_only_once_it_stops(hub, tmp_path):
    partner = start_partner("sftp", tmp_path)
    try:
        add_pull(hub, partner)
        put(partner, "big.csv", CSV)
        partner.server.growing.add("in/big.csv")
        first = check(hub)
        assert (first.state, first.found, first.landed) == ("ok", 1, 0), first.message
        assert first.waiting == ["big.csv"]
        assert list_deliveries(hub) == []
        partner.server.growing.clear()
        second = check(hub)
    finally:
        partner.server.stop()
    assert (second.state, second.landed) == ("ok", 1), second.message
    [delivery] = list_deliveries(hub)
    assert hub.archive.path_for(delivery.sha256).read_bytes() == (partner.folder / "big.csv").read_bytes()
    assert "grow@example.jp" in emails(hub)


def test_a_wrong_host_key_is_refused_naming_the_key_seen(hub, tmp_path):
    partner = start_partner("sftp", tmp_path)
    try:
        impostor = asyncssh.generate_private_key("ssh-ed25519").export_public_key().decode().strip()
        add_pull(hub, partner, name="by-key", host_key=impostor)
        add_pull(hub, partner, name="by-fingerprint", host_key="SHA256:" + "A" * 43)
        add_pull(hub, partner, name="right-fingerprint", host_key=partner.server.fingerprint)
        put(partner, "members.csv", CSV)
        refused = [check(hub, "by-key"), check(hub, "by-fingerprint")]
        accepted = check(hub, "right-fingerprint")
    finally:
        partner.server.stop()
    for result in refused:
        assert result.state == "failed"
        assert partner.server.fingerprint in result.message and "host_key" in result.message
    assert [d.integration_id for d in list_deliveries(hub)] == [
        integration_service.integration_by_name(hub, "right-fingerprint").id
    ]
    assert accepted.state == "ok"


def test_an_sftp_pull_logs_in_with_a_private_key(hub, tmp_path):
    key = asyncssh.generate_private_key("ssh-ed25519")
    root = tmp_path / "remote"
    (root / "in").mkdir(parents=True)
    server = RemoteSftp(root, client_key=key).start()
    try:
        pem = key.export_private_key().decode()
        integration_service.add_integration(
            hub,
            {"name": "keyed", "kind": "sftp-pull", "settings": {
                "host": "127.0.0.1", "port": server.port, "username": USER, "folder": "in",
                # As `--set private_key="$(cat key)"` passes it: line breaks folded into spaces.
                "private_key": " ".join(pem.split("\n")), "host_key": server.key_line, "stable_seconds": 0}},
        )  # fmt: skip
        (root / "in" / "members.csv").write_bytes(CSV)
        result = check(hub, "keyed")
    finally:
        server.stop()
    assert (result.state, result.landed) == ("ok", 1), result.message
    shown = integration_service.integration_by_name(hub, "keyed").shown_settings()
    assert shown["private_key"] == "********" and "PRIVATE KEY" not in str(shown)


def test_ftp_without_mlsd_lists_with_list_size_and_mdtm(hub, tmp_path):
    partner = start_partner("ftps", tmp_path, mlsd=False)
    try:
        add_pull(hub, partner, after_landing="delete")
        put(partner, "members.csv", CSV)
        first = check(hub)
        put(partner, "other.csv", OTHER)
        second = check(hub)
    finally:
        partner.server.stop()
    assert (first.landed, second.landed) == (1, 1), (first.message, second.message)
    assert sorted(p.name for p in partner.folder.iterdir()) == []
    assert emails(hub) == ["hanako@example.jp", "ichiro@example.jp", "taro@example.jp"]


def test_an_untrusted_ftps_certificate_is_refused_before_login(hub, tmp_path):
    partner = start_partner("ftps", tmp_path)
    try:
        add_pull(hub, partner, name="pinned-wrong", tls_certificate_sha256="00" * 32)
        add_pull(hub, partner, name="system-cas", tls_certificate_sha256=None)
        put(partner, "members.csv", CSV)
        pinned, system = check(hub, "pinned-wrong"), check(hub, "system-cas")
    finally:
        partner.server.stop()
    assert pinned.state == "failed" and partner.server.certificate_sha256[:2] in pinned.message.replace(":", "")
    assert "tls_certificate_sha256" in pinned.message
    assert system.state == "failed" and "not trusted" in system.message
    assert list_deliveries(hub) == []


def test_a_running_check_with_a_fresh_heartbeat_blocks_a_second_one(hub, partner):
    integration = add_pull(hub, partner)
    put(partner, "members.csv", CSV)
    now = utcnow()
    with hub.engine.begin() as conn:
        conn.execute(
            checks.insert().values(
                workspace_id=hub.workspace_id, integration_id=integration.id, trigger="schedule",
                state="running", started_at=now, heartbeat_at=now,
            )
        )  # fmt: skip
    blocked = check(hub)
    assert blocked.state == "busy" and blocked.check_id is None
    assert "already running" in blocked.problems[0]
    assert list_deliveries(hub) == []
    # The process running it died: its heartbeat stops, and the next check takes over.
    with hub.engine.begin() as conn:
        conn.execute(checks.update().values(heartbeat_at=now - timedelta(minutes=10)))
    taken_over = check(hub)
    assert (taken_over.state, taken_over.landed) == ("ok", 1)
    assert sorted(c["state"] for c in list_checks(hub)) == ["abandoned", "ok"]


def test_checks_failing_in_a_row_mark_the_integration_failing_once_and_a_working_check_recovers_it(hub, tmp_path):
    from renkei.store.schema import outbox

    partner = start_partner("sftp", tmp_path)
    try:
        integration = add_pull(hub, partner, password="wrong")
        integration_service.update_integration(hub, integration.id, {"notify": {"errors": ["ops@example.jp"]}})
        for _ in range(5):
            assert check(hub).state == "failed"
        failing = integration_service.get_integration(hub, integration.id)
        with hub.engine.connect() as conn:
            status = conn.execute(select(integrations.c.status, integrations.c.status_reason)).one()
            mails = conn.execute(select(outbox.c.subject, outbox.c.body, outbox.c.recipients)).all()
        assert status.status == "failing" and "3 checks in a row failed" in status.status_reason
        assert "login refused" in status.status_reason and failing.name == "取引先ファイル"
        assert [(m.subject, m.recipients) for m in mails] == [("[Renkei] 連携失敗: 取引先ファイル", ["ops@example.jp"])]
        assert "wrong" not in mails[0].body.replace("(wrong password or key)", "")
        integration_service.update_integration(
            hub, integration.id, {"settings": {"password": partner.settings["password"]}}
        )
        assert check(hub).state == "ok"
        with hub.engine.connect() as conn:
            assert conn.execute(select(integrations.c.status)).scalar() == "active"
            subjects = conn.execute(select(outbox.c.subject).order_by(outbox.c.id)).scalars().all()
        assert subjects[-1] == "[Renkei] 連携復旧: 取引先ファイル" and len(subjects) == 2
    finally:
        partner.server.stop()
