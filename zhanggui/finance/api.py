"""Finance API (FIN-1..3): every figure under /api/v1/finance/…, same permissions and shop scope as the pages."""

import datetime as dt

from django.http import Http404
from ninja import Router, Schema, Status

from zhanggui.core.access import allowed_shops, scoped_get
from zhanggui.core.apitools import api_route
from zhanggui.orders.models import Order

from .services import pnl, profit

router = Router(tags=["finance"])
PERM = "finance.view_ledger"
CLOSE = "finance.close_month"


class ProfitOut(Schema):
    order_id: int
    order_no: str
    paid_fen: int
    commission_fen: int
    courier_fen: int
    courier_source: str  # billed | expected | none
    packaging_fen: int
    cost_fen: int
    cost_missing: bool
    missing_skus: list[str]
    refund_fen: int
    compensation_fen: int
    profit_fen: int | None  # null while a cost is missing (成本缺失)


@api_route(router.get, "/finance/orders/{order_id}/profit", perm=PERM, response=ProfitOut)
def order_profit(request, order_id: int):
    """FIN-1: the gross profit of one order of the caller's shops and how it is made up (404: not paid)."""
    order = scoped_get(Order.objects.all(), request.user, pk=order_id)
    p = profit.order_profit(order)
    if p is None:
        raise Http404
    return {**p.__dict__, "order_no": order.platform_order_no, "profit_fen": p.profit_fen}


class ShopPnlOut(Schema):
    shop: str
    closed: bool
    figures: dict[str, int]


class PnlOut(Schema):
    month: str
    shops: list[ShopPnlOut]
    company: dict[str, int]
    beside: dict[str, int]


def _shops(request, shop: str):
    shops = list(allowed_shops(request.user))
    if shop:
        shops = [s for s in shops if s.code == shop.strip()]
        if not shops:
            raise Http404
    return shops


@api_route(router.get, "/finance/pnl", perm=PERM, response=PnlOut)
def monthly_pnl(request, month: str, shop: str = ""):
    """FIN-2: the P&L of `month` (YYYY-MM) for the caller's shops (or `shop`, a shop code) and the company."""
    first = pnl.month_of(month)
    rows, total, beside = pnl.monthly(_shops(request, shop), first)
    return {
        "month": f"{first:%Y-%m}",
        "shops": [{"shop": r.shop.code, "closed": r.closed is not None, "figures": r.figures} for r in rows],
        "company": total,
        "beside": beside,
    }


class CloseIn(Schema):
    shop: str
    month: str
    note: str = ""


class CloseOut(Schema):
    shop: str
    month: str
    closed_at: dt.datetime
    figures: dict[str, int]


@api_route(router.post, "/finance/pnl/close", perm=CLOSE, response={201: CloseOut})
def close_month(request, payload: CloseIn):
    """FIN-2: close a shop's month (figures frozen); a closed month again: 400 with a Chinese message."""
    shop = _shops(request, payload.shop or "-")[0]
    c = pnl.close_month(request.user, shop, pnl.month_of(payload.month), note=payload.note)
    return Status(201, {"shop": shop.code, "month": f"{c.month:%Y-%m}", "closed_at": c.closed_at, "figures": c.figures})


class CostIn(Schema):
    shop: str
    month: str
    kind: str  # ad | prize | other
    amount_fen: int
    note: str = ""


class CostOut(Schema):
    id: int
    shop: str
    month: str
    kind: str
    amount_fen: int
    note: str


def _cost_out(e) -> dict:
    return {"id": e.pk, "shop": e.shop.code, "month": f"{e.month:%Y-%m}", "kind": e.kind, "amount_fen": e.amount_fen,
            "note": e.note}  # fmt: skip


@api_route(router.get, "/finance/costs", perm=PERM, response=list[CostOut])
def list_costs(request, month: str, shop: str = ""):
    """FIN-2: the costs entered for `month` in the caller's shops."""
    from .models import CostEntry

    entries = CostEntry.objects.filter(shop__in=_shops(request, shop), month=pnl.month_of(month))
    return [_cost_out(e) for e in entries.select_related("shop")]


@api_route(router.post, "/finance/costs", perm=PERM, response={201: CostOut})
def add_cost(request, payload: CostIn):
    """FIN-2: enter a cost; for a closed month it is booked in the next open month as a correction (the answer's
    month says where)."""
    shop = _shops(request, payload.shop or "-")[0]
    entry = pnl.add_cost(request.user, shop, payload.month, payload.kind, payload.amount_fen, payload.note)
    return Status(201, _cost_out(entry))


from .funds_api import router as funds_router  # noqa: E402  FIN-3: /finance/statements, /finance/funds

router.add_router("", funds_router)
