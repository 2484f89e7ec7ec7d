"""Purchasing API: replenishment suggestions and draft purchase orders from them (INV-7) — the same service as the
page (services.replenishment)."""

import datetime as dt
from typing import Literal

from django.http import Http404
from ninja import Router, Schema, Status

from zhanggui.core.apitools import api_route
from zhanggui.core.bounds import Quantity
from zhanggui.inventory.selectors import active_warehouses

from ..services import replenishment as services

router = Router(tags=["replenishment"])
PERM = "purchasing.add_purchaseorder"


class SuggestionOut(Schema):
    sku_id: int
    sku_code: str
    style_code: str
    product_name: str
    colour: str
    size: str
    supplier_id: int | None
    supplier: str
    supplier_item_code: str
    unit_cost_fen: int
    min_order_qty: int
    lead_days: int
    lead_from_supplier: bool
    sold_7: int
    sold_30: int
    daily: float
    days_to_cover: int
    target: float
    available: int
    in_transit: int
    on_drafts: int
    need: int
    suggested: int
    cover_days: float | None
    low_stock: bool


class SettingsOut(Schema):
    safety_days: int
    review_days: int
    default_lead_days: int
    velocity_basis: str
    round_up_to_moq: bool
    low_stock_threshold: int


class SuggestionPage(Schema):
    count: int
    tabs: dict[str, int]
    settings: SettingsOut
    items: list[SuggestionOut]


class DraftLineIn(Schema):
    sku_id: int
    quantity: Quantity


class DraftOrdersIn(Schema):
    lines: list[DraftLineIn]
    warehouse_id: int | None = None  # default warehouse when left out


class DraftOrderOut(Schema):
    id: int
    number: str
    supplier_id: int | None
    supplier: str
    state: str
    source: str
    expected_on: dt.date | None
    lines: int
    quantity: int
    amount_fen: int


def _row_out(r) -> dict:
    return {
        "sku_id": r.sku_id,
        "sku_code": r.sku_code,
        "style_code": r.style_code,
        "product_name": r.product_name,
        "colour": r.colour,
        "size": r.size,
        "supplier_id": r.supplier_id,
        "supplier": r.supplier_name,
        "supplier_item_code": r.supplier_item_code,
        "unit_cost_fen": r.unit_cost_fen,
        "min_order_qty": r.moq,
        "lead_days": r.lead_days,
        "lead_from_supplier": r.lead_from_supplier,
        "sold_7": r.sold_7,
        "sold_30": r.sold_30,
        "daily": r.daily_rate,
        "days_to_cover": r.cover_days_total,
        "target": r.target_qty,
        "available": r.available,
        "in_transit": r.in_transit,
        "on_drafts": r.planned,
        "need": r.need,
        "suggested": r.suggested,
        "cover_days": r.cover_days,
        "low_stock": r.low_stock,
    }


@api_route(router.get, "/replenishment/suggestions", perm=PERM, response=SuggestionPage)
def list_suggestions(
    request,
    tab: Literal["needed", "low", "all"] = "needed",
    supplier: str = "",
    q: str = "",
    shop_id: int | None = None,
    limit: int = 200,
    offset: int = 0,
):
    """INV-7: suggestions with every figure behind them. `supplier`: a supplier id or "none" (no preferred
    supplier); `shop_id` is still accepted but changes nothing: the INV-7 settings are company-wide."""
    if supplier and supplier != services.NO_SUPPLIER and not supplier.isdigit():
        supplier = ""
    result = services.suggestions(q=q[:64], supplier=supplier or None)
    rows = result.tab(tab)
    offset = max(offset, 0)
    s = result.settings
    return {
        "count": len(rows),
        "tabs": result.counts,
        "settings": {
            "safety_days": s.safety_days,
            "review_days": s.review_days,
            "default_lead_days": s.default_lead_days,
            "velocity_basis": s.velocity_basis,
            "round_up_to_moq": s.round_up_to_moq,
            "low_stock_threshold": s.low_stock_threshold,
        },
        "items": [_row_out(r) for r in rows[offset : offset + max(1, min(limit, 1000))]],
    }


@api_route(router.post, "/replenishment/draft-orders", perm=PERM, response={201: list[DraftOrderOut]})
def create_draft_orders(request, payload: DraftOrdersIn):
    """INV-7: draft purchase orders from chosen suggestions, one per preferred supplier (SKUs without one go into
    a single draft without supplier). All or nothing."""
    warehouse = None
    if payload.warehouse_id:
        warehouse = active_warehouses().filter(pk=payload.warehouse_id).first()
        if warehouse is None:
            raise Http404
    orders = services.create_draft_orders(
        request.user, [(ln.sku_id, ln.quantity) for ln in payload.lines], warehouse=warehouse
    )
    out = []
    for o in orders:
        lines = list(o.lines.all())
        out.append(
            {
                "id": o.pk,
                "number": o.number,
                "supplier_id": o.supplier_id,
                "supplier": o.supplier.name if o.supplier else "",
                "state": o.state,
                "source": o.source,
                "expected_on": o.expected_on,
                "lines": len(lines),
                "quantity": sum(ln.quantity for ln in lines),
                "amount_fen": sum(ln.amount_fen for ln in lines),
            }
        )
    return Status(201, out)
