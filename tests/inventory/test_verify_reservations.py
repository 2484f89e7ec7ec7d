"""INV-2, ORD-4: stock-verify checks open reservations against the state of their documents — an open reservation
of an order that shipped, was signed for, completed or closed holds goods nobody will ship — and the demo company
contains no such state."""

import io

import pytest
from django.core.management import call_command

from tests.journeys.floor import PAID, export, new_order_no, shop_floor
from zhanggui.inventory.models import Reservation
from zhanggui.inventory.services.verify import verify_stock
from zhanggui.orders.models import Order
from zhanggui.orders.services import states

S = Order.State


def run_verify() -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("stock-verify", stdout=out, stderr=err)
    except SystemExit as exit_:
        return exit_.code, out.getvalue() + err.getvalue()
    return 0, out.getvalue()


@pytest.mark.parametrize("finished", [S.SHIPPED, S.SIGNED, S.COMPLETED, S.CLOSED])
def test_open_reservation_of_a_finished_order_is_a_difference_INV_2_ORD_4(world, finished):
    shop_floor(world)
    order = export(world, new_order_no(), PAID)
    reference = states.reference(order)
    assert Reservation.objects.filter(reference=reference, state=Reservation.State.OPEN).exists()
    assert verify_stock().ok and run_verify()[0] == 0  # a paid order still needs its goods
    # the state moved without its stock consequence (what a path around the one owner would leave behind)
    Order.objects.filter(pk=order.pk).update(state=finished)
    check = verify_stock()
    assert not check.ok and not check.differences  # the ledger still adds up: the reservation itself is wrong
    assert [(s.reference, s.quantity) for s in check.stale] == [(reference, 1)]
    code, text = run_verify()
    assert code == 1
    assert "D-黑-S" in text and order.platform_order_no in text and states.STATE_NAMES[finished] in text


def test_the_demo_has_no_open_reservation_of_a_finished_order_INV_2(db):
    from zhanggui.team.services import sync_roles
    from zhanggui.workbench.demo import load_demo

    sync_roles()
    load_demo()
    assert Reservation.objects.filter(state=Reservation.State.OPEN).exists()  # the check has something to judge
    check = verify_stock()
    assert check.stale == [] and check.ok, [s.describe() for s in check.stale]
    assert run_verify()[0] == 0
