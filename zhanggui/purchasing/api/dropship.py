"""Purchasing API: dropship orders (PROD-10) — the list per shop, one order, the export file for a supplier and the
import of its tracking numbers; the same service as the pages (services.dropship). Receivers are masked unless
the caller may see buyer data (TEAM-5)."""

import datetime as dt
from typing import Literal

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile

from zhanggui.core import clock, uploads
from zhanggui.core.access import allowed_shop_or_404, allowed_shops, scoped_get
from zhanggui.core.apitools import api_route, sku_fields
from zhanggui.core.bounds import Reference
from zhanggui.core.errors import DomainError

from ..models import DropshipLine, DropshipOrder, Supplier
from ..services import dropship as services

router = Router(tags=["dropship"])
VIEW = "purchasing.view_dropshiporder"
CHANGE = "purchasing.change_dropshiporder"
REQUIRED_FILE = File(...)
REQUIRED_SUPPLIER = Form(...)


class DropshipLineOut(Schema):
    sku_id: int
    sku_code: str
    product_name: str
    colour: str
    size: str
    quantity: int


class DropshipOut(Schema):
    id: int
    reference: str
    shop_id: int
    shop: str
    supplier_id: int
    supplier: str
    state: str
    state_label: str
    receiver_name: str
    receiver_phone: str
    receiver_address: str
    masked: bool
    buyer_note: str
    carrier: str
    tracking_no: str
    created_at: dt.datetime
    sent_at: dt.datetime | None
    shipped_at: dt.datetime | None
    lines: list[DropshipLineOut]


class DropshipPage(Schema):
    count: int
    tabs: dict[str, int]
    items: list[DropshipOut]


class ExportIn(Schema):
    supplier_id: int
    state: Literal["pending", "sent"] = "pending"
    ids: list[Reference] | None = None  # these orders of the supplier instead of all in `state`


class TrackingImportOut(Schema):
    rows: int
    updated: int
    unchanged: int
    failed: int
    errors: list[dict]


def _out(order, user) -> dict:
    receiver = services.present_receiver(order, user)
    return {
        "id": order.pk,
        "reference": order.reference,
        "shop_id": order.shop_id,
        "shop": order.shop.name,
        "supplier_id": order.supplier_id,
        "supplier": order.supplier.name,
        "state": order.state,
        "state_label": str(order.get_state_display()),
        "receiver_name": receiver["name"],
        "receiver_phone": receiver["phone"],
        "receiver_address": receiver["address"],
        "masked": receiver["masked"],
        "buyer_note": order.buyer_note,
        "carrier": order.carrier,
        "tracking_no": order.tracking_no,
        "created_at": order.created_at,
        "sent_at": order.sent_at,
        "shipped_at": order.shipped_at,
        "lines": [
            {
                **sku_fields(ln.sku),
                "quantity": ln.quantity,
            }
            for ln in order.lines.all()
        ],
    }


def _base():
    from django.db.models import Prefetch

    return DropshipOrder.objects.select_related("shop", "supplier").prefetch_related(
        Prefetch("lines", queryset=DropshipLine.objects.select_related("sku__product").order_by("pk"))
    )


@api_route(router.get, "/dropship-orders", perm=VIEW, response=DropshipPage)
def list_dropship_orders(
    request,
    state: Literal["pending", "sent", "shipped", "cancelled"] | None = None,
    supplier_id: int | None = None,
    shop_id: int | None = None,
    q: str = "",
    limit: int = 100,
    offset: int = 0,
):
    """PROD-10: dropship orders of the caller's shops (or of `shop_id`), newest first; `q` matches the order or
    tracking number. `tabs` counts every state under the same filters."""
    shops = [allowed_shop_or_404(request.user, shop_id)] if shop_id else allowed_shops(request.user)
    qs = _base().filter(shop__in=shops)
    if supplier_id:
        qs = qs.filter(supplier_id=supplier_id)
    q = q.strip()[:64]
    if q:
        from django.db.models import Q

        qs = qs.filter(Q(reference__icontains=q) | Q(tracking_no=q))
    tabs = services.state_counts(qs)
    if state:
        qs = qs.filter(state=state)
    offset = max(offset, 0)
    rows = qs.order_by("-created_at", "-pk")[offset : offset + max(1, min(limit, 500))]
    return {
        "count": tabs[state] if state else sum(tabs.values()),
        "tabs": tabs,
        "items": [_out(o, request.user) for o in rows],
    }


@api_route(router.post, "/dropship-orders/export", perm=CHANGE)
def export_dropship_orders(request, payload: ExportIn):
    """PROD-10: the XLSX for the supplier (full receiver data: needs crm.view_buyer_pii; logged as pii_export).
    Pending orders become sent."""
    supplier = get_object_or_404(Supplier, pk=payload.supplier_id)
    orders = None
    if payload.ids is not None:
        orders = list(DropshipOrder.objects.filter(pk__in=payload.ids, supplier=supplier).values_list("pk", flat=True))
        if len(orders) != len(set(payload.ids)):
            raise DomainError("unknown_orders", "有订单不存在或不是这个供应商的代发订单", "ids")
    content = services.export_for_supplier(request.user, supplier, orders=orders, state=payload.state)
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    stamp = clock.local(clock.now())
    response["Content-Disposition"] = f'attachment; filename="dropship-{supplier.code}-{stamp:%Y%m%d-%H%M}.xlsx"'
    return response


@api_route(router.post, "/dropship-orders/import-tracking", perm=CHANGE, response=TrackingImportOut)
def import_tracking(request, supplier_id: int = REQUIRED_SUPPLIER, file: UploadedFile = REQUIRED_FILE):
    """PROD-10: multipart `supplier_id` + `file` (CSV in UTF-8/GBK or XLSX with 订单号, 快递公司, 快递单号):
    good rows mark their orders shipped, bad rows come back with their line and reason."""
    supplier = get_object_or_404(Supplier, pk=supplier_id)
    uploads.check_upload(file, "dropship_tracking", uploads.SHEETS)
    result = services.import_tracking(request.user, supplier, file.read(), file.name)
    return {
        "rows": result.rows,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "failed": len(result.errors),
        "errors": [{"line": line, "reason": reason} for line, reason in result.errors],
    }


# Last: Django tries the routes in order, and {dropship_id} would otherwise catch /export and /import-tracking.
@api_route(router.get, "/dropship-orders/{dropship_id}", perm=VIEW, response=DropshipOut)
def get_dropship_order(request, dropship_id: int):
    """PROD-10: one dropship order with its lines (another shop's order answers 404)."""
    return _out(scoped_get(_base(), request.user, pk=dropship_id), request.user)
