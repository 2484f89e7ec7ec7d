"""fulfilment_labels: 1,000 waybill labels (76 × 130 mm, SHIP-1) into one PDF — pages/s.

Three figures from the same run:
- the renderer alone (services/label_layout.render_labels) on 1,000 prebuilt LabelData with varied receivers,
  addresses, items and 15-digit waybill numbers (best of 3);
- the baseline: a bare reportlab canvas loop drawing 1,000 pages of the same size with one CJK string and one
  Code128 each (best of 3) — the floor of what reportlab can do;
- end to end (documents.labels_pdf) on 1,000 packages written to the database (orders, lines, packages, package
  lines with bulk_create), builder queries included; printed as a note with the query count. The bench rows are
  deleted afterwards.
Target (SHIP-1 batch printing): ≥ 500 pages/s.
"""

import io
import random
import time

from django.db import connection
from django.test.utils import CaptureQueriesContext
from reportlab.graphics.barcode import code128
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas as rl_canvas

from zhanggui.catalog.models import Sku
from zhanggui.core import clock
from zhanggui.core.pdf import register_font
from zhanggui.fulfilment.models import Carrier, Package, PackageLine
from zhanggui.fulfilment.services import documents
from zhanggui.fulfilment.services.label_layout import LabelData, render_labels
from zhanggui.inventory.services import stock
from zhanggui.orders.models import Order, OrderLine
from zhanggui.workbench.demo import ADDRESSES, FAMILY, GIVEN

from . import data
from .registry import Result

LABELS = 1000
ROUNDS = 3
PREFIX = "BL"  # bench platform order numbers and package numbers


def labels(rng: random.Random) -> list[LabelData]:
    out = []
    for n in range(LABELS):
        province, city, district, detail = ADDRESSES[n % len(ADDRESSES)]
        name = rng.choice(FAMILY) + rng.choice(GIVEN)
        out.append(
            LabelData(
                waybill_no=f"7730{n:011d}",
                carrier_name="申通快递",
                product_title="标准快递",
                routing=f"{city} {district}",
                receiver_name=name[0] + "*",
                receiver_phone=f"1{rng.randint(30, 99)}****{rng.randint(0, 9999):04d}",
                receiver_address=f"{province}{city}{district} {detail}",
                sender_name="青禾女装旗舰店",
                sender_phone="0571-88886666",
                sender_address="浙江省杭州市余杭区仓前街道良睦路 1399 号",
                items=[(f"QH-{rng.randint(100, 999)}-{c}", rng.randint(1, 3)) for c in "ABC"[: rng.randint(1, 3)]],
                order_nos=[f"{rng.randint(10**17, 10**18 - 1)}"],
                package_no=f"P261203{n:06d}",
                printed_at="2026-12-03 15:00",
            )
        )
    return out


def bare_loop(numbers: list[str]) -> bytes:
    font = register_font()
    buffer = io.BytesIO()
    c = rl_canvas.Canvas(buffer, pagesize=(76 * mm, 130 * mm), pageCompression=1)
    for number in numbers:
        c.setFont(font, 12)
        c.drawString(5 * mm, 120 * mm, "申通快递 杭州市 西湖区")
        code128.Code128(number, barWidth=0.375 * mm, barHeight=15 * mm, quiet=0).drawOn(c, 5 * mm, 90 * mm)
        c.showPage()
    c.save()
    return buffer.getvalue()


def best_of(call) -> tuple[float, float]:
    """Best wall-clock and best CPU seconds of ROUNDS runs (CPU time shows the cost on a busy machine)."""
    wall = cpu = float("inf")
    for _ in range(ROUNDS):
        start, start_cpu = time.perf_counter(), time.process_time()
        call()
        wall = min(wall, time.perf_counter() - start)
        cpu = min(cpu, time.process_time() - start_cpu)
    return wall, cpu


def make_packages(company, rng: random.Random) -> list[Package]:
    shop = company.shops[0]
    skus = list(Sku.objects.select_related("product").order_by("pk")[:50])
    warehouse = stock.default_warehouse()
    carrier = Carrier.objects.get(code="STO")
    now = clock.now()
    orders = Order.objects.bulk_create(
        [
            Order(
                shop=shop,
                platform_order_no=f"{PREFIX}{n:016d}",
                state=Order.State.APPROVED,
                receiver_name=rng.choice(FAMILY) + rng.choice(GIVEN),
                receiver_phone=data.phone(rng),
                province=ADDRESSES[n % len(ADDRESSES)][0],
                city=ADDRESSES[n % len(ADDRESSES)][1],
                district=ADDRESSES[n % len(ADDRESSES)][2],
                address_detail=ADDRESSES[n % len(ADDRESSES)][3],
                ordered_at=now,
                paid_at=now,
            )
            for n in range(LABELS)
        ]
    )
    lines = OrderLine.objects.bulk_create(
        [
            OrderLine(order=o, line_no=k + 1, sku=sku, outer_code=sku.code, title=sku.product.name, quantity=1)
            for o in orders
            for k, sku in enumerate(rng.sample(skus, rng.randint(1, 3)))
        ]
    )
    packages = Package.objects.bulk_create(
        [
            Package(
                package_no=f"{PREFIX}{n:08d}",
                shop=shop,
                warehouse=warehouse,
                order=o,
                carrier=carrier,
                waybill_no=f"7731{n:011d}",
                ordered_at=now,
                paid_at=now,
            )
            for n, o in enumerate(orders)
        ]
    )
    by_order = {p.order_id: p for p in packages}
    PackageLine.objects.bulk_create(
        [PackageLine(package=by_order[line.order_id], order_line=line, sku=line.sku, quantity=1) for line in lines]
    )
    return list(Package.objects.filter(package_no__startswith=PREFIX).order_by("ordered_at", "id"))


def cleanup() -> None:
    PackageLine.objects.filter(package__package_no__startswith=PREFIX).delete()
    Package.objects.filter(package_no__startswith=PREFIX).delete()
    Order.objects.filter(platform_order_no__startswith=PREFIX).delete()


def run() -> Result:
    company = data.company()
    rng = random.Random(1000)
    prebuilt = labels(rng)
    numbers = [d.waybill_no for d in prebuilt]
    render_labels(prebuilt[:10])  # font registration and glyph widths: once per process, not per batch
    bare_loop(numbers[:10])
    seconds, cpu = best_of(lambda: render_labels(prebuilt))
    baseline, baseline_cpu = best_of(lambda: bare_loop(numbers))
    notes = [
        f"PDF size {len(render_labels(prebuilt)) / 1024:.0f} KB for {LABELS} labels",
        f"CPU time: renderer {LABELS / cpu:.0f} pages/s, bare loop {LABELS / baseline_cpu:.0f} pages/s "
        f"(wall clock is what the table shows; they differ when the machine is busy)",
    ]
    cleanup()
    try:
        packages = make_packages(company, rng)
        start, start_cpu = time.perf_counter(), time.process_time()
        with CaptureQueriesContext(connection) as queries:
            pdf = documents.labels_pdf(packages, "76x130", company.warehouse)
        e2e, e2e_cpu = time.perf_counter() - start, time.process_time() - start_cpu
        notes.append(
            f"end to end labels_pdf (builder + renderer) on {len(packages)} packages: "
            f"{len(packages) / e2e:.0f} pages/s wall, {len(packages) / e2e_cpu:.0f} pages/s CPU (client side), "
            f"{len(queries)} queries, {len(pdf) / 1024:.0f} KB"
        )
    finally:
        cleanup()
    return Result(
        name="fulfilment_labels",
        value=LABELS / seconds,
        unit="pages/s",
        size=f"{LABELS} labels 76×130 mm in one PDF (renderer, prebuilt LabelData, best of {ROUNDS})",
        baseline="bare reportlab loop: 1 CJK string + 1 Code128 per page",
        baseline_value=LABELS / baseline,
        notes=notes,
    )
