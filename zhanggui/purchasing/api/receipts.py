"""Purchasing API: stock-in slips (INV-3) — the same services as the pages. Company-level, not shop-scoped."""

import datetime as dt
from typing import Literal

from django.db.models import Count, Sum
from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from zhanggui.core.apitools import api_route, sku_fields
from zhanggui.core.bounds import Reference

from ..models import Receipt
from ..services import receiving as svc

router = Router()


class ReceiptLineOut(Schema):
    id: int
    row: int
    sku_id: int
    sku_code: str
    product_name: str
    colour: str
    size: str
    bin: str | None
    order_line_id: int | None
    expected_qty: int
    counted_qty: int
    faulty_qty: int
    good_qty: int
    fault: str


class ReceiptOut(Schema):
    id: int
    number: str
    state: str
    state_label: str
    order_id: int | None
    order_number: str | None
    supplier_id: int | None
    supplier: str | None
    warehouse_id: int
    differs_from_last_batch: bool
    difference_note: str
    note: str
    counted_by: str | None
    checked_by: str | None
    posted_by: str | None
    created_at: dt.datetime
    checked_at: dt.datetime | None
    posted_at: dt.datetime | None
    version: int
    expected_qty: int
    counted_qty: int
    faulty_qty: int


class ReceiptDetailOut(ReceiptOut):
    lines: list[ReceiptLineOut]


class ReceiptPage(Schema):
    count: int
    items: list[ReceiptOut]


class PostIn(Schema):
    version: Reference  # the version the caller read: a slip changed since is refused (stale_version)


def _number(user):
    return user.number if user else None


def _receipt_out(r, sums=None) -> dict:
    sums = sums or {}
    return {
        "id": r.pk,
        "number": r.number,
        "state": r.state,
        "state_label": str(r.get_state_display()),
        "order_id": r.order_id,
        "order_number": r.order.number if r.order_id else None,
        "supplier_id": r.supplier_id,
        "supplier": r.supplier.name if r.supplier_id else None,
        "warehouse_id": r.warehouse_id,
        "differs_from_last_batch": r.differs_from_last_batch,
        "difference_note": r.difference_note,
        "note": r.note,
        "counted_by": _number(r.counted_by),
        "checked_by": _number(r.checked_by),
        "posted_by": _number(r.posted_by),
        "created_at": r.created_at,
        "checked_at": r.checked_at,
        "posted_at": r.posted_at,
        "version": r.version,
        "expected_qty": sums.get("expected", getattr(r, "expected", None)) or 0,
        "counted_qty": sums.get("counted", getattr(r, "counted", None)) or 0,
        "faulty_qty": sums.get("faulty", getattr(r, "faulty", None)) or 0,
    }


def _detail(receipt_id) -> dict:
    r = get_object_or_404(
        Receipt.objects.select_related("order", "supplier", "counted_by", "checked_by", "posted_by"), pk=receipt_id
    )
    lines = svc.sorted_lines(r)
    return {
        **_receipt_out(r, svc.totals(lines)),
        "lines": [
            {
                "id": ln.pk,
                "row": ln.row,
                **sku_fields(ln.sku),
                "bin": ln.bin.code if ln.bin_id else None,
                "order_line_id": ln.order_line_id,
                "expected_qty": ln.expected_qty,
                "counted_qty": ln.counted_qty,
                "faulty_qty": ln.faulty_qty,
                "good_qty": ln.good_qty,
                "fault": ln.note,
            }
            for ln in lines
        ],
    }


@api_route(router.get, "/receipts", perm="purchasing.view_receipt", response=ReceiptPage)
def list_receipts(
    request,
    state: Literal["", "draft", "checked", "posted", "cancelled"] = "",
    supplier_id: int | None = None,
    order_id: int | None = None,
    limit: int = 100,
    offset: int = 0,
):
    """INV-3: stock-in slips newest first, with expected / counted / faulty totals."""
    qs = Receipt.objects.select_related("order", "supplier", "counted_by", "checked_by", "posted_by")
    if state:
        qs = qs.filter(state=state)
    if supplier_id:
        qs = qs.filter(supplier_id=supplier_id)
    if order_id:
        qs = qs.filter(order_id=order_id)
    total = qs.count()
    offset = max(offset, 0)
    rows = qs.annotate(
        n=Count("lines"),
        expected=Sum("lines__expected_qty"),
        counted=Sum("lines__counted_qty"),
        faulty=Sum("lines__faulty_qty"),
    ).order_by("-created_at", "-pk")[offset : offset + max(1, min(limit, 500))]
    return {"count": total, "items": [_receipt_out(r) for r in rows]}


@api_route(router.get, "/receipts/{receipt_id}", perm="purchasing.view_receipt", response=ReceiptDetailOut)
def get_receipt(request, receipt_id: int):
    """INV-3: one slip with its lines sorted by product, colour and size."""
    return _detail(receipt_id)


@api_route(router.post, "/receipts/{receipt_id}/post", perm="purchasing.change_receipt", response=ReceiptDetailOut)
def post_receipt(request, receipt_id: int, payload: PostIn):
    """INV-3: post a slip checked with the purchaser — stock, exchange list, purchase order and PUR-4 tasks in one
    transaction. Refused (400/409, Chinese message) when not checked, posted already, cancelled, stale or over
    the purchase order."""
    receipt = get_object_or_404(Receipt, pk=receipt_id)
    svc.post(request.user, receipt, version=payload.version)
    return _detail(receipt_id)
