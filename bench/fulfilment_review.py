"""fulfilment_review: 审单 at scale (ORD-7) — reasons for 10,000 待审核 orders, then automatic approval, PostgreSQL.

10,000 to_review orders (``BENCH_REVIEW_ORDERS=n``; 1,000 are measured too, to show the query counts do not grow
with the number of orders) of one demo shop, one matched line each; 30 % carry a reason (buyer message, risk hold,
missing district, over the amount limit). Measured:
- `review.reasons` over all of them (one call): seconds and SQL queries — a fixed number, whatever the size;
- set-based approval of the clean ones through the order state machine (`states.approve_many`: row locks,
  refusals, version, timeline, reservation, the OrdersMoved event creating the packages in bulk), one call
  for the clean ones of 1,000 and one for the clean ones of all 10,000: seconds and SQL queries — the same count;
- `review.auto_review` (setting on) of all 10,000 end to end: reasons per 500-order chunk, approval per 1,000-order
  chunk (a fixed number of queries per chunk).
Baselines, same run: `reasons([order])` one order at a time on a sample of 500 orders, and the per-order approval
(`states.approve` one by one, as before) on a sample of 200 clean orders, both scaled to the full size. The orders
are reserved on creation as paid orders are (ORD-4), so approval finds their reservations. Everything runs in one
transaction that is rolled back (the database is left as it was).
"""

import os
import random

from django.db import transaction

from zhanggui.catalog.models import Sku
from zhanggui.core import clock
from zhanggui.fulfilment.models import Package
from zhanggui.fulfilment.services import review
from zhanggui.inventory.models import Reservation
from zhanggui.inventory.services.stock import default_warehouse
from zhanggui.orders.models import Order, OrderLine
from zhanggui.orders.services import states
from zhanggui.shops.models import ShopSettingValue

from . import data
from .harness import timed_queries as measure
from .registry import Result

PREFIX = "BRV"
SAMPLE = 500
APPROVE_SAMPLE = 200  # clean orders approved one by one (the per-order baseline)


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
    # ORD-4: paid orders hold their reservation (written directly: the bench is about review, not stock)
    warehouse = default_warehouse()
    Reservation.objects.bulk_create(
        [
            Reservation(reference=states.reference(line.order_id), sku_id=line.sku_id, warehouse=warehouse, quantity=1)
            for line in lines
        ],
        batch_size=2000,
    )
    return ids


def run() -> list[Result]:
    company = data.company()
    shop = company.shops[0]
    skus = list(Sku.objects.values_list("pk", "code").order_by("pk")[:200])
    n = size()
    notes = []
    with transaction.atomic():
        ShopSettingValue.objects.update_or_create(shop=shop, key="fulfilment.auto_approve", defaults={"value": True})
        small_ids = make_orders(shop, skus, 1_000, "S")
        small_found, small_s, small_q = measure(lambda: review.reasons(Order.objects.filter(pk__in=small_ids)))
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

        # set-based approval: one approve_many call for the clean ones of 1,000 and of 10,000
        small_clean = [pk for pk in small_ids if not small_found[pk]]
        (small_ok, _r), small_a_s, small_a_q = measure(lambda: states.approve_many(None, small_clean, "自动审核"))
        clean = [pk for pk in big_ids if not found[pk]]
        (big_ok, _r), big_a_s, big_a_q = measure(lambda: states.approve_many(None, clean, "自动审核"))
        packages = Package.objects.filter(order_id__in=clean).count()
        notes.append(
            f"approve_many: {len(small_ok):,} clean of 1,000 → {small_a_q} queries {small_a_s:.2f} s; "
            f"{len(big_ok):,} clean of {n:,} → {big_a_q} queries {big_a_s:.2f} s, {packages:,} packages"
        )

        # per-order baseline (states.approve one by one, the old path) on fresh clean orders
        base_ids = make_orders(shop, skus, APPROVE_SAMPLE * 2, "B")
        base_found = review.reasons(base_ids)
        base_clean = [pk for pk in base_ids if not base_found[pk]][:APPROVE_SAMPLE]
        one_n, one_s, one_q = measure(lambda: review._approve_one_by_one(None, base_clean))
        per_s, per_q = one_s / max(one_n, 1), one_q / max(one_n, 1)
        notes.append(
            f"per-order approve (baseline): {one_n} orders {one_q:,} queries ({per_q:.1f} each) {one_s:.2f} s "
            f"({per_s * 1000:.0f} ms each) → ~{per_s * len(clean):.0f} s and ~{per_q * len(clean):,.0f} queries for "
            f"the {len(clean):,} clean of {n:,}"
        )

        # auto_review end to end over fresh orders (reasons per 500, approval per 1,000)
        auto_ids = make_orders(shop, skus, n, "A")
        done, auto_s, auto_q = measure(lambda: review.auto_review(None, shop, orders=auto_ids))
        notes.append(
            f"auto_review of {n:,}: approved {done['approved']:,}, waiting {done['waiting']:,}, {auto_q:,} queries "
            f"(fixed per chunk), {auto_s:.2f} s"
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
            value=round(big_a_s, 2),
            unit="s",
            size=(
                f"approve_many of {len(big_ok):,} clean of {n:,} with packages: {big_a_q} SQL queries "
                f"(1,000 orders: {small_a_q} queries, {small_a_s:.2f} s)"
            ),
            baseline=f"states.approve one by one ({per_q:.1f} queries/order), scaled from {one_n}",
            baseline_value=round(per_s * len(clean), 2),
            notes=notes,
        ),
        Result(
            name="fulfilment_review_auto",
            value=round(auto_s, 2),
            unit="s",
            size=f"auto_review of {n:,}: {done['approved']:,} approved, {auto_q:,} SQL queries",
            baseline=f"reasons alone for all {n:,}",
            baseline_value=round(big_s, 3),
            notes=notes,
        ),
    ]
