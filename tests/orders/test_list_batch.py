"""The order list's batch approve (审单, ORD-7) and hold go through the set-based services the 审单 page uses
(states.approve_many / states.hold_many): a fixed number of queries for 50 orders, all or nothing, every refusal
listed."""

import pytest
from django.contrib.messages import get_messages

from zhanggui.core.models import Event
from zhanggui.fulfilment.models import Package
from zhanggui.orders.models import Order

from .pages_setup import import_taobao, orders_world_fixture  # noqa: F401

pytestmark = pytest.mark.django_db
CODES = ["D-黑-S", "D-黑-M", "D-白-S", "D-白-M"]
MAX_QUERIES = 40  # the page (session, user, permissions) + the set-based services; the per-order loop took 1,110


@pytest.fixture
def fifty(orders_world):
    """50 paid orders of shop_a waiting for review (待审核), goods reserved."""
    w = orders_world
    rows = [
        {"no": f"5000000000000{n:02d}", "name": "赵六", "phone": "13800000000", "lines": [{"code": CODES[n % 4]}]}
        for n in range(50)
    ]
    import_taobao(w.people["manager"], w.shop_a, rows)
    orders = list(Order.objects.filter(shop=w.shop_a, platform_order_no__startswith="5000000000000"))
    assert len(orders) == 50 and {o.state for o in orders} == {"to_review"}
    return orders


def first_message(response) -> str:
    return str(next(iter(get_messages(response.wsgi_request))))


def picked(orders) -> list[str]:
    return [f"{o.pk}:{o.version}" for o in orders]


def test_ord7_batch_approve_of_50_orders_is_query_bounded(
    orders_world, fifty, client_for, django_assert_max_num_queries
):
    c = client_for(orders_world.people["cs"])
    c.get("/orders/")  # session and permission caches warm, as for a person working the list
    with django_assert_max_num_queries(MAX_QUERIES):
        r = c.post("/orders/batch/", {"action": "approve", "order": picked(fifty)})
    assert r.status_code == 302
    assert Order.objects.filter(pk__in=[o.pk for o in fifty], state="approved").count() == 50
    assert Package.objects.filter(order__in=fifty).count() == 50  # the consequences ran (fulfilment's packages)
    ids = [str(o.pk) for o in fifty]
    assert Event.objects.filter(kind="order_state", to_state="已审核", object_id__in=ids).count() == 50


def test_batch_hold_of_50_orders_is_query_bounded_and_remembers_each_state(
    orders_world, fifty, client_for, django_assert_max_num_queries
):
    c = client_for(orders_world.people["cs"])
    c.get("/orders/")
    with django_assert_max_num_queries(MAX_QUERIES):
        r = c.post("/orders/batch/", {"action": "hold", "note": "买家要求暂缓发货", "order": picked(fifty)})
    assert r.status_code == 302
    held = Order.objects.filter(pk__in=[o.pk for o in fifty])
    states = {(o.state, o.state_before_hold, o.hold_reason) for o in held}
    assert states == {("on_hold", "to_review", "买家要求暂缓发货")}
    assert all(o.version == 2 for o in held)


def test_one_refused_order_refuses_all_and_every_reason_is_listed(orders_world, fifty, client_for):
    w = orders_world
    shipped = w.orders["100000000000002"]
    stale = fifty[0]
    Order.objects.filter(pk=stale.pk).update(version=stale.version + 1)  # changed by someone else meanwhile
    c = client_for(w.people["cs"])
    r = c.post("/orders/batch/", {"action": "approve", "order": [*picked(fifty), f"{shipped.pk}:{shipped.version}"]})
    shown = [str(m) for m in get_messages(r.wsgi_request)]
    assert "2 个订单无法处理，全部未执行" in shown[0]
    text = "\n".join(shown)
    assert shipped.platform_order_no in text and stale.platform_order_no in text  # each refused order, with its reason
    assert not Order.objects.filter(pk__in=[o.pk for o in fifty], state="approved").exists()  # nothing kept
    assert not Package.objects.filter(order__in=fifty).exists()


def test_hold_needs_a_reason_and_refuses_orders_that_cannot_be_held(orders_world, client_for):
    w = orders_world
    a, shipped = w.orders["100000000000001"], w.orders["100000000000002"]
    c = client_for(w.people["cs"])
    r = c.post("/orders/batch/", {"action": "hold", "order": [f"{a.pk}:{a.version}"]})
    assert "挂起订单请填写原因" in first_message(r)
    other = client_for(w.people["cs"])  # a fresh session: the messages of the first request are not read
    r = other.post("/orders/batch/", {"action": "hold", "note": "缺货", "order": picked([a, shipped])})
    assert "全部未执行" in first_message(r)
    a.refresh_from_db()
    assert a.state == "to_review"


def test_batch_refuses_orders_of_another_teams_shop(orders_world, client_for):
    w = orders_world
    c = client_for(w.outsider)
    a = w.orders["100000000000001"]
    r = c.post("/orders/batch/", {"action": "approve", "order": [f"{a.pk}:{a.version}"]})
    assert "不在当前店铺" in first_message(r)
    a.refresh_from_db()
    assert a.state == "to_review"
