"""finance_alipay_import: an Alipay 账务明细 CSV of 200,000 lines (GBK, `#` preamble and summary, tab-padded cells,
yuan with signs — as Alipay hands it out) imported end to end for one Taobao shop (FIN-3).

Measured in one run on the same file (BENCH_STATEMENT_ROWS=<n> for a smaller run):
- the baseline: the csv module reading the file — decode GBK, csv.reader over every line, nothing else → rows/s;
- the import end to end (`finance.services.funds.import_statements`: decode, skip the `#` lines, detect the layout,
  parse every line to signed fen, find the orders, sum each order's arrivals against paid − refunded, insert the
  lines with their match state, re-check the lines that matched nothing) → rows/s; goal ≥ 25 % of the baseline;
- notes: the re-import of the same file (all lines already there), the match states.
The statement covers 100,000 orders of the shop (bulk-inserted, completed): each has its payment (1 in 50 short:
amount mismatch) and 60 % a commission fee line; 10 % of the orders a partial refund; the rest withdrawals and lines
of unknown orders. Everything the benchmark writes is deleted.
"""

import csv
import datetime as dt
import io
import os
import random
import time

from django.db.models import Count

from zhanggui.core import clock
from zhanggui.finance.models import StatementEntry, StatementImport
from zhanggui.finance.services.funds import import_statements
from zhanggui.finance.statement_sample import Line, alipay_csv
from zhanggui.orders.models import Order

from . import data
from .registry import Result

ROWS = int(os.environ.get("BENCH_STATEMENT_ROWS", "200000"))
GOAL = 0.25
PREFIX = "98765"  # the benchmark's order numbers: 98765 + 13 digits (Taobao numbers are digits)


def cleanup(shop) -> None:
    StatementEntry.objects.filter(shop=shop).delete()
    StatementImport.objects.filter(shop=shop).delete()
    Order.objects.filter(shop=shop, platform_order_no__startswith=PREFIX).delete()


def build(shop) -> bytes:
    rnd = random.Random(19)
    n_orders = ROWS // 2
    start = dt.datetime(2026, 6, 1, 8, 0, 0)
    done = clock.now() - dt.timedelta(days=200)
    orders, lines = [], []
    for i in range(n_orders):
        no = f"{PREFIX}{i:013d}"
        paid = rnd.randrange(990, 59900)
        refund = rnd.randrange(100, paid) if i % 10 == 0 else 0
        orders.append(Order(shop=shop, platform_order_no=no, state=Order.State.COMPLETED, paid_fen=paid,
                            refund_fen=refund, paid_at=done, completed_at=done))  # fmt: skip
        when = start + dt.timedelta(seconds=i * 60)
        arrived = paid - (100 if i % 50 == 0 else 0)
        lines.append(Line(f"2026{i:016d}", when, arrived, "在线支付", f"T200P{no}", "商品", "buyer@example.com"))
        if refund:
            lines.append(Line(f"2027{i:016d}", when, -refund, "交易退款", f"T200P{no}"))
        if i % 10 < 6 and len(lines) < ROWS:
            lines.append(Line(f"2028{i:016d}", when, -(paid // 20), "服务费", remark=f"淘宝客佣金代扣款{{{no}}}"))
    i = 0
    while len(lines) < ROWS:
        when = start + dt.timedelta(seconds=i * 61)
        if i % 2:
            lines.append(Line(f"2029{i:016d}", when, -100000, "提现", remark="提现到银行卡"))
        else:
            lines.append(Line(f"2029{i:016d}", when, 1234, "在线支付", f"T200P8{i:018d}"))
        i += 1
    for k in range(0, len(orders), 5000):
        Order.objects.bulk_create(orders[k : k + 5000])
    return alipay_csv(lines[:ROWS])


def csv_rate(raw: bytes) -> tuple[float, int]:
    start = time.perf_counter()
    rows = 0
    for _row in csv.reader(io.StringIO(raw.decode("gbk"), newline="")):
        rows += 1
    return time.perf_counter() - start, rows


def run() -> Result:
    company = data.company()
    shop = next(s for s in company.shops if s.platform_id == "taobao")
    cleanup(shop)
    raw = build(shop)
    size = f"{ROWS:,} statement lines (Alipay 账务明细, GBK CSV, {len(raw) / 1048576:.1f} MB) over {ROWS // 2:,} orders"
    try:
        base_s, base_rows = min(csv_rate(raw) for _ in range(3))
        start = time.perf_counter()
        result = import_statements(company.manager, shop, [("账务明细.csv", raw)])
        import_s = time.perf_counter() - start
        assert (result.created, result.failed) == (ROWS, 0), (result.summary(), result.errors[:3])
        start = time.perf_counter()
        again = import_statements(company.manager, shop, [("账务明细.csv", raw)])
        again_s = time.perf_counter() - start
        assert (again.created, again.duplicates) == (0, ROWS), again.summary()
        states = dict(StatementEntry.objects.filter(shop=shop).values_list("match").annotate(n=Count("pk")).order_by())
    finally:
        cleanup(shop)
    rate, base_rate = ROWS / import_s, base_rows / base_s
    return Result(
        name="finance_alipay_import",
        value=round(rate),
        unit="rows/s",
        size=size,
        baseline="the csv module reading the same file (GBK decode + csv.reader), in this run",
        baseline_value=round(base_rate),
        goal=GOAL,
        notes=[
            f"import {import_s:.1f} s = {rate:,.0f} rows/s; csv module {base_s:.2f} s = {base_rate:,.0f} rows/s; "
            f"share {rate / base_rate:.0%} (goal ≥ {GOAL:.0%})",
            f"re-import of the same file (all {ROWS:,} already there) {again_s:.1f} s = {ROWS / again_s:,.0f} rows/s",
            f"lines by match state {states}",
        ],
    )
