"""SQLite under several threads and processes: reads never wait for a writer; writers take turns without errors."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

from sqlalchemy import func, select

from renkei.pipeline.browse import integration_summaries
from renkei.pipeline.hub import Hub, utcnow
from renkei.pipeline.integrations import add_integration, get_integration
from renkei.store.schema import workspaces


def test_pages_read_while_an_import_holds_the_write_lock(tmp_path: Path):
    hub = Hub.open(url=f"sqlite:///{tmp_path / 'renkei.db'}", home=tmp_path / "home")
    try:
        integration = add_integration(hub, {"name": "展示会", "kind": "csv"})
        holding, done_reading = threading.Event(), threading.Event()

        def long_write() -> None:
            with hub.engine.begin() as conn:
                conn.execute(workspaces.insert().values(name="busy", created_at=utcnow()))
                holding.set()
                # Held until the reads below are done: if they waited for this lock, nothing would end.
                done_reading.wait(timeout=60)

        writer = threading.Thread(target=long_write)
        writer.start()
        assert holding.wait(timeout=60)
        seen = {
            "integration": get_integration(hub, integration.id).name,
            "summaries": [s.integration.name for s in integration_summaries(hub)],
        }
        with hub.engine.connect() as conn:
            seen["workspaces"] = conn.execute(select(func.count()).select_from(workspaces)).scalar()
        reads_finished_while_held = writer.is_alive()
        done_reading.set()
        writer.join(timeout=60)
        assert reads_finished_while_held
        assert seen == {"integration": "展示会", "summaries": ["展示会"], "workspaces": 1}  # the write not yet seen
        with hub.engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(workspaces)).scalar() == 2
    finally:
        hub.close()


def test_writers_on_many_threads_take_turns_and_all_succeed(tmp_path: Path):
    hub = Hub.open(url=f"sqlite:///{tmp_path / 'renkei.db'}", home=tmp_path / "home")
    errors: list[BaseException] = []

    def write(n: int) -> None:
        try:
            for i in range(25):
                with hub.engine.begin() as conn:
                    count = conn.execute(select(func.count()).select_from(workspaces)).scalar()
                    conn.execute(workspaces.insert().values(name=f"w{n}-{i}-{count}", created_at=utcnow()))
        except BaseException as error:  # collected: the assertion below names it
            errors.append(error)

    try:
        threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert errors == []
        with hub.engine.connect() as conn:
            names = conn.execute(select(workspaces.c.name)).scalars().all()
        # Each write saw every earlier one: the counts in the names are 1 … 200, each once.
        assert sorted(int(name.rsplit("-", 1)[1]) for name in names if name != "default") == list(range(1, 201))
    finally:
        hub.close()


WRITER = """
import sys
from pathlib import Path
from renkei.pipeline.hub import Hub, utcnow
from renkei.store.schema import workspaces
folder, name = Path(sys.argv[1]), sys.argv[2]
hub = Hub.open(url=f"sqlite:///{folder / 'renkei.db'}", home=folder / "home")
sys.stdout.write("ready\\n")
sys.stdout.flush()
sys.stdin.readline()  # both start writing together
for n in range(150):
    with hub.engine.begin() as conn:
        conn.execute(workspaces.insert().values(name=f"{name}-{n}", created_at=utcnow()))
hub.close()
"""


def test_writers_in_two_processes_take_turns_on_the_turn_file_and_all_succeed(tmp_path: Path):
    Hub.open(url=f"sqlite:///{tmp_path / 'renkei.db'}", home=tmp_path / "home").close()
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(tmp_path), name],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("left", "right")
    ]
    for writer in writers:
        assert writer.stdout is not None and writer.stdout.readline() == "ready\n"
    for writer in writers:
        assert writer.stdin is not None
        writer.stdin.write("go\n")
        writer.stdin.flush()
    for writer in writers:
        _, errors = writer.communicate(timeout=120)
        assert writer.returncode == 0, errors
    assert (tmp_path / "renkei.db-turn").exists()
    hub = Hub.open(url=f"sqlite:///{tmp_path / 'renkei.db'}", home=tmp_path / "home")
    try:
        with hub.engine.connect() as conn:
            names = set(conn.execute(select(workspaces.c.name)).scalars())
    finally:
        hub.close()
    assert {f"{side}-{n}" for side in ("left", "right") for n in range(150)} <= names


def test_a_new_store_uses_8_kib_pages_and_an_older_store_keeps_its_own(tmp_path: Path):
    import sqlite3

    from renkei.store.db import PAGE_SIZE

    hub = Hub.open(url=f"sqlite:///{tmp_path / 'new.db'}", home=tmp_path / "home")
    try:
        add_integration(hub, {"name": "展示会", "kind": "csv"})
    finally:
        hub.close()
    with sqlite3.connect(tmp_path / "new.db") as conn:
        assert conn.execute("PRAGMA page_size").fetchone() == (PAGE_SIZE,) == (8192,)
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)

    # A store made before (4 KiB pages, already in WAL mode) opens and works as it is.
    old = tmp_path / "old.db"
    with sqlite3.connect(old) as conn:
        conn.execute("PRAGMA page_size=4096")
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("CREATE TABLE t (x)")
    hub = Hub.open(url=f"sqlite:///{old}", home=tmp_path / "home2")
    try:
        integration = add_integration(hub, {"name": "反響", "kind": "csv"})
        assert get_integration(hub, integration.id).name == "反響"
    finally:
        hub.close()
    with sqlite3.connect(old) as conn:
        assert conn.execute("PRAGMA page_size").fetchone() == (4096,)
