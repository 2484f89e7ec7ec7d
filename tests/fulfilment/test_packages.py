"""Packages (SHIP-1): approved orders become packages and closed orders cancel them (the wiring of
services/packages.py), the one transition table, the package list (tabs, search, filters, shop scope, masked
receivers, the 打印快递单 batch action) and the package detail."""

import itertools

import pytest
from django.test import Client

from tests.orders.test_states import build_stock, make_order
from zhanggui.core.errors import IllegalTransition
from zhanggui.fulfilment.models import Carrier, Package, WaybillAccount
from zhanggui.fulfilment.services import packages, waybills
from zhanggui.fulfilment.services.carriers import load_carriers
from zhanggui.fulfilment.services.packages import TRANSITIONS
from zhanggui.orders.models import Order
from zhanggui.orders.services import states

S = Order.State
P = Package.State
RECEIVER = {
    "receiver_name": "王小明",
    "receiver_phone": "13912345678",
    "province": "浙江省",
    "city": "杭州市",
    "district": "西湖区",
    "address_detail": "文三路 100 号",
}
_clock = itertools.count(1)


def make_stocked(world):
    load_carriers()
    return build_stock(world)


@pytest.fixture
def stocked(world):
    return make_stocked(world)


def approved(stocked, *, shop=None, qty=1, **extra):
    """A paid order of `shop` (shop_a), approved by cs: it now has one to_print package (ORD-7)."""
    import datetime as dt

    n = next(_clock)
    ordered = dt.datetime(2026, 11, 1, tzinfo=dt.UTC) + dt.timedelta(minutes=extra.pop("minute", n))
    order = make_order(stocked.world, lines=[(stocked.s, qty)], shop=shop, ordered_at=ordered, **{**RECEIVER, **extra})
    cs = stocked.world.people["manager"]
    states.mark_paid(cs, order)
    states.approve(cs, order)
    return order


def package_of(order) -> Package:
    return Package.objects.get(package_orders__order=order)


def pool(count=50, start="2680000000001", shop=None, carrier="STO") -> WaybillAccount:
    account = WaybillAccount.objects.create(carrier=Carrier.objects.get(code=carrier), shop=shop, name="申通-杭州")
    waybills.load_range(None, account, start, count)
    return account


def package_timeline_notes(package) -> str:
    from zhanggui.core.events import timeline_for

    return " ".join(e.note for e in timeline_for(package))


def login(world, role) -> Client:
    client = Client()
    person = world.outsider if role == "outsider" else world.people[role]
    client.force_login(person)
    return client


# ---- wiring: approve → package, close → cancelled ----------------------------------------------------------------


def test_approving_an_order_creates_its_package_once(stocked):
    """ORD-7: 审单 approved → one to_print package of all its lines, with the default carrier (SHIP-3)."""
    order = approved(stocked, qty=2)
    package = package_of(order)
    assert package.state == P.TO_PRINT and package.shop == order.shop and package.order == order
    assert list(package.lines.values_list("sku_id", "quantity")) == [(stocked.s.pk, 2)]
    assert package.carrier.code == "STO"
    assert packages.create_for_order(order, None) is None  # approving twice is harmless
    assert Package.objects.filter(order=order).count() == 1


def test_closing_an_order_cancels_its_open_packages(stocked):
    order = approved(stocked)
    states.close(stocked.world.people["manager"], order, "买家不要了")
    assert package_of(order).state == P.CANCELLED


def test_an_order_marked_shipped_on_the_order_page_leaves_no_open_package(stocked):
    """An order marked shipped on the order page must not stay in the print queue (printing it again would ship
    the goods twice), and its reservation is committed against the tracking number. The seller-centre path (the
    next export says shipped) and the API: tests/journeys/test_shipped_elsewhere.py."""
    from zhanggui.inventory.models import Reservation

    order = approved(stocked)
    manager = stocked.world.people["manager"]
    states.send_to_ship(manager, order)
    states.ship(manager, order, carrier="申通快递", tracking_no="268000000001")
    package = package_of(order)
    assert package.state == P.CANCELLED
    assert "已在仓库流程之外发货" in package_timeline_notes(package)
    reservation = Reservation.objects.get(reference=states.reference(order))
    assert reservation.state == Reservation.State.COMMITTED


# ---- the transition table ----------------------------------------------------------------------------------------

PAIRS = sorted((a, b) for a in P.values for b in P.values if a != b)


@pytest.mark.parametrize(("before", "to"), PAIRS)
def test_transition_table_is_the_only_way(stocked, before, to):
    """SHIP-1: exactly the moves in TRANSITIONS are allowed; every other one is refused and changes nothing."""
    package = package_of(approved(stocked))
    Package.objects.filter(pk=package.pk).update(state=before)
    if to in TRANSITIONS[before]:
        moved = packages.transition(package, to, None)
        assert moved.state == to and moved.version == package.version + 1
    else:
        with pytest.raises(IllegalTransition):
            packages.transition(package, to, None)
        package.refresh_from_db()
        assert package.state == before


def test_shipped_and_signed_packages_cannot_be_cancelled():
    assert P.CANCELLED not in TRANSITIONS[P.SHIPPED] and TRANSITIONS[P.SIGNED] == set()


# ---- the list --------------------------------------------------------------------------------------------------


def test_list_tabs_count_per_state_sorted_by_order_time(stocked):
    late = approved(stocked, minute=50)
    early = approved(stocked, minute=10)
    cancelled = approved(stocked)
    states.close(stocked.world.people["manager"], cancelled, "取消")
    approved(stocked, shop=stocked.world.shop_b)  # not in the warehouse person's shops
    resp = login(stocked.world, "warehouse").get("/shipping/")
    assert resp.status_code == 200
    tabs = {key: n for key, _label, n, _href in resp.context["tabs"]}
    assert tabs["to_print"] == 2 and tabs["cancelled"] == 1
    rows = [r["package"].order_id for r in resp.context["rows"]]
    assert rows == [early.pk, late.pk]  # SHIP-1: order time


def test_search_by_phone_last_four_order_no_and_waybill(stocked):
    a = approved(stocked, receiver_phone="13800001111")
    b = approved(stocked, receiver_phone="13800002222")
    client = login(stocked.world, "warehouse")

    def found(q, state="to_print"):
        resp = client.get("/shipping/", {"q": q, "state": state})
        return [r["package"].order_id for r in resp.context["rows"]]

    assert found("2222") == [b.pk]
    assert found(a.platform_order_no) == [a.pk]
    assert found(package_of(b).package_no) == [b.pk]
    pool(5)
    from zhanggui.fulfilment.services import printing

    printing.print_batch(stocked.world.people["warehouse"], [package_of(a).pk], "76x130")
    assert found(package_of(a).waybill_no, "printed") == [a.pk]


def test_filter_by_carrier(stocked):
    a = approved(stocked)
    Package.objects.filter(pk=package_of(a).pk).update(carrier=Carrier.objects.get(code="EMS"))
    approved(stocked)
    resp = login(stocked.world, "warehouse").get("/shipping/", {"carrier": "EMS"})
    assert [r["package"].order_id for r in resp.context["rows"]] == [a.pk]


def test_list_masks_the_receiver_for_roles_without_pii(stocked):
    """TEAM-5: the warehouse sees 139****5678, not the whole phone number."""
    approved(stocked)
    body = login(stocked.world, "warehouse").get("/shipping/").content.decode()
    assert "13912345678" not in body and "5678" in body
    assert "13912345678" in login(stocked.world, "cs").get("/shipping/").content.decode()


def test_print_action_only_for_people_who_may_print(stocked):
    approved(stocked)
    assert b'id="print-button"' in login(stocked.world, "warehouse").get("/shipping/").content
    assert b'id="print-button"' not in login(stocked.world, "cs").get("/shipping/").content


# ---- the detail ------------------------------------------------------------------------------------------------


def test_detail_shows_orders_lines_carrier_and_timeline(stocked):
    order = approved(stocked, qty=3)
    package = package_of(order)
    resp = login(stocked.world, "warehouse").get(f"/shipping/{package.pk}/")
    assert resp.status_code == 200
    body = resp.content.decode()
    assert order.platform_order_no in body and stocked.s.code in body and "13912345678" not in body
    assert [e["kind_label"] for e in resp.context["timeline"]][-1] == "生成包裹"


def test_other_shops_package_is_not_found(stocked):
    package = package_of(approved(stocked))
    assert login(stocked.world, "outsider").get(f"/shipping/{package.pk}/").status_code == 404
