"""Analytics API (DATA-2): the dashboard's figures — same permission and shop scope as the page (selectors.py)."""

import datetime as dt

from django.http import Http404
from ninja import Router, Schema

from zhanggui.core.access import allowed_shops, scoped_get
from zhanggui.core.apitools import api_route
from zhanggui.core.errors import DomainError

from . import products, selectors
from .models import WeeklyReport

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


# DATA-5 / DATA-6 ------------------------------------------------------------------------------------------------


class ProductOut(Schema):
    product_id: int
    style_code: str
    name: str
    units: int
    orders: int
    gmv_fen: int
    refund_fen: int
    cost_fen: int
    profit_fen: int
    margin: float | None
    gmv_share: float
    profit_share: float
    in_sales_core: bool  # among the products making 80 % of the GMV (PROD-7)
    in_profit_core: bool
    actual_role: str  # "traffic" | "profit" | ""
    declared_role: str  # the catalog's Product.role
    on_hand: int
    cover_days: float | None


class ProductsOut(Schema):
    shops: list[str]
    date_from: dt.date
    date_to: dt.date
    gmv_fen: int
    profit_fen: int
    products: list[ProductOut]


def _shops_of(request, shop: str):
    shops = list(allowed_shops(request.user))
    if shop:
        shops = [s for s in shops if s.code == shop.strip()]
        if not shops:
            raise Http404
    return shops


@api_route(router.get, "/analytics/products", perm="analytics.view_product_analysis", response=ProductsOut)
def product_analysis(request, shop: str = "", date_from: str = "", date_to: str = ""):
    """DATA-5: per product over [`from`, `to`] (default the last 30 days): units, GMV, gross profit, shares and the
    80/20 cores, actual vs declared role, stock cover in days; best sellers by GMV first."""
    params = request.GET
    first, last, problem, field = selectors.parse_range(params.get("from", date_from), params.get("to", date_to))
    if problem:
        raise DomainError("bad_range", problem, field)
    shops = _shops_of(request, shop)
    analysis = products.analyse([s.pk for s in shops], first, last)
    names = [name for name in ProductOut.model_fields if name != "margin"]
    return {
        "shops": [s.code for s in shops],
        "date_from": first,
        "date_to": last,
        "gmv_fen": analysis.gmv_fen,
        "profit_fen": analysis.profit_fen,
        "products": [{**{n: getattr(r, n) for n in names}, "margin": r.margin} for r in analysis.rows],
    }


class WeeklyReportOut(Schema):
    id: int
    shop: str
    week_start: dt.date
    created_at: dt.datetime


class WeeklyReportDetailOut(WeeklyReportOut):
    figures: dict


def _report(r: WeeklyReport, figures: bool = False) -> dict:
    out = {"id": r.pk, "shop": r.shop.code, "week_start": r.week_start, "created_at": r.created_at}
    return {**out, "figures": r.figures} if figures else out


@api_route(router.get, "/analytics/weekly-reports", perm="analytics.view_weeklyreport", response=list[WeeklyReportOut])
def weekly_reports(request, shop: str = ""):
    """DATA-6: the weekly reports of the caller's shops (or `shop`), newest week first (the last 200)."""
    shops = _shops_of(request, shop)
    rows = WeeklyReport.objects.filter(shop__in=shops).select_related("shop")[:200]
    return [_report(r) for r in rows]


@api_route(
    router.get, "/analytics/weekly-reports/{report_id}", perm="analytics.view_weeklyreport",
    response=WeeklyReportDetailOut,
)  # fmt: skip
def weekly_report(request, report_id: int):
    """DATA-6: one weekly report with its figures (this week, last week, target, diagnosis, products, after-sales,
    shipping SLA; money in fen); 404 for another shop's report."""
    return _report(scoped_get(WeeklyReport.objects.select_related("shop"), request.user, pk=report_id), True)


from .api_traffic import router as traffic_router  # noqa: E402 — DATA-1, DATA-3, DATA-4

router.add_router("", traffic_router)
