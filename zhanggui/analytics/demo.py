"""The demo company's sales facts (DATA-2): filled from its orders, as `zhanggui facts-rebuild` does; and the weekly
reports (DATA-6) of the last four weeks of every shop, as the Monday schedule would have written them."""

import datetime as dt

from zhanggui.shops.models import Shop

from .services import facts, weekly

DEMO_WEEKS = 4


def load_analytics() -> dict:
    """The daily facts of every shop from the orders the demo imported and worked (cells that exist keep their unit
    cost, FIN-1: a second load changes nothing), then the last weeks' reports (rewritten: one per shop and week)."""
    days = facts.rebuild()
    last = weekly.last_week()
    reports = 0
    for shop in Shop.objects.filter(is_active=True).order_by("pk"):
        for back in range(DEMO_WEEKS):
            weekly.make_report(shop, last - dt.timedelta(days=7 * back))
            reports += 1
    return {"shop_days": days, "weekly_reports": reports}
