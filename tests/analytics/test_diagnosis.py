"""DATA-4: the shop diagnosis in words — S1's own March figures give S1's four conclusions."""

import datetime as dt

from zhanggui.analytics.models import ShopDayTraffic
from zhanggui.analytics.services.diagnosis import diagnose
from zhanggui.shops.settings_store import update_settings

# S1, 店铺3月日均流量: PV 888, UV 432, 停留 424.94 秒, 浏览回头率 11.12 %; 3.1–3.29 来源 (到达页面浏览量):
# 搜索引擎 3, 天猫站内 3,244, 直接访问 1,693, 天猫推广 7,193, 其他 148. UV "在做了直通车推广后还是在432".
MARCH = [dt.date(2026, 3, d) for d in range(1, 30)]
SOURCES = {"search": 3, "free": 3244, "direct": 1693, "paid": 7193, "other": 148}


def _spread(total: int, days: int, index: int) -> int:
    return total // days + (1 if index < total % days else 0)


def _load(shop):
    for i, day in enumerate(MARCH):
        parts = {k: _spread(v, len(MARCH), i) for k, v in SOURCES.items()}
        ShopDayTraffic.objects.create(shop=shop, day=day, pv=888, uv=432, stay_seconds=425, returning_permille=111,
                                      **parts)  # fmt: skip
    for day in (dt.date(2026, 2, 28) - dt.timedelta(days=k) for k in range(29)):  # before 直通车: same UV, no paid
        ShopDayTraffic.objects.create(shop=shop, day=day, pv=880, uv=430, free=300, direct=130)


def test_data4_s1_march_figures_give_s1_conclusions(world):
    _load(world.shop_a)
    found = diagnose(world.shop_a, MARCH[0], MARCH[-1])
    assert [f.rule for f in found] == ["low_pages_per_visit", "uv_flat_after_paid", "paid_over_half", "low_free_share"]
    depth, flat, paid, free = found
    assert "2.06 页/人" in depth.sentence and "主图" in depth.action and "视觉" in depth.action
    assert "432" in flat.sentence and "主图" in flat.action
    assert "58.57%" in paid.sentence and "关键词" in paid.action
    assert (
        "26.41%" in free.sentence
        and "26.44%" in free.sentence
        and "标题" in free.action
        and free.link == "/products/title-check/"
    )


def test_data4_thresholds_are_shop_settings(world):
    _load(world.shop_a)
    update_settings(None, world.shop_a, {"analytics.max_paid_pct": "60", "analytics.min_pages_per_visit_x10": "20"})
    rules = [f.rule for f in diagnose(world.shop_a, MARCH[0], MARCH[-1])]
    assert "paid_over_half" not in rules and "low_pages_per_visit" not in rules


def test_data4_healthy_shop_and_no_traffic_say_nothing(world):
    assert diagnose(world.shop_a, MARCH[0], MARCH[-1]) == []
    for day in MARCH:
        ShopDayTraffic.objects.create(shop=world.shop_a, day=day, pv=1500, uv=400, search=200, free=100, paid=50,
                                      direct=50)  # fmt: skip
    assert diagnose(world.shop_a, MARCH[0], MARCH[-1]) == []
