"""A file read and mapped in a child process stores exactly what the in-process path stores.

The benchmark's own generator makes the file (kana in three scripts, mixed-width e-mails and
phones, era dates, 5 % repeated people); a longer file from the same seed then re-imports it
with new rows, so matching, updates, field history and row errors are all compared.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from bench.gen_csv import generate
from sqlalchemy import text

from renkei.pipeline import deliveries as delivery_service
from renkei.pipeline import integrations as integration_service
from renkei.pipeline.hub import Hub
from tests.helpers import export

ROWS = 2400


def _stored(hub: Hub) -> dict[str, Any]:
    """Customers, field history and row errors, with each customer id replaced by its rank: a
    PostgreSQL store hands ids out in blocks, so only their order is the same on every store."""
    customers = [{k: v for k, v in c.items() if not k.endswith("_at") or k == "acquired_at"} for c in export(hub)]
    rank = {c["id"]: position for position, c in enumerate(sorted(customers, key=lambda c: c["id"]))}
    for customer in customers:
        customer["id"] = rank[customer["id"]]
    with hub.engine.connect() as conn:
        history = conn.execute(
            text("SELECT customer_id, field, old_value, new_value FROM field_history ORDER BY id")
        ).all()
        errors = conn.execute(text("SELECT line, column_name, value, reason FROM row_errors ORDER BY id")).all()
    return {
        "customers": customers,
        "history": [(rank[r[0]], *r[1:]) for r in history],
        "errors": [tuple(r) for r in errors],
    }


def _import_twice(hub: Hub, first: Path, second: Path) -> tuple[tuple[int, int, int, int], ...]:
    integration = integration_service.manual_import_integration(hub)
    counts = []
    for path in (first, second):
        result = delivery_service.import_file(hub, integration, path)
        c = result.counts
        counts.append((c.created, c.updated, c.unchanged, c.errors))
    return tuple(counts)


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = Path(tmp_path_factory.mktemp("paths"))
    first, second = folder / "members.csv", folder / "members-more.csv"
    generate(first, ROWS)
    generate(second, ROWS + ROWS // 4)  # the same rows first, then new ones
    return first, second


def test_the_child_process_path_stores_what_the_in_process_path_stores(
    hub: Hub, database_url: str, tmp_path: Path, files: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(delivery_service, "PARALLEL_BYTES", 1 << 40)
    plain = Hub.open("default", url=f"sqlite:///{tmp_path / 'in-process.db'}", home=tmp_path / "in-process")
    try:
        in_process = _import_twice(plain, *files)
        expected = _stored(plain)
    finally:
        plain.close()
    monkeypatch.setattr(delivery_service, "PARALLEL_BYTES", 0)
    in_child = _import_twice(hub, *files)
    assert in_child == in_process
    (created, _, _, errors), (_, updated, unchanged, _) = in_child
    assert created > 0 and updated > 0 and unchanged > 0, "creations, updates and unchanged rows all compared"
    assert errors == 0
    assert _stored(hub) == expected


def test_a_dry_run_through_the_child_process_reports_what_the_in_process_one_does(
    hub: Hub, files: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = files
    manual = integration_service.manual_import_integration(hub)
    done = delivery_service.import_file(hub, manual, first)
    real_batches = delivery_service.mapped_batches
    paths: list[bool] = []

    def mapped_batches(*args: Any) -> Any:
        paths.append(args[3])
        return real_batches(*args)

    monkeypatch.setattr(delivery_service, "mapped_batches", mapped_batches)
    reports = []
    for threshold in (1 << 40, 0):  # in this process, then in a child
        monkeypatch.setattr(delivery_service, "PARALLEL_BYTES", threshold)
        replayed = delivery_service.replay_delivery(hub, done.delivery_id, dry_run=True)
        tried = delivery_service.dry_run_file(hub, manual, second)
        reports.append([(r.counts, r.rows, r.unlisted_rows, r.diffs) for r in (replayed, tried)])
    assert paths == [False, False, True, True]
    assert reports[1] == reports[0]
    (_, rows, unlisted, _), (counts, _, _, _) = reports[1]
    assert len(rows) == 1000 and unlisted == ROWS - 1000 and counts.created > 0
