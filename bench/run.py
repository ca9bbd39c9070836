"""`make bench`: CSV import against a baseline measured in the same run.

Generates a deterministic CP932 file (RENKEI_BENCH_ROWS rows, default 1,000,000), then times:

- baseline: decode + csv parse + executemany INSERT into an unindexed SQLite table;
- import: `renkei import` of the file into an empty store (SQLite, the embedded default);
- reimport: the same file under another name with --force (every row matches, nothing changes);
- replace: a file of the first one's name again, a memo changed on every 100th row: the first
  import is undone (its customers removed) and the new file applied, in one transaction;
- insert_floor: the customer rows the import stored, inserted again, already built, into an
  empty table of the same schema (bench/floor.py): the least any importer pays for them here;
- pg_import: the import into an empty PostgreSQL database, when one answers;
- workbook: the first 100,000 rows (at most) as an Excel workbook written as Excel writes one
  (bench/gen_xlsx.py), imported into an empty store, against the same rows as CSV imported into
  another (workbook_ratio).

Each import runs in a child process, so peak memory is the child's own. Prints a table and
writes bench/results/latest.json (other benchmarks' keys in it are kept).
"""

from __future__ import annotations

import csv
import itertools
import json
import multiprocessing
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bench.baseline import run_baseline  # noqa: E402
from bench.floor import customer_insert_floor  # noqa: E402
from bench.gen_csv import generate  # noqa: E402
from bench.gen_xlsx import write_workbook  # noqa: E402

RESULTS = HERE / "results" / "latest.json"
#: Rows of the workbook measured: Excel lists are seldom longer, and a workbook's text is held
#: in memory while it is read (its shared strings).
WORKBOOK_ROWS = 100_000
DATA = HERE / "data"


def _renkei(args: list[str], home: Path, url: str | None = None) -> tuple[float, float, str]:
    """Run the CLI in a child; returns (seconds, child's peak RSS in MB, stdout)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RENKEI_")}
    env["RENKEI_HOME"] = str(home)
    if url:
        env["RENKEI_DATABASE_URL"] = url
    code = (
        "import resource, sys, runpy\n"
        "sys.argv = ['renkei', *sys.argv[1:]]\n"
        "try:\n"
        "    from renkei.cli.main import main; main()\n"
        "except SystemExit as e:\n"
        "    code = e.code or 0\n"
        "else:\n"
        "    code = 0\n"
        "print('PEAK_RSS_KB', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)\n"
        "sys.exit(code)\n"
    )
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code, *args], env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"renkei {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    peak = 0.0
    for line in done.stderr.splitlines():
        if line.startswith("PEAK_RSS_KB"):
            peak = int(line.split()[1]) / 1024
    return seconds, peak, done.stdout


def _first_page_ms(home: Path) -> float:
    """Milliseconds for the customer list's first page (the UI's and the API's) over the imported store."""
    from renkei.pipeline.browse import page_customers
    from renkei.pipeline.hub import Hub

    hub = Hub.open("default", url=f"sqlite:///{home / 'renkei.db'}", home=home)
    try:
        started = time.perf_counter()
        page_customers(hub)
        return (time.perf_counter() - started) * 1000
    finally:
        hub.close()


def _insert_floor(store_db: Path, scratch: Path) -> float:
    """``customer_insert_floor`` in a forked child: it holds every customer row in memory, and a
    process started from this one afterwards (the replace's) would count that memory as its own
    peak (Linux keeps the high-water mark across exec)."""
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork")) as child:
        return child.submit(customer_insert_floor, store_db, scratch).result()


def _changed_copy(source: Path, target: Path) -> Path:
    """``source`` with every 100th row's last cell (the memo) changed, at ``target``, streamed."""
    target.parent.mkdir(parents=True)
    mark = "変更".encode("cp932")
    with source.open("rb") as reading, target.open("wb") as writing:
        for number, line in enumerate(reading):
            if number and number % 100 == 0 and line.endswith(b"\r\n"):
                line = line[:-2] + mark + b"\r\n"
            writing.write(line)
    return target


def _csv_head(source: Path, target: Path, rows: int) -> Path:
    """The header and first ``rows`` rows of CSV ``source`` at ``target``, as Excel writes CSV (CP932, CRLF)."""
    with (
        source.open(encoding="cp932", newline="") as reading,
        target.open("w", encoding="cp932", newline="") as writing,
    ):
        csv.writer(writing, lineterminator="\r\n").writerows(itertools.islice(csv.reader(reading), rows + 1))
    return target


def _workbook(source: Path, rows: int, work: Path) -> dict[str, float | int]:
    """The same first rows imported as a workbook and as CSV, each into an empty store."""
    book = work / "members.xlsx"
    book_rows = write_workbook(source, book, min(rows, WORKBOOK_ROWS))
    csv_s, _, out = _renkei(
        ["import", "--json", str(_csv_head(source, work / "members-head.csv", book_rows))], work / "csv-home"
    )
    (as_csv,) = json.loads(out)
    book_s, book_rss, out = _renkei(["import", "--json", str(book)], work / "book-home")
    (as_book,) = json.loads(out)
    if (as_book["created"], as_book["errors"]) != (as_csv["created"], as_csv["errors"]):
        raise SystemExit(f"the workbook did not import as its CSV did: {as_book} against {as_csv}")
    return {
        "workbook_rows": book_rows,
        "workbook_s": round(book_s, 3),
        "workbook_csv_s": round(csv_s, 3),
        "workbook_ratio": round(book_s / csv_s, 2),
        "workbook_peak_rss_mb": round(book_rss, 1),
    }


def _postgres_url() -> str | None:
    admin = os.environ.get("RENKEI_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    try:
        from sqlalchemy import create_engine, text

        engine = create_engine(admin, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text("DROP DATABASE IF EXISTS renkei_bench WITH (FORCE)"))
            conn.execute(text("CREATE DATABASE renkei_bench"))
        engine.dispose()
    except Exception as error:  # the PostgreSQL figure is optional
        print(f"PostgreSQL not measured: {error}", file=sys.stderr)
        return None
    return admin.rsplit("/", 1)[0] + "/renkei_bench"


def main() -> int:
    rows = int(os.environ.get("RENKEI_BENCH_ROWS", "1000000"))
    DATA.mkdir(parents=True, exist_ok=True)
    source = DATA / f"members-{rows}.csv"
    if not source.exists():
        started = time.perf_counter()
        generate(source, rows)
        print(
            f"generated {source.name} ({source.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - started:.1f} s"
        )
    work = Path(tempfile.mkdtemp(prefix="renkei-bench-"))
    try:
        baseline_s = run_baseline(source, work / "baseline.db")
        home = work / "home"
        import_s, import_rss, out = _renkei(["import", "--json", str(source)], home)
        (imported,) = json.loads(out)
        again = work / "members-again.csv"
        shutil.copyfile(source, again)
        reimport_s, reimport_rss, out = _renkei(["import", "--force", "--json", str(again)], home)
        (reimported,) = json.loads(out)
        list_ms = _first_page_ms(home)
        floor_s = _insert_floor(home / "renkei.db", work)
        changed = _changed_copy(source, work / "replace" / source.name)
        replace_s, replace_rss, out = _renkei(["import", "--json", str(changed)], home)
        (replaced,) = json.loads(out)
        if replaced.get("replaced_delivery") != imported["delivery_id"]:
            raise SystemExit(f"the changed file did not replace the first import: {replaced}")
        workbook = _workbook(source, rows, work)
        pg_url = _postgres_url()
        pg_import_s = None
        if pg_url:
            pg_import_s, _, _ = _renkei(["import", "--json", str(source)], work / "pg-home", pg_url)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    figures = {
        "rows": rows,
        "baseline_s": round(baseline_s, 3),
        "import_s": round(import_s, 3),
        "import_ratio": round(import_s / baseline_s, 2),
        "rows_per_s": round(rows / import_s),
        "reimport_s": round(reimport_s, 3),
        "reimport_ratio": round(reimport_s / baseline_s, 2),
        "replace_s": round(replace_s, 3),
        "replace_ratio": round(replace_s / baseline_s, 2),
        "peak_rss_mb": round(max(import_rss, reimport_rss, replace_rss), 1),
        "customer_list_ms": round(list_ms, 1),
        "insert_floor_s": round(floor_s, 3),
        "insert_floor_ratio": round(floor_s / baseline_s, 2),
        "pg_import_s": round(pg_import_s, 3) if pg_import_s else None,
        "created": imported["created"],
        "import_errors": imported["errors"],
        "reimport_unchanged": reimported["unchanged"],
        "reimport_updated": reimported["updated"],
        "replace_created": replaced["created"],
        "replace_updated": replaced["updated"],
        **workbook,
    }
    print(f"{'measure':<20}{'value':>14}")
    for key, value in figures.items():
        print(f"{key:<20}{value!s:>14}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    existing = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    existing.update(figures)
    RESULTS.write_text(json.dumps(existing, indent=2, ensure_ascii=False) + "\n")
    _ = resource  # imported for the child code's sake
    return 0


if __name__ == "__main__":
    sys.exit(main())
