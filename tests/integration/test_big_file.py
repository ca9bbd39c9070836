"""A 2 GB file: landed whole (streamed, never held in memory), then a clear error, nothing half-written."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

TWO_GB = 2_148_000_000


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(8 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def test_a_2gb_file_with_binary_content_is_archived_whole_and_refused_clearly_in_little_memory(tmp_path: Path):
    path = tmp_path / "members.csv"
    with path.open("wb") as handle:
        handle.write("氏名,メール\r\n山田太郎,t@example.jp\r\n".encode("cp932"))
        handle.truncate(TWO_GB)  # a sparse hole of NUL bytes, as a broken export or disk would leave
        handle.seek(TWO_GB)
        handle.write("\r\n佐藤花子,h@example.jp\r\n".encode("cp932"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("RENKEI_")}
    env["RENKEI_HOME"] = str(tmp_path / "home")
    # The child's own peak: VmHWM (Linux) starts afresh at exec, whereas ru_maxrss keeps the size
    # of the process that forked it (a pytest grown by earlier tests would count against the import).
    code = (
        "import re, resource, sys\n"
        "from renkei.cli.main import app\n"
        "def peak_kb():\n"
        "    try:\n"
        "        with open('/proc/self/status') as status:\n"
        "            return int(re.search(r'VmHWM:\\s+(\\d+) kB', status.read()).group(1))\n"
        "    except (OSError, AttributeError):\n"
        "        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "try:\n"
        "    app(sys.argv[1:])\n"
        "finally:\n"
        "    print('PEAK_KB', peak_kb(), file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, "import", "--json", str(path)], env=env, capture_output=True, text=True
    )
    assert done.returncode == 1, done.stderr
    peak_mb = int(done.stderr.rsplit("PEAK_KB", 1)[1].split()[0]) / 1024
    assert peak_mb < 300, f"peak memory {peak_mb:.0f} MB: the file was held in memory"
    [result] = json.loads(done.stdout)
    assert result["state"] == "failed" and "binary" in result["reason"]
    assert result["created"] == 0
    # The whole payload is in the archive, byte for byte, for replay after a fix.
    archived = [p for p in (tmp_path / "home" / "archive").rglob("*") if p.is_file()]
    assert [p.stat().st_size for p in archived] == [path.stat().st_size]
    assert archived[0].name == _sha256(path) == _sha256(archived[0])
    exported = subprocess.run(
        [sys.executable, "-m", "renkei.cli.main", "customers", "export"], env=env, capture_output=True, text=True
    )
    assert exported.returncode == 0 and exported.stdout == ""
