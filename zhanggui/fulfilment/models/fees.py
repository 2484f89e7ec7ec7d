"""Courier fees (SHIP-5): the carrier's bill, one line per parcel, kept beside the package for reconciliation
(billed weight and fee vs the expected fee from the rate table)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

STAFF = settings.AUTH_USER_MODEL


class CourierCharge(models.Model):
    """What the carrier billed for one parcel (re-importing a corrected bill replaces the figures)."""

    package = models.OneToOneField("fulfilment.Package", on_delete=models.CASCADE, related_name="courier_charge")
    carrier = models.ForeignKey("fulfilment.Carrier", on_delete=models.PROTECT, related_name="+")
    waybill_no = models.CharField(_("waybill number"), max_length=40)
    weight_g = models.PositiveIntegerField(_("billed weight (g)"), null=True, blank=True)
    fee_fen = models.PositiveIntegerField(_("billed courier fee"))
    source = models.CharField(_("source"), max_length=120, blank=True)  # the bill's file name
    imported_at = models.DateTimeField(auto_now=True)
    imported_by = models.ForeignKey(STAFF, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("courier charge")
        verbose_name_plural = _("courier charges")
        ordering = ["carrier", "waybill_no"]

    def __str__(self) -> str:
        return f"{self.waybill_no} {self.fee_fen}"
