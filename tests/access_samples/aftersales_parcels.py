"""Access-matrix samples for parcel problems (AS-4): a 丢件/破损 case of shop_a (a type 库管 may not see) with a claim
against the carrier, so the claim routes are checked for roles and the outsider of shop_b."""

import datetime as dt

from zhanggui.aftersales.services import cases, parcels
from zhanggui.core import clock
from zhanggui.fulfilment.models import Carrier
from zhanggui.orders.models import Order, OrderLine

SHOP_BOUND = {"claim_id"}


def build(world, shared) -> dict:
    order = Order.objects.create(
        shop=world.shop_a,
        platform_order_no="AM-AS-LOST-1",
        state=Order.State.SHIPPED,
        paid_fen=5000,
        goods_fen=5000,
        paid_at=clock.now() - dt.timedelta(days=4),
        shipped_at=clock.now() - dt.timedelta(days=3),
    )
    line = OrderLine.objects.create(order=order, line_no=1, outer_code="AM-L", title="矩阵丢件", quantity=1,
                                    unit_price_fen=5000, paid_fen=5000, shipped_qty=1)  # fmt: skip
    manager = world.people["manager"]
    case = cases.open_case(manager, order=order, kind="lost_damaged", lines=[(line, 1)], reason_text="矩阵丢件")
    carrier = Carrier.objects.order_by("pk").first()
    claim = parcels.file_claim(manager, case, carrier=carrier, waybill_no="AMLOST0001", reason="lost", claimed_fen=5000)
    return {"claim_id": claim.pk}
