"""The drop box refuses uploads larger than RENKEI_DROPBOX_MAX_BYTES, over FTPS and SFTP; nothing is landed."""

from __future__ import annotations

import asyncio
import ftplib
import io

import asyncssh
import pytest

from renkei.channels.ftp import DropBoxController, env_max_bytes
from renkei.errors import ConfigurationError
from renkei.pipeline import integrations as integration_service
from renkei.pipeline.deliveries import list_deliveries
from tests.helpers import eventually, free_port, settled
from tests.integration.test_dropbox import CSV, folder, ftps

LIMIT = 4096
BIG = CSV + b"".join(f"name{i},p{i}@example.jp\r\n".encode() for i in range(2000))


@pytest.fixture
def database_url(tmp_path):
    """SQLite only: the limit is the servers' business, not the store's."""
    return f"sqlite:///{tmp_path / 'renkei.db'}"


@pytest.fixture
def limited(hub, monkeypatch):
    monkeypatch.setenv("RENKEI_FTP_PLAIN", "1")
    monkeypatch.setenv("RENKEI_DROPBOX_MAX_BYTES", str(LIMIT))
    controller = DropBoxController(hub, "127.0.0.1", free_port(), free_port(), fail_delay=0.01)
    controller.start()
    try:
        yield controller
    finally:
        controller.stop()


def test_an_oversized_ftps_upload_is_refused_and_not_landed(hub, limited):
    added = integration_service.add_integration(hub, {"name": "partner", "kind": "ftp-drop"})
    user, password = added.shown_once["username"], added.shown_once["password"]
    client = ftps(limited, user, password)
    try:
        with pytest.raises((ftplib.error_perm, OSError)) as refused:
            client.storbinary("STOR big.csv", io.BytesIO(BIG))
        if not isinstance(refused.value, ftplib.error_perm):
            # The data connection broke under the client first; the refusal still comes.
            with pytest.raises(ftplib.error_perm) as answered:
                client.getresp()
            refused = answered
        assert str(refused.value).startswith("552") and "4096 bytes" in str(refused.value)
    finally:
        client.close()
    with ftps(limited, user, password) as client:
        client.storbinary("STOR small.csv", io.BytesIO(CSV))
    eventually(settled(hub, 1), "the small file is processed")
    assert [d.file_name for d in list_deliveries(hub)] == ["small.csv"]
    eventually(lambda: not list(folder(hub, added.id).iterdir()), "the refused file is deleted")


def test_an_oversized_sftp_upload_is_refused_and_not_landed(hub, limited):
    added = integration_service.add_integration(hub, {"name": "partner", "kind": "ftp-drop"})
    user, password = added.shown_once["username"], added.shown_once["password"]

    async def upload(name: str, data: bytes) -> None:
        async with (
            asyncssh.connect(
                "127.0.0.1", limited.sftp.port, username=user, password=password, known_hosts=None, agent_path=None
            ) as conn,
            conn.start_sftp_client() as sftp,
            sftp.open(name, "wb") as remote,
        ):
            await remote.write(data)

    with pytest.raises(asyncssh.SFTPFailure, match="larger than 4096 bytes"):
        asyncio.run(upload("big.csv", BIG))
    asyncio.run(upload("small.csv", CSV))
    eventually(settled(hub, 1), "the small file is processed")
    assert [d.file_name for d in list_deliveries(hub)] == ["small.csv"]
    assert not list(folder(hub, added.id).iterdir())


@pytest.mark.parametrize(("raw", "ok"), [("", True), ("1000", True), ("0", False), ("2GB", False)])
def test_the_limit_comes_from_the_environment(monkeypatch, raw, ok):
    monkeypatch.setenv("RENKEI_DROPBOX_MAX_BYTES", raw)
    if ok:
        assert env_max_bytes() == (int(raw) if raw else (2 << 30) + (64 << 20))
    else:
        with pytest.raises(ConfigurationError, match="RENKEI_DROPBOX_MAX_BYTES"):
            env_max_bytes()
