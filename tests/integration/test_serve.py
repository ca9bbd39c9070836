"""`renkei serve` (what `make run` starts) answers on /health and resumes pending deliveries."""

from __future__ import annotations

import contextlib
import http.cookiejar
import json
import os
import re
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from tests.conftest import write_csv
from tests.helpers import free_port


def get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.loads(response.read())


def wait_for(url: str, process: subprocess.Popen) -> dict:
    for _ in range(300):
        if process.poll() is not None:
            raise AssertionError(f"serve exited: {process.stdout.read() if process.stdout else ''}")
        try:
            return get(url)
        except OSError:
            time.sleep(0.1)
    raise AssertionError("serve did not answer")


def test_serve_answers_health_and_processes_what_a_crash_left(tmp_path: Path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("RENKEI_")}
    env["RENKEI_HOME"] = str(tmp_path / "home")
    path = write_csv(tmp_path / "a.csv", [["氏名", "メール"], ["山田太郎", "t@example.jp"]])
    crashed = subprocess.run(
        [sys.executable, "-m", "renkei.cli.main", "import", str(path)],
        env={**env, "RENKEI_FAILPOINT": "land.recorded"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert crashed.returncode == 99
    port = free_port()
    ports = ["--smtp-port", str(free_port()), "--ftp-port", str(free_port()), "--sftp-port", str(free_port())]
    process = subprocess.Popen(
        [sys.executable, "-m", "renkei.cli.main", "serve", "--port", str(port), *ports],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        health = wait_for(f"http://127.0.0.1:{port}/health", process)
        assert health["status"] == "ok" and health["database"] == "sqlite"
    finally:
        process.terminate()
        process.wait(timeout=30)
        if process.stdout:
            process.stdout.close()
    listed = subprocess.run(
        [sys.executable, "-m", "renkei.cli.main", "deliveries", "list", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert [d["state"] for d in json.loads(listed.stdout)] == ["processed"]


@contextlib.contextmanager
def serving(env: dict[str, str], port: int) -> Iterator[tuple[subprocess.Popen, list[str]]]:
    """`renkei serve` without its mail and file servers, answering on ``port``; its output once stopped."""
    off = ["--smtp-port", "0", "--ftp-port", "0", "--sftp-port", "0"]
    process = subprocess.Popen(
        [sys.executable, "-m", "renkei.cli.main", "serve", "--port", str(port), *off],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output: list[str] = []
    try:
        wait_for(f"http://127.0.0.1:{port}/health", process)
        yield process, output
    finally:
        process.terminate()
        try:
            output.append(process.communicate(timeout=30)[0])
        except subprocess.TimeoutExpired:
            process.kill()
            output.append(process.communicate()[0])


def test_first_start_prints_a_one_time_admin_password_that_signs_in(tmp_path: Path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("RENKEI_")}
    env["RENKEI_HOME"] = str(tmp_path / "home")
    port = free_port()
    with serving(env, port) as (_process, first):
        pass
    password = re.search(r"created user 'admin' .* one-time password (\S+)", first[0]).group(1)
    assert "Scheduler on" in first[0]  # pull schedules and IMAP mailboxes are looked after by serve
    # A second start creates no second admin and prints no password.
    with serving(env, port) as (_process, second):
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        page = opener.open(f"http://127.0.0.1:{port}/login", timeout=5).read().decode()
        csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
        fields = {"login": "admin", "password": password, "csrf": csrf, "next": "/api/me"}
        me = json.loads(
            opener.open(f"http://127.0.0.1:{port}/login", data=urllib.parse.urlencode(fields).encode()).read()
        )
        assert me["role"] == "admin" and me["workspace"] == "default"
    assert "one-time password" not in second[0]
