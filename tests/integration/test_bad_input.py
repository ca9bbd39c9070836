"""Bad files get a clear error naming the file, row, column and value; nothing is half-written."""

from __future__ import annotations

import os

from renkei.pipeline import deliveries as delivery_service
from renkei.pipeline import integrations as integration_service
from tests.conftest import write_csv
from tests.helpers import export


def imported(hub, path):
    integration = integration_service.manual_import_integration(hub)
    result = delivery_service.import_file(hub, integration, path)
    return result, delivery_service.delivery_errors(hub, result.delivery_id) if result.delivery_id else []


def test_binary_file_fails_with_its_name_and_keeps_the_raw_bytes(hub, tmp_path):
    path = tmp_path / "photo.csv"
    path.write_bytes(os.urandom(4096) + b"\x00" * 64)
    result, _ = imported(hub, path)
    assert result.state == "failed" and "photo.csv" in result.reason
    delivery = delivery_service.get_delivery(hub, result.delivery_id)
    assert delivery.state == "failed" and hub.archive.path_for(delivery.sha256).exists()
    assert export(hub) == []


def test_empty_file_fails_clearly(hub, tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"\xef\xbb\xbf")
    result, _ = imported(hub, path)
    assert result.state == "failed" and "empty" in result.reason


def test_ragged_rows_are_row_errors_and_the_rest_goes_through(hub, tmp_path):
    path = tmp_path / "ragged.csv"
    path.write_bytes(
        "氏名,メール\r\n山田,a@example.jp\r\n鈴木,b@example.jp,余分\r\n佐藤\r\n田中,c@example.jp\r\n".encode("cp932")
    )
    result, errors = imported(hub, path)
    assert (result.counts.created, result.counts.errors) == (2, 2)
    assert [e["line"] for e in errors] == [3, 4]


def test_quoted_newlines_and_formula_cells_are_kept_as_text(hub, tmp_path):
    path = write_csv(
        tmp_path / "q.csv",
        [
            ["氏名", "メール", "メモ"],
            ["山田", "a@example.jp", "一行目\n二行目"],
            ["鈴木", "b@example.jp", '=HYPERLINK("http://x")'],
        ],
    )
    result, _ = imported(hub, path)
    assert result.counts.created == 2
    memos = {c["email"]: c["memo"] for c in export(hub)}
    assert memos == {"a@example.jp": "一行目\n二行目", "b@example.jp": '=HYPERLINK("http://x")'}


def test_undecodable_bytes_name_the_row_and_the_rest_goes_through(hub, tmp_path):
    good = "氏名,メール\r\n山田,a@example.jp\r\n".encode("cp932")
    bad = b"\x82\xa0\x81\x7f,b@example.jp\r\n"
    tail = "田中,c@example.jp\r\n".encode("cp932")
    path = tmp_path / "broken.csv"
    path.write_bytes(good + bad + tail)
    result, errors = imported(hub, path)
    assert (result.counts.created, result.counts.errors) == (2, 1)
    assert errors[0]["line"] == 3 and "\\x" in (errors[0]["value"] or errors[0]["reason"])


def test_duplicate_headers_are_renamed_not_merged(hub, tmp_path):
    path = write_csv(tmp_path / "dup.csv", [["メール", "備考", "備考"], ["a@example.jp", "一", "二"]])
    result, _ = imported(hub, path)
    assert result.counts.created == 1
    (only,) = export(hub)
    assert only["memo"] == "一" and "二" in only["custom"].values()


def test_wrong_encoding_override_is_reported_not_garbled(hub, tmp_path):
    integration_service.apply_file(
        hub, {"integrations": [{"name": "utf8", "kind": "csv", "settings": {"encoding": "utf-8"}}]}
    )
    integration = integration_service.integration_by_name(hub, "utf8")
    path = write_csv(tmp_path / "sjis.csv", [["氏名", "メール"], ["山田", "a@example.jp"]])
    result = delivery_service.import_file(hub, integration, path)
    assert result.state == "failed" and "sjis.csv" in result.reason
    assert export(hub) == []


def test_every_csv_spectrum_file_imports_without_crashing(hub, corpora):
    integration = integration_service.manual_import_integration(hub)
    for path in sorted((corpora / "csv-spectrum" / "csvs").glob("*.csv")):
        result = delivery_service.import_file(hub, integration, path)
        assert result.state in ("processed", "failed", "duplicate"), path.name
