"""FIN-3 fund arrival: importing a statement is idempotent, matches lines to orders, refunds and fees, and fills the
queues (no arrival after N days, amount mismatch, lines matching nothing)."""

import datetime as dt

import pytest

from zhanggui.core import clock
from zhanggui.finance import funds_selectors as q
from zhanggui.finance.models import StatementEntry
from zhanggui.finance.services.funds import import_statements
from zhanggui.finance.statement_sample import Line, alipay_csv
from zhanggui.orders.models import Order
from zhanggui.shops.models import ShopSettingValue

S = Order.State
NOW = clock.now()


def local(days_ago: float) -> dt.datetime:
    return clock.local(NOW - dt.timedelta(days=days_ago)).replace(tzinfo=None, microsecond=0)


def order(shop, no, paid, *, refund=0, done_days=30, state=S.COMPLETED):
    at = NOW - dt.timedelta(days=done_days)
    return Order.objects.create(
        shop=shop, platform_order_no=no, state=state, paid_fen=paid, refund_fen=refund, paid_at=at, completed_at=at
    )


@pytest.fixture
def shop(world):
    s = world.shop_a
    order(s, "4000000000000001", 12900)  # arrives exactly
    order(s, "4000000000000002", 9900, refund=2000)  # arrives minus the refund
    order(s, "4000000000000003", 5000)  # arrives short: mismatch
    order(s, "4000000000000004", 6600, done_days=28)  # never arrives
    order(s, "4000000000000005", 7700, done_days=3)  # not due yet
    return s


def statement() -> bytes:
    return alipay_csv(
        [
            Line("A0001", local(40), 50000, "转账", remark="期初"),
            Line("A0002", local(29), 12900, "在线支付", "T200P4000000000000001"),
            Line("A0003", local(29), -387, "服务费", remark="技术服务费 4000000000000001"),
            Line("A0004", local(29), 9900, "在线支付", "T200P4000000000000002"),
            Line("A0005", local(28), -2000, "交易退款", "T200P4000000000000002"),
            Line("A0006", local(28), 4000, "在线支付", "T200P4000000000000003"),
            Line("A0007", local(27), 8800, "在线支付", "T200P4999999999999999"),
            Line("A0008", local(1), -60000, "提现", remark="提现到银行卡"),
        ]
    )


def test_import_matches_orders_refunds_and_fees_and_fills_the_queues_FIN_3(shop):
    result = import_statements(None, shop, [("账务明细.csv", statement())])
    assert result.created == 8 and not result.errors
    states = dict(StatementEntry.objects.values_list("entry_id", "match"))
    assert states == {
        "A0001": "none",  # a transfer naming no order
        "A0002": "matched",
        "A0003": "matched",  # the fee found its order in the remark
        "A0004": "matched",
        "A0005": "matched",  # the refund counts against the order: 99 − 20 arrived, 99 − 20 expected
        "A0006": "mismatch",
        "A0007": "unmatched",
        "A0008": "none",
    }
    shops = [shop]
    assert [o.platform_order_no for o in q.no_arrival(shops)] == ["4000000000000004"]
    [row] = q.mismatch_rows(shops)
    assert (row.order_no, row.expected_fen, row.arrived_fen, row.difference_fen) == (
        "4000000000000003",
        5000,
        4000,
        -1000,
    )
    assert [e.entry_id for e in q.unmatched(shops)] == ["A0007"]
    assert q.counts(shops) == {"no_arrival": 1, "mismatch": 1, "unmatched": 1}


def test_the_same_file_twice_adds_nothing_FIN_3(shop):
    import_statements(None, shop, [("a.csv", statement())])
    again = import_statements(None, shop, [("a.csv", statement())])
    assert (again.created, again.duplicates) == (0, 8)
    assert StatementEntry.objects.count() == 8


def test_the_rest_arriving_later_clears_the_mismatch_FIN_3(shop):
    import_statements(None, shop, [("a.csv", statement())])
    more = alipay_csv([Line("A0100", local(2), 1000, "在线支付", "T200P4000000000000003")])
    import_statements(None, shop, [("b.csv", more)])
    assert q.counts([shop])["mismatch"] == 0
    assert set(StatementEntry.objects.filter(order_no="4000000000000003").values_list("match", flat=True)) == {
        "matched"
    }


def test_a_line_whose_order_is_imported_later_is_matched_on_the_next_import_FIN_3(shop):
    import_statements(None, shop, [("a.csv", statement())])
    order(shop, "4999999999999999", 8800)
    import_statements(None, shop, [("a.csv", statement())])
    assert StatementEntry.objects.get(entry_id="A0007").match == "matched"


def test_the_days_before_no_arrival_is_a_shop_setting_FIN_3(shop):
    import_statements(None, shop, [("a.csv", statement())])
    ShopSettingValue.objects.create(shop=shop, key="finance.arrival_days", value=1)
    assert "4000000000000005" in [o.platform_order_no for o in q.no_arrival([shop])]


def test_queues_filter_by_month_FIN_3(shop):
    import_statements(None, shop, [("a.csv", statement())])
    far = q.month_bounds("2001-01")
    assert q.counts([shop], far) == {"no_arrival": 0, "mismatch": 0, "unmatched": 0}
    assert q.month_bounds("bad") is None


def test_another_platforms_statement_is_refused_and_nothing_written_FIN_3(world):
    result = import_statements(None, world.shop_b, [("a.csv", statement())])
    assert result.created == 0 and result.errors and "不是京东店铺的账单" in result.errors[0].reason
    assert not StatementEntry.objects.exists()
