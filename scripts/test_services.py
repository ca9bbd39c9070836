"""Start what the tests need: PostgreSQL on 127.0.0.1:5432 (if it is installed but down).

The tests create and drop their own databases; this only makes sure the server answers.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path


def answers(host: str = "127.0.0.1", port: int = 5432) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def main() -> int:
    if os.environ.get("RENKEI_TEST_SKIP_POSTGRES") == "1" or answers():
        return 0
    clusters = Path("/etc/postgresql")
    if shutil.which("pg_ctlcluster") and clusters.is_dir():
        for version in sorted(p.name for p in clusters.iterdir()):
            subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"], check=False)
        for _ in range(30):
            if answers():
                return 0
            time.sleep(1)
    print(
        "PostgreSQL does not answer on 127.0.0.1:5432 and could not be started; the PostgreSQL tests will fail.\n"
        "Set RENKEI_TEST_POSTGRES_URL to a server, or RENKEI_TEST_SKIP_POSTGRES=1 to leave them out.",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
