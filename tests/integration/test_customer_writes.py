"""Writing changed customers back: only the columns a change touched are set."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from renkei.pipeline import deliveries as delivery_service
from renkei.pipeline import integrations as integration_service
from renkei.pipeline.hub import utcnow
from renkei.store.customers import load_customers, update_changed
from tests.conftest import write_csv


def test_an_update_sets_the_columns_named_and_leaves_the_others_as_stored(hub, tmp_path: Path):
    integration = integration_service.manual_import_integration(hub)
    source = write_csv(
        tmp_path / "a.csv", [["氏名", "メールアドレス", "会社名"], ["山田 太郎", "taro@example.com", "山田商事"]]
    )
    assert delivery_service.import_file(hub, integration, source).counts.created == 1
    with hub.engine.begin() as conn:
        stored = conn.execute(text("SELECT id FROM customers WHERE email = 'taro@example.com'")).scalar_one()
        ((cid, customer),) = load_customers(conn, hub.workspace_id, [stored]).items()
        customer.state.fields["company_name"] = "山田ホールディングス"  # type: ignore[index]
        customer.state.fields["last_name"] = "書かれない"  # type: ignore[index]
        customer.state.custom["会員番号"] = "A-1"  # type: ignore[index]
        customer.sources["company_name"] = 99
        update_changed(conn, [(customer, {"company_name", "custom"})], hub.workspace_id, utcnow())
    with hub.engine.connect() as conn:
        row = conn.execute(
            text(
                "SELECT last_name, company_name, custom, sources, updated_at > created_at FROM customers WHERE id = :id"
            ),
            {"id": cid},
        ).one()
    assert row[0] == "山田"  # not named: left as stored
    assert row[1] == "山田ホールディングス"
    assert "A-1" in str(row[2])
    assert row[3] is None  # sources not named: left as stored
    assert row[4]
