"""A large dry run on SQLite works on a copy of the store: other writers go on meanwhile, and
its report is the one a dry run in the store itself gives."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from bench.gen_csv import generate

from renkei.pipeline import deliveries as delivery_service
from renkei.pipeline import integrations as integration_service
from renkei.pipeline import sandbox as sandbox_module
from renkei.pipeline.hub import Hub
from tests.conftest import write_csv
from tests.helpers import export

ROWS = 600


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[Hub]:
    (tmp_path / "store").mkdir()
    opened = Hub.open("default", url=f"sqlite:///{tmp_path / 'store' / 'renkei.db'}", home=tmp_path / "home")
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def members(tmp_path: Path) -> tuple[Path, Path]:
    first, second = tmp_path / "members.csv", tmp_path / "members-more.csv"
    generate(first, ROWS)
    generate(second, ROWS + ROWS // 4)  # the same people first, then new ones
    return first, second


def _report(result: delivery_service.ProcessResult) -> tuple[Any, ...]:
    return (result.counts, result.rows, result.unlisted_rows, result.diffs)


def test_a_dry_run_on_a_copy_reports_what_one_in_the_store_does(hub, members, tmp_path, monkeypatch):
    first, second = members
    manual = integration_service.manual_import_integration(hub)
    done = delivery_service.import_file(hub, manual, first)
    before = export(hub)
    store = tmp_path / "store"
    files = sorted(p.name for p in store.iterdir())
    reports = []
    for threshold in (1 << 40, 0):  # in the store, then on a copy
        monkeypatch.setattr(sandbox_module, "SANDBOX_BYTES", threshold)
        replayed = delivery_service.replay_delivery(hub, done.delivery_id, dry_run=True)
        tried = delivery_service.dry_run_file(hub, manual, second)
        reports.append((_report(replayed), _report(tried)))
    assert reports[1] == reports[0]
    (replayed_counts, *_), (tried_counts, rows, *_) = reports[1]
    assert replayed_counts.created > 0 and tried_counts.created > 0 and tried_counts.unchanged > 0
    assert rows
    # Nothing was written, and the copy is gone.
    assert export(hub) == before
    assert sorted(p.name for p in store.iterdir()) == files


def test_other_writers_go_on_while_a_large_dry_run_runs(hub, members, tmp_path, monkeypatch):
    """While the dry run is applying the file, an import into another workspace commits at once;
    in the store itself it would wait for the dry run to end."""
    first, _ = members
    monkeypatch.setattr(sandbox_module, "SANDBOX_BYTES", 0)
    other = hub.for_workspace("other")
    theirs = integration_service.manual_import_integration(other)
    small = write_csv(tmp_path / "small.csv", [["氏名", "メールアドレス"], ["山田 太郎", "taro@example.jp"]])
    finished: list[str] = []
    started: list[bool] = []

    def import_beside() -> None:
        finished.append(delivery_service.import_file(other, theirs, small).state)

    real_apply = delivery_service._apply_payload

    def apply_while_another_imports(*args: Any, **kwargs: Any) -> Any:
        if not started:  # the dry run's own (the import beside it applies its file as usual)
            started.append(True)
            beside = threading.Thread(target=import_beside)
            beside.start()
            beside.join(timeout=20)
            assert finished == ["processed"], "the other workspace's import waited for the dry run"
        return real_apply(*args, **kwargs)

    monkeypatch.setattr(delivery_service, "_apply_payload", apply_while_another_imports)
    tried = delivery_service.dry_run_file(hub, integration_service.manual_import_integration(hub), first)
    assert tried.counts.created > 0
    assert [c["email"] for c in export(other)] == ["taro@example.jp"]
    assert export(hub) == []


def test_a_copy_a_killed_dry_run_left_is_removed_by_a_later_one(hub, members, tmp_path, monkeypatch):
    first, _ = members
    monkeypatch.setattr(sandbox_module, "SANDBOX_BYTES", 0)
    store = tmp_path / "store"
    old, recent = store / ".dry-run-killed", store / ".dry-run-running"
    for folder in (old, recent):
        folder.mkdir()
        (folder / "renkei.db").write_bytes(b"x" * 100)
    a_day_ago = time.time() - 25 * 3600
    os.utime(old, (a_day_ago, a_day_ago))
    delivery_service.dry_run_file(hub, integration_service.manual_import_integration(hub), first)
    assert not old.exists() and recent.exists()
