"""Settings of the stock pages (rule 6): defaults from the seeds, each with its rule ID. Stock is held for the whole
company, so these are company-wide (设置 → 公司设置), read with zhanggui.core.company_settings."""

from django.utils.translation import gettext_lazy as _

from zhanggui.core.registry import register

STOCK = _("Stock")

register(
    "inventory.low_stock_threshold",
    label=_("Low stock: available at most"),
    kind="int",
    default=5,
    rule="INV-7",
    group=STOCK,
    scope="company",
    min=0,
    max=10_000,
    unit=" 件",
    help=_("Stock levels with this many available or fewer show under 低库存."),
)

# INV-6 (S3 "每月进行盘点一次，盘点日期28~31号"): the monthly stocktake window, clamped to the month's last day.
register(
    "inventory.stocktake_day_from",
    label=_("Monthly stocktake: from day"),
    kind="int",
    default=28,
    rule="INV-6",
    group=STOCK,
    scope="company",
    min=1,
    max=31,
    help=_("First day of the month's stocktake window; later than the month's last day means its last day."),
)
register(
    "inventory.stocktake_day_to",
    label=_("Monthly stocktake: until day"),
    kind="int",
    default=31,
    rule="INV-6",
    group=STOCK,
    scope="company",
    min=1,
    max=31,
    help=_("Last day of the stocktake window (31 = the month's last day, also in February and 30-day months)."),
)
