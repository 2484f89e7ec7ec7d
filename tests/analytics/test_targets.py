"""DATA-3: targets per shop per year, quarter and month (S0: a monthly sales target), progress, pace needed for the
rest of the period, behind pace; absurd values refused in Chinese naming the field."""

import datetime as dt

import pytest

from zhanggui.analytics.models import ShopDayFact, ShopDayTraffic, Target
from zhanggui.analytics.services import targets
from zhanggui.core.errors import DomainError

TODAY = dt.date(2026, 3, 10)  # day 10 of 31


def test_data3_period_bounds():
    assert targets.period_bounds("month", TODAY) == (dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    assert targets.period_bounds("quarter", dt.date(2026, 12, 5)) == (dt.date(2026, 10, 1), dt.date(2026, 12, 31))
    assert targets.period_bounds("year", TODAY) == (dt.date(2026, 1, 1), dt.date(2026, 12, 31))


@pytest.mark.parametrize(
    ("measure", "value", "words"),
    [("sales", "-5", "销售额目标"), ("uv", "-5", "访客数目标"), ("conversion", "120", "转化率目标"),
     ("aov", "abc", "客单价目标"), ("repeat", "0", "复购率目标"), ("sales", "1e30", "销售额目标")],
)  # fmt: skip
def test_data3_absurd_targets_refused_naming_the_field(world, measure, value, words):
    with pytest.raises(DomainError) as refused:
        targets.set_target(None, world.shop_a, "month", TODAY, measure, value)
    assert words in refused.value.message and refused.value.field == measure
    assert not Target.objects.exists()


def test_data3_monthly_sales_target_progress_and_pace(world):
    targets.set_target(None, world.shop_a, "month", TODAY, "sales", "31,000")  # S0: a monthly sales target
    targets.set_target(None, world.shop_a, "month", TODAY, "conversion", "3%")
    targets.set_target(None, world.shop_a, "year", TODAY, "uv", "100000")
    for d in range(1, 11):
        day = dt.date(2026, 3, d)
        ShopDayFact.objects.create(shop=world.shop_a, day=day, orders=4, buyers=4, gmv_fen=80000)
        ShopDayTraffic.objects.create(shop=world.shop_a, day=day, pv=300, uv=100)
    rows = {(p.period, p.measure): p for p in targets.progress([world.shop_a.pk], TODAY)}
    sales = rows[("month", "sales")]
    assert (sales.target, sales.actual, sales.expected) == (3_100_000, 800_000, 1_000_000)
    assert sales.behind and sales.needed_per_day == (3_100_000 - 800_000) // 21
    conversion = rows[("month", "conversion")]
    assert (conversion.target, conversion.actual, conversion.behind) == (300, 400, False)
    uv = rows[("year", "uv")]
    assert uv.actual == 1000 and uv.behind  # 1,000 by day 69 of 365 against 100,000


def test_data3_set_again_replaces_and_blank_removes(world):
    targets.set_target(None, world.shop_a, "quarter", TODAY, "aov", "199")
    targets.set_target(None, world.shop_a, "quarter", TODAY, "aov", "250.5")
    assert Target.objects.get().value == 25050 and Target.objects.get().first_day == dt.date(2026, 1, 1)
    targets.set_target(None, world.shop_a, "quarter", TODAY, "aov", "")
    assert not Target.objects.exists()
