"""AS-2 and AS-5 under real concurrency: many people opening the same case at once make ONE (the partial unique index,
refused in Chinese for the others), and refunds agreed at once on two cases of one order never add up to more than
the order paid (the order row lock). Only PostgreSQL has the row locking this is about (SQLite serialises writers),
so the module is skipped there — .ci/run runs the suite on PostgreSQL as well."""

import pytest
from django.db import connection

from tests.concurrency import race
from zhanggui.aftersales.models import Case
from zhanggui.aftersales.services import cases

from .setup import lines_of, open_case

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="row-locking concurrency needs PostgreSQL; .ci/run runs the suite on PostgreSQL too",
)


def test_many_clicks_open_one_case_as_2(transactional_db, asw):
    results, refused = race(lambda n: open_case(asw))
    assert len(results) == 1 and refused == ["duplicate_case"] * 7
    assert Case.objects.filter(order=asw.shipped, kind="return_refund").count() == 1


def test_refunds_agreed_at_once_stay_within_what_the_order_paid_as_5(transactional_db, asw):
    """¥160 paid; two cases of the whole order each agree ¥100 at the same moment: one goes through."""
    whole = lines_of(asw.shipped)
    a = open_case(asw, kind="refund_shipped", lines=whole, requested_refund_fen=16000)
    b = open_case(asw, kind="lost_damaged", lines=whole, requested_refund_fen=16000)
    results, refused = race(lambda n: cases.move(asw.cs, (a, b)[n], "refunding", agreed_refund_fen=10000), threads=2)
    assert len(results) == 1 and refused == ["refund_over_order"]
    assert sum(Case.objects.filter(order=asw.shipped).values_list("agreed_refund_fen", flat=True).exclude(
        agreed_refund_fen=None
    )) == 10000  # fmt: skip
