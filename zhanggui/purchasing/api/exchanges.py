"""Purchasing API: the supplier-exchange list (INV-3) and inspected returns (INV-5, for after-sales)."""

import datetime as dt
from typing import Literal

from ninja import Router, Schema, Status
from pydantic import Field

from zhanggui.core.apitools import api_route
from zhanggui.core.bounds import Quantity
from zhanggui.inventory.selectors import active_warehouses
from zhanggui.inventory.services import returns

from ..services import exchanges as svc

router = Router()


class ExchangeOut(Schema):
    id: int
    supplier_id: int | None
    supplier: str | None
    sku_id: int
    sku_code: str
    warehouse_id: int
    quantity: int
    reason: str
    state: str
    state_label: str
    receipt_number: str | None
    created_at: dt.datetime
    closed_at: dt.datetime | None


class ExchangePage(Schema):
    count: int
    items: list[ExchangeOut]


class ReturnLineIn(Schema):
    sku: str = Field(min_length=1, max_length=64)  # merchant code or barcode
    qty: Quantity
    intact: bool  # inspected: intact → back to stock, damaged → damaged account
    note: str = Field("", max_length=200)


class StockReturnIn(Schema):
    reference: str = Field(min_length=1, max_length=80)  # e.g. the after-sales case number; one booking per reference
    warehouse_id: int | None = None
    lines: list[ReturnLineIn] = Field(min_length=1, max_length=500)


class ReturnEntryOut(Schema):
    id: int
    sku_id: int
    reason: str
    on_hand_change: int
    damaged_change: int
    on_hand_after: int
    damaged_after: int


class StockReturnOut(Schema):
    reference: str
    created: bool  # false: booked before with this reference, nothing changed
    entries: list[ReturnEntryOut]


@api_route(router.get, "/supplier-exchanges", perm="purchasing.view_supplierexchange", response=ExchangePage)
def list_exchanges(
    request,
    state: Literal["", "pending", "sent", "exchanged", "refused"] = "",
    supplier_id: int | None = None,
    limit: int = 100,
    offset: int = 0,
):
    """INV-3: faulty pieces per supplier; state pending = stored apart, sent = with the purchaser."""
    qs = svc.exchange_rows(state=state or None, supplier_id=supplier_id)
    offset = max(offset, 0)
    rows = qs[offset : offset + max(1, min(limit, 500))]
    return {
        "count": qs.count(),
        "items": [
            {
                "id": ex.pk,
                "supplier_id": ex.supplier_id,
                "supplier": ex.supplier.name if ex.supplier_id else None,
                "sku_id": ex.sku_id,
                "sku_code": ex.sku.code,
                "warehouse_id": ex.warehouse_id,
                "quantity": ex.quantity,
                "reason": ex.reason,
                "state": ex.state,
                "state_label": str(ex.get_state_display()),
                "receipt_number": ex.receipt_line.receipt.number if ex.receipt_line_id else None,
                "created_at": ex.created_at,
                "closed_at": ex.closed_at,
            }
            for ex in rows
        ],
    }


@api_route(
    router.post,
    "/stock-returns",
    perm="inventory.change_stocklevel",
    response={200: StockReturnOut, 201: StockReturnOut},
)
def create_stock_return(request, payload: StockReturnIn):
    """INV-5: book an inspected return — intact pieces back to stock, damaged ones to the damaged account.
    Idempotent per reference: a retry answers 200 with the earlier entries and created=false (201 the first time)."""
    warehouse = None
    if payload.warehouse_id:
        warehouse = active_warehouses().filter(pk=payload.warehouse_id).first()
        if warehouse is None:
            from django.http import Http404

            raise Http404
    result = returns.receive_return(
        request.user,
        payload.reference,
        [(line.sku, line.qty, line.intact, line.note) for line in payload.lines],
        warehouse=warehouse,
    )
    body = {
        "reference": payload.reference.strip(),
        "created": result.created,
        "entries": [
            {
                "id": e.pk,
                "sku_id": e.sku_id,
                "reason": e.reason,
                "on_hand_change": e.on_hand_change,
                "damaged_change": e.damaged_change,
                "on_hand_after": e.on_hand_after,
                "damaged_after": e.damaged_after,
            }
            for e in result.entries
        ],
    }
    return Status(201 if result.created else 200, body)
