"""Access-matrix samples for the weekly reports (DATA-6): one report of shop_a (the outsider of shop_b gets 404)."""

import datetime as dt

from zhanggui.analytics.services.weekly import make_report

SHOP_BOUND = {"report_id"}


def build(world, shared) -> dict:
    return {"report_id": make_report(world.shop_a, dt.date(2026, 11, 16)).pk}
