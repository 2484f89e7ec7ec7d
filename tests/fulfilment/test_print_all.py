"""Print batches by filter (SHIP-1): 打印全部符合条件的 prints every 待打单 package matching the list's filters (shop,
carrier, order dates, search) — not just the ticked rows of one page — after a confirmation with the count, up to the
company's batch limit; the batch is set-based (one query budget whatever the size) and two people printing the same
packages at once never give one package two waybills or two prints."""

import datetime as dt
import re
import threading

import pytest
from django.db import connection, connections

from tests.fulfilment.test_packages import RECEIVER, login, pool
from tests.orders.test_states import build_stock
from zhanggui.core.company_settings import update_company_settings
from zhanggui.core.errors import DomainError
from zhanggui.fulfilment.models import Carrier, Package, PrintBatch, WaybillNumber, WaybillPrint
from zhanggui.fulfilment.services import printing
from zhanggui.fulfilment.services.carriers import load_carriers
from zhanggui.inventory.services.stock import receive_stock
from zhanggui.orders.models import Order, OrderLine
from zhanggui.orders.services import states

P = Package.State
DAY = dt.datetime(2026, 11, 1, 2, 0, tzinfo=dt.UTC)  # 10:00 in Beijing
_serial = iter(range(1, 1_000_000))


@pytest.fixture
def stocked(world):
    load_carriers()
    return build_stock(world)


def approved_many(stocked, n, *, shop=None, day=0) -> list[Order]:
    """`n` paid orders approved in one set (states.approve_many): each has one 待打单 package; ordered one minute
    apart on the Beijing day DAY + `day`."""
    world = stocked.world
    receive_stock(world.people["manager"], stocked.s, stocked.warehouse, n, reason="opening")
    start = DAY + dt.timedelta(days=day)
    orders = Order.objects.bulk_create(
        Order(
            shop=shop or world.shop_a,
            platform_order_no=f"PA{next(_serial):07d}",
            state=Order.State.TO_REVIEW,
            ordered_at=start + dt.timedelta(minutes=i),
            paid_at=start + dt.timedelta(minutes=i),
            paid_fen=9900,
            **RECEIVER,
        )
        for i in range(n)
    )
    OrderLine.objects.bulk_create(
        OrderLine(order=o, line_no=1, sku=stocked.s, outer_code=stocked.s.code, quantity=1, unit_price_fen=9900)
        for o in orders
    )
    approved, refused = states.approve_many(world.people["manager"], [o.pk for o in orders])
    assert len(approved) == n and not refused
    return orders


def packages_of(orders) -> list[Package]:
    return list(Package.objects.filter(package_orders__order__in=orders).order_by("ordered_at", "id"))


def post_all(client, **filters):
    page = client.get("/shipping/", filters).content.decode()
    through = re.search(r'name="through" value="(\d+)"', page)[1]
    return client.post("/shipping/print/", {"scope": "all", "through": through, "size": "76x130", **filters})


def test_print_all_matching_takes_every_filtered_package_beyond_one_page(stocked):
    """60 waiting on the day (more than a page of 50) are printed by one press; other days and carriers stay."""
    pool(200)
    today = approved_many(stocked, 60)
    approved_many(stocked, 5, day=1)
    other_carrier = approved_many(stocked, 3)
    Package.objects.filter(package_orders__order__in=other_carrier).update(carrier=Carrier.objects.get(code="EMS"))
    client = login(stocked.world, "warehouse")
    page = client.get("/shipping/", {"carrier": "STO", "from": "2026-11-01", "to": "2026-11-01"}).content.decode()
    assert re.search(r'id="print-all-button" data-count="60"', page)  # the confirmation names the count
    assert "60 个" in re.search(r'data-confirm="([^"]*)"', page)[1]
    resp = post_all(client, carrier="STO", **{"from": "2026-11-01", "to": "2026-11-01"})
    batch = PrintBatch.objects.get()
    assert resp.status_code == 302 and resp.url == f"/shipping/batches/{batch.pk}/"
    printed = packages_of(today)
    assert batch.package_count == 60 and all(p.state == P.PRINTED and p.print_batch == batch for p in printed)
    assert [p.waybill_no for p in printed] == [f"26800000000{n:02d}" for n in range(1, 61)]  # in order time
    assert Package.objects.filter(state=P.TO_PRINT).count() == 8
    assert Order.objects.filter(pk__in=[o.pk for o in today], state=Order.State.TO_SHIP).count() == 60
    labels = client.get(f"/shipping/batches/{batch.pk}/labels.pdf")
    assert labels.status_code == 200 and labels.content.startswith(b"%PDF")


def test_packages_arriving_after_the_confirmation_wait_for_the_next_batch(stocked):
    pool(50)
    first = approved_many(stocked, 4)
    client = login(stocked.world, "warehouse")
    page = client.get("/shipping/").content.decode()
    through = re.search(r'name="through" value="(\d+)"', page)[1]
    late = approved_many(stocked, 2)
    client.post("/shipping/print/", {"scope": "all", "through": through})
    assert {p.state for p in packages_of(first)} == {P.PRINTED}
    assert {p.state for p in packages_of(late)} == {P.TO_PRINT}


def test_more_than_the_batch_limit_is_refused_in_chinese(stocked):
    """SHIP-1: fulfilment.print_batch_max (company setting) bounds a batch, ticked or by filter."""
    pool(50)
    update_company_settings(stocked.world.people["manager"], {"fulfilment.print_batch_max": 5})
    orders = approved_many(stocked, 6)
    client = login(stocked.world, "warehouse")
    page = client.get("/shipping/").content.decode()
    assert re.search(r'id="print-all-button" disabled', page) and "超过每批上限 5 个" in page
    resp = client.post("/shipping/print/", {"scope": "all"}, follow=True)
    assert "一次最多打印 5 个包裹，这次有 6 个" in resp.content.decode()
    with pytest.raises(DomainError, match="一次最多打印 5 个包裹"):
        printing.print_batch(stocked.world.people["warehouse"], [p.pk for p in packages_of(orders)])
    assert not PrintBatch.objects.exists() and {p.state for p in packages_of(orders)} == {P.TO_PRINT}
    client.post("/shipping/print/", {"scope": "all", "shop_id": stocked.world.shop_b.pk})  # none match: refused
    assert not PrintBatch.objects.exists()


def test_refusals_still_hold_when_printing_by_filter(stocked):
    """Held orders are skipped with the reason, the rest print; a short pool prints what it can."""
    pool(3)
    orders = approved_many(stocked, 5)
    states.hold(stocked.world.people["manager"], orders[0], "买家要求改地址")
    result = printing.print_matching(stocked.world.people["warehouse"], Package.objects.all())
    assert len(result.printed) == 3
    reasons = dict(result.refused)
    assert reasons[packages_of([orders[0]])[0].package_no] == f"订单已挂起（{orders[0].platform_order_no}）"
    assert sum("运单号余量不足" in why for why in reasons.values()) == 1


def test_the_other_shop_is_never_printed_by_filter(stocked):
    pool(50)
    mine = approved_many(stocked, 2)
    theirs = approved_many(stocked, 2, shop=stocked.world.shop_b)
    login(stocked.world, "warehouse").post("/shipping/print/", {"scope": "all"})  # warehouse: shop A only
    assert {p.state for p in packages_of(mine)} == {P.PRINTED}
    assert {p.state for p in packages_of(theirs)} == {P.TO_PRINT}


@pytest.fixture
def whole_statements(monkeypatch):
    """SQLite's real limit of bound variables per statement (32,766 since 3.32) instead of Django's cautious 999, so a
    bulk INSERT / UPDATE of 200 rows is one statement there as it is on PostgreSQL — what is counted is our code's
    queries, not the backend's splitting of one statement."""
    if connection.vendor == "sqlite":
        import sqlite3

        connection.ensure_connection()
        limit = connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        monkeypatch.setattr(connection.features, "max_query_params", limit)


def test_a_batch_of_200_costs_the_queries_of_a_batch_of_20(stocked, whole_statements, django_assert_max_num_queries):
    """Set-based (SHIP-1): packages, numbers, prints, timeline and the orders' moves go in sets."""
    pool(300)
    warehouse = stocked.world.people["warehouse"]
    small = [p.pk for p in packages_of(approved_many(stocked, 20))]
    big = [p.pk for p in packages_of(approved_many(stocked, 200, day=1))]
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        printing.print_batch(warehouse, small)
    budget = len(ctx.captured_queries)
    with django_assert_max_num_queries(budget):
        result = printing.print_batch(warehouse, big)
    assert len(result.printed) == 200 and not result.refused
    assert Order.objects.filter(state=Order.State.TO_SHIP).count() == 220


def test_a_second_tab_sending_the_same_packages_prints_nothing_twice(stocked):
    """The page was open in two tabs: the second press (ticked rows, or print all) finds the packages 已打单."""
    pool(50)
    orders = approved_many(stocked, 3)
    client = login(stocked.world, "warehouse")
    page = client.get("/shipping/").content.decode()
    through = re.search(r'name="through" value="(\d+)"', page)[1]
    ids = [p.pk for p in packages_of(orders)]
    client.post("/shipping/print/", {"scope": "all", "through": through})
    again = client.post("/shipping/print/", {"package": ids, "next": "/shipping/"}, follow=True).content.decode()
    assert "不是待打单" in again
    client.post("/shipping/print/", {"scope": "all", "through": through})
    assert PrintBatch.objects.count() == 1 and WaybillPrint.objects.count() == 3
    assert all(p.print_count == 1 for p in packages_of(orders))
    assert WaybillNumber.objects.filter(package__isnull=False).count() == 3


@pytest.mark.django_db(transaction=True)
def test_two_tabs_printing_the_same_packages_print_each_once(world):
    """Two people press 打印全部符合条件的 on the same 30 packages at the same moment: every package gets one
    waybill number and one print; the second batch waits for the first and refuses what it already printed."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    load_carriers()
    stocked = build_stock(world)
    pool(100)
    orders = approved_many(stocked, 30)
    barrier = threading.Barrier(2)
    outcomes, errors = [], []

    def run():
        try:
            barrier.wait()
            result = printing.print_matching(world.people["warehouse"], Package.objects.filter(shop=world.shop_a))
            outcomes.append(len(result.printed))
        except DomainError as exc:
            outcomes.append(exc.code)
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    # the second one counted before or after the first committed: refused either way
    assert sorted(map(str, outcomes)) in (["30", "nothing_printed"], ["30", "nothing_picked"])
    packages = packages_of(orders)
    assert all(p.state == P.PRINTED and p.print_count == 1 for p in packages)
    assert WaybillPrint.objects.count() == 30 and PrintBatch.objects.count() == 1
    assert WaybillNumber.objects.filter(package__isnull=False).count() == 30
    assert len({p.waybill_no for p in packages}) == 30
