"""SHIP-2 / ORD-9: "超时未发货" has one definition and one query (orders.services.deadlines), so the order list's tab,
the home page's queue count and the at-risk page agree; the at-risk page shows the 24-hour target and the hard
deadline, lists every late and due-soon parcel a page at a time, grouped by shop, with an hour left visible."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from tests.orders.test_states import build_stock, make_order
from zhanggui.core import clock
from zhanggui.fulfilment.services import carriers, packages, sla
from zhanggui.fulfilment.views import sla as sla_views
from zhanggui.orders.models import Order
from zhanggui.orders.selectors import exception_queues, in_tab
from zhanggui.orders.services import deadlines, states
from zhanggui.shops.settings_store import update_settings

S = Order.State


@pytest.fixture
def stocked(world):
    carriers.load_carriers()
    return build_stock(world)


def paid(stocked, hours_ago, state=S.TO_REVIEW, shop=None):
    order = make_order(stocked.world, lines=[(stocked.s, 1)], state=state, shop=shop)
    Order.objects.filter(pk=order.pk).update(paid_at=clock.now() - dt.timedelta(hours=hours_ago))
    order.refresh_from_db()
    return order


def approved(stocked, hours_ago):
    order = make_order(stocked.world, lines=[(stocked.s, 1)])
    states.mark_paid(stocked.world.people["cs"], order)
    Order.objects.filter(pk=order.pk).update(paid_at=clock.now() - dt.timedelta(hours=hours_ago))
    order.refresh_from_db()
    states.approve(stocked.world.people["cs"], order)
    return order


def three_counts(stocked, client):
    shops = [stocked.world.shop_a]
    listed = in_tab(Order.objects.filter(shop__in=shops), "overdue").count()
    home = next(n for key, _label, n, _owner in exception_queues(shops) if key == "overdue")
    client.force_login(stocked.world.people["manager"])
    page = client.get(reverse("fulfilment:at_risk") + f"?shop={stocked.world.shop_a.code}").content.decode()
    badge = re.search(r'text-bg-danger">[^<]*?(\d+)</span>', page)
    rows = sla.at_risk(shops)
    flagged = {r.order.pk for r in rows if r.overdue}
    return listed, home, int(badge.group(1)) if badge else 0, flagged


def test_SHIP_2_order_list_home_page_and_at_risk_page_agree_on_overdue(stocked, client):
    """Paid 49 h ago (overdue, with a package), 30 h ago (past the 24-hour target, not overdue), on hold 50 h ago
    without a package (overdue), and a fresh one: every view says the same two."""
    late_package = approved(stocked, 49)
    paid(stocked, 30)  # past its ship run, within 48 h: not 超时未发货 anywhere
    held = paid(stocked, 50, state=S.ON_HOLD)
    paid(stocked, 1)
    listed, home, badge, flagged = three_counts(stocked, client)
    assert listed == home == badge == 2
    assert flagged == {late_package.pk, held.pk}


def test_SHIP_2_promotion_day_lifts_the_hard_deadline_in_every_view(stocked, client):
    """An order paid on a named big-promotion day 50 h ago is not overdue (48 h + 24 h) — in the list and on the
    at-risk page alike."""
    manager = stocked.world.people["manager"]
    order = paid(stocked, 50)
    day = clock.local(order.paid_at).date()
    update_settings(manager, stocked.world.shop_a, {"fulfilment.promotion_days": day.isoformat()})
    listed, home, badge, flagged = three_counts(stocked, client)
    assert (listed, home, badge, flagged) == (0, 0, 0, set())
    Order.objects.filter(pk=order.pk).update(paid_at=order.paid_at - dt.timedelta(hours=23))
    assert deadlines.overdue_orders([stocked.world.shop_a]).count() == 1  # 73 h: past 48 h + 24 h either way
    assert deadlines.hard_deadline({"fulfilment.promotion_days": ""}, order.paid_at) == order.paid_at + dt.timedelta(
        hours=48
    )


def test_SHIP_2_at_risk_has_no_row_cut(stocked):
    """Every late parcel is listed (the queue used to stop at 500 rows)."""
    template = paid(stocked, 60)
    copies = []
    for n in range(600):
        template.pk, template.platform_order_no = None, f"BULK{n:05d}"
        copies.append(Order(**{f.attname: getattr(template, f.attname) for f in Order._meta.concrete_fields}))
    Order.objects.bulk_create(copies)
    assert len(sla.at_risk([stocked.world.shop_a])) == 601


def test_SHIP_2_at_risk_page_shows_target_and_hard_deadline_grouped_by_shop_an_hour_left_first(
    stocked, client, monkeypatch
):
    monkeypatch.setattr(sla_views, "PER_PAGE", 4)
    for _n in range(5):
        approved(stocked, 60)  # overdue backlog
    now = clock.now()
    near = approved(stocked, 1)
    package = packages.open_packages(near)[0]
    package.ship_deadline = now + dt.timedelta(minutes=50)  # an hour left on its target
    package.save(update_fields=["ship_deadline"])
    paid(stocked, 60, shop=stocked.world.shop_b)
    client.force_login(stocked.world.people["manager"])
    page = client.get(reverse("fulfilment:at_risk")).content.decode()
    assert "24 小时目标" in page and "最晚发货" in page
    table = page.split('id="at-risk-table"')[1]
    assert table.count("data-shop=") >= 1 and stocked.world.shop_a.name in table
    first_row = table.split('data-status="')[1]
    assert first_row.startswith("soon") and package.package_no in first_row.split("</tr>")[0]
    assert "1 / 2" in page  # seven rows over two pages of four: nothing cut
    second = client.get(reverse("fulfilment:at_risk") + "?page=2").content.decode()
    assert stocked.world.shop_b.name in second.split('id="at-risk-table"')[1]
    summary = page.split('id="at-risk-summary"')[1].split("</table>")[0]
    assert package.package_no in summary  # the least time left per shop, whatever page it is on
