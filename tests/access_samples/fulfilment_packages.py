"""Access-matrix samples for packages, print batches and waybill pools (SHIP-1): a printed package of shop_a in a
print batch, and an all-shops 申通 account with numbers (so `account_id` is not shop-bound)."""

import datetime as dt

from zhanggui.catalog.models import Sku
from zhanggui.fulfilment.models import Carrier, WaybillAccount
from zhanggui.fulfilment.services import packages, printing, waybills
from zhanggui.fulfilment.services.carriers import load_carriers
from zhanggui.orders.models import Order, OrderLine

SHOP_BOUND = {"package_id", "batch_id"}


def build(world, shared) -> dict:
    load_carriers()
    sku = Sku.objects.get(pk=shared["sku_id"])
    order = Order.objects.create(
        shop=world.shop_a,
        platform_order_no="AM-PKG-0001",
        state=Order.State.APPROVED,
        receiver_name="矩阵收件人",
        receiver_phone="13700001234",
        province="浙江省",
        city="杭州市",
        district="西湖区",
        address_detail="矩阵路 1 号",
        ordered_at=dt.datetime(2026, 11, 20, 3, 0, tzinfo=dt.UTC),
        paid_at=dt.datetime(2026, 11, 20, 3, 1, tzinfo=dt.UTC),
    )
    OrderLine.objects.create(order=order, line_no=1, sku=sku, outer_code=sku.code, quantity=1)
    package = packages.create_for_order(order, None)
    account = WaybillAccount.objects.create(carrier=Carrier.objects.get(code="STO"), name="矩阵申通")
    waybills.load_range(None, account, "2689990000001", 5)
    batch = printing.print_batch(world.people["manager"], [package.pk], "76x130").batch
    return {"package_id": package.pk, "batch_id": batch.pk, "account_id": account.pk}
