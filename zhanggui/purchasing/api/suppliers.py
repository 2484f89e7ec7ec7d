"""Suppliers API (PUR-1, PUR-3): the same services as the pages. Company-level, not shop-scoped."""

import datetime as dt

from django.db.models import Q
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status

from zhanggui.core.apitools import api_route
from zhanggui.core.bounds import Quantity

from ..models import Supplier, SupplierProduct
from ..services import suppliers as svc

router = Router(tags=["purchasing"])


class QualityOut(Schema):
    received: int
    faulty: int
    refused: int
    defect_rate: float | None
    receipts: int
    on_time: int
    on_time_rate: float | None
    evaluations: int
    score: float | None


class SupplierOut(Schema):
    id: int
    code: str
    name: str
    contact_name: str
    phone: str
    wechat: str
    address: str
    shop_url: str
    lead_time_days: int
    payment_terms: str
    note: str
    is_active: bool
    quality: QualityOut
    owed_fen: int


class ContactOut(Schema):
    id: int
    name: str
    role: str
    phone: str
    wechat: str


class SupplierProductOut(Schema):
    product_id: int
    style_code: str
    supplier_item_code: str
    unit_cost_fen: int
    min_order_qty: int
    is_preferred: bool


class StatementRowOut(Schema):
    order_id: int
    number: str
    state: str
    date: dt.date
    amount_fen: int
    transport_fen: int
    paid_fen: int
    owed_fen: int


class StatementOut(Schema):
    rows: list[StatementRowOut]
    amount_fen: int
    transport_fen: int
    paid_fen: int
    owed_fen: int


class SupplierDetailOut(SupplierOut):
    contacts: list[ContactOut]
    products: list[SupplierProductOut]
    statement: StatementOut


class SupplierIn(Schema):
    code: str
    name: str
    contact_name: str = ""
    phone: str = ""
    wechat: str = ""
    address: str = ""
    shop_url: str = ""
    lead_time_days: Quantity = 7
    payment_terms: str = ""
    note: str = ""
    is_active: bool = True


def _quality(rec) -> dict:
    return {
        "received": rec.received,
        "faulty": rec.faulty,
        "refused": rec.refused,
        "defect_rate": rec.defect_rate,
        "receipts": rec.receipts,
        "on_time": rec.on_time,
        "on_time_rate": rec.on_time_rate,
        "evaluations": rec.evaluations,
        "score": rec.score,
    }


def _supplier_out(s: Supplier, rec, owed: int) -> dict:
    return {
        **{name: getattr(s, name) for name in svc.PROFILE_FIELDS},
        "id": s.pk,
        "quality": _quality(rec),
        "owed_fen": owed,
    }


@api_route(router.get, "/suppliers", perm="purchasing.view_supplier", response=list[SupplierOut])
def list_suppliers(request, q: str = "", active: bool | None = None, limit: int = 200, offset: int = 0):
    """PUR-1, PUR-3: suppliers by code with their quality record and what is owed to them."""
    qs = Supplier.objects.order_by("code")
    if q.strip():
        q = q.strip()[:60]
        qs = qs.filter(Q(code__icontains=q) | Q(name__icontains=q) | Q(contact_name__icontains=q))
    if active is not None:
        qs = qs.filter(is_active=active)
    offset = max(offset, 0)
    suppliers = list(qs[offset : offset + max(1, min(limit, 500))])
    records = svc.quality_records([s.pk for s in suppliers])
    owed = svc.owed_by_supplier()
    return [_supplier_out(s, records[s.pk], owed.get(s.pk, 0)) for s in suppliers]


@api_route(router.get, "/suppliers/{supplier_id}", perm="purchasing.view_supplier", response=SupplierDetailOut)
def get_supplier(request, supplier_id: int, date_from: dt.date | None = None, date_to: dt.date | None = None):
    """PUR-1, PUR-3: one supplier with contacts, products, quality record and statement (orders placed between
    date_from and date_to, Beijing days, inclusive)."""
    s = get_object_or_404(Supplier, pk=supplier_id)
    statement = svc.supplier_statement(s, date_from, date_to)
    totals = statement.totals
    return {
        **_supplier_out(s, svc.quality_record(s), svc.owed_by_supplier([s.pk]).get(s.pk, 0)),
        "contacts": [
            {"id": c.pk, "name": c.name, "role": c.role, "phone": c.phone, "wechat": c.wechat} for c in s.contacts.all()
        ],
        "products": [
            {
                "product_id": i.product_id,
                "style_code": i.product.style_code,
                "supplier_item_code": i.supplier_item_code,
                "unit_cost_fen": i.unit_cost_fen,
                "min_order_qty": i.min_order_qty,
                "is_preferred": i.is_preferred,
            }
            for i in SupplierProduct.objects.filter(supplier=s)
            .select_related("product")
            .order_by("product__style_code")
        ],
        "statement": {
            "rows": [
                {
                    "order_id": r.order.pk,
                    "number": r.order.number,
                    "state": r.order.state,
                    "date": r.day,
                    "amount_fen": r.amount,
                    "transport_fen": r.transport,
                    "paid_fen": r.paid,
                    "owed_fen": r.owed,
                }
                for r in statement.rows
            ],
            "amount_fen": totals["amount"],
            "transport_fen": totals["transport"],
            "paid_fen": totals["paid"],
            "owed_fen": totals["owed"],
        },
    }


@api_route(router.post, "/suppliers", perm="purchasing.add_supplier", response={201: SupplierOut})
def create_supplier(request, payload: SupplierIn):
    """PUR-1: a new supplier (code and name unique)."""
    s = svc.create_supplier(request.user, **payload.dict())
    return Status(201, _supplier_out(s, svc.QualityRecord(), 0))
