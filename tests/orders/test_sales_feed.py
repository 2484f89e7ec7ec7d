"""PROD-7, PROD-8, DATA-5: the catalog's role and lifecycle page is fed by real order lines (handed over by the
orders app through the registered sales source), with the thresholds of the company settings."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from zhanggui.analytics.services import facts
from zhanggui.catalog.models import Product, Sku
from zhanggui.catalog.services import lifecycle
from zhanggui.core import clock
from zhanggui.core.company_settings import update_company_settings
from zhanggui.orders.models import Order, OrderLine
from zhanggui.orders.services.sales import product_sales

S = Order.State


@pytest.fixture
def sold(world):
    """LC-01 sells 10 a day for 28 days at a thin margin; LC-02 sells 2 a day for the last 14 days at a fat margin
    (new and rising); LC-03 sold only in a closed and an unpaid order (no sales); LC-04 never sold."""
    skus = {}
    for n, (price, cost) in enumerate(((3000, 2900), (20000, 6000), (9900, 5000), (9900, 5000)), start=1):
        product = Product.objects.create(style_code=f"LC-{n:02d}", name=f"商品{n}")
        skus[n] = Sku.objects.create(product=product, code=f"LC-{n:02d}-黑-M", cost_fen=cost, list_price_fen=price)
    today = clock.today()
    count = 0

    def order(sku, qty, days_ago, state=S.COMPLETED, paid=True):
        nonlocal count
        count += 1
        moment = clock.at_local(today - dt.timedelta(days=days_ago), dt.time(23, 30))  # late evening, Beijing
        o = Order.objects.create(
            shop=world.shop_a, platform_order_no=f"LC{count:05d}", state=state, ordered_at=moment,
            paid_at=moment if paid else None, paid_fen=qty * sku.list_price_fen,
        )  # fmt: skip
        OrderLine.objects.create(
            order=o, line_no=1, sku=sku, outer_code=sku.code, unit_price_fen=sku.list_price_fen, quantity=qty,
            paid_fen=qty * sku.list_price_fen,
        )  # fmt: skip

    for days_ago in range(28):
        order(skus[1], 10, days_ago)
    for days_ago in range(14):
        order(skus[2], 2, days_ago, state=S.SHIPPED)
    order(skus[3], 50, 1, state=S.CLOSED)
    order(skus[3], 50, 1, state=S.PENDING_PAYMENT, paid=False)
    # The lifecycle page reads the SKU facts (DATA-5, registered by analytics over the orders' feed); orders made
    # with the bare ORM send no events, so fill the facts from them as `zhanggui facts-rebuild` does.
    facts.rebuild()
    return {n: sku.product for n, sku in skus.items()}


def _row(html: str, code: str) -> str:
    return next(row for row in re.split(r"<tr[ >]", html) if f"<code>{code}</code>" in row)


def test_prod7_prod8_sales_per_product_come_from_paid_order_lines(sold):
    sales = product_sales(28)
    assert set(sales) == {sold[1].pk, sold[2].pk}  # closed and unpaid orders are no sales
    one, two = sales[sold[1].pk], sales[sold[2].pk]
    assert one.daily_units == [10] * 28  # 23:30 Beijing is that Beijing day, not the next UTC one
    assert two.daily_units == [0] * 14 + [2] * 14
    assert (one.price_fen, one.cost_fen) == (3000, 2900)
    assert (two.price_fen, two.cost_fen) == (20000, 6000)


def test_prod7_prod8_lifecycle_page_shows_stages_and_roles_from_orders(sold, client_for, world):
    """With orders in the database the page is no longer empty: ranks, stages and the real 80/20 roles."""
    html = client_for(world.people["manager"]).get(reverse("catalog:lifecycle")).content.decode()
    assert "没有已付款订单" not in html
    assert html.index("LC-01") < html.index("LC-02") < html.index("LC-03")  # best sellers first
    first, second = _row(html, "LC-01"), _row(html, "LC-02")
    assert "销量排名第 1（前 5），销量稳定或上升" in first and ">140<" in first
    assert "销量排名第 2（前 5）" in second and "新出单" in second
    # 280 units of LC-01 are 90% of the units (traffic); LC-02 makes 98% of the gross profit
    assert "引流款</span>" in first and "利润款</span>" in second
    assert "排名" not in _row(html, "LC-03") and "排名" not in _row(html, "LC-04")


def test_prod8_thresholds_are_company_settings(sold, client_for, world):
    """PROD-8: the manager narrows maturity to the top 1 and the growth window to 7 days — the page follows."""
    update_company_settings(world.people["manager"], {"lifecycle.maturity_top": "1", "lifecycle.window_days": "7"})
    t = lifecycle.thresholds()
    assert (t.maturity_top, t.window, t.days) == (1, 7, 14)
    html = client_for(world.people["manager"]).get(reverse("catalog:lifecycle")).content.decode()
    second = _row(html, "LC-02")
    assert "销量排名第 2（前 10）" in second and ">14<" in second  # 7 days × 2 units


def test_prod8_no_paid_orders_says_so(world, client_for):
    Product.objects.create(style_code="LC-09", name="新品")
    html = client_for(world.people["manager"]).get(reverse("catalog:lifecycle")).content.decode()
    assert "近 28 天没有已付款订单" in html
