"""Shared set-up for the order page and API tests: a warehouse with stock, a product whose SKUs match the export's
商家编码, and a few orders of shop_a imported through the real readers (Taobao pair) — plus one of shop_b."""

import pytest

from zhanggui.catalog.services.products import create_product
from zhanggui.channels.samples import jd_csv, taobao_pair
from zhanggui.inventory.services import stock
from zhanggui.inventory.services import warehouses as wh_svc
from zhanggui.orders.models import Order
from zhanggui.orders.services.imports import import_files


def import_taobao(actor, shop, orders):
    report, detail = taobao_pair(orders)
    return import_files(actor, shop, [("ExportOrderList.csv", report), ("ExportOrderDetailList.csv", detail)])


ORDERS = [
    {"no": "100000000000001", "buyer": "tb_王小", "name": "王小", "phone": "13911112222",
     "created": "2026-11-20 10:00:00"},
    {"no": "100000000000002", "buyer": "tb_李二", "name": "李二", "phone": "13933334444",
     "created": "2026-11-21 10:00:00", "status": "卖家已发货，等待买家确认", "tracking": "SF1234567890",
     "carrier": "顺丰速运"},
    {"no": "100000000000003", "buyer": "tb_张三", "name": "张三", "phone": "13955556666",
     "created": "2026-11-22 10:00:00", "lines": [{"code": "NOPE-1", "title": "神秘商品"}],
     "message": "请发顺丰，电话13955556666"},
]  # fmt: skip


@pytest.fixture(name="orders_world")
def orders_world_fixture(world):
    keeper = world.people["manager"]
    main = wh_svc.create_warehouse(keeper, code="MAIN", name="主仓", is_default=True)
    dress = create_product(keeper, style_code="D", name="碎花连衣裙", colours=["黑", "白"], sizes=["S", "M"])
    for sku in dress.skus.all():
        stock.receive_stock(keeper, sku, main, 20, document="QC-1", reason="opening")
    import_taobao(keeper, world.shop_a, ORDERS)
    jd = jd_csv([{"no": "900000000000009", "buyer": "jd_乙店", "phone": "13977778888"}])
    import_files(keeper, world.shop_b, [("jd.csv", jd)])
    world.orders = {o.platform_order_no: o for o in Order.objects.filter(shop=world.shop_a)}
    world.order_b = Order.objects.get(shop=world.shop_b)
    return world
