"""A small purchasing world for the supplier and purchase-order tests (PUR-1..3): a default warehouse, a dress in
black/white × S/M (D-黑-S, D-黑-M, D-白-S, D-白-M), a T-shirt T-灰-M, two suppliers (杭州织造 5 days, 广州服饰
10 days) and helpers that move an order along its flow through the orders service only."""

from dataclasses import dataclass

import pytest
from django.db import transaction

from zhanggui.catalog.services.products import create_product
from zhanggui.core import clock
from zhanggui.inventory.models import StockLevel
from zhanggui.inventory.services import warehouses as wh_svc
from zhanggui.purchasing.models import PurchaseOrder, Receipt, ReceiptLine
from zhanggui.purchasing.services import orders
from zhanggui.purchasing.services import suppliers as sup_svc

State = PurchaseOrder.State


@dataclass
class PoWorld:
    buyer: object  # 店长 = 进货人员
    warehouse: object
    skus: dict
    dress: object
    tee: object
    hz: object  # 杭州织造
    gz: object  # 广州服饰


@pytest.fixture
def po(world):
    buyer = world.people["manager"]
    warehouse = wh_svc.create_warehouse(buyer, code="MAIN", name="主仓", is_default=True)
    dress = create_product(buyer, style_code="D", name="碎花连衣裙", colours=["黑", "白"], sizes=["S", "M"])
    tee = create_product(buyer, style_code="T", name="纯棉T恤", colours=["灰"], sizes=["M"])
    skus = {s.code: s for s in [*dress.skus.all(), *tee.skus.all()]}
    hz = sup_svc.create_supplier(buyer, code="HZ", name="杭州织造", lead_time_days=5, phone="0571-1234")
    gz = sup_svc.create_supplier(buyer, code="GZ", name="广州服饰", lead_time_days=10)
    return PoWorld(buyer, warehouse, skus, dress, tee, hz, gz)


def new_order(po, lines=None, supplier="hz", **kw):
    """A need/plan order; lines {code: (qty, price fen)}, default D-黑-S 10 × ¥35, D-白-M 5 × ¥40."""
    lines = lines or {"D-黑-S": (10, 3500), "D-白-M": (5, 4000)}
    return orders.create_order(
        po.buyer,
        lines=[(po.skus[c], q, p) for c, (q, p) in lines.items()],
        supplier=getattr(po, supplier) if supplier else None,
        warehouse=po.warehouse,
        **{"reason": "补货", **kw},
    )


def fresh(order):
    return PurchaseOrder.objects.get(pk=order.pk)


def ordered(po, **kw):
    order = new_order(po, **kw)
    return orders.place_order(po.buyer, order, version=order.version)


def receive(order, counts: dict, actor=None, *, posted_at=None, receipt_supplier=True):
    """What receiving (helper B) does when a slip against `order` is posted: a posted Receipt with its lines,
    add_received per line, in transit down, and the order moved to partial or received — via the orders
    service's interface (lock, add_received, transition). counts {code: (counted, faulty)}."""
    from zhanggui.inventory.services.stock import add_in_transit

    with transaction.atomic():
        order = orders.lock(order)
        receipt = Receipt.objects.create(
            number=orders.next_number("RK", Receipt),
            order=order,
            supplier=order.supplier if receipt_supplier else None,
            warehouse=order.warehouse,
            state=Receipt.State.POSTED,
            posted_at=posted_at or clock.now(),
        )
        lines = {ln.sku.code: ln for ln in order.lines.select_related("sku")}
        for code, (counted, faulty) in counts.items():
            line = lines[code]
            ReceiptLine.objects.create(
                receipt=receipt, sku=line.sku, order_line=line, counted_qty=counted, faulty_qty=faulty
            )
            orders.add_received(line, counted, faulty)
        add_in_transit(
            order.warehouse_id, {lines[c].sku_id: -min(n, lines[c].outstanding) for c, (n, _f) in counts.items()}
        )
        done = all(ln.outstanding == 0 for ln in order.lines.all())
        orders.transition(order, State.RECEIVED if done else State.PARTIAL, actor, note=f"入库单 {receipt.number}")
    return receipt


def in_transit(po, code) -> int:
    level = StockLevel.objects.filter(sku=po.skus[code], warehouse=po.warehouse).first()
    return level.in_transit if level else 0
