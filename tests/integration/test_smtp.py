"""The SMTP inbox: a real aiosmtpd server on loopback, a real smtplib client.

Portal mails sent to an inbox address become customers; what is not an inbox, too big or
hostile is refused in the SMTP dialogue; a crash before ``250`` makes the sender retry and a
crash after it loses nothing.
"""

from __future__ import annotations

import os
import signal
import smtplib
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from renkei.channels import worker
from renkei.channels.smtp import InboxController, make_controller
from renkei.errors import ConfigurationError
from renkei.pipeline import integrations as integration_service
from renkei.pipeline.deliveries import list_deliveries, resume_pending
from renkei.pipeline.hub import Hub
from renkei.pipeline.mail import inbox_address, mail_domain
from tests.helpers import eventually, free_port, settled, states
from tests.helpers import export as customers

ROOT = Path(__file__).resolve().parents[2]
RENTAL = (ROOT / "tests" / "cases" / "portals" / "suumo" / "rental.eml").read_bytes()
SENDER = "system@jds.suumo.jp"


def add_suumo(hub: Hub, name: str = "suumo") -> str:
    """A suumo integration; its inbox address."""
    return inbox_address(integration_service.add_integration(hub, {"name": name, "kind": "suumo"}))


def send(port: int, recipients: list[str], raw: bytes = RENTAL, sender: str = SENDER) -> tuple[int, bytes]:
    """One SMTP transaction without SIZE; the reply to the end of DATA."""
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as client:
        client.ehlo()
        assert client.mail(sender)[0] == 250
        for recipient in recipients:
            assert client.rcpt(recipient)[0] == 250
        return client.data(raw)


@contextmanager
def running_inbox(hub: Hub) -> Iterator[InboxController]:
    """An inbox on a free port, started, and stopped at the end."""
    controller = make_controller(hub, "127.0.0.1", free_port(), max_bytes=64 * 1024)
    controller.start()
    try:
        yield controller
    finally:
        controller.stop()


@pytest.fixture
def inbox(hub: Hub) -> Iterator[InboxController]:
    with running_inbox(hub) as controller:
        yield controller


def test_a_portal_mail_becomes_a_customer_with_its_inquiry(hub, inbox):
    address = add_suumo(hub)
    code, _ = send(inbox.port, [address])
    assert code == 250
    eventually(settled(hub, 1), "the delivery is processed")
    [delivery] = list_deliveries(hub)
    assert (delivery.state, delivery.channel) == ("processed", "smtp")
    assert delivery.meta == {"message_id": "<s1@jds>", "envelope_from": SENDER}
    assert hub.archive.path_for(delivery.sha256).read_bytes().startswith(b"Return-Path: <system@jds.suumo.jp>\r\n")
    [customer] = customers(hub)
    assert customer["email"] == "taro.yamada@example.jp"
    assert [(i["external_id"], i["property_code"]) for i in customer["inquiries"]] == [("A1234567890", "100012345678")]


def test_ehlo_announces_the_size_limit(hub, inbox):
    with smtplib.SMTP("127.0.0.1", inbox.port, timeout=30) as client:
        client.ehlo()
        assert client.esmtp_features["size"] == str(64 * 1024)


@pytest.mark.parametrize(
    "recipient",
    [
        pytest.param(lambda real: "suumo-999-0123456789abcdef012345678@" + mail_domain(), id="unknown-inbox"),
        pytest.param(lambda real: real.rsplit("-", 1)[0] + "-" + "0" * 25 + "@" + mail_domain(), id="wrong-secret"),
        pytest.param(lambda real: real.replace("suumo-", "homes-", 1), id="wrong-kind"),
        pytest.param(lambda real: real.split("@")[0] + "@example.jp", id="other-domain"),
        pytest.param(lambda real: "postmaster@" + mail_domain(), id="no-secret"),
    ],
)
def test_a_recipient_that_names_no_inbox_is_refused_at_rcpt(hub, inbox, recipient):
    real = add_suumo(hub)
    with (
        smtplib.SMTP("127.0.0.1", inbox.port, timeout=30) as client,
        pytest.raises(smtplib.SMTPRecipientsRefused) as refused,
    ):
        client.sendmail(SENDER, [recipient(real)], RENTAL)
    [(code, _)] = refused.value.recipients.values()
    assert code == 550
    assert list_deliveries(hub) == []


def test_an_oversized_mail_is_refused_with_552(hub, inbox):
    address = add_suumo(hub)
    big = RENTAL + b"\r\n" + (b"x" * 76 + b"\r\n") * 1000
    # smtplib announces the size (MAIL FROM ... SIZE=n): refused before the data is sent.
    with smtplib.SMTP("127.0.0.1", inbox.port, timeout=30) as client, pytest.raises(smtplib.SMTPSenderRefused) as early:
        client.sendmail(SENDER, [address], big)
    assert early.value.smtp_code == 552
    # A client that does not announce it is refused at the end of DATA.
    code, _ = send(inbox.port, [address], big)
    assert code == 552
    assert list_deliveries(hub) == []


def test_the_same_mail_twice_is_recorded_as_a_duplicate(hub, inbox):
    address = add_suumo(hub)
    assert send(inbox.port, [address])[0] == 250
    eventually(settled(hub, 1), "the first copy is processed")
    assert send(inbox.port, [address])[0] == 250
    eventually(settled(hub, 2), "the second copy is recorded")
    assert states(hub) == ["duplicate", "processed"]
    duplicate = next(d for d in list_deliveries(hub) if d.state == "duplicate")
    assert "Message-ID" in (duplicate.reason or "")
    assert len(customers(hub)) == 1


def test_one_mail_for_two_inboxes_lands_once_in_each(hub, inbox):
    other = hub.for_workspace("branch")
    here, there = add_suumo(hub), add_suumo(other)
    assert send(inbox.port, [here, there, here])[0] == 250
    eventually(settled(hub, 1), "the delivery here is processed")
    eventually(settled(other, 1), "the delivery in the other workspace is processed")
    assert states(hub) == states(other) == ["processed"]
    assert [c["email"] for c in customers(hub)] == [c["email"] for c in customers(other)] == ["taro.yamada@example.jp"]


def test_a_mail_for_a_stopped_integration_is_kept_but_not_applied(hub, inbox):
    address = add_suumo(hub, "paused")
    integration_service.set_status(hub, "paused", "stopped")
    assert send(inbox.port, [address])[0] == 250
    eventually(settled(hub, 1), "the delivery is settled")
    [delivery] = list_deliveries(hub)
    assert delivery.state == "ignored"
    assert hub.archive.path_for(delivery.sha256).exists()
    assert customers(hub) == []


@pytest.fixture
def thread_inbox(hub: Hub, monkeypatch: pytest.MonkeyPatch) -> Iterator[InboxController]:
    """An inbox that processes on a thread of this process (RENKEI_PROCESSING=thread), where patches reach."""
    monkeypatch.setenv("RENKEI_PROCESSING", "thread")
    with running_inbox(hub) as controller:
        yield controller


def test_a_processing_crash_leaves_the_delivery_for_resume_and_the_server_running(hub, thread_inbox, monkeypatch):
    inbox = thread_inbox
    address = add_suumo(hub)
    crashed = threading.Event()
    real_process = worker.process_mails

    def crash_once(*args, **kwargs):
        if not crashed.is_set():
            crashed.set()
            raise RuntimeError("a bug in a parser")
        return real_process(*args, **kwargs)

    monkeypatch.setattr(worker, "process_mails", crash_once)
    assert send(inbox.port, [address])[0] == 250
    eventually(crashed.is_set, "processing was tried")
    other = RENTAL.replace(b"<s1@jds>", b"<s2@jds>").replace(b"A1234567890", b"A0000000002")
    assert send(inbox.port, [address], other)[0] == 250
    eventually(lambda: states(hub) == ["processed", "received"], "the second mail is processed")
    assert [r.state for r in resume_pending(hub)] == ["processed"]
    assert states(hub) == ["processed", "processed"]


def test_the_worker_process_dies_mid_batch_and_its_replacement_applies_every_mail_once(hub, tmp_path, monkeypatch):
    # The first worker process dies just before committing; the inbox starts another, which resumes.
    marker = tmp_path / "crashed-once"
    monkeypatch.setenv("RENKEI_FAILPOINT", "process.before_commit")
    monkeypatch.setenv("RENKEI_FAILPOINT_ONCE", str(marker))
    address = add_suumo(hub)
    controller = make_controller(hub, "127.0.0.1", free_port(), max_bytes=64 * 1024)
    controller.start()
    try:
        first_pid = controller.processor.pid
        mails = [
            RENTAL.replace(b"<s1@jds>", f"<s{n}@jds>".encode()).replace(b"A1234567890", f"A{n:010d}".encode())
            for n in range(1, 4)
        ]
        for raw in mails:
            assert send(controller.port, [address], raw)[0] == 250
        eventually(settled(hub, 3), "every mail is processed")
        controller.processor.join()
        assert marker.exists()  # the first worker did die
        assert controller.processor.pid != first_pid
    finally:
        controller.stop()
    assert states(hub) == ["processed"] * 3
    [customer] = customers(hub)
    assert sorted(i["external_id"] for i in customer["inquiries"]) == ["A0000000001", "A0000000002", "A0000000003"]


def test_processing_mode_is_checked(hub, monkeypatch):
    monkeypatch.setenv("RENKEI_PROCESSING", "fork")
    with pytest.raises(ConfigurationError, match="RENKEI_PROCESSING"):
        make_controller(hub, "127.0.0.1", free_port())


def dialogue(port: int, lines: list[bytes]) -> list[int]:
    """Send raw command lines (no smtplib escaping) and return the reply code to each."""
    codes = []
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock, sock.makefile("rb") as replies:

        def reply() -> int:
            while True:
                line = replies.readline()
                assert line, "the server closed the connection"
                if line[3:4] != b"-":
                    return int(line[:3])

        reply()
        for line in lines:
            sock.sendall(line)
            codes.append(reply())
    return codes


@pytest.mark.parametrize(
    ("commands", "refused_at"),
    [
        pytest.param([b"MAIL FROM:<a\rX-Injected: 1@example.jp>\r\n"], 0, id="cr-in-sender"),
        pytest.param([b"MAIL FROM:<a\x00b@example.jp>\r\n"], 0, id="nul-in-sender"),
        # A CRLF ends the command: what follows it is refused as a command of its own.
        pytest.param([b"MAIL FROM:<a@example.jp\r\n", b"X-Injected: 1>\r\n"], 1, id="crlf-in-sender"),
        pytest.param(
            [b"MAIL FROM:<a@example.jp>\r\n", b"RCPT TO:<{address}\rBcc: x@example.jp>\r\n"], 1, id="cr-in-recipient"
        ),
        pytest.param(
            [b"MAIL FROM:<a@example.jp>\r\n", b"RCPT TO:<{address}>\rBcc: x@example.jp\r\n"], 1, id="cr-after-recipient"
        ),
        pytest.param([b"MAIL FROM:<a@example.jp>\r\n", b"RCPT TO:<{address}\x00>\r\n"], 1, id="nul-in-recipient"),
    ],
)
def test_control_characters_in_envelope_addresses_are_refused(hub, inbox, commands, refused_at):
    address = add_suumo(hub).encode()
    lines = [b"EHLO client.example.jp\r\n", *(c.replace(b"{address}", address) for c in commands)]
    codes = dialogue(inbox.port, lines)
    assert codes[0] == 250
    assert all(code == 250 for code in codes[1 : 1 + refused_at])
    assert 500 <= codes[1 + refused_at] < 600, codes
    # The server is still there and still takes a clean mail.
    assert send(inbox.port, [address.decode()])[0] == 250
    eventually(settled(hub, 1), "the clean mail is processed")


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(b"\x00" * 4096, id="nul-bytes"),
        pytest.param(bytes(range(256)) * 16, id="every-byte"),
        pytest.param(
            b"Subject: =?ISO-2022-JP?B?broken?=\r\nContent-Type: multipart/mixed\r\n\r\n\x1b$B", id="broken-mime"
        ),
        pytest.param(b"", id="empty"),
    ],
)
def test_garbage_to_a_real_inbox_is_accepted_and_classified(hub, inbox, raw):
    address = add_suumo(hub)
    assert send(inbox.port, [address], raw)[0] == 250
    eventually(settled(hub, 1), "the garbage is classified")
    assert states(hub)[0] in ("quarantined", "not-a-lead")
    assert customers(hub) == []


# --- the real commands, in child processes, crashing at the failpoints ---------------------------


def child_env(
    home: Path, url: str, failpoint: str | None = None, processing: str | None = None, after: Path | None = None
) -> dict[str, str]:
    """The environment of a child ``renkei``; ``after``: the failpoint waits for that file before it kills."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RENKEI_")}
    env |= {"RENKEI_HOME": str(home), "RENKEI_DATABASE_URL": url, "RENKEI_MAIL_DOMAIN": mail_domain()}
    if processing:
        env["RENKEI_PROCESSING"] = processing
    if failpoint:
        env["RENKEI_FAILPOINT"] = failpoint
    if after:
        env["RENKEI_FAILPOINT_AFTER"] = str(after)
    return env


def start(args: list[str], env: dict[str, str], port: int, new_session: bool = False) -> subprocess.Popen[str]:
    """Start ``renkei ARGS`` and wait until it takes connections on ``port``."""
    process = subprocess.Popen(
        [sys.executable, "-m", "renkei.cli.main", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=new_session,
    )
    for _ in range(600):
        if process.poll() is not None:
            output = process.communicate()[0]
            raise AssertionError(f"renkei {args[0]} exited with {process.returncode}: {output}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return process
        except OSError:
            time.sleep(0.05)
    stop(process)
    raise AssertionError(f"renkei {args[0]} did not listen on {port}")


def stop(process: subprocess.Popen[str]) -> int:
    if process.poll() is None:
        process.terminate()
    process.communicate(timeout=60)
    return process.returncode


def exit_code(process: subprocess.Popen[str]) -> int:
    """Wait (bounded) for the process to end by itself; its exit code."""
    try:
        process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        stop(process)
        raise AssertionError("the process did not die at its failpoint") from None
    return process.returncode


def archived_files(home: Path) -> list[Path]:
    return [p for p in (home / "archive").rglob("*") if p.is_file() and not p.name.startswith(".")]


@pytest.mark.parametrize(
    ("failpoint", "told", "left", "end"),
    [
        # Died before 250: the sender retries; the archived bytes alone are no delivery.
        ("land.archived", False, [], ["processed"]),
        # Died after recording, before 250: resumed at restart, and the retry is a duplicate of it.
        ("land.recorded", False, ["received"], ["duplicate", "processed"]),
        # Died while processing, after 250: the sender is done; the restart resumes the delivery.
        ("process.before_commit", True, ["received"], ["processed"]),
    ],
)
def test_a_crash_around_the_250_loses_nothing_and_applies_nothing_twice(
    database_url, tmp_path, failpoint, told, left, end
):
    home = tmp_path / "home"
    hub = Hub.open("default", url=database_url, home=home)
    try:
        address = add_suumo(hub)
        port = free_port()
        # One process, as a power cut takes it (the worker process's own crash has its test above).
        # Processing runs beside the reply: held at its failpoint until the sender has the 250.
        told_file = tmp_path / "told"
        env = child_env(home, database_url, failpoint, "thread", after=told_file if told else None)
        crashing = start(["smtp", "--port", str(port)], env, port)
        try:
            if told:
                assert send(port, [address])[0] == 250
                told_file.touch()
            else:
                with pytest.raises(smtplib.SMTPServerDisconnected):
                    send(port, [address])
        finally:
            # It dies by itself at the failpoint (processing may still be on its way after the 250).
            assert exit_code(crashing) == 99
        assert len(archived_files(home)) == 1
        assert states(hub) == left

        restarted = start(["smtp", "--port", str(port)], child_env(home, database_url, processing="thread"), port)
        try:
            if not told:
                assert send(port, [address])[0] == 250  # the sender's retry
            eventually(settled(hub, len(end)), "the retried or resumed mail is processed")
        finally:
            assert stop(restarted) == 0
        assert states(hub) == end
        assert [c["email"] for c in customers(hub)] == ["taro.yamada@example.jp"]
        assert len(archived_files(home)) == 1
    finally:
        hub.close()


def sqlite_store(tmp_path: Path) -> tuple[Path, str, Hub]:
    """A SQLite store under ``tmp_path/home`` for a child process to share: (home, URL, hub); close the hub."""
    home = tmp_path / "home"
    home.mkdir()
    url = f"sqlite:///{home / 'renkei.db'}"
    return home, url, Hub.open("default", url=url, home=home)


def test_serve_takes_mail_on_its_smtp_port(tmp_path):
    home, url, hub = sqlite_store(tmp_path)
    try:
        address = add_suumo(hub)
        http_port, smtp_port = free_port(), free_port()
        serving = start(
            ["serve", "--port", str(http_port), "--smtp-port", str(smtp_port)], child_env(home, url), smtp_port
        )
        try:
            assert send(smtp_port, [address])[0] == 250
            eventually(settled(hub, 1), "the mail is processed")
        finally:
            # uvicorn shuts down gracefully, then re-raises the SIGTERM it caught.
            assert stop(serving) in (0, -15)
        assert states(hub) == ["processed"]
        assert [c["email"] for c in customers(hub)] == ["taro.yamada@example.jp"]
    finally:
        hub.close()


def test_ctrl_c_stops_the_inbox_and_its_worker_process_cleanly(tmp_path):
    # Ctrl+C in a terminal sends SIGINT to the whole process group, the worker process included.
    home, url, hub = sqlite_store(tmp_path)
    try:
        address = add_suumo(hub)
        port = free_port()
        serving = start(["smtp", "--port", str(port)], child_env(home, url), port, new_session=True)
        try:
            assert send(port, [address])[0] == 250
            eventually(settled(hub, 1), "the mail is processed by the worker process")
        finally:
            os.killpg(serving.pid, signal.SIGINT)
            output, _ = serving.communicate(timeout=60)
        assert serving.returncode == 0, output
        assert "Traceback" not in output
        assert "worker exited" not in output  # it was stopped, not lost and restarted
        assert states(hub) == ["processed"]
    finally:
        hub.close()
