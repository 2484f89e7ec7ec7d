"""Order flags look the same everywhere (ORD-3): one coloured flag mark (core/_flag.html through `{% flag %}`) on the
order list, the order page, 审单, the print queue, the package page, the print batch, the scan page's answer and a
customer's orders — never an older dot or a plain text badge."""

import pytest

from tests.fulfilment.test_packages import approved, login, make_stocked, package_of, pool
from zhanggui.core.flags import flag_html
from zhanggui.fulfilment.services import printing
from zhanggui.orders.models import Order
from zhanggui.orders.services import remarks


@pytest.fixture
def flagged(world):
    stocked = make_stocked(world)
    pool(10)
    shipping = approved(stocked, customer=world.customer_a)
    waiting = approved(stocked)
    manager = world.people["manager"]
    remarks.flag_orders(manager, [shipping, waiting], "red", "先发")
    review_order = Order.objects.create(
        shop=world.shop_a, platform_order_no="RV-FLAG", state=Order.State.TO_REVIEW, flag="red", seller_remark="x"
    )
    batch = printing.print_batch(manager, [package_of(shipping).pk]).batch
    return {"printed": package_of(shipping), "queue": package_of(waiting), "review": review_order, "batch": batch}


def test_the_same_mark_on_every_page(flagged, world, client_for):
    mark = flag_html("red")
    assert mark.startswith('<span class="zg-flag" data-flag="red" title="红旗"><i class="fa-solid fa-flag"')
    assert "#dc3545" in mark
    client = client_for(world.people["manager"])
    printed = flagged["printed"]
    pages = {
        "order list": "/orders/",
        "order page": f"/orders/{printed.order_id}/",
        "审单": "/shipping/review/",
        "print queue": "/shipping/?state=to_print",
        "packages (printed)": "/shipping/?state=printed",
        "package page": f"/shipping/{printed.pk}/",
        "print batch": f"/shipping/batches/{flagged['batch'].pk}/",
        "customer orders": f"/customers/{world.customer_a.pk}/",
    }
    for name, url in pages.items():
        body = client.get(url).content.decode()
        assert mark in body, name
        assert "flag-dot" not in body and 'badge text-bg-light border">red<' not in body, name
    scan = login(world, "warehouse").post("/shipping/scan/code/", {"code": printed.waybill_no, "step": "waybill"})
    assert scan.status_code == 200 and scan.json()["flag_html"] == mark


def test_no_mark_without_a_flag(world):
    assert flag_html("") == "" and flag_html("black") == ""
