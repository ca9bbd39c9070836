"""Baseline for the CSV import benchmark: the least work any importer of the file must do.

Open the file, decode CP932, parse CSV and INSERT every row as TEXT into one unindexed SQLite
table, with the store's settings and the importer's transaction policy: WAL journal,
synchronous=NORMAL and a 64 MiB page cache (renkei.store.db), executemany in batches of 5,000
rows (the CSV source's batch size) and one transaction for the whole file (process_delivery
applies a delivery all or nothing). No normalising, matching or indexing, so `renkei import`
time / baseline time is the price of everything the importer adds. `commit_every` measures
what periodic commits would cost instead.

    python bench/baseline.py FILE.csv [DB]      # DB defaults to a temporary file
"""

from __future__ import annotations

import csv
import importlib
import io
import sqlite3
import sys
import tempfile
import time
from itertools import islice
from pathlib import Path

ENCODING = "cp932"
BATCH_ROWS = 5_000


def run_baseline(csv_path: Path, db_path: Path, *, commit_every: int | None = None) -> float:
    """Load `csv_path` into a new table `baseline` in `db_path` (replaced if present); seconds taken.

    One transaction for the file, like the importer; `commit_every` rows commits along the way.
    """
    for stale in (
        db_path,
        db_path.with_name(db_path.name + "-wal"),
        db_path.with_name(db_path.name + "-shm"),
    ):
        stale.unlink(missing_ok=True)
    started = time.perf_counter()
    conn = sqlite3.connect(db_path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA cache_size=-65536")  # 64 MiB, as the store sets it
        with open(csv_path, "rb") as raw:
            text = io.TextIOWrapper(raw, encoding=ENCODING, newline="")
            reader = csv.reader(text)
            header = next(reader)
            columns = ", ".join(f"c{i} TEXT" for i in range(len(header)))
            conn.execute(f"CREATE TABLE baseline ({columns})")
            insert = f"INSERT INTO baseline VALUES ({', '.join('?' * len(header))})"
            uncommitted = 0
            conn.execute("BEGIN")
            while batch := list(islice(reader, BATCH_ROWS)):
                conn.executemany(insert, batch)
                uncommitted += len(batch)
                if commit_every and uncommitted >= commit_every:
                    conn.execute("COMMIT")
                    conn.execute("BEGIN")
                    uncommitted = 0
            conn.execute("COMMIT")
    finally:
        conn.close()
    return time.perf_counter() - started


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far, in MB (current RSS where no peak is kept)."""
    try:
        import resource
    except ImportError:  # Windows: psutil reports the peak working set there
        psutil = importlib.import_module("psutil")
        info = psutil.Process().memory_info()
        return float(getattr(info, "peak_wset", info.rss)) / 2**20
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 2**10  # bytes on macOS, KiB elsewhere


def count_rows(db_path: Path) -> int:
    """Rows the baseline stored: checks that every data row of the file arrived."""
    conn = sqlite3.connect(db_path)
    try:
        (rows,) = conn.execute("SELECT count(*) FROM baseline").fetchone()
    finally:
        conn.close()
    return int(rows)


def main(argv: list[str]) -> int:
    if len(argv) not in (1, 2):
        print("usage: python bench/baseline.py FILE.csv [DB]", file=sys.stderr)
        return 2
    csv_path = Path(argv[0])
    size_mb = csv_path.stat().st_size / 1e6
    with tempfile.TemporaryDirectory(prefix="renkei-baseline-") as scratch:
        db_path = Path(argv[1]) if len(argv) == 2 else Path(scratch) / "baseline.sqlite3"
        for label, commit_every in (("one transaction", None), ("commit every 50,000", 50_000)):
            seconds = run_baseline(csv_path, db_path, commit_every=commit_every)
            rows = count_rows(db_path)
            print(
                f"baseline ({label}): {rows:,} rows, {size_mb:.1f} MB in {seconds:.2f} s "
                f"({rows / seconds:,.0f} rows/s, {size_mb / seconds:.1f} MB/s)"
            )
    print(f"peak RSS {peak_rss_mb():.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
