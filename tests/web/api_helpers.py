"""Helpers shared by the REST API tests: CSV payloads, uploads, waiting for background processing."""

from __future__ import annotations

import csv
import io
import time

from fastapi.testclient import TestClient

HEADER = ["氏名", "フリガナ", "メールアドレス", "電話番号", "会社名"]
GOOD = ["山田 太郎", "ヤマダ タロウ", "taro@example.jp", "090-1234-5678", "株式会社テスト"]
BAD = ["佐藤 花子", "サトウ ハナコ", "not-a-mail", "", "連携商事"]


def csv_bytes(rows: list[list[str]], encoding: str = "cp932") -> bytes:
    """A CSV file as Excel writes it (CP932, CRLF) unless told otherwise."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode(encoding)


def upload(client: TestClient, headers: dict[str, str], integration_id: int, content: bytes, **kwargs):
    """POST a file to an integration as multipart ``file``; ``name`` and ``wait`` as query/filename."""
    name = kwargs.pop("name", "members.csv")
    params = {"wait": "true"} if kwargs.pop("wait", False) else {}
    return client.post(
        f"/api/integrations/{integration_id}/files",
        headers=headers,
        params=params,
        files={"file": (name, content, "text/csv")},
        **kwargs,
    )


def settled(client: TestClient, headers: dict[str, str], delivery_id: int) -> dict:
    """The delivery once background processing has finished with it (bounded wait)."""
    for _ in range(400):
        body = client.get(f"/api/deliveries/{delivery_id}", headers=headers).json()
        if body["state"] != "received":
            return body
        time.sleep(0.05)
    raise AssertionError(f"delivery {delivery_id} was never processed")
