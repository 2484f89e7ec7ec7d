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
