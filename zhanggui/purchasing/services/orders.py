"""Purchase orders (PUR-2): the state machine — one transition table (core.states), one function per move, each
on the timeline with the 工号 — and creating an order. Editing lines and header: order_edits.py; quotes: quotes.py;
payments: payments.py; problems: problems.py; the list and its figures: purchasing/selectors.py.

need / plan (draft) → comparing quotes → ordered → partly received → received → closed; cancelled before any
receipt. Every change bumps `version`; a change based on an older version is refused (two people editing one
purchase order at once: the second is told to reload, nothing is overwritten). Each change: one transaction, the
order row locked (`lock(order, version)`: the version a form's hidden field carried; stale → "stale_version"), one
version bump and one timeline entry.

In transit (INV-1 "在途"): ordering adds the outstanding quantity of each line to StockLevel.in_transit of the
order's warehouse; receipts and closing/cancelling take it off again (inventory.services.stock.add_in_transit).
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import F

from zhanggui.catalog.models import Sku
from zhanggui.core import clock
from zhanggui.core.bounds import check_fen, check_quantity
from zhanggui.core.errors import DomainError, IllegalTransition
from zhanggui.core.events import record_event, register_event_kinds
from zhanggui.core.money import format_fen
from zhanggui.core.states import Machine
from zhanggui.inventory.services.stock import add_in_transit, default_warehouse

from ..models import PurchaseOrder, PurchaseOrderLine, Receipt

State = PurchaseOrder.State

# PUR-2: the only moves a purchase order can make.
TRANSITIONS: dict[str, set[str]] = {
    State.DRAFT: {State.QUOTING, State.ORDERED, State.CANCELLED},
    State.QUOTING: {State.DRAFT, State.ORDERED, State.CANCELLED},
    State.ORDERED: {State.PARTIAL, State.RECEIVED, State.CANCELLED},
    State.PARTIAL: {State.RECEIVED, State.CLOSED},
    State.RECEIVED: {State.CLOSED},
    State.CLOSED: set(),
    State.CANCELLED: set(),
}
EDITABLE = {State.DRAFT, State.QUOTING}  # lines and supplier can change only before ordering
OPEN_FOR_RECEIPT = {State.ORDERED, State.PARTIAL}
PLACED = (State.ORDERED, State.PARTIAL, State.RECEIVED, State.CLOSED)  # orders that count as purchase documents
PAYABLE = set(PLACED)
HEADER_EDITABLE = {State.DRAFT, State.QUOTING, State.ORDERED, State.PARTIAL, State.RECEIVED}


register_event_kinds(
    {
        "po_created": "新建采购单",
        "po_state": "采购单状态",
        "po_changed": "修改采购单",
        "po_quote": "供应商报价",
        "po_payment": "采购付款",
        "po_problem": "采购问题",
        "po_receipt": "采购到货",
    }
)


# Chinese state names for the timeline and service messages: stored text, so not dependent on the request language.
STATE_NAMES = {
    State.DRAFT: "需求计划",
    State.QUOTING: "询价比价",
    State.ORDERED: "已下单",
    State.PARTIAL: "部分到货",
    State.RECEIVED: "已到货",
    State.CLOSED: "已完结",
    State.CANCELLED: "已取消",
}


# of=("self",) (the helper's lock): PostgreSQL refuses FOR UPDATE on the nullable side of the supplier outer join.
PURCHASE_ORDERS = Machine(
    PurchaseOrder,
    TRANSITIONS,
    names=STATE_NAMES,
    name="采购单 {number}",
    event_kind="po_state",
    related=("supplier", "warehouse"),
)


state_label = PURCHASE_ORDERS.label
check_version = PURCHASE_ORDERS.check_version
lock = PURCHASE_ORDERS.lock  # lock(order, version=None): row lock + stale_version check
bump = PURCHASE_ORDERS.save  # save fields and raise the version


def transition(order: PurchaseOrder, to: str, actor, note: str = "", version=None) -> PurchaseOrder:
    """Move a LOCKED order (see `lock`) to state `to` if the table allows it; timeline entry with 工号.
    In-transit quantities follow: + outstanding on ordering, − outstanding on cancelling or closing."""
    PURCHASE_ORDERS.check(order, to)
    PURCHASE_ORDERS.check_version(order, version)
    before = order.state
    fields = []
    if to == State.ORDERED:
        if order.supplier_id is None:
            raise DomainError("no_supplier", f"采购单 {order.number} 还没有选定供应商，不能下单", "supplier")
        if not order.lines.exists():
            raise DomainError("no_lines", f"采购单 {order.number} 没有商品明细，不能下单", "lines")
        order.ordered_at = clock.now()
        fields.append("ordered_at")
        add_in_transit(order.warehouse_id, {ln.sku_id: ln.outstanding for ln in order.lines.all()})
    if to in {State.CANCELLED, State.CLOSED}:
        if before in OPEN_FOR_RECEIPT:
            add_in_transit(order.warehouse_id, {ln.sku_id: -ln.outstanding for ln in order.lines.all()})
        order.closed_at = clock.now()
        fields.append("closed_at")
    return PURCHASE_ORDERS.move_locked(order, to, actor, note, fields)


def next_number(prefix: str, model, day=None) -> str:
    """Document numbers like CG20261123-001: prefix, Beijing date, running number of the day."""
    day = day or clock.today()
    stem = f"{prefix}{day:%Y%m%d}-"
    last = model.objects.filter(number__startswith=stem).order_by("-number").values_list("number", flat=True).first()
    seq = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{stem}{seq:03d}"


def require_editable(order: PurchaseOrder) -> None:
    """Lines and supplier change only before ordering (EDITABLE)."""
    if order.state not in EDITABLE:
        raise DomainError(
            "not_editable",
            f"采购单 {order.number} 已是“{state_label(order.state)}”，商品明细和供应商只能在下单前修改",
            "state",
        )


def staff_or_none(actor):
    """The person to store as who did it (None for the system)."""
    return actor if getattr(actor, "is_authenticated", False) else None


def create_order(
    actor,
    *,
    lines,
    supplier=None,
    warehouse=None,
    reason: str = "",
    source: str = PurchaseOrder.Source.MANUAL,
    expected_on=None,
    note: str = "",
    transport_cost_fen: int = 0,
) -> PurchaseOrder:
    """A new purchase order in state need/plan (draft). lines = [(sku or sku id, quantity, unit_cost_fen)];
    quantities ≥ 1, each SKU once (repeated SKUs are added up); combination SKUs are refused (buy their parts)."""
    merged: dict[int, list[int]] = {}
    for sku, qty, cost in lines:
        qty = check_quantity(qty, "采购数量", "lines")  # PUR-2: a typo must not break replenishment for everyone
        cost = check_fen(cost or 0, "采购单价", "lines")
        sku_id = getattr(sku, "pk", sku)
        qty_before = merged.get(sku_id, [0, cost])[0]
        merged[sku_id] = [qty_before + qty, cost]
    if not merged:
        raise DomainError("no_lines", "采购单至少要有一个商品", "lines")
    transport_cost_fen = check_fen(transport_cost_fen or 0, "运费", "transport_cost_fen")
    combos = list(Sku.objects.filter(pk__in=merged, is_combo=True).values_list("code", flat=True))
    if combos:  # a combination has no stock of its own: buy its parts (in transit goes to real SKUs only)
        raise DomainError("combo", f"{'、'.join(combos)} 是组合商品，请按其中的单品采购", "lines")
    warehouse = warehouse or default_warehouse()
    for _attempt in range(3):  # two people creating orders in the same second may pick the same number
        try:
            with transaction.atomic():
                order = PurchaseOrder.objects.create(
                    number=next_number("CG", PurchaseOrder),
                    supplier=supplier,
                    warehouse=warehouse,
                    reason=reason[:200],
                    source=source,
                    expected_on=expected_on,
                    note=note,
                    transport_cost_fen=transport_cost_fen,
                    buyer=actor if getattr(actor, "is_authenticated", False) else None,
                )
                PurchaseOrderLine.objects.bulk_create(
                    PurchaseOrderLine(order=order, sku_id=sku_id, quantity=qty, unit_cost_fen=cost)
                    for sku_id, (qty, cost) in merged.items()
                )
                record_event(actor, order, "po_created", to_state=state_label(State.DRAFT), note=reason)
                return order
        except IntegrityError:
            continue
    raise DomainError("number_taken", "采购单号冲突，请重试", "number")


def add_received(line: PurchaseOrderLine, counted: int, faulty: int) -> None:
    """Count pieces that arrived against a purchase order line (called by receiving, inside its transaction)."""
    PurchaseOrderLine.objects.filter(pk=line.pk).update(
        received_qty=F("received_qty") + counted, faulty_qty=F("faulty_qty") + faulty
    )


# ---- moves ------------------------------------------------------------------------------------------------------


def submit_for_quotes(actor, order, version=None, note: str = "") -> PurchaseOrder:
    """PUR-2: need/plan → comparing quotes."""
    with transaction.atomic():
        order = lock(order, version)
        if order.state == State.DRAFT and not order.lines.exists():
            raise DomainError("no_lines", f"采购单 {order.number} 没有商品明细，不能询价", "lines")
        return transition(order, State.QUOTING, actor, note=note)


def back_to_plan(actor, order, version=None, note: str = "") -> PurchaseOrder:
    """PUR-2: comparing quotes → need/plan (the need changed; quotes are kept)."""
    with transaction.atomic():
        return transition(lock(order, version), State.DRAFT, actor, note=note)


def place_order(actor, order, version=None, note: str = "") -> PurchaseOrder:
    """PUR-2: → ordered (from need/plan or quotes). Needs a supplier and lines; in transit goes up by every line
    (INV-1, done by `transition`); the expected date defaults to today + the supplier's lead time."""
    with transaction.atomic():
        order = lock(order, version)
        if PURCHASE_ORDERS.allows(order, State.ORDERED):
            if order.supplier_id and not order.supplier.is_active:
                raise DomainError("inactive_supplier", f"供应商 {order.supplier.name} 已停用，不能下单", "supplier")
            if order.expected_on is None and order.supplier_id:
                order.expected_on = clock.today() + dt.timedelta(days=order.supplier.lead_time_days)
                order.save(update_fields=["expected_on"])
        return transition(order, State.ORDERED, actor, note=note)


def _receipts_in_progress(order) -> list[str]:
    return list(
        Receipt.objects.filter(order=order, state__in=[Receipt.State.DRAFT, Receipt.State.CHECKED]).values_list(
            "number", flat=True
        )
    )


def close_order(actor, order, version=None, note: str = "") -> PurchaseOrder:
    """PUR-2: received → closed, or partly received → closed short (a note saying why is required; what is still
    outstanding comes off in transit). Refused while a problem is open or a stock-in slip is not posted yet."""
    with transaction.atomic():
        order = lock(order, version)
        PURCHASE_ORDERS.check(order, State.CLOSED)
        open_problems = list(order.problems.filter(resolved_at__isnull=True).values_list("description", flat=True))
        if open_problems:
            raise DomainError(
                "open_problems",
                f"采购单 {order.number} 还有 {len(open_problems)} 个未解决的问题（{open_problems[0][:40]}），"
                "请先处理并填写解决办法后再完结",
                "problems",
            )
        pending = _receipts_in_progress(order)
        if pending:
            raise DomainError("receipt_pending", f"入库单 {'、'.join(pending)} 还未过账，请先过账或作废", "receipts")
        note = str(note or "").strip()
        if order.state == State.PARTIAL and not note:
            raise DomainError("note_required", f"采购单 {order.number} 只到了一部分货，短缺完结请填写原因", "note")
        if order.state == State.PARTIAL:
            short = sum(ln.outstanding for ln in order.lines.all())
            note = f"短缺完结（未到 {short} 件）：{note}"
        return transition(order, State.CLOSED, actor, note=note)


def cancel_order(actor, order, version=None, note: str = "") -> PurchaseOrder:
    """PUR-2: cancel a need/plan, quoting or ordered order (in transit comes off again). Refused once goods were
    received or a stock-in slip exists, and once money was paid."""
    from ..selectors import order_figures  # the selectors read this module's state groups

    with transaction.atomic():
        order = lock(order, version)
        PURCHASE_ORDERS.check(order, State.CANCELLED)
        slips = list(order.receipts.exclude(state=Receipt.State.CANCELLED).values_list("number", flat=True))
        if slips:
            raise DomainError("has_receipts", f"采购单 {order.number} 已有入库单 {'、'.join(slips)}，不能取消", "state")
        paid = order_figures([order.pk])[order.pk].paid
        if paid:
            raise DomainError(
                "has_payments",
                f"采购单 {order.number} 已付款 {format_fen(paid)}，不能取消；请与供应商结清后再处理",
                "state",
            )
        return transition(order, State.CANCELLED, actor, note=str(note or "").strip())


ACTIONS = {
    State.QUOTING: submit_for_quotes,
    State.DRAFT: back_to_plan,
    State.ORDERED: place_order,
    State.CLOSED: close_order,
    State.CANCELLED: cancel_order,
}


def apply_transition(actor, order, to: str, version=None, note: str = "") -> PurchaseOrder:
    """PUR-2: the move `to` by its function (pages and the API). Partly received / received are set by posting
    stock-in slips, never by hand."""
    if to not in State.values:
        raise DomainError("bad_state", f"未知的采购单状态：{to}", "to")
    if to not in ACTIONS:
        order = order if isinstance(order, PurchaseOrder) else PurchaseOrder.objects.get(pk=order)
        raise IllegalTransition(
            "by_receiving", f"“{state_label(to)}”由入库单过账自动更新，不能手动设置（采购单 {order.number}）", "to"
        )
    return ACTIONS[to](actor, order, version=version, note=note)


def allowed_actions(order: PurchaseOrder) -> list[str]:
    """The moves a person can make from the order's state (receiving's moves excluded), for the page buttons."""
    return [
        to
        for to in (State.QUOTING, State.ORDERED, State.DRAFT, State.CLOSED, State.CANCELLED)
        if PURCHASE_ORDERS.allows(order, to)
    ]
