"""DATA-1..4 in a real browser at 1366×768: the manager opens the dashboard of the demo's first shop and reads the
conversion (orders ÷ UV), the UV/PV cards, the target bars (red when behind pace) and the diagnosis in words; the
demo's traffic is consistent with its orders (conversion 2–5 % over 180 days per shop)."""

import datetime as dt

from zhanggui.analytics import selectors
from zhanggui.core import clock
from zhanggui.shops.models import Shop


def test_data1_data4_dashboard_with_diagnosis_and_targets(demo, page, login, shot):
    today = clock.today()
    first = today - dt.timedelta(days=179)
    for shop in Shop.objects.all():
        figures = selectors.figures([shop.pk], first, today)
        if figures.orders:
            assert shop.platform_id == "own" or 0.02 <= figures.conversion <= 0.05, (
                shop.code,
                figures.orders,
                figures.uv,
            )
    shop = Shop.objects.order_by("code").first()
    login(page, "A001")
    page.goto(f"/analytics/?shop={shop.code}")
    assert page.locator('[data-value="conversion"]').inner_text() != "—"
    assert page.locator('[data-value="uv"]').inner_text() != "—"
    assert page.locator("#targets .target-row").count() >= 5
    assert page.locator('#diagnosis [data-rule="paid_over_half"]').is_visible()
    assert "关键词" in page.locator('#diagnosis [data-rule="paid_over_half"]').inner_text()
    assert page.locator("#diagnosis").bounding_box()["width"] > 400
    shot(page, "analytics-dashboard-diagnosis")
    page.click("#traffic-link")
    assert page.locator("#traffic-table tbody tr").count() >= 30
    shot(page, "analytics-traffic")
    page.goto("/analytics/targets/")
    assert page.locator("#targets-table input").count() == 15
    shot(page, "analytics-targets")
