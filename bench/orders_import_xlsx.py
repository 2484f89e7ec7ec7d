"""orders_import_xlsx: a PDD order export of 50,000 orders as XLSX (拼多多 2020 columns, one row per order, the
sheet as the seller centre's "导出 Excel" writes it), imported end to end on the bench database → rows/s.

Beside it, in the same run: python-calamine reading the same file's rows and nothing else (the XLSX ceiling: the
import reads through the same library, core.sheets.iter_rows). Target (ORD-1 bulk import): ≥ 20,000 rows/s. The states
are history (shipped, signed, closed): no order is newly paid, so no stock is reserved. BENCH_XLSX_ORDERS=<n> for
a smaller run. Everything the benchmark writes is deleted.
"""

import io
import os
import random
import time

from django.db import connection

from zhanggui.catalog.models import Sku
from zhanggui.channels import samples
from zhanggui.channels.formats import read_files
from zhanggui.orders.models import ImportRun, Order, OrderLine
from zhanggui.orders.services import imports

from . import data, harness
from .orders_import import floor_result, floor_seconds
from .registry import Result

ORDERS = int(os.environ.get("BENCH_XLSX_ORDERS", "50000"))
PREFIX = "260101-9"  # PDD order numbers 260101-9…: never a demo number
STATUSES = (("已发货，待签收", 30), ("已签收", 62), ("已发货，退款成功", 8))
PLACES = (
    ("浙江省", "杭州市", "西湖区", "文三路 478 号华星时代广场 A 座 1203"),
    ("广东省", "深圳市", "南山区", "科技园南区高新南七道 9 号"),
    ("北京市", "北京市", "朝阳区", "望京街道阜通东大街 6 号院 3 号楼"),
    ("四川省", "成都市", "武侯区", "天府大道北段 1700 号环球中心"),
)


def generate(codes: list[str]) -> bytes:
    rnd = random.Random(7)
    statuses, weights = zip(*STATUSES, strict=True)
    orders = []
    for n in range(ORDERS):
        code = rnd.choice(codes)
        price = rnd.randrange(1900, 19900)
        qty = rnd.choice((1, 1, 1, 2))
        province, city, district, street = rnd.choice(PLACES)
        day = 1 + n % 28
        orders.append(
            {
                "no": f"{PREFIX}{n:014d}",
                "pdd_status": rnd.choices(statuses, weights)[0],
                "goods": f"{price * qty / 100:.2f}",
                "paid": f"{price * qty / 100:.2f}",
                "postage": "0",
                "name": "薛小姐",
                "phone": f"139{rnd.randrange(10**8):08d}",
                "province": province,
                "city": city,
                "district": district,
                "street": street,
                "paid_at": f"2026-01-{day:02d} 10:{n % 60:02d}:00",
                "shipped_at": f"2026-01-{day:02d} 18:00:00",
                "tracking": f"YT{n:013d}",
                "carrier": "圆通快递",
                "message": "不要放驿站" if n % 9 == 0 else "",
                "remark": "A002 老客" if n % 13 == 0 else "",
                "lines": [{"code": code, "title": f"青禾 {code}", "price": f"{price / 100:.2f}", "qty": str(qty),
                           "props": "颜色分类：黑色;尺码：M"}],
            }
        )  # fmt: skip
    return samples.pdd_csv(orders, version="2020", as_xlsx=True)


def cleanup(shop_id) -> None:
    from zhanggui.core.models import Event

    orders = Order.objects.filter(shop_id=shop_id, platform_order_no__startswith=PREFIX)
    ids = [str(pk) for pk in orders.values_list("pk", flat=True)]
    for start in range(0, len(ids), 10_000):
        Event.objects.filter(object_id__in=ids[start : start + 10_000], content_type__model="order").delete()
    OrderLine.objects.filter(order__in=orders).delete()
    orders.delete()
    ImportRun.objects.filter(shop_id=shop_id, files="pdd-orders.xlsx").delete()


def calamine_seconds(raw: bytes) -> float:
    from python_calamine import CalamineWorkbook

    start = time.perf_counter()
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(raw)).get_sheet_by_index(0)
    rows = sum(1 for _row in sheet.iter_rows())
    assert rows == ORDERS + 1, rows
    return time.perf_counter() - start


def run() -> list[Result]:
    company = data.company()
    shop = next(s for s in company.shops if s.platform_id == "pdd")
    cleanup(shop.pk)
    codes = list(Sku.objects.filter(is_combo=False).order_by("code").values_list("code", flat=True)[:400])
    t0 = time.perf_counter()
    raw = generate(codes)
    gen_s = time.perf_counter() - t0
    calamine_s = calamine_seconds(raw)
    with harness.QueryLog() as log:
        start = time.perf_counter()
        run_ = imports.import_files(company.manager, shop, [("pdd-orders.xlsx", raw)])
        import_s = time.perf_counter() - start
    assert (run_.created, run_.failed) == (ORDERS, 0), (run_.created, run_.updated, run_.failed)
    cleanup(shop.pk)
    size = f"{ORDERS:,} orders, PDD 2020 XLSX (one row per order), {len(raw) / 1048576:.1f} MB"
    results = [floor(raw, shop, import_s, calamine_s, size)] if connection.vendor == "postgresql" else []
    return [
        Result(
            name="orders_import_xlsx",
            value=round(ORDERS / import_s),
            unit="rows/s",
            size=size,
            baseline="python-calamine reading the same rows only",
            baseline_value=round(ORDERS / calamine_s),
            notes=[
                f"import_files {import_s:.1f} s (target ≥ 20,000 rows/s), calamine alone {calamine_s:.1f} s; "
                f"{len(log):,} statements; file generated in {gen_s:.1f} s"
            ],
        ),
        *results,
    ]


def floor(raw: bytes, shop, import_s: float, calamine_s: float, size: str) -> Result:
    """The import beside the write floor of the schema for the same orders (orders_import.floor_seconds)."""
    result = read_files("pdd", [("pdd-orders.xlsx", raw)])
    floor_s, floor_cpu = floor_seconds(result, shop.pk)
    cleanup(shop.pk)
    reading = ("calamine alone", calamine_s)
    out = floor_result("orders_import_xlsx_floor", ORDERS, import_s, (floor_s, floor_cpu), reading, size, "rows/s")
    out.notes.append(f"target 20,000 rows/s: the floor alone reaches {ORDERS / floor_s / 20_000:.0%} of it")
    return out
