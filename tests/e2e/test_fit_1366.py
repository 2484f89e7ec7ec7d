"""Work tables fit a 1366×768 laptop screen (ui.md): the purchase orders, the three replenishment tabs and the long
queues (审单, print queue, title issues) need no sideways scrolling — neither of the page nor inside a table's card,
which would hide the last columns (the unit price, the buyer) behind a scroll bar. Screenshots in test-artifacts/."""

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

PAGES = {
    "fit-purchase-orders": "/purchasing/",
    "fit-replenishment-needed": "/purchasing/replenishment/?tab=needed",
    "fit-replenishment-low": "/purchasing/replenishment/?tab=low",
    "fit-replenishment-all": "/purchasing/replenishment/?tab=all",
    "fit-review": "/shipping/review/",
    "fit-print-queue": "/shipping/",
    "fit-title-issues": "/products/listings/title-issues/",
}

# Every table wider than the box it sits in: [id or class, table width, box width].
OVERFLOWING = """() => [...document.querySelectorAll("table")]
  .filter((t) => t.offsetParent !== null && t.scrollWidth > t.parentElement.clientWidth)
  .map((t) => [t.id || t.className, t.scrollWidth, t.parentElement.clientWidth])"""


def test_tables_fit_1366(demo, page, login, shot):
    login(page, "A001")
    for name, url in PAGES.items():
        page.goto(url)
        page.wait_for_load_state("networkidle")
        width, viewport = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert viewport == 1366
        assert width <= viewport, f"{url}: the page scrolls sideways ({width} px)"
        assert page.evaluate(OVERFLOWING) == [], f"{url}: a table is wider than its card"
        shot(page, name)
