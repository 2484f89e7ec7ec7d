"""catalog_import: bulk import of 50,000 SKU rows (5,000 products × 10 SKUs, each product listed in one shop).

Measured in one run, on the same generated rows:
- parsing the XLSX (python-calamine + header mapping + row checks) → rows/s, beside openpyxl's read-only reader
  doing only the cell reading (no checks) — the library most code reaches for;
- the import end to end (`import_file`: read, check, upsert in batches of 500 with bulk_create, timeline events)
  from the XLSX and from a GBK (GB18030) CSV → SKUs/s, beside a naive row-by-row ORM import (get_or_create per
  product, SKU, listing and platform SKU) of the same rows, timed on the first 5,000 rows and extrapolated;
- re-importing the CSV when nothing changed (every row unchanged), printed as a note.
What the benchmark writes (货号 BENCH-…) is deleted afterwards.
"""

import csv
import io
import random
import time
from decimal import Decimal

from django.db import transaction

from zhanggui.catalog import rules_imports as rules
from zhanggui.catalog.models import Listing, ListingSku, Product, Sku
from zhanggui.catalog.services.imports import Importer, import_file, read_rows
from zhanggui.core.models import Event

from . import data, harness
from .registry import Result

PRODUCTS = 5_000
COLOURS = ("白色", "黑色", "藏青", "米杏", "雾霾蓝")
SIZES = ("M", "L")
ROWS = PRODUCTS * len(COLOURS) * len(SIZES)
NAIVE_ROWS = 5_000
PREFIX = "BENCH-"
NAMES = ("纯棉短袖T恤", "高腰阔腿裤", "法式碎花连衣裙", "冰丝防晒衬衫", "针织开衫", "牛仔半身裙", "运动卫衣")
CATEGORIES = ("女装/T恤", "女装/裤子", "女装/连衣裙", "女装/衬衫", "女装/针织衫", "女装/半身裙", "运动/卫衣")


def generate(shops) -> list[list]:
    rnd = random.Random(4)
    rows = [rules.export_headers()]
    barcode = 6_900_000_000_000
    for n in range(PRODUCTS):
        style = f"{PREFIX}{n:05d}"
        kind = rnd.randrange(len(NAMES))
        shop = shops[n % len(shops)].code
        cost = rnd.randrange(1500, 9000)
        price = cost * 3 // 100 * 100 - 1
        title = f"2025夏季新款{NAMES[kind]}女宽松百搭{n:05d}"
        for colour in COLOURS:
            for size in SIZES:
                barcode += 1
                rows.append(
                    [
                        style,
                        NAMES[kind],
                        CATEGORIES[kind],
                        "掌柜",
                        colour,
                        size,
                        f"{style}-{COLOURS.index(colour)}{size}",
                        str(barcode),
                        rnd.randrange(150, 600),
                        f"{cost / 100:.2f}",
                        f"{price / 100:.2f}",
                        "",
                        shop,
                        title,
                        f"{(price - 1000) / 100:.2f}",
                        "已上架",
                        f"6{n:011d}",
                        f"5{len(rows):011d}",
                    ]
                )
    return rows


def write_files(rows) -> tuple:
    from openpyxl import Workbook

    harness.BENCH_VAR_DIR.mkdir(parents=True, exist_ok=True)
    xlsx = harness.BENCH_VAR_DIR / "catalog_import.xlsx"
    book = Workbook(write_only=True)
    sheet = book.create_sheet("商品")
    numeric = {rules.export_headers().index(h) for h in ("重量(g)", "成本价", "吊牌价", "售价")}
    for n, row in enumerate(rows):
        sheet.append([Decimal(v) if n and i in numeric and v != "" else v for i, v in enumerate(row)])
    book.save(xlsx)
    gbk = harness.BENCH_VAR_DIR / "catalog_import_gbk.csv"
    buf = io.StringIO(newline="")
    csv.writer(buf).writerows(rows)
    gbk.write_bytes(buf.getvalue().encode("gb18030"))
    return xlsx, gbk


def parse_seconds(path, user) -> tuple[float, int]:
    """Read + header mapping + every row's checks, no writes (what the import does before its first batch)."""
    start = time.perf_counter()
    importer = Importer(user)
    good = importer.parse(read_rows(path))
    return time.perf_counter() - start, len(good) + importer.result.failed


def openpyxl_seconds(path) -> float:
    from openpyxl import load_workbook

    start = time.perf_counter()
    book = load_workbook(path, read_only=True, data_only=True)
    count = sum(1 for _row in book.active.iter_rows(values_only=True))
    book.close()
    assert count == ROWS + 1
    return time.perf_counter() - start


def naive_import(rows, shops_by_code) -> float:
    """Row by row, the way a first version is written: get_or_create / save per row, one transaction per row."""
    header = rows[0]
    col = {h: i for i, h in enumerate(header)}
    statuses = rules.status_codes()
    start = time.perf_counter()
    for row in rows[1 : NAIVE_ROWS + 1]:
        with transaction.atomic():
            product, _ = Product.objects.get_or_create(
                style_code=row[col["货号"]], defaults={"name": row[col["商品名称"]], "brand": row[col["品牌"]]}
            )
            sku, _ = Sku.objects.update_or_create(
                code=row[col["商家编码"]],
                defaults={
                    "product": product,
                    "colour": row[col["颜色"]],
                    "size": row[col["尺码"]],
                    "barcode": row[col["条码"]],
                    "weight_g": int(row[col["重量(g)"]]),
                    "cost_fen": int(Decimal(row[col["成本价"]]) * 100),
                    "list_price_fen": int(Decimal(row[col["吊牌价"]]) * 100),
                },
            )
            listing, _ = Listing.objects.get_or_create(
                shop=shops_by_code[row[col["店铺代码"]]],
                product=product,
                defaults={
                    "title": row[col["标题"]],
                    "price_fen": int(Decimal(row[col["售价"]]) * 100),
                    "status": statuses[rules.normalize_header(row[col["上架状态"]])],
                    "platform_item_id": row[col["平台商品ID"]],
                },
            )
            ListingSku.objects.get_or_create(
                listing=listing, sku=sku, defaults={"platform_sku_id": row[col["平台SKU ID"]]}
            )
    return time.perf_counter() - start


def cleanup() -> None:
    products = Product.objects.filter(style_code__startswith=PREFIX)
    ids = [str(pk) for pk in products.values_list("pk", flat=True)]
    listing_ids = [
        str(pk) for pk in Listing.objects.filter(product__style_code__startswith=PREFIX).values_list("pk", flat=True)
    ]
    for chunk in range(0, max(len(ids), len(listing_ids)), 5000):
        Event.objects.filter(object_id__in=ids[chunk : chunk + 5000], content_type__model="product").delete()
        Event.objects.filter(object_id__in=listing_ids[chunk : chunk + 5000], content_type__model="listing").delete()
    ListingSku.objects.filter(listing__product__style_code__startswith=PREFIX).delete()
    Listing.objects.filter(product__style_code__startswith=PREFIX).delete()
    Sku.objects.filter(product__style_code__startswith=PREFIX).delete()
    products.delete()


def run() -> list[Result]:
    company = data.company()
    user = company.manager
    shops = company.shops
    cleanup()
    rows = generate(shops)
    t0 = time.perf_counter()
    xlsx, gbk = write_files(rows)
    write_s = time.perf_counter() - t0
    sizes = f"{xlsx.stat().st_size / 1048576:.1f} MB XLSX, {gbk.stat().st_size / 1048576:.1f} MB GBK CSV"

    parse_xlsx, parsed = parse_seconds(xlsx, user)
    assert parsed == ROWS, parsed
    parse_csv, parsed_csv = parse_seconds(gbk, user)
    assert parsed_csv == ROWS, parsed_csv
    base_read = openpyxl_seconds(xlsx)

    result = import_file(user, xlsx)
    assert (result.created, result.failed) == (ROWS, 0), result.summary()
    xlsx_s = result.seconds
    harness.analyze()
    again = import_file(user, gbk)  # same rows: all unchanged
    assert again.unchanged == ROWS, again.summary()
    unchanged_s = again.seconds
    counts = (
        Product.objects.filter(style_code__startswith=PREFIX).count(),
        Sku.objects.filter(code__startswith=PREFIX).count(),
    )
    assert counts == (PRODUCTS, ROWS), counts
    cleanup()
    result = import_file(user, gbk)
    assert (result.created, result.failed) == (ROWS, 0), result.summary()
    gbk_s = result.seconds
    cleanup()

    naive_s = naive_import(rows, {s.code: s for s in shops})
    naive_rate = round(NAIVE_ROWS / naive_s)
    cleanup()

    size = f"{ROWS:,} SKU rows ({PRODUCTS:,} products × {len(COLOURS) * len(SIZES)}, listed), {sizes}"
    naive_label = f"naive get_or_create per row, first {NAIVE_ROWS:,} rows, extrapolated"
    return [
        Result(
            name="catalog_import_parse_xlsx",
            value=round(ROWS / parse_xlsx),
            unit="rows/s",
            size=size,
            baseline="openpyxl read-only, cells only",
            baseline_value=round(ROWS / base_read),
            notes=[
                f"XLSX parse {parse_xlsx:.2f} s (calamine + checks) vs openpyxl read {base_read:.2f} s; "
                f"GBK CSV parse {parse_csv:.2f} s = {ROWS / parse_csv:,.0f} rows/s (detection + checks); "
                f"files written in {write_s:.1f} s"
            ],
        ),
        Result(
            name="catalog_import_xlsx",
            value=round(ROWS / xlsx_s),
            unit="SKUs/s",
            size=size,
            baseline=naive_label,
            baseline_value=naive_rate,
            notes=[
                f"end to end {xlsx_s:.2f} s for {ROWS:,} new SKUs, {PRODUCTS:,} products and listings; "
                f"naive {naive_s:.2f} s for {NAIVE_ROWS:,} rows → ~{ROWS / naive_rate:.0f} s for the file"
            ],
        ),
        Result(
            name="catalog_import_gbk_csv",
            value=round(ROWS / gbk_s),
            unit="SKUs/s",
            size=size,
            baseline=naive_label,
            baseline_value=naive_rate,
            notes=[
                f"end to end {gbk_s:.2f} s; re-import of the same rows (all unchanged) {unchanged_s:.2f} s "
                f"= {ROWS / unchanged_s:,.0f} rows/s"
            ],
        ),
    ]
