"""The runs page: checks of pull integrations, and "check now" from the integrations list."""

from __future__ import annotations

from renkei.pipeline.browse import page_checks
from renkei.pipeline.deliveries import list_deliveries
from renkei.pipeline.integrations import add_integration
from tests.helpers import eventually
from tests.web.api_helpers import GOOD, HEADER, csv_bytes
from tests.web.test_api_integrations import sftp_partner  # noqa: F401  (a fixture)


def test_check_now_runs_a_pull_and_the_runs_page_shows_it(hub, admin, sftp_partner):  # noqa: F811
    folder, settings = sftp_partner
    (folder / "members.csv").write_bytes(csv_bytes([HEADER, GOOD]))
    integration = add_integration(hub, {"name": "取引先SFTP", "kind": "sftp-pull", "settings": settings})
    listed = admin.client.get("/integrations").text
    assert f'action="/integrations/{integration.id}/run"' in listed and "今すぐ確認" in listed
    response = admin.post(f"/integrations/{integration.id}/run", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/runs?integration=")
    eventually(lambda: [c["state"] for c in page_checks(hub).items] == ["ok"], "the check finished")
    page = admin.client.get(response.headers["location"]).text
    assert "取引先SFTP" in page and "成功" in page and "見つかったファイル 1 件 / 取り込み 1 件" in page
    assert [d.state for d in list_deliveries(hub)] == ["processed"]
    admin.post("/locale", data={"locale": "en", "next": "/runs"})
    english = admin.client.get("/runs").text
    assert "Runs" in english and "1 found, 1 landed" in english


def test_check_now_is_not_offered_where_there_is_nothing_to_check(hub, admin):
    integration = add_integration(hub, {"name": "展示会", "kind": "csv"})
    assert f"/integrations/{integration.id}/run" not in admin.client.get("/integrations").text
    response = admin.post(f"/integrations/{integration.id}/run", follow_redirects=False)
    assert response.status_code == 422 and "nothing to check" in response.json()["error"]["message"]
    assert "まだ確認の記録はありません" in admin.client.get("/runs").text
