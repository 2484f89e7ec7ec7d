"""Exception queues with owners and the overdue queue (ORD-9), the carrier filter (ORD-6) and capped tab counts on
the order list."""

import datetime as dt
import json
import re

import pytest

from zhanggui.core import clock
from zhanggui.orders import selectors
from zhanggui.orders.models import Order
from zhanggui.orders.services import deadlines
from zhanggui.shops.settings_store import update_settings
from zhanggui.team.models import Duty

from .pages_setup import orders_world_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


def listed(response) -> list[str]:
    return re.findall(r'data-order="(\d+)"', response.content.decode())


def count_of(response, key) -> str:
    return re.search(rf'data-count="{key}">([^<]+)<', response.content.decode()).group(1)


def _paid_hours_ago(order, hours, state=None):
    fields = {"paid_at": clock.now() - dt.timedelta(hours=hours)}
    if state:
        fields["state"] = state
    Order.objects.filter(pk=order.pk).update(**fields)


@pytest.fixture
def overdue_world(orders_world):
    """Order 1 paid 49 h ago and order 3 paid 47 h ago, both to review; order 2 shipped long after payment; the
    shop_b order paid long ago but out of cs's scope."""
    w = orders_world
    _paid_hours_ago(w.orders["100000000000001"], 49)
    _paid_hours_ago(w.orders["100000000000003"], 47)
    _paid_hours_ago(w.orders["100000000000002"], 200)  # shipped: no longer waiting on us
    _paid_hours_ago(w.order_b, 200)
    return w


def test_ord9_overdue_queue_holds_orders_paid_longer_ago_than_the_48h_promise(overdue_world, client_for):
    w = overdue_world
    c = client_for(w.people["cs"])
    r = c.get("/orders/?tab=overdue")
    assert listed(r) == [str(w.orders["100000000000001"].pk)]  # 49 h: overdue; 47 h: not yet; shipped: never
    assert count_of(r, "overdue") == "1"


@pytest.mark.parametrize("state", sorted(["approved", "on_hold", "to_review", "to_ship"]))
def test_ord9_every_paid_unshipped_state_can_be_overdue(overdue_world, state):
    order = overdue_world.orders["100000000000001"]
    _paid_hours_ago(order, 49, state=state)
    in_shop_a = Order.objects.filter(shop=overdue_world.shop_a)
    assert list(selectors.in_tab(in_shop_a, "overdue").values_list("pk", flat=True)) == [order.pk]


@pytest.mark.parametrize("state", sorted(["closed", "completed", "part_shipped", "pending_payment", "shipped"]))
def test_ord9_shipped_closed_or_unpaid_orders_are_never_overdue(overdue_world, state):
    order = overdue_world.orders["100000000000001"]
    _paid_hours_ago(order, 49, state=state)
    assert order.pk not in set(selectors.in_tab(Order.objects.all(), "overdue").values_list("pk", flat=True))


def test_ord9_overdue_follows_each_shops_ship_within_hours_setting(overdue_world, client_for):
    """orders.ship_within_hours per shop: 72 h makes the 49 h order on time, 24 h makes the 47 h one late too; the
    other shop keeps the default."""
    w = overdue_world
    c = client_for(w.people["manager"])
    url = f"/orders/?tab=overdue&shop={w.shop_a.code}"  # the top bar's shop switcher: shop_a only
    update_settings(w.people["manager"], w.shop_a, {"orders.ship_within_hours": 72})
    assert listed(c.get(url)) == []
    update_settings(w.people["manager"], w.shop_a, {"orders.ship_within_hours": 24})
    assert set(listed(c.get(url))) == {
        str(w.orders["100000000000001"].pk),
        str(w.orders["100000000000003"].pk),
    }
    # shop_b (default 48 h): its order paid 200 h ago and not shipped is overdue there
    b_overdue = w.order_b.state in deadlines.UNSHIPPED_PAID
    assert Order.objects.filter(deadlines.overdue_q(), shop=w.shop_b).exists() is b_overdue


def test_ord9_home_card_counts_the_overdue_queue(overdue_world, client_for):
    """The manager answers for 超时未发货 (queues.json): their home counts it, for the shop in view."""
    manager = client_for(overdue_world.people["manager"])
    manager.post("/scope/", {"shop": overdue_world.shop_a.code})
    page = manager.get("/").content.decode()
    row = page.split('data-row="overdue"')[1].split("</tr>")[0]
    assert "?tab=overdue" in row and 'data-count="overdue">1</td>' in row


def _own(role, title, staff):
    Duty.objects.get(role__code=role, title=title).owners.add(staff)


def test_ord9_queue_owner_shown_with_name_and_staff_number(orders_world, client_for):
    w = orders_world
    cs = w.people["cs"]
    _own("cs", "缺货订单跟进", cs)
    c = client_for(cs)
    line = c.get("/orders/?tab=exc_out_of_stock").content.decode().split('id="queue-owner"')[1].split("</p>")[0]
    assert cs.name in line and cs.number in line and "text-danger" not in line
    manager_home = client_for(w.people["manager"]).get("/").content.decode()
    home = manager_home.split('data-row="exc_out_of_stock"')[1].split("</tr>")[0]
    assert f'data-owners="{cs.number}"' in home and cs.name in home


def test_ord9_unowned_queue_shown_red_and_linked_to_the_duty_chart(orders_world, client_for):
    w = orders_world
    w.people["editor"].duties.clear()  # nobody owns 未匹配商家编码订单
    line = (
        client_for(w.people["cs"])
        .get("/orders/?tab=exc_unmatched")
        .content.decode()
        .split('id="queue-owner"')[1]
        .split("</p>")[0]
    )
    assert 'class="queue-owner text-danger fw-semibold"' in line and 'href="/team/duties/"' in line
    home = client_for(w.people["manager"]).get("/").content.decode().split('data-row="exc_unmatched"')[1]
    assert "text-danger fw-semibold" in home.split("</tr>")[0]


def test_ord9_no_owner_line_on_status_tabs(orders_world, client_for):
    assert (
        'id="queue-owner"' not in client_for(orders_world.people["cs"]).get("/orders/?tab=to_review").content.decode()
    )


def test_ord9_every_queue_maps_to_a_duty_of_roles_json():
    """queues.json and roles.json agree: each exception queue names a duty its role really has."""
    from zhanggui.team.services import role_definitions

    duties = {(spec["code"], title) for spec in role_definitions() for title in spec["duties"]}
    queues = json.loads(selectors.QUEUES_FILE.read_text(encoding="utf-8"))["queues"]
    assert sorted(queues) == sorted(selectors.QUEUE_KEYS)
    for key in sorted(queues):
        assert (queues[key]["role"], queues[key]["duty"]) in duties, key


def test_ord6_carrier_filter_lists_the_carriers_in_scope_and_filters(orders_world, client_for):
    w = orders_world
    Order.objects.filter(pk=w.order_b.pk).update(carrier="EMS")
    c = client_for(w.people["cs"])
    r = c.get("/orders/")
    select = r.content.decode().split('id="carrier-filter"')[1].split("</select>")[0]
    assert "顺丰速运" in select and "EMS" not in select  # shop_b's carrier is not in cs's scope
    assert listed(c.get("/orders/?carrier=顺丰速运")) == [str(w.orders["100000000000002"].pk)]
    assert selectors.carrier_options([w.shop_a, w.shop_b]) == sorted(["EMS", "顺丰速运"])


def test_ord9_tab_counts_are_capped(orders_world, client_for, monkeypatch):
    """At a million orders the tabs count up to COUNT_CAP and show "9999+"-style labels beyond it."""
    monkeypatch.setattr(selectors, "COUNT_CAP", 2)
    r = client_for(orders_world.people["cs"]).get("/orders/")
    assert count_of(r, "all") == "1+"  # 3 orders ≥ the cap of 2
    assert count_of(r, "to_review") == "1+" and count_of(r, "shipped") == "1"
