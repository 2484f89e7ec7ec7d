"""Refunds from the platforms (AS-2, AS-5, ORD-9): the refund-list import (Taobao/Tmall 退款管理, JD 售后, PDD 售后
exports, our XLSX template — read by channels.formats.refunds) and the refund columns of the order exports
(core.domain_events.RefundsReported, from the order import) create or update after-sales cases.

- `import_files(actor, shop, files) -> RefundImport`: every row becomes a case or a bad row (line and reason in
  Chinese): unknown order, order of another shop, a refund larger than what was paid for its lines (AS-5), a
  half-empty row, a file of another platform than the shop's (the whole file). Good rows are kept. Batches of
  BATCH rows, each in one transaction with a fixed number of queries for the new cases (orders, lines, cases
  by refund id, one INSERT of cases, one of lines, one of timeline entries).
- Idempotent: a case is keyed by (shop, platform refund id) — unique in the database; the same file twice changes
  nothing (unchanged). A case the order export made first ("order:<order no>") is adopted by the refund list's
  own refund id, and so is an open case of the same order and type entered on the page.
- What a row's outcome (formats.refunds.OUTCOMES) does to the case, through its type's transition table
  (services/cases.py; every move on the timeline):
      open → 待处理; waiting_return / returned → 等买家退货 (return or exchange);
      success → 已完结 with the refund agreed (refund only), 已完结 (exchange);
      closed → 已撤销; refused → 已拒绝.
  A 退货退款 the platform reports refunded while our warehouse has not received the return stays 等买家退货: the
  platform's refund is recorded (platform_refunded_fen, platform_status, a timeline note) and the warehouse still
  expects the goods (INV-5) — money never "goes back" on our side before the return is received. The platform
  already decided: an imported move does not ask for the note a policy exception needs on the page (AS-1), but a
  refund agreed never passes what was paid (AS-5: the case's ceiling and the order's total, order row locked).
- ORD-9: the order of a refund still open goes to the 退款申请 queue, and leaves it when none of its cases is open
  (orders.services.refund_reports.set_refund_requested).
- Refund before shipping: refund-only cases that are successful and together take everything the order paid close
  the order in the same transaction (orders.services.refund_reports.close_refunded): its reservation is released and
  fulfilment cancels its package — 拦截 when already printed (fulfilment.services.intercept).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db import DatabaseError, connection, transaction

from zhanggui.channels.formats import refunds as formats
from zhanggui.channels.formats.types import RowError
from zhanggui.core import clock, sequences
from zhanggui.core.domain_events import RefundsReported, subscribe
from zhanggui.core.events import record_event, record_events, register_event_kinds
from zhanggui.core.money import format_fen
from zhanggui.orders.models import Order
from zhanggui.orders.services import refund_reports
from zhanggui.shops.models import Shop

from ..models import OPEN_STATES, Case, CaseLine
from . import cases
from . import policy as policies
from . import refunds as money

State, Kind, OS = Case.State, Case.Kind, Order.State
BATCH = 1000
EXPORT_PREFIX = "order:"  # the case an order export made (no refund id of its own)
SHIPPED_ORDERS = {OS.PART_SHIPPED, OS.SHIPPED, OS.SIGNED, OS.COMPLETED}
WAITING = {State.NEW, State.WAITING_BUYER, State.WAITING_RETURN}  # a return not yet received

register_event_kinds({"case_platform": "平台退款状态"})


@dataclass
class RefundRow:
    """One refund to record, from a refund list or an order export."""

    file: str
    line: int
    refund_id: str
    order_no: str
    amount_fen: int
    outcome: str
    service: str = "refund"
    status: str = ""
    outer_code: str = ""
    quantity: int | None = None
    reason: str = ""


@dataclass
class RefundImport:
    """What an import did: counts, bad rows (RowError), notices for people."""

    files: list[str] = field(default_factory=list)
    layouts: list[str] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    orders_closed: int = 0  # refunded in full before shipping: package stopped
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)

    @property
    def failed(self) -> int:
        return len(self.errors)

    def summary(self) -> dict:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "failed": self.failed,
            "orders_closed": self.orders_closed,
            "rows": self.rows,
        }


# ---- files ----------------------------------------------------------------------------------------------------


def import_files(actor, shop: Shop, files: list[tuple[str, object]], *, batch: int = BATCH) -> RefundImport:
    """AS-2: read the refund-list files of `shop` and record every refund (module text)."""
    result = RefundImport(files=[name for name, _data in files])
    rows: dict[str, RefundRow] = {}
    platform = shop.platform_id
    for name, data in files:
        read = formats.read_file(name, data)
        if read.layout and platform not in read.platforms:
            label = formats.LAYOUTS[read.layout]["label"]
            mine = formats.PLATFORM_NAMES.get(platform, platform)
            result.errors.append(RowError(name, 1, "", f"这是{label}，店铺“{shop.name}”是{mine}店铺，请选对店铺"))
            continue
        result.errors.extend(read.errors)
        if read.layout:
            result.layouts.append(formats.LAYOUTS[read.layout]["label"])
        for r in read.refunds:
            rows[r.refund_id] = RefundRow(name, r.line, r.refund_id, r.order_no, r.amount_fen, r.outcome, r.service,
                                          r.status, r.outer_code, r.quantity, r.reason)  # fmt: skip
    result.rows = len(rows)
    record(actor, shop, list(rows.values()), result, batch=batch)
    return result


def record(actor, shop: Shop, rows: list[RefundRow], result: RefundImport, *, batch: int = BATCH) -> RefundImport:
    """Record `rows` of `shop` in batches, each in its own transaction (a batch the database refuses is reported
    row by row and the others stand: a re-run completes it)."""
    for start in range(0, len(rows), batch):
        chunk = rows[start : start + batch]
        try:
            with transaction.atomic():
                _Batch(actor, shop, chunk, result).write()
        except DatabaseError as exc:
            for row in chunk:
                result.errors.append(RowError(row.file, row.line, "", f"保存失败，请重新导入：{exc}", row.order_no))
    return result


# ---- order exports (RefundsReported) ----------------------------------------------------------------------------


def _on_refunds_reported(event: RefundsReported) -> None:
    """The refund columns of an order export: one case per order (refund id "order:<order no>")."""
    shop = Shop.objects.select_related("platform").get(pk=event.shop_id)
    rows = []
    for r in event.reports:
        if r.refund_open:
            outcome = "open"
        elif r.refund_fen > 0:
            outcome = "success"
        else:
            continue
        rows.append(RefundRow("订单导出", 0, f"{EXPORT_PREFIX}{r.order_no}", r.order_no, r.refund_fen, outcome,
                              "refund", r.status))  # fmt: skip
    if rows:
        result = record(event.actor, shop, rows, RefundImport())
        for error in result.errors:  # an export's refund that cannot be a case is told on the order's timeline
            order = Order.objects.filter(shop=shop, platform_order_no=error.order_no).first()
            if order is not None:
                record_event(event.actor, order, "case_platform", note=f"平台退款未能登记售后：{error.reason}"[:500])


def connect() -> None:
    subscribe(RefundsReported, _on_refunds_reported)


# ---- one batch ----------------------------------------------------------------------------------------------------


def _kind(service: str, shipped: bool) -> str:
    if not shipped:
        return Kind.REFUND_UNSHIPPED  # nothing left the warehouse: a return or an exchange is a refund only
    return {"return": Kind.RETURN_REFUND, "exchange": Kind.EXCHANGE}.get(service, Kind.REFUND_SHIPPED)


def _target(kind: str, outcome: str, state: str | None = None) -> str:
    """The state a case of `kind` should reach for the platform's `outcome` (module text)."""
    if outcome == "closed":
        return State.CANCELLED
    if outcome == "refused":
        return State.REFUSED
    goods_back = kind in (Kind.RETURN_REFUND, Kind.EXCHANGE)
    if outcome in ("waiting_return", "returned"):
        return State.WAITING_RETURN if goods_back else (state or State.NEW)
    if outcome == "success":
        if kind == Kind.RETURN_REFUND and (state is None or state in WAITING):
            return State.WAITING_RETURN  # the warehouse has not received the return: wait for it (INV-5)
        return State.DONE
    return state or State.NEW


def _path(kind: str, start: str, goal: str) -> list[str] | None:
    """The shortest chain of moves of the type's table from `start` to `goal` ([] when there already)."""
    table = cases.TRANSITIONS[kind]
    seen, todo = {start: []}, [start]
    while todo:
        state = todo.pop(0)
        if state == goal:
            return seen[state]
        for nxt in sorted(table.get(state, ())):
            if nxt not in seen:
                seen[nxt] = [*seen[state], nxt]
                todo.append(nxt)
    return None


class _Batch:
    def __init__(self, actor, shop: Shop, rows: list[RefundRow], result: RefundImport):
        self.actor, self.shop, self.rows, self.result = actor, shop, rows, result
        self.now = clock.now()
        self.follow_up = cases.default_follow_up(shop)  # AS-6, one settings read per batch
        self.new: list[tuple[Case, list, RefundRow]] = []
        self.touched_orders: set[int] = set()

    def error(self, row: RefundRow, reason: str) -> None:
        self.result.errors.append(RowError(row.file, row.line, "", reason, row.order_no))

    def write(self) -> None:
        numbers = sorted({r.order_no for r in self.rows})
        # locked, pk order (as ship_package locks them): a ship at the same moment waits, or has shipped already —
        # so "before shipping" is decided on the order as it is (AS-2; refund and ship never both win)
        found = Order.objects.select_for_update(of=("self",)).filter(shop=self.shop, platform_order_no__in=numbers)
        orders = {o.platform_order_no: o for o in found.order_by("pk")}
        lines = defaultdict(list)
        for line in _lines_of([o.pk for o in orders.values()]):
            lines[line.order_id].append(line)
        for order in orders.values():
            order._lines = lines.get(order.pk, [])
        elsewhere = self._elsewhere([n for n in numbers if n not in orders])
        ids = [r.refund_id for r in self.rows] + [f"{EXPORT_PREFIX}{n}" for n in orders]
        existing = {c.platform_refund_id: c for c in Case.objects.filter(shop=self.shop, platform_refund_id__in=ids)}
        open_cases = {(c.order_id, c.kind): c for c in Case.objects.filter(order__in=list(orders.values()),
                                                                             state__in=OPEN_STATES)}  # fmt: skip
        listed = self._listed(orders)
        for row in self.rows:
            order = orders.get(row.order_no)
            if order is not None and order.pk in listed and row.refund_id.startswith(EXPORT_PREFIX):
                self.result.unchanged += 1  # the refund list (its own refund ids) is the finer word on this order
                continue
            if order is None:
                self.error(row, elsewhere.get(row.order_no) or f"找不到订单 {row.order_no}，请先导入订单")
                continue
            if order.state == OS.PENDING_PAYMENT or order.paid_fen <= 0:
                self.error(row, f"订单 {row.order_no} 还未付款，不能退款")
                continue
            case = existing.get(row.refund_id) or existing.get(f"{EXPORT_PREFIX}{row.order_no}")
            shipped = (
                order.state in SHIPPED_ORDERS
                or any(ln.shipped_qty for ln in order._lines)
                or (order.state == OS.CLOSED and order.shipped_at is not None)
            )
            kind = _kind(row.service, shipped)
            if case is None:
                case = open_cases.get((order.pk, kind))
                if (
                    case is not None
                    and case.platform_refund_id
                    and not case.platform_refund_id.startswith(EXPORT_PREFIX)
                ):
                    case = None if case.platform_refund_id != row.refund_id else case
            if case is not None:
                self._update(case, order, row)
            else:
                self._build(order, kind, row, open_cases)
        self._save_new()
        self._consequences(orders)

    def _listed(self, orders: dict[str, Order]) -> set[int]:
        """Ids of the orders (of an order export's rows) that have cases from a refund list."""
        if not any(r.refund_id.startswith(EXPORT_PREFIX) for r in self.rows) or not orders:
            return set()
        qs = Case.objects.filter(order__in=list(orders.values()), platform_refund_id__isnull=False)
        return set(qs.exclude(platform_refund_id__startswith=EXPORT_PREFIX).values_list("order_id", flat=True))

    def _elsewhere(self, numbers: list[str]) -> dict[str, str]:
        """{order no: reason} for orders that exist in another shop."""
        if not numbers:
            return {}
        found = Order.objects.filter(platform_order_no__in=numbers).exclude(shop=self.shop).select_related("shop")
        return {o.platform_order_no: f"订单 {o.platform_order_no} 属于店铺“{o.shop.name}”，不是“{self.shop.name}”的订单"
                for o in found}  # fmt: skip

    # -- new cases, set-based

    def _picked(self, order: Order, row: RefundRow) -> list:
        lines = order._lines
        if row.outer_code:
            match = [ln for ln in lines if ln.outer_code == row.outer_code]
            if match:
                line = match[0]
                return [(line, min(row.quantity or line.quantity, line.quantity))]
        return [(ln, ln.quantity) for ln in lines]

    def _build(self, order: Order, kind: str, row: RefundRow, open_cases: dict) -> None:
        if order.state == OS.CLOSED and row.outcome == "open":
            self.error(row, f"订单 {row.order_no} 已关闭，退款申请无需处理")
            return
        if (order.pk, kind) in open_cases and row.outcome not in ("closed", "refused", "success"):
            other = open_cases[(order.pk, kind)]
            self.error(
                row, f"订单 {row.order_no} 已有进行中的“{cases.kind_label(kind)}”售后单 {other.number}（另一退款编号）"
            )
            return
        picked = self._picked(order, row)
        if not picked:
            self.error(row, f"订单 {row.order_no} 没有商品明细，无法登记退款")
            return
        refundable = money.refundable_for(order, picked, order._lines)
        if row.amount_fen > refundable:  # AS-5
            self.error(row, f"退款金额 {format_fen(row.amount_fen)} 超过了实付金额 {format_fen(refundable)}")
            return
        if row.amount_fen < 0:
            self.error(row, "退款金额不能为负数")
            return
        state = _target(kind, row.outcome)
        requested = row.amount_fen if kind in cases.REFUND_KINDS else 0
        case = Case(
            shop=self.shop,
            order=order,
            kind=kind,
            state=state,
            reason_text=(row.reason or f"平台{row.status or '退款'}")[:200],
            requested_refund_fen=requested,
            refundable_fen=refundable,
            platform_refund_id=row.refund_id,
            platform_status=row.status[:40],
            source=Case.Source.IMPORT,
            follow_up_at=self.follow_up,
            created_by=self.actor if getattr(self.actor, "is_authenticated", False) else None,
        )
        if row.outcome == "success" and state == State.DONE and kind in cases.REFUND_KINDS:
            case.agreed_refund_fen = row.amount_fen
        if row.outcome == "success" and kind == Kind.RETURN_REFUND and state == State.WAITING_RETURN:
            case.platform_refunded_fen = row.amount_fen
        if state in (State.DONE, State.REFUSED, State.CANCELLED):
            case.closed_at = self.now
        if state in OPEN_STATES:
            open_cases[(order.pk, kind)] = case
        self.new.append((case, picked, row))
        self.touched_orders.add(order.pk)

    def _save_new(self) -> None:
        if not self.new:
            return
        policy = policies.ensure_policy(self.shop)
        day = clock.today()
        first = sequences.take("aftersales_case", day, len(self.new))
        for n, (case, _picked, _row) in enumerate(self.new):
            case.number = f"SH{day:%y%m%d}{first + n:04d}"
            case.policy = policy
            case.postage_payer = policies.postage_payer(case, policy) or ""  # AS-3, recorded
        events = []
        for case, _picked, row in self.new:
            amount = f"，退款 {format_fen(row.amount_fen)}" if row.amount_fen else ""
            note = f"平台导入 {row.refund_id}（{row.status or row.outcome}）{amount}"
            if case.platform_refunded_fen is not None:
                note += "；平台已退款，退货尚未入库"
            events.append((case, "case_opened", "", cases.state_label(case.state), note[:500]))
        if connection.vendor == "postgresql":
            _copy_new(self.new, events, self.actor, self.now)
        else:
            Case.objects.bulk_create([c for c, _p, _r in self.new])
            CaseLine.objects.bulk_create(
                CaseLine(case=case, order_line=line, quantity=qty)
                for case, picked, _r in self.new
                for line, qty in picked
            )
            record_events(self.actor, events)
        self.result.created += len(self.new)
        waiting = sum(1 for c, _p, _r in self.new if c.platform_refunded_fen is not None)
        if waiting:
            self.result.notices.append(f"{waiting} 个退货退款平台已退款但退货尚未入库，售后单仍等待退货")

    # -- an existing case

    def _update(self, case: Case, order: Order, row: RefundRow) -> None:
        goal = _target(case.kind, row.outcome, case.state)
        adopt = case.platform_refund_id != row.refund_id
        refunded = row.amount_fen if (row.outcome == "success" and goal == State.WAITING_RETURN
                                      and case.kind == Kind.RETURN_REFUND) else case.platform_refunded_fen  # fmt: skip
        if (goal == case.state and not adopt and case.platform_status == row.status[:40]
                and refunded == case.platform_refunded_fen):  # fmt: skip
            self.result.unchanged += 1
            return
        path = _path(case.kind, case.state, goal)
        with transaction.atomic():
            current = cases.machine(case).lock(case)
            fields = ["platform_status"]
            current.platform_status = row.status[:40]
            from_export = (current.platform_refund_id or EXPORT_PREFIX).startswith(EXPORT_PREFIX)
            if adopt and from_export:
                current.platform_refund_id = row.refund_id
                fields.append("platform_refund_id")
            if refunded != current.platform_refunded_fen and refunded is not None:
                if refunded > current.refundable_fen:  # AS-5
                    self.error(
                        row, f"退款金额 {format_fen(refunded)} 超过了实付金额 {format_fen(current.refundable_fen)}"
                    )
                    return
                current.platform_refunded_fen = refunded
                fields.append("platform_refunded_fen")
            note = f"平台导入 {row.refund_id}：{row.status or row.outcome}"
            if path is None or not path:
                if path is None:
                    note += f"（售后单为“{cases.state_label(current.state)}”，未改变状态）"
                if refunded is not None and "platform_refunded_fen" in fields:
                    note += "；平台已退款，退货尚未入库"
                cases.machine(current).save(current, fields)
                record_event(self.actor, current, "case_platform", note=note[:500])
            else:
                if "platform_refunded_fen" in fields:
                    note += "；平台已退款，退货尚未入库"
                if not self._walk(current, order, row, path, fields, note):
                    return
        self.result.updated += 1
        self.touched_orders.add(order.pk)

    def _walk(self, current: Case, order: Order, row: RefundRow, path: list[str], fields: list, note: str) -> bool:
        m = cases.machine(current)
        for i, to in enumerate(path):
            extra = list(fields) if i == 0 else []
            if to == State.REFUNDING:
                amount = row.amount_fen or current.requested_refund_fen
                if amount < 1 or amount > current.refundable_fen:
                    self.error(
                        row,
                        f"退款金额 {format_fen(amount)} 不在 ¥0.01 到实付 {format_fen(current.refundable_fen)} 之间",
                    )
                    transaction.set_rollback(True)
                    return False
                Order.objects.select_for_update(of=("self",)).filter(pk=order.pk).first()  # AS-5: as cases.move
                other = money.agreed_elsewhere(order, exclude=current)
                if other + amount > order.paid_fen:
                    self.error(row, f"订单 {order.platform_order_no} 的退款合计将超过实付 {format_fen(order.paid_fen)}")
                    transaction.set_rollback(True)
                    return False
                current.agreed_refund_fen = amount
                extra.append("agreed_refund_fen")
            if to in (State.DONE, State.REFUSED, State.CANCELLED):
                current.closed_at = self.now
                extra.append("closed_at")
            m.move_locked(current, to, self.actor, note[:500], sorted(set(extra)))
        return True

    # -- the orders: ORD-9 queue, refund before shipping

    def _consequences(self, orders: dict[str, Order]) -> None:
        if not self.touched_orders:
            return
        ids = sorted(self.touched_orders)
        open_on = set(Case.objects.filter(order_id__in=ids, state__in=OPEN_STATES, kind__in=cases.REFUND_KINDS)
                      .exclude(state=State.WAITING_RETURN, platform_refunded_fen__isnull=False)
                      .values_list("order_id", flat=True))  # fmt: skip
        refund_reports.set_refund_requested(open_on, True)  # ORD-9
        refund_reports.set_refund_requested(set(ids) - open_on, False)
        by_id = {o.pk: o for o in orders.values()}
        done = defaultdict(int)
        for order_id, amount in Case.objects.filter(
            order_id__in=ids, kind=Kind.REFUND_UNSHIPPED, state__in=money.AGREED_STATES
        ).values_list("order_id", "agreed_refund_fen"):
            done[order_id] += amount or 0
        full = [pk for pk, amount in done.items() if amount >= by_id[pk].paid_fen > 0 and pk in by_id]
        if full:
            closed = refund_reports.close_refunded(self.actor, full, note="平台退款成功（售后导入）")
            self.result.orders_closed += len(closed)


_CASE_FIELDS = [f for f in Case._meta.concrete_fields if f.name != "id"]


def _copy_new(new: list, events: list, actor, now) -> None:
    """PostgreSQL: the new cases, their lines and their timeline entries by binary COPY (orders.services.imports.
    copy_rows) — ids drawn from the sequence first; the rows the ORM would write, without building 3 model instances
    per refund. The unique index on (shop, platform refund id) still decides: a clash aborts the batch."""
    from django.contrib.contenttypes.models import ContentType

    from zhanggui.core.models import Event
    from zhanggui.orders.services.imports import copy_rows

    table = Case._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, len(new)]
        )
        ids = [pk for (pk,) in cursor.fetchall()]
        attnames = [f.attname for f in _CASE_FIELDS]
        rows = []
        for pk, (case, _picked, _row) in zip(ids, new, strict=True):
            case.pk = pk
            case.created_at = case.updated_at = now
            rows.append((pk, *(getattr(case, name) for name in attnames)))
        copy_rows(cursor, table, ["id", *(f.column for f in _CASE_FIELDS)], rows)
        lines = [(case.pk, line.pk, qty) for case, picked, _r in new for line, qty in picked]
        copy_rows(cursor, CaseLine._meta.db_table, ["case_id", "order_line_id", "quantity"], lines)
        staff = actor if getattr(actor, "is_authenticated", False) else None
        actor_id, number = (staff.pk, getattr(staff, "number", "")) if staff else (None, "")
        content_type = ContentType.objects.get_for_model(Case).pk
        cols = ["at", "actor_id", "actor_number", "shop_id", "content_type_id", "object_id", "object_label", "kind"]
        cols += ["from_state", "to_state", "note", "data"]
        values = [
            (now, actor_id, number, case.shop_id, content_type, str(case.pk), case.number, kind, old, to, note, {})
            for case, kind, old, to, note in events
        ]
        copy_rows(cursor, Event._meta.db_table, cols, values)


def _lines_of(order_ids: list[int]):
    from zhanggui.orders.models import OrderLine

    if not order_ids:
        return []
    return list(OrderLine.objects.filter(order_id__in=order_ids).order_by("order_id", "line_no"))
