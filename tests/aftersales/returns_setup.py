"""A returns world (INV-5): a default warehouse with stock of a dress in S and M, a shipped order of shop_a whose
two lines are those SKUs (dress M ×2 paid ¥100, dress S ×1 paid ¥50) shipped from that warehouse, and helpers that
open a return or exchange case waiting for its return with the buyer's return waybill."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from zhanggui.aftersales.services import cases, receiving, unclaimed
from zhanggui.catalog.services.products import create_product
from zhanggui.core import clock
from zhanggui.fulfilment.models import Package, PackageOrder
from zhanggui.inventory.models import Warehouse
from zhanggui.inventory.services.stock import receive_stock
from zhanggui.orders.models import Order, OrderLine

_numbers = itertools.count(1)


@pytest.fixture
def stock(world):
    warehouse = Warehouse.objects.create(code="RT-WH", name="退货仓", is_default=True)
    product = create_product(None, style_code="RT", name="退货连衣裙", colours=["黑"], sizes=["S", "M"])
    skus = {s.size: s for s in product.skus.all()}
    for sku in skus.values():
        receive_stock(None, sku, warehouse, 10, document="期初", reason="opening")
    return {"warehouse": warehouse, **skus}


def shipped_order(world, stock, *, shop=None, state=Order.State.SHIPPED, phone="13912345678") -> Order:
    now = clock.now()
    shop = shop or world.shop_a
    no = f"RT{next(_numbers):012d}"
    shipped = state != Order.State.TO_REVIEW
    order = Order.objects.create(
        shop=shop, platform_order_no=no, state=state, buyer_nick="tb_退货", goods_fen=15000, paid_fen=15000,
        paid_at=now - dt.timedelta(days=6), ordered_at=now - dt.timedelta(days=6),
        shipped_at=now - dt.timedelta(days=4) if shipped else None, receiver_name="王小二", receiver_phone=phone,
        phone_last4=phone[-4:], province="浙江省", city="杭州市", district="西湖区", address_detail="文三路 99 号",
    )  # fmt: skip
    OrderLine.objects.bulk_create(
        [
            OrderLine(order=order, line_no=1, sku=stock["M"], outer_code=stock["M"].code, title="退货连衣裙",
                      properties="黑;M", unit_price_fen=5000, quantity=2, paid_fen=10000, shipped_qty=2 * shipped),
            OrderLine(order=order, line_no=2, sku=stock["S"], outer_code=stock["S"].code, title="退货连衣裙",
                      properties="黑;S", unit_price_fen=5000, quantity=1, paid_fen=5000, shipped_qty=1 * shipped),
        ]
    )  # fmt: skip
    if shipped:
        package = Package.objects.create(
            package_no=f"PRT{next(_numbers):09d}", shop=shop, warehouse=stock["warehouse"], order=order,
            state=Package.State.SHIPPED, shipped_at=order.shipped_at,
        )  # fmt: skip
        PackageOrder.objects.create(package=package, order=order)
    return order


def waiting_case(actor, order, kind="return_refund", waybill="", qtys=(2, 1), **kw):
    """A case of `order` agreed and waiting for its return (with the return waybill when given)."""
    lines = [(ln, q) for ln, q in zip(order.lines.order_by("line_no"), qtys, strict=False) if q]
    kw.setdefault("requested_refund_fen", 0)
    case = cases.open_case(actor, order=order, kind=kind, lines=lines, reason_text="尺码不合适", **kw)
    case = cases.move(actor, case, "waiting_return", note="同意退货")
    if waybill:
        case = unclaimed.set_return_waybill(actor, case, waybill, "中通快递")
    return case


def inspect(case, **per_line) -> dict:
    """{case line pk: Inspected}; per_line maps line_no → dict(intact=…, damaged=…); default every piece intact."""
    out = {}
    for line in case.lines.select_related("order_line"):
        given = per_line.get(f"l{line.order_line.line_no}", {"intact": line.quantity})
        out[line.pk] = receiving.Inspected(**given)
    return out
