"""aftersales_return_scan: the returns-received scan (INV-5) at 50,000 open cases — p50/p95/p99 server ms per scan.

50,000 open after-sales cases (``BENCH_RETURN_CASES=n`` for another size; SQLite defaults to 10,000) over the demo
shops, one order and one line each, in every open state and type; a fifth of the returns and exchanges wait for
their return with a return waybill. Then the scan page itself (GET /aftersales/returns/?code=…) through
django.test.Client as the demo's warehouse keeper (A007, five shops, masked receivers): 300 scans by return
waybill, 100 by order number and 100 by a receiver phone's last 4 digits — each a full round trip (session,
permission, shop scope, the lookup, the lines, masking and the rendered inspection form). Baseline, interleaved: the
plain indexed lookup ``Case.objects.filter(return_tracking_no=…, state="waiting_return").first()``.
Target (issue: return scanning page): p95 ≤ 100 ms. The bench rows are deleted afterwards.
"""

import os
import random

from django.db import connection, transaction
from django.test import Client

from zhanggui.aftersales.models import Case, CaseLine
from zhanggui.catalog.models import Sku
from zhanggui.core import clock
from zhanggui.orders.models import Order, OrderLine

from . import data, harness
from .registry import Result

PREFIX = "BR"  # platform order numbers and case numbers of this bench
BY_WAYBILL, BY_ORDER, BY_PHONE = 300, 100, 100
OPEN = ["new", "waiting_buyer", "waiting_return", "received", "refunding", "resending", "claiming"]
KINDS = ["return_refund", "exchange", "refund_shipped", "resend", "lost_damaged", "consult"]


def size() -> int:
    default = 50_000 if connection.vendor == "postgresql" else 10_000
    return int(os.environ.get("BENCH_RETURN_CASES") or default)


def _state(kind: str, rng) -> str:
    if kind in ("return_refund", "exchange"):
        return "waiting_return" if rng.random() < 0.2 else rng.choice(["new", "waiting_buyer", "received"])
    return rng.choice([s for s in OPEN if s not in ("waiting_return", "received")])


def build(n: int, shop_ids: list[int], skus: list[Sku]) -> list[Case]:
    """n orders with one line and one open case each; the waiting returns (with waybills) are returned."""
    rng = random.Random(11)
    now = clock.now()
    with transaction.atomic():
        orders = Order.objects.bulk_create(
            [
                Order(
                    shop_id=shop_ids[i % len(shop_ids)],
                    platform_order_no=f"{PREFIX}{i:012d}",
                    state="shipped",
                    ordered_at=now,
                    paid_at=now,
                    shipped_at=now,
                    receiver_name="王小明",
                    receiver_phone=f"139{i:08d}",
                    phone_last4=f"{i % 10000:04d}",
                    province="浙江省",
                    city="杭州市",
                    district="西湖区",
                    address_detail="文三路 1 号",
                    paid_fen=9900,
                    goods_fen=9900,
                )
                for i in range(n)
            ],
            batch_size=5000,
        )
        lines = OrderLine.objects.bulk_create(
            [
                OrderLine(order=o, line_no=1, sku=(sku := skus[i % len(skus)]), outer_code=sku.code, title="连衣裙",
                          quantity=2, unit_price_fen=4950, paid_fen=9900, shipped_qty=2)
                for i, o in enumerate(orders)
            ],
            batch_size=5000,
        )  # fmt: skip
        cases = []
        for i, o in enumerate(orders):
            kind = KINDS[i % len(KINDS)]
            state = _state(kind, rng)
            waiting = state == "waiting_return"
            cases.append(
                Case(
                    number=f"{PREFIX}{i:012d}",
                    shop_id=o.shop_id,
                    order=o,
                    kind=kind,
                    state=state,
                    reason_text="尺码不合适",
                    follow_up_at=now,
                    return_tracking_no=f"YT{i:013d}" if waiting else "",
                )
            )
        cases = Case.objects.bulk_create(cases, batch_size=5000)
        CaseLine.objects.bulk_create(
            [CaseLine(case=c, order_line=line, quantity=1) for c, line in zip(cases, lines, strict=True)],
            batch_size=5000,
        )
    harness.analyze()
    return [c for c in cases if c.state == "waiting_return"]


def cleanup() -> None:
    with transaction.atomic():
        cases = Case.objects.filter(number__startswith=PREFIX)
        CaseLine.objects.filter(case__in=cases.values("pk"))._raw_delete(connection.alias)
        cases._raw_delete(connection.alias)
        orders = Order.objects.filter(platform_order_no__startswith=PREFIX)
        OrderLine.objects.filter(order__in=orders.values("pk"))._raw_delete(connection.alias)
        orders._raw_delete(connection.alias)


def run() -> Result:
    company = data.company()
    cleanup()
    n = size()
    skus = list(Sku.objects.filter(is_combo=False).order_by("pk")[:50])
    waiting = build(n, [s.pk for s in company.shops], skus)
    rng = random.Random(5)
    picked = rng.sample(waiting, BY_WAYBILL + BY_ORDER + BY_PHONE)
    scans = (
        [(c.return_tracking_no, c.number) for c in picked[:BY_WAYBILL]]
        + [(c.order.platform_order_no, c.number) for c in picked[BY_WAYBILL : BY_WAYBILL + BY_ORDER]]
        + [(c.order.phone_last4, "") for c in picked[BY_WAYBILL + BY_ORDER :]]
    )
    rng.shuffle(scans)
    waybills = [c.return_tracking_no for c in picked]
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(company.warehouse)
    queue, bare_queue = iter(scans), iter(waybills * 2)
    misses = []

    def scan():
        code, number = next(queue)
        resp = client.get("/aftersales/returns/", {"code": code})
        html = resp.content.decode()
        if resp.status_code != 200 or 'class="receive-form"' not in html or (number and number not in html):
            misses.append((code, resp.status_code))

    def bare():
        Case.objects.filter(return_tracking_no=next(bare_queue), state="waiting_return").first()

    with harness.QueryLog() as queries:
        client.get("/aftersales/returns/", {"code": waybills[0]})
    try:
        samples, baseline = harness.interleaved_ms(scan, bare, len(scans), warmup=0)
        if misses:
            raise AssertionError(f"{len(misses)} scans did not find their case: {misses[:3]}")
    finally:
        cleanup()
    p50, p99 = harness.p50_p99(samples)
    p95 = round(harness.percentile(samples, 95), 3)
    b50, b99 = harness.p50_p99(baseline)
    b95 = round(harness.percentile(baseline, 95), 3)
    return Result(
        name="aftersales_return_scan",
        value=p50,
        unit="ms/scan (p50)",
        p99=p99,
        size=f"{n} open cases ({len(waiting)} waiting for a return), {len(samples)} scans "
        f"({BY_WAYBILL} waybills, {BY_ORDER} order numbers, {BY_PHONE} phone last 4)",
        baseline='Case.objects.filter(return_tracking_no=…, state="waiting_return").first()',
        baseline_value=b50,
        baseline_p99=b99,
        notes=[
            f"p50 {p50} ms, p95 {p95} ms, p99 {p99} ms (target p95 ≤ 100 ms); baseline p50 {b50} ms, p95 {b95} ms",
            f"{len(queries)} queries for one scan by waybill (page render included)",
        ],
    )
