"""settings_read: get_settings(shop) — every registered setting of a shop — for 200 shops × 50 reads.

Baseline: the single query get_settings is built on, ShopSettingValue.objects.filter(shop=…).values_list().
The 195 extra shops (each with 0–6 stored values) are deleted afterwards.
"""

import random

from zhanggui.core.registry import all_definitions
from zhanggui.shops.models import Shop, ShopSettingValue
from zhanggui.shops.settings_store import get_settings

from . import data, harness
from .registry import Result

SHOPS = 200
READS = 50
PREFIX = "bench-"


def make_shops(company, rng: random.Random) -> list:
    platforms = [s.platform for s in company.shops]
    Shop.objects.bulk_create(
        [
            Shop(code=f"{PREFIX}{n:03d}", name=f"压测店铺 {n:03d}", platform=platforms[n % len(platforms)])
            for n in range(SHOPS - len(company.shops))
        ]
    )
    extra = list(Shop.objects.filter(code__startswith=PREFIX).select_related("platform"))
    definitions = all_definitions()
    values = []
    for shop in extra:
        for definition in rng.sample(definitions, rng.randint(0, min(6, len(definitions)))):
            values.append(ShopSettingValue(shop=shop, key=definition.key, value=definition.default))
    ShopSettingValue.objects.bulk_create(values)
    return company.shops + extra


def run() -> Result:
    company = data.company()
    rng = random.Random(200)
    shops = make_shops(company, rng)
    order = [shop for _ in range(READS) for shop in shops]
    try:
        shop_a, shop_b = iter(order), iter(order)
        samples, baseline = harness.interleaved_ms(
            lambda: get_settings(next(shop_a)),
            lambda: list(ShopSettingValue.objects.filter(shop=next(shop_b)).values_list("key", "value")),
            len(order) - 20,
            warmup=20,
        )
        stored = ShopSettingValue.objects.count()
    finally:
        Shop.objects.filter(code__startswith=PREFIX).delete()

    p50, p99 = harness.p50_p99(samples)
    b50, b99 = harness.p50_p99(baseline)
    return Result(
        name="settings_read",
        value=p50,
        unit="ms/call (p50)",
        p99=p99,
        size=f"{SHOPS} shops × {READS} reads, {len(all_definitions())} registered settings, {stored} stored values",
        baseline="one values_list() query",
        baseline_value=b50,
        baseline_p99=b99,
    )
