"""ORD-1 under load: many people creating manual orders at once in several shops all succeed, each under its own
company-wide number, and a double click racing itself still creates one order. Real threads with their own
connections: PostgreSQL only (SQLite serialises all writers)."""

import threading

import pytest
from django.db import connection

from zhanggui.orders.models import Order
from zhanggui.orders.services.manual import create_manual_order

from .test_states import build_stock

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="row-locking concurrency needs PostgreSQL; .ci/run runs the suite on PostgreSQL too",
)


def _race(calls):
    start = threading.Barrier(len(calls))
    results, errors = [], []

    def work(call):
        try:
            start.wait()
            results.append(call())
        except Exception as exc:  # reported by the main thread
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(c,)) for c in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, errors


def _order(world, shop, key=""):
    return lambda: create_manual_order(
        world.people["manager"],
        shop,
        receiver_name="王五",
        receiver_phone="13812345678",
        address="广东省 深圳市 南山区 科技园南路 1 号",
        lines=[("D-黑-S", 1, 9900)],
        idempotency_key=key,
    )


def test_ORD_1_concurrent_manual_orders_in_two_shops_all_get_unique_numbers(transactional_db, world):
    build_stock(world)
    calls = [_order(world, world.shop_a if n % 2 else world.shop_b) for n in range(20)]
    results, errors = _race(calls)
    assert errors == [] and len(results) == 20
    numbers = list(Order.objects.values_list("platform_order_no", flat=True))
    assert len(numbers) == 20 and len(set(numbers)) == 20


def test_ORD_1_a_double_submit_racing_itself_creates_one_order(transactional_db, world):
    build_stock(world)
    results, errors = _race([_order(world, world.shop_a, key="same") for _n in range(6)])
    assert errors == [] and len({o.pk for o in results}) == 1 and Order.objects.count() == 1
