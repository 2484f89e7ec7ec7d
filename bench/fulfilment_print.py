"""fulfilment_print: one print batch of 1,000 packages (SHIP-1) on PostgreSQL — waybill numbers from the pool in one
SELECT … FOR UPDATE SKIP LOCKED and one UPDATE, packages updated in bulk, timeline entries in one INSERT.

1,000 待打单 packages (``BENCH_PRINT_PACKAGES=n``) of one demo shop, each with its own 已审核 order, and the shop's
申通 pool topped up to what the run takes (data.waybill_pool).
Measured: `printing.print_batch` over all of them — seconds and SQL queries; the package side is a fixed number of
queries, the orders' own moves 已审核 → 待发货 go through the order state machine (one call per order, as it
requires). Baseline, same run: the naive per-package loop (lock, take one number, move_locked, print record) on a
sample of 200, scaled. Everything runs in one transaction that is rolled back.
"""

import os

from django.db import transaction

from zhanggui.core import clock
from zhanggui.fulfilment.models import Carrier, Package, WaybillPrint
from zhanggui.fulfilment.services import packages as package_states
from zhanggui.fulfilment.services import printing, waybills
from zhanggui.fulfilment.services.carriers import load_carriers
from zhanggui.inventory.services import stock
from zhanggui.orders.models import Order

from . import data
from .harness import timed_queries as measure
from .registry import Result

SAMPLE = 200


def size() -> int:
    return int(os.environ.get("BENCH_PRINT_PACKAGES") or 1_000)


def make_packages(shop, carrier, n: int, tag: str) -> list[int]:
    now = clock.now()
    orders = Order.objects.bulk_create(
        [
            Order(
                shop=shop, platform_order_no=f"BPR{tag}{i:08d}", state=Order.State.APPROVED, ordered_at=now, paid_at=now
            )
            for i in range(n)
        ],
        batch_size=2000,
    )
    warehouse = stock.default_warehouse()
    made = Package.objects.bulk_create(
        [
            Package(
                package_no=f"PB{tag}{i:08d}", shop=shop, warehouse=warehouse, order=o, carrier=carrier, ordered_at=now
            )
            for i, o in enumerate(orders)
        ],
        batch_size=2000,
    )
    from zhanggui.fulfilment.models import PackageOrder

    PackageOrder.objects.bulk_create([PackageOrder(package=p, order=p.order) for p in made], batch_size=2000)
    return [p.pk for p in made]


def run() -> list[Result]:
    load_carriers()
    company = data.company()
    shop = company.shops[0]
    actor = company.manager
    n = size()
    notes = []
    with transaction.atomic():
        carrier = Carrier.objects.get(code="STO")
        account = data.waybill_pool(carrier, shop, n + SAMPLE)  # the account print_batch uses, topped up
        ids = make_packages(shop, carrier, n, "L")
        result, batch_s, batch_q = measure(lambda: printing.print_batch(actor, ids, "76x130"))
        assert len(result.printed) == n, result.refusals[:3]
        notes.append(f"print_batch of {n:,}: {batch_q:,} queries ({batch_q / n:.1f} per package incl. the order move)")

        sample = make_packages(shop, carrier, SAMPLE, "S")

        def naive():
            for pk in sample:
                with transaction.atomic():
                    p = package_states.lock(pk)
                    number = waybills.take_numbers(account, [p])[0]
                    p.waybill_no, p.printed_at, p.print_count = number, clock.now(), 1
                    package_states.move_locked(
                        p, Package.State.PRINTED, actor, fields=["waybill_no", "printed_at", "print_count"]
                    )
                    WaybillPrint.objects.create(package=p, printed_by=actor)
                    from zhanggui.orders.services import states as order_states

                    order_states.send_to_ship(actor, p.order)

        _x, naive_s, naive_q = measure(naive)
        naive_full = naive_s * n / SAMPLE
        notes.append(f"naive per-package loop: {naive_q:,} queries for {SAMPLE} → ~{naive_q * n // SAMPLE:,} for {n:,}")
        transaction.set_rollback(True)
    return [
        Result(
            name="fulfilment_print_batch",
            value=round(batch_s, 3),
            unit="s",
            size=f"{n:,} packages, one batch",
            baseline="naive per-package loop (scaled from 200)",
            baseline_value=round(naive_full, 3),
            notes=notes,
        )
    ]
