"""DATA-2 property: whatever the history of a few orders — imported unpaid, paid, re-imported with other amounts,
refunds and paid days, shipped, closed by the platform or by hand, lines edited — the facts equal a recomputation
from the orders (facts-verify) after every step."""

import datetime as dt
import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.analytics.test_facts import po
from tests.orders.test_imports import PAID_AT, run
from tests.orders.test_imports import shop as shop  # the fixture
from zhanggui.analytics.services import facts
from zhanggui.catalog.models import Sku
from zhanggui.core.errors import DomainError
from zhanggui.orders.models import Order
from zhanggui.orders.services import edits, states

NUMBERS = 5
CODES = ("D-黑-S", "D-黑-M", "D-白-S")
_prefix = itertools.count(1)

imported = st.fixed_dictionaries(
    {
        "n": st.integers(0, NUMBERS - 1),
        "state": st.sampled_from(["pending_payment", "to_review", "shipped", "completed", "closed"]),
        "day": st.integers(0, 3),
        "hour": st.sampled_from([1, 15, 20]),  # 20:00 UTC is the next Beijing day
        "refund": st.sampled_from([0, 0, 1000, 19900]),
        "lines": st.lists(st.tuples(st.sampled_from(CODES), st.integers(1, 3)), min_size=1, max_size=2),
        "buyer": st.sampled_from(["", "甲", "乙"]),
    }
)
by_hand = st.fixed_dictionaries({"n": st.integers(0, NUMBERS - 1), "do": st.sampled_from(["close", "qty", "cost"])})
steps = st.lists(st.one_of(imported.map(lambda s: ("import", s)), by_hand.map(lambda s: ("hand", s))), max_size=8)


def _import(world, prefix, step, line):
    paid_at = PAID_AT.replace(hour=step["hour"]) + dt.timedelta(days=step["day"])
    order = po(
        f"{prefix}{step['n']:02d}",
        step["state"],
        line=line,
        lines=tuple(step["lines"]),
        paid_at=None if step["state"] == "pending_payment" else paid_at,
        refund_fen=step["refund"] if step["state"] != "pending_payment" else 0,
        buyer_nick=step["buyer"],
        **({"platform_status": "交易关闭"} if step["state"] == "closed" else {}),
    )
    run(world, [order])


def _by_hand(world, prefix, step):
    order = Order.objects.filter(platform_order_no=f"{prefix}{step['n']:02d}").first()
    if order is None:
        return
    cs = world.people["manager"]
    try:
        if step["do"] == "close":
            states.close(cs, order, "买家取消")
        elif step["do"] == "qty":
            edits.change_quantity(cs, order, 1, order.lines.get(line_no=1).quantity % 3 + 1)
        else:  # FIN-1: a cost change is not a sale; it must not put the facts out of step
            Sku.objects.filter(code=CODES[step["n"] % 3]).update(cost_fen=1000 * (step["n"] + 1))
    except DomainError:
        pass  # refused (e.g. closing a completed order): nothing changed


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(history=steps)
def test_data2_facts_equal_a_recomputation_after_any_history(world, shop, history, django_capture_on_commit_callbacks):
    prefix = f"9{next(_prefix):04d}"
    for line, (kind, step) in enumerate(history, start=2):
        with django_capture_on_commit_callbacks(execute=True):
            if kind == "import":
                _import(world, prefix, step, line)
            else:
                _by_hand(world, prefix, step)
        check = facts.verify([world.shop_a.pk])
        assert check.ok, [d.describe({}, {}) for d in check.differences]
