"""aftersales_case_queue: GET /aftersales/ (售后队列, AS-2, AS-6) at 200,000 cases over 5 shops — p50/p95/p99 ms.

200,000 cases (``BENCH_AS_CASES=n`` for another size; SQLite defaults to 50,000) over the five demo shops, one per
order (the orders and their lines generated as orders_list does, written with COPY on PostgreSQL), a year of
history: about a fifth open (new, waiting for the buyer, waiting for the return, refund agreed …), a few overdue
and escalated, the rest closed; every type; owners among the company's staff; one case line each. Then the queue
page through django.test.Client, cycling over its seven tabs and its filters (type, state, owner "me", age, search
by case number and by order number, a deep page) as the manager (all shops) and an agent scoped to two shops. Each
request also computes the seven tab counts. Baseline: the plain first page of 50 cases (one ORM query). Target:
p95 ≤ 200 ms. The bench cases and orders are deleted afterwards.
"""

import datetime as dt
import os
import random
import statistics
import time

from django.db import connection, transaction
from django.test import Client

from zhanggui.aftersales.models import Case, CaseLine
from zhanggui.catalog.models import Sku
from zhanggui.core import clock
from zhanggui.orders.models import Order, OrderLine
from zhanggui.team.models import Staff
from zhanggui.team.services import create_staff

from . import data, harness, orders_list
from .registry import Result

PREFIX = "C"  # platform order numbers of this bench (orders_list uses "B")
NUMBER = "SB"  # case numbers of this bench
REQUESTS_PER_VIEW = 8
CS_NUMBER = "BNAS1"
KINDS = ["return_refund"] * 5 + ["refund_shipped"] * 3 + ["refund_unshipped"] * 2 + ["exchange"] * 2 + [
    "resend", "lost_damaged", "consult"]  # fmt: skip
OPEN = {
    "return_refund": ["new", "waiting_buyer", "waiting_return", "waiting_return", "received", "refunding"],
    "refund_shipped": ["new", "waiting_buyer", "refunding"],
    "refund_unshipped": ["new", "refunding"],
    "exchange": ["new", "waiting_return", "received", "resending"],
    "resend": ["new", "resending"],
    "lost_damaged": ["new", "claiming", "waiting_buyer"],
    "consult": ["new", "waiting_buyer"],
}


def size() -> int:
    default = 200_000 if connection.vendor == "postgresql" else 50_000
    return int(os.environ.get("BENCH_AS_CASES") or default)


def _orders(n: int, shop_ids, skus):
    first_id = (Order.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    orders, lines = orders_list.generate(n, shop_ids, skus, first_id)
    for row in orders:
        row["platform_order_no"] = PREFIX + row["platform_order_no"][1:]
    orders_list.write(orders, lines)
    return [(row["id"], row["shop_id"], row["paid_fen"]) for row in orders]


def _cases(orders, staff_ids: list[int]) -> list[dict]:
    rng = random.Random(200_000)
    now = clock.now()
    defaults = {f.column: f.get_default() for f in Case._meta.concrete_fields if f.column != "id"}
    rows = []
    total = len(orders)
    for n, (order_id, shop_id, paid) in enumerate(orders):
        age = (total - n) / total * 365
        created = now - dt.timedelta(days=age, seconds=rng.randint(0, 3600))
        kind = rng.choice(KINDS)
        is_open = (age < 20 and rng.random() < 0.8) or rng.random() < 0.03
        state = rng.choice(OPEN[kind]) if is_open else rng.choice(["done"] * 8 + ["refused", "cancelled"])
        follow = created + dt.timedelta(hours=rng.randint(12, 72)) if is_open else None
        if is_open and follow < now and rng.random() < 0.85:  # most open cases are followed up in time
            follow = now + dt.timedelta(hours=rng.randint(1, 96))
        requested = min(paid, rng.randint(10, 300) * 100) if "refund" in kind or kind == "lost_damaged" else 0
        row = dict(defaults)
        row.update(
            number=f"{NUMBER}{n:010d}", shop_id=shop_id, order_id=order_id, kind=kind, state=state,
            reason_text="尺码不合适", responsible="", owner_id=rng.choice(staff_ids) if rng.random() < 0.9 else None,
            follow_up_at=follow, escalated_at=follow if is_open and follow < now and rng.random() < 0.5 else None,
            requested_refund_fen=requested, refundable_fen=paid,
            agreed_refund_fen=requested if state in ("refunding", "done") and requested else None,
            source="import", unmet_clauses=[], created_at=created, updated_at=created,
            closed_at=created + dt.timedelta(hours=rng.randint(2, 200)) if not is_open else None, version=1,
        )  # fmt: skip
        rows.append(row)
    return rows


def _write(cases) -> None:
    columns = list(cases[0])
    table = connection.ops.quote_name(Case._meta.db_table)
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            import json

            with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in cases:
                    copy.write_row([json.dumps(row[c]) if c == "unmet_clauses" else row[c] for c in columns])
        else:
            marks = ", ".join(["%s"] * len(columns))
            rows = [[("[]" if c == "unmet_clauses" else row[c]) for c in columns] for row in cases]
            cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)
        for sql in connection.ops.sequence_reset_sql(orders_list._NoStyle(), [Case]):
            cursor.execute(sql)
    first_lines = dict(
        OrderLine.objects.filter(order__platform_order_no__startswith=PREFIX, line_no=1).values_list("order_id", "pk")
    )
    ids = Case.objects.filter(number__startswith=NUMBER).values_list("pk", "order_id")
    CaseLine.objects.bulk_create(
        (CaseLine(case_id=pk, order_line_id=first_lines[order_id], quantity=1) for pk, order_id in ids),
        batch_size=5000,
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in (Order, OrderLine, Case, CaseLine):
                cursor.execute(f"VACUUM (ANALYZE) {connection.ops.quote_name(model._meta.db_table)}")


def cleanup(shop_ids) -> None:
    cases = Case.objects.filter(number__startswith=NUMBER)
    bench = Order.objects.filter(shop_id__in=shop_ids, platform_order_no__startswith=PREFIX)
    with transaction.atomic():
        CaseLine.objects.filter(case__in=cases.values("pk"))._raw_delete(connection.alias)
        cases._raw_delete(connection.alias)
        OrderLine.objects.filter(order__in=bench.values("pk"))._raw_delete(connection.alias)
        bench._raw_delete(connection.alias)
    Staff.objects.filter(number=CS_NUMBER).delete()


def views(sample: dict) -> list[tuple[str, dict]]:
    tabs = [(f"tab {t}", {"tab": t}) for t in ("pending", "waiting_buyer", "waiting_return", "overdue", "escalated",
                                                "closed", "all")]  # fmt: skip
    return [
        *tabs,
        ("kind return_refund", {"tab": "pending", "kind": "return_refund"}),
        ("state refunding", {"tab": "all", "state": "refunding"}),
        ("owner me", {"tab": "pending", "owner": "me"}),
        ("unassigned", {"tab": "all", "owner": "none"}),
        ("age ≥ 7 days", {"tab": "pending", "age": 7}),
        ("q case number", {"tab": "all", "q": sample["case_no"]}),
        ("q order number", {"tab": "all", "q": sample["order_no"]}),
        ("closed page 40", {"tab": "closed", "page": 40}),
    ]


def run() -> Result:
    company = data.company()
    shops = company.shops[:5]
    shop_ids = [s.pk for s in shops]
    cleanup(shop_ids)
    n = size()
    skus = list(Sku.objects.values_list("pk", "code").order_by("pk")[:400])
    cs, _pw = create_staff(None, number=CS_NUMBER, name="基准售后", roles=["cs"], shops=shops[:2], password="x-bench-1")
    started = time.perf_counter()
    orders = _orders(n, shop_ids, skus)
    staff_ids = [s.pk for s in company.staff[:4]] + [cs.pk]
    _write(_cases(orders, staff_ids))
    del orders
    written = time.perf_counter() - started
    try:
        target = Case.objects.filter(number__startswith=NUMBER, shop=shops[0]).select_related("order").last()
        sample = {"case_no": target.number, "order_no": target.order.platform_order_no}
        clients = {}
        for who, staff in (("manager", company.manager), ("cs", cs)):
            clients[who] = Client(HTTP_HOST="127.0.0.1")
            clients[who].force_login(staff)
        runs = [(who, name, params) for who in ("manager", "cs") for name, params in views(sample)]
        for who, name, params in runs:  # every view answers; the searched case is found
            response = clients[who].get("/aftersales/", params)
            if response.status_code != 200:
                raise AssertionError(f"{who} /aftersales/?{params}: {response.status_code}")
            if name == "q case number" and target.number not in response.content.decode():
                raise AssertionError(f"{who} {name}: case {target.number} not on the page")
        with harness.QueryLog() as queries:
            clients["manager"].get("/aftersales/")
        scope_of = {"manager": shops, "cs": shops[:2]}
        turn = {"n": 0}

        def get():
            who, _name, params = runs[turn["n"] % len(runs)]
            clients[who].get("/aftersales/", params)

        def base():
            who, _name, _params = runs[turn["n"] % len(runs)]
            turn["n"] += 1
            list(
                Case.objects.filter(shop__in=scope_of[who], state__in=("new", "received", "refunding"))
                .order_by("follow_up_at", "pk")
                .values("id", "number", "state", "follow_up_at")[:50]
            )

        samples, baseline = harness.interleaved_ms(get, base, REQUESTS_PER_VIEW * len(runs), warmup=len(runs))
        p50, p99 = harness.p50_p99(samples)
        b50, b99 = harness.p50_p99(baseline)
        p95 = round(harness.percentile(samples, 95), 3)
        per_view: dict[str, list[float]] = {}
        for i, ms in enumerate(samples):
            who, name, _params = runs[i % len(runs)]
            per_view.setdefault(f"{who}: {name}", []).append(ms)
        table = ", ".join(
            f"{key} {statistics.median(v):.0f}/{harness.percentile(v, 95):.0f}" for key, v in per_view.items()
        )
        worst = max(per_view, key=lambda k: harness.percentile(per_view[k], 95))
        total = Case.objects.count()
        return Result(
            name="aftersales_case_queue",
            value=p50,
            unit="ms/request (p50)",
            p99=p99,
            size=f"{total:,} cases over {len(shops)} shops, {len(runs)} views × {REQUESTS_PER_VIEW} requests",
            baseline="plain first page of 50 cases, one ORM query",
            baseline_value=b50,
            baseline_p99=b99,
            notes=[
                f"p95 {p95:.1f} ms (target ≤ 200 ms), mean {statistics.mean(samples):.1f} ms; "
                f"baseline p95 {harness.percentile(baseline, 95):.1f} ms",
                f"{len(queries)} queries per request (manager, first tab)",
                f"slowest view {worst}: p95 {harness.percentile(per_view[worst], 95):.1f} ms",
                f"per view p50/p95 ms: {table}",
                f"data written in {written:.1f} s; {harness.load_average()}",
            ],
        )
    finally:
        cleanup(shop_ids)
