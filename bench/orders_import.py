"""orders_import: a Taobao export pair of 200,000 orders (订单报表 2020 + 宝贝报表, GBK, all quirks), imported.

Measured in one run, on the same generated files (zhanggui.channels.samples, the generator the tests and the demo
use; BENCH_ORDERS=<n> for a smaller run):
- parsing only (`read_files`: decode, detect, map, per-row checks, address split, the detail join) → orders/s,
  beside the csv module reading the decoded rows and nothing else;
- the import end to end (`import_files` → `import_stream`: two processes side by side, each reading the files and
  taking the orders whose number hashes to its share; batches of 2,000, new orders by binary COPY with ids drawn
  from the sequence, changed ones through a staging table + INSERT … ON CONFLICT, lines by binary COPY, the
  商家编码 → Sku match memoised per process) → orders/s, judged on PostgreSQL against the write floor of our
  schema measured in the same run (floor_seconds: the same rows built ahead, binary COPY into the real tables with
  all their indexes and foreign keys, two processes): the end-to-end rate as a share of the floor's rate, goal
  (ORD-1 bulk import) ≥ 50 %. The floor's CPU seconds for the whole machine are a note — with the bare csv reading,
  a lower bound on any import's time here, whatever its parsing costs. A plain binary COPY (executemany on SQLite)
  of the same rows into bare tables without indexes, constraints or triggers is printed for reference (on SQLite,
  where no floor is measured, it stays the baseline);
- a naive `Order.objects.create` + `OrderLine.objects.create` loop (one transaction per order) over the first
  2,000 orders, extrapolated; the re-import of the same result (every order unchanged) and the statements per
  batch are printed as notes;
- peak memory: the same import of a quarter of the orders (at most 50,000) and of all of them, each in a fresh
  interpreter reading the files from disk (`python -c …` running _memory_child): VmHWM of the
  importing process and the max RSS of its second process (the 宝贝报表 lines wait on disk: flat in the file size).
The states are history (awaiting payment, shipped, completed, closed): no order is newly paid, so no stock is
reserved — the reservation path is measured by inventory_reserve. Everything the benchmark writes is deleted.
"""

import datetime as dt
import gc
import os
import random
import resource
import time

from django.db import connection, transaction

from zhanggui.catalog.models import Sku
from zhanggui.channels import samples
from zhanggui.channels.formats import read_files
from zhanggui.core import clock
from zhanggui.core.models import Event
from zhanggui.core.sheets import decode
from zhanggui.crm.models import Customer
from zhanggui.orders.models import ImportRun, Order, OrderLine
from zhanggui.orders.services import imports

from . import data, harness
from .registry import Result

ORDERS = int(os.environ.get("BENCH_ORDERS", "200000"))
FLOOR_GOAL = 0.5  # ORD-1 bulk import: end to end at least half the schema's write floor (floor_seconds)
NAIVE = 2_000
PREFIX = "90000000"  # 18-digit order numbers 90000000…: never a demo number (those are random 9…/8… numbers)
STATUSES = (
    ("等待买家付款", 4),
    ("卖家已发货，等待买家确认", 20),
    ("交易成功", 68),
    ("交易关闭", 8),
)
ADDRESSES = (
    "浙江省 杭州市 西湖区 文三路 478 号华星时代广场 A 座 1203(310012)",
    "广东省 深圳市 南山区 科技园南区高新南七道 9 号(518057)",
    "北京 北京市 朝阳区 望京街道 阜通东大街 6 号院 3 号楼(100102)",
    "上海 上海市 浦东新区 张江镇 祖冲之路 887 弄 72 号(201203)",
    "四川省 成都市 武侯区 天府大道北段 1700 号环球中心(610041)",
    "江苏省 南京市 鼓楼区 中山北路 105 号中环国际广场(210009)",
)


def generate(codes: list[str], count: int = ORDERS) -> tuple[list[dict], list[tuple[str, bytes]]]:
    rnd = random.Random(6)
    statuses, weights = zip(*STATUSES, strict=True)
    orders = []
    base = clock.local(clock.now()).replace(tzinfo=None) - dt.timedelta(days=400)
    for n in range(count):
        lines = []
        for _ in range(rnd.choices((1, 2, 3), (70, 22, 8))[0]):
            code = rnd.choice(codes)
            lines.append({"code": code, "title": f"青禾 {code}", "price": f"{rnd.randrange(3900, 39900) / 100:.2f}",
                          "qty": rnd.choice((1, 1, 1, 2)), "props": "颜色分类：黑色;尺码：M"})  # fmt: skip
        goods = sum(round(float(x["price"]) * 100) * x["qty"] for x in lines)
        status = rnd.choices(statuses, weights)[0]
        created = base + dt.timedelta(seconds=n * 150 + rnd.randrange(100))
        shipped = status in ("卖家已发货，等待买家确认", "交易成功")
        orders.append(
            {
                "no": f"{PREFIX}{n:010d}",
                "buyer": f"tb_{rnd.randrange(10**6):06d}",
                "status": status,
                "goods": f"{goods / 100:.2f}",
                "postage": "0.00",
                "paid": f"{goods / 100:.2f}",
                "refund": f"{goods / 100:.2f}" if status == "交易关闭" else "0.00",
                "name": "薛小姐",
                "phone": f"139{rnd.randrange(10**8):08d}",
                "address": rnd.choice(ADDRESSES),
                "created": created.strftime("%Y-%m-%d %H:%M:%S"),
                "paid_at": "" if status == "等待买家付款" else created.strftime("%Y-%m-%d %H:%M:%S"),
                "message": "不要放驿站" if n % 9 == 0 else "",
                "remark": "A002 老客" if n % 13 == 0 else "",
                "tracking": f"77{n:012d}" if shipped else "",
                "carrier": "中通快递" if shipped else "",
                "done_at": created.strftime("%Y-%m-%d %H:%M:%S") if status == "交易成功" else "",
                "lines": lines,
            }
        )
    report, details = samples.taobao_pair(orders, version="2020")
    return orders, [("ExportOrderList.csv", report), ("ExportOrderDetailList.csv", details)]


def csv_only_seconds(files) -> float:
    import csv
    import io

    start = time.perf_counter()
    count = 0
    for _name, raw in files:
        count += sum(1 for _row in csv.reader(io.StringIO(decode(raw), newline="")))
    return time.perf_counter() - start


FLOOR_BUYER = "floor:"  # the write floor's customers (floor_seconds), removed by cleanup
CUSTOMER_COLUMNS = ["id", "shop_id", "buyer_key", "buyer_nick", "name", "phone", "province", "city", "district",
                    "address", "tags", "note", "created_at"]  # fmt: skip


def cleanup(shop_ids, customers_since=None) -> None:
    """Remove the benchmark's orders, their timeline and runs, the floor's customers, and (customers_since) the
    customers the imports created."""
    orders = Order.objects.filter(shop_id__in=shop_ids, platform_order_no__startswith=PREFIX)
    ids = [str(pk) for pk in orders.values_list("pk", flat=True)]
    for start in range(0, len(ids), 10_000):
        Event.objects.filter(object_id__in=ids[start : start + 10_000], content_type__model="order").delete()
    OrderLine.objects.filter(order__in=orders).delete()
    orders.delete()
    ImportRun.objects.filter(shop_id__in=shop_ids).delete()
    Customer.objects.filter(shop_id__in=shop_ids, buyer_key__startswith=FLOOR_BUYER).delete()
    if customers_since is not None:
        Customer.objects.filter(shop_id__in=shop_ids, created_at__gte=customers_since).delete()


def _prebuilt(result, shop_id) -> list[tuple[list, list]]:
    """The import's own rows for `result`, built ahead (imports._order_row, imports._line_values), in the import's
    batches: [(order rows, [line values of each order])]. What the baselines write, so that they write the same."""
    sku_of = imports._match_skus(result.orders)
    now = clock.now()
    batches = []
    for begin in range(0, len(result.orders), imports.BATCH):
        chunk = result.orders[begin : begin + imports.BATCH]
        rows = [imports._order_row(order, shop_id, sku_of, now) for order in chunk]
        batches.append((rows, [imports._line_values(order, sku_of) for order in chunk]))
    return batches


def copy_seconds(result, shop_id) -> float:
    """The ceiling: the same order and line rows written with binary COPY (executemany on SQLite) into bare tables
    without indexes, constraints or triggers."""
    cols = imports._ORDER_COLUMNS
    batches = []  # the same batches and transactions as the import: (order rows, line rows)
    i = 0
    for rows, lines_of in _prebuilt(result, shop_id):
        numbered, lines = [], []
        for row, values_list in zip(rows, lines_of, strict=True):
            i += 1
            numbered.append([i, *row])
            lines.extend((i * 10 + n, i, *values, 0) for n, values in enumerate(values_list))
        batches.append((numbered, lines))
    q = connection.ops.quote_name
    order_cols = ", ".join(q(c) for c in ["id", *cols])
    line_cols = ", ".join(q(c) for c in ["id", *imports.LINE_COLUMNS])
    pg = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        for table, model in (("bench_order_copy", Order), ("bench_line_copy", OrderLine)):
            cursor.execute(f"DROP TABLE IF EXISTS {table}")
            like = f"(LIKE {model._meta.db_table})" if pg else f"AS SELECT * FROM {model._meta.db_table} WHERE 0"
            cursor.execute(f"CREATE TABLE {table} {like}")
    if not pg:
        dates = [i for i, f in enumerate(imports._ORDER_FIELDS, start=1) if f.get_internal_type() == "DateTimeField"]
        for rows, _lines in batches:
            for row in rows:
                for i in dates:
                    if row[i] is not None:
                        row[i] = connection.ops.adapt_datetimefield_value(row[i])
    order_marks = ", ".join(["%s"] * (len(cols) + 1))
    line_marks = ", ".join(["%s"] * (len(imports.LINE_COLUMNS) + 1))
    start = time.perf_counter()
    for rows, lines in batches:
        with transaction.atomic(), connection.cursor() as cursor:
            if pg:  # the same binary COPY the import uses
                imports.copy_rows(cursor, "bench_order_copy", ["id", *cols], rows)
                imports.copy_rows(cursor, "bench_line_copy", ["id", *imports.LINE_COLUMNS], lines)
            else:
                cursor.executemany(f"INSERT INTO bench_order_copy ({order_cols}) VALUES ({order_marks})", rows)
                cursor.executemany(f"INSERT INTO bench_line_copy ({line_cols}) VALUES ({line_marks})", lines)
    seconds = time.perf_counter() - start
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_order_copy")
        cursor.execute("DROP TABLE bench_line_copy")
    return seconds


def floor_seconds(result, shop_id) -> tuple[float, float | None]:
    """PostgreSQL: the write floor of our schema — the import's rows built ahead, written by binary COPY into the
    REAL order, line and customer tables (every order links its customer, CRM-1: one new buyer per order, as in the
    generated files; every index the order list needs, the foreign keys checked at commit), ids drawn
    from the sequence, the import's batches and transactions, in two processes like the import. No reading, no
    parsing, no lookups: what any importer of these tables must at least spend on this machine. Deleted after.
    Returns (wall seconds, CPU seconds of the whole machine: both processes and their database backends)."""
    import multiprocessing as mp

    batches = _prebuilt(result, shop_id)
    order_table, line_table = Order._meta.db_table, OrderLine._meta.db_table
    customer_table, at = Customer._meta.db_table, clock.now()
    customer_at = ["id", *imports._ORDER_COLUMNS].index("customer_id")

    def ids_from(cursor, table: str, n: int) -> list[int]:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, n])
        return [pk for (pk,) in cursor.fetchall()]

    def write(share: list) -> None:
        for rows, lines_of in share:
            with transaction.atomic(), connection.cursor() as cursor:
                # CRM-1: every order has its customer — one new buyer per order here, as in the generated files
                buyers = ids_from(cursor, customer_table, len(rows))
                imports.copy_rows(cursor, customer_table, CUSTOMER_COLUMNS,
                                  ([pk, shop_id, f"{FLOOR_BUYER}{pk}", "", "", "", "", "", "", "", "", "", at]
                                   for pk in buyers))  # fmt: skip
                ids = ids_from(cursor, order_table, len(rows))
                numbered = [[pk, *row] for pk, row in zip(ids, rows, strict=True)]
                for row, customer_id in zip(numbered, buyers, strict=True):
                    row[customer_at] = customer_id
                imports.copy_rows(cursor, order_table, ["id", *imports._ORDER_COLUMNS], numbered)
                lines = [(pk, *values, 0) for pk, of in zip(ids, lines_of, strict=True) for values in of]
                imports.copy_rows(cursor, line_table, imports.LINE_COLUMNS, lines)

    def second() -> None:
        gc.freeze()  # as the import's second process: the parent's objects are not the collector's business here
        imports._own_connections()
        write(batches[1::2])

    start, cpu = time.perf_counter(), harness.machine_cpu_seconds()
    other = mp.get_context("fork").Process(target=second)
    other.start()
    write(batches[0::2])
    other.join()
    seconds = time.perf_counter() - start
    assert other.exitcode == 0, other.exitcode
    return seconds, (harness.machine_cpu_seconds() - cpu if cpu is not None else None)


def naive_seconds(result, shop) -> float:
    """One Order.objects.create + OrderLine.objects.create per line, one transaction per order, Sku looked up."""
    sample = result.orders[:NAIVE]
    names = [n for n in imports._COPIED if n not in ("state",)]
    start = time.perf_counter()
    for order in sample:
        with transaction.atomic():
            obj = Order.objects.create(
                shop=shop, state=order.state, **{n: imports._cut(getattr(order, n), imports._MAX.get(n)) for n in names}
            )
            for line in order.lines:
                OrderLine.objects.create(
                    order=obj,
                    line_no=line.line_no,
                    sku=Sku.objects.filter(code=line.outer_code).first(),
                    outer_code=line.outer_code,
                    title=line.title[:200],
                    properties=line.properties[:200],
                    unit_price_fen=line.unit_price_fen,
                    quantity=line.quantity,
                    paid_fen=line.paid_fen,
                )
    return time.perf_counter() - start


def peak_memory(files, shop) -> dict:
    """Import `files` (written to disk, read as paths: what the job does) in a fresh interpreter on the same
    database; its peak RSS (VmHWM) and the second process's (RUSAGE_CHILDREN) in MB. The orders are deleted after."""
    import json
    import subprocess
    import sys
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        paths = []
        for name, raw in files:
            (Path(folder) / name).write_bytes(raw)
            paths.append(str(Path(folder) / name))
        out = subprocess.run(
            [sys.executable, "-c", _CHILD, str(shop.pk), *paths],
            cwd=harness.PROJECT_DIR, capture_output=True, text=True, check=True,
        )  # fmt: skip
    cleanup([shop.pk])
    return json.loads(out.stdout.strip().splitlines()[-1])


_CHILD = "import sys, django; django.setup(); import bench.orders_import as b; b._memory_child(*sys.argv[1:])"


def _memory_child(shop_id: str, *paths: str) -> None:
    """The fresh interpreter of peak_memory (_CHILD, Django set up first): import, then print the peak RSS."""
    import json
    from pathlib import Path

    from zhanggui.shops.models import Shop
    from zhanggui.team.models import Staff

    shop = Shop.objects.select_related("platform").get(pk=int(shop_id))
    user = Staff.objects.get(number="A001")
    baseline = _vm("VmRSS")
    run_ = imports.import_files(user, shop, [(Path(p).name, Path(p)) for p in paths])
    second_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(json.dumps({"created": run_.created, "peak_mb": _vm("VmHWM"), "start_mb": baseline, "second_mb": second_mb}))


def _vm(key: str) -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024
    return 0.0


def run() -> list[Result]:
    company = data.company()
    user = company.manager
    shop = next(s for s in company.shops if s.platform_id == "taobao")
    other = next(s for s in company.shops if s.platform_id == "tmall")
    cleanup([shop.pk, other.pk])
    since = clock.now()  # the customers the imports create (CRM-1) are removed with the orders
    codes = list(Sku.objects.filter(is_combo=False).order_by("code").values_list("code", flat=True)[:400])
    codes += ["QH-OLD-黑-M"]  # one unknown 商家编码: some orders land in the unmatched queue
    t0 = time.perf_counter()
    files = generate(codes)[1]  # only the files: the import runs as the job runs it, nothing big held beside
    gen_s = time.perf_counter() - t0
    mb = sum(len(raw) for _n, raw in files) / 1048576
    size = f"{ORDERS:,} orders, Taobao 2020 pair (订单报表 + 宝贝报表), GBK, {mb:.0f} MB"

    csv_s = csv_only_seconds(files)
    with harness.QueryLog() as log:  # end to end as the job and the CLI run it: streamed read + write
        start = time.perf_counter()
        run_ = imports.import_files(user, shop, files)
        stream_s = time.perf_counter() - start
    assert (run_.created, run_.failed) == (ORDERS, 0), (run_.created, run_.updated, run_.failed)
    start = time.perf_counter()  # after the import: 200,000 parsed orders held would weigh on its second process
    result = read_files("taobao", files)
    parse_s = time.perf_counter() - start
    assert len(result.orders) == ORDERS and not result.errors, (len(result.orders), result.errors[:3])
    batches = -(-ORDERS // imports.BATCH)
    per_batch = (len(log) - 3) / batches  # minus the run's own create / save
    harness.analyze()
    start = time.perf_counter()
    again = imports.import_parsed(user, shop, result, [n for n, _raw in files])
    again_s = time.perf_counter() - start
    assert again.unchanged == ORDERS, (again.created, again.updated, again.unchanged)
    cleanup([shop.pk], since)

    copy_s = copy_seconds(result, shop.pk)
    floor_s = floor_cpu = None
    if connection.vendor == "postgresql":
        floor_s, floor_cpu = floor_seconds(result, shop.pk)
        cleanup([shop.pk], since)
    naive_s = naive_seconds(result, other)
    cleanup([other.pk], since)
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rows = result.rows
    del result
    small = min(50_000, ORDERS // 4)  # memory flat in the file size: the same import of a quarter of the orders
    memory = {small: peak_memory(generate(codes, small)[1], shop), ORDERS: peak_memory(files, shop)}
    cleanup([shop.pk], since)

    end_to_end = stream_s
    copy_kind = "COPY" if connection.vendor == "postgresql" else "executemany"
    if floor_s is not None:  # ORD-1: judged against the schema's write floor measured in this run (goal ≥ 50 %)
        yardstick = floor_result("orders_import", ORDERS, end_to_end, (floor_s, floor_cpu), ("csv module alone", csv_s),
                                 size, "orders/s")  # fmt: skip
        baseline, baseline_value, goal = yardstick.baseline, yardstick.baseline_value, FLOOR_GOAL
        judged = [
            f"end to end = {floor_s / end_to_end:.0%} of the schema's write floor measured in this run "
            f"(goal ≥ {FLOOR_GOAL:.0%}); for reference, the bare {copy_kind} into index-free tables "
            f"{copy_s:.1f} s = {ORDERS / copy_s:,.0f} orders/s (no longer the yardstick)",
            *yardstick.notes,
        ]
    else:  # SQLite: no write floor measured (floor_seconds is PostgreSQL's two-process COPY)
        baseline = f"plain {copy_kind} of the same order + line rows into bare tables (no write floor on SQLite)"
        baseline_value, goal = round(ORDERS / copy_s), None
        judged = [f"end to end = {copy_s / end_to_end:.0%} of the bare {copy_kind} rate; the write floor is "
                  "measured on PostgreSQL only (python -m bench --postgres)"]  # fmt: skip
    results = [
        Result(
            name="orders_import",
            value=round(ORDERS / end_to_end),
            unit="orders/s",
            size=size,
            baseline=baseline,
            baseline_value=baseline_value,
            goal=goal,
            notes=[
                *judged,
                f"end to end (import_files: two processes, each reading and writing its share of the orders) "
                f"{end_to_end:.1f} s ({run_.lines:,} lines); read alone, one process, {parse_s:.1f} s; "
                f"{copy_kind} {copy_s:.1f} s",
                f"{per_batch:.1f} statements per batch of {imports.BATCH:,} through Django ({len(log):,} in all; the "
                f"COPY streams are not counted)",
                f"re-import of the same result (all {ORDERS:,} unchanged) {again_s:.1f} s = {ORDERS / again_s:,.0f} "
                f"orders/s; files generated in {gen_s:.1f} s; max RSS of the bench process (the files and the "
                f"parsed orders all held) {peak_rss:,.0f} MB",
                "peak memory of the import alone (fresh interpreter, files read from disk; VmHWM, start → peak; "
                "the second process's max RSS): "
                + "; ".join(
                    f"{n:,} orders {m['start_mb']:,.0f} → {m['peak_mb']:,.0f} MB, 2nd process {m['second_mb']:,.0f} MB"
                    for n, m in memory.items()
                ),
            ],
        ),
        Result(
            name="orders_import_naive",
            value=round(ORDERS / end_to_end),
            unit="orders/s",
            size=size,
            baseline=f"naive Model.objects.create per order and line, first {NAIVE:,} orders",
            baseline_value=round(NAIVE / naive_s),
            notes=[
                f"naive {naive_s:.1f} s for {NAIVE:,} orders → ~{ORDERS / (NAIVE / naive_s) / 60:.0f} min for the file"
            ],
        ),
        Result(
            name="orders_import_parse",
            value=round(ORDERS / parse_s),
            unit="orders/s",
            size=size,
            baseline="csv module reading the decoded rows only",
            baseline_value=round(ORDERS / csv_s),
            notes=[f"read_files {parse_s:.1f} s ({rows:,} rows) vs csv-only {csv_s:.1f} s"],
        ),
    ]
    return results


def floor_result(name: str, count: int, import_s: float, floor: tuple, reading: tuple, size: str, unit: str) -> Result:
    """The import beside the write floor of the schema (floor_seconds: wall and machine CPU seconds). `reading`
    (what, seconds): the bare reading of the file by its library, which no import can skip — with the floor's CPU,
    a lower bound on the import's time on this machine even if mapping the rows cost nothing."""
    floor_s, floor_cpu = floor
    what, read_s = reading
    notes = [f"import end to end {import_s:.1f} s; floor {floor_s:.1f} s = {count / floor_s:,.0f} {unit}"]
    if floor_cpu is not None:
        cores = os.cpu_count()
        least = (floor_cpu + read_s) / cores
        notes.append(
            f"floor {floor_cpu:.1f} CPU-s (both processes and their database backends) + {what} {read_s:.1f} s = "
            f"{floor_cpu + read_s:.1f} CPU-s → at least {least:.1f} s on {cores} cores = at most "
            f"{count / least:,.0f} {unit}, with the rows mapped for free"
        )
    return Result(
        name=name,
        value=round(count / import_s),
        unit=unit,
        size=size,
        baseline="write floor: the import's rows built ahead, binary COPY into the real tables (all indexes, "
        "foreign keys), 2 processes",
        baseline_value=round(count / floor_s),
        notes=notes,
    )
