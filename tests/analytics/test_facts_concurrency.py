"""DATA-2 under real concurrency: manual orders paid on the same Beijing day by several people at once. Each change
recomputes its day after its commit under the shop's lock, so the last recomputation sees them all: the facts equal
the orders. PostgreSQL only (SQLite serialises writers)."""

import pytest
from django.db import connection

from tests.concurrency import race
from zhanggui.analytics.models import ShopDayFact
from zhanggui.analytics.services import facts
from zhanggui.catalog.services.products import create_product
from zhanggui.inventory.services import stock
from zhanggui.inventory.services import warehouses as wh_svc
from zhanggui.orders.services import manual

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="row locking needs PostgreSQL")

THREADS = 6


def test_data2_orders_paid_at_once_all_reach_the_facts(transactional_db, world):
    keeper = world.people["warehouse"]
    main = wh_svc.create_warehouse(keeper, code="MAIN", name="主仓", is_default=True)
    sku = create_product(keeper, style_code="C", name="衬衫", colours=["白"], sizes=["M"]).skus.get()
    stock.receive_stock(keeper, sku, main, 100, document="QC-1", reason="opening")

    def work(n):
        return manual.create_manual_order(
            world.people["cs"], world.shop_a, receiver_name="王五", receiver_phone="13800138000",
            address="广东省广州市越秀区中山路1号", lines=[(sku.code, 1, 1000 + n)], buyer_nick=f"b{n}",
        )  # fmt: skip

    results, refused = race(work, THREADS)
    assert len(results) == THREADS and not refused
    check = facts.verify([world.shop_a.pk])
    assert check.ok, [d.describe({}, {}) for d in check.differences]
    day = ShopDayFact.objects.get(shop=world.shop_a)
    assert (day.orders, day.buyers, day.gmv_fen) == (THREADS, THREADS, sum(1000 + n for n in range(THREADS)))
