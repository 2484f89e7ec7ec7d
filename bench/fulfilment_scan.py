"""fulfilment_scan: the scan-verify round trip (SHIP-1) at 50,000 packages — p50/p95/p99 server ms.

50,000 packages (``BENCH_SCAN_PACKAGES=n`` for another size; SQLite defaults to 10,000) of the demo shops, each
with its order and one line, most of them shipped or signed, the rest in every other state, all with waybill
numbers; 250 of them printed and waiting to be verified, 2 units each. Then the scan page's own endpoint
(POST /shipping/scan/code/) through django.test.Client as the warehouse keeper of the demo: for each of the 250
packages the waybill scan and one item scan — 500 scans, each a full round trip (session, permission, shop scope,
the conditional UPDATE, the JSON answer). Baseline: a bare ``Package.objects.get(waybill_no=…)``, interleaved.
Target (SHIP-1 scan page): p95 ≤ 100 ms. The bench rows are deleted afterwards.
"""

import os
import random

from django.db import connection, transaction
from django.test import Client

from zhanggui.catalog.models import Sku
from zhanggui.core import clock
from zhanggui.fulfilment.models import Carrier, Package, PackageLine
from zhanggui.fulfilment.services.carriers import load_carriers
from zhanggui.inventory.services.stock import default_warehouse
from zhanggui.orders.models import Order, OrderLine

from . import data, harness
from .registry import Result

PREFIX = "BS"  # platform order numbers and package numbers of this bench
SCANNED = 250  # printed packages scanned: waybill + one item each = 500 scans
STATES = ["shipped"] * 12 + ["signed"] * 6 + ["packed", "to_print", "cancelled", "printed"]


def size() -> int:
    default = 50_000 if connection.vendor == "postgresql" else 10_000
    return int(os.environ.get("BENCH_SCAN_PACKAGES") or default)


def build(n: int, shop_ids: list[int], skus: list[Sku]) -> list[Package]:
    """n orders, lines, packages and package lines; the SCANNED printed packages to verify are returned."""
    rng = random.Random(7)
    now = clock.now()
    carriers = list(Carrier.objects.filter(code__in=["STO", "YTO", "ZTO", "EMS", "SF"]))
    warehouse = default_warehouse()
    with transaction.atomic():
        orders = Order.objects.bulk_create(
            [
                Order(
                    shop_id=shop_ids[i % len(shop_ids)],
                    platform_order_no=f"{PREFIX}{i:012d}",
                    state="to_ship",
                    ordered_at=now,
                    paid_at=now,
                    receiver_name="王小明",
                    province="浙江省",
                )
                for i in range(n)
            ],
            batch_size=5000,
        )
        lines = OrderLine.objects.bulk_create(
            [
                OrderLine(order=o, line_no=1, sku=(sku := skus[i % len(skus)]), outer_code=sku.code, quantity=2)
                for i, o in enumerate(orders)
            ],
            batch_size=5000,
        )
        scan_at = set(rng.sample(range(n), SCANNED))
        packages = Package.objects.bulk_create(
            [
                Package(
                    package_no=f"{PREFIX}{i:012d}",
                    shop_id=o.shop_id,
                    warehouse=warehouse,
                    order=o,
                    state="printed" if i in scan_at else rng.choice(STATES),
                    carrier=carriers[i % len(carriers)],
                    waybill_no=f"77{i:011d}",
                    ordered_at=now,
                    expected_weight_g=500,
                )
                for i, o in enumerate(orders)
            ],
            batch_size=5000,
        )
        PackageLine.objects.bulk_create(
            [
                PackageLine(package=p, order_line=line, sku_id=line.sku_id, quantity=2)
                for p, line in zip(packages, lines, strict=True)
            ],
            batch_size=5000,
        )
    harness.analyze()
    return [p for i, p in enumerate(packages) if i in scan_at]


def cleanup() -> None:
    with transaction.atomic():
        bench = Package.objects.filter(package_no__startswith=PREFIX)
        PackageLine.objects.filter(package__in=bench.values("pk"))._raw_delete(connection.alias)
        bench._raw_delete(connection.alias)
        orders = Order.objects.filter(platform_order_no__startswith=PREFIX)
        OrderLine.objects.filter(order__in=orders.values("pk"))._raw_delete(connection.alias)
        orders._raw_delete(connection.alias)


def run() -> Result:
    company = data.company()
    load_carriers()
    cleanup()
    n = size()
    skus = list(Sku.objects.filter(is_combo=False).order_by("pk")[:50])
    targets = build(n, [s.pk for s in company.shops], skus)
    codes = dict(Sku.objects.filter(pk__in={s.pk for s in skus}).values_list("pk", "code"))
    lines = dict(PackageLine.objects.filter(package__in=targets).values_list("package_id", "sku_id"))
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(company.warehouse)

    calls = []
    for p in targets:
        calls.append({"code": p.waybill_no, "step": "waybill"})
        calls.append({"code": codes[lines[p.pk]], "package": str(p.pk)})
    queue, waybills = iter(calls), iter(p.waybill_no for p in targets for _ in range(2))
    answers = []

    def scan():
        resp = client.post("/shipping/scan/code/", next(queue))
        answers.append(resp)

    def bare():
        Package.objects.get(waybill_no=next(waybills))

    # warm up on the first package (its scans are not measured), then 500 scans
    with harness.QueryLog() as queries:
        client.post("/shipping/scan/code/", {"code": "NOPE", "step": "waybill"})
    samples, baseline = harness.interleaved_ms(scan, bare, len(calls), warmup=0)
    bad = [r for r in answers if r.status_code != 200 or r.json().get("alarm")]
    counted = sum(1 for r in answers if r.json().get("counted"))
    try:
        if bad or counted != SCANNED:
            raise AssertionError(f"unexpected scans: {len(bad)} bad, {counted} counted: {bad[:1] and bad[0].content!r}")
    finally:
        cleanup()
    p50, p99 = harness.p50_p99(samples)
    p95 = round(harness.percentile(samples, 95), 3)
    b50, b99 = harness.p50_p99(baseline)
    return Result(
        name="fulfilment_scan",
        value=p50,
        unit="ms/scan (p50)",
        p99=p99,
        size=f"{n} packages, {len(samples)} scans ({SCANNED} waybills + {SCANNED} items)",
        baseline="bare Package.objects.get(waybill_no=…)",
        baseline_value=b50,
        baseline_p99=b99,
        notes=[
            f"p50 {p50} ms, p95 {p95} ms, p99 {p99} ms (target p95 ≤ 100 ms); baseline p50 {b50} ms",
            f"{len(queries)} queries for a refused waybill scan",
        ],
    )
