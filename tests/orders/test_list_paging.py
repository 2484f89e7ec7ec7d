"""The order list's page numbers and page size (ui.md density), and `?shop=` in any URL (SHOP-1): the switcher shows
it, the links the list builds keep it, a shop the user may not see falls back visibly and exports nothing."""

import datetime as dt
import re
from html import unescape

import pytest

from zhanggui.core import clock
from zhanggui.orders.models import Order

from .pages_setup import orders_world_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


def listed(response) -> list[int]:
    return [int(pk) for pk in re.findall(r'data-order="(\d+)"', response.content.decode())]


def href(html: str, element_id: str) -> str:
    return unescape(re.search(rf'href="([^"]+)" id="{element_id}"', html).group(1))


def add_orders(shop, dated: int, undated: int = 0) -> None:
    start = clock.now() - dt.timedelta(days=30)
    Order.objects.bulk_create(
        [
            Order(shop=shop, platform_order_no=f"P{n:05d}", state="completed", ordered_at=start + dt.timedelta(hours=n))
            for n in range(dated)
        ]
        + [Order(shop=shop, platform_order_no=f"U{n:05d}", state="pending_payment") for n in range(undated)]
    )


def in_list_order(shop) -> list[int]:
    qs = Order.objects.filter(shop=shop)
    dated = list(qs.exclude(ordered_at=None).order_by("-ordered_at", "-id").values_list("pk", flat=True))
    return dated + list(qs.filter(ordered_at=None).order_by("-id").values_list("pk", flat=True))


def test_page_3_of_size_20_shows_orders_41_to_60_in_the_lists_order(orders_world, client_for):
    w = orders_world
    add_orders(w.shop_a, 60)
    expected = in_list_order(w.shop_a)
    r = client_for(w.people["cs"]).get("/orders/?size=20&page=3")
    assert listed(r) == expected[40:60]
    html = r.content.decode()
    assert 'aria-current="page"><span class="page-link" data-page="3">3</span>' in html
    assert "共 63 条" in html  # the total (3 imported + 60)
    pages = [int(n) for n in re.findall(r'<a class="page-link" href="[^"]+" data-page="(\d+)"', html)]
    assert pages == [1, 2, 4]  # 1 2 [3] 4: the last page is 4 of 63 / 20


def test_numbered_pages_cross_from_dated_to_undated_orders_without_gaps(orders_world, client_for):
    """Orders without an order time come last, newest id first — numbered pages (OFFSET) agree with the cursor."""
    w = orders_world
    add_orders(w.shop_a, 47, undated=15)
    expected = in_list_order(w.shop_a)
    c = client_for(w.people["cs"])
    seen = []
    for n in range(1, 5):
        seen += listed(c.get(f"/orders/?size=20&page={n}"))
    assert seen == expected


def test_next_and_previous_go_on_by_cursor_from_a_numbered_page(orders_world, client_for):
    w = orders_world
    add_orders(w.shop_a, 60)
    expected = in_list_order(w.shop_a)
    c = client_for(w.people["cs"])
    html = c.get("/orders/?size=20&page=2").content.decode()
    nxt = href(html, "page-next")
    assert "after=" in nxt and "page=3" in nxt
    r = c.get("/orders/" + nxt)
    assert listed(r) == expected[40:60]
    prev = href(r.content.decode(), "page-prev")
    assert listed(c.get("/orders/" + prev)) == expected[20:40]


def test_page_size_is_remembered_in_the_session(orders_world, client_for):
    w = orders_world
    add_orders(w.shop_a, 60)
    c = client_for(w.people["cs"])
    assert len(listed(c.get("/orders/"))) == 50  # the default
    assert len(listed(c.get("/orders/?size=20"))) == 20
    r = c.get("/orders/?tab=completed")
    assert len(listed(r)) == 20  # remembered, also on another tab
    assert re.search(r'<option value="[^"]*size=20[^"]*" selected>20</option>', r.content.decode())
    assert len(listed(c.get("/orders/?size=100"))) == 63
    assert len(listed(c.get("/orders/?size=7"))) == 63  # not a size we offer: the remembered one stays
    other = client_for(w.people["manager"])
    assert len(listed(other.get("/orders/"))) == 50  # one person's choice is theirs only


def test_shop_in_the_url_selects_it_and_every_link_the_list_builds_keeps_it(orders_world, client_for):
    w = orders_world
    c = client_for(w.people["manager"])
    r = c.get(f"/orders/?shop={w.shop_b.code}")
    html = r.content.decode()
    assert listed(r) == [w.order_b.pk]
    assert re.search(rf'<option value="{w.shop_b.code}"\s+selected>', html)  # the top bar's switcher shows it
    tabs = re.findall(r'href="([^"]+)" data-tab="', html)
    assert tabs and all(f"shop={w.shop_b.code}" in unescape(t) for t in tabs)
    export = re.search(r'action="(/orders/export/[^"]+)" id="export-form"', html).group(1)
    assert f"shop={w.shop_b.code}" in unescape(export)
    sizes = re.findall(r'<option value="(\?[^"]+)"', html)
    assert sizes and all(f"shop={w.shop_b.code}" in unescape(s) for s in sizes)
    assert f'name="shop" value="{w.shop_b.code}"' in html  # the filter form keeps it too
    # the reader's own choice (session) is untouched: without ?shop= the manager sees every shop again
    assert len(listed(c.get("/orders/"))) == 4


def test_page_links_keep_the_shop_filters_and_size(orders_world, client_for):
    w = orders_world
    add_orders(w.shop_a, 60)
    c = client_for(w.people["manager"])
    html = c.get(f"/orders/?shop={w.shop_a.code}&flag=none&size=20").content.decode()
    links = [unescape(h) for h in re.findall(r'<a class="page-link" href="([^"]+)"', html)]
    assert links and all(f"shop={w.shop_a.code}" in h and "flag=none" in h and "size=20" in h for h in links)


@pytest.mark.parametrize("url", ["/orders/", "/products/", "/products/listings/", "/stock/", "/customers/"])
def test_shop_in_any_url_shows_in_the_switcher(orders_world, client_for, url):
    w = orders_world
    html = client_for(w.people["manager"]).get(f"{url}?shop={w.shop_b.code}").content.decode()
    assert re.search(rf'<option value="{w.shop_b.code}"\s+selected>', html), url


def test_a_shop_the_user_may_not_see_falls_back_visibly(orders_world, client_for):
    """SHOP-1: another team's shop in a shared link shows nothing of it; the page says the link's shop is not theirs
    and shows their own shops instead."""
    w = orders_world
    c = client_for(w.outsider)  # shop_b only
    r = c.get(f"/orders/?shop={w.shop_a.code}")
    assert r.status_code == 200
    html = r.content.decode()
    assert listed(r) == [w.order_b.pk]
    assert 'id="scope-refused"' in html and f"“{w.shop_a.code}”不在您可查看的店铺中" in html
    assert "甲店" not in html  # not even its name
    assert 'id="scope-refused"' not in c.get("/orders/").content.decode()


def test_the_switcher_replaces_the_shop_of_the_link_it_was_used_on(orders_world, client_for):
    w = orders_world
    c = client_for(w.people["manager"])
    r = c.post("/scope/", {"shop": "", "next": f"/orders/?tab=all&shop={w.shop_b.code}&q=x"})
    assert r.status_code == 302 and r["Location"] == "/orders/?tab=all&q=x"
