"""Stored codes reach the order and stock pages as Chinese labels (rule 9): the payment method by its name (ORD-5),
a stock reference "order:<id>" as the order number linked to the order (INV-2)."""

import pytest

from zhanggui.orders.services.manual import create_manual_order
from zhanggui.shops.models import Shop

from .test_states import build_stock


@pytest.fixture
def paid_order(world):
    build_stock(world)
    return create_manual_order(
        world.people["manager"],
        world.shop_a,
        receiver_name="王五",
        receiver_phone="13912345678",
        address="广东省 深圳市 南山区 科技园南路 1 号",
        lines=[("D-黑-S", 2, 9900)],
        payment_method="alipay",
    )


def test_the_order_page_names_the_payment_method_ORD_5(world, client_for, paid_order):
    body = client_for(world.people["manager"]).get(f"/orders/{paid_order.pk}/").content.decode()
    assert "支付宝" in body
    assert "alipay" not in body.replace('value="alipay"', "")


def test_the_stock_ledger_shows_the_order_number_linked_INV_2(world, client_for, paid_order):
    body = client_for(world.people["manager"]).get("/stock/ledger/").content.decode()
    assert f"order:{paid_order.pk}" not in body
    assert f'<a href="/orders/{paid_order.pk}/">{paid_order.platform_order_no}</a>' in body


def test_the_ledger_links_only_orders_of_the_viewers_shops_INV_2(world, client_for, paid_order):
    """Someone who may not open the order (not their shop) reads its number without a link."""
    warehouse = world.people["warehouse"]
    warehouse.shops.set([Shop.objects.exclude(pk=world.shop_a.pk).first()])
    body = client_for(warehouse).get("/stock/ledger/").content.decode()
    assert paid_order.platform_order_no in body
    assert f'href="/orders/{paid_order.pk}/"' not in body
