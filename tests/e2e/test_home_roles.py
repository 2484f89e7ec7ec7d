"""End-to-end: every role of the demo company opens its own home page (ui.md "Home per role") and one of its queue
pages in a real browser, at 1366×768. The rendered text must speak the shop's language: no stored code (payment
method, package or order state keys, waybill sources, document keys like order:2406, money in fen on the
timeline) and no bare rule ID — the same patterns as the crawl of the demo pages (tests/workbench/page_text.py).
Screenshots of each home and queue page land in test-artifacts/screenshots/ for a human to look at."""

import pytest

from tests.workbench.page_text import VisibleText, codes_shown, rule_ids_shown, stored_codes

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

# The demo logins (zhanggui.workbench.demo.STAFF): 工号 → the role whose home it shows, and the block whose first
# figure leads to that role's queue page.
ROLES = [
    ("A001", "manager", "#block-order_queues [data-row] a"),
    ("A002", "cs", "#block-my_orders [data-row] a.tile-link"),
    ("A004", "designer", "#block-designer [data-row] a.tile-link"),
    ("A005", "editor", "#block-editor [data-row] a.tile-link"),
    ("A006", "marketing", "#block-marketing [data-row] a.tile-link"),
    ("A007", "warehouse", "#block-warehouse [data-row] a.tile-link"),
    ("A008", "finance", "#block-finance [data-row] a.tile-link"),
]


def raw_codes(page, codes) -> list[str]:
    """Stored codes and rule IDs in the page's visible text (attributes such as tooltips are not text)."""
    text = VisibleText()
    text.feed(page.content())
    pages = [(page.url, text)]
    found = codes_shown(pages, codes)
    rules = rule_ids_shown(pages)
    return sorted(found) + [next(iter(where)) for where in rules.values()]


def test_every_role_opens_its_own_home_and_a_queue_in_plain_chinese(demo, new_page, login, shot):
    codes = stored_codes()
    assert {"alipay", "pool", "file", "cainiao", "paid", "pending_payment", "to_print"} <= codes
    for number, role, queue_link in ROLES:
        page = login(new_page(), number)
        assert page.url.endswith("/"), (role, page.url)
        blocks = page.locator("[data-block]")
        assert blocks.count() >= 1, f"{role}: an empty home page"
        for i in range(blocks.count()):
            block = blocks.nth(i)
            assert block.locator("[data-row]").count() >= 1, f"{role}: empty block {block.get_attribute('data-block')}"
        assert (page.locator("#activity-chart").count() == 1) is (role == "manager"), role
        assert (page.locator("#sales").count() == 1) is (role == "manager"), role
        assert not raw_codes(page, codes), (role, raw_codes(page, codes))
        shot(page, f"home-{role}")

        link = page.locator(queue_link).first
        href = link.get_attribute("href")
        with page.expect_navigation() as navigation:
            link.click()
        assert navigation.value.status == 200, (role, href, navigation.value.status)  # ui.md: never a 403
        assert not raw_codes(page, codes), (role, href, raw_codes(page, codes))
        shot(page, f"queue-{role}")
