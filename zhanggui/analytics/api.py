"""Analytics API (DATA-2): the dashboard's figures — same permission and shop scope as the page (selectors.py)."""

import datetime as dt

from django.http import Http404
from ninja import Router, Schema

from zhanggui.core.access import allowed_shops
from zhanggui.core.apitools import api_route
from zhanggui.core.errors import DomainError

from . import selectors

router = Router(tags=["analytics"])
PERM = "analytics.view_report"


class FiguresOut(Schema):
    orders: int
    buyers: int
    gmv_fen: int
    discount_fen: int
    refund_fen: int
    refunded_orders: int
    units: int
    uncosted_units: int
    cost_fen: int
    profit_fen: int
    aov_fen: int | None
    refund_rate: float | None
    margin: float | None
    conversion: float | None  # orders ÷ UV: null until traffic is recorded (DATA-1)


class DayOut(FiguresOut):
    day: dt.date


class SalesOut(Schema):
    shops: list[str]
    date_from: dt.date
    date_to: dt.date
    previous_from: dt.date
    previous_to: dt.date
    current: FiguresOut
    previous: FiguresOut
    daily: list[DayOut]


def _figures(f: selectors.Figures) -> dict:
    names = [*selectors.SUMS, "aov_fen", "refund_rate", "margin", "conversion"]
    return {name: getattr(f, name) for name in names}


@api_route(router.get, "/analytics/sales", perm=PERM, response=SalesOut)
def sales(request, shop: str = "", date_from: str = "", date_to: str = ""):
    """DATA-2: GMV, paid orders, buyers, AOV, refunds, gross profit of the caller's shops (or `shop`, a shop code)
    over [`from`, `to`] (Beijing days, default the last 30) beside the period before, and the daily figures.
    Query parameters `from` / `to` (YYYY-MM-DD); `date_from` / `date_to` are the same."""
    params = request.GET
    start, end = params.get("from", date_from), params.get("to", date_to)
    first, last, problem, field = selectors.parse_range(start, end)
    if problem:
        raise DomainError("bad_range", problem, field)
    shops = list(allowed_shops(request.user))
    if shop:
        shops = [s for s in shops if s.code == shop.strip()]
        if not shops:
            raise Http404
    board = selectors.dashboard([s.pk for s in shops], first, last)
    return {
        "shops": [s.code for s in shops],
        "date_from": board.first,
        "date_to": board.last,
        "previous_from": board.previous_first,
        "previous_to": board.previous_last,
        "current": _figures(board.current),
        "previous": _figures(board.previous),
        "daily": [{"day": day, **_figures(f)} for day, f in board.daily],
    }


from .api_traffic import router as traffic_router  # noqa: E402 — DATA-1, DATA-3, DATA-4

router.add_router("", traffic_router)
