"""SHIP-2 at-risk queue and SHIP-5 courier fees in the API (same services and permissions as the pages)."""

import datetime as dt

from ninja import Router, Schema
from ninja.errors import HttpError

from zhanggui.core import clock
from zhanggui.core.access import allowed_shops
from zhanggui.core.apitools import api_route

from ..models import Carrier
from ..services import fees, sla

router = Router()


class AtRiskOut(Schema):
    kind: str
    number: str
    shop_id: int
    order_id: int
    platform_order_no: str
    state: str
    deadline: dt.datetime  # SHIP-2 24-hour target
    seconds_left: int
    time_left: str
    hard_deadline: dt.datetime  # SHIP-2 never later than (48 h)
    overdue: bool  # 超时未发货, as in the order list


@api_route(router.get, "/shipping/at-risk", perm="fulfilment.view_package", response=list[AtRiskOut])
def at_risk(request):
    """SHIP-2: every package and order about to miss (or past) its ship deadline, grouped by shop as on the page."""
    return [
        {"kind": r.kind, "number": r.number, "shop_id": r.shop.pk, "order_id": r.order.pk,
         "platform_order_no": r.order.platform_order_no, "state": r.state, "deadline": r.deadline,
         "seconds_left": r.seconds_left, "time_left": r.time_left, "hard_deadline": r.hard_deadline,
         "overdue": r.overdue}
        for r in sla.at_risk(allowed_shops(request.user))
    ]  # fmt: skip


class FeeRowOut(Schema):
    package_no: str
    shop_id: int
    waybill_no: str
    shipped_at: dt.datetime | None
    weight_g: int | None
    expected_fen: int | None
    billed_fen: int | None
    difference_fen: int | None
    flagged: bool


class FeesOut(Schema):
    carrier: str
    month: str
    parcels: int
    billed: int
    expected_total_fen: int
    billed_total_fen: int
    difference_total_fen: int
    flagged: int
    unbilled: int
    rows: list[FeeRowOut]


@api_route(router.get, "/courier-fees", perm="fulfilment.reconcile_fee", response=FeesOut)
def courier_fees(request, carrier: str = "", month: str = ""):
    """SHIP-5: billed against expected courier fees of one carrier (code, e.g. STO; default the first carrier) and
    Beijing month (2026-11; default this month)."""
    carriers = Carrier.objects.order_by("sort", "pk")
    found = carriers.filter(code=carrier.upper()).first() if carrier else carriers.first()
    if found is None:
        raise HttpError(404, f"快递公司 {carrier} 不存在")
    month = month or clock.today().strftime("%Y-%m")
    recon = fees.reconcile(allowed_shops(request.user), found, month)
    return {
        "carrier": found.code, "month": month, "parcels": recon.parcels, "billed": recon.billed,
        "expected_total_fen": recon.expected_total, "billed_total_fen": recon.billed_total,
        "difference_total_fen": recon.difference_total, "flagged": recon.flagged, "unbilled": len(recon.unbilled),
        "rows": [
            {"package_no": r.package.package_no, "shop_id": r.package.shop_id, "waybill_no": r.package.waybill_no,
             "shipped_at": r.package.shipped_at, "weight_g": r.weight_g, "expected_fen": r.expected_fen,
             "billed_fen": r.billed_fen, "difference_fen": r.difference_fen, "flagged": r.flagged}
            for r in recon.rows
        ],
    }  # fmt: skip
