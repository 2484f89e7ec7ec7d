"""Purchase orders (PUR-2): one transition table, one function per move, each on the timeline with the 工号.

need / plan (draft) → comparing quotes → ordered → partly received → received → closed; cancelled before any
receipt. Every change bumps `version`; a change based on an older version is refused (two people editing one
purchase order at once: the second is told to reload, nothing is overwritten).

In transit (INV-1 "在途"): ordering adds the outstanding quantity of each line to StockLevel.in_transit of the
order's warehouse; receipts and closing/cancelling take it off again (inventory.services.stock.add_in_transit).
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F

from zhanggui.core import clock
from zhanggui.core.errors import DomainError, IllegalTransition
from zhanggui.core.events import record_event, register_event_kinds
from zhanggui.inventory.services.stock import add_in_transit, default_warehouse

from zhanggui.catalog.models import Sku

from ..models import PurchaseOrder, PurchaseOrderLine

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


def _state_label(state: str) -> str:
    return str(State(state).label)


def check_version(order: PurchaseOrder, version) -> None:
    """Refuse a change based on an older version of the order (someone else saved in between)."""
    if version is not None and int(version) != order.version:
        raise DomainError(
            "stale_version", f"采购单 {order.number} 已被他人修改（第 {order.version} 版），请刷新后再操作", "version"
        )


def lock(order: PurchaseOrder | int) -> PurchaseOrder:
    """The order re-read with a row lock, inside the caller's transaction (concurrent changes queue up)."""
    pk = getattr(order, "pk", order)
    # of=("self",): PostgreSQL refuses FOR UPDATE on the nullable side of the supplier outer join.
    return PurchaseOrder.objects.select_for_update(of=("self",)).select_related("supplier", "warehouse").get(pk=pk)


def bump(order: PurchaseOrder, fields: list[str]) -> None:
    """Save `fields` and raise the version by one (call inside the transaction that holds the lock)."""
    order.version += 1
    order.save(update_fields=[*fields, "version", "updated_at"])


def transition(order: PurchaseOrder, to: str, actor, note: str = "", version=None) -> PurchaseOrder:
    """Move a LOCKED order (see `lock`) to state `to` if the table allows it; timeline entry with 工号.
    In-transit quantities follow: + outstanding on ordering, − outstanding on cancelling or closing."""
    if to not in TRANSITIONS[order.state]:
        raise IllegalTransition(
            "illegal_transition",
            f"采购单 {order.number} 当前为“{_state_label(order.state)}”，不能改为“{_state_label(to)}”",
            "state",
        )
    check_version(order, version)
    before = order.state
    fields = ["state"]
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
    order.state = to
    bump(order, fields)
    record_event(actor, order, "po_state", from_state=_state_label(before), to_state=_state_label(to), note=note)
    return order


def next_number(prefix: str, model, day=None) -> str:
    """Document numbers like CG20261123-001: prefix, Beijing date, running number of the day."""
    day = day or clock.today()
    stem = f"{prefix}{day:%Y%m%d}-"
    last = model.objects.filter(number__startswith=stem).order_by("-number").values_list("number", flat=True).first()
    seq = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{stem}{seq:03d}"


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
) -> PurchaseOrder:
    """A new purchase order in state need/plan (draft). lines = [(sku or sku id, quantity, unit_cost_fen)];
    quantities ≥ 1, each SKU once (repeated SKUs are added up); combination SKUs are refused (buy their parts)."""
    merged: dict[int, list[int]] = {}
    for sku, qty, cost in lines:
        try:
            qty, cost = int(qty), int(cost or 0)
        except (TypeError, ValueError):
            raise DomainError("bad_quantity", "数量和单价必须是数字", "lines") from None
        if qty < 1:
            raise DomainError("bad_quantity", "采购数量必须大于 0", "lines")
        if cost < 0:
            raise DomainError("bad_price", "采购单价不能为负数", "lines")
        sku_id = getattr(sku, "pk", sku)
        qty_before = merged.get(sku_id, [0, cost])[0]
        merged[sku_id] = [qty_before + qty, cost]
    if not merged:
        raise DomainError("no_lines", "采购单至少要有一个商品", "lines")
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
                    buyer=actor if getattr(actor, "is_authenticated", False) else None,
                )
                PurchaseOrderLine.objects.bulk_create(
                    PurchaseOrderLine(order=order, sku_id=sku_id, quantity=qty, unit_cost_fen=cost)
                    for sku_id, (qty, cost) in merged.items()
                )
                record_event(actor, order, "po_created", to_state=_state_label(State.DRAFT), note=reason)
                return order
        except IntegrityError:
            continue
    raise DomainError("number_taken", "采购单号冲突，请重试", "number")


def add_received(line: PurchaseOrderLine, counted: int, faulty: int) -> None:
    """Count pieces that arrived against a purchase order line (called by receiving, inside its transaction)."""
    PurchaseOrderLine.objects.filter(pk=line.pk).update(
        received_qty=F("received_qty") + counted, faulty_qty=F("faulty_qty") + faulty
    )
