"""Browser fixtures for the end-to-end tests: Debian's Chromium driven by Playwright's sync API.

No pytest-playwright: `browser` starts Playwright and Chromium for one test (function scope, so the
event loop Playwright keeps in the main thread never outlives the test and cannot leak into other
tests running in the same xdist worker). `page` is a 1366×768 tab pointed at the live server.

`playwright install` cannot download anything here; the browser is /usr/bin/chromium (`make browser`).
If it is missing the tests fail loudly — they never skip.
"""

import os
import re
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("ZHANGGUI_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
VIEWPORT = {"width": 1366, "height": 768}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def demo(live_server):
    """The demo company (杭州青禾服饰) in the test database, visible to the live server."""
    from django.contrib.contenttypes.models import ContentType

    from zhanggui.team.services import sync_roles
    from zhanggui.workbench.demo import load_demo

    ContentType.objects.clear_cache()  # a previous transactional test flushed and recreated the content types
    sync_roles()
    return load_demo()


@pytest.fixture
def browser(live_server):
    """A headless Chromium for this test. Depends on live_server so the database outlives the browser."""
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: the browser tests need Debian's chromium "
            "(run `make browser`, i.e. apt-get install -y chromium fonts-wqy-microhei). "
            "`playwright install` cannot download browsers here.",
            pytrace=False,
        )
    from django.db import connections
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an asyncio loop running in this thread; Django would refuse ORM calls
    # from the test body (and the transactional flush) without this. Restored before the database teardown.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as pw:
            chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
            try:
                yield chromium
            finally:
                chromium.close()
                # ORM calls made while Playwright's loop runs get their own connection (Django keeps
                # connections per async context); close it, or PostgreSQL cannot drop the test database.
                connections.close_all()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def new_page(browser, live_server):
    """new_page() → a fresh browser context (own cookies) at 1366×768, Chinese locale, Beijing time."""
    contexts = []

    def make():
        context = browser.new_context(
            viewport=VIEWPORT, locale="zh-CN", timezone_id="Asia/Shanghai", base_url=live_server.url
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture
def login():
    """login(page, number[, password]) through the real login form; the demo password by default."""
    from zhanggui.workbench.demo import DEMO_PASSWORD

    def do(page, number, password=DEMO_PASSWORD, expect_home=True):
        page.goto("/login/")
        page.fill("#id_username", number)
        page.fill("#id_password", password)
        with page.expect_navigation():
            page.click("button[type=submit]")
        if expect_home:
            assert page.locator("#whoami").is_visible(), f"{number} could not log in: {page.url}"
            assert number in page.locator("#whoami").inner_text()
        return page

    return do


@pytest.fixture
def shot():
    """shot(page, "home-manager") → full-page PNG in test-artifacts/screenshots/ (gitignored).

    Also checks the page speaks Chinese: the title comes from the zh_Hans catalogue (工作台 · 掌柜).
    """
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name):
        assert re.fullmatch(r"[a-z0-9-]+", name), name
        page.wait_for_load_state("networkidle")
        assert CJK.search(page.title()), f"{name}: page title {page.title()!r} is not Chinese (run `make messages`)"
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def photo_file(tmp_path):
    """A small generated product photo (a dark garment on a studio background) to upload."""
    from zhanggui.catalog.demo import demo_photo

    path = tmp_path / "photo.jpg"
    path.write_bytes(demo_photo("藏青", 1))
    return path
