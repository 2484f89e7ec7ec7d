"""Shipping and tracking (SHIP-1, SHIP-4): a package ships once — the Shipment row is one-to-one with the package,
so two people pressing 发货 at once ship it once, enforced by the database. Tracking events follow the parcel."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

STAFF = settings.AUTH_USER_MODEL


class Shipment(models.Model):
    package = models.OneToOneField("fulfilment.Package", on_delete=models.PROTECT, related_name="shipment")
    shop = models.ForeignKey("shops.Shop", on_delete=models.PROTECT, related_name="+")
    carrier = models.ForeignKey("fulfilment.Carrier", on_delete=models.PROTECT, related_name="+")
    waybill_no = models.CharField(_("waybill number"), max_length=40)
    ship_day = models.DateField(_("ship day"), db_index=True)  # Beijing date: the daily shipping record (SHIP-1)
    shipped_at = models.DateTimeField(_("shipped at"))
    shipped_by = models.ForeignKey(STAFF, null=True, on_delete=models.SET_NULL, related_name="+")
    weight_g = models.PositiveIntegerField(_("weight (g)"), null=True, blank=True)
    uploaded_at = models.DateTimeField(null=True, blank=True)  # when the platform batch-ship file included it

    class Meta:
        verbose_name = _("shipment")
        verbose_name_plural = _("shipments")
        ordering = ["-shipped_at", "-id"]
        indexes = [models.Index(fields=["shop", "ship_day"])]

    def __str__(self) -> str:
        return self.waybill_no


TRACKING_SOURCES = {"file": _("Tracking file"), "api": _("Carrier API")}


class TrackingEvent(models.Model):
    """One scan of the carrier's route (揽收, 运输中, 派送中, 已签收, 异常); imported from a file or an API.
    Unique per (package, time, status) so that re-importing the same file adds nothing (SHIP-4)."""

    class Status(models.TextChoices):
        COLLECTED = "collected", _("collected")
        IN_TRANSIT = "in_transit", _("in transit")
        DELIVERING = "delivering", _("out for delivery")
        SIGNED = "signed", pgettext_lazy("tracking", "signed for")
        PROBLEM = "problem", _("problem")

    package = models.ForeignKey("fulfilment.Package", on_delete=models.CASCADE, related_name="tracking")
    at = models.DateTimeField(_("time"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    text = models.CharField(_("description"), max_length=300, blank=True)
    location = models.CharField(_("location"), max_length=60, blank=True)
    source = models.CharField(_("source"), max_length=20, default="file")  # file | api
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["package", "at", "id"]
        constraints = [models.UniqueConstraint(fields=["package", "at", "status"], name="uniq_tracking_event")]

    def __str__(self) -> str:
        return f"{self.package_id} {self.status} {self.at:%Y-%m-%d %H:%M}"

    @property
    def source_label(self) -> str:
        """SHIP-4: how the scan reached us, as pages name it."""
        return str(TRACKING_SOURCES.get(self.source, self.source))
