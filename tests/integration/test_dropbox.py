"""The drop box: real FTP(S) and SFTP servers on loopback, real ftplib and asyncssh clients.

A partner drops a CSV file and its rows become customers; a login is one integration, confined
to its folder; a cut-off or empty upload, a wrong password, a path that tries to leave the folder
and a link are each handled without losing or inventing a delivery.
"""

from __future__ import annotations

import asyncio
import contextlib
import ftplib
import io
import json
import os
import shutil
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import asyncssh
import pytest

from renkei.channels.ftp import DropBoxController
from renkei.passwords import verify_password
from renkei.pipeline import integrations as integration_service
from renkei.pipeline.deliveries import list_deliveries
from renkei.pipeline.dropbox import reset_password
from renkei.pipeline.hub import Hub
from tests.conftest import drop_postgres_database, make_postgres_database
from tests.helpers import eventually, export, free_port, settled, states
from tests.zips import aes_zip, zip_bytes

CSV = "氏名,メールアドレス\r\n山田太郎,taro@example.jp\r\n佐藤花子,hanako@example.jp\r\n".encode("cp932")


def emails(hub: Hub) -> list[str]:
    return sorted(c["email"] for c in export(hub))


def add_drop(hub: Hub, name: str = "partner") -> tuple[str, str, int]:
    """A drop box: (username, password, integration id)."""
    added = integration_service.add_integration(hub, {"name": name, "kind": "ftp-drop"})
    return added.shown_once["username"], added.shown_once["password"], added.id


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """SQLite only here: the servers do not depend on the database; one case below runs on PostgreSQL."""
    return f"sqlite:///{tmp_path / 'renkei.db'}"


@contextlib.contextmanager
def dropbox_on(hub: Hub, monkeypatch: pytest.MonkeyPatch) -> Iterator[DropBoxController]:
    """FTP(S) and SFTP servers on free loopback ports, plain FTP allowed."""
    monkeypatch.setenv("RENKEI_FTP_PLAIN", "1")
    controller = DropBoxController(hub, "127.0.0.1", free_port(), free_port(), fail_delay=0.01)
    controller.start()
    try:
        yield controller
    finally:
        controller.stop()


@pytest.fixture
def dropbox(hub: Hub, monkeypatch: pytest.MonkeyPatch) -> Iterator[DropBoxController]:
    with dropbox_on(hub, monkeypatch) as controller:
        yield controller


def ftps(controller: DropBoxController, user: str, password: str) -> ftplib.FTP_TLS:
    """A logged-in FTPS client (explicit TLS, protected data channel)."""
    assert controller.ftp is not None
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    client = ftplib.FTP_TLS(context=context, timeout=30)
    try:
        client.connect("127.0.0.1", controller.ftp.port)
        client.login(user, password)
        client.prot_p()
    except BaseException:
        client.close()
        raise
    return client


def upload(client: ftplib.FTP, name: str, data: bytes) -> str:
    return client.storbinary(f"STOR {name}", io.BytesIO(data))


def listing(client: ftplib.FTP) -> list[str]:
    """The names in the user's folder, listed over the control connection (STAT)."""
    lines = client.sendcmd("STAT /").splitlines()[1:-1]
    return sorted(line.split()[-1] for line in lines)


def folder(hub: Hub, integration_id: int) -> Path:
    return hub.archive.root.parent / "dropbox" / hub.workspace / str(integration_id)


def test_a_csv_dropped_over_ftps_becomes_customers_and_leaves_the_folder(hub, dropbox):
    user, password, integration_id = add_drop(hub)
    with ftps(dropbox, user, password) as client:
        assert upload(client, "members.csv", CSV).startswith("226")
        assert listing(client) == []
    eventually(settled(hub, 1), "the file is processed")
    [delivery] = list_deliveries(hub)
    assert (delivery.state, delivery.channel, delivery.file_name) == ("processed", "ftp", "members.csv")
    assert hub.archive.path_for(delivery.sha256).read_bytes() == CSV
    assert emails(hub) == ["hanako@example.jp", "taro@example.jp"]
    assert list(folder(hub, integration_id).iterdir()) == []


@pytest.mark.postgres
def test_ftps_and_sftp_uploads_on_postgresql(postgres_server, tmp_path, monkeypatch):
    url, name = make_postgres_database(postgres_server)
    pg = Hub.open("default", url=url, home=tmp_path / "pg-home")
    try:
        with dropbox_on(pg, monkeypatch) as controller:
            user, password, _ = add_drop(pg)
            with ftps(controller, user, password) as client:
                upload(client, "members.csv", CSV)
            second = "氏名,メールアドレス\r\n鈴木一郎,ichiro@example.jp\r\n".encode("cp932")
            asyncio.run(sftp_put(controller, user, {"password": password}, [("other.csv", second)]))
            eventually(settled(pg, 2), "both files are processed")
        assert states(pg) == ["processed", "processed"]
        assert emails(pg) == ["hanako@example.jp", "ichiro@example.jp", "taro@example.jp"]
    finally:
        pg.close()
        drop_postgres_database(postgres_server, name)


def test_the_cli_prints_where_to_connect_and_the_password_once(tmp_path, monkeypatch):
    env = {k: v for k, v in os.environ.items() if not k.startswith("RENKEI_")}
    env["RENKEI_HOME"] = str(tmp_path / "home")
    added = subprocess.run(
        [sys.executable, "-m", "renkei.cli.main", "integrations", "add", "ftp-drop", "取引先", "--json"],
        env=env, capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    shown = json.loads(added.stdout)
    assert {"host", "ftp_port", "sftp_port", "username", "password", "sftp_host_key"} <= set(shown)
    assert (shown["ftp_port"], shown["sftp_port"]) == (2121, 2222)
    listed = subprocess.run(
        [sys.executable, "-m", "renkei.cli.main", "integrations", "list", "--json"],
        env=env, capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    assert shown["password"] not in listed.stdout
    home = Hub.open("default", url=f"sqlite:///{tmp_path / 'home' / 'renkei.db'}", home=tmp_path / "home")
    try:
        with dropbox_on(home, monkeypatch) as controller:
            with ftps(controller, shown["username"], shown["password"]) as client:
                upload(client, "members.csv", CSV)
            eventually(settled(home, 1), "the file is processed")
    finally:
        home.close()


def test_the_password_is_shown_once_and_only_its_hash_is_kept(hub):
    user, password, _ = add_drop(hub, "取引先 ABC")
    assert user.startswith("abc-")
    stored = integration_service.integration_by_name(hub, "取引先 ABC")
    assert stored.shown_once == {}
    assert stored.shown_settings()["password_hash"] == "********"
    assert password not in json.dumps(integration_service.settings_values(stored.settings))
    _, new = reset_password(hub, "取引先 ABC")
    stored_hash = integration_service.integration_by_name(hub, "取引先 ABC").settings.password_hash.get_secret_value()
    assert verify_password(stored_hash, new) and not verify_password(stored_hash, password)


def test_plain_ftp_is_refused_when_switched_off(hub, monkeypatch):
    monkeypatch.setenv("RENKEI_FTP_PLAIN", "0")
    user, password, _ = add_drop(hub)
    controller = DropBoxController(hub, "127.0.0.1", free_port(), None, fail_delay=0.01)
    controller.start()
    try:
        assert controller.ftp is not None
        with ftplib.FTP() as plain:
            plain.connect("127.0.0.1", controller.ftp.port, timeout=30)
            with pytest.raises(ftplib.error_perm, match=r"^550 SSL/TLS required"):
                plain.login(user, password)
        with ftps(controller, user, password) as client:
            assert upload(client, "a.csv", CSV).startswith("226")
    finally:
        controller.stop()
    eventually(settled(hub, 1), "the TLS upload is processed")


def test_wrong_passwords_get_530_and_then_lock_the_user_out(hub, dropbox):
    user, password, _ = add_drop(hub)
    assert dropbox.ftp is not None
    for _ in range(5):
        with ftplib.FTP() as client:
            client.connect("127.0.0.1", dropbox.ftp.port, timeout=30)
            with pytest.raises(ftplib.error_perm, match=r"^530"):
                client.login(user, "wrong")
    # The right password no longer helps, over FTP or SFTP, until the lockout ends.
    with ftplib.FTP() as client:
        client.connect("127.0.0.1", dropbox.ftp.port, timeout=30)
        with pytest.raises(ftplib.error_perm, match=r"^530"):
            client.login(user, password)
    with pytest.raises(asyncssh.PermissionDenied):
        asyncio.run(sftp_put(dropbox, user, {"password": password}, [("a.csv", CSV)]))
    assert list_deliveries(hub) == []


@pytest.mark.parametrize("name", ["../x.csv", "../../x.csv", "/etc/x.csv", "/x.csv", "sub/x.csv"])
def test_a_path_never_leaves_the_folder(hub, dropbox, tmp_path, name):
    user, password, integration_id = add_drop(hub)
    before = {p for p in tmp_path.rglob("*") if "archive" not in p.parts}
    with ftps(dropbox, user, password) as client:
        try:
            upload(client, name, CSV)
        except ftplib.error_perm as error:
            assert str(error).startswith("550")
    eventually(lambda: "received" not in states(hub), "whatever landed is processed")
    after = {p for p in tmp_path.rglob("*") if "archive" not in p.parts}
    created = {p for p in after - before if p.is_file()}
    assert created <= set(folder(hub, integration_id).glob("*"))
    assert [d.file_name for d in list_deliveries(hub)] in ([], ["x.csv"])


def test_a_link_in_the_folder_is_not_followed(hub, dropbox, tmp_path):
    user, password, integration_id = add_drop(hub)
    secret = tmp_path / "outside.csv"
    secret.write_bytes(b"keep me")
    folder(hub, integration_id).mkdir(parents=True, exist_ok=True)
    (folder(hub, integration_id) / "link.csv").symlink_to(secret)
    with ftps(dropbox, user, password) as client:
        with pytest.raises(ftplib.error_perm, match=r"^550"):
            upload(client, "link.csv", CSV)
        with pytest.raises(ftplib.error_perm, match=r"^550"):
            client.retrbinary("RETR link.csv", lambda _: None)
        with pytest.raises(ftplib.error_perm, match=r"^550"):
            client.delete("link.csv")
    with pytest.raises(asyncssh.SFTPError):
        asyncio.run(sftp_put(dropbox, user, {"password": password}, [("link.csv", CSV)]))
    with pytest.raises(asyncssh.SFTPError):
        asyncio.run(sftp_symlink(dropbox, user, password, str(secret), "new.csv"))
    assert secret.read_bytes() == b"keep me"
    assert list_deliveries(hub) == []


def test_an_empty_file_is_a_failed_delivery_saying_so(hub, dropbox):
    user, password, _ = add_drop(hub)
    with ftps(dropbox, user, password) as client:
        upload(client, "empty.csv", b"")
    eventually(settled(hub, 1), "the empty file is processed")
    [delivery] = list_deliveries(hub)
    assert delivery.state == "failed" and "empty" in (delivery.reason or "")
    assert emails(hub) == []


@pytest.mark.parametrize("control_first", [True, False], ids=["control-first", "data-first"])
def test_a_client_that_disconnects_mid_upload_leaves_no_delivery(hub, dropbox, control_first):
    user, password, integration_id = add_drop(hub)
    assert dropbox.ftp is not None
    client = ftplib.FTP()
    client.connect("127.0.0.1", dropbox.ftp.port, timeout=30)
    client.login(user, password)
    data = client.transfercmd("STOR half.csv")
    data.sendall(CSV[:20])
    first, second = (client.sock, data) if control_first else (data, client.sock)
    first.close()
    # A crashed client's sockets close together, but not at the same instant: the end of the
    # data stream alone must not count as a complete upload.
    time.sleep(0.05)
    second.close()
    client.file.close()
    # A complete upload afterwards proves the server handled the cut-off one first.
    with ftps(dropbox, user, password) as other:
        upload(other, "whole.csv", CSV)
    eventually(settled(hub, 1), "the whole file is processed")
    assert [d.file_name for d in list_deliveries(hub)] == ["whole.csv"]
    eventually(lambda: not list(folder(hub, integration_id).iterdir()), "the cut-off file is deleted")


def test_the_same_file_name_again_replaces_the_first(hub, dropbox):
    user, password, _ = add_drop(hub)
    second = "氏名,メールアドレス\r\n鈴木一郎,ichiro@example.jp\r\n".encode("cp932")
    with ftps(dropbox, user, password) as client:
        upload(client, "daily.csv", CSV)
        eventually(settled(hub, 1), "the first file is processed")
        upload(client, "daily.csv", second)
    eventually(settled(hub, 2), "the second file is processed")
    assert states(hub) == ["processed", "replaced"]
    assert emails(hub) == ["ichiro@example.jp"]


def test_the_csv_file_name_rule_applies_to_dropped_files(hub, dropbox):
    added = integration_service.add_integration(
        hub, {"name": "daily", "kind": "ftp-drop", "settings": {"file_names": "daily"}}
    )
    with ftps(dropbox, added.shown_once["username"], added.shown_once["password"]) as client:
        upload(client, "members.csv", CSV)
        upload(client, "20260105.csv", CSV)
    eventually(settled(hub, 2), "both files are processed")
    by_name = {d.file_name: d for d in list_deliveries(hub)}
    assert by_name["20260105.csv"].state == "processed"
    assert by_name["members.csv"].state == "failed" and "yyyymmdd" in (by_name["members.csv"].reason or "")


def test_a_stopped_integration_keeps_the_file_but_does_not_process_it(hub, dropbox):
    user, password, _ = add_drop(hub)
    integration_service.set_status(hub, "partner", "stopped")
    with ftps(dropbox, user, password) as client:
        assert upload(client, "members.csv", CSV).startswith("226")
    eventually(settled(hub, 1), "the file is recorded")
    [delivery] = list_deliveries(hub)
    assert delivery.state == "ignored"
    assert hub.archive.path_for(delivery.sha256).read_bytes() == CSV
    assert emails(hub) == []


async def sftp_put(controller, user: str, auth: dict, files: list[tuple[str, bytes]]) -> list[str]:
    """Upload files over SFTP; the names listed afterwards."""
    async with (
        asyncssh.connect(
            "127.0.0.1", controller.sftp.port, username=user, known_hosts=None, agent_path=None, **auth
        ) as conn,
        conn.start_sftp_client() as sftp,
    ):
        for name, data in files:
            async with sftp.open(name, "wb") as remote:
                await remote.write(data)
        return sorted(await sftp.listdir("."))


async def sftp_symlink(controller, user: str, password: str, target: str, name: str) -> None:
    async with (
        asyncssh.connect(
            "127.0.0.1", controller.sftp.port, username=user, password=password, known_hosts=None, agent_path=None
        ) as conn,
        conn.start_sftp_client() as sftp,
    ):
        await sftp.symlink(target, name)


def test_sftp_with_a_password(hub, dropbox):
    user, password, _ = add_drop(hub)
    listed = asyncio.run(sftp_put(dropbox, user, {"password": password}, [("members.csv", CSV)]))
    assert listed == [".", ".."]
    eventually(settled(hub, 1), "the file is processed")
    [delivery] = list_deliveries(hub)
    assert (delivery.state, delivery.channel) == ("processed", "sftp")
    assert emails(hub) == ["hanako@example.jp", "taro@example.jp"]


def test_sftp_with_a_key_and_no_shell(hub, dropbox):
    key = asyncssh.generate_private_key("ssh-ed25519")
    public = key.export_public_key().decode().strip()
    added = integration_service.add_integration(
        hub, {"name": "keyed", "kind": "ftp-drop", "settings": {"authorized_keys": [public]}}
    )
    user = added.shown_once["username"]
    asyncio.run(sftp_put(dropbox, user, {"client_keys": [key], "password": None}, [("a.csv", CSV)]))
    eventually(settled(hub, 1), "the file is processed")

    async def shell() -> None:
        async with asyncssh.connect(
            "127.0.0.1", dropbox.sftp.port, username=user, client_keys=[key], known_hosts=None, agent_path=None
        ) as conn:
            await conn.run("id", check=True)

    with pytest.raises(asyncssh.ChannelOpenError):
        asyncio.run(shell())
    other = asyncssh.generate_private_key("ssh-ed25519")
    with pytest.raises(asyncssh.PermissionDenied):
        asyncio.run(sftp_put(dropbox, user, {"client_keys": [other], "password": None}, []))


def test_an_sftp_client_that_goes_away_with_the_file_open_leaves_no_delivery(hub, dropbox):
    user, password, integration_id = add_drop(hub)

    async def cut_off() -> None:
        conn = await asyncssh.connect(
            "127.0.0.1", dropbox.sftp.port, username=user, password=password, known_hosts=None, agent_path=None
        )
        sftp = await conn.start_sftp_client()
        remote = await sftp.open("half.csv", "wb")
        await remote.write(CSV[:20])
        conn.abort()
        await conn.wait_closed()

    asyncio.run(cut_off())
    asyncio.run(sftp_put(dropbox, user, {"password": password}, [("whole.csv", CSV)]))
    eventually(settled(hub, 1), "the whole file is processed")
    assert [d.file_name for d in list_deliveries(hub)] == ["whole.csv"]
    eventually(lambda: not list(folder(hub, integration_id).iterdir()), "the cut-off file is deleted")


@pytest.mark.skipif(shutil.which("sftp") is None, reason="the OpenSSH sftp client is not installed")
def test_the_openssh_sftp_client_uploads_with_a_key(hub, dropbox, tmp_path):
    key = asyncssh.generate_private_key("ssh-ed25519")
    key_file = tmp_path / "id_ed25519"
    key_file.write_bytes(key.export_private_key())
    key_file.chmod(0o600)
    public = key.export_public_key().decode().strip()
    added = integration_service.add_integration(
        hub, {"name": "openssh", "kind": "ftp-drop", "settings": {"authorized_keys": [public]}}
    )
    source = tmp_path / "members.csv"
    source.write_bytes(CSV)
    batch = tmp_path / "batch"
    batch.write_text(f"put {source} members.csv\nls\nmkdir sub\n")
    done = subprocess.run(
        ["sftp", "-b", str(batch), "-P", str(dropbox.sftp.port), "-i", str(key_file),
         "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "IdentitiesOnly=yes",
         "-o", "BatchMode=yes", f"{added.shown_once['username']}@127.0.0.1"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    # The batch stops at the refused mkdir; the upload before it went through.
    assert done.returncode != 0 and "mkdir" in done.stderr.lower() + done.stdout.lower()
    eventually(settled(hub, 1), "the file is processed")
    assert emails(hub) == ["hanako@example.jp", "taro@example.jp"]


def test_one_user_cannot_see_or_write_another_users_folder(hub, dropbox):
    user_a, password_a, _ = add_drop(hub, "a")
    user_b, password_b, id_b = add_drop(hub, "b")
    folder(hub, id_b).mkdir(parents=True, exist_ok=True)
    (folder(hub, id_b) / "b-only.csv").write_bytes(CSV)
    with ftps(dropbox, user_a, password_a) as client:
        assert listing(client) == []
        for path in (f"../{id_b}", f"/../{id_b}"):
            with pytest.raises(ftplib.error_perm, match=r"^550"):
                client.cwd(path)
        with pytest.raises(ftplib.error_perm, match=r"^550"):
            upload(client, f"../{id_b}/evil.csv", CSV)
    with pytest.raises(asyncssh.SFTPError):
        asyncio.run(sftp_put(dropbox, user_a, {"password": password_a}, [(f"../{id_b}/evil.csv", CSV)]))
    assert sorted(p.name for p in folder(hub, id_b).iterdir()) == ["b-only.csv"]
    with ftps(dropbox, user_b, password_b) as client:
        assert listing(client) == ["b-only.csv"]
    with pytest.raises(ftplib.error_perm, match=r"^530"), ftps(dropbox, user_a, password_b):
        pass


def test_a_zip_dropped_over_ftps_or_sftp_becomes_its_files_deliveries(hub, dropbox):
    # A partner zips the day's list (and encrypts it: the drop box's file_password); each CSV in it is a
    # delivery of its own on the same channel, named as in the archive, so the next day's replaces it.
    added = integration_service.add_integration(
        hub, {"name": "zipped", "kind": "ftp-drop", "settings": {"file_password": "ppap-2026"}}
    )
    user, password = added.shown_once["username"], added.shown_once["password"]
    with ftps(dropbox, user, password) as client:
        assert upload(client, "members.zip", zip_bytes({"出力/会員.csv": CSV}, names="cp932", password=b"ppap-2026"))
    eventually(settled(hub, 2), "the archive and its file are processed")
    by_name = {d.file_name: d for d in list_deliveries(hub)}
    assert (by_name["members.zip"].state, by_name["会員.csv"].state) == ("processed", "processed")
    assert (
        by_name["会員.csv"].channel == "ftp" and by_name["会員.csv"].meta["zip_delivery"] == by_name["members.zip"].id
    )
    assert emails(hub) == ["hanako@example.jp", "taro@example.jp"]
    newer = "氏名,メールアドレス\r\n鈴木一郎,ichiro@example.jp\r\n".encode("cp932")
    asyncio.run(
        sftp_put(dropbox, user, {"password": password}, [("members.zip", aes_zip({"会員.csv": newer}, b"ppap-2026"))])
    )
    eventually(settled(hub, 4), "the second archive and its file are processed")
    assert emails(hub) == ["ichiro@example.jp"]
