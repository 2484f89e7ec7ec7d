"""finance_monthly_pnl: the monthly P&L (FIN-2) of every shop and the company for last month, from the daily facts,
beside the naive GROUP BY over the orders and their lines × SKU cost that gives the month's sales, refunds and cost
of goods — p50/p99 ms, measured alternately in one run. Target: ≤ 1 s for 5 shops over 1,000,000 orders.

The orders are generated and written as analytics_dashboard does (``BENCH_ANALYTICS_ORDERS=n`` for another size;
SQLite defaults to 100,000) and reach the facts through `facts.rebuild`; the sales of the month from the facts must
equal the naive query's. The bench orders and their facts are deleted afterwards.
"""

import datetime as dt
import time

from django.db.models import Case, F, Sum, When

from zhanggui.analytics.services import facts
from zhanggui.catalog.models import Sku
from zhanggui.core import clock
from zhanggui.finance.services import pnl
from zhanggui.orders.models import Order, OrderLine
from zhanggui.shops.models import Shop

from . import analytics_dashboard, data, harness, orders_list
from .registry import Result

REQUESTS = 20


def naive(shop_ids, month: dt.date):
    first, last = pnl.month_bounds(month)
    start, end = clock.local_day_bounds(first)[0], clock.local_day_bounds(last)[1]
    closed = Order.State.CLOSED
    orders = (
        Order.objects.filter(shop_id__in=shop_ids, paid_at__gte=start, paid_at__lt=end)
        .values("shop_id")
        .annotate(
            sales=Sum("paid_fen"), refunds=Sum(Case(When(state=closed, then=F("paid_fen")), default=F("refund_fen")))
        )
        .order_by()
    )
    lines = (
        OrderLine.objects.filter(order__shop_id__in=shop_ids, order__paid_at__gte=start, order__paid_at__lt=end)
        .exclude(order__state=closed)
        .values("order__shop_id")
        .annotate(cost=Sum(F("quantity") * F("sku__cost_fen")))
        .order_by()
    )
    return {r["shop_id"]: r for r in orders}, {r["order__shop_id"]: r for r in lines}


def run() -> list[Result]:
    company = data.company()
    shops = company.shops[:4]
    shop_ids = [s.pk for s in shops]
    analytics_dashboard.cleanup(shop_ids)
    n_orders = analytics_dashboard.size()
    skus = list(Sku.objects.values_list("pk", "code").order_by("pk")[:400])
    first_id = (Order.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    started = time.perf_counter()
    orders, lines = orders_list.generate(n_orders, shop_ids, skus, first_id)
    orders_list.write(orders, lines)
    del orders, lines
    written = time.perf_counter() - started
    orders_list.vacuum()
    try:
        facts.rebuild([s.pk for s in company.shops])
        harness.analyze()
        all_shops = list(Shop.objects.filter(pk__in=[s.pk for s in company.shops]).select_related("platform"))
        month = (clock.today().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
        _rows, total, _beside = pnl.monthly(all_shops, month)
        by_shop, _lines = naive([s.pk for s in all_shops], month)
        sales = sum(r["sales"] or 0 for r in by_shop.values())
        if sales != total["sales_fen"]:
            raise AssertionError(f"sales {total['sales_fen']} from the facts, {sales} from the orders")
        ids = [s.pk for s in all_shops]
        samples, baseline = harness.interleaved_ms(
            lambda: pnl.monthly(all_shops, month), lambda: naive(ids, month), REQUESTS, warmup=2
        )
        p50, p99 = harness.p50_p99(samples)
        b50, b99 = harness.p50_p99(baseline)
        total_orders = Order.objects.count()
        return [
            Result(
                name="finance_monthly_pnl",
                value=p50,
                unit="ms/P&L (p50)",
                p99=p99,
                size=f"{total_orders:,} orders; {len(all_shops)} shops, month {month:%Y-%m}, {REQUESTS} calls",
                baseline="naive GROUP BY over the month's orders and lines × SKU cost",
                baseline_value=b50,
                baseline_p99=b99,
                notes=[
                    f"target ≤ 1000 ms; {b50 / p50:.1f}× the baseline; sales {total['sales_fen'] / 100:,.2f} yuan",
                    f"data written in {written:.0f} s; {harness.load_average()}",
                ],
            )
        ]
    finally:
        analytics_dashboard.cleanup(shop_ids)
        facts.rebuild(shop_ids)
