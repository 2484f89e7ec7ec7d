"""fulfilment_review: 审单 at scale (ORD-7) — reasons for 10,000 待审核 orders, then automatic approval, PostgreSQL.

10,000 to_review orders (``BENCH_REVIEW_ORDERS=n``; 1,000 are measured too, to show the query counts do not grow
with the number of orders) of one demo shop, one matched line each; 30 % carry a reason (buyer message, risk hold,
missing district, over the amount limit). Measured:
- `review.reasons` over all of them (one call): seconds and SQL queries — a fixed number, whatever the size;
- `review.auto_review` (setting on): per 500-order chunk a fixed number of queries to find the clean ones, then each
  clean order goes through the order state machine (states.approve: row lock, version, timeline, reservation, the
  "order_moved" event creating its package) — a constant number of queries PER APPROVED ORDER, reported as such.
Baseline, same run: the naive loop — `reasons([order])` one order at a time, on a sample of 500 orders, scaled
to the full size. Everything runs in one transaction that is rolled back (the database is left as it was).
"""

import os
import random
import time

from django.db import connection, transaction

from zhanggui.catalog.models import Sku
from zhanggui.core import clock
from zhanggui.fulfilment.models import Package
from zhanggui.fulfilment.services import review
from zhanggui.orders.models import Order, OrderLine
from zhanggui.shops.models import ShopSettingValue

from . import data
from .registry import Result

PREFIX = "BRV"
SAMPLE = 500
APPROVE = int(os.environ.get("BENCH_REVIEW_APPROVE") or 1_000)  # orders run through auto_review (state machine)


def size() -> int:
    return int(os.environ.get("BENCH_REVIEW_ORDERS") or 10_000)


def make_orders(shop, skus, n: int, tag: str) -> list[int]:
    rng = random.Random(n)
    now = clock.now()
    orders = []
    for i in range(n):
        r = rng.random()
        orders.append(
            Order(
                shop=shop,
                platform_order_no=f"{PREFIX}{tag}{i:08d}",
                state=Order.State.TO_REVIEW,
                buyer_nick=f"买家{i}",
                receiver_name="张三",
                receiver_phone=f"138{i:08d}",
                province="浙江省",
                city="杭州市",
                district="" if 0.25 <= r < 0.3 else "西湖区",
                address_detail=f"文三路{i}号",
                buyer_message="请发顺丰" if r < 0.1 else "",
                exc_risk=0.1 <= r < 0.2,
                paid_fen=200000 if 0.2 <= r < 0.25 else 9900,
                ordered_at=now,
                paid_at=now,
            )
        )
    Order.objects.bulk_create(orders, batch_size=2000)
    ids = [o.pk for o in orders]
    lines = [
        OrderLine(order_id=pk, line_no=1, sku_id=skus[k % len(skus)][0], outer_code=skus[k % len(skus)][1], quantity=1)
        for k, pk in enumerate(ids)
    ]
    OrderLine.objects.bulk_create(lines, batch_size=2000)
    return ids


def measure(call):
    """(result, seconds, SQL statements run) — counted by an execute wrapper (no 9,000-query log limit)."""
    count = [0]

    def counter(execute, sql, params, many, context):
        count[0] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counter):
        started = time.perf_counter()
        out = call()
        seconds = time.perf_counter() - started
    return out, seconds, count[0]


def run() -> list[Result]:
    company = data.company()
    shop = company.shops[0]
    skus = list(Sku.objects.values_list("pk", "code").order_by("pk")[:200])
    n = size()
    notes = []
    with transaction.atomic():
        ShopSettingValue.objects.update_or_create(shop=shop, key="fulfilment.auto_approve", defaults={"value": True})
        small_ids = make_orders(shop, skus, 1_000, "S")
        _found, small_s, small_q = measure(lambda: review.reasons(Order.objects.filter(pk__in=small_ids)))
        big_ids = make_orders(shop, skus, n, "L")
        found, big_s, big_q = measure(lambda: review.reasons(Order.objects.filter(pk__in=big_ids)))
        notes.append(
            f"reasons: 1,000 orders {small_q} queries {small_s:.3f} s; {n:,} orders {big_q} queries {big_s:.3f} s"
        )
        sample = big_ids[:SAMPLE]
        _x, naive_s, naive_q = measure(lambda: [review.reasons([pk]) for pk in sample])
        naive_full = naive_s * n / SAMPLE
        notes.append(
            f"naive per-order loop: {naive_q} queries for {SAMPLE} orders → ~{naive_q * n // SAMPLE:,} for {n:,}"
        )
        todo = big_ids[:APPROVE]
        clean = sum(1 for pk in todo if not found[pk])
        done, auto_s, auto_q = measure(lambda: review.auto_review(None, shop, orders=todo))
        packages = Package.objects.filter(order_id__in=todo).count()
        per = auto_q / max(done["approved"], 1)
        each = auto_s / max(done["approved"], 1)
        notes.append(
            f"auto_review of {len(todo):,}: approved {done['approved']:,} (clean {clean:,}), waiting "
            f"{done['waiting']:,}, {packages:,} packages, {auto_q:,} queries (~{per:.1f} per approved order: state "
            f"machine + package; the finding of clean orders is a fixed number per 500-order chunk), {auto_s:.1f} s "
            f"= {each * 1000:.0f} ms per approval → ~{each * n * 0.7:.0f} s for {n:,}"
        )
        transaction.set_rollback(True)
    for line in notes:
        print("  " + line)
    return [
        Result(
            name="fulfilment_review",
            value=round(big_s, 3),
            unit="s",
            size=f"reasons for {n:,} to_review orders, {big_q} SQL queries (1,000 orders: {small_q})",
            baseline=f"naive per-order reasons loop ({naive_q * n // SAMPLE:,} queries), scaled from {SAMPLE}",
            baseline_value=round(naive_full, 3),
            notes=notes,
        ),
        Result(
            name="fulfilment_review_approve",
            value=round(auto_s, 2),
            unit="s",
            size=f"auto_review of {len(todo):,}: {done['approved']:,} approved with packages, {auto_q:,} queries",
            baseline=f"reasons alone for all {n:,}",
            baseline_value=round(big_s, 3),
            notes=notes,
        ),
    ]
