"""FIN-3 demo: the demo company's Alipay statement matches its Taobao orders but three — one amount mismatch, one
line of an unknown order, one paid order with no arrival — and loading it twice adds nothing."""

from tests.finance.test_funds import order
from zhanggui.finance import funds_selectors as q
from zhanggui.finance.funds_demo import load_funds
from zhanggui.finance.models import StatementEntry


def test_the_demo_statement_has_exactly_three_mismatches_FIN_3(world):
    shop = world.shop_a
    for n, days in enumerate((60, 45, 40, 33, 30, 25, 20, 10, 5, 2)):
        order(shop, f"40100000000000{n:02d}", 5000 + n * 100, refund=1000 if n == 3 else 0, done_days=days)
    first = load_funds()
    assert q.counts([shop]) == {"no_arrival": 1, "mismatch": 1, "unmatched": 1}
    assert load_funds() == first and StatementEntry.objects.count() == first["statement_lines"]
