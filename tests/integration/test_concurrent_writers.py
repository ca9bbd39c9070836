"""Workers writing at once take turns where they must (PostgreSQL; SQLite has one writer).

Two mails of one inquirer, or a mail beside a file, processed by two workers at the same time
would each find nobody for a new person and each create a customer; two copies of one mail
landing at once would each find no earlier copy and both be processed. ``hold`` makes them
take turns, so the second finds what the first did.
"""

from __future__ import annotations

import threading

from sqlalchemy import text

from renkei import failpoints
from renkei.pipeline import deliveries as delivery_service
from renkei.pipeline import integrations as integration_service
from renkei.pipeline.hub import Hub
from tests.conftest import drop_postgres_database, make_postgres_database, write_csv
from tests.helpers import eventually, export

HEADER = ["氏名", "メールアドレス", "役職"]


def _someone_waits(hub: Hub) -> bool:
    """Whether a transaction of the store waits for a lock another one holds."""
    with hub.engine.connect() as conn:
        return bool(conn.execute(text("SELECT count(*) FROM pg_locks WHERE NOT granted")).scalar())


def test_two_workers_importing_one_new_person_at_once_make_one_customer(postgres_server, tmp_path, monkeypatch):
    url, name = make_postgres_database(postgres_server)
    pg = Hub.open("default", url=url, home=tmp_path / "home")
    try:
        manual = integration_service.manual_import_integration(pg)
        first_file = write_csv(tmp_path / "a.csv", [HEADER, ["山田太郎", "taro@example.jp", "主任"]])
        second_file = write_csv(tmp_path / "b.csv", [HEADER, ["山田太郎", "taro@example.jp", "課長"]])
        # The first import stops just before its commit until the test lets it go on.
        held, go_on = threading.Event(), threading.Event()
        real_hit = failpoints.hit

        def hit(point: str) -> None:
            if point == "process.before_commit" and threading.current_thread().name == "first":
                held.set()
                go_on.wait(60)
            real_hit(point)

        monkeypatch.setattr(failpoints, "hit", hit)
        results: dict[str, delivery_service.ProcessResult] = {}

        def run(label: str, path) -> None:
            results[label] = delivery_service.import_file(pg, manual, path)

        first = threading.Thread(target=run, args=("first", first_file), name="first")
        first.start()
        assert held.wait(60), "the first import reached its commit"
        second = threading.Thread(target=run, args=("second", second_file), name="second")
        second.start()
        # The second waits for its turn (without one, it would only wait to commit what it did alone).
        eventually(lambda: not second.is_alive() or _someone_waits(pg), "the second import waits or ends")
        go_on.set()
        first.join(60)
        second.join(60)
        assert [(r.counts.created, r.counts.updated) for r in (results["first"], results["second"])] == [
            (1, 0),
            (0, 1),
        ]
        assert [(c["email"], c["title"]) for c in export(pg)] == [("taro@example.jp", "課長")]
    finally:
        pg.close()
        drop_postgres_database(postgres_server, name)


def test_two_copies_of_one_payload_landing_at_once_make_one_delivery(postgres_server, tmp_path, monkeypatch):
    url, name = make_postgres_database(postgres_server)
    pg = Hub.open("default", url=url, home=tmp_path / "home")
    try:
        manual = integration_service.manual_import_integration(pg)
        payload = "氏名,メールアドレス\r\n山田太郎,taro@example.jp\r\n".encode("cp932")
        # The first landing stops after looking for an earlier copy until the test lets it go on.
        looked, go_on = threading.Event(), threading.Event()
        real_earlier_copy = delivery_service._earlier_copy

        def earlier_copy(*args):
            found = real_earlier_copy(*args)
            if threading.current_thread().name == "first":
                looked.set()
                go_on.wait(60)
            return found

        monkeypatch.setattr(delivery_service, "_earlier_copy", earlier_copy)
        landed: dict[str, int] = {}

        def land(label: str) -> None:
            delivery, _ = delivery_service.land(pg, manual, payload, file_name="members.csv", channel="upload")
            landed[label] = delivery.id

        first = threading.Thread(target=land, args=("first",), name="first")
        first.start()
        assert looked.wait(60), "the first landing looked for an earlier copy"
        second = threading.Thread(target=land, args=("second",), name="second")
        second.start()
        eventually(lambda: not second.is_alive() or _someone_waits(pg), "the second landing waits or ends")
        go_on.set()
        first.join(60)
        second.join(60)
        # The second copy finds the first one, still waiting to be processed, and is that delivery.
        assert landed["second"] == landed["first"]
        assert [(d.id, d.state) for d in delivery_service.list_deliveries(pg)] == [(landed["first"], "received")]
    finally:
        pg.close()
        drop_postgres_database(postgres_server, name)
