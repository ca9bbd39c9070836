"""The SQLite floor of a first import: inserting its customer rows, already built, with the store's schema.

After `renkei import` has filled a store, its customer rows are read back into memory and
inserted again into an empty copy of the `customers` table (the same columns, the same indexes
and foreign keys, the store's settings: its page size, WAL, synchronous=NORMAL, a 64 MiB page
cache, foreign keys on), 5,000 rows an `executemany` in one transaction, as the importer writes
them. No decoding, parsing, normalising, matching or merging: what any importer of these rows
into this schema pays at least, measured in the same run as the baseline and the import.

    python bench/floor.py STORE.db      # seconds to insert STORE.db's customers again
"""

from __future__ import annotations

import sqlite3
import sys
import tempfile
import time
from pathlib import Path

from renkei.store.db import PAGE_SIZE

BATCH_ROWS = 5_000


def customer_insert_floor(store_db: Path, scratch: Path) -> float:
    """Seconds to insert every customer of `store_db` into an empty table of the same schema in `scratch`."""
    source = sqlite3.connect(store_db)
    try:
        ddl = source.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'customers'").fetchone()[0]
        indexes = [
            sql
            for (sql,) in source.execute(
                "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'customers' AND sql IS NOT NULL"
            )
        ]
        parents = {
            table: source.execute(f"SELECT id FROM {table}").fetchall() for table in ("workspaces", "deliveries")
        }
        rows = source.execute("SELECT * FROM customers ORDER BY id").fetchall()
    finally:
        source.close()
    target_path = scratch / "floor.db"
    target = sqlite3.connect(target_path, isolation_level=None)
    try:
        target.execute(f"PRAGMA page_size={PAGE_SIZE}")
        target.execute("PRAGMA journal_mode=WAL")
        target.execute("PRAGMA synchronous=NORMAL")
        target.execute("PRAGMA cache_size=-65536")
        target.execute("PRAGMA foreign_keys=ON")
        for table, ids in parents.items():  # only what the foreign keys check
            target.execute(f"CREATE TABLE {table} (id INTEGER PRIMARY KEY)")
            target.executemany(f"INSERT INTO {table} VALUES (?)", ids)
        target.execute(ddl)
        for sql in indexes:
            target.execute(sql)
        insert = f"INSERT INTO customers VALUES ({', '.join('?' * len(rows[0]))})" if rows else ""
        started = time.perf_counter()
        target.execute("BEGIN IMMEDIATE")
        for start in range(0, len(rows), BATCH_ROWS):
            target.executemany(insert, rows[start : start + BATCH_ROWS])
        target.execute("COMMIT")
        return time.perf_counter() - started
    finally:
        target.close()


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python bench/floor.py STORE.db", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="renkei-floor-") as scratch:
        print(f"customer insert floor: {customer_insert_floor(Path(argv[0]), Path(scratch)):.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
