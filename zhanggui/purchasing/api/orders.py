"""Purchase orders API (PUR-2, PUR-3): list, one order, create, state moves and payments — the same services as
the pages. An illegal move answers 409; a change based on an old `version` answers 400 "stale_version"."""

import datetime as dt
from typing import Literal

from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status

from zhanggui.catalog.models import Sku
from zhanggui.core.apitools import api_route
from zhanggui.core.bounds import Fen, Quantity, Reference
from zhanggui.core.errors import DomainError
from zhanggui.inventory.selectors import active_warehouses
from zhanggui.inventory.services.stock import default_warehouse

from .. import selectors
from ..models import Payment, PurchaseOrder, Supplier
from ..services import orders as svc
from ..services import payments

router = Router(tags=["purchasing"])
StateName = Literal["draft", "quoting", "ordered", "partial", "received", "closed", "cancelled"]


class OrderLineOut(Schema):
    id: int
    sku_id: int
    sku_code: str
    quantity: int
    unit_cost_fen: int
    amount_fen: int
    received_qty: int
    faulty_qty: int
    outstanding: int


class OrderOut(Schema):
    id: int
    number: str
    state: str
    state_label: str
    version: int
    supplier_id: int | None
    supplier: str | None
    warehouse_id: int
    source: str
    reason: str
    expected_on: dt.date | None
    late: bool
    buyer_number: str | None
    created_at: dt.datetime
    ordered_at: dt.datetime | None
    closed_at: dt.datetime | None
    lines: int
    pieces: int
    received: int
    amount_fen: int
    transport_fen: int
    paid_fen: int
    owed_fen: int


class QuoteOut(Schema):
    id: int
    supplier_id: int
    supplier: str
    lead_time_days: int
    goods_fen: int
    transport_fen: int
    total_fen: int
    is_chosen: bool
    cheapest: bool
    prices: dict[str, int | None]  # merchant code → unit price (fen), None where not quoted


class PaymentOut(Schema):
    id: int
    amount_fen: int
    paid_on: dt.date
    method: str
    note: str
    actor_number: str | None


class ProblemOut(Schema):
    id: int
    kind: str
    description: str
    resolution: str
    resolved: bool


class OrderDetailOut(OrderOut):
    note: str
    items: list[OrderLineOut]
    quotes: list[QuoteOut]
    payments: list[PaymentOut]
    problems: list[ProblemOut]
    receipts: list[str]
    next_states: list[str]


class OrderPage(Schema):
    count: int
    tabs: dict[str, int]
    items: list[OrderOut]


class LineIn(Schema):
    sku: str  # merchant code or barcode
    quantity: Quantity
    unit_cost_fen: Fen = 0


class OrderIn(Schema):
    supplier_id: int | None = None
    warehouse_id: int | None = None
    reason: str = ""
    expected_on: dt.date | None = None
    transport_cost_fen: Fen = 0
    note: str = ""
    lines: list[LineIn]


class TransitionIn(Schema):
    to: StateName
    version: Reference | None = None
    note: str = ""


class PaymentIn(Schema):
    amount_fen: Fen
    paid_on: dt.date | None = None
    method: Literal["bank", "alipay", "wechat", "cash"] = "bank"
    note: str = ""
    version: Reference | None = None


def _order_out(o: PurchaseOrder, f) -> dict:
    return {
        "id": o.pk,
        "number": o.number,
        "state": o.state,
        "state_label": str(o.get_state_display()),
        "version": o.version,
        "supplier_id": o.supplier_id,
        "supplier": o.supplier.name if o.supplier else None,
        "warehouse_id": o.warehouse_id,
        "source": o.source,
        "reason": o.reason,
        "expected_on": o.expected_on,
        "late": selectors.is_late(o),
        "buyer_number": o.buyer.number if o.buyer else None,
        "created_at": o.created_at,
        "ordered_at": o.ordered_at,
        "closed_at": o.closed_at,
        "lines": f.lines,
        "pieces": f.pieces,
        "received": f.received,
        "amount_fen": f.amount,
        "transport_fen": o.transport_cost_fen,
        "paid_fen": f.paid,
        "owed_fen": f.owed,
    }


def _detail(po_id: int) -> dict:
    o = get_object_or_404(PurchaseOrder.objects.select_related("supplier", "buyer"), pk=po_id)
    f = selectors.order_figures([o.pk])[o.pk]
    lines = list(o.lines.select_related("sku"))
    comparison = selectors.compare_quotes(o)
    codes = [row["line"].sku.code for row in comparison["rows"]]
    quotes = []
    for i, c in enumerate(comparison["quotes"]):
        q = c["quote"]
        quotes.append(
            {
                "id": q.pk,
                "supplier_id": q.supplier_id,
                "supplier": q.supplier.name,
                "lead_time_days": q.lead_time_days,
                "goods_fen": c["goods"],
                "transport_fen": c["transport"],
                "total_fen": c["total"],
                "is_chosen": q.is_chosen,
                "cheapest": c["cheapest"],
                "prices": {code: row["cells"][i]["price"] for code, row in zip(codes, comparison["rows"], strict=True)},
            }
        )
    return {
        **_order_out(o, f),
        "note": o.note,
        "items": [
            {
                "id": ln.pk,
                "sku_id": ln.sku_id,
                "sku_code": ln.sku.code,
                "quantity": ln.quantity,
                "unit_cost_fen": ln.unit_cost_fen,
                "amount_fen": ln.amount_fen,
                "received_qty": ln.received_qty,
                "faulty_qty": ln.faulty_qty,
                "outstanding": ln.outstanding,
            }
            for ln in lines
        ],
        "quotes": quotes,
        "payments": [
            {
                "id": p.pk,
                "amount_fen": p.amount_fen,
                "paid_on": p.paid_on,
                "method": p.method,
                "note": p.note,
                "actor_number": p.actor.number if p.actor else None,
            }
            for p in o.payments.select_related("actor")
        ],
        "problems": [
            {
                "id": p.pk,
                "kind": p.kind,
                "description": p.description,
                "resolution": p.resolution,
                "resolved": p.resolved_at is not None,
            }
            for p in o.problems.all()
        ],
        "receipts": list(o.receipts.values_list("number", flat=True)),
        "next_states": [str(s) for s in svc.allowed_actions(o)],
    }


@api_route(router.get, "/purchase-orders", perm="purchasing.view_purchaseorder", response=OrderPage)
def list_purchase_orders(
    request,
    state: StateName | None = None,
    supplier_id: int | None = None,
    q: str = "",
    late: bool = False,
    limit: int = 100,
    offset: int = 0,
):
    """PUR-2: purchase orders newest first; `tabs` counts per state under the same filters."""
    filters = selectors.OrderFilters(tab=state or "all", supplier=supplier_id, q=q.strip()[:64], late=late)
    counts = selectors.tab_counts(filters)
    offset = max(offset, 0)
    orders = list(selectors.order_list(filters)[offset : offset + max(1, min(limit, 500))])
    figures = selectors.order_figures([o.pk for o in orders])
    return {"count": counts[filters.tab], "tabs": counts, "items": [_order_out(o, figures[o.pk]) for o in orders]}


@api_route(router.get, "/purchase-orders/{po_id}", perm="purchasing.view_purchaseorder", response=OrderDetailOut)
def get_purchase_order(request, po_id: int):
    """PUR-2: one order with lines, quotes compared, payments, problems, stock-in slips and the allowed moves."""
    return _detail(po_id)


@api_route(router.post, "/purchase-orders", perm="purchasing.add_purchaseorder", response={201: OrderDetailOut})
def create_purchase_order(request, payload: OrderIn):
    """PUR-2: a new order in need/plan; lines by merchant code or barcode (each bad line named)."""
    codes = [ln.sku.strip() for ln in payload.lines]
    skus = {s.code: s for s in Sku.objects.filter(Q(code__in=codes) | Q(barcode__in=codes))}
    skus.update({s.barcode: s for s in skus.values() if s.barcode})
    missing = [f"第 {i} 行：商家编码或条码 {c} 不存在" for i, c in enumerate(codes, start=1) if c not in skus]
    if missing:
        raise DomainError("bad_lines", missing[0], "lines", details=missing)
    supplier = None
    if payload.supplier_id is not None:
        supplier = Supplier.objects.filter(pk=payload.supplier_id, is_active=True).first()
        if supplier is None:
            raise DomainError("bad_supplier", "供应商不存在或已停用", "supplier_id")
    if payload.warehouse_id:
        warehouse = active_warehouses().filter(pk=payload.warehouse_id).first()
        if warehouse is None:
            raise Http404
    else:
        warehouse = default_warehouse()
    order = svc.create_order(
        request.user,
        lines=[(skus[ln.sku.strip()], ln.quantity, ln.unit_cost_fen) for ln in payload.lines],
        supplier=supplier,
        warehouse=warehouse,
        reason=payload.reason,
        expected_on=payload.expected_on,
        note=payload.note,
        transport_cost_fen=payload.transport_cost_fen,
    )
    return Status(201, _detail(order.pk))


@api_route(
    router.post,
    "/purchase-orders/{po_id}/transitions",
    perm="purchasing.change_purchaseorder",
    response=OrderDetailOut,
)
def transition_purchase_order(request, po_id: int, payload: TransitionIn):
    """PUR-2: move the order: quoting, draft (back to planning), ordered, closed (from partial: note required),
    cancelled. partial/received come from posting stock-in slips (409 here)."""
    order = get_object_or_404(PurchaseOrder, pk=po_id)
    svc.apply_transition(request.user, order, payload.to, version=payload.version, note=payload.note)
    return _detail(order.pk)


@api_route(router.post, "/purchase-orders/{po_id}/payments", perm="purchasing.add_payment", response={201: PaymentOut})
def add_purchase_payment(request, po_id: int, payload: PaymentIn):
    """PUR-2, PUR-3: a payment to the supplier; refused beyond amount + transport − paid."""
    order = get_object_or_404(PurchaseOrder, pk=po_id)
    p: Payment = payments.add_payment(
        request.user,
        order,
        amount_fen=payload.amount_fen,
        paid_on=payload.paid_on,
        method=payload.method,
        note=payload.note,
        version=payload.version,
    )
    return Status(
        201,
        {
            "id": p.pk,
            "amount_fen": p.amount_fen,
            "paid_on": p.paid_on,
            "method": p.method,
            "note": p.note,
            "actor_number": getattr(request.user, "number", None),
        },
    )
