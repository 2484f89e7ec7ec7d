"""Fund arrival (FIN-3): importing the platforms' money statements and matching their lines to orders.

import_statements(actor, shop, files) reads each file (channels.formats.statements), refuses a file of another
platform whole, skips lines already imported (entry number unique per shop), and writes the new lines in one
transaction per file with their match state decided before the insert:
    income / refund lines of an order: matched when the order's income + refunds on the statements equal
        its paid − refunded amount, else mismatch (every line of that order is flipped together);
    fee lines of an order (commission, 技术服务费): matched;
    a line naming an order number that is not among the shop's orders: unmatched (the queue "matches nothing");
    a withdrawal, or a fee/other line naming no order: none (nothing to match).
Lines that matched nothing are looked at again on every import (the orders may have come in since).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Count

from zhanggui.channels.formats.statements import LAYOUTS, read_file
from zhanggui.channels.formats.types import RowError
from zhanggui.orders.models import Order

from ..models import StatementEntry, StatementImport

M = StatementEntry.Match
MONEY_KINDS = ("income", "refund")
CHUNK = 5000


@dataclass
class StatementResult:
    files: int = 0
    rows: int = 0
    created: int = 0
    duplicates: int = 0
    failed: int = 0
    matched: int = 0
    mismatch: int = 0
    unmatched: int = 0
    layouts: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    def summary(self) -> dict:
        return {
            "files": self.files,
            "rows": self.rows,
            "created": self.created,
            "duplicates": self.duplicates,
            "failed": self.failed,
            "matched": self.matched,
            "mismatch": self.mismatch,
            "unmatched": self.unmatched,
        }


def _chunks(items: list, size: int = CHUNK):
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _raw_in(sql: str, fixed: list, values: list) -> list[tuple]:
    """Rows of `sql` (ending in `IN`) for `values` in chunks, the parameters handed to the driver as they are (the
    ORM's per-parameter preparation costs more than the query on a 200,000-line statement)."""
    found: list[tuple] = []
    with connection.cursor() as cursor:
        for part in _chunks(values):
            cursor.execute(f"{sql} ({', '.join(['%s'] * len(part))})", [*fixed, *part])
            found += cursor.fetchall()
    return found


def _orders(shop, numbers: list[str]) -> dict[str, tuple[int, int]]:
    """{order number: (order id, paid − refunded)} of the shop's orders among `numbers`."""
    table = connection.ops.quote_name(Order._meta.db_table)
    sql = f"SELECT id, platform_order_no, paid_fen, refund_fen FROM {table} WHERE shop_id = %s AND platform_order_no IN"
    return {no: (pk, paid - refund) for pk, no, paid, refund in _raw_in(sql, [shop.pk], numbers)}


def _existing_net(shop, numbers: list[str]) -> dict[str, int]:
    """{order number: income + refunds already on the statements} for `numbers`."""
    table = connection.ops.quote_name(StatementEntry._meta.db_table)
    sql = (
        f"SELECT order_no, SUM(amount_fen) FROM {table} WHERE shop_id = %s AND kind IN ('income', 'refund') "
        f"AND order_no IN"
    )
    found: dict[str, int] = {}
    for part in _chunks(numbers):
        for no, total in _grouped(sql, shop.pk, part):
            found[no] = int(total)
    return found


def _grouped(sql: str, shop_id: int, part: list[str]) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(f"{sql} ({', '.join(['%s'] * len(part))}) GROUP BY order_no", [shop_id, *part])
        return cursor.fetchall()


def _known(shop, ids: list[str]) -> set[str]:
    table = connection.ops.quote_name(StatementEntry._meta.db_table)
    sql = f"SELECT entry_id FROM {table} WHERE shop_id = %s AND entry_id IN"
    return {row[0] for row in _raw_in(sql, [shop.pk], ids)}


COLUMNS = ("shop", "run", "platform", "entry_id", "occurred_at", "kind", "amount_fen", "balance_fen", "counterpart",
           "order_ref", "order_no", "business", "description", "order", "match")  # fmt: skip


def _adapt_time():
    """How a datetime goes to the database as a raw parameter (SQLite stores naive UTC text; PostgreSQL takes it)."""
    ops = connection.ops
    return ops.adapt_datetimefield_value if connection.vendor == "sqlite" else (lambda value: value)


def _insert(rows: list[tuple]) -> None:
    """The new lines in one executemany per chunk: the ORM's per-object work is most of the time of a 200,000-line
    statement, and these rows need none of it (no signals, no defaults to compute, the values already checked)."""
    if not rows:
        return
    meta = StatementEntry._meta
    table = connection.ops.quote_name(meta.db_table)
    names = ", ".join(connection.ops.quote_name(meta.get_field(f).column) for f in COLUMNS)
    sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(COLUMNS))})"
    with connection.cursor() as cursor:
        for part in _chunks(rows, 20000):
            cursor.executemany(sql, part)


def _state(kind: str, order_no: str, order, net_ok: bool) -> str:
    if order is None:
        if kind == "withdrawal" or (not order_no and kind in ("fee", "other")):
            return M.NONE
        return M.UNMATCHED
    if kind in MONEY_KINDS:
        return M.MATCHED if net_ok else M.MISMATCH
    return M.MATCHED


def _import_one(actor, shop, name: str, parsed, result: StatementResult) -> int:
    seen: set[str] = set()
    fresh = []
    known = _known(shop, [e.entry_id for e in parsed.entries])
    for e in parsed.entries:
        if e.entry_id in known or e.entry_id in seen:
            result.duplicates += 1
        else:
            seen.add(e.entry_id)
            fresh.append(e)
    numbers = sorted({e.order_no for e in fresh if e.order_no})
    orders = _orders(shop, numbers)
    net = _existing_net(shop, [n for n in numbers if n in orders])
    for e in fresh:
        if e.order_no in orders and e.kind in MONEY_KINDS:
            net[e.order_no] = net.get(e.order_no, 0) + e.amount_fen
    ok = {no: net.get(no, 0) == expected for no, (_pk, expected) in orders.items()}
    platform = shop.platform_id
    with transaction.atomic():
        run = StatementImport.objects.create(
            shop=shop,
            layout=parsed.layout,
            file_name=name[:200],
            rows=len(parsed.entries) + len(parsed.errors),
            created=len(fresh),
            duplicates=len(parsed.entries) - len(fresh),
            failed=len(parsed.errors),
            errors=[[e.line, e.reason] for e in parsed.errors[:200]],
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        rows = []
        adapt = _adapt_time()
        shop_id, run_id = shop.pk, run.pk
        for e in fresh:
            order = orders.get(e.order_no)
            state = _state(e.kind, e.order_no, order, ok.get(e.order_no, False))
            rows.append((shop_id, run_id, platform, e.entry_id, adapt(e.occurred_at), e.kind, e.amount_fen,
                         e.balance_fen, e.counterpart, e.order_ref, e.order_no, e.business, e.description,
                         order[0] if order else None, state))  # fmt: skip
        _insert(rows)
        # the earlier lines of the same orders follow the new total
        touched = [no for no in numbers if no in orders]
        for state, wanted in ((M.MATCHED, True), (M.MISMATCH, False)):
            group = [no for no in touched if ok[no] is wanted]
            for part in _chunks(group):
                StatementEntry.objects.filter(shop=shop, order_no__in=part, kind__in=MONEY_KINDS).exclude(
                    match=state
                ).update(match=state)
    result.created += len(fresh)
    return run.pk


def rematch(shop, runs: list[int] | None = None) -> int:
    """Lines that matched nothing, looked at again (their orders may have been imported since). Returns how many
    found their order. Then every order of those lines is settled again."""
    loose = StatementEntry.objects.filter(shop=shop, match=M.UNMATCHED).exclude(order_no="")
    if runs:
        loose = loose.exclude(run_id__in=runs)  # just imported: already looked for
    loose = list(loose.values_list("id", "order_no"))
    orders = _orders(shop, sorted({no for _pk, no in loose}))
    found = [(pk, no) for pk, no in loose if no in orders]
    for pk, no in found:
        StatementEntry.objects.filter(pk=pk).update(order_id=orders[no][0], match=M.MATCHED)
    settle(shop, sorted({no for _pk, no in found}))
    return len(found)


def settle(shop, numbers: list[str]) -> None:
    """Recompute matched / mismatch for the money lines of these orders (after a refund or a late order)."""
    orders = _orders(shop, numbers)
    net = _existing_net(shop, list(orders))
    for no, (_pk, expected) in orders.items():
        state = M.MATCHED if net.get(no, 0) == expected else M.MISMATCH
        StatementEntry.objects.filter(shop=shop, order_no=no, kind__in=MONEY_KINDS).exclude(match=state).update(
            match=state
        )


def import_statements(actor, shop, files: list[tuple[str, object]]) -> StatementResult:
    """FIN-3: import statement files of one shop. Bad rows are reported (file, line, Chinese reason) and the good
    rows kept; a file that cannot be read or belongs to another platform is refused whole."""
    result = StatementResult()
    runs: list[int] = []
    platform = shop.platform_id
    for name, data in files:
        parsed = read_file(name, data, platform)
        result.files += 1
        result.rows += len(parsed.entries) + len(parsed.errors)
        result.errors.extend(parsed.errors)
        result.failed += len(parsed.errors)
        if not parsed.layout:
            continue
        label = LAYOUTS[parsed.layout]["label"]
        if label not in result.layouts:
            result.layouts.append(label)
        runs.append(_import_one(actor, shop, name, parsed, result))
    rematch(shop, runs)
    counts = defaultdict(int)
    for state, n in (
        StatementEntry.objects.filter(shop=shop).values("match").annotate(n=Count("id")).values_list("match", "n")
    ):
        counts[state] = n
    result.matched, result.mismatch, result.unmatched = counts[M.MATCHED], counts[M.MISMATCH], counts[M.UNMATCHED]
    return result
