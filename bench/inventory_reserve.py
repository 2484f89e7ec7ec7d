"""inventory_reserve: `reserve` under contention (INV-1) — 16 worker threads on 100 hot SKUs, PostgreSQL only.

Each thread (its own connection) places 400 reservations of 1–2 lines × 1–3 units on 100 hot SKUs holding 150
units each, so the last ones run out and are refused: reservations/s (successful and refused calls alike), p50/p99
latency per call, and units oversold (must be 0: the reserved units of every level equal the units the successful
calls asked for, and never exceed on hand). The service path includes what production runs after a commit: when a
level's availability crosses zero (each hot SKU sells out once), the availability read and the catalog's
stock_changed handler (PROD-6); the notes say how often that ran.

Baseline, same run, same threads, same SKUs and plan: the raw conditional UPDATE the service is built on
(`UPDATE … SET reserved = reserved + q WHERE id = … AND on_hand - reserved >= q`, one transaction per
reservation, no reservation rows, no ledger). On SQLite (one writer at a time, no row locks) it is skipped.
Targets (INV-1 reservations under contention): ≥ 1,000 reservations/s, p99 < 50 ms, 0 oversold.
"""

import random
import threading
import time
from collections import Counter

from django.db import connection, transaction

from zhanggui.catalog.models import Product, Sku
from zhanggui.core import domain_events
from zhanggui.core.errors import DomainError
from zhanggui.inventory.models import LedgerEntry, Reservation, StockLevel, Warehouse
from zhanggui.inventory.services import stock as svc

from . import data, harness
from .registry import Result

THREADS = 16
SKUS = 100
PER_THREAD = 400
STOCK = 150
PREFIX = "BENCH-INV"


def plans(skus) -> list[list[tuple[str, list]]]:
    """Per thread: [(reference, [(sku, qty), …])] from a fixed seed; lines in SKU order."""
    out = []
    for n in range(THREADS):
        rng = random.Random(n)
        plan = []
        for i in range(PER_THREAD):
            picked = sorted(rng.sample(skus, 2 if rng.random() < 0.2 else 1), key=lambda s: s.pk)
            plan.append((f"bench:{n}:{i}", [(sku, rng.randint(1, 3)) for sku in picked]))
        out.append(plan)
    return out


def run_threads(worker, plan_per_thread) -> tuple[float, list[float], Counter, int, list[str]]:
    """Start THREADS workers together; (seconds, latencies ms, units granted per SKU id, refused, errors)."""
    barrier = threading.Barrier(THREADS + 1)
    lock = threading.Lock()
    latencies: list[float] = []
    granted: Counter = Counter()
    refused = [0]
    errors: list[str] = []

    def body(plan):
        mine, units, no = [], Counter(), 0
        try:
            barrier.wait()
            clock = time.perf_counter
            for reference, lines in plan:
                start = clock()
                ok = worker(reference, lines)
                mine.append((clock() - start) * 1000)
                if ok:
                    for sku, qty in lines:
                        units[sku.pk] += qty
                else:
                    no += 1
        except Exception as exc:  # reported below
            errors.append(repr(exc))
        finally:
            connection.close()
            with lock:
                latencies.extend(mine)
                granted.update(units)
                refused[0] += no

    threads = [threading.Thread(target=body, args=(plan,)) for plan in plan_per_thread]
    for t in threads:
        t.start()
    barrier.wait()
    started = time.perf_counter()
    for t in threads:
        t.join()
    return time.perf_counter() - started, latencies, granted, refused[0], errors


def oversold(skus, granted: Counter) -> tuple[int, int]:
    """(units oversold, levels whose reserved figure differs from what was granted)."""
    levels = {
        s: (h, r) for s, h, r in StockLevel.objects.filter(sku__in=skus).values_list("sku_id", "on_hand", "reserved")
    }
    over = sum(max(0, granted[s.pk] - levels[s.pk][0]) for s in skus) + sum(max(0, r - h) for h, r in levels.values())
    mismatched = sum(1 for s in skus if levels[s.pk][1] != granted[s.pk])
    return over, mismatched


def reset(skus) -> None:
    Reservation.objects.filter(sku__in=skus).delete()
    LedgerEntry.objects.filter(sku__in=skus).exclude(reason=LedgerEntry.Reason.OPENING).delete()
    StockLevel.objects.filter(sku__in=skus).update(reserved=0)


def run():
    if connection.vendor != "postgresql":
        print(" (skipped: row-lock contention is measured on PostgreSQL only; run with --postgres)", end="")
        return []
    warehouse, _ = Warehouse.objects.get_or_create(code="BENCH", defaults={"name": "压测仓", "is_default": False})
    product = Product.objects.create(style_code=PREFIX, name="压测爆款")
    skus = Sku.objects.bulk_create([Sku(product=product, code=f"{PREFIX}-{n:03d}", size=str(n)) for n in range(SKUS)])
    try:
        for sku in skus:
            svc.receive_stock(None, sku, warehouse, STOCK, "BENCH", reason="opening")
        data.analyze(StockLevel)
        plan = plans(skus)

        with harness.QueryLog() as queries:  # one reservation and what runs after its commit
            svc.reserve("bench:probe", [(skus[0], 1)], warehouse=warehouse)
        svc.release("bench:probe")
        reset(skus)

        def service(reference, lines):
            try:
                svc.reserve(reference, lines, warehouse=warehouse)
                return True
            except DomainError as exc:
                if exc.code != "insufficient_stock":
                    raise
                return False

        level_of = dict(StockLevel.objects.filter(sku__in=skus).values_list("sku_id", "pk"))
        table = connection.ops.quote_name(StockLevel._meta.db_table)
        sql = f"UPDATE {table} SET reserved = reserved + %s WHERE id = %s AND on_hand - reserved >= %s"

        class Refused(Exception):
            pass

        def raw(reference, lines):
            try:
                with transaction.atomic(), connection.cursor() as cursor:
                    for sku, qty in lines:
                        cursor.execute(sql, [qty, level_of[sku.pk], qty])
                        if cursor.rowcount != 1:
                            raise Refused
                return True
            except Refused:
                return False

        announced = []  # stock_changed deliveries in the service run (zero crossings), beside the catalog's handler
        domain_events._SUBSCRIBERS[domain_events.StockChanged].append(lambda e: announced.append(len(e.sku_ids)))
        try:
            seconds, lat, granted, refused, errors = run_threads(service, plan)
        finally:
            domain_events._SUBSCRIBERS[domain_events.StockChanged].pop()
        if errors:
            raise AssertionError(f"reserve failed in threads: {errors[:3]}")
        over, mismatched = oversold(skus, granted)
        from zhanggui.inventory.services.verify import verify_stock

        check = verify_stock()
        reset(skus)
        # The same again without the after-commit subscribers (the catalog's PROD-6 handler): how much is ours.
        subscribers = domain_events._SUBSCRIBERS.pop(domain_events.StockChanged, [])
        try:
            q_seconds, q_lat, q_granted, _q_refused, q_errors = run_threads(service, plan)
        finally:
            domain_events._SUBSCRIBERS[domain_events.StockChanged] = subscribers
        if q_errors:
            raise AssertionError(f"reserve failed in threads: {q_errors[:3]}")
        q_over, q_mismatched = oversold(skus, q_granted)
        q50, q99 = harness.p50_p99(q_lat)
        reset(skus)
        b_seconds, b_lat, b_granted, b_refused, b_errors = run_threads(raw, plan)
        if b_errors:
            raise AssertionError(f"baseline failed in threads: {b_errors[:3]}")
        b_over, _b_mismatched = oversold(skus, b_granted)

        calls = THREADS * PER_THREAD
        p50, p99 = harness.p50_p99(lat)
        b50, b99 = harness.p50_p99(b_lat)
        size = f"{THREADS} threads × {PER_THREAD} reservations (1–2 lines × 1–3 units) on {SKUS} hot SKUs × {STOCK}"
        checks = (
            f"units oversold: {over} (baseline {b_over}); levels whose reserved ≠ units granted: {mismatched}; "
            f"stock-verify: {'consistent' if check.ok else f'{len(check.differences)} differences'}"
        )
        if over or mismatched or not check.ok:
            raise AssertionError(checks)
        return [
            Result(
                name="inventory_reserve",
                value=round(calls / seconds),
                unit="reservations/s",
                size=size,
                baseline="raw conditional UPDATE",
                baseline_value=round(calls / b_seconds),
                notes=[
                    f"{calls - refused} granted, {refused} refused for stock (baseline {b_refused}); {checks}",
                    f"{len(queries)} queries per one-line reservation that leaves stock; stock_changed delivered "
                    f"{len(announced)} times ({sum(announced)} SKUs, zero crossings) with the catalog handler; "
                    "target ≥ 1,000 reservations/s, p99 < 50 ms, 0 oversold",
                    f"without stock_changed subscribers: {calls / q_seconds:,.0f} reservations/s, "
                    f"p50 {q50:.1f} / p99 {q99:.1f} ms, oversold {q_over + q_mismatched}",
                ],
            ),
            Result(
                name="inventory_reserve_latency",
                value=p50,
                unit="ms/reservation (p50)",
                p99=p99,
                size=size,
                baseline="raw conditional UPDATE",
                baseline_value=b50,
                baseline_p99=b99,
            ),
        ]
    finally:
        Reservation.objects.filter(sku__in=skus).delete()
        LedgerEntry.objects.filter(sku__in=skus).delete()
        StockLevel.objects.filter(sku__in=skus).delete()
        Sku.objects.filter(product=product).delete()
        product.delete()
        warehouse.delete()
