"""审单 page at volume (ORD-7): the whole queue is counted on its tabs and per reason, shown 20 / 50 / 100 / 200 rows a
page with page numbers; the shop, search and reason filters narrow the rows and the counts alike."""

import datetime as dt
import re

import pytest

from zhanggui.fulfilment.services import review
from zhanggui.orders.models import Order, OrderLine

ADDRESS = {"province": "浙江省", "city": "杭州市", "district": "西湖区", "address_detail": "文三路1号"}
START = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)


def queue(world, n, *, shop=None, start=0, **extra) -> list[Order]:
    """`n` 待审核 orders of different buyers (bulk: the page only reads them), one minute apart from START + `start`
    minutes, each with one line of the SKU."""
    shop = shop or world.shop_a
    orders = Order.objects.bulk_create(
        Order(
            shop=shop,
            platform_order_no=f"RV{shop.pk}{start + i:05d}",
            state=Order.State.TO_REVIEW,
            ordered_at=START + dt.timedelta(minutes=start + i),
            receiver_name=f"买家{start + i}",
            receiver_phone=f"138{start + i:08d}",
            paid_fen=9900,
            **ADDRESS,
            **extra,
        )
        for i in range(n)
    )
    OrderLine.objects.bulk_create(
        OrderLine(order=o, line_no=1, sku=world.sku, outer_code=world.sku.code, quantity=1, unit_price_fen=9900)
        for o in orders
    )
    return orders


def shown(body: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'<tr data-order="(\d+)"', body)]


def counts(body: str) -> dict[str, int]:
    return {k: int(n) for k, n in re.findall(r'data-count="(\w+)">(\d+)<', body)}


@pytest.fixture
def stocked(world):
    from tests.orders.test_states import build_stock

    world.sku = build_stock(world).s
    return world


@pytest.fixture
def big_queue(stocked):
    world = stocked
    """230 waiting (buyer message; the first 20 also a risk hold) and 100 clean, interleaved in order time."""
    waiting = queue(world, 230, buyer_message="请发顺丰")
    Order.objects.filter(pk__in=[o.pk for o in waiting[:20]]).update(exc_risk=True)
    clean = queue(world, 100, start=1000)
    return waiting, clean


def test_the_waiting_tab_pages_in_order_time_and_counts_the_whole_queue(big_queue, client_for, stocked):
    waiting, clean = big_queue
    world = stocked
    client = client_for(world.people["cs"])
    first = client.get("/shipping/review/").content.decode()
    assert counts(first) == {"waiting": 230, "clean": 100, "merge": 0}
    assert shown(first) == [o.pk for o in waiting[:50]]  # 50 a page by default, not every waiting order at once
    second = client.get("/shipping/review/?page=2").content.decode()
    assert shown(second) == [o.pk for o in waiting[50:100]]
    assert 'data-total="230"' in second and 'data-page="5"' in second  # 230 rows: pages 1 … 5
    odd = client.get("/shipping/review/?size=37").content.decode()  # only 20 / 50 / 100 / 200
    assert len(shown(odd)) == 50
    big = client.get("/shipping/review/?size=200&page=2").content.decode()
    assert shown(big) == [o.pk for o in waiting[200:]]
    remembered = client.get("/shipping/review/").content.decode()  # the size chosen stays for the next visit
    assert len(shown(remembered)) == 200
    clean_page = client.get("/shipping/review/?tab=clean&size=20&page=5").content.decode()
    assert shown(clean_page) == [o.pk for o in clean[80:100]]


def test_filters_narrow_rows_and_counts_alike(big_queue, client_for, stocked):
    waiting, clean = big_queue
    world = stocked
    other = queue(world, 30, shop=world.shop_b, start=2000, buyer_message="包邮吗")
    client = client_for(world.people["manager"])  # both shops
    everything = client.get("/shipping/review/").content.decode()
    assert counts(everything)["waiting"] == 260
    assert f"{review.REASON_RISK}（20）" in everything and f"{review.REASON_MESSAGE}（260）" in everything

    risky = client.get("/shipping/review/", {"reason": review.REASON_RISK}).content.decode()
    assert counts(risky) == {"waiting": 20, "clean": 0, "merge": 0}
    assert shown(risky) == [o.pk for o in waiting[:20]]

    shop_b = client.get("/shipping/review/", {"shop_id": world.shop_b.pk, "size": 20, "page": 2}).content.decode()
    assert counts(shop_b) == {"waiting": 30, "clean": 0, "merge": 0}
    assert shown(shop_b) == [o.pk for o in other[20:]]
    assert f"shop_id={world.shop_b.pk}&" in re.search(r'href="\?([^"]*)"[^>]*data-page-prev', shop_b)[1]

    one = client.get("/shipping/review/", {"tab": "clean", "q": clean[7].platform_order_no}).content.decode()
    assert counts(one) == {"waiting": 0, "clean": 1, "merge": 0} and shown(one) == [clean[7].pk]


def test_another_shops_orders_are_neither_counted_nor_shown(big_queue, client_for, stocked):
    world = stocked
    queue(world, 5, shop=world.shop_b, start=3000, buyer_message="x")
    body = client_for(world.people["cs"]).get("/shipping/review/", {"shop_id": world.shop_b.pk}).content.decode()
    assert counts(body)["waiting"] == 0 and shown(body) == []
