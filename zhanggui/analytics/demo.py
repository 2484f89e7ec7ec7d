"""The demo company's figures: sales facts from its orders (DATA-2), 180 days of traffic per shop consistent with
those orders (DATA-1: visitors such that orders ÷ UV is 2–5 %), and targets for this month, quarter and year
(DATA-3). The first shop's last 30 days look like S1's March (paid traffic over half, few pages per visit), so the
dashboard's diagnosis (DATA-4) has something to say. Then the weekly reports (DATA-6) of the last four weeks of every
shop, as the Monday schedule would have written them (after traffic and targets, which they report)."""

import datetime as dt
import random

from django.db.models import Sum

from zhanggui.core import clock
from zhanggui.shops.models import Shop

from .models import ShopDayFact, ShopDayTraffic, Target
from .services import facts, weekly
from .services.targets import period_bounds

DAYS = 180
DEMO_WEEKS = 4


def load_analytics() -> dict:
    """The daily facts of every shop from the orders the demo imported and worked (cells that exist keep their unit
    cost, FIN-1: a second load changes nothing), then traffic and targets (a second load rewrites the same), then
    the last weeks' reports (rewritten: one per shop and week)."""
    shop_days = facts.rebuild()
    shops = list(Shop.objects.exclude(platform_id="own").order_by("code"))  # an own shop has no platform traffic
    traffic_days = sum(_traffic(shop, index == 0) for index, shop in enumerate(shops))
    targets = sum(_targets(shop) for shop in Shop.objects.order_by("code"))
    last = weekly.last_week()
    reports = 0
    for shop in Shop.objects.filter(is_active=True).order_by("pk"):
        for back in range(DEMO_WEEKS):
            weekly.make_report(shop, last - dt.timedelta(days=7 * back))
            reports += 1
    return {"shop_days": shop_days, "traffic_days": traffic_days, "targets": targets, "weekly_reports": reports}


def _traffic(shop, like_s1: bool) -> int:
    rng = random.Random(f"traffic-{shop.code}")
    today = clock.today()
    first = today - dt.timedelta(days=DAYS - 1)
    orders = dict(ShopDayFact.objects.filter(shop=shop, day__gte=first, day__lte=today).values_list("day", "orders"))
    total_orders = sum(orders.values())
    rate = 0.035  # the whole period's conversion; each day's varies around it
    total_uv = total_orders / rate if total_orders else 20 * DAYS
    base = (total_uv - 0.8 * total_orders / rate) / DAYS
    rows = []
    for k in range(DAYS):
        day = first + dt.timedelta(days=k)
        uv = max(orders.get(day, 0), round((base + 0.8 * orders.get(day, 0) / rate) * rng.uniform(0.85, 1.15)))
        recent = (today - day).days < 30
        if like_s1 and recent:  # S1's March: paid 58 %, free 26 %, 1.8–2.1 pages per visit
            shares = {"search": 0.01, "free": 0.26, "direct": 0.14, "paid": 0.58}
            ppv = rng.uniform(1.8, 2.1)
        else:
            paid = rng.uniform(0.2, 0.4)
            shares = {"search": rng.uniform(0.2, 0.3), "free": rng.uniform(0.15, 0.25), "direct": 0.1, "paid": paid}
            ppv = rng.uniform(2.6, 3.4)
        counts = {name: round(uv * share) for name, share in shares.items()}
        counts["other"] = max(0, uv - sum(counts.values()))
        rows.append((day, {"pv": round(uv * ppv), "uv": uv, "stay_seconds": rng.randint(60, 240),
                           "returning_permille": rng.randint(80, 150), **counts}))  # fmt: skip
    existing = set(ShopDayTraffic.objects.filter(shop=shop, day__gte=first).values_list("day", flat=True))
    ShopDayTraffic.objects.filter(shop=shop, day__in=existing).delete()
    ShopDayTraffic.objects.bulk_create(
        [ShopDayTraffic(shop=shop, day=day, source="demo", **values) for day, values in rows]
    )
    return len(rows)


def _targets(shop) -> int:
    """This month's, quarter's and year's targets: a bit above the last 30 days' pace (S0: a monthly sales target)."""
    today = clock.today()
    since = today - dt.timedelta(days=29)
    sold = ShopDayFact.objects.filter(shop=shop, day__gte=since).aggregate(g=Sum("gmv_fen"), b=Sum("buyers"))
    seen = ShopDayTraffic.objects.filter(shop=shop, day__gte=since).aggregate(uv=Sum("uv"))
    month_sales = max(1_000_000, round((sold["g"] or 0) * 1.2 / 100_000) * 100_000)  # whole ¥1,000, at least ¥10,000
    month_uv = max(1000, round((seen["uv"] or 0) * 1.1))
    aov = max(5000, round((sold["g"] or 0) / (sold["b"] or 1) * 1.05))
    plan = {
        "month": {"sales": month_sales, "uv": month_uv, "conversion": 350, "aov": aov, "repeat": 1000},
        "quarter": {"sales": month_sales * 3, "uv": month_uv * 3, "conversion": 350},
        "year": {"sales": month_sales * 12, "uv": month_uv * 12},
    }
    count = 0
    for period, measures in plan.items():
        first, _last = period_bounds(period, today)
        for measure, value in measures.items():
            Target.objects.update_or_create(
                shop=shop, period=period, first_day=first, measure=measure, defaults={"value": value}
            )
            count += 1
    return count
