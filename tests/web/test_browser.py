"""The admin UI in a real browser: Debian's Chromium driven by Playwright, a real uvicorn and SMTP inbox.

One operator's day, in order: sign in, add a SUUMO integration with the wizard, a portal mail
arrives over SMTP and its customer and inquiry appear, a mapping is changed and previewed, a
CP932 CSV with a bad row is uploaded and imported, the UI is switched to English. Each main page
is saved as a screenshot under ``test-artifacts/screens/``.

Chromium comes from Debian (``scripts/ensure_chromium.sh``, run by ``make test``); Playwright
never downloads a browser.
"""

from __future__ import annotations

import os
import re
import shutil
import smtplib
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from renkei.channels.smtp import make_controller
from renkei.pipeline.hub import Hub
from renkei.pipeline.users import add_user
from renkei.web.auth import LoginLimiter
from renkei.web.server import create_app
from tests.conftest import workbook, write_csv
from tests.helpers import free_port

ROOT = Path(__file__).resolve().parents[2]
SCREENS = ROOT / "test-artifacts" / "screens"
CHROMIUM = os.environ.get("RENKEI_TEST_CHROMIUM", "/usr/bin/chromium")
RENTAL = ROOT / "tests" / "cases" / "portals" / "suumo" / "rental.eml"
LOGIN, PASSWORD = "admin@example.jp", "correct horse battery"
TIMEOUT_MS = 20_000


class LiveServer:
    """uvicorn serving the app (with its SMTP inbox as a channel) on a thread, on free ports."""

    def __init__(self, home: Path) -> None:
        import uvicorn

        self.hub = Hub.open("default", url=f"sqlite:///{home / 'renkei.db'}", home=home / "home")
        add_user(self.hub, LOGIN, role="admin", password=PASSWORD)
        self.smtp_port = free_port()
        self.inbox = make_controller(self.hub, "127.0.0.1", self.smtp_port, max_bytes=1 << 20)
        app = create_app(self.hub, [self.inbox], limiter=LoginLimiter(attempts=1000))
        self.port = free_port()
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", ws="none", lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="uvicorn", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.thread.start()
        for _ in range(400):
            if self.server.started:
                return
            time.sleep(0.05)
        raise AssertionError("uvicorn did not start")

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)
        self.hub.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    previous = os.environ.get("RENKEI_MAIL_AUTH")
    os.environ["RENKEI_MAIL_AUTH"] = "off"  # no DNS lookups for SPF/DKIM on a test machine
    live = LiveServer(tmp_path_factory.mktemp("browser"))
    live.start()
    try:
        yield live
    finally:
        live.stop()
        if previous is None:
            os.environ.pop("RENKEI_MAIL_AUTH", None)
        else:
            os.environ["RENKEI_MAIL_AUTH"] = previous


@pytest.fixture(scope="module")
def page(server: LiveServer) -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is missing at {CHROMIUM}: run scripts/ensure_chromium.sh (make test does)")
    from playwright.sync_api import sync_playwright

    if SCREENS.exists():
        shutil.rmtree(SCREENS)
    SCREENS.mkdir(parents=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        context = browser.new_context(base_url=server.url, viewport={"width": 1280, "height": 900}, locale="ja-JP")
        context.set_default_timeout(TIMEOUT_MS)
        opened = context.new_page()
        errors: list[str] = []
        opened.on("pageerror", lambda error: errors.append(str(error)))
        try:
            yield opened
        finally:
            context.close()
            browser.close()
        assert errors == [], f"JavaScript errors on the pages: {errors}"


def shot(page: Any, name: str) -> None:
    page.screenshot(path=str(SCREENS / f"{name}.png"), full_page=True)


def eventually_on_page(page: Any, url: str, selector: str, what: str) -> None:
    """Reload ``url`` until ``selector`` shows (processing runs on the inbox's thread)."""
    for _ in range(100):
        page.goto(url)
        if page.locator(selector).count():
            return
        time.sleep(0.2)
    raise AssertionError(f"never appeared: {what}")


STATE: dict[str, Any] = {}


def test_sign_in(page, server):
    page.goto("/integrations")
    assert "/login" in page.url
    shot(page, "01-login")
    page.get_by_label("ログインID").fill(LOGIN)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    page.wait_for_url(re.compile(r"/integrations$"))
    assert page.locator("nav a[aria-current=page]").inner_text() == "連携設定"


def test_add_a_suumo_integration_with_the_wizard(page, server):
    page.goto("/integrations")
    page.get_by_test_id("add-integration").click()
    page.get_by_label("SUUMO（リクルートJDS）").check()
    page.get_by_label("連携名").fill("SUUMO 渋谷店")
    page.get_by_label("担当者").fill("山田")
    page.get_by_label("顧客ステータス").fill("新規反響")
    page.get_by_label("静的グループ").fill("SUUMO反響")
    page.get_by_label("タグ").fill("賃貸, 渋谷")
    shot(page, "02-wizard-step1")
    page.get_by_test_id("next").click()
    assert page.locator(".steps li[aria-current=step]").inner_text().startswith("ステップ2")
    shot(page, "03-wizard-step2")
    page.get_by_test_id("next").click()
    page.wait_for_url(re.compile(r"/integrations/\d+/setup"))
    address = page.get_by_test_id("inbox-address").inner_text().strip()
    assert re.fullmatch(r"suumo-\d+-[0-9a-f]{25}@inbox\.localhost", address)
    assert "反響メール送信先" in page.get_by_test_id("setup").inner_text()
    STATE["address"] = address
    STATE["integration"] = int(re.search(r"/integrations/(\d+)/setup", page.url).group(1))
    shot(page, "04-wizard-step3")
    page.get_by_test_id("confirm").check()
    page.get_by_test_id("start").click()
    page.wait_for_url(re.compile(r"/integrations\?done=started"))
    row = page.get_by_test_id(f"integration-{STATE['integration']}")
    assert row.get_by_test_id("status").inner_text() == "確認待ち"
    shot(page, "05-integrations-waiting")


def test_a_portal_mail_over_smtp_becomes_a_customer_with_its_inquiry(page, server):
    raw = RENTAL.read_bytes()
    raw = re.sub(rb"(?m)^To:[^\r\n]*", b"To: " + STATE["address"].encode(), raw, count=1)
    with smtplib.SMTP("127.0.0.1", server.smtp_port, timeout=30) as client:
        client.sendmail("system@jds.suumo.jp", [STATE["address"]], raw)
    eventually_on_page(page, "/customers", "[data-testid^=customer-]", "the customer from the mail")
    shot(page, "06-customers")
    page.locator("[data-testid=customers] tbody a").first.click()
    page.wait_for_url(re.compile(r"/customers/\d+$"))
    inquiries = page.get_by_test_id("inquiries").inner_text()
    assert "A1234567890" in inquiries
    fields = page.get_by_test_id("customer-fields").inner_text()
    assert "taro.yamada@example.jp" in fields and "SUUMO 渋谷店" in fields and "山田" in fields
    shot(page, "07-customer")
    page.goto("/integrations")
    assert page.get_by_test_id(f"integration-{STATE['integration']}").get_by_test_id("status").inner_text() == "連携中"
    page.goto(f"/deliveries?integration={STATE['integration']}")
    shot(page, "08-deliveries")
    page.locator("[data-testid=deliveries] tbody a").first.click()
    assert page.get_by_test_id("delivery-state").inner_text() == "取り込み済み"
    assert "反響お知らせメール" in page.get_by_test_id("payload").inner_text()
    shot(page, "09-delivery-mail")


def test_edit_a_mapping_and_see_the_preview_diff(page, server):
    page.goto(f"/integrations/{STATE['integration']}/mapping")
    offered = page.locator("#source-options option").evaluate_all("options => options.map(o => o.value)")
    assert "email" in offered  # the labels of the latest delivery
    page.get_by_test_id("add-row").click()
    row = page.locator("tr.mapping-row").last
    row.get_by_test_id("source").fill("email")
    row.get_by_test_id("target").select_option("score")
    disabled = row.get_by_test_id("permission").locator("option[disabled]").evaluate_all("os => os.map(o => o.value)")
    assert sorted(disabled) == ["RW", "W"]
    assert "書き込み（W/RW）にはできません" in row.locator(".why").inner_text()
    # An inquiry's detail is named in the box a custom field is, and is read only.
    row.get_by_test_id("target").select_option("inquiry_extra")
    assert row.get_by_test_id("custom").is_visible()
    disabled = row.get_by_test_id("permission").locator("option[disabled]").evaluate_all("os => os.map(o => o.value)")
    assert sorted(disabled) == ["RW", "W"]
    row.get_by_test_id("target").select_option("memo")
    assert not row.get_by_test_id("custom").is_visible()
    assert row.get_by_test_id("permission").locator("option[disabled]").count() == 0
    row.get_by_test_id("permission").select_option("R")
    page.get_by_test_id("preview").click()
    result = page.get_by_test_id("preview-result")
    result.wait_for()
    diff = result.get_by_test_id("diff-field").filter(has_text="メモ")
    assert "taro.yamada@example.jp" in diff.inner_text()
    shot(page, "10-mapping-preview")
    page.get_by_test_id("save-mapping").click()
    page.wait_for_url(re.compile(r"done=mapping_saved"))
    assert page.locator("tr.mapping-row").count() >= 1


def test_upload_an_excel_workbook_and_watch_it_import(page, server, tmp_path):
    rows: list[list[object]] = [["顧客台帳"], ["氏名", "メールアドレス", "携帯電話", "郵便番号"]]
    rows += [[f"川上{n}子", f"book{n}@example.jp", 9012340000 + n, 600001] for n in range(50)]
    path = workbook(tmp_path / "顧客台帳.xlsx", rows)
    page.goto("/upload")
    page.get_by_test_id("upload-integration").select_option("manual-import")
    page.get_by_test_id("upload-file").set_input_files(str(path))
    page.get_by_test_id("upload-submit").click()
    page.get_by_test_id("columns").wait_for()
    assert "xlsx" in page.locator("form[data-testid=confirm-form]").inner_text()
    column = page.get_by_test_id("column").nth(2)
    assert column.get_by_test_id("column-target").input_value() == "mobile"
    assert "9012340000" in column.inner_text()  # the sample as the sheet holds it
    page.get_by_test_id("start-import").click()
    page.wait_for_url(re.compile(r"/upload/\d+$"))
    page.get_by_test_id("result-state").wait_for(timeout=120_000)
    assert page.get_by_test_id("result-counts").inner_text().startswith("新規 50・")
    assert "行エラーと注記" in page.content() and "顧客台帳" in page.get_by_test_id("row-errors").inner_text()


def test_upload_a_cp932_csv_with_a_bad_row_and_watch_it_import(page, server, tmp_path):
    rows = [["氏名", "フリガナ", "メールアドレス", "電話番号", "会社名"]]
    rows += [
        [f"山本{n}郎", "ヤマモトイチロウ", f"member{n}@example.jp", f"03-1234-{n:04d}", "株式会社①テスト"]
        for n in range(3000)
    ]
    rows.insert(1500, ["佐藤花子", "サトウハナコ", "not-an-address", "090-1111-2222", ""])
    path = write_csv(tmp_path / "会員一覧.csv", rows, encoding="cp932")
    page.goto("/upload")
    page.get_by_test_id("upload-integration").select_option("manual-import")
    page.get_by_test_id("upload-file").set_input_files(str(path))
    shot(page, "11-upload")
    page.get_by_test_id("upload-submit").click()
    columns = page.get_by_test_id("columns")
    columns.wait_for()
    assert "cp932" in page.locator("form[data-testid=confirm-form]").inner_text()
    first = page.get_by_test_id("column").first
    assert first.get_by_test_id("column-target").input_value() == "full_name"
    shot(page, "12-upload-confirm")
    page.get_by_test_id("start-import").click()
    page.wait_for_url(re.compile(r"/upload/\d+$"))
    # The page reloads itself once the import ends: wait for the bar (on either page) rather than count at once.
    page.get_by_test_id("progress").wait_for()
    shot(page, "13-upload-progress")
    page.get_by_test_id("result-state").wait_for(timeout=120_000)
    assert page.get_by_test_id("progress").get_attribute("value") == "100"
    assert page.get_by_test_id("result-counts").inner_text().startswith("新規 3000・")
    errors = page.get_by_test_id("row-errors").inner_text()
    assert "not-an-address" in errors and "メールアドレス" in errors
    shot(page, "14-upload-result")


def test_the_settings_page_and_switching_to_english(page, server):
    page.goto("/settings")
    shot(page, "15-settings")
    page.goto("/integrations")
    page.get_by_test_id("switch-locale").click()
    page.wait_for_url(re.compile(r"/integrations$"))
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("nav a[aria-current=page]").inner_text() == "Integrations"
    assert page.get_by_test_id(f"integration-{STATE['integration']}").get_by_test_id("status").inner_text() == "Running"
    shot(page, "16-integrations-en")
    page.goto(f"/integrations/{STATE['integration']}/mapping")
    assert "Preview (not saved)" in page.content()
    shot(page, "17-mapping-en")
