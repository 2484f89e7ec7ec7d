"""Stock API (INV-1, INV-2, INV-4): the same selectors and services as the pages. Stock is company-level."""

import datetime as dt
from typing import Literal

from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from zhanggui.catalog.models import Sku
from zhanggui.core.apitools import api_route
from zhanggui.core.bounds import Quantity
from zhanggui.core.errors import DomainError

from .. import selectors
from ..models import Warehouse
from ..services import stock as services

router = Router(tags=["stock"])


class StockLevelOut(Schema):
    id: int
    sku_id: int
    sku_code: str
    barcode: str | None
    style_code: str
    product_name: str
    colour: str
    size: str
    warehouse_id: int
    warehouse: str
    bin: str | None
    on_hand: int
    reserved: int
    available: int
    in_transit: int
    faulty: int  # INV-3: stored apart, awaiting supplier exchange
    damaged: int  # INV-3/INV-5: the separate damaged account


class StockLevelPage(Schema):
    count: int
    tabs: dict[str, int]
    low_stock_threshold: int
    items: list[StockLevelOut]


class LedgerEntryOut(Schema):
    id: int
    at: dt.datetime
    sku_id: int
    sku_code: str
    warehouse_id: int
    reason: str
    reason_label: str
    document: str
    on_hand_before: int
    on_hand_change: int
    on_hand_after: int
    reserved_change: int
    reserved_after: int
    actor_number: str
    note: str


class LedgerPage(Schema):
    count: int
    items: list[LedgerEntryOut]


class AdjustmentIn(Schema):
    sku: str  # merchant code or barcode
    warehouse_id: int | None = None  # default warehouse when left out
    qty: Quantity
    kind: Literal["receipt", "adjust"] = "receipt"
    document: str = ""
    note: str = ""


class BinOut(Schema):
    id: int
    code: str
    category: str
    size_band: str
    position: int


class WarehouseOut(Schema):
    id: int
    code: str
    name: str
    address: str
    is_default: bool
    is_active: bool
    bins: list[BinOut]


def _level_out(lv) -> dict:
    sku = lv.sku
    return {
        "id": lv.pk,
        "sku_id": sku.pk,
        "sku_code": sku.code,
        "barcode": sku.barcode,
        "style_code": sku.product.style_code,
        "product_name": sku.product.name,
        "colour": sku.colour,
        "size": sku.size,
        "warehouse_id": lv.warehouse_id,
        "warehouse": lv.warehouse.name,
        "bin": lv.home_bin.code if lv.home_bin else None,
        "on_hand": lv.on_hand,
        "reserved": lv.reserved,
        "available": lv.on_hand - lv.reserved,
        "in_transit": lv.in_transit,
        "faulty": lv.faulty,
        "damaged": lv.damaged,
    }


def _entry_out(e) -> dict:
    return {
        "id": e.pk,
        "at": e.at,
        "sku_id": e.sku_id,
        "sku_code": e.sku.code,
        "warehouse_id": e.warehouse_id,
        "reason": e.reason,
        "reason_label": str(e.get_reason_display()),
        "document": e.document,
        "on_hand_before": e.on_hand_before,
        "on_hand_change": e.on_hand_change,
        "on_hand_after": e.on_hand_after,
        "reserved_change": e.reserved_change,
        "reserved_after": e.reserved_after,
        "actor_number": e.actor_number,
        "note": e.note,
    }


@api_route(router.get, "/stock-levels", perm="inventory.view_stocklevel", response=StockLevelPage)
def list_stock_levels(
    request,
    q: str = "",
    warehouse_id: int | None = None,
    category_id: int | None = None,
    tab: Literal["all", "out", "low", "reserved"] = "all",
    limit: int = 100,
    offset: int = 0,
):
    """INV-1: stock per SKU and warehouse; `tab` out = available 0, low = 1…threshold (INV-7), reserved."""
    filters = selectors.StockFilters(q=q.strip()[:64], warehouse=warehouse_id, category=category_id, tab=tab)
    threshold = selectors.low_stock_threshold()
    counts = selectors.tab_counts(filters, threshold)
    offset = max(offset, 0)
    rows = selectors.stock_levels(filters, threshold)[offset : offset + max(1, min(limit, 500))]
    return {
        "count": counts[tab],
        "tabs": counts,
        "low_stock_threshold": threshold,
        "items": [_level_out(lv) for lv in rows],
    }


@api_route(router.get, "/stock-ledger", perm="inventory.view_ledgerentry", response=LedgerPage)
def list_stock_ledger(
    request,
    sku: str = "",
    warehouse_id: int | None = None,
    reason: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    limit: int = 100,
    offset: int = 0,
):
    """INV-2: ledger entries newest first; dates are Beijing calendar days (inclusive)."""
    filters = selectors.LedgerFilters.from_params(
        {
            "sku": sku,
            "warehouse": warehouse_id,
            "reason": reason,
            "date_from": date_from.isoformat() if date_from else "",
            "date_to": date_to.isoformat() if date_to else "",
        }
    )
    qs = selectors.ledger_entries(filters)
    offset = max(offset, 0)
    rows = qs[offset : offset + max(1, min(limit, 500))]
    return {"count": qs.count(), "items": [_entry_out(e) for e in rows]}


@api_route(router.post, "/stock-adjustments", perm="inventory.change_stocklevel", response={201: LedgerEntryOut})
def create_stock_adjustment(request, payload: AdjustmentIn):
    """INV-2: receive (qty > 0) or adjust (qty ±) one SKU's stock with a document; returns the ledger entry."""
    code = payload.sku.strip()
    sku = Sku.objects.filter(Q(code=code) | Q(barcode=code)).first()
    if sku is None:
        raise DomainError("unknown_sku", _("No SKU with merchant code or barcode %(code)s") % {"code": code}, "sku")
    if sku.is_combo:
        raise DomainError("combo", _("%(code)s is a combination: receive its parts instead") % {"code": code}, "sku")
    if payload.qty == 0:
        raise DomainError("invalid", _("The quantity cannot be 0"), "qty")
    if payload.kind == "receipt" and payload.qty < 0:
        raise DomainError(
            "invalid", _("A stock-in takes a positive quantity; use an adjustment to reduce stock"), "qty"
        )
    if payload.warehouse_id:
        warehouse = selectors.active_warehouses().filter(pk=payload.warehouse_id).first()
        if warehouse is None:
            raise Http404
    else:
        warehouse = services.default_warehouse()
    entry = services.receive_stock(
        request.user, sku, warehouse, payload.qty, document=payload.document, reason=payload.kind, note=payload.note
    )
    entry.sku = sku
    return Status(201, _entry_out(entry))


@api_route(router.get, "/warehouses", perm="inventory.view_warehouse", response=list[WarehouseOut])
def list_warehouses(request):
    """INV-4: warehouses with their bins in walk order."""
    warehouses = Warehouse.objects.prefetch_related("bins").order_by("-is_default", "code")
    return [
        {
            "id": w.pk,
            "code": w.code,
            "name": w.name,
            "address": w.address,
            "is_default": w.is_default,
            "is_active": w.is_active,
            "bins": [
                {"id": b.pk, "code": b.code, "category": b.category, "size_band": b.size_band, "position": b.position}
                for b in sorted(w.bins.all(), key=lambda b: (b.position, b.code))
            ],
        }
        for w in warehouses
    ]
