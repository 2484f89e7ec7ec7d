"""Refund before shipping stops the package (AS-2, ORD-4, SHIP-1): a refund in full on an order not yet shipped
closes it in the same transaction — its reservation released, its package cancelled, and 拦截 in red for the
warehouse when the label was already printed. A fully refunded order can never ship: every path is tried (print,
print batch, print by order, scan, ship, batch ship, the batch-ship file, the API). On PostgreSQL two threads race
the refund and the ship: never a shipped package of a closed order."""

import pytest
from django.db import connection

from tests.concurrency import race
from tests.fulfilment.test_shipping import packed
from tests.fulfilment.test_verify import approved_order, printed
from tests.fulfilment.test_verify import stocked as stocked  # the fixture
from zhanggui.aftersales.models import Case
from zhanggui.aftersales.services import refund_import
from zhanggui.channels import refund_samples as samples
from zhanggui.core import clock
from zhanggui.core.errors import DomainError
from zhanggui.core.money import format_fen
from zhanggui.fulfilment.models import Package
from zhanggui.fulfilment.services import intercept, printing, shipping, verify
from zhanggui.inventory.models import Reservation
from zhanggui.orders.models import Order

P, S = Package.State, Order.State


def refund_in_full(stocked, order, refund_id="TKSTOP") -> refund_import.RefundImport:
    if not Order.objects.get(pk=order.pk).paid_fen:  # the fulfilment helpers' orders carry no amounts
        Order.objects.filter(pk=order.pk).update(paid_fen=12800, goods_fen=12800)
    order.refresh_from_db()
    amount = format_fen(order.paid_fen).lstrip("¥").replace(",", "")
    data = samples.taobao([{"id": refund_id, "order": order.platform_order_no, "amount": amount, "status": "退款成功"}])
    return refund_import.import_files(stocked.world.people["cs"], stocked.world.shop_a, [("退款.csv", data)])


def open_reservations(order) -> int:
    return Reservation.objects.filter(reference=f"order:{order.pk}", state=Reservation.State.OPEN).count()


@pytest.mark.django_db
def test_refund_before_printing_closes_the_order_releases_stock_and_nothing_prints(stocked):
    """AS-2 refund before shipping: to_print package cancelled in the same import, reservation released."""
    order = approved_order(stocked)
    package = Package.objects.get(package_orders__order=order)
    assert open_reservations(order) == 1
    result = refund_in_full(stocked, order)
    assert result.created == 1 and result.orders_closed == 1, result.errors
    order.refresh_from_db()
    package.refresh_from_db()
    assert order.state == S.CLOSED and not order.exc_refund
    assert package.state == P.CANCELLED and package.intercepted_at is None  # no label yet: nothing to intercept
    assert open_reservations(order) == 0
    case = Case.objects.get(platform_refund_id="TKSTOP")
    assert (case.kind, case.state, case.agreed_refund_fen) == ("refund_unshipped", "done", order.paid_fen)
    boss = stocked.world.people["manager"]
    with pytest.raises(DomainError):  # print batch: refused
        printing.print_batch(boss, [package.pk])
    with pytest.raises(DomainError):  # print by order (打单 from the order list)
        printing.print_orders(boss, [order.pk])
    assert refund_in_full(stocked, order).unchanged == 1  # the same file again: nothing new


@pytest.mark.django_db
def test_every_path_refuses_to_ship_a_fully_refunded_printed_order(stocked, client_for):
    """AS-2 / SHIP-1: printed, then refunded in full → 拦截; print, scan, ship, batch ship, file and API refuse."""
    package = printed(stocked, waybill="2680000009001")
    order = package.order
    refund_in_full(stocked, order)
    package.refresh_from_db()
    assert package.state == P.CANCELLED and package.intercepted_at is not None
    assert "拦截" in package.intercept_note
    shops = [stocked.world.shop_a]
    warehouse = stocked.world.people["warehouse"]
    with pytest.raises(DomainError) as err:  # scan
        verify.find_package(shops, "2680000009001")
    assert err.value.code == "package_intercepted" and "拦截" in err.value.message
    with pytest.raises(DomainError):  # ship
        shipping.ship_package(warehouse, package)
    with pytest.raises(DomainError):  # print again
        printing.print_batch(stocked.world.people["manager"], [package.pk])
    outcome = shipping.ship_packages(warehouse, [package.pk], shops)  # batch ship
    assert not outcome.shipped and outcome.refused
    client = client_for(warehouse)
    api = client.post(f"/api/v1/packages/{package.pk}/ship")  # API
    assert api.status_code == 400
    scan = client.post("/shipping/scan/code/", {"code": "2680000009001", "step": "waybill"})
    assert scan.status_code == 400 and "拦截" in scan.json()["error"]
    page = client.post("/shipping/ship/", {"package": [package.pk], "next": "/shipping/shipped/"})
    assert page.status_code in (200, 302)
    _name, file = shipping.batch_ship_file(stocked.world.shop_a, clock.today())  # channels' batch-ship file
    assert b"2680000009001" not in file
    package.refresh_from_db()
    assert package.state == P.CANCELLED and not hasattr(package, "shipment_cache")
    assert [p.pk for p in intercept.intercepted_on(shops, clock.today())] == [package.pk]
    record = client.get("/shipping/shipped/").content.decode()  # the daily record shows 拦截 in red
    assert "拦截" in record and package.package_no in record
    scan_page = client.get("/shipping/scan/").content.decode()
    assert "2680000009001" in scan_page and "拦截" in scan_page


@pytest.mark.django_db
def test_a_packed_order_refunded_in_full_never_ships(stocked):
    package = packed(stocked, waybill="2680000009002")
    refund_in_full(stocked, package.order)
    with pytest.raises(DomainError):
        shipping.ship_package(None, package)
    package.refresh_from_db()
    assert package.state == P.CANCELLED and package.intercepted_at is not None


@pytest.mark.django_db
def test_a_partial_refund_before_shipping_does_not_stop_the_package(stocked):
    package = printed(stocked, waybill="2680000009003")
    Order.objects.filter(pk=package.order_id).update(paid_fen=12800, goods_fen=12800)
    data = samples.taobao([{"id": "TKPART", "order": package.order.platform_order_no, "amount": "1.00",
                            "status": "退款成功"}])  # fmt: skip
    result = refund_import.import_files(None, stocked.world.shop_a, [("t.csv", data)])
    assert result.created == 1 and result.orders_closed == 0
    package.refresh_from_db()
    assert package.state == P.PRINTED


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locking needs PostgreSQL")
def test_refund_and_ship_racing_never_leave_a_shipped_package_of_a_refunded_order(transactional_db, stocked):
    """AS-2 on PostgreSQL: refund and ship at the same moment — either the refund closes the order first and the
    package is cancelled, or the ship wins and the order is shipped (the refund is then an after-shipping one)."""
    for n in range(3):
        package = packed(stocked, waybill=f"26800000091{n:02d}")
        order = package.order

        def work(i, package=package, order=order, n=n):
            if i == 0:
                return refund_in_full(stocked, order, refund_id=f"RACE{n}")
            return shipping.ship_package(None, package)

        race(work, threads=2)
        package.refresh_from_db()
        order.refresh_from_db()
        if package.state == P.SHIPPED:
            assert order.state == S.SHIPPED
            assert Case.objects.get(platform_refund_id=f"RACE{n}").kind == "refund_shipped"
        else:
            assert package.state == P.CANCELLED and order.state == S.CLOSED
        assert not (order.state == S.CLOSED and Package.objects.filter(pk=package.pk, state=P.SHIPPED).exists())
