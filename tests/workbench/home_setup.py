"""A company whose every queue holds something known, for the home page per role (ui.md "Home per role").

shop_a (甲店) is every role's shop; the manager also sees shop_b (乙店). Built with the order, package and catalog
helpers of the other tests; times are set relative to "today" in Beijing so the day's sales are deterministic.
"""

import datetime as dt
import re
from dataclasses import dataclass, field

import pytest

from tests.orders.test_states import build_stock, make_order
from zhanggui.catalog.models import Listing
from zhanggui.catalog.services import listings as listing_svc
from zhanggui.core import clock
from zhanggui.fulfilment.models import Carrier, Package
from zhanggui.fulfilment.services import packages
from zhanggui.fulfilment.services.carriers import load_carriers
from zhanggui.orders.models import Order
from zhanggui.orders.services import states
from zhanggui.orders.services.manual import create_manual_order

S = Order.State


@dataclass
class Home:
    world: object
    stock: object
    today: dt.date
    sales: dict = field(default_factory=dict)  # name → order
    packages: dict = field(default_factory=dict)  # state → package


def at_day(day: dt.date, hours: int) -> dt.datetime:
    return clock.local_day_bounds(day)[0] + dt.timedelta(hours=hours)


def sale(home, name, shop, day, paid_fen, **extra):
    """An order paid on `day` and already shipped (so it sits in no warehouse queue)."""
    order = make_order(home.world, shop=shop, state=S.SHIPPED, paid_fen=paid_fen, paid_at=at_day(day, 1), **extra)
    home.sales[name] = order
    return order


def packaged(home, state):
    """An approved order paid three days ago (overdue: SHIP-2 at risk) whose package is in `state`."""
    cs = home.world.people["cs"]
    order = make_order(home.world, lines=[(home.stock.s, 1)])
    states.mark_paid(cs, order)
    states.approve(cs, order)
    Order.objects.filter(pk=order.pk).update(paid_at=clock.now() - dt.timedelta(days=3))
    package = packages.open_packages(order)[0]
    Package.objects.filter(pk=package.pk).update(state=state)
    home.packages[state] = package
    return package


def billed(home, expected_fen, fee_fen, shipped_at=None):
    """A parcel shipped today (this month's bill, or `shipped_at`) with its expected and billed courier fee."""
    cs = home.world.people["cs"]
    order = make_order(home.world, lines=[(home.stock.s, 1)])
    states.mark_paid(cs, order)
    states.approve(cs, order)
    Order.objects.filter(pk=order.pk).update(state=S.SHIPPED, paid_at=clock.now() - dt.timedelta(days=40))
    package = packages.open_packages(order)[0]
    Package.objects.filter(pk=package.pk).update(
        state=Package.State.SHIPPED,
        carrier=Carrier.objects.get(code="STO"),
        waybill_no=f"7731{package.pk:08d}",
        shipped_at=shipped_at or clock.now(),
        expected_fee_fen=expected_fen,
        courier_fee_fen=fee_fen,
    )
    return package


@pytest.fixture(name="home")
def home_fixture(world):
    load_carriers()
    h = Home(world=world, stock=build_stock(world), today=clock.today())
    a, b = world.shop_a, world.shop_b
    yesterday = h.today - dt.timedelta(days=1)
    # The manager's sales: paid today / yesterday per shop, one refunded, one refund still being asked for.
    sale(h, "a_today", a, h.today, 12_000)
    sale(h, "a_today_refunded", a, h.today, 8_000, refund_fen=3_000, exc_refund=True)
    sale(h, "a_yesterday", a, yesterday, 5_000)
    sale(h, "a_old", a, h.today - dt.timedelta(days=2), 99_900)  # neither today nor yesterday
    sale(h, "b_today", b, h.today, 20_000)
    sale(h, "b_refund_asked", b, yesterday, 4_000, exc_refund=True)
    # Customer service: one unpaid order with an address problem, one to review whose SKU is unknown (editor's).
    h.pending = make_order(world, ordered_at=at_day(h.today, 0), exc_address=True)
    h.to_review = make_order(world, state=S.TO_REVIEW, ordered_at=at_day(yesterday, 0), exc_unmatched=True)
    # The warehouse: one package to print, one printed (to verify), one packed (to ship), all overdue.
    for state in (Package.State.TO_PRINT, Package.State.PRINTED, Package.State.PACKED):
        packaged(h, state)
    # Finance: a bank transfer waiting (paid five days ago), a fee over the threshold, a parcel not billed.
    h.bank = create_manual_order(
        world.people["cs"], a, receiver_name="王五", receiver_phone="13812345678",
        address="广东省 深圳市 南山区 科技园南路 1 号", lines=[("D-黑-S", 1, 9900)], payment_method="bank",
    )  # fmt: skip
    Order.objects.filter(pk=h.bank.pk).update(paid_at=clock.now() - dt.timedelta(days=5))
    h.over = billed(h, 800, 1_200)  # 4 元 more than expected: over the 2 元 threshold
    h.fine = billed(h, 800, 900)
    h.not_yet = billed(h, 800, None)  # this month: its bill has not come yet
    h.last_month = h.today.replace(day=1) - dt.timedelta(days=1)
    h.unbilled = billed(h, 800, None, shipped_at=at_day(h.last_month, 12))
    # The editor and marketing: a listing with a title breaking the rules, sold out and waiting to be delisted.
    product = h.stock.s.product
    h.listing = listing_svc.create_listing(world.people["editor"], a, product, "连衣裙连衣裙" * 8, 9900)
    Listing.objects.filter(pk=h.listing.pk).update(status=Listing.Status.TO_DELIST)
    # The designer: product D has no image; it arrived yesterday and is not photographed yet.
    type(product).objects.filter(pk=product.pk).update(arrived_on=yesterday)
    return h


def listed_rows(response) -> int:
    """How many rows the page a home figure links to lists (its marker, or the count the page itself reports)."""
    html = response.content.decode()
    for marker in ("data-order", "data-package", "data-listing", "data-product"):
        found = re.findall(rf'<tr[^>]*\b{marker}="\d+"', html)
        if found:
            return len(found)
    context = response.context
    for key in ("total", "rows", "waiting"):
        if key in context:
            value = context[key]
            return value if isinstance(value, int) else len(value)
    return 0
