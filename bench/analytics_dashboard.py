"""analytics_dashboard: the sales dashboard's figures (DATA-2) for one shop and for all shops over 90 days, beside
the naive GROUP BY over the orders that gives the same figures — p50/p99 ms, measured alternately in one run.

1,000,000 orders (``BENCH_ANALYTICS_ORDERS=n`` for another size; SQLite defaults to 100,000) and ~1.3 lines each
over four demo shops and two years, generated and written with COPY as orders_list does (bench/orders_list.py).
They reach the facts as a first fill does: `facts.rebuild` (timed, a note), then `facts.verify` must be clean.
Measured: `selectors.dashboard` — the range and the period before it (two sums) and the daily trend — for one shop
and for all five shops, 90 days ending today. Baseline: the same figures from the orders (paid-day GROUP BY over the
orders and over their lines × SKU cost for both periods), the query a dashboard without facts would run. Targets:
p50 ≤ 50 ms and ≥ 10× faster than the baseline. The bench orders and their facts are deleted afterwards.
"""

import datetime as dt
import os
import time

from django.db import connection
from django.db.models import Case, Count, F, Sum, When
from django.db.models.functions import TruncDate

from zhanggui.analytics import selectors
from zhanggui.analytics.models import ShopDayFact, SkuDayFact
from zhanggui.analytics.services import facts
from zhanggui.catalog.models import Sku
from zhanggui.core import clock
from zhanggui.orders.models import Order, OrderLine

from . import data, harness, orders_list
from .registry import Result

DAYS = 90
REQUESTS = 30


def size() -> int:
    default = 1_000_000 if connection.vendor == "postgresql" else 100_000
    return int(os.environ.get("BENCH_ANALYTICS_ORDERS") or default)


def naive(shop_ids, first: dt.date, last: dt.date) -> tuple[dict, dict]:
    """The dashboard's figures straight from the orders: both periods, per day (two grouped queries)."""
    before_first, _before_last = selectors.previous_period(first, last)
    start, end = clock.local_day_bounds(before_first)[0], clock.local_day_bounds(last)[1]
    closed = Order.State.CLOSED
    orders = (
        Order.objects.filter(shop_id__in=shop_ids, paid_at__gte=start, paid_at__lt=end)
        .annotate(day=TruncDate("paid_at", tzinfo=clock.SHANGHAI))
        .values("day")
        .annotate(
            n=Count("pk"),
            buyers=Count("buyer_nick", distinct=True),
            gmv=Sum("paid_fen"),
            refunds=Sum(Case(When(state=closed, then=F("paid_fen")), default=F("refund_fen"))),
        )
        .order_by()
    )
    lines = (
        OrderLine.objects.filter(order__shop_id__in=shop_ids, order__paid_at__gte=start, order__paid_at__lt=end)
        .exclude(order__state=closed)
        .annotate(day=TruncDate("order__paid_at", tzinfo=clock.SHANGHAI))
        .values("day")
        .annotate(units=Sum("quantity"), cost=Sum(F("quantity") * F("sku__cost_fen")))
        .order_by()
    )
    return {r["day"]: r for r in orders}, {r["day"]: r for r in lines}


def cleanup(shop_ids) -> None:
    orders_list.cleanup(shop_ids)
    ShopDayFact.objects.filter(shop_id__in=shop_ids).delete()
    SkuDayFact.objects.filter(shop_id__in=shop_ids).delete()


def run() -> list[Result]:
    company = data.company()
    shops = company.shops[:4]
    shop_ids = [s.pk for s in shops]
    cleanup(shop_ids)
    n_orders = size()
    skus = list(Sku.objects.values_list("pk", "code").order_by("pk")[:400])
    started = time.perf_counter()
    first_id = (Order.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    orders, lines = orders_list.generate(n_orders, shop_ids, skus, first_id)
    orders_list.write(orders, lines)
    del orders, lines
    written = time.perf_counter() - started
    orders_list.vacuum()
    try:
        start = time.perf_counter()
        cells = facts.rebuild([s.pk for s in company.shops])
        rebuild_s = time.perf_counter() - start
        harness.analyze()
        start = time.perf_counter()
        check = facts.verify([s.pk for s in company.shops])
        verify_s = time.perf_counter() - start
        if not check.ok:
            raise AssertionError(f"facts-verify: {len(check.differences)} differences, e.g. {check.differences[:3]}")
        last = clock.today()
        first = last - dt.timedelta(days=DAYS - 1)
        total = Order.objects.count()
        common = [
            f"data: {total:,} orders, {OrderLine.objects.count():,} lines written in {written:.0f} s; facts rebuilt "
            f"in {rebuild_s:.1f} s ({cells:,} shop-days, {SkuDayFact.objects.count():,} SKU-days); facts-verify "
            f"clean in {verify_s:.1f} s; {harness.load_average()}"
        ]
        results = []
        for label, ids in (("one shop", [shops[0].pk]), ("all shops", [s.pk for s in company.shops])):
            board = selectors.dashboard(ids, first, last)
            by_day, _by_line = naive(ids, first, last)
            gmv = sum(r["gmv"] for d, r in by_day.items() if d >= first)
            if gmv != board.current.gmv_fen:
                raise AssertionError(f"{label}: GMV {board.current.gmv_fen} from the facts, {gmv} from the orders")
            with harness.QueryLog() as queries:
                selectors.dashboard(ids, first, last)
            samples, baseline = harness.interleaved_ms(
                lambda ids=ids: selectors.dashboard(ids, first, last), lambda ids=ids: naive(ids, first, last),
                REQUESTS, warmup=3,
            )  # fmt: skip
            p50, p99 = harness.p50_p99(samples)
            b50, b99 = harness.p50_p99(baseline)
            name = "analytics_dashboard" if label == "one shop" else "analytics_dashboard_all"
            results.append(
                Result(
                    name=name,
                    value=p50,
                    unit="ms/dashboard (p50)",
                    p99=p99,
                    size=f"{total:,} orders; {label}, {DAYS} days + the {DAYS} before, {REQUESTS} calls",
                    baseline="naive paid-day GROUP BY over orders and lines",
                    baseline_value=b50,
                    baseline_p99=b99,
                    notes=[
                        f"{b50 / p50:.0f}× faster than the baseline (target ≥ 10×); target p50 ≤ 50 ms",
                        f"{len(queries)} queries per dashboard; GMV {board.current.gmv_fen / 100:,.2f} yuan",
                        *common,
                    ],
                )
            )
        return results
    finally:
        cleanup(shop_ids)
        facts.rebuild(shop_ids)  # the demo's own facts again
