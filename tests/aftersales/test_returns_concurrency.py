"""INV-5 under real concurrency: the same return received from several tabs at once (or a double click, or a retried
API call) posts its stock once — the case row lock and its version let one through, the others are refused — and
the ledger still adds up (stock-verify clean). PostgreSQL only (SQLite serialises writers)."""

import pytest
from django.db import connection

from tests.concurrency import race
from zhanggui.aftersales.models import Case, ReturnLine
from zhanggui.aftersales.services import receiving
from zhanggui.inventory.models import LedgerEntry, StockLevel
from zhanggui.inventory.services.verify import verify_stock

from .returns_setup import inspect, shipped_order, waiting_case

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="row-locking concurrency needs PostgreSQL; .ci/run runs the suite on PostgreSQL too",
)


def test_a_return_received_from_many_tabs_at_once_posts_once_inv_5(transactional_db, world, stock):
    keeper = world.people["warehouse"]
    case = waiting_case(world.people["cs"], shipped_order(world, stock), waybill="ZT900000001")
    got = inspect(case, l1={"intact": 1, "damaged": 1})
    before = StockLevel.objects.get(sku=stock["M"]).on_hand
    # half the tabs carry the version they showed, half none (a retried call): one goes through either way
    results, refused = race(lambda n: receiving.receive(keeper, case, got, version=case.version if n % 2 else None))
    assert len(results) == 1 and len(refused) == 7
    assert set(refused) <= {"stale_version", "already_received"}
    assert LedgerEntry.objects.filter(document=f"case:{case.pk}").count() == 3  # M intact, M damaged, S intact
    level = StockLevel.objects.get(sku=stock["M"])
    assert (level.on_hand, level.damaged) == (before + 1, 1)
    assert ReturnLine.objects.filter(case=case).count() == 2
    assert Case.objects.get(pk=case.pk).state == "received"
    assert verify_stock().ok


def test_two_exchanges_received_at_once_each_make_one_new_order_inv_5(transactional_db, world, stock):
    cs, keeper = world.people["cs"], world.people["warehouse"]
    pair = [waiting_case(cs, shipped_order(world, stock), kind="exchange", qtys=(1, 0)) for _ in range(2)]
    results, refused = race(lambda n: receiving.receive(keeper, pair[n % 2], inspect(pair[n % 2])), threads=4)
    assert len(results) == 2 and set(refused) == {"already_received"}
    assert {c.replacement_order_id for c in Case.objects.filter(pk__in=[c.pk for c in pair])} == {
        r.replacement_order_id for r in results
    }
    assert all(r.replacement_order_id for r in results)
    assert verify_stock().ok
