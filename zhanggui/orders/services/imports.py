"""Writing what the export-file readers produce (ORD-1, ORD-4, ORD-9): bulk, idempotent, every row accounted for.

`import_parsed(actor, shop, result, files)` writes a `ReadResult` (orders of one shop) in batches of BATCH orders,
each batch in its own transaction, with a handful of queries per batch and never one per row:

- PostgreSQL: `COPY` into a TEMP staging table, then ONE set-based `INSERT … SELECT … ON CONFLICT (shop_id,
  platform_order_no) DO UPDATE … WHERE fingerprint differs RETURNING id, (xmax = 0)` — created vs updated; orders
  not returned are unchanged. SQLite: `executemany` of the same upsert.
- 商家编码 → Sku: one array query per batch for the codes not seen earlier in the run (_match_skus memo); lines
  and timeline events by COPY; the consequences only for orders whose state changed (_moves).
- import_files runs a big import in two processes side by side, each reading and writing a disjoint share of the
  orders (import_stream).
- The unique constraint on (shop, platform order number) decides: two imports of one file at once create each order
  exactly once (ORD-1 item 3). A crash halfway loses no committed batch; a re-run completes the rest.
- fingerprint = sha1 of the imported fields (order and lines): a re-import of the same file changes nothing
  (created 0, updated 0, unchanged n).

What an update may change (ORD-1 "updates orders (status, remarks, tracking, refund amounts)"): the platform status
and our state, seller remark, buyer message, carrier and tracking number, paid and refund amounts, paid / shipped /
completed / closed times, the platform risk hold. Receiver, address and amounts are the order as it was bought:
written when the order is created, then edited only here (ORD-7). Empty platform values (remark, tracking, times)
never wipe what we have.

The state rule (`_STATE_SQL`): states are ranked pending_payment < paid-not-shipped (to_review = approved = to_ship)
< part_shipped < shipped < signed < completed < closed. The platform's state is taken only when it ranks HIGHER than
ours; otherwise our state stays. So the platform saying shipped / completed / closed moves the order on, while an
order our people reviewed (approved) stays approved when the platform still says 待发货, and nothing moves backwards
(an older file re-imported after a newer one changes no state). Holds: a platform risk hold (ORD-9 exc_risk) puts a
not-yet-shipped order on hold (state_before_hold = the merged state) and lifts when the platform lifts it; a hold
our people set stays until the platform reports the order shipped or closed.

Lines (ORD-1 item 5, ORD-9): matched to a Sku by 商家编码 (Sku.code), then barcode, in one query per batch; an
unmatched line keeps the platform's text with sku NULL and puts the order in the unmatched-SKU queue. Lines are
written for created orders and replaced for updated orders whose lines differ in the file.

Consequences (ORD-4; rule 3 of the house): the batch's state changes (order, before, after) go to the ONE owner,
states.apply_moves, set-based: a newly paid order reserves its matched lines under `order:<pk>` (too little stock,
or none to reserve from, sets exc_out_of_stock, ORD-9 — never an import failure); an order that became closed
releases its reservation; an order the platform reports shipped while it still holds a reservation was shipped in
the seller centre: the reservation is committed against the platform's tracking number; fulfilment cancels the
packages of closed and shipped-elsewhere orders (OrdersMoved).
"""

from __future__ import annotations

import gc
import hashlib
import operator
from collections import defaultdict
from dataclasses import fields as dc_fields
from pathlib import Path

from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhanggui.catalog.models import Sku
from zhanggui.channels.formats import reader
from zhanggui.channels.formats.types import CHECK_COLUMNS, ParsedLine, ParsedOrder, ReadResult, RowError
from zhanggui.core import clock
from zhanggui.core.domain_events import OrderMove, OrdersImported, publish
from zhanggui.core.errors import DomainError
from zhanggui.core.events import record_events, register_event_kinds
from zhanggui.core.models import Event
from zhanggui.core.pinyin import person_initials

from ..models import ImportRun, Order, OrderLine
from . import customers, refund_reports, states
from .import_report import error_report

BATCH = 2000

register_event_kinds(
    {"order_imported": _("imported from export file"), "order_import_updated": _("updated from export file")}
)

S = Order.State
# Ranks of the state rule (see the module docstring). Ties keep our state.
_RANK = {
    S.PENDING_PAYMENT: 0,
    S.TO_REVIEW: 1,
    S.APPROVED: 1,
    S.TO_SHIP: 1,
    S.PART_SHIPPED: 2,
    S.SHIPPED: 3,
    S.SIGNED: 4,
    S.COMPLETED: 5,
    S.CLOSED: 6,
}
_SHIPPED_RANK = 2  # from here on a hold cannot stop the goods
KNOWN_STATES = set(_RANK) | {S.ON_HOLD}
RISK_REASON = "平台风控/锁定"
RELEASE_NOTE = "导入：平台订单已关闭，释放预留"

LINE_COLUMNS = [
    "order_id",
    "line_no",
    "sku_id",
    "outer_code",
    "title",
    "properties",
    "unit_price_fen",
    "quantity",
    "paid_fen",
    "shipped_qty",
]
_MAX = {f.name: f.max_length for f in Order._meta.concrete_fields if getattr(f, "max_length", None)}
_LINE_MAX = {f.name: f.max_length for f in OrderLine._meta.concrete_fields if getattr(f, "max_length", None)}
# refund_open is not copied: it becomes exc_refund (_SET) and enters the fingerprint only when set (fingerprint)
_NOT_COPIED = ("lines", "source_file", "source_line", "refund_open")
_PARSED_FIELDS = [f.name for f in dc_fields(ParsedOrder) if f.name not in _NOT_COPIED]
_SET = (
    "shop_id", "state", "state_before_hold", "hold_reason", "exc_risk", "exc_address", "exc_unmatched",
    "exc_refund", "exc_no_lines", "phone_last4", "source", "fingerprint", "version", "created_at", "updated_at",
    "customer_id", "import_run_id", "receiver_initials", "buyer_initials",
)  # fmt: skip
_BY_COLUMN = {f.column: f for f in Order._meta.concrete_fields if f.name != "id"}
# An imported order's row is a list in _ORDER_COLUMNS order, built in one go (_order_row): first the fields the
# reader gives as they are (plain columns: name = column), then those the import decides (_SET), then the defaults.
_COPIED = [n for n in _PARSED_FIELDS if n in _BY_COLUMN and n not in _SET]
_ORDER_COLUMNS = [*_COPIED, *_SET, *(c for c in _BY_COLUMN if c not in _COPIED and c not in _SET)]
_ORDER_FIELDS = [_BY_COLUMN[c] for c in _ORDER_COLUMNS]


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


# ---------------------------------------------------------------------------------------------------------------
# The upsert (ORD-1): shared SET clause with the state rule, PostgreSQL and SQLite flavours
# ---------------------------------------------------------------------------------------------------------------


def _rank_sql(expr: str) -> str:
    whens = " ".join(f"WHEN '{state}' THEN {rank}" for state, rank in _RANK.items())
    return f"(CASE {expr} {whens} ELSE 0 END)"


def _set_clause() -> str:
    t = _q(Order._meta.db_table)
    col = lambda name: f"{t}.{_q(name)}"  # noqa: E731 — the existing row
    ex = lambda name: f"excluded.{_q(name)}"  # noqa: E731 — the imported row
    local = f"(CASE WHEN {col('state')} = 'on_hold' THEN {col('state_before_hold')} ELSE {col('state')} END)"
    plat = f"(CASE WHEN {ex('state')} = 'on_hold' THEN {ex('state_before_hold')} ELSE {ex('state')} END)"
    # ORD-1 state rule: the platform's state only when it ranks higher than ours — never backwards.
    merged = f"(CASE WHEN {_rank_sql(plat)} > {_rank_sql(local)} THEN {plat} ELSE {local} END)"
    # ORD-9: a platform risk hold, or a hold of ours, holds an order the goods have not left for.
    hold = (
        f"(({ex('exc_risk')} OR ({col('state')} = 'on_hold' AND NOT {col('exc_risk')})) "
        f"AND {_rank_sql(merged)} < {_SHIPPED_RANK})"
    )
    keep_text = lambda name: f"COALESCE(NULLIF({ex(name)}, ''), {col(name)})"  # noqa: E731
    keep = lambda name: f"COALESCE({ex(name)}, {col(name)})"  # noqa: E731
    sets = {
        "platform_status": ex("platform_status"),
        "state": f"CASE WHEN {hold} THEN 'on_hold' ELSE {merged} END",
        "state_before_hold": f"CASE WHEN {hold} THEN {merged} ELSE '' END",
        "hold_reason": (
            f"CASE WHEN NOT {hold} THEN '' WHEN {col('state')} = 'on_hold' AND {col('hold_reason')} <> '' "
            f"THEN {col('hold_reason')} ELSE {ex('hold_reason')} END"
        ),
        "exc_risk": ex("exc_risk"),
        # ORD-9 退款申请: as the export now says, and never for an order completed or closed (its refund ended)
        "exc_refund": f"({ex('exc_refund')} AND {_rank_sql(merged)} < {_RANK[S.COMPLETED]})",
        "seller_remark": keep_text("seller_remark"),
        "buyer_message": keep_text("buyer_message"),
        "carrier": keep_text("carrier"),
        "tracking_no": keep_text("tracking_no"),
        "paid_fen": ex("paid_fen"),
        "refund_fen": ex("refund_fen"),
        "paid_at": keep("paid_at"),
        "shipped_at": keep("shipped_at"),
        "completed_at": keep("completed_at"),
        "closed_at": keep("closed_at"),
        "fingerprint": ex("fingerprint"),
        "version": f"{col('version')} + 1",
        "updated_at": ex("updated_at"),
    }
    assignments = ", ".join(f"{_q(name)} = {expr}" for name, expr in sets.items())
    return (
        f"ON CONFLICT ({_q('shop_id')}, {_q('platform_order_no')}) DO UPDATE SET {assignments} "
        f"WHERE {col('fingerprint')} <> {ex('fingerprint')}"
    )


_SQL_CACHE: dict[str, str] = {}


def _upsert_sql() -> str:
    key = connection.vendor
    if key not in _SQL_CACHE:
        t = _q(Order._meta.db_table)
        cols = ", ".join(_q(c) for c in _ORDER_COLUMNS)
        if key == "postgresql":
            _SQL_CACHE[key] = (
                f"INSERT INTO {t} ({cols}) SELECT {cols} FROM zg_order_stage {_set_clause()} "
                f"RETURNING {_q('id')}, {_q('platform_order_no')}, {_q('state')}, {_q('state_before_hold')}, (xmax = 0)"
            )
        else:
            marks = ", ".join(["%s"] * len(_ORDER_COLUMNS))
            _SQL_CACHE[key] = f"INSERT INTO {t} ({cols}) VALUES ({marks}) {_set_clause()}"
    return _SQL_CACHE[key]


_COPY_TYPES: dict[tuple, list[int]] = {}


def copy_rows(cursor, table: str, columns: list[str], rows) -> None:
    """PostgreSQL: COPY `rows` (sequences in `columns` order) into `table` in the binary format — no text escaping
    on our side, no parsing on the server's: about 2.5× faster than text COPY for the 49 columns of an order. The
    column types come from the catalog, once per process and table (a temp table: looked up by its name)."""
    key = (table, *columns)
    if key not in _COPY_TYPES:
        cursor.execute(
            "SELECT attname, atttypid FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0", [table]
        )
        types = dict(cursor.fetchall())
        _COPY_TYPES[key] = [types[column] for column in columns]
    cols = ", ".join(_q(c) for c in columns)
    # the raw psycopg cursor: wrap its errors as Django's (a unique violation is an IntegrityError to callers)
    with (
        connection.wrap_database_errors,
        cursor.cursor.copy(f"COPY {_q(table)} ({cols}) FROM STDIN (FORMAT BINARY)") as copy,
    ):
        copy.set_types(_COPY_TYPES[key])
        for row in rows:
            copy.write_row(row)


# ---------------------------------------------------------------------------------------------------------------
# Rows
# ---------------------------------------------------------------------------------------------------------------


def _cut(value, limit):
    return value[:limit] if isinstance(value, str) and limit else value


_order_values = operator.attrgetter(*_PARSED_FIELDS)
_line_values_of = operator.attrgetter(*(f.name for f in dc_fields(ParsedLine)))


def fingerprint(order: ParsedOrder) -> str:
    """sha1 of the imported fields of the order and its lines (ORD-1: unchanged rows are skipped). The same text
    as ever (repr of each field, then of each line's tuple): stored fingerprints stay valid."""
    parts = list(map(repr, _order_values(order)))
    parts.extend(repr(_line_values_of(line)) for line in order.lines)
    if order.refund_open:  # only when set: the fingerprints stored before the refund queue stay valid
        parts.append("refund_open")
    return hashlib.sha1("\x1f".join(parts).encode()).hexdigest()


def _digits_last4(phone: str) -> str:
    if phone.isdigit():  # the usual case: the reader already dropped ' - and spaces
        return phone[-4:]
    digits = "".join(ch for ch in phone or "" if ch.isdigit())
    return digits[-4:]


def _check(order: ParsedOrder) -> RowError | None:
    where = dict(file=order.source_file, line=order.source_line, order_no=order.platform_order_no)
    if not (order.platform_order_no or "").strip():
        return RowError(column=CHECK_COLUMNS["order_no"], reason="缺少订单号", **where)
    if order.state not in KNOWN_STATES:
        reason = f"未知订单状态：{order.platform_status or '（空）'}"
        return RowError(column=CHECK_COLUMNS["state"], reason=reason, **where)
    if len(order.platform_order_no) > _MAX["platform_order_no"]:
        return RowError(column=CHECK_COLUMNS["order_no"], reason="订单号过长", **where)
    for line in order.lines:
        if line.quantity is None or line.quantity < 1:
            return RowError(column=CHECK_COLUMNS["quantity"], reason=f"第 {line.line_no} 行商品数量必须大于 0", **where)
    return None


_COL = {column: i for i, column in enumerate(_ORDER_COLUMNS)}
_DEFAULTS = [f.get_default() for f in _ORDER_FIELDS[len(_COPIED) + len(_SET) :]]  # all scalars
_copied_values = operator.attrgetter(*_COPIED)
_LIMITS = [_MAX.get(name, 0) for name in _COPIED]  # 0: no limit (_cut)
_CUT = [name for name in _COPIED if name in _MAX]
_cut_values, _CUT_LIMITS = operator.attrgetter(*_CUT), [_MAX[name] for name in _CUT]
NO, STATE, HELD, FP = (_COL[c] for c in ("platform_order_no", "state", "state_before_hold", "fingerprint"))
PAID = _COL["paid_at"]


def _copied(order: ParsedOrder):
    """The reader's values as the order row takes them; text longer than its column cut to fit (checked in C: the
    values that do not fit are rare)."""
    values = _copied_values(order)
    try:
        fits = not any(map(operator.gt, map(len, _cut_values(order)), _CUT_LIMITS))
    except TypeError:  # None in a text field (an order built by hand): the slow path sorts it out
        fits = False
    if fits:
        return values
    return [_cut(v, limit) for v, limit in zip(values, _LIMITS, strict=True)]


def _order_row(
    order: ParsedOrder, shop_id: int, sku_of: dict, now, run_id: int | None = None, customer_of: dict | None = None
) -> list:
    """The column values of one imported order, in _ORDER_COLUMNS order (created-order values; the SET clause
    decides what an update takes). A list, not a dict: it goes to COPY as it is. `customer_of`: {order number:
    customer id} (CRM-1, customers.customers_by_number)."""
    state = order.state
    risk = bool(order.risk_hold)
    if state == S.ON_HOLD:  # the mapping itself says hold (锁定 / 审核中)
        risk, state = True, S.TO_REVIEW
    held = risk and _RANK.get(state, 0) < _SHIPPED_RANK
    paid_unshipped = _RANK.get(state, 0) == _RANK[S.TO_REVIEW]
    return [
        *_copied(order),
        # _SET, in its order
        shop_id,
        S.ON_HOLD if held else state,
        state if held else "",
        RISK_REASON if held else "",
        risk,
        not order.address_ok,  # ORD-9 address queue
        any(sku_of.get(line.outer_code) is None for line in order.lines),  # ORD-9 unmatched queue
        order.refund_open and _RANK.get(state, 0) < _RANK[S.COMPLETED],  # ORD-9 退款申请
        paid_unshipped and not order.lines,  # ORD-9 无商品明细: paid, nothing to pick (no 宝贝报表)
        _digits_last4(order.receiver_phone),  # ORD-6
        Order.Source.IMPORT,
        fingerprint(order),
        1,
        now,
        now,
        customer_of.get(order.platform_order_no) if customer_of else None,
        run_id,  # the order's "imported" timeline entry is its import run (selectors.timeline)
        person_initials(order.receiver_name),
        person_initials(order.buyer_nick),  # ORD-6, a lookup per character
        *_DEFAULTS,
    ]


def _line_values(order: ParsedOrder, sku_of: dict) -> list[tuple]:
    return [
        (
            line.line_no,
            sku_of.get(line.outer_code),
            _cut(line.outer_code, _LINE_MAX["outer_code"]),
            _cut(line.title, _LINE_MAX["title"]),
            _cut(line.properties, _LINE_MAX["properties"]),
            line.unit_price_fen,
            line.quantity,
            line.paid_fen,
        )
        for line in order.lines
    ]


def _match_skus(orders: list[ParsedOrder], known: dict[str, int | None] | None = None) -> dict[str, int]:
    """ORD-1 item 5: {outer code: Sku id} — by 商家编码 first, then barcode; at most ONE query per batch. `known`:
    the run's memo {code: Sku id or None} — the codes of earlier batches are not asked again."""
    known = {} if known is None else known
    codes = {line.outer_code for o in orders for line in o.lines if line.outer_code}
    todo = [c for c in codes if c not in known]
    if todo:
        by_code, by_barcode = {}, {}
        if connection.vendor == "postgresql":  # two array parameters, not 2 × n placeholders to parse and plan
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT id, code, barcode FROM {_q(Sku._meta.db_table)} WHERE code = ANY(%s) OR barcode = ANY(%s)",
                    [todo, todo],
                )
                found = cursor.fetchall()
        else:
            found = Sku.objects.filter(Q(code__in=todo) | Q(barcode__in=todo)).values_list("pk", "code", "barcode")
        for pk, code, barcode in found:
            by_code[code] = pk
            if barcode:
                by_barcode[barcode] = pk
        for c in todo:
            known[c] = by_code.get(c) or by_barcode.get(c)
    return {c: known[c] for c in codes if known[c]}


# ---------------------------------------------------------------------------------------------------------------
# One batch, one transaction
# ---------------------------------------------------------------------------------------------------------------


class _Batch:
    def __init__(self, run: ImportRun, actor, orders: list[ParsedOrder], default_file: str, skus: dict | None = None):
        self.run, self.actor, self.orders, self.default_file = run, actor, orders, default_file
        self.skus = skus  # the run's memo of matched 商家编码 (_match_skus)
        self.shop_id = run.shop_id
        self.now = clock.now()

    def _before(self) -> dict[str, tuple]:
        """{order no: (id, state, state_before_hold, fingerprint, exc_out_of_stock, paid_at)} of the orders that exist;
        locked on PostgreSQL so that a person's state change and this import queue up instead of overwriting."""
        numbers = [o.platform_order_no for o in self.orders]
        if connection.vendor == "postgresql":  # one array parameter, not 2,000 placeholders to plan
            with connection.cursor() as cursor:
                # One unique-index probe per number (LATERAL): with `= ANY` the planner, whose statistics lag
                # behind a big import, may scan every order of the shop instead — quadratic in the import size.
                cursor.execute(
                    "SELECT o.id, o.platform_order_no, o.state, o.state_before_hold, o.fingerprint, o.exc_out_of_stock,"
                    f" o.paid_at FROM unnest(%s::varchar[]) AS n(no) CROSS JOIN LATERAL (SELECT * FROM "
                    f"{_q(Order._meta.db_table)} WHERE shop_id = %s AND platform_order_no = n.no FOR UPDATE) o",
                    [numbers, self.shop_id],
                )
                return {no: (pk, *rest) for pk, no, *rest in cursor.fetchall()}
        qs = Order.objects.filter(shop_id=self.shop_id, platform_order_no__in=numbers)
        names = ("state", "state_before_hold", "fingerprint", "exc_out_of_stock", "paid_at")
        return {no: (pk, *rest) for pk, no, *rest in qs.values_list("pk", "platform_order_no", *names)}

    def write(self) -> dict:
        before = self._before()
        sku_of = _match_skus(self.orders, self.skus)
        customer_of = customers.customers_by_number(self.shop_id, self.orders, known=before)  # CRM-1
        rows = [_order_row(o, self.shop_id, sku_of, self.now, self.run.pk, customer_of) for o in self.orders]
        # {order no: (id, state, state_before_hold, inserted)} of the orders created or updated
        pg = connection.vendor == "postgresql"
        changed = self._write_pg(rows, before) if pg else self._upsert_sqlite(rows, before)
        by_no = {o.platform_order_no: o for o in self.orders}
        created = {no: v for no, v in changed.items() if v[3]}
        updated = {no: v for no, v in changed.items() if not v[3]}
        lines = self._write_lines(by_no, created, updated, sku_of)
        self._events(by_no, before, updated)
        self._moves(before, changed)
        refund_reports.report_batch(self.actor, self.shop_id, self.orders, changed)  # AS-2, ORD-9: after commit
        count = {"created": len(created), "updated": len(updated), "unchanged": len(self.orders) - len(changed)}
        return {**count, "lines": lines, "days": _paid_days(rows, before, changed)}

    # -- orders

    def _write_pg(self, rows: list[list], before: dict) -> dict:
        """New orders straight into the table by COPY (ids drawn from its sequence first); orders that exist and
        changed through the staging upsert; unchanged ones (fingerprint as stored — locked by _before) not at all.
        When a concurrent import created some of the new ones after _before looked, the unique constraint refuses
        the COPY: its savepoint is undone and the whole batch takes the upsert, which sorts it out row by row."""
        new = [row for row in rows if row[NO] not in before]
        changed = self._copy_new(new) if new else {}
        if changed is None:
            before.update(self._before())  # what the other import wrote: those orders are updates now
            changed = {}
            todo = [row for row in rows if row[NO] not in before or before[row[NO]][3] != row[FP]]
        else:
            todo = [row for row in rows if row[NO] in before and before[row[NO]][3] != row[FP]]
        if todo:
            changed.update(self._upsert_pg(todo))
        return changed

    def _copy_new(self, rows: list[list]) -> dict | None:
        table = Order._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, len(rows)]
            )
            ids = [pk for (pk,) in cursor.fetchall()]
            try:
                with transaction.atomic():
                    copy_rows(
                        cursor, table, ["id", *_ORDER_COLUMNS], ((pk, *row) for pk, row in zip(ids, rows, strict=True))
                    )
            except IntegrityError:
                return None
        return {row[NO]: (pk, row[STATE], row[HELD], True) for pk, row in zip(ids, rows, strict=True)}

    def _upsert_pg(self, rows: list[list]) -> dict:
        cols = ", ".join(_q(c) for c in _ORDER_COLUMNS)
        with connection.cursor() as cursor:
            cursor.execute(
                f"CREATE TEMP TABLE IF NOT EXISTS zg_order_stage ON COMMIT DROP AS "
                f"SELECT {cols} FROM {_q(Order._meta.db_table)} WITH NO DATA"
            )
            cursor.execute("TRUNCATE zg_order_stage")
            copy_rows(cursor, "zg_order_stage", _ORDER_COLUMNS, rows)
            cursor.execute(_upsert_sql())
            return {no: (pk, state, held, inserted) for pk, no, state, held, inserted in cursor.fetchall()}

    def _upsert_sqlite(self, rows: list[list], before: dict) -> dict:
        adapt = connection.ops.adapt_datetimefield_value
        dates = [i for i, f in enumerate(_ORDER_FIELDS) if f.get_internal_type() == "DateTimeField"]
        params = []
        for row in rows:
            values = row.copy()
            for i in dates:
                if values[i] is not None:
                    values[i] = adapt(values[i])
            params.append(values)
        with connection.cursor() as cursor:
            cursor.executemany(_upsert_sql(), params)
        # SQLite writes one transaction at a time (IMMEDIATE): what we read before is what we changed.
        todo = [row[NO] for row in rows if row[NO] not in before or before[row[NO]][3] != row[FP]]
        if not todo:
            return {}
        now = Order.objects.filter(shop_id=self.shop_id, platform_order_no__in=todo).values_list(
            "platform_order_no", "pk", "state", "state_before_hold"
        )
        return {no: (pk, state, held, no not in before) for no, pk, state, held in now}

    # -- lines (ORD-1 item 5, ORD-9)

    def _write_lines(self, by_no: dict, created: dict, updated: dict, sku_of: dict) -> int:
        todo: dict[int, list[tuple]] = {pk: _line_values(by_no[no], sku_of) for no, (pk, *_rest) in created.items()}
        if updated:
            stored = defaultdict(list)
            ids = [v[0] for v in updated.values()]
            for order_id, *values in OrderLine.objects.filter(order_id__in=ids).values_list(
                "order_id", "line_no", "outer_code", "title", "properties", "unit_price_fen", "quantity", "paid_fen"
            ):
                stored[order_id].append(tuple(values))
            replace = []
            for no, (pk, *_rest) in updated.items():
                new = _line_values(by_no[no], sku_of)
                if not new:  # ORD-1: a report without its 宝贝报表 says nothing of the lines: keep ours
                    continue
                if sorted(stored.get(pk, [])) != sorted((v[0], *v[2:]) for v in new):
                    replace.append(pk)
                    todo[pk] = new
            if replace:
                OrderLine.objects.filter(order_id__in=replace).delete()
        rows = [(order_id, *values, 0) for order_id, values_list in todo.items() for values in values_list]
        if rows and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                copy_rows(cursor, OrderLine._meta.db_table, LINE_COLUMNS, rows)
        elif rows:
            cols = ", ".join(_q(c) for c in LINE_COLUMNS)
            marks = ", ".join(["%s"] * len(LINE_COLUMNS))
            with connection.cursor() as cursor:
                cursor.executemany(f"INSERT INTO {_q(OrderLine._meta.db_table)} ({cols}) VALUES ({marks})", rows)
        if updated:  # ORD-9: the unmatched and no-lines queues follow the lines as they now are
            t, lt = _q(Order._meta.db_table), _q(OrderLine._meta.db_table)
            ids = [v[0] for v in updated.values()]
            marks = ", ".join(["%s"] * len(ids))
            state = f"(CASE WHEN {t}.state = 'on_hold' THEN {t}.state_before_hold ELSE {t}.state END)"
            paid = ", ".join(f"'{s}'" for s in (S.TO_REVIEW, S.APPROVED, S.TO_SHIP))
            with connection.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {t} SET exc_unmatched = EXISTS (SELECT 1 FROM {lt} l WHERE l.order_id = {t}.id "
                    f"AND l.sku_id IS NULL), exc_no_lines = ({state} IN ({paid}) AND NOT EXISTS (SELECT 1 FROM {lt} l "
                    f"WHERE l.order_id = {t}.id)) WHERE id IN ({marks})",
                    ids,
                )
        return len(rows)

    # -- timeline

    def _events(self, by_no: dict, before: dict, updated: dict) -> None:
        """One timeline entry per updated order (a created order's entry is its import run: Order.import_run).
        PostgreSQL: one COPY into the timeline table (the rows record_events would write, without building 2,000
        model instances); SQLite: record_events."""
        rows = []
        label = states.state_label
        for no, (pk, state, *_rest) in updated.items():
            old = before.get(no, (None, ""))[1]
            note = f"导入 {by_no[no].source_file or self.default_file}"
            rows.append((pk, no, "order_import_updated", label(old) if old else "", label(state), note))
        if not rows:
            return
        if connection.vendor != "postgresql":
            shop_id = self.shop_id
            record_events(
                self.actor, [(Order(pk=pk, shop_id=shop_id, platform_order_no=no), *r) for pk, no, *r in rows]
            )
            return
        actor = self.actor if getattr(self.actor, "is_authenticated", False) else None
        actor_id, number = (actor.pk, getattr(actor, "number", "")) if actor else (None, "")
        content_type = ContentType.objects.get_for_model(Order).pk
        at = timezone.now()  # what Event.at's auto_now_add would write
        cols = ["at", "actor_id", "actor_number", "shop_id", "content_type_id", "object_id", "object_label", "kind"]
        cols += ["from_state", "to_state", "note", "data"]
        values = [
            (at, actor_id, number, self.shop_id, content_type, str(pk), no[:200], kind, from_state, to_state, note, {})
            for pk, no, kind, from_state, to_state, note in rows
        ]
        with connection.cursor() as cursor:
            copy_rows(cursor, Event._meta.db_table, cols, values)

    # -- the consequences of the state changes (ORD-4; rule 3 of the house: one owner, states.apply_moves)

    def _moves(self, before: dict, changed: dict) -> None:
        """Hand the batch's state changes (order, before, after) to the one owner of their consequences — stock
        reserved, released or committed, packages created or cancelled — set-based, in the batch's transaction."""
        moves = []
        for no, (pk, state, held, _inserted) in changed.items():
            old = before.get(no)
            if (old is not None and old[1] == state) or states.is_history(old[1] if old else "", state):
                continue
            order = Order(
                pk=pk,
                shop_id=self.shop_id,
                platform_order_no=no,
                state=state,
                state_before_hold=held or "",
                exc_out_of_stock=old[4] if old else False,
            )
            moves.append(OrderMove(order, old[1] if old else "", state))
        states.apply_moves(self.actor, moves, note=RELEASE_NOTE, strict_stock=False, by_import=True)


def _paid_days(rows: list[list], before: dict, changed: dict) -> set:
    """DATA-2: the Beijing paid days, before and after, of the orders created or changed (OrdersImported.days)."""
    paid = {r[PAID] for r in rows if r[NO] in changed} | {before[no][5] for no in changed if no in before}
    return {clock.local(at).date() for at in paid if at is not None}


# ---------------------------------------------------------------------------------------------------------------
# The run
# ---------------------------------------------------------------------------------------------------------------


def _batches(result: ReadResult, batch: int):
    """The orders of `result` in batches: its stream (reader.stream_files) or its list, cut into `batch`."""
    if result.batches is not None:
        for chunk in result.batches:
            for start in range(0, len(chunk), batch):
                yield chunk[start : start + batch]
        return
    good: dict[str, ParsedOrder] = {}
    for order in result.orders:
        good[order.platform_order_no] = order  # the same order twice in a hand-made list: the later row wins
    orders = list(good.values())
    for start in range(0, len(orders), batch):
        yield orders[start : start + batch]


def import_parsed(actor, shop, result: ReadResult, files: list[str], *, batch: int = BATCH, progress=None) -> ImportRun:
    """ORD-1: write the orders of `result` into `shop` in batches of `batch`, each in its own transaction.

    `result` is a ReadResult with its orders in a list (read_files) or streamed (stream_files: consumed here, once;
    memory stays flat in the file size). Bad rows (the reader's RowErrors, unknown states, a batch the database
    refused) are reported in an XLSX (文件, 行号, 列, 原因, 订单号) saved on ImportRun.report; the counts are saved
    on the run. `progress(done, total)` is called after each batch (the background job's progress bar, the CLI's
    lines); total is the reader's estimate while streaming (never below done), the exact count otherwise."""
    run = _start_run(actor, shop, files, result.format)
    total = result.estimate if result.batches is not None else len({o.platform_order_no for o in result.orders})
    report = (lambda seen: progress(seen, max(total or 0, seen))) if progress else None
    counts, errors = _write_all(run, actor, result, _default_file(files), batch, report)
    run.notes = "\n".join(result.notices)
    return _finish_run(run, actor, counts, list(result.errors) + errors)  # a stream's errors are complete now


def _start_run(actor, shop, files: list[str], format_: str | None) -> ImportRun:
    return ImportRun.objects.create(
        shop=shop,
        files="、".join(files)[:500],
        format=(format_ or "")[:40],
        actor=actor if getattr(actor, "is_authenticated", False) else None,
    )


def _default_file(files: list[str]) -> str:
    return files[0] if len(files) == 1 else "、".join(files)


def _write_all(run: ImportRun, actor, result: ReadResult, default_file: str, batch: int, report=None):
    """Every batch of `result`, each in its own transaction: ({created, updated, unchanged, lines}, the rows the
    checks or the database refused). `report(seen)` after each batch.

    Meanwhile what existed before is frozen out of the garbage collector's walks: a big import allocates enough to
    set off full collections, and each would walk the whole application (measured: 0.3–0.4 s per 50,000 orders).
    In a forked process this also keeps the pages it shares with its parent from being copied as they are walked."""
    gc.freeze()
    try:
        return _write_batches(run, actor, result, default_file, batch, report)
    finally:
        gc.unfreeze()


def _write_batches(run: ImportRun, actor, result: ReadResult, default_file: str, batch: int, report=None):
    errors: list[RowError] = []
    counts = {"created": 0, "updated": 0, "unchanged": 0, "lines": 0, "days": []}  # days: DATA-2 (_paid_days)
    seen = 0
    skus: dict[str, int | None] = {}  # 商家编码 → Sku id, matched once per run
    for chunk in _batches(result, max(1, batch)):
        good: dict[str, ParsedOrder] = {}
        for order in chunk:
            problem = _check(order)
            if problem:
                errors.append(problem)
            else:
                good[order.platform_order_no] = order
        seen += len(chunk)
        chunk = list(good.values())
        if chunk:
            try:
                with transaction.atomic():
                    done = _Batch(run, actor, chunk, default_file, skus).write()
            except DatabaseError as exc:  # this batch only; the others stand and a re-run completes it
                for o in chunk:
                    errors.append(
                        RowError(o.source_file, o.source_line, "", f"保存失败，请重新导入：{exc}", o.platform_order_no)
                    )
            else:
                for key in counts:
                    counts[key] += done[key]
        if report:
            report(seen)
    return counts, errors


def _finish_run(run: ImportRun, actor, counts: dict, errors: list[RowError]) -> ImportRun:
    run.created, run.updated, run.unchanged, run.lines = (
        counts[k] for k in ("created", "updated", "unchanged", "lines")
    )
    run.failed = len({(e.file, e.line, e.order_no) for e in errors})
    if errors:
        run.report.save(f"orders-{run.pk}-errors.xlsx", ContentFile(error_report(errors)), save=False)
    run.finished_at = clock.now()
    run.save()
    days = tuple(sorted(set(counts.get("days", ()))))  # the sales facts of these days follow (DATA-2)
    publish(OrdersImported(shop_id=run.shop_id, actor=actor, days=days))  # and fulfilment's auto review (ORD-7)
    return run


def unreadable(result: ReadResult) -> list[RowError]:
    """The files that could not be read at all: the readers report those on the header line (line 1 — not an
    order export, an empty file, a required column missing) — data rows start at line 2."""
    return [e for e in result.errors if e.line <= 1]


def check_readable(result: ReadResult) -> None:
    """ORD-1 item 2: refuse the whole import (DomainError, Chinese, one detail per file) when a file cannot be read."""
    bad = unreadable(result)
    if bad:
        details = [f"{e.file}：{e.reason}" for e in bad]
        raise DomainError("unreadable_file", "无法读取：" + "；".join(details), "file", details=details)


PARALLEL_MIN_LINES = 20_000  # below this a second process costs more than it saves
PARALLEL_MIN_BYTES = 4 << 20  # XLSX (no line estimate): from this size on


def import_files(actor, shop, files: list[tuple[str, object]], *, batch: int = BATCH, progress=None, workers=None):
    """ORD-1: read the export files (platform from the shop, format detected) and import them, streamed
    (formats.reader.stream_files: files as bytes or paths; paths keep memory flat). A file that cannot be read at
    all raises DomainError (check_readable, on the headers, before anything is written): nothing is imported then."""
    result = reader.stream_files(shop.platform_id, files, batch=batch)
    check_readable(result)
    return import_stream(actor, shop, result, files, batch=batch, progress=progress, workers=workers)


def import_stream(actor, shop, result: ReadResult, files, *, batch: int = BATCH, progress=None, workers=None):
    """ORD-1 bulk import: `result` is stream_files of `files` with its headers checked. A big import on
    PostgreSQL runs in two processes side by side: each reads the files (opened once, before the fork: headers
    checked, an XLSX sheet parsed) and takes the orders whose number hashes to its share (reader.share), parses
    them and writes them in its own transactions — on two cores, with nothing sent between the processes but the
    counts and the bad rows at the end. One import run, one report; `result` ends with the rows and errors of both,
    as if read alone. `workers`: None = by size (_workers)."""
    names = [name for name, _data in files]
    count = _workers(result, files) if workers is None else min(workers, _workers(result, files, big=True))
    if count < 2:
        return import_parsed(actor, shop, result, names, batch=batch, progress=progress)
    import multiprocessing as mp
    import queue as queues

    from zhanggui.core.processes import die_with_parent

    run = _start_run(actor, shop, names, result.format)
    context = mp.get_context("fork")
    channel = context.Queue()
    parent = mp.current_process().pid

    def run_share(part: int) -> None:  # in a forked process: its share, its own connection and transactions
        die_with_parent(parent)  # a killed parent (web or worker process) takes this process with it
        try:
            _own_connections()
            mine = reader.share(result, (part, count), forked=True)  # the fork's copy of the opened files
            report = lambda n: channel.put(("seen", part, n))  # noqa: E731
            counts, errors = _write_all(run, actor, mine, _default_file(names), batch, report)
            channel.put(("done", part, (counts, list(mine.errors), errors, mine.rows)))
        except BaseException as exc:  # reported to the parent, which raises
            channel.put(("fail", part, f"{type(exc).__name__}: {exc}"))

    others = [context.Process(target=run_share, args=(k,), daemon=True) for k in range(1, count)]
    for process in others:
        process.start()
    seen = dict.fromkeys(range(count), 0)
    finished: dict[int, tuple] = {}

    def take(wait: float | None) -> None:
        """The other processes' messages so far (or the next one within `wait` seconds); progress of them all."""
        while True:
            try:
                kind, part, payload = channel.get(timeout=wait) if wait else channel.get_nowait()
            except queues.Empty:
                break
            if kind == "seen":
                seen[part] = payload
            elif kind == "fail":
                raise RuntimeError(f"导入失败：{payload}")
            else:
                finished[part] = payload
            wait = None
        if progress:
            done = sum(seen.values())
            progress(done, max(result.estimate or 0, done))

    def mine_seen(n: int) -> None:
        seen[0] = n
        take(wait=None)

    reader.share(result, (0, count))  # this process's share
    try:
        counts, errors = _write_all(run, actor, result, _default_file(names), batch, mine_seen)
        while len(finished) < len(others):
            if not any(p.is_alive() for p in others) and channel.empty():
                raise RuntimeError("导入的另一个进程意外退出")
            take(wait=1)
    finally:
        for process in others:
            process.join(timeout=30)
            if process.is_alive():
                process.terminate()
    run.notes = "\n".join(result.notices)  # found on the headers, before the fork
    for their_counts, their_reader_errors, their_errors, their_rows in finished.values():
        for key in counts:
            counts[key] += their_counts[key]
        result.errors.extend(their_reader_errors)
        errors += their_errors
        result.rows += their_rows
    return _finish_run(run, actor, counts, list(result.errors) + errors)


def _workers(result: ReadResult, files, *, big: bool = False) -> int:
    """2 when a second process pays and may run: PostgreSQL (SQLite writes one transaction at a time), outside a
    transaction (the other process must see the committed shop and run), fork available, not a daemonic process
    (multiprocessing gives those no children), and a big import (`big`, or by its size)."""
    import multiprocessing as mp

    if connection.vendor != "postgresql" or connection.in_atomic_block or mp.current_process().daemon:
        return 1
    if "fork" not in mp.get_all_start_methods():
        return 1
    if not big:
        if result.estimate is not None:
            big = result.estimate >= PARALLEL_MIN_LINES
        else:
            size = sum(len(d) if isinstance(d, bytes | bytearray) else Path(d).stat().st_size for _n, d in files)
            big = size >= PARALLEL_MIN_BYTES
    return 2 if big else 1


_INHERITED: list = []  # the parent's database connections, as a forked process inherited them


def _own_connections() -> None:
    """In a forked process: open our own database connections on first use. The inherited ones share the
    parent's sockets — they are kept referenced and never closed here (closing would end the parent's session;
    the process leaves with os._exit, multiprocessing's way, so no finaliser runs)."""
    from django.db import connections

    for conn in connections.all(initialized_only=True):
        _INHERITED.append(conn.connection)
        conn.connection = None
