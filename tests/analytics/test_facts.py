"""DATA-2, FIN-1: the daily sales facts follow the orders — imports, payments, edits, refunds, closures — and equal
a recomputation from the orders (facts-verify); a SKU's later cost change does not rewrite past days."""

import dataclasses
import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.orders.test_imports import PAID_AT, run
from tests.orders.test_imports import po as base_po
from tests.orders.test_imports import shop as shop  # the fixture
from zhanggui.analytics.models import ShopDayFact, SkuDayFact
from zhanggui.analytics.services import facts
from zhanggui.catalog.models import Sku
from zhanggui.core import domain_events as de
from zhanggui.orders.models import Order
from zhanggui.orders.services import edits, manual, states

DAY = dt.date(2026, 11, 20)  # PAID_AT (02:00 UTC) in Beijing
LATE = dt.datetime(2026, 11, 20, 17, 30, tzinfo=dt.UTC)  # 01:30 on the 21st in Beijing


@pytest.fixture
def costed(world, shop):
    Sku.objects.filter(code__startswith="D-").update(cost_fen=5000)
    return world


def po(no, state="to_review", *, paid_fen=None, buyer_nick=None, **kw):
    """tests.orders' ParsedOrder with the paid amount and the buyer as given."""
    order = base_po(no, state, **kw)
    return dataclasses.replace(
        order,
        paid_fen=order.paid_fen if paid_fen is None else paid_fen,
        buyer_nick=order.buyer_nick if buyer_nick is None else buyer_nick,
    )


def cell(day=DAY, shop=None, **kw):
    return ShopDayFact.objects.filter(day=day, **({"shop": shop} if shop else {})).values(*facts.SHOP_FIELDS).get()


def clean():
    check = facts.verify()
    assert check.ok, [d.describe({}, {}) for d in check.differences]
    return check


def test_data2_import_counts_paid_orders_on_their_beijing_paid_day(costed, django_capture_on_commit_callbacks):
    """An order counts on its paid day in Beijing time; an unpaid one not at all; GMV is the paid amount with
    postage, discounts beside it; buyers are distinct; units × cost at the time of sale; profit = GMV − refunds
    − cost."""
    with django_capture_on_commit_callbacks(execute=True):
        run(costed, [
            po("200001", lines=(("D-黑-S", 2),), paid_fen=39800, discount_fen=500, buyer_nick="甲"),
            po("200002", line=3, buyer_nick="甲"),
            po("200003", line=4, buyer_nick="乙", paid_at=LATE),
            po("200004", "pending_payment", line=5),
        ])  # fmt: skip
    day = cell()
    assert (day["orders"], day["buyers"], day["gmv_fen"], day["discount_fen"]) == (2, 1, 59700, 500)
    assert (day["units"], day["cost_fen"], day["refund_fen"], day["profit_fen"]) == (3, 15000, 0, 44700)
    assert cell(DAY + dt.timedelta(days=1))["orders"] == 1  # 01:30 Beijing on the 21st, not the UTC 20th
    sku = SkuDayFact.objects.get(day=DAY, sku__code="D-黑-S")
    assert (sku.orders, sku.units, sku.gmv_fen, sku.unit_cost_fen, sku.cost_fen) == (2, 3, 59700, 5000, 15000)
    assert ShopDayFact.objects.count() == 2  # the unpaid order counts nowhere
    clean()


def test_data2_reimport_with_refund_and_closure_moves_the_refunds(costed, django_capture_on_commit_callbacks):
    """A partial refund stays a refund of an open order (its units stay sold); a refund-closed paid order counts as
    refunded in full and its goods leave the units and the cost; its GMV stays on its paid day."""
    with django_capture_on_commit_callbacks(execute=True):
        run(costed, [po("200011"), po("200012", line=3)])
    with django_capture_on_commit_callbacks(execute=True):
        run(costed, [
            po("200011", refund_fen=5000),
            po("200012", "closed", line=3, platform_status="交易关闭", refund_fen=19900),
        ])  # fmt: skip
    day = cell()
    assert (day["orders"], day["gmv_fen"], day["refund_fen"], day["refunded_orders"]) == (2, 39800, 24900, 2)
    assert (day["units"], day["cost_fen"], day["profit_fen"]) == (1, 5000, 39800 - 24900 - 5000)
    clean()


def test_data2_payment_of_an_unpaid_order_on_reimport(costed, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run(costed, [po("200051", "pending_payment")])
    assert not ShopDayFact.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        run(costed, [po("200051")])
    assert (cell()["orders"], cell()["gmv_fen"]) == (1, 19900)
    clean()


def test_data2_a_paid_day_that_changes_on_reimport_leaves_the_old_day(costed, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run(costed, [po("200021")])
    with django_capture_on_commit_callbacks(execute=True):
        run(costed, [po("200021", paid_at=PAID_AT + dt.timedelta(days=2))])
    assert not ShopDayFact.objects.filter(day=DAY).exists()
    assert cell(DAY + dt.timedelta(days=2))["orders"] == 1
    clean()


def test_data2_manual_order_edit_and_closure_follow(costed, django_capture_on_commit_callbacks):
    """A manual order entered paid, a quantity edit, then closed: each is in the facts at once."""
    cs = costed.people["cs"]
    with django_capture_on_commit_callbacks(execute=True):
        order = manual.create_manual_order(
            cs, costed.shop_a, receiver_name="王五", receiver_phone="13800138000",
            address="广东省广州市越秀区中山路1号", lines=[("D-黑-S", 1, 10000)],
        )  # fmt: skip
    today = facts.day_of(order.paid_at)
    assert (cell(today)["orders"], cell(today)["gmv_fen"], cell(today)["units"]) == (1, 10000, 1)
    with django_capture_on_commit_callbacks(execute=True):
        order = edits.change_quantity(cs, order, 1, 3)
    assert (cell(today)["gmv_fen"], cell(today)["units"], cell(today)["cost_fen"]) == (30000, 3, 15000)
    with django_capture_on_commit_callbacks(execute=True):
        states.close(cs, order, "买家不要了")
    assert (cell(today)["refund_fen"], cell(today)["units"], cell(today)["profit_fen"]) == (30000, 0, 0)
    clean()


def test_fin1_a_later_cost_change_does_not_rewrite_past_days(costed, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run(costed, [po("200031")])
    Sku.objects.filter(code="D-黑-S").update(cost_fen=9000)
    with django_capture_on_commit_callbacks(execute=True):
        run(costed, [po("200032", line=3), po("200033", line=4, paid_at=PAID_AT + dt.timedelta(days=1))])
    assert cell()["cost_fen"] == 2 * 5000  # the day's cost stays what it cost when it was first sold
    assert cell(DAY + dt.timedelta(days=1))["cost_fen"] == 9000  # a new day takes the cost of now
    facts.rebuild()
    assert cell()["cost_fen"] == 10000
    clean()


def test_data2_facts_verify_reports_a_difference_and_exits_1(costed, django_capture_on_commit_callbacks, capsys):
    with django_capture_on_commit_callbacks(execute=True):
        run(costed, [po("200041")])
    call_command("facts-verify")
    assert "销售统计与订单一致" in capsys.readouterr().out
    ShopDayFact.objects.filter(day=DAY).update(gmv_fen=1)
    Order.objects.filter(platform_order_no="200041").update(refund_fen=100)  # a change nobody told
    with pytest.raises(SystemExit) as exit_:
        call_command("facts-verify")
    out = capsys.readouterr()
    assert exit_.value.code == 1
    assert "甲店 2026-11-20：gmv_fen 记录 1，按订单应为 19900" in out.out
    assert "refund_fen 记录 0，按订单应为 100" in out.out and "不一致" in out.err
    call_command("facts-rebuild")
    call_command("facts-verify")


def _import_queries(world, capture, numbers, *, with_facts: bool, start: int) -> int:
    handler = facts.on_orders_imported
    subscribers = de._SUBSCRIBERS[de.OrdersImported]
    if not with_facts:
        subscribers.remove(handler)
    try:
        days = [PAID_AT + dt.timedelta(days=start // 10 + n % 3) for n in range(numbers)]  # new days each run
        orders = [  # shipped (history: no stock moves), new buyers: both runs do the same work but the facts
            po(f"3{start + n:05d}", "shipped", line=n + 2, paid_at=days[n], buyer_nick=f"b{start + n}")
            for n in range(numbers)
        ]
        with CaptureQueriesContext(connection) as queries, capture(execute=True):
            run(world, orders)
        return len(queries.captured_queries)
    finally:
        if not with_facts:
            subscribers.append(handler)


def test_data2_facts_cost_the_import_a_fixed_number_of_queries(costed, django_capture_on_commit_callbacks):
    """Keeping the facts current costs an import the same few queries whatever its size (set-based, per shop)."""
    capture = django_capture_on_commit_callbacks
    _import_queries(costed, capture, 3, with_facts=True, start=5000)  # caches warm (content types, COPY types)
    small = _import_queries(costed, capture, 3, with_facts=True, start=0)
    small -= _import_queries(costed, capture, 3, with_facts=False, start=100)
    big = _import_queries(costed, capture, 60, with_facts=True, start=1000)
    big -= _import_queries(costed, capture, 60, with_facts=False, start=2000)
    assert small == big and 0 < small <= 12  # lock, stored costs, 2 grouped queries, costs, 2 deletes, 2 inserts
