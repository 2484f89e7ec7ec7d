"""Finance (财务, FIN-1..FIN-3): per-order profit, the monthly profit and loss per shop and company, fund arrival.

- `MonthClose` (FIN-2): a month of one shop closed by finance. Its figures are frozen (`figures`, as computed at
  the close); a later correction goes into the next open month with a note, never into the closed one.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

STAFF = settings.AUTH_USER_MODEL


class MonthClose(models.Model):
    """FIN-2: one closed month of one shop (first day of the month), with the figures frozen at the close."""

    shop = models.ForeignKey("shops.Shop", on_delete=models.PROTECT, related_name="+", db_index=False)
    month = models.DateField(_("month"))  # the first day of the month
    figures = models.JSONField(_("figures at the close"), default=dict)
    note = models.CharField(_("note"), max_length=200, blank=True)
    closed_by = models.ForeignKey(STAFF, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    closed_at = models.DateTimeField(_("closed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("closed month")
        ordering = ["shop_id", "-month"]
        constraints = [
            models.UniqueConstraint(fields=["shop", "month"], name="uniq_month_close"),
            models.CheckConstraint(condition=models.Q(month__day=1), name="month_close_first_day"),
        ]
        permissions = [
            ("view_ledger", "Can see the finance figures: profit, P&L, fund arrival (FIN-1..3)"),
            ("close_month", "Can close a month (FIN-2)"),
        ]

    def __str__(self) -> str:
        return f"{self.shop_id}@{self.month:%Y-%m}"


class StatementImport(models.Model):
    """FIN-3: one statement file imported for one shop (Alipay 账务明细, JD 结算单, PDD 货款明细): what it gave."""

    shop = models.ForeignKey("shops.Shop", on_delete=models.PROTECT, related_name="+")
    layout = models.CharField(_("format"), max_length=20, blank=True)
    file_name = models.CharField(_("file"), max_length=200)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    created = models.PositiveIntegerField(_("new entries"), default=0)
    duplicates = models.PositiveIntegerField(_("already imported"), default=0)
    failed = models.PositiveIntegerField(_("bad rows"), default=0)
    errors = models.JSONField(_("bad rows"), default=list)  # [[line, reason], …] (the first 200)
    created_by = models.ForeignKey(STAFF, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("imported at"), auto_now_add=True)

    class Meta:
        verbose_name = _("statement import")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.file_name


class StatementEntry(models.Model):
    """FIN-3: one line of a platform money statement, matched to its order. `entry_id` (the statement's own line
    number, or a hash of the line when the platform gives none) is unique per shop: the same file twice adds
    nothing. Money in fen with its sign: money in > 0."""

    class Kind(models.TextChoices):
        INCOME = "income", _("income")
        REFUND = "refund", _("refund")
        FEE = "fee", _("fee")
        WITHDRAWAL = "withdrawal", _("withdrawal")
        OTHER = "other", _("other")

    class Match(models.TextChoices):
        MATCHED = "matched", _("matched")
        MISMATCH = "mismatch", _("amount mismatch")
        UNMATCHED = "unmatched", _("matches nothing")
        NONE = "none", _("no order needed")

    shop = models.ForeignKey("shops.Shop", on_delete=models.PROTECT, related_name="+", db_index=False)
    run = models.ForeignKey(StatementImport, on_delete=models.CASCADE, related_name="entries", db_index=False)
    platform = models.CharField(_("platform"), max_length=16)
    entry_id = models.CharField(_("entry number"), max_length=64)
    occurred_at = models.DateTimeField(_("time"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    amount_fen = models.BigIntegerField(_("amount"))
    balance_fen = models.BigIntegerField(_("balance"), null=True, blank=True)
    counterpart = models.CharField(_("counterpart"), max_length=100, blank=True)
    order_ref = models.CharField(_("merchant order number"), max_length=64, blank=True)
    order_no = models.CharField(_("order number"), max_length=64, blank=True)
    business = models.CharField(_("business type"), max_length=40, blank=True)
    description = models.CharField(_("description"), max_length=200, blank=True)
    order = models.ForeignKey(
        "orders.Order", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    match = models.CharField(_("match"), max_length=12, choices=Match.choices, default=Match.UNMATCHED)

    class Meta:
        verbose_name = _("statement entry")
        ordering = ["-occurred_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["shop", "entry_id"], name="uniq_statement_entry")]
        indexes = [
            models.Index(fields=["shop", "match", "occurred_at"], name="stmt_entry_match"),
            models.Index(fields=["order"], name="stmt_entry_order"),
            models.Index(fields=["shop", "order_no"], name="stmt_entry_order_no"),
        ]

    def __str__(self) -> str:
        return self.entry_id


class CommissionRate(models.Model):
    """FIN-1: the platform's commission on a sale, per platform and product category (blank = the platform's
    default), in basis points (1/10,000), with where the figure comes from. Edited by finance on /finance/rates/;
    a platform without a row falls back to its facts (shops.Platform.fees: commission + payment fee)."""

    platform = models.ForeignKey("shops.Platform", on_delete=models.CASCADE, related_name="+", db_index=False)
    category = models.ForeignKey(
        "catalog.Category", null=True, blank=True, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    rate_bp = models.PositiveIntegerField(_("rate (basis points)"))
    source = models.CharField(_("source"), max_length=200)
    updated_by = models.ForeignKey(STAFF, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("commission rate")
        ordering = ["platform_id", "category_id"]
        constraints = [
            models.UniqueConstraint(fields=["platform", "category"], name="uniq_commission_rate"),
            models.UniqueConstraint(
                fields=["platform"], condition=models.Q(category__isnull=True), name="uniq_commission_default"
            ),
            models.CheckConstraint(condition=models.Q(rate_bp__lte=10000), name="commission_rate_at_most_all"),
        ]

    def __str__(self) -> str:
        return f"{self.platform_id}/{self.category_id or '*'} {self.rate_bp}bp"


class CostEntry(models.Model):
    """FIN-2: a cost of one shop in one month entered (or imported) by finance: ad spend, campaign prizes, other
    costs, and corrections to a closed month (booked in the next open month, the note naming the month)."""

    class Kind(models.TextChoices):
        AD = "ad", _("ad spend")
        PRIZE = "prize", _("campaign prizes")
        OTHER = "other", _("other costs")
        CORRECTION = "correction", _("correction to a closed month")

    shop = models.ForeignKey("shops.Shop", on_delete=models.PROTECT, related_name="+", db_index=False)
    month = models.DateField(_("month"))  # the first day of the month
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    amount_fen = models.BigIntegerField(_("amount"))  # a correction may be negative
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(STAFF, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("cost entry")
        ordering = ["shop_id", "-month", "pk"]
        indexes = [models.Index(fields=["shop", "month"], name="cost_entry_shop_month")]
        constraints = [
            models.CheckConstraint(condition=models.Q(month__day=1), name="cost_entry_first_day"),
            models.CheckConstraint(
                condition=models.Q(kind="correction") | models.Q(amount_fen__gte=0), name="cost_entry_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.shop_id}@{self.month:%Y-%m} {self.kind} {self.amount_fen}"
