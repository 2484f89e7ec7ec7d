"""inventory_stock_verify: `verify_stock()` (zhanggui stock-verify, INV-2) over 1,000,000 ledger entries → seconds.

10,000 SKUs × 2 warehouses (20,000 stock levels) with 50 ledger entries each — opening balance, receipts,
reservations, releases and shipments with their after-figures — written with COPY on PostgreSQL (executemany in
batches on SQLite); the stock levels hold what the ledger adds up to, except one planted difference, which the
check must find (and only it). Baseline: the bare GROUP BY query it is built on, all rows fetched, no comparison.
"""

import datetime as dt
import random
import time

from django.db import connection, transaction

from zhanggui.catalog.models import Product, Sku
from zhanggui.inventory.models import LedgerEntry, StockLevel, Warehouse
from zhanggui.inventory.services.verify import verify_stock

from . import data
from .registry import Result

SKUS = 10_000
PER_PRODUCT = 10
PER_LEVEL = 50
PREFIX = "BENCH-LV"
COLUMNS = (
    "at",
    "sku_id",
    "warehouse_id",
    "reason",
    "document",
    "on_hand_change",
    "reserved_change",
    "on_hand_after",
    "reserved_after",
    "actor_number",
    "note",
)


def ledger_rows(levels, rng: random.Random, at):
    """Yield ledger rows level by level; returns nothing — the final figures go into `levels` ({key: [h, r]})."""
    for key in levels:
        sku_id, warehouse_id = key
        on_hand = rng.randint(20, 200)
        reserved = 0
        yield (at, sku_id, warehouse_id, "opening", "QC-1", on_hand, 0, on_hand, 0, "A007", "")
        for n in range(PER_LEVEL - 1):
            roll = rng.random()
            if roll < 0.15:
                change, rchange, reason = rng.randint(1, 30), 0, "receipt"
            elif roll < 0.6 and on_hand - reserved > 0:
                rchange = min(on_hand - reserved, rng.randint(1, 3))
                change, reason = 0, "reserve"
            elif roll < 0.7 and reserved > 0:
                change, rchange, reason = 0, -1, "release"
            elif reserved > 0:
                q = rng.randint(1, reserved)
                change, rchange, reason = -q, -q, "ship"
            else:
                change, rchange, reason = rng.randint(1, 30), 0, "receipt"
            on_hand += change
            reserved += rchange
            yield (at, sku_id, warehouse_id, reason, f"D{n}", change, rchange, on_hand, reserved, "A007", "")
        levels[key] = [on_hand, reserved]


def write_ledger(rows) -> int:
    table = connection.ops.quote_name(LedgerEntry._meta.db_table)
    cols = ", ".join(COLUMNS)
    count = 0
    if connection.vendor == "postgresql":
        connection.ensure_connection()
        with (
            transaction.atomic(),
            connection.connection.cursor() as cursor,
            cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
                count += 1
        return count
    marks = ", ".join(["%s"] * len(COLUMNS))
    batch = []
    with transaction.atomic(), connection.cursor() as cursor:
        for row in rows:
            batch.append((connection.ops.adapt_datetimefield_value(row[0]), *row[1:]))
            if len(batch) == 20_000:
                cursor.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", batch)
                count += len(batch)
                batch = []
        if batch:
            cursor.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", batch)
            count += len(batch)
    return count


def run() -> Result:
    empty_before = not LedgerEntry.objects.exists()
    warehouses = [Warehouse.objects.create(code=f"{PREFIX}-{n}", name=f"核对仓{n}", is_default=False) for n in range(2)]
    products = Product.objects.bulk_create(
        [Product(style_code=f"{PREFIX}{n:05d}", name=f"核对款{n}") for n in range(SKUS // PER_PRODUCT)]
    )
    skus = Sku.objects.bulk_create(
        [Sku(product=p, code=f"{p.style_code}-{i}", size=str(i)) for p in products for i in range(PER_PRODUCT)],
        batch_size=2000,
    )
    try:
        levels = {(s.pk, w.pk): None for s in skus for w in warehouses}
        started = time.perf_counter()
        written = write_ledger(ledger_rows(levels, random.Random(1), dt.datetime(2026, 1, 1, tzinfo=dt.UTC)))
        load_seconds = time.perf_counter() - started
        planted = next(iter(levels))
        levels[planted][0] += 1  # one level that does not match its ledger
        StockLevel.objects.bulk_create(
            [StockLevel(sku_id=s, warehouse_id=w, on_hand=h, reserved=r) for (s, w), (h, r) in levels.items()],
            batch_size=5000,
        )
        data.analyze(LedgerEntry)
        data.analyze(StockLevel)

        started = time.perf_counter()
        check = verify_stock()
        seconds = time.perf_counter() - started
        found = [(d.sku_id, d.warehouse_id) for d in check.differences]
        if found != [planted] or check.levels < len(levels):
            raise AssertionError(f"verify_stock found {found[:5]}, expected only {planted}")

        table = connection.ops.quote_name(LedgerEntry._meta.db_table)
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT sku_id, warehouse_id, SUM(on_hand_change), SUM(reserved_change) FROM {table} "
                "GROUP BY sku_id, warehouse_id ORDER BY sku_id, warehouse_id"
            )
            rows = len(cursor.fetchall())
        baseline = time.perf_counter() - started
        return Result(
            name="inventory_stock_verify",
            value=round(seconds, 2),
            unit="s",
            size=f"{written:,} ledger entries, {len(levels):,} stock levels ({SKUS:,} SKUs × 2 warehouses)",
            baseline="bare GROUP BY, rows fetched",
            baseline_value=round(baseline, 2),
            notes=[
                f"verify_stock {seconds:.2f} s ({written / seconds:,.0f} ledger rows/s); the GROUP BY alone "
                f"{baseline:.2f} s for {rows:,} groups; found exactly the 1 planted difference",
                f"ledger written in {load_seconds:.1f} s ({written / load_seconds:,.0f} rows/s, "
                f"{'COPY' if connection.vendor == 'postgresql' else 'executemany'})",
            ],
        )
    finally:
        if empty_before and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"TRUNCATE {connection.ops.quote_name(LedgerEntry._meta.db_table)}")
        else:
            LedgerEntry.objects.filter(warehouse__in=warehouses).delete()
        StockLevel.objects.filter(warehouse__in=warehouses).delete()
        Sku.objects.filter(product__in=products).delete()
        Product.objects.filter(pk__in=[p.pk for p in products]).delete()
        Warehouse.objects.filter(pk__in=[w.pk for w in warehouses]).delete()
