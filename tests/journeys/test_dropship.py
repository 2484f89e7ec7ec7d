"""Dropship journey (PROD-10) across orders → fulfilment → purchasing → orders, crossed by domain events only:
a paid order of a dropship product reserves no own stock and never enters the out-of-stock queue; approved in 审单
it goes on the supplier's dropship list (not into our print queue); the supplier's tracking import ships it. A mixed
order ships in two parts: our package with the own-stock lines, the supplier's parcel with the rest."""

import pytest

from tests.journeys.floor import PAID, export, new_order_no, printed_package, shop_floor, stock_verify_clean
from zhanggui.catalog.services.products import create_product
from zhanggui.fulfilment.models import Package
from zhanggui.fulfilment.services import packages as package_states
from zhanggui.fulfilment.services import review, shipping
from zhanggui.inventory.models import LedgerEntry, Reservation, StockLevel
from zhanggui.orders.models import Order
from zhanggui.orders.services import states
from zhanggui.purchasing.models import DropshipOrder, Supplier, SupplierProduct
from zhanggui.purchasing.services import dropship

S = Order.State


@pytest.fixture
def floor(world):
    floor = shop_floor(world)
    floor.supplier = Supplier.objects.create(code="JIA", name="甲厂", lead_time_days=2)
    product = create_product(
        None, style_code="DS", name="代发连衣裙", colours=["红"], sizes=["M"], sourcing="dropship", supplier_name="甲厂"
    )
    SupplierProduct.objects.create(
        supplier=floor.supplier, product=product, supplier_item_code="JA-01", is_preferred=True
    )
    floor.ds = product.skus.get()
    return floor


def supplier_ships(world, floor, no: str, tracking: str, django_capture_on_commit_callbacks):
    """The supplier's file comes back with the tracking number (the tracking import; its event after the commit)."""
    data = f"订单号,快递公司,快递单号\r\n{no},圆通速递,{tracking}\r\n".encode("gbk")
    with django_capture_on_commit_callbacks(execute=True):
        result = dropship.import_tracking(world.people["manager"], floor.supplier, data, "回单.csv")
    assert (result.updated, result.errors) == (1, [])


def test_a_dropship_order_goes_to_the_supplier_and_ships_from_there(floor, world, django_capture_on_commit_callbacks):
    ledger_before = LedgerEntry.objects.count()
    no = new_order_no()
    order = export(world, no, PAID, code=floor.ds.code, qty=2)
    assert order.state == S.TO_REVIEW and not order.exc_out_of_stock  # nothing of ours to reserve or miss
    assert not Reservation.objects.filter(reference=states.reference(order)).exists()
    review.approve_orders(world.people["cs"], [f"{order.pk}:{order.version}"])
    assert not Package.objects.filter(package_orders__order=order).exists()  # not our print queue
    listed = DropshipOrder.objects.get(shop=world.shop_a, reference=no)
    assert (listed.supplier, listed.state) == (floor.supplier, DropshipOrder.State.PENDING)
    assert list(listed.lines.values_list("sku_id", "quantity")) == [(floor.ds.pk, 2)]
    assert listed.receiver_phone == "13912345678"
    dropship.export_for_supplier(world.people["manager"], floor.supplier)  # the supplier's file: sent
    supplier_ships(world, floor, no, "YT9876543210", django_capture_on_commit_callbacks)
    order.refresh_from_db()
    assert (order.state, order.tracking_no, order.carrier) == (S.SHIPPED, "YT9876543210", "圆通速递")
    assert list(order.lines.values_list("shipped_qty", flat=True)) == [2]
    assert LedgerEntry.objects.count() == ledger_before  # no own stock touched
    assert (StockLevel.objects.get(sku__code="D-黑-S").on_hand, StockLevel.objects.filter(sku=floor.ds).exists()) == (
        10,
        False,
    )
    assert stock_verify_clean()


def test_a_closed_order_cancels_its_dropship_order(floor, world):
    no = new_order_no()
    order = export(world, no, PAID, code=floor.ds.code)
    review.approve_orders(world.people["cs"], [f"{order.pk}:{order.version}"])
    states.close(world.people["cs"], order, "买家退款")
    assert DropshipOrder.objects.get(reference=no).state == DropshipOrder.State.CANCELLED


def test_a_mixed_order_ships_our_part_and_the_suppliers_part(floor, world, django_capture_on_commit_callbacks):
    """Own lines → our package (reserved, printed, packed, shipped); dropship lines → the supplier's list. The order
    is 部分发货 after the first part and 已发货 after both; own stock leaves once, against our waybill."""
    from zhanggui.channels import samples
    from zhanggui.orders.services import imports

    no = new_order_no()
    row = samples.order(no=no, status=PAID, lines=[{"code": "D-黑-S", "qty": 1}, {"code": floor.ds.code, "qty": 1}])
    report, detail = samples.taobao_pair([row])
    imports.import_files(world.people["cs"], world.shop_a, [("a.csv", report), ("b.csv", detail)])
    order = Order.objects.get(platform_order_no=no)
    reservations = Reservation.objects.filter(reference=states.reference(order))
    assert list(reservations.values_list("sku__code", "quantity")) == [("D-黑-S", 1)]  # only our line
    review.approve_orders(world.people["cs"], [f"{order.pk}:{order.version}"])
    package = Package.objects.get(package_orders__order=order)
    assert list(package.lines.values_list("sku__code", flat=True)) == ["D-黑-S"]
    assert list(DropshipOrder.objects.get(reference=no).lines.values_list("sku_id", flat=True)) == [floor.ds.pk]

    supplier_ships(world, floor, no, "YT1111111111", django_capture_on_commit_callbacks)
    order.refresh_from_db()
    package.refresh_from_db()
    assert order.state == S.PART_SHIPPED and package.state == Package.State.TO_PRINT  # ours still to go

    package = printed_package(world, order)
    package_states.transition(package, Package.State.PACKED, world.people["warehouse"])
    shipping.ship_package(world.people["warehouse"], package)
    order.refresh_from_db()
    assert order.state == S.SHIPPED and order.tracking_no == package.waybill_no
    ship = LedgerEntry.objects.filter(reason=LedgerEntry.Reason.SHIP)
    assert list(ship.values_list("sku__code", "document", "on_hand_change")) == [("D-黑-S", package.waybill_no, -1)]
    assert not reservations.filter(state=Reservation.State.OPEN).exists()
    assert stock_verify_clean()


def approve_dropship_counting(world, floor, n: int) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.fulfilment.test_bulk_approve import statements

    orders = [export(world, new_order_no(), PAID, code=floor.ds.code, qty=1) for _ in range(n)]
    with CaptureQueriesContext(connection) as queries:
        approved, refused = states.approve_many(world.people["cs"], [o.pk for o in orders])
    assert (len(approved), refused) == (n, [])
    listed = DropshipOrder.objects.filter(shop=world.shop_a, reference__in=[o.platform_order_no for o in orders])
    assert listed.count() == n and all(d.lines.count() == 1 for d in listed)
    return statements(queries.captured_queries)


def test_a_batch_of_dropship_orders_is_queued_in_a_fixed_number_of_queries(floor, world):
    """House rule 8, PROD-10: approving 12 dropship orders in one 审单 batch puts them on the supplier's list with as
    many statements as approving 3 (SKUs, suppliers, existing orders, bulk INSERTs, one timeline INSERT)."""
    assert approve_dropship_counting(world, floor, 12) == approve_dropship_counting(world, floor, 3)


def test_requeueing_a_dropship_order_changes_nothing(floor, world):
    """PROD-10: the queue is idempotent per (shop, order, supplier): a second request returns the same order."""
    no = new_order_no()
    first = dropship.queue_dropship(None, world.shop_a, no, [(floor.ds.pk, 2)], "张三", "13912345678", "浙江杭州")
    again = dropship.queue_dropship(None, world.shop_a, no, [(floor.ds.pk, 5)], "张三", "13912345678", "浙江杭州")
    assert [o.pk for o in again] == [o.pk for o in first]
    assert list(again[0].lines.values_list("quantity", flat=True)) == [2]
