"""打单 from the order list (SHIP-1): the ticked orders — or every order matching the list's filters, after a
confirmation with the counts — send their 待打单 packages to one print batch through fulfilment (orders may not import
fulfilment: the action lives there), and the person lands on the batch with its PDF labels."""

import re

import pytest

from tests.fulfilment.test_packages import login, pool
from tests.fulfilment.test_print_all import approved_many, packages_of
from tests.orders.test_states import build_stock
from zhanggui.fulfilment.models import Package, PrintBatch
from zhanggui.fulfilment.services.carriers import load_carriers
from zhanggui.orders.models import Order
from zhanggui.orders.services import remarks

P = Package.State


@pytest.fixture
def stocked(world):
    load_carriers()
    return build_stock(world)


def test_ticked_orders_print_and_land_on_the_batch(stocked):
    pool(20)
    a, b, c = Order.objects.filter(pk__in=[o.pk for o in approved_many(stocked, 3)]).order_by("ordered_at")
    waiting = Order.objects.create(shop=stocked.world.shop_a, platform_order_no="NOT-YET", state=Order.State.TO_REVIEW)
    client = login(stocked.world, "warehouse")
    listing = client.get("/orders/").content.decode()
    assert 'id="print-orders"' in listing and 'formaction="/shipping/print/orders/"' in listing
    assert f'value="{a.pk}:{a.version}"' in listing  # the warehouse may tick orders to print them
    resp = client.post(
        "/shipping/print/orders/",
        {"order": [f"{a.pk}:{a.version}", f"{c.pk}:{c.version}", f"{waiting.pk}:1"], "next": "/orders/"},
        follow=True,
    )
    batch = PrintBatch.objects.get()
    assert resp.redirect_chain[-1][0] == f"/shipping/batches/{batch.pk}/"
    body = resp.content.decode()
    assert f"/shipping/batches/{batch.pk}/labels.pdf" in body
    assert "订单 NOT-YET：没有待打单的包裹（订单为“待审核”）" in body
    assert [p.state for p in packages_of([a, c])] == [P.PRINTED, P.PRINTED]
    assert packages_of([b])[0].state == P.TO_PRINT
    labels = client.get(f"/shipping/batches/{batch.pk}/labels.pdf")
    assert labels.status_code == 200 and labels.content.startswith(b"%PDF")


def test_all_orders_matching_the_filters_after_a_confirmation(stocked):
    pool(20)
    orders = approved_many(stocked, 6)
    red = orders[:4]
    remarks.flag_orders(stocked.world.people["manager"], red, "red", "加急")
    client = login(stocked.world, "warehouse")
    listing = client.get("/orders/", {"flag": "red"}).content.decode()
    link = re.search(r'href="([^"]*)" id="print-orders-all"', listing)[1].replace("&amp;", "&")
    assert link.startswith("/shipping/print/orders/?") and "flag=red" in link
    confirm = client.get(link).content.decode()
    assert re.search(r"<b data-count>4</b>", confirm)
    through = re.search(r'name="through" value="(\d+)"', confirm)[1]
    query = re.search(r'name="query" value="([^"]*)"', confirm)[1].replace("&amp;", "&")
    resp = client.post("/shipping/print/orders/", {"scope": "all", "query": query, "through": through})
    batch = PrintBatch.objects.get()
    assert resp.url == f"/shipping/batches/{batch.pk}/" and batch.package_count == 4
    assert {p.state for p in packages_of(red)} == {P.PRINTED}
    assert {p.state for p in packages_of(orders[4:])} == {P.TO_PRINT}


def test_another_shops_order_is_neither_printed_nor_named(stocked):
    pool(20)
    mine = approved_many(stocked, 1)[0]
    theirs = approved_many(stocked, 1, shop=stocked.world.shop_b)[0]
    client = login(stocked.world, "warehouse")  # shop A only
    resp = client.post("/shipping/print/orders/", {"order": [f"{theirs.pk}:1", f"{mine.pk}:1"]}, follow=True)
    assert theirs.platform_order_no not in resp.content.decode()
    assert packages_of([theirs])[0].state == P.TO_PRINT and packages_of([mine])[0].state == P.PRINTED
    refused = client.post("/shipping/print/orders/", {"order": [f"{theirs.pk}:1"], "next": "/orders/"}, follow=True)
    assert "所选订单没有待打单的包裹" in refused.content.decode() and PrintBatch.objects.count() == 1


def test_who_may_print_from_the_order_list(stocked, client_for):
    approved_many(stocked, 1)
    editor = client_for(stocked.world.people["editor"])  # sees orders, may not print
    assert 'id="print-orders"' not in editor.get("/orders/").content.decode()
    assert editor.post("/shipping/print/orders/", {"order": ["1:1"]}).status_code == 403
    assert editor.get("/shipping/print/orders/").status_code == 403
