"""Every admin page renders in Japanese and in English; viewers change nothing; every form needs its CSRF token."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from renkei.pipeline.browse import page_customers
from renkei.pipeline.deliveries import import_file, process_delivery
from renkei.pipeline.hub import Hub
from renkei.pipeline.integrations import add_integration, manual_import_integration
from renkei.pipeline.mail import receive_mail
from renkei.pipeline.users import create_token
from tests.conftest import write_csv
from tests.web.conftest import user_session

ROOT = Path(__file__).resolve().parents[2]
RENTAL = (ROOT / "tests" / "cases" / "portals" / "suumo" / "rental.eml").read_bytes()
MEMBERS = [
    ["氏名", "メールアドレス", "電話番号", "会員ランク"],
    ["山田太郎", "yamada@example.jp", "090-1111-2222", "ゴールド"],
    ["佐藤一郎", "not-an-address", "090-3333-4444", "シルバー"],
]


def seed(hub: Hub, tmp_path: Path) -> dict[str, Any]:
    """A SUUMO integration with one processed mail, and a CSV import with a bad row."""
    suumo = add_integration(
        hub, {"kind": "suumo", "name": "SUUMO 渋谷", "defaults": {"owner": "山田", "tags": ["賃貸"]}}
    )
    mail, _ = receive_mail(hub, suumo, RENTAL, channel="smtp")
    process_delivery(hub, mail.id)
    manual = manual_import_integration(hub)
    result = import_file(hub, manual, write_csv(tmp_path / "members.csv", MEMBERS), channel="upload")
    token, _secret = create_token(hub, "zapier", "viewer")
    return {
        "suumo": suumo.id,
        "manual": manual.id,
        "mail": mail.id,
        "file": result.delivery_id,
        "customer": page_customers(hub, query="山田").items[0]["id"],
        "token": token.id,
    }


def pages(ids: dict[str, Any]) -> list[str]:
    return [
        "/integrations",
        "/integrations/new",
        f"/integrations/{ids['suumo']}/credentials",
        f"/integrations/{ids['suumo']}/setup",
        f"/integrations/{ids['suumo']}/mapping",
        f"/integrations/{ids['manual']}/mapping",
        "/deliveries",
        f"/deliveries?integration={ids['manual']}&state=processed",
        f"/deliveries/{ids['mail']}",
        f"/deliveries/{ids['file']}",
        "/customers",
        "/customers?q=山田",
        f"/customers/{ids['customer']}",
        "/upload",
        f"/upload/{ids['file']}",
        "/settings",
    ]


UNRESOLVED = re.compile(
    r"(?<![\w/.-])(?:common|wizard|setup|mapping|fields|settings|settings_field|settings_section|kinds|integrations|"
    r"permission|permission_help|upload|delivery|deliveries|delivery_state|customers|customer|flash|errors|mail|"
    r"row_action|diff_kind)\.[a-z_0-9.-]+(?![\w@])"
)


def visible_text(html: str) -> str:
    """The page's text and attribute values a person may see (not URLs, scripts or JSON)."""
    html = re.sub(r"<script.*?</script>", "", html, flags=re.S)
    html = re.sub(r'(href|src|action|formaction|data-[\w-]+|name|id|value|list|for)="[^"]*"', "", html)
    return html


@pytest.mark.parametrize("locale", ["ja", "en"])
def test_every_page_renders_in_both_languages_without_a_missing_string(hub, admin, tmp_path, locale):
    ids = seed(hub, tmp_path)
    admin.post("/locale", data={"locale": locale, "next": "/"})
    for url in pages(ids):
        response = admin.client.get(url)
        assert response.status_code == 200, (url, response.text[:500])
        assert f'<html lang="{locale}">' in response.text
        missing = UNRESOLVED.findall(visible_text(response.text))
        assert not missing, (url, missing)
    integrations = admin.client.get("/integrations").text
    assert ("連携設定" in integrations) == (locale == "ja")
    assert ("Integrations" in integrations) == (locale == "en")


def test_the_current_page_is_marked_in_the_navigation(hub, admin, tmp_path):
    seed(hub, tmp_path)
    for path, label in (("/integrations", "連携設定"), ("/deliveries", "受信履歴"), ("/customers", "顧客")):
        html = admin.client.get(path).text
        assert f'<a href="{path}" aria-current="page">{label}</a>' in html


def post_routes(_app: Any = None) -> list[str]:
    """Every form POST route of the pages (the session's own routes aside), from every page module."""
    import importlib
    import pkgutil

    import renkei.web.ui as ui

    found = []
    for info in pkgutil.iter_modules(ui.__path__):
        router = getattr(importlib.import_module(f"renkei.web.ui.{info.name}"), "router", None)
        if router is None or info.name == "session":
            continue
        for route in router.routes:
            if "POST" in (getattr(route, "methods", None) or set()):
                found.append(route.path)
    return sorted(found)


def concrete(path: str, ids: dict[str, Any]) -> str:
    return (
        path.replace("{integration_id}", str(ids["suumo"]))
        .replace("{delivery_id}", str(ids["mail"]))
        .replace("{token_id}", str(ids["token"]))
    )


def test_the_page_routes_this_suite_knows(app):
    # A new form route must be added to the role and CSRF checks below (by being found here).
    assert {
        "/integrations/{integration_id}/start",
        "/integrations/{integration_id}/stop",
        "/integrations/{integration_id}/run",
        "/integrations/{integration_id}/rules",
        "/integrations/new",
        "/integrations/new/create",
        "/integrations/{integration_id}/credentials",
        "/integrations/{integration_id}/setup",
        "/integrations/{integration_id}/setup/password",
        "/integrations/{integration_id}/mapping",
        "/integrations/{integration_id}/mapping/preview",
        "/deliveries/{delivery_id}/replay",
        "/deliveries/{delivery_id}/dry-run",
        "/deliveries/{delivery_id}/undo",
        "/upload",
        "/upload/import",
        "/settings/users",
        "/settings/tokens",
        "/settings/tokens/{token_id}/revoke",
    } <= set(post_routes(app))


def test_a_viewer_sees_no_buttons_and_every_form_post_is_refused(hub, app, new_client, tmp_path):
    ids = seed(hub, tmp_path)
    viewer = user_session(hub, new_client, "viewer")
    html = viewer.client.get("/integrations").text
    assert 'data-testid="stop"' not in html and 'data-testid="start"' not in html and "/integrations/new" not in html
    mapping = viewer.client.get(f"/integrations/{ids['suumo']}/mapping").text
    assert 'data-testid="save-mapping"' not in mapping and 'data-testid="preview"' not in mapping
    delivery = viewer.client.get(f"/deliveries/{ids['file']}").text
    assert 'data-testid="undo"' not in delivery and 'data-testid="replay"' not in delivery
    assert viewer.client.get("/settings").status_code == 403
    for path in post_routes(app):
        response = viewer.post(concrete(path, ids), data={"confirmed": "1"}, follow_redirects=False)
        assert response.status_code == 403, path
    from renkei.pipeline.integrations import get_integration

    assert get_integration(hub, ids["suumo"]).spec.status == "active"


def test_an_operator_may_not_manage_users_or_tokens(hub, new_client, tmp_path):
    ids = seed(hub, tmp_path)
    operator = user_session(hub, new_client, "operator")
    for path in ("/settings/users", "/settings/tokens", f"/settings/tokens/{ids['token']}/revoke"):
        assert operator.post(path, data={"login": "x@example.jp", "name": "x"}).status_code == 403, path


def test_every_form_post_needs_the_csrf_token(hub, app, admin, tmp_path):
    ids = seed(hub, tmp_path)
    for path in post_routes(app):
        response = admin.client.post(concrete(path, ids), data={"confirmed": "1"}, follow_redirects=False)
        assert response.status_code == 403, path
        assert response.json()["error"]["code"] == "csrf", path
        forged = admin.client.post(concrete(path, ids), data={"csrf": "forged"}, follow_redirects=False)
        assert forged.status_code == 403, path
    from renkei.pipeline.integrations import get_integration

    assert get_integration(hub, ids["suumo"]).spec.status == "active"


def test_pages_send_you_to_the_login_page_when_signed_out(client):
    for path in ("/integrations", "/customers/1", "/upload", "/settings"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith("/login?next=")


def test_another_workspaces_things_are_not_found(hub, admin, tmp_path):
    other = hub.for_workspace("tokyo-branch")
    ids = seed(other, tmp_path)
    for url in (f"/deliveries/{ids['mail']}", f"/customers/{ids['customer']}", f"/integrations/{ids['suumo']}/mapping"):
        assert admin.client.get(url).status_code == 404, url
