"""Access-matrix samples for orders (ORD-1..9): one imported order of shop_a whose receiver is world.customer_a (so
the matrix checks that the phone and street are masked for roles without crm.view_buyer_pii), and an import run of
shop_a with an error report (served only to staff of shop_a)."""

import datetime as dt

from zhanggui.channels.formats.types import ParsedLine, ParsedOrder, ReadResult, RowError
from zhanggui.orders.models import Order
from zhanggui.orders.services.imports import import_parsed

SHOP_BOUND = {"order_id", "run_id"}


def build(world, shared) -> dict:
    c = world.customer_a
    order = ParsedOrder(
        platform_order_no="AM-ORD-0001",
        state="to_review",
        platform_status="买家已付款，等待卖家发货",
        buyer_nick="矩阵买家",
        receiver_name=c.name,
        receiver_phone=c.phone,
        province=c.province,
        city=c.city,
        district=c.district,
        address_detail=c.address,
        address_raw=f"{c.province}{c.city}{c.district}{c.address}",
        paid_fen=9900,
        goods_fen=9900,
        ordered_at=dt.datetime(2026, 11, 20, 2, 0, tzinfo=dt.UTC),
        paid_at=dt.datetime(2026, 11, 20, 2, 1, tzinfo=dt.UTC),
        lines=[
            ParsedLine(line_no=1, outer_code="AM-X", title="矩阵连衣裙", quantity=1, unit_price_fen=9900, paid_fen=9900)
        ],
        source_file="m.csv",
        source_line=2,
    )
    bad = RowError("m.csv", 3, "订单编号", "订单编号为空", "")
    run = import_parsed(None, world.shop_a, ReadResult(orders=[order], errors=[bad], format="taobao-2020"), ["m.csv"])
    order_id = Order.objects.get(shop=world.shop_a, platform_order_no="AM-ORD-0001").pk
    return {"order_id": order_id, "run_id": run.pk, "line_no": 1}  # line_no: a line of that order (ORD-7 edits)
