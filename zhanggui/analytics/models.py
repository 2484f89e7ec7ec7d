"""Daily sales facts (DATA-2, FIN-1): one row per shop and Beijing day, one per shop, day and SKU.

Kept current by services/facts.py from the orders (domain events), exact against them (`zhanggui facts-verify`).
The definitions (which day an order counts on, what GMV is) are in services/facts.py. Money in fen.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ShopDayFact(models.Model):
    """The paid orders of one shop on one Beijing day (the day of payment)."""

    shop = models.ForeignKey("shops.Shop", on_delete=models.CASCADE, related_name="+", db_index=False)
    day = models.DateField(_("day"))
    orders = models.PositiveIntegerField(_("orders"), default=0)
    buyers = models.PositiveIntegerField(_("buyers"), default=0)  # distinct buyers of the day
    gmv_fen = models.BigIntegerField(_("GMV"), default=0)  # paid amount, not net of refunds (生意参谋 支付金额)
    discount_fen = models.BigIntegerField(_("discounts"), default=0)
    refund_fen = models.BigIntegerField(_("refunds"), default=0)
    refunded_orders = models.PositiveIntegerField(_("refunded orders"), default=0)
    units = models.BigIntegerField(_("units"), default=0)  # units of the orders not closed
    uncosted_units = models.BigIntegerField(_("units without cost"), default=0)  # no SKU, or a SKU without cost
    cost_fen = models.BigIntegerField(_("cost of goods"), default=0)
    profit_fen = models.BigIntegerField(_("gross profit"), default=0)  # gmv − refunds − cost

    class Meta:
        verbose_name = _("daily shop sales")
        constraints = [models.UniqueConstraint(fields=["shop", "day"], name="uniq_shop_day_fact")]
        permissions = [("view_report", "Can see the sales figures (DATA-2)")]

    def __str__(self) -> str:
        return f"{self.shop_id}@{self.day}"


class SkuDayFact(models.Model):
    """The lines of one SKU in the paid orders of one shop on one Beijing day. `unit_cost_fen` is the SKU's cost
    when the cell was first written (FIN-1: the cost at the time of sale; a later cost change does not rewrite it)."""

    shop = models.ForeignKey("shops.Shop", on_delete=models.CASCADE, related_name="+", db_index=False)
    day = models.DateField(_("day"))
    sku = models.ForeignKey(
        "catalog.Sku", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+", db_index=False
    )
    orders = models.PositiveIntegerField(_("orders"), default=0)
    units = models.BigIntegerField(_("units"), default=0)
    gmv_fen = models.BigIntegerField(_("GMV"), default=0)
    refund_fen = models.BigIntegerField(_("refunds"), default=0)
    unit_cost_fen = models.BigIntegerField(_("unit cost"), default=0)
    cost_fen = models.BigIntegerField(_("cost of goods"), default=0)
    profit_fen = models.BigIntegerField(_("gross profit"), default=0)

    class Meta:
        verbose_name = _("daily SKU sales")
        constraints = [models.UniqueConstraint(fields=["shop", "day", "sku"], name="uniq_shop_day_sku_fact")]
        indexes = [models.Index(fields=["sku", "day"], name="sku_day_fact_sku")]

    def __str__(self) -> str:
        return f"{self.shop_id}@{self.day}#{self.sku_id}"


class WeeklyReport(models.Model):
    """DATA-6: one shop's report of one week (Monday to Sunday, Beijing), written by services/weekly.py every Monday
    morning (and on demand); `figures` holds what the page, the PDF and the XLSX show, frozen as it was computed."""

    shop = models.ForeignKey("shops.Shop", on_delete=models.CASCADE, related_name="+", db_index=False)
    week_start = models.DateField(_("week starting"))  # a Monday
    figures = models.JSONField(default=dict)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("weekly report")
        ordering = ["-week_start", "shop_id"]
        constraints = [models.UniqueConstraint(fields=["shop", "week_start"], name="uniq_weekly_report")]
        permissions = [("view_product_analysis", "Can see the product analysis (DATA-5)")]

    def __str__(self) -> str:
        return f"{self.shop_id}@{self.week_start}"


class ShopDayTraffic(models.Model):
    """DATA-1: the traffic of one shop on one day, as the platform's daily export (or a manual entry) gives it.
    Visitors by source are counts of visitors (UV); a share is the count ÷ the sum of the sources."""

    SOURCES = ("search", "free", "direct", "paid", "other")

    shop = models.ForeignKey("shops.Shop", on_delete=models.CASCADE, related_name="+", db_index=False)
    day = models.DateField(_("day"))
    pv = models.PositiveIntegerField(_("page views (PV)"), default=0)
    uv = models.PositiveIntegerField(_("visitors (UV)"), default=0)
    stay_seconds = models.PositiveIntegerField(_("average stay (seconds)"), default=0)
    returning_permille = models.PositiveIntegerField(_("returning-visitor rate (‰)"), default=0)
    search = models.PositiveIntegerField(_("from search"), default=0)
    free = models.PositiveIntegerField(_("in-platform free"), default=0)
    direct = models.PositiveIntegerField(_("direct visits"), default=0)
    paid = models.PositiveIntegerField(_("paid traffic"), default=0)
    other = models.PositiveIntegerField(_("other sources"), default=0)
    source = models.CharField(_("recorded from"), max_length=20, default="manual")  # import layout or "manual"
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("daily shop traffic")
        constraints = [models.UniqueConstraint(fields=["shop", "day"], name="uniq_shop_day_traffic")]

    def __str__(self) -> str:
        return f"{self.shop_id}@{self.day}"

    @property
    def pages_per_visit(self) -> float | None:
        return self.pv / self.uv if self.uv else None


class Target(models.Model):
    """DATA-3: one shop's target for one period (a year, a quarter or a month) and one measure. Money in fen,
    conversion and repeat rate in basis points (1 % = 100)."""

    class Period(models.TextChoices):
        YEAR = "year", _("year")
        QUARTER = "quarter", _("quarter")
        MONTH = "month", _("month")

    class Measure(models.TextChoices):
        SALES = "sales", _("sales (GMV)")
        UV = "uv", _("visitors (UV)")
        CONVERSION = "conversion", _("conversion")
        AOV = "aov", _("average order value")
        REPEAT = "repeat", _("repeat-purchase rate")

    shop = models.ForeignKey("shops.Shop", on_delete=models.CASCADE, related_name="+", db_index=False)
    period = models.CharField(_("period"), max_length=8, choices=Period.choices)
    first_day = models.DateField(_("first day"))
    measure = models.CharField(_("measure"), max_length=12, choices=Measure.choices)
    value = models.BigIntegerField(_("target"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("target")
        constraints = [
            models.UniqueConstraint(fields=["shop", "period", "first_day", "measure"], name="uniq_shop_target")
        ]
        permissions = [("set_target", "Can set the shop targets (DATA-3)")]

    def __str__(self) -> str:
        return f"{self.shop_id}:{self.period}:{self.first_day}:{self.measure}"
