"""A delivery's first rows as the mapping reads them: the quick preview of a large delivery."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from renkei.errors import ConfigurationError, FatalError
from renkei.pipeline.customers import iter_customers
from renkei.pipeline.deliveries import get_delivery, import_file, process_delivery
from renkei.pipeline.integrations import add_integration, manual_import_integration
from renkei.pipeline.mail import receive_mail
from renkei.pipeline.sample import MAX_SAMPLE_ROWS, sample_delivery
from renkei.pipeline.specs import MappingModel
from renkei.store.customers import hold_customers
from renkei.store.schema import customers
from tests.conftest import write_csv

ROOT = Path(__file__).resolve().parents[2]
SUUMO = ROOT / "tests" / "cases" / "portals" / "suumo"

HEADER = ["氏名", "メールアドレス", "電話番号", "会員ランク"]
ROWS = [
    ["山田太郎", "Yamada@Example.JP", "０９０-１１１１-２２２２", "ゴールド"],
    ["佐藤一郎", "not-an-address", "03-3333-4444", "シルバー"],
    ["鈴木花子", "suzuki@example.jp", "", ""],
    ["高橋次郎", "takahashi@example.jp", "", "ブロンズ"],
]


@pytest.fixture
def members(hub, tmp_path):
    """A CP932 file of four rows, the second with a bad e-mail, imported by the manual integration."""
    integration = manual_import_integration(hub)
    result = import_file(hub, integration, write_csv(tmp_path / "members.csv", [HEADER, *ROWS]))
    return result.delivery_id


def test_the_first_rows_come_as_the_mapping_reads_them(hub, members):
    sample = sample_delivery(hub, members, rows=3)
    assert (sample.rows_in_delivery, sample.encoding, sample.verdict) == (4, "cp932", None)
    assert sample.labels == {
        "氏名": "full_name",
        "メールアドレス": "email",
        "電話番号": "phone",
        "会員ランク": "custom:会員ランク",
    }
    assert [row.line for row in sample.rows] == [2, 3, 4] and sample.errors == 1
    first, second, third = sample.rows
    assert dict(first.values) == {
        "last_name": "山田",
        "first_name": "太郎",
        "email": "yamada@example.jp",
        "mobile": "+819011112222",  # a mobile number lands in mobile, whatever the column is called
        "custom:会員ランク": "ゴールド",  # an unmapped column goes to a custom field, as configured
    }
    assert first.errors == [] and second.values == []
    [error] = second.errors
    assert (error.column, error.value) == ("メールアドレス", "not-an-address") and error.reason
    assert dict(third.values)["email"] == "suzuki@example.jp"


def test_a_trial_mapping_is_read_with_and_nothing_is_written(hub, members):
    before = list(iter_customers(hub))
    trial = MappingModel(
        rules=[{"source": "会員ランク", "target": "memo", "permission": "R"}], unknown_columns="report"
    )
    sample = sample_delivery(hub, members, mapping=trial)
    assert len(sample.rows) == 4  # every row of a short file
    assert dict(sample.rows[0].values)["memo"] == "ゴールド"
    assert sample.labels["会員ランク"] == "memo"
    assert list(iter_customers(hub)) == before
    assert get_delivery(hub, members).counts.rows == 4


def test_a_sample_neither_waits_for_nor_holds_up_the_workspace_s_writers(hub, members):
    # A replay's dry run takes the workspace's turn for as long as the replay; a sample reads
    # the archive only, so it answers while another writer holds the customers.
    with hub.engine.connect() as conn, conn.begin():
        hold_customers(conn, hub.workspace_id)
        conn.execute(customers.update().where(customers.c.id == -1).values(memo="x"))
        sample = sample_delivery(hub, members, rows=1)
        assert dict(sample.rows[0].values)["last_name"] == "山田"
    with hub.engine.connect() as conn:
        assert conn.execute(select(customers.c.id)).all()  # the store is as it was


def test_a_portal_mail_shows_its_inquiry_and_a_confirmation_its_verdict(hub):
    suumo = add_integration(hub, {"kind": "suumo", "name": "SUUMO 渋谷"})
    lead, _ = receive_mail(hub, suumo, (SUUMO / "rental.eml").read_bytes(), channel="smtp")
    process_delivery(hub, lead.id)
    [row] = sample_delivery(hub, lead.id).rows
    values = dict(row.values)
    assert values["email"] == "taro.yamada@example.jp" and values["last_name"] == "山田"
    assert values["inquiry.property_name"] == "サンプルハイツ①　１０３号室"
    assert values["inquiry.external_id"] == "A1234567890"
    assert values["inquiry.received_at"].startswith("2026-08-12T02:04:10")
    notice, _ = receive_mail(hub, suumo, (SUUMO / "address_confirmation.eml").read_bytes(), channel="smtp")
    process_delivery(hub, notice.id)
    confirmation = sample_delivery(hub, notice.id)
    assert confirmation.verdict == "not-a-lead" and confirmation.rows == []
    assert "address-confirmation" in (confirmation.reason or "")


def test_an_unreadable_payload_says_why_and_a_lost_one_is_an_error(hub, tmp_path):
    integration = add_integration(hub, {"name": "members", "kind": "csv"})
    binary = tmp_path / "photo.csv"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    delivery_id = import_file(hub, integration, binary).delivery_id
    unreadable = sample_delivery(hub, delivery_id)
    assert unreadable.verdict == "failed" and unreadable.reason and unreadable.rows == []
    hub.archive.path_for(get_delivery(hub, delivery_id).sha256).unlink()
    with pytest.raises(FatalError, match="missing from the archive"):
        sample_delivery(hub, delivery_id)


def test_a_sample_is_one_to_a_thousand_rows(hub, members):
    for rows in (0, MAX_SAMPLE_ROWS + 1):
        with pytest.raises(ConfigurationError, match="1 to 1,000 rows"):
            sample_delivery(hub, members, rows=rows)
