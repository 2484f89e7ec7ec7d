"""A small after-sales world (AS-1..AS-6): orders of shop_a in the states cases are opened from — shipped (signed
for 3 days ago), to review (not shipped), unpaid — each with two lines (dress ×2 paid ¥100, T-shirt ×1 paid ¥50,
postage ¥10: the order paid ¥160), plus a shipped order of shop_b. Helpers open cases through the service."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass

import pytest

from zhanggui.aftersales.services import cases
from zhanggui.core import clock
from zhanggui.fulfilment.models import Package, PackageOrder
from zhanggui.inventory.models import Warehouse
from zhanggui.orders.models import Order, OrderLine

S = Order.State
_numbers = itertools.count(1)
_packages = itertools.count(1)


@dataclass
class AsWorld:
    world: object
    shipped: Order  # signed for 3 days ago
    unshipped: Order  # 待审核
    unpaid: Order
    other_shop: Order  # shop_b, shipped
    cs: object
    manager: object


def make_order(shop, state, *, shipped_days=None, signed_days=None, receiver=None) -> Order:
    now = clock.now()
    receiver = receiver or {"receiver_name": "王小二", "receiver_phone": "13912345678", "province": "浙江省",
                            "city": "杭州市", "district": "西湖区", "address_detail": "文三路 99 号"}  # fmt: skip
    order = Order.objects.create(
        shop=shop,
        platform_order_no=f"AS{next(_numbers):013d}",
        state=state,
        buyer_nick="tb_买家",
        goods_fen=15000,
        postage_fen=1000,
        paid_fen=16000 if state != S.PENDING_PAYMENT else 0,
        paid_at=None if state == S.PENDING_PAYMENT else now - dt.timedelta(days=10),
        ordered_at=now - dt.timedelta(days=10),
        shipped_at=now - dt.timedelta(days=shipped_days) if shipped_days is not None else None,
        **receiver,
    )
    OrderLine.objects.bulk_create(
        [
            OrderLine(order=order, line_no=1, outer_code="D-黑-M", title="碎花连衣裙", properties="黑色;M",
                      unit_price_fen=5000, quantity=2, paid_fen=10000, shipped_qty=2 if shipped_days else 0),
            OrderLine(order=order, line_no=2, outer_code="T-灰-M", title="纯棉T恤", properties="灰色;M",
                      unit_price_fen=5000, quantity=1, paid_fen=5000, shipped_qty=1 if shipped_days else 0),
        ]
    )  # fmt: skip
    if signed_days is not None:
        warehouse = Warehouse.objects.first() or Warehouse.objects.create(code="AS-WH", name="售后仓", is_default=True)
        package = Package.objects.create(
            package_no=f"PAS{next(_packages):09d}",
            shop=shop,
            warehouse=warehouse,
            order=order,
            state=Package.State.SIGNED,
            shipped_at=order.shipped_at,
            signed_at=now - dt.timedelta(days=signed_days),
        )
        PackageOrder.objects.create(package=package, order=order)
    return order


def lines_of(order, *qtys) -> list:
    """[(order line, qty)] for the order's lines in line order; default: every piece."""
    lines = list(order.lines.order_by("line_no"))
    qtys = qtys or tuple(ln.quantity for ln in lines)
    return [(ln, q) for ln, q in zip(lines, qtys, strict=False) if q]


def open_case(asw: AsWorld, kind="return_refund", order=None, actor=None, **kw):
    order = order or (asw.unshipped if kind == "refund_unshipped" else asw.shipped)
    kw.setdefault("lines", lines_of(order, 1))
    kw.setdefault("reason_text", "尺码偏小")
    return cases.open_case(actor or asw.cs, order=order, kind=kind, **kw)


@pytest.fixture
def asw(world) -> AsWorld:
    return AsWorld(
        world=world,
        shipped=make_order(world.shop_a, S.SHIPPED, shipped_days=5, signed_days=3),
        unshipped=make_order(world.shop_a, S.TO_REVIEW),
        unpaid=make_order(world.shop_a, S.PENDING_PAYMENT),
        other_shop=make_order(world.shop_b, S.SHIPPED, shipped_days=5),
        cs=world.people["cs"],
        manager=world.people["manager"],
    )


def recorded_only(case) -> dict:
    """INV-5: an inspection that posts nothing (these orders' lines have no SKU): every piece recorded as 错发."""
    from zhanggui.aftersales.services.receiving import Inspected

    return {line.pk: Inspected(wrong=line.quantity) for line in case.lines.all()}
