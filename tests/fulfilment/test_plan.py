"""Merge and split (ORD-3, ORD-7): same buyer + same address → one parcel with the red-flag count remark; a
to_print package can be split, and the in-stock part of a partly out-of-stock package is suggested."""

import pytest
from django.contrib.contenttypes.models import ContentType

from tests.orders.test_states import build_stock, make_order
from zhanggui.core.errors import DomainError
from zhanggui.core.models import Event
from zhanggui.fulfilment.models import Package, PackageLine
from zhanggui.fulfilment.services import packages, plan
from zhanggui.fulfilment.services.carriers import load_carriers
from zhanggui.orders.models import Order
from zhanggui.orders.services import states

S = Order.State
P = Package.State
BUYER = {
    "receiver_name": "李四",
    "receiver_phone": "13900000000",
    "province": "江苏省",
    "city": "南京市",
    "district": "玄武区",
    "address_detail": "中山路2号",
}


@pytest.fixture
def stocked(world):
    load_carriers()
    return build_stock(world)


def paid(stocked, lines=None, **extra):
    order = make_order(stocked.world, lines=lines or [(stocked.s, 1)], **{**BUYER, **extra})
    states.mark_paid(stocked.world.people["cs"], order)
    return order


def timeline(obj, kind):
    ct = ContentType.objects.get_for_model(type(obj))
    return list(Event.objects.filter(content_type=ct, object_id=str(obj.pk), kind=kind))


def test_same_buyer_same_address_is_suggested_others_are_not(stocked):
    a, b = paid(stocked), paid(stocked)
    paid(stocked, address_detail="中山路3号")  # another address
    paid(stocked, shop=stocked.world.shop_b)  # another shop
    found = plan.merge_suggestions([stocked.world.shop_a, stocked.world.shop_b])
    assert [g["orders"] for g in found] == [[a.pk, b.pk]]


def test_merge_makes_one_package_and_remarks_the_count_in_red(stocked):
    """ORD-3: the merged orders carry the red flag and “同一买家2单合并发货”; their own packages are cancelled."""
    cs = stocked.world.people["cs"]
    a, b = paid(stocked, lines=[(stocked.s, 2)]), paid(stocked)
    states.approve(cs, a)
    own = packages.open_packages(a)[0]
    package = plan.merge(cs, [a.pk, b.pk])
    own.refresh_from_db()
    assert own.state == P.CANCELLED
    assert sorted(package.package_orders.values_list("order_id", flat=True)) == [a.pk, b.pk]
    assert sum(package.lines.values_list("quantity", flat=True)) == 3
    for order in (a, b):
        order.refresh_from_db()
        assert order.flag == "red" and order.seller_remark.endswith("同一买家2单合并发货")
        assert order.state == S.APPROVED
        assert packages.open_packages(order) == [package]
    assert plan.merge_suggestions([stocked.world.shop_a]) == []  # already one parcel
    assert timeline(package, "package_created")


def test_merge_refuses_different_addresses_and_printed_packages(stocked):
    cs = stocked.world.people["cs"]
    a, b = paid(stocked), paid(stocked, address_detail="别处")
    with pytest.raises(DomainError, match="同一地址"):
        plan.merge(cs, [a.pk, b.pk])
    c = paid(stocked)
    states.approve(cs, c)
    packages.transition(packages.open_packages(c)[0], P.PRINTED, cs)
    with pytest.raises(DomainError, match="已打单"):
        plan.merge(cs, [a.pk, c.pk])
    assert Package.objects.filter(state=P.CANCELLED).count() == 0


def test_split_moves_quantities_to_a_new_package(stocked):
    cs = stocked.world.people["cs"]
    order = paid(stocked, lines=[(stocked.s, 3), (stocked.m, 1)])
    states.approve(cs, order)
    package = packages.open_packages(order)[0]
    line_s = package.lines.get(sku=stocked.s)
    new = plan.split_package(cs, package, {line_s.pk: 2})
    assert list(new.lines.values_list("sku_id", "quantity")) == [(stocked.s.pk, 2)]
    assert sorted(PackageLine.objects.filter(package=package).values_list("quantity", flat=True)) == [1, 1]
    assert timeline(package, "package_split")
    with pytest.raises(DomainError):
        plan.split_package(cs, package, {line_s.pk: 5})
    with pytest.raises(DomainError):  # everything out: the old package would be empty
        plan.split_package(cs, package, {pl.pk: pl.quantity for pl in package.lines.all()})
    packages.transition(package, P.PRINTED, cs)
    with pytest.raises(DomainError, match="待打单"):
        plan.split_package(cs, package, {line_s.pk: 1})


def test_split_suggestion_splits_off_what_is_in_stock(stocked):
    """Only 1 black-M is on hand: an order of 2 S + 3 M is out of stock; the suggestion is 2 S + 1 M."""
    cs = stocked.world.people["cs"]
    order = paid(stocked, lines=[(stocked.s, 2), (stocked.m, 3)])
    order.refresh_from_db()
    assert order.exc_out_of_stock
    states.approve(cs, order)
    package = packages.open_packages(order)[0]
    wanted = plan.split_suggestion(package)
    by_sku = {PackageLine.objects.get(pk=pk).sku_id: qty for pk, qty in wanted.items()}
    assert by_sku == {stocked.s.pk: 2, stocked.m.pk: 1}
    new = plan.split_package(cs, package, wanted)
    assert sum(new.lines.values_list("quantity", flat=True)) == 3
    reserved = paid(stocked)
    states.approve(cs, reserved)
    assert plan.split_suggestion(packages.open_packages(reserved)[0]) == {}  # its goods are reserved


def test_merge_and_split_through_the_api(stocked, client_for):
    a, b = paid(stocked, lines=[(stocked.s, 2)]), paid(stocked)
    cs = client_for(stocked.world.people["cs"])
    answer = cs.post("/api/v1/review/merge", {"orders": [a.pk, b.pk]}, content_type="application/json").json()
    package = Package.objects.get(pk=answer["id"])
    line = package.lines.get(order_line__order=a)
    url = f"/api/v1/packages/{package.pk}/split"
    assert cs.post(url, {"lines": {line.pk: 1}}, content_type="application/json").status_code == 403  # warehouse job
    warehouse = client_for(stocked.world.people["warehouse"])
    new = warehouse.post(url, {"lines": {line.pk: 1}}, content_type="application/json").json()
    assert Package.objects.get(pk=new["id"]).lines.get().quantity == 1
    outsider = client_for(stocked.world.outsider)
    assert outsider.post(url, {"lines": {line.pk: 1}}, content_type="application/json").status_code in {403, 404}
