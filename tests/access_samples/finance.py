"""Access-matrix samples for finance (FIN-1, FIN-2): a cost entry of shop_a and a month for the P&L routes."""

import datetime as dt

from zhanggui.finance.models import CostEntry

SHOP_BOUND = {"cost_id"}


def build(world, shared) -> dict:
    entry = CostEntry.objects.create(shop=world.shop_a, month=dt.date(2026, 10, 1), kind="ad", amount_fen=1000)
    return {"cost_id": entry.pk, "month": "2026-10"}
