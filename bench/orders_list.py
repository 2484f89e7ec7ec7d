"""orders_list: GET /orders/ (订单列表, ORD-6, ORD-9) at 1,000,000 orders — p50/p95/p99 server ms.

1,000,000 orders (``BENCH_LIST_ORDERS=n`` for another size; SQLite defaults to 100,000) and ~1.3 lines each over
four of the demo shops, two years of history: a realistic state mix by age (mostly completed, the last days
open), seller flags, exception flags, phones, carriers and tracking numbers — written with COPY on PostgreSQL
(executemany on SQLite) in one pass. Then the list page through django.test.Client, cycling over 13 views for
the shop manager (all shops) and a customer-service agent scoped to two shops: first page, a deep keyset page
(the cursor of the 800,000th order built directly), a status tab, an exception tab, the overdue queue, flag,
carrier, a date range, and search by order number, last four phone digits, tracking number, buyer nick and
SKU code. Each request also computes the tab counts and the carrier list. Baseline: the same first page of 50
orders read with one plain ORM query. Target (ORD-6 order list at a million orders): p95 ≤ 300 ms. The bench
orders are deleted afterwards.
"""

import datetime as dt
import os
import random
import statistics
import time

from django.db import connection, transaction
from django.test import Client

from zhanggui.catalog.models import Sku
from zhanggui.core import clock
from zhanggui.orders import selectors
from zhanggui.orders.models import Order, OrderLine
from zhanggui.orders.services import imports
from zhanggui.team.models import Staff
from zhanggui.team.services import create_staff
from zhanggui.workbench.demo import ADDRESSES, FAMILY, GIVEN

from . import data, harness
from .registry import Result

PREFIX = "B"  # platform order numbers of the bench: "B" + 17 digits (real ones are all digits)
REQUESTS_PER_VIEW = 10
CARRIERS = (
    ["中通快递"] * 5 + ["圆通速递"] * 4 + ["韵达快递"] * 3 + ["申通快递"] * 2 + ["顺丰速运"] * 2 + ["EMS", "极兔速递"]
)
TRACKING = {"顺丰速运": "SF", "EMS": "EA", "中通快递": "ZT", "圆通速递": "YT", "韵达快递": "YD", "申通快递": "ST"}
FLAGS = [""] * 15 + ["red", "purple", "purple", "green", "yellow", "blue"]
CS_NUMBER = "BNCS1"


def size() -> int:
    default = 1_000_000 if connection.vendor == "postgresql" else 100_000
    return int(os.environ.get("BENCH_LIST_ORDERS") or default)


def _state(rng: random.Random, age_days: float) -> str:
    r = rng.random()
    if age_days > 20:
        return "completed" if r < 0.86 else "closed" if r < 0.98 else "signed" if r < 0.99 else "shipped"
    if age_days > 3:
        steps = [(0.5, "shipped"), (0.75, "signed"), (0.9, "completed"), (0.97, "closed"), (1.0, "part_shipped")]
    else:
        steps = [
            (0.15, "pending_payment"),
            (0.45, "to_review"),
            (0.6, "approved"),
            (0.8, "to_ship"),
            (0.83, "on_hold"),
            (0.95, "shipped"),
            (1.0, "closed"),
        ]
    return next(state for limit, state in steps if r < limit)


def generate(n_orders: int, shop_ids: list[int], skus: list[tuple[int, str]], first_id: int):
    """Order rows (dicts of column values) and line rows, from a fixed seed."""
    rng = random.Random(1_000_000)
    now = clock.now()
    order_defaults = {f.column: f.get_default() for f in Order._meta.concrete_fields if f.column != "id"}
    orders, lines = [], []
    shipped_like = {"shipped", "signed", "completed", "part_shipped"}
    for n in range(n_orders):
        pk = first_id + n
        age = (n_orders - n) / n_orders * 730  # the newest have the highest ids, as imports write them
        ordered_at = now - dt.timedelta(days=age, seconds=rng.randint(0, 3600))
        state = _state(rng, age)
        paid = state != "pending_payment" and not (state == "closed" and rng.random() < 0.5)
        open_ = state not in ("completed", "closed")
        carrier = rng.choice(CARRIERS) if state in shipped_like or rng.random() < 0.3 else ""
        phone = f"1{rng.choice('3456789')}{rng.randint(0, 999_999_999):09d}"
        province, city, district, detail = rng.choice(ADDRESSES)
        row = dict(order_defaults)
        row.update(
            id=pk,
            shop_id=shop_ids[n % len(shop_ids)],
            platform_order_no=f"{PREFIX}{2_000_000_000_000_000 + n:017d}",
            state=state,
            state_before_hold="to_review" if state == "on_hold" else "",
            buyer_nick=f"tb_{rng.choice(GIVEN)}{rng.randint(1, 200_000)}",
            receiver_name=rng.choice(FAMILY) + rng.choice(GIVEN),
            receiver_phone=phone,
            phone_last4=phone[-4:],
            address_raw=f"{province} {city} {district} {detail}",
            province=province,
            city=city,
            district=district,
            address_detail=detail,
            flag=rng.choice(FLAGS),
            seller_remark="A002 中通 准确无误，可以发货" if rng.random() < 0.2 else "",
            ordered_at=ordered_at,
            paid_at=ordered_at + dt.timedelta(minutes=rng.randint(1, 90)) if paid else None,
            shipped_at=ordered_at + dt.timedelta(hours=rng.randint(4, 40)) if state in shipped_like else None,
            carrier=carrier,
            tracking_no=f"{TRACKING.get(carrier, 'JT')}{pk:012d}" if state in shipped_like else "",
            exc_out_of_stock=open_ and rng.random() < 0.03,
            exc_address=open_ and rng.random() < 0.02,
            exc_refund=rng.random() < (0.02 if open_ else 0.03),
            exc_risk=open_ and rng.random() < 0.005,
            created_at=ordered_at,
            updated_at=ordered_at,
        )
        unmatched = open_ and rng.random() < 0.01
        row["exc_unmatched"] = unmatched
        goods = 0
        count = 1 if rng.random() < 0.75 else 2 if rng.random() < 0.8 else 3
        for line_no in range(1, count + 1):
            sku_id, code = rng.choice(skus)
            if unmatched and line_no == 1:
                sku_id, code = None, f"X-{rng.randint(1, 999)}"
            qty = 1 if rng.random() < 0.85 else 2
            price = rng.randint(39, 399) * 100
            goods += price * qty
            lines.append(
                (pk, line_no, sku_id, code, "碎花连衣裙", "颜色分类：黑色;尺码：M", price, qty, price * qty, 0)
            )
        row.update(goods_fen=goods, paid_fen=goods if paid else 0)
        orders.append(row)
    return orders, lines


LINE_COLUMNS = imports.LINE_COLUMNS  # the columns the import writes, in its order


def write(orders, lines) -> None:
    columns = list(orders[0])
    order_table = connection.ops.quote_name(Order._meta.db_table)
    line_table = connection.ops.quote_name(OrderLine._meta.db_table)
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor
            with raw.copy(f"COPY {order_table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in orders:
                    copy.write_row([row[c] for c in columns])
            with raw.copy(f"COPY {line_table} ({', '.join(LINE_COLUMNS)}) FROM STDIN") as copy:
                for line in lines:
                    copy.write_row(line)
        else:
            marks = ", ".join(["%s"] * len(columns))
            for start in range(0, len(orders), 20_000):
                chunk = [[row[c] for c in columns] for row in orders[start : start + 20_000]]
                cursor.executemany(f"INSERT INTO {order_table} ({', '.join(columns)}) VALUES ({marks})", chunk)
            marks = ", ".join(["%s"] * len(LINE_COLUMNS))
            cursor.executemany(f"INSERT INTO {line_table} ({', '.join(LINE_COLUMNS)}) VALUES ({marks})", lines)
        for sql in connection.ops.sequence_reset_sql(_NoStyle(), [Order, OrderLine]):
            cursor.execute(sql)


class _NoStyle:
    def __getattr__(self, name):
        return lambda text: text


def vacuum() -> None:
    """PostgreSQL: what autovacuum does within minutes of a bulk load — statistics and the visibility map (so the
    counts can be index-only scans). SQLite is left as the app leaves it."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in (Order, OrderLine):
                cursor.execute(f"VACUUM (ANALYZE) {connection.ops.quote_name(model._meta.db_table)}")


def cleanup(shop_ids) -> None:
    bench = Order.objects.filter(shop_id__in=shop_ids, platform_order_no__startswith=PREFIX)
    with transaction.atomic():
        OrderLine.objects.filter(order__in=bench.values("pk"))._raw_delete(connection.alias)
        bench._raw_delete(connection.alias)
    Staff.objects.filter(number=CS_NUMBER).delete()


def views(shops, sample: dict) -> list[tuple[str, dict]]:
    """(name, query string) of the list views measured."""
    return [
        ("first page", {}),
        ("deep keyset page", {"after": sample["deep_cursor"]}),
        ("tab to_ship", {"tab": "to_ship"}),
        ("tab exc_out_of_stock", {"tab": "exc_out_of_stock"}),
        ("tab overdue", {"tab": "overdue"}),
        ("flag purple", {"flag": "purple"}),
        ("carrier 顺丰速运", {"carrier": "顺丰速运"}),
        ("date range", {"from": sample["day_from"], "to": sample["day_to"]}),
        ("q order number", {"q": sample["order_no"]}),
        ("q phone last 4", {"q": sample["last4"]}),
        ("q tracking no", {"q": sample["tracking_no"]}),
        ("q buyer nick", {"q": sample["buyer_nick"]}),
        ("q SKU code", {"q": sample["sku_code"]}),
    ]


def run() -> Result:
    company = data.company()
    shops = company.shops[:4]
    shop_ids = [s.pk for s in shops]
    cleanup(shop_ids)
    n_orders = size()
    skus = list(Sku.objects.values_list("pk", "code").order_by("pk")[:400])
    started = time.perf_counter()
    first_id = (Order.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    orders, lines = generate(n_orders, shop_ids, skus, first_id)
    generated = time.perf_counter() - started
    write(orders, lines)
    del orders, lines
    written = time.perf_counter() - started - generated
    vacuum()
    cs, _pw = create_staff(None, number=CS_NUMBER, name="基准客服", roles=["cs"], shops=shops[:2], password="x-bench-1")
    try:
        pos = min(800_000, n_orders * 4 // 5)
        deep = Order.objects.filter(shop__in=shops).order_by("-ordered_at", "-id")[pos]
        target = Order.objects.filter(shop=shops[0], platform_order_no__startswith=PREFIX, state="shipped").last()
        a_year_ago = clock.today() - dt.timedelta(days=365)
        sample = {
            "deep_cursor": selectors.cursor_of(deep),
            "day_from": (a_year_ago - dt.timedelta(days=6)).isoformat(),
            "day_to": a_year_ago.isoformat(),
            "order_no": target.platform_order_no,
            "last4": target.phone_last4,
            "tracking_no": target.tracking_no,
            "buyer_nick": target.buyer_nick,
            "sku_code": skus[7][1],
        }
        cases = views(shops, sample)
        clients = {}
        for who, staff in (("manager", company.manager), ("cs", cs)):
            clients[who] = Client(HTTP_HOST="127.0.0.1")
            clients[who].force_login(staff)
        runs = [(who, name, params) for who in ("manager", "cs") for name, params in cases]
        for who, name, params in runs:  # every view answers; the searched order is found
            response = clients[who].get("/orders/", params)
            if response.status_code != 200:
                raise AssertionError(f"{who} /orders/?{params}: {response.status_code}")
            if (
                name in ("q order number", "q tracking no")
                and f'data-order="{target.pk}"' not in response.content.decode()
            ):
                raise AssertionError(f"{who} {name}: order {target.pk} not on the page")
        with harness.QueryLog() as queries:
            clients["manager"].get("/orders/")
        scope_of = {"manager": shops, "cs": shops[:2]}

        turn = {"n": 0}

        def get():
            who, _name, params = runs[turn["n"] % len(runs)]
            clients[who].get("/orders/", params)

        def base():
            who, _name, _params = runs[turn["n"] % len(runs)]
            turn["n"] += 1
            list(
                Order.objects.filter(shop__in=scope_of[who])
                .order_by("-ordered_at", "-id")
                .values("id", "platform_order_no", "state", "ordered_at")[:50]
            )

        samples, baseline = harness.interleaved_ms(get, base, REQUESTS_PER_VIEW * len(runs), warmup=len(runs))
        p50, p99 = harness.p50_p99(samples)
        b50, b99 = harness.p50_p99(baseline)
        p95 = round(harness.percentile(samples, 95), 3)
        per_view: dict[str, list[float]] = {}
        for n, ms in enumerate(samples):
            who, name, _params = runs[n % len(runs)]  # the warm-up made exactly one round
            per_view.setdefault(f"{who}: {name}", []).append(ms)
        table = ", ".join(
            f"{key} {statistics.median(v):.0f}/{harness.percentile(v, 95):.0f}" for key, v in per_view.items()
        )
        worst = max(per_view, key=lambda k: harness.percentile(per_view[k], 95))
        total = Order.objects.count()
        return Result(
            name="orders_list",
            value=p50,
            unit="ms/request (p50)",
            p99=p99,
            size=f"{total:,} orders, {OrderLine.objects.count():,} lines, {len(runs)} views × {REQUESTS_PER_VIEW} "
            f"requests",
            baseline="same first page, one ORM query",
            baseline_value=b50,
            baseline_p99=b99,
            notes=[
                f"p95 {p95:.1f} ms (target ≤ 300 ms), mean {statistics.mean(samples):.1f} ms",
                f"{len(queries)} queries per request (manager, first page)",
                f"slowest view {worst}: p95 {harness.percentile(per_view[worst], 95):.1f} ms",
                f"per view p50/p95 ms: {table}",
                f"data: generated in {generated:.1f} s, written in {written:.1f} s; {harness.load_average()}",
            ],
        )
    finally:
        cleanup(shop_ids)
