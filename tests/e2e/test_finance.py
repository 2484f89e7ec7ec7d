"""End-to-end (FIN-1, FIN-2): finance A008 at 1366×768 opens the monthly P&L (the month before last closed in the
demo, last month open), closes last month for one shop and sees it locked; the manager opens an order and reads its
profit. Screenshots in test-artifacts/ (finance-pnl, finance-pnl-closed, order-profit)."""

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

FITS = "document.documentElement.scrollWidth <= window.innerWidth"


def test_finance_closes_a_month_on_the_pnl_page(demo, page, login, shot):
    from zhanggui.finance.models import MonthClose

    login(page, "A008")
    page.goto("/finance/")
    page.click("text=月度损益表")
    page.wait_for_selector("#pnl-table")
    assert "¥" in page.locator("#company-profit").inner_text()
    assert page.evaluate(FITS)
    shot(page, "finance-pnl")
    before = MonthClose.objects.count()
    button = page.locator("[data-close]").first
    shop = button.get_attribute("data-close")
    page.once("dialog", lambda dialog: dialog.accept())
    button.click()
    page.wait_for_selector(f"th[data-shop='{shop}'] .badge")
    assert "已结账" in page.locator(f"th[data-shop='{shop}']").inner_text()
    assert MonthClose.objects.count() == before + 1
    shot(page, "finance-pnl-closed")


def test_the_order_page_shows_the_profit_to_the_manager(demo, page, login, shot):
    from zhanggui.orders.models import Order

    order = Order.objects.filter(paid_at__isnull=False, packages__isnull=False).order_by("-paid_at").first()
    login(page, "A001")
    page.goto(f"/orders/{order.pk}/")
    page.wait_for_selector("#order-profit")
    assert "毛利" in page.locator("#order-profit").inner_text()
    assert page.evaluate(FITS)
    page.locator("#order-profit").scroll_into_view_if_needed()
    shot(page, "order-profit")
