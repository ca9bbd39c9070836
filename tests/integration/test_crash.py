"""A crash at any point of landing or processing loses nothing and applies nothing twice.

Each case runs the real ``renkei import`` in a child process that dies at one failpoint (like
a power cut: ``os._exit``), then runs the same import again, and compares the store with a
clean run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import write_csv
from tests.zips import zip_bytes

FAILPOINTS = ["land.archived", "land.recorded", "process.batch", "process.before_commit", "process.committed"]


def renkei(
    args: list[str], home: Path, url: str, failpoint: str | None = None, parallel: bool = False
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RENKEI_")}
    env |= {"RENKEI_HOME": str(home), "RENKEI_DATABASE_URL": url}
    if parallel:
        env["RENKEI_PARALLEL_BYTES"] = "0"
    if failpoint:
        env["RENKEI_FAILPOINT"] = failpoint
    return subprocess.run(
        [sys.executable, "-m", "renkei.cli.main", *args], env=env, capture_output=True, text=True, timeout=300
    )


def people_file(tmp_path: Path) -> Path:
    rows = [["氏名", "メールアドレス", "携帯電話"]]
    rows += [[f"山田{i}", f"p{i}@example.jp", f"090-{1000 + i // 10000:04d}-{i % 10000:04d}"] for i in range(12000)]
    rows += [["山田0", "P0@EXAMPLE.JP", ""]]
    return write_csv(tmp_path / "people.csv", rows)


def state(home: Path, url: str) -> tuple[list[dict], list[str]]:
    exported = renkei(["customers", "export"], home, url)
    assert exported.returncode == 0, exported.stderr
    customers = [json.loads(line) for line in exported.stdout.splitlines()]
    listed = renkei(["deliveries", "list", "--json"], home, url)
    states = sorted(d["state"] for d in json.loads(listed.stdout))
    return [{k: c[k] for k in ("email", "mobile", "last_name")} for c in customers], states


@pytest.mark.parametrize(
    ("failpoint", "parallel"),
    [*((f, False) for f in FAILPOINTS), ("process.batch", True), ("process.before_commit", True)],
)
def test_crash_then_retry_gives_exactly_the_clean_result(database_url, tmp_path, failpoint, parallel):
    home = tmp_path / "home"
    path = people_file(tmp_path)
    crashed = renkei(["import", str(path)], home, database_url, failpoint, parallel)
    assert crashed.returncode == 99, crashed.stderr
    retried = renkei(["import", str(path)], home, database_url, parallel=parallel)
    assert retried.returncode == 0, retried.stderr
    customers, states = state(home, database_url)
    assert len(customers) == 12000
    assert len({c["email"] for c in customers}) == 12000
    assert customers[0] == {"email": "p0@example.jp", "mobile": "+819010000000", "last_name": "山田0"}
    expected = ["duplicate", "processed"] if failpoint == "process.committed" else ["processed"]
    assert states == expected


@pytest.mark.parametrize("failpoint", FAILPOINTS)
def test_a_crash_importing_a_zip_file_then_retry_gives_exactly_its_files_result(database_url, tmp_path, failpoint):
    # The ZIP's files are landed in its transaction and processed after it: a crash between the two
    # leaves them waiting, and importing the ZIP again processes them (nothing twice).
    home = tmp_path / "home"
    archive = tmp_path / "members.zip"
    archive.write_bytes(
        zip_bytes({f"{n}.csv": f"氏名,メールアドレス\r\n山田{n},p{n}@example.jp\r\n".encode("cp932") for n in range(2)})
    )
    crashed = renkei(["import", str(archive)], home, database_url, failpoint)
    assert crashed.returncode == 99, crashed.stderr
    retried = renkei(["import", str(archive)], home, database_url)
    assert retried.returncode == 0, retried.stderr
    customers, states = state(home, database_url)
    assert sorted(c["email"] for c in customers) == ["p0@example.jp", "p1@example.jp"]
    expected = ["processed"] * 3
    # After the ZIP's commit (process.committed; process.batch is first hit reading its first file) the
    # second import is a duplicate that processes the waiting files.
    after_commit = failpoint in ("process.committed", "process.batch")
    assert states == (["duplicate", *expected] if after_commit else expected)
