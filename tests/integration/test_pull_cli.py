"""``renkei run``, ``integrations add sftp-pull``, ``integrations host-key``, ``apply`` with a drop box,
and a crash between landing a pulled file and tidying it up remotely, in real child processes.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from renkei.passwords import verify_password
from renkei.pipeline import integrations as integration_service
from renkei.pipeline.deliveries import list_deliveries
from renkei.store.schema import remote_items
from tests.helpers import export
from tests.integration.pull_servers import PASSWORD, USER
from tests.integration.test_pull import CSV, Partner, add_pull, start_partner


def renkei(args: list[str], home: Path, url: str, failpoint: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RENKEI_")}
    env |= {"RENKEI_HOME": str(home), "RENKEI_DATABASE_URL": url}
    if failpoint:
        env["RENKEI_FAILPOINT"] = failpoint
    return subprocess.run(
        [sys.executable, "-m", "renkei.cli.main", *args], env=env, capture_output=True, text=True, timeout=300
    )


@pytest.fixture
def sftp_partner(tmp_path):
    started = start_partner("sftp", tmp_path)
    try:
        yield started
    finally:
        started.server.stop()


def test_renkei_run_checks_now_and_says_what_it_landed(hub, database_url, tmp_path, sftp_partner):
    add_pull(hub, sftp_partner, name="partner")
    (sftp_partner.folder / "members.csv").write_bytes(CSV)
    done = renkei(["run", "partner"], tmp_path / "home", database_url)
    assert done.returncode == 0, done.stderr
    assert "1 new file(s) found, 1 landed" in done.stdout
    delivery = list_deliveries(hub)[0]
    assert f"members.csv → delivery {delivery.id}: processed (2 created" in done.stdout
    again = renkei(["run", "partner", "--json"], tmp_path / "home", database_url)
    assert json.loads(again.stdout)["found"] == 0

    add_pull(hub, sftp_partner, name="bad-login", password="nope")
    failed = renkei(["run", "bad-login"], tmp_path / "home", database_url)
    assert failed.returncode == 1
    assert failed.stderr.startswith("Error: ") and "login refused" in failed.stderr and "Traceback" not in failed.stderr
    integration_service.add_integration(hub, {"name": "plain", "kind": "csv"})
    not_a_pull = renkei(["run", "plain"], tmp_path / "home", database_url)
    assert not_a_pull.returncode == 1 and "not a pull" in not_a_pull.stderr


@pytest.mark.parametrize("failpoint", ["pull.landed", "pull.processed", "pull.tidied"])
def test_a_crash_between_landing_and_deleting_neither_refetches_nor_applies_twice(
    hub, database_url, tmp_path, sftp_partner, failpoint
):
    add_pull(hub, sftp_partner, name="partner", after_landing="delete")
    (sftp_partner.folder / "members.csv").write_bytes(CSV)
    crashed = renkei(["run", "partner"], tmp_path / "home", database_url, failpoint)
    assert crashed.returncode == 99, crashed.stderr
    assert (sftp_partner.folder / "members.csv").exists() == (failpoint != "pull.tidied")
    retried = renkei(["run", "partner"], tmp_path / "home", database_url)
    assert retried.returncode == 0, retried.stderr
    assert "0 new file(s) found, 0 landed" in retried.stdout
    assert not (sftp_partner.folder / "members.csv").exists()
    assert [d.state for d in list_deliveries(hub)] == ["processed"]
    assert sorted(c["email"] for c in export(hub)) == ["hanako@example.jp", "taro@example.jp"]
    with hub.engine.connect() as conn:
        assert [r.state for r in conn.execute(select(remote_items))] == ["done"]
    states = renkei(["run", "partner", "--json"], tmp_path / "home", database_url)
    assert json.loads(states.stdout)["landed"] == 0


def test_an_sftp_pull_is_added_from_the_command_line_and_its_password_never_shown(
    hub, database_url, tmp_path, sftp_partner: Partner
):
    home = tmp_path / "home"
    shown = renkei(
        ["integrations", "host-key", "127.0.0.1", "--port", str(sftp_partner.server.port)], home, database_url
    )
    assert shown.returncode == 0, shown.stderr
    assert f"fingerprint: {sftp_partner.server.fingerprint}" in shown.stdout
    host_key = re.search(r"^host_key: (.+)$", shown.stdout, re.MULTILINE).group(1)
    added = renkei(
        ["integrations", "add", "sftp-pull", "取引先SFTP",
         "--set", "host=127.0.0.1", "--set", f"port={sftp_partner.server.port}", "--set", f"username={USER}",
         "--set", f"password={PASSWORD}", "--set", f"host_key={host_key}", "--set", "folder=in",
         "--set", "days=mon,tue,wed,thu,fri", "--set", "start=9:00", "--set", "end=18:00",
         "--set", "interval_minutes=30", "--set", "delay_minutes=5", "--set", "stable_seconds=0"],
        home, database_url,
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    listed = renkei(["integrations", "list", "--json"], home, database_url)
    assert PASSWORD not in listed.stdout
    [item] = json.loads(listed.stdout)
    assert item["settings"]["password"] == "********"
    assert (item["settings"]["start"], item["settings"]["end"]) == ("09:00", "18:00")
    (sftp_partner.folder / "members.csv").write_bytes(CSV)
    run = renkei(["run", "取引先SFTP"], home, database_url)
    assert run.returncode == 0 and "1 landed" in run.stdout, run.stderr

    bad = renkei(
        ["integrations", "add", "sftp-pull", "bad", "--set", "host=x", "--set", "username=u",
         "--set", "host_key=nonsense", "--set", "interval_minutes=7", "--set", "start=25:00"],
        home, database_url,
    )  # fmt: skip
    assert bad.returncode == 1
    for words in ("settings.host_key", "settings.interval_minutes", "settings.start"):
        assert words in bad.stderr
    incomplete = renkei(
        ["integrations", "add", "sftp-pull", "bad", "--set", "host=x", "--set", "username=u",
         "--set", f"host_key={sftp_partner.server.fingerprint}", "--set", "after_landing=move"],
        home, database_url,
    )  # fmt: skip
    assert incomplete.returncode == 1
    assert "move_to" in incomplete.stderr and "password or private_key" in incomplete.stderr


def test_host_key_shows_an_ftps_certificate(database_url, tmp_path):
    partner = start_partner("ftps", tmp_path)
    try:
        shown = renkei(["integrations", "host-key", "127.0.0.1", "--ftps", "--port", str(partner.server.port)],
                       tmp_path / "home", database_url)  # fmt: skip
    finally:
        partner.server.stop()
    assert shown.returncode == 0, shown.stderr
    assert partner.server.certificate_sha256 in shown.stdout.replace(":", "")


def test_apply_gives_a_new_drop_box_a_password_shown_once(hub, database_url, tmp_path):
    document = tmp_path / "integrations.yaml"
    document.write_text("integrations:\n  - name: 取引先ドロップ\n    kind: ftp-drop\n", encoding="utf-8")
    first = renkei(["apply", str(document)], tmp_path / "home", database_url)
    assert first.returncode == 0, first.stderr
    assert "created" in first.stdout
    password = re.search(r"password:\s+(\S+)", first.stdout).group(1)
    stored = integration_service.integration_by_name(hub, "取引先ドロップ").settings
    assert verify_password(stored.password_hash.get_secret_value(), password)
    again = renkei(["apply", str(document)], tmp_path / "home", database_url)
    assert again.returncode == 0, again.stderr
    assert "unchanged" in again.stdout and "password" not in again.stdout
    kept = integration_service.integration_by_name(hub, "取引先ドロップ").settings
    assert kept.username == stored.username and verify_password(kept.password_hash.get_secret_value(), password)
