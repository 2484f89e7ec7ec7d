"""Journeys across orders → fulfilment → inventory, one per source of the state change (rule 3 of the house: one
owner applies every consequence, whatever the source): an order is imported, approved (审单) and printed, and then
shipped OUTSIDE our warehouse — the next export says so, or a person marks it on the order page or through the API.
The goods left once: the package leaves the print queue, the scan page refuses it, the reservation is committed
against the platform's tracking number, stock-verify is clean. A refund-closed export cancels and releases instead.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.journeys.floor import (
    CLOSED,
    PAID,
    SHIPPED,
    assert_left_once,
    export,
    new_order_no,
    printed_package,
    scan_refuses,
    shop_floor,
    stock_verify_clean,
)
from zhanggui.channels import samples
from zhanggui.core.services import create_api_token
from zhanggui.fulfilment.models import Package
from zhanggui.fulfilment.services import printing, review
from zhanggui.inventory.models import LedgerEntry, Reservation, StockLevel
from zhanggui.orders.models import Order
from zhanggui.orders.services import imports, states

S = Order.State
TRACKING = "SF1234567890"


@pytest.fixture
def floor(world):
    return shop_floor(world)


def approved_and_printed(world):
    """Imported paid (reserved), approved in 审单 (a package), printed (the order goes 待发货)."""
    no = new_order_no()
    order = export(world, no, PAID)
    assert order.state == S.TO_REVIEW
    assert Reservation.objects.filter(reference=states.reference(order), state=Reservation.State.OPEN).exists()
    review.approve_orders(world.people["cs"], [f"{order.pk}:{order.version}"])
    package = printed_package(world, order)
    order.refresh_from_db()
    assert order.state == S.TO_SHIP
    return no, order, package


def test_the_next_export_says_shipped(floor, world, client_for):
    """Shipped by hand in the seller centre: the next export says 卖家已发货 with the platform's tracking number."""
    no, order, package = approved_and_printed(world)
    order = export(world, no, SHIPPED, tracking=TRACKING, carrier="顺丰速运")
    assert order.state == S.SHIPPED and order.tracking_no == TRACKING
    assert_left_once(world, client_for(world.people["warehouse"]), order, package, document=TRACKING)


def test_the_next_export_says_shipped_before_printing(floor, world, client_for):
    """Not printed yet: the 待打单 package leaves the print queue; no tracking number → the order number."""
    no = new_order_no()
    order = export(world, no, PAID)
    review.approve_orders(world.people["cs"], [f"{order.pk}:{order.version}"])
    package = Package.objects.get(package_orders__order=order)
    assert package.state == Package.State.TO_PRINT
    order = export(world, no, SHIPPED)
    package.refresh_from_db()
    assert order.state == S.SHIPPED and package.state == Package.State.CANCELLED
    assert not Reservation.objects.filter(reference=states.reference(order), state=Reservation.State.OPEN).exists()
    assert LedgerEntry.objects.filter(reason=LedgerEntry.Reason.SHIP, document=no).exists()
    assert stock_verify_clean()


def test_the_order_page_marks_it_shipped(floor, world, client_for):
    _no, order, package = approved_and_printed(world)
    page = client_for(world.people["cs"])
    answer = page.post(
        f"/orders/{order.pk}/move/",
        {"to": "shipped", "version": order.version, "carrier": "顺丰速运", "tracking_no": TRACKING},
    )
    assert answer.status_code in (200, 302)
    order.refresh_from_db()
    assert order.state == S.SHIPPED
    assert_left_once(world, client_for(world.people["warehouse"]), order, package, document=TRACKING)


def test_the_api_marks_it_shipped(floor, world, client_for):
    _no, order, package = approved_and_printed(world)
    _token, key = create_api_token(world.people["cs"], "erp")
    from django.test import Client

    answer = Client(HTTP_HOST="127.0.0.1").post(
        f"/api/v1/orders/{order.pk}/transitions",
        {"to": "shipped", "version": order.version, "carrier": "顺丰速运", "tracking_no": TRACKING},
        content_type="application/json",
        headers={"Authorization": f"Bearer {key}"},
    )
    assert answer.status_code == 200, answer.content.decode()
    assert answer.json()["state"] == "shipped"
    order.refresh_from_db()
    assert_left_once(world, client_for(world.people["warehouse"]), order, package, document=TRACKING)


@pytest.mark.parametrize("refund", ["交易关闭", "退款成功"])
def test_a_refund_closed_export_cancels_the_package_and_releases(floor, world, client_for, refund):
    """交易关闭 after a refund (退款金额 filled in): the package is cancelled, the reservation released (not
    shipped: on hand stays 10)."""
    no, order, package = approved_and_printed(world)
    order = export(world, no, CLOSED, refund="99.00", **({"remark": refund} if refund != CLOSED else {}))
    assert order.state == S.CLOSED
    package.refresh_from_db()
    assert package.state == Package.State.CANCELLED
    assert "拦截" in scan_refuses(client_for(world.people["warehouse"]), package)  # printed: intercepted in red
    reference = states.reference(order)
    assert list(Reservation.objects.filter(reference=reference).values_list("state", flat=True)) == ["released"]
    level = StockLevel.objects.get(sku__code="D-黑-S")
    assert (level.on_hand, level.reserved) == (10, 0)
    assert stock_verify_clean()


def _export_many(world, numbers, status, **extra):
    rows = [samples.order(no=no, status=status, lines=[{"code": "D-黑-S"}], **extra) for no in numbers]
    report, detail = samples.taobao_pair(rows)
    imports.import_files(world.people["cs"], world.shop_a, [("a.csv", report), ("b.csv", detail)])
    return list(Order.objects.filter(platform_order_no__in=numbers).order_by("pk"))


def test_the_import_hands_its_moves_over_in_bulk(floor, world):
    """Rule 8 of the house: the consequences of an import batch cost a fixed number of queries — an export shipping
    2 or 6 printed orders elsewhere runs the same count (release/commit, packages, timeline set-based)."""
    counts = []
    for n in (2, 6):
        numbers = [new_order_no() for _ in range(n)]
        orders = _export_many(world, numbers, PAID)
        review.approve_orders(world.people["cs"], [f"{o.pk}:{o.version}" for o in orders])
        ids = list(Package.objects.filter(package_orders__order__in=orders).values_list("pk", flat=True))
        printing.print_batch(world.people["warehouse"], ids)
        with CaptureQueriesContext(connection) as queries:
            _export_many(world, numbers, SHIPPED, tracking="SF1234567890", carrier="顺丰速运")
        counts.append(len(queries))
        assert set(Package.objects.filter(pk__in=ids).values_list("state", flat=True)) == {Package.State.CANCELLED}
        refs = [states.reference(o) for o in orders]
        assert not Reservation.objects.filter(reference__in=refs, state=Reservation.State.OPEN).exists()
    assert counts[0] == counts[1], counts
    assert stock_verify_clean()


def test_an_import_of_orders_already_finished_hands_no_move_to_the_owner(world, monkeypatch):
    """ORD-1, ORD-4: orders first seen already shipped or closed (the platform's past) never held goods, a package or
    a dropship request of ours: the import builds no move for them (a file of old orders stays cheap), while a
    newly paid order in the same file is handed over (and reserves its goods)."""
    from tests.journeys.floor import CLOSED, PAID, SHIPPED, new_order_no, shop_floor
    from zhanggui.channels import samples
    from zhanggui.orders.services import imports, states

    shop_floor(world)
    handed: list = []
    real = states.apply_moves
    monkeypatch.setattr(
        states, "apply_moves", lambda actor, moves, **kw: (handed.extend(moves), real(actor, moves, **kw))
    )
    nos = {status: new_order_no() for status in (SHIPPED, CLOSED, PAID)}
    rows = [samples.order(no=no, status=status, lines=[{"code": "D-黑-S", "qty": 1}]) for status, no in nos.items()]
    report, detail = samples.taobao_pair(rows)
    imports.import_files(world.people["cs"], world.shop_a, [("a.csv", report), ("b.csv", detail)])
    assert [(m.order.platform_order_no, m.before, m.to) for m in handed] == [(nos[PAID], "", "to_review")]
