# ruff: noqa: F811
# (test functions take the imported `po` fixture as a parameter)
"""PUR-2 under real concurrency: people editing one purchase order at the same moment. The row lock (`lock`) plus
the version check let exactly one of several saves based on the same version through, and parallel payments can
never add up to more than is due. Only PostgreSQL has the row locking this is about (SQLite serialises writers),
so the module is skipped there — .ci/run runs the suite on PostgreSQL as well."""

import pytest
from django.db import connection
from django.db.models import Sum

from tests.concurrency import race
from zhanggui.purchasing.models import Payment
from zhanggui.purchasing.services import order_edits, payments

from .orders_setup import (
    fresh,
    new_order,
    ordered,
    po,  # noqa: F401 (the fixture)
)

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="row-locking concurrency needs PostgreSQL; .ci/run runs the suite on PostgreSQL too",
)

THREADS = 8


def test_same_version_saved_by_many_at_once_only_one_wins_PUR_2(transactional_db, po):
    order = new_order(po)
    line = order.lines.get(sku=po.skus["D-黑-S"])
    version = order.version
    results, refused = race(
        lambda n: order_edits.edit_lines(po.buyer, order.pk, changes={line.pk: (20 + n, 3500)}, version=version)
    )
    assert len(results) == 1 and refused == ["stale_version"] * (THREADS - 1)
    now = fresh(order)
    assert now.version == version + 1
    assert now.lines.get(pk=line.pk).quantity == results[0].lines.get(pk=line.pk).quantity


def test_parallel_payments_never_exceed_what_is_due_PUR_2_PUR_3(transactional_db, po):
    order = ordered(po)  # ¥550 due; eight people pay ¥200 at once: two go through, never three
    results, refused = race(lambda n: payments.add_payment(po.buyer, order.pk, amount_fen=20000))
    assert len(results) == 2 and refused == ["overpaid"] * (THREADS - 2)
    assert Payment.objects.filter(order=order).aggregate(s=Sum("amount_fen"))["s"] == 40000
