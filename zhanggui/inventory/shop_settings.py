"""Settings of the stock pages (rule 6): defaults from the seeds, each with its rule ID."""

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
    min=0,
    max=10_000,
    unit=" 件",
    help=_("Stock levels with this many available or fewer show under 低库存."),
)
