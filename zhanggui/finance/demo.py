"""The demo company's finance figures (FIN-1, FIN-2): commission rates with their source, a packaging cost per
shop, ad spend, campaign prizes and other costs for the last three months, and the month before last closed."""

import datetime as dt

from zhanggui.core import clock
from zhanggui.shops.models import Shop
from zhanggui.shops.settings_store import update_settings

from .models import CommissionRate, CostEntry, MonthClose
from .services import pnl

RATES = [  # platform, rate in basis points, source
    ("tmall", 560, "天猫 2026 年度软件服务费率表：服饰类 5%，另支付宝服务费 0.6%"),
    ("taobao", 60, "淘宝集市无佣金，仅支付宝技术服务费 0.6%"),
    ("jd", 800, "京东 POP 2026 资费标准：服饰内衣 8%"),
    ("pdd", 60, "拼多多 0 佣金，仅支付服务费 0.6%"),
]
PACKAGING_FEN = {"tm": 120, "tb": 80, "jd": 100, "pdd": 60}
MONTHLY = [("ad", 250000, "直通车 / 京东快车"), ("prize", 30000, "活动奖品"), ("other", 80000, "客服外包")]


def load_finance(manager) -> dict:
    for platform, bp, source in RATES:
        CommissionRate.objects.update_or_create(
            platform_id=platform, category=None, defaults={"rate_bp": bp, "source": source, "updated_by": manager}
        )
    shops = list(Shop.objects.select_related("platform").order_by("pk"))
    this_month = clock.today().replace(day=1)
    months = []
    month = this_month
    for _i in range(3):
        month = (month - dt.timedelta(days=1)).replace(day=1)
        months.append(month)
    for n, shop in enumerate(shops):
        prefix = shop.code.split("-")[0]
        if prefix in PACKAGING_FEN:
            update_settings(manager, shop, {"finance.packaging_fen": f"{PACKAGING_FEN[prefix] / 100:.2f}"})
        for m, month in enumerate(months):
            for kind, amount, note in MONTHLY:
                if not CostEntry.objects.filter(shop=shop, month=month, kind=kind).exists():
                    CostEntry.objects.create(
                        shop=shop, month=month, kind=kind, amount_fen=amount * (n + 1) // (m + 1), note=note,
                        created_by=manager,
                    )  # fmt: skip
    closed = 0
    for shop in shops:  # the month before last closed by finance
        if not MonthClose.objects.filter(shop=shop, month=months[1]).exists():
            pnl.close_month(manager, shop, months[1], note="演示：已结账")
            closed += 1
    return {"closed_months": closed}
