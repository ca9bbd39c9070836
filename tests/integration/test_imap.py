"""IMAP polling against a real IMAP server on loopback (pymap's in-memory backend, run as a process).

A poll lands and processes each mail of the folder once and then marks it seen, moves or deletes
it; a crash between landing and marking never lands a mail twice; wrong credentials say so.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from imapclient import IMAPClient
from sqlalchemy import select

from renkei.channels.imap import Poller
from renkei.errors import ConfigurationError
from renkei.pipeline import integrations as integration_service
from renkei.pipeline.deliveries import list_deliveries
from renkei.pipeline.hub import Hub
from renkei.pipeline.imap_pull import poll_once
from renkei.store.schema import remote_items
from tests.helpers import eventually, export, free_port

ROOT = Path(__file__).resolve().parents[2]
CASES = ROOT / "tests" / "cases" / "portals"
RENTAL = (CASES / "suumo" / "rental.eml").read_bytes()
SALE = (CASES / "suumo" / "sale_quoted_printable.eml").read_bytes()
USER, PASSWORD = "renkei", "imap-pass-7f3a"


@dataclass
class ImapServer:
    port: int

    def client(self) -> IMAPClient:
        client = IMAPClient("127.0.0.1", port=self.port, ssl=False, timeout=30)
        client.login(USER, PASSWORD)
        return client

    def append(self, raw: bytes, folder: str = "INBOX") -> None:
        with self.client() as client:
            client.append(folder, raw)

    def messages(self, folder: str = "INBOX") -> list[tuple[bytes, ...]]:
        """The flags of every message in ``folder`` (without \\Recent), in UID order."""
        with self.client() as client:
            client.select_folder(folder, readonly=True)
            flags = client.get_flags(client.search(["ALL"]))
            return [tuple(f for f in flags[uid] if f != b"\\Recent") for uid in sorted(flags)]


@pytest.fixture
def imap_server() -> Iterator[ImapServer]:
    """pymap with its in-memory backend on a free loopback port, one user, an empty INBOX."""
    port = free_port()
    arguments = ["--host", "127.0.0.1", "--port", str(port), "--no-tls"]
    arguments += ["dict", "--demo-user", USER, "--demo-password", PASSWORD]
    process = subprocess.Popen(
        [sys.executable, "-c", "from pymap.main import main; main()", *arguments],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        for _ in range(600):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if process.poll() is not None:
                    raise AssertionError(f"pymap did not start: {process.stderr.read().decode()}") from None
                time.sleep(0.05)
        else:
            raise AssertionError("pymap never listened")
        yield ImapServer(port)
    finally:
        process.terminate()
        process.wait(timeout=30)
        if process.stderr:
            process.stderr.close()


def add_polled(hub: Hub, server: ImapServer, name: str = "SUUMO (IMAP)", **imap: object) -> object:
    settings = {
        "host": "127.0.0.1", "port": server.port, "tls": False, "username": USER, "password": PASSWORD, **imap,
    }  # fmt: skip
    return integration_service.add_integration(hub, {"name": name, "kind": "suumo", "settings": {"imap": settings}})


def items(hub: Hub) -> list[tuple[str, str]]:
    with hub.engine.connect() as conn:
        rows = conn.execute(select(remote_items.c.key, remote_items.c.state).order_by(remote_items.c.id)).all()
    return [(row.key.split(":")[1], row.state) for row in rows]


def test_a_poll_lands_and_processes_a_suumo_mail_then_marks_it_seen(hub, imap_server):
    integration = add_polled(hub, imap_server)
    imap_server.append(RENTAL)
    result = poll_once(hub, integration)
    assert (result.found, len(result.landed), result.finished) == (1, 1, 1)
    [delivery] = list_deliveries(hub)
    assert (delivery.state, delivery.channel, delivery.meta["message_id"]) == ("processed", "imap", "<s1@jds>")
    [customer] = export(hub)
    assert customer["email"] == "taro.yamada@example.jp"
    assert imap_server.messages() == [(b"\\Seen",)]
    assert [state for _, state in items(hub)] == ["done"]


def test_a_second_poll_lands_nothing_and_a_new_mail_only_that_one(hub, imap_server):
    integration = add_polled(hub, imap_server)
    imap_server.append(RENTAL)
    poll_once(hub, integration)
    again = poll_once(hub, integration)
    assert (again.found, again.landed, again.finished) == (1, [], 0)
    imap_server.append(SALE)
    third = poll_once(hub, integration)
    assert (len(third.landed), third.finished) == (1, 1)
    assert sorted(d.state for d in list_deliveries(hub)) == ["processed", "processed"]
    assert len(export(hub)) == 2


def test_a_mail_someone_already_read_is_imported_too(hub, imap_server):
    integration = add_polled(hub, imap_server)
    imap_server.append(RENTAL)
    with imap_server.client() as client:
        client.select_folder("INBOX")
        client.add_flags(client.search(["ALL"]), [b"\\Seen"])
    assert len(poll_once(hub, integration).landed) == 1


def test_a_wrong_password_is_a_clear_error_that_never_shows_the_password(hub, imap_server):
    integration = add_polled(hub, imap_server, password="not-the-password-91")
    with pytest.raises(ConfigurationError) as caught:
        poll_once(hub, integration)
    message = str(caught.value)
    assert "login" in message and "refused" in message and repr(USER) in message
    assert "not-the-password-91" not in message
    assert list_deliveries(hub) == []


def test_a_missing_folder_is_a_configuration_error(hub, imap_server):
    integration = add_polled(hub, imap_server, folder="反響メール")
    with pytest.raises(ConfigurationError, match="反響メール"):
        poll_once(hub, integration)


def test_move_mode_moves_each_landed_mail_to_its_folder(hub, imap_server):
    integration = add_polled(hub, imap_server, after="move", move_to="Renkei/取込済み")
    imap_server.append(RENTAL)
    imap_server.append(SALE)
    result = poll_once(hub, integration)
    assert (len(result.landed), result.finished) == (2, 2)
    assert imap_server.messages() == []
    assert len(imap_server.messages("Renkei/取込済み")) == 2
    assert poll_once(hub, integration).found == 0


def test_delete_mode_removes_each_landed_mail(hub, imap_server):
    integration = add_polled(hub, imap_server, after="delete")
    imap_server.append(RENTAL)
    assert len(poll_once(hub, integration).landed) == 1
    assert imap_server.messages() == []
    assert [d.state for d in list_deliveries(hub)] == ["processed"]


def test_the_imap_password_is_stored_encrypted_never_shown_and_kept_by_apply(hub, imap_server):
    from renkei.store.schema import integrations

    integration = add_polled(hub, imap_server)
    with hub.engine.connect() as conn:
        row = conn.execute(select(integrations.c.settings, integrations.c.secrets)).one()
    assert PASSWORD not in json.dumps(row.settings) and PASSWORD not in (row.secrets or "")
    assert row.settings["imap"]["username"] == USER
    assert integration.shown_settings()["imap"]["password"] == "********"
    assert integration.settings.imap.password.get_secret_value() == PASSWORD
    imap = {"host": "127.0.0.1", "port": imap_server.port, "tls": False, "username": USER, "folder": "INBOX"}
    document = {"integrations": [{"name": "SUUMO (IMAP)", "kind": "suumo", "settings": {"imap": imap}}]}
    integration_service.apply_file(hub, document)
    kept = integration_service.integration_by_name(hub, "SUUMO (IMAP)")
    assert kept.settings.imap.password.get_secret_value() == PASSWORD
    imap_server.append(RENTAL)
    assert len(poll_once(hub, kept).landed) == 1


def test_move_without_a_folder_is_refused_when_the_integration_is_added(hub, imap_server):
    with pytest.raises(ConfigurationError, match="move_to"):
        add_polled(hub, imap_server, after="move")


def run_poll(home: Path, url: str, name: str, failpoint: str | None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RENKEI_")}
    env |= {"RENKEI_HOME": str(home), "RENKEI_DATABASE_URL": url, "RENKEI_MAIL_AUTH": "off"}
    if failpoint:
        env["RENKEI_FAILPOINT"] = failpoint
    code = (
        "from renkei.pipeline.hub import Hub\n"
        "from renkei.pipeline.integrations import integration_by_name\n"
        "from renkei.pipeline.imap_pull import poll_once\n"
        "hub = Hub.open()\n"
        f"print(poll_once(hub, integration_by_name(hub, {name!r})))\n"
    )
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("failpoint", ["land.recorded", "imap.landed", "imap.processed"])
def test_a_crash_between_landing_and_marking_never_lands_twice(database_url, tmp_path, imap_server, failpoint):
    home = tmp_path / "home"
    hub = Hub.open(url=database_url, home=home)
    try:
        add_polled(hub, imap_server)
        imap_server.append(RENTAL)
        crashed = run_poll(home, database_url, "SUUMO (IMAP)", failpoint)
        assert crashed.returncode == 99, crashed.stderr
        assert imap_server.messages() == [()]  # landed, not yet marked seen
        assert [state for _, state in items(hub)] == ["landed"]
        finished = run_poll(home, database_url, "SUUMO (IMAP)", None)
        assert finished.returncode == 0, finished.stderr
        assert [d.state for d in list_deliveries(hub)] == ["processed"]
        assert len(export(hub)) == 1
        assert imap_server.messages() == [(b"\\Seen",)]
        assert [state for _, state in items(hub)] == ["done"]
    finally:
        hub.close()


def test_the_poller_polls_every_imap_integration_of_every_workspace(hub, imap_server):
    add_polled(hub, imap_server)
    other = hub.for_workspace("branch")
    integration_service.add_integration(other, {"name": "forwarded only", "kind": "suumo"})
    imap_server.append(RENTAL)
    poller = Poller(hub, tick=0.05)
    poller.start()
    try:
        eventually(lambda: [d.state for d in list_deliveries(hub)] == ["processed"], "the polled mail is processed")
    finally:
        poller.stop()
    assert imap_server.messages() == [(b"\\Seen",)]


def test_the_poller_waits_for_each_integrations_interval(hub, imap_server):
    integration = add_polled(hub, imap_server, interval_minutes=5)
    poller = Poller(hub)
    assert set(poller.poll_due(now=1000.0)) == {integration.id}
    imap_server.append(RENTAL)
    assert poller.poll_due(now=1000.0 + 299) == {}
    assert list_deliveries(hub) == []
    done = poller.poll_due(now=1000.0 + 300)
    assert len(done[integration.id].landed) == 1


def test_renkei_run_polls_a_mail_integrations_mailbox_now(tmp_path, imap_server):
    home = tmp_path / "home"
    hub = Hub.open(home=home)
    try:
        add_polled(hub, imap_server)
    finally:
        hub.close()
    imap_server.append(RENTAL)
    env = {k: v for k, v in os.environ.items() if not k.startswith("RENKEI_")}
    env |= {"RENKEI_HOME": str(home), "RENKEI_MAIL_AUTH": "off"}
    command = [sys.executable, "-m", "renkei.cli.main", "run", "SUUMO (IMAP)"]
    done = subprocess.run([*command, "--json"], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["found"] == 1 and len(result["landed"]) == 1 and result["finished"] == 1
    again = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0 and "0 landed" in again.stdout
    assert imap_server.messages() == [(b"\\Seen",)]
