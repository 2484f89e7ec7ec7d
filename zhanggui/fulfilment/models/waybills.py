"""Waybill numbers and printing (SHIP-1): carrier accounts with a number pool the user loads (ranges or files),
print batches, and a record of every print and reprint (who and why). A real waybill API (Cainiao, PDD, JD) plugs
in behind services/waybills.py later; the pool is its offline stand-in."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

STAFF = settings.AUTH_USER_MODEL
FREE = Q(package__isnull=True, voided=False)  # a pool number nobody has taken
# SHIP-1: where an account's numbers come from, as pages name it (the code stays in the data)
PROVIDERS = {
    "pool": _("Loaded number pool"),
    "cainiao": _("Cainiao e-waybill"),
    "pdd": _("Pinduoduo e-waybill"),
    "jd": _("JD e-waybill"),
}


class WaybillAccount(models.Model):
    """A carrier account with its number pool; no shop = usable by every shop."""

    carrier = models.ForeignKey("fulfilment.Carrier", on_delete=models.PROTECT, related_name="accounts")
    shop = models.ForeignKey("shops.Shop", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("account"), max_length=60)  # 申通-杭州网点-月结 0571…
    provider = models.CharField(_("provider"), max_length=20, default="pool")  # pool | cainiao | pdd | jd (later)
    sender_name = models.CharField(_("sender"), max_length=40, blank=True)
    sender_phone = models.CharField(_("sender phone"), max_length=40, blank=True)
    sender_address = models.CharField(_("sender address"), max_length=200, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("waybill account")
        verbose_name_plural = _("waybill accounts")
        ordering = ["carrier", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def provider_label(self) -> str:
        return str(PROVIDERS.get(self.provider, self.provider))


class WaybillNumber(models.Model):
    """One number of a pool. Taken once: the package link is unique, and the number is unique per carrier, so two
    batches can never take the same number (SHIP-1)."""

    account = models.ForeignKey(WaybillAccount, on_delete=models.PROTECT, related_name="numbers")
    carrier = models.ForeignKey("fulfilment.Carrier", on_delete=models.PROTECT, related_name="+")
    number = models.CharField(_("waybill number"), max_length=40)
    package = models.OneToOneField(
        "fulfilment.Package", null=True, blank=True, on_delete=models.PROTECT, related_name="waybill_number"
    )
    taken_at = models.DateTimeField(null=True, blank=True)
    voided = models.BooleanField(_("voided"), default=False)
    loaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("waybill number")
        verbose_name_plural = _("waybill numbers")
        ordering = ["account", "id"]
        constraints = [models.UniqueConstraint(fields=["carrier", "number"], name="uniq_waybill_number")]
        indexes = [models.Index(fields=["account", "id"], condition=FREE, name="waybill_free")]

    def __str__(self) -> str:
        return self.number


class PrintBatch(models.Model):
    """One press of 打印: labels (and packing slips) of packages sorted by order time (SHIP-1)."""

    batch_no = models.CharField(_("batch number"), max_length=24, unique=True)
    shop = models.ForeignKey("shops.Shop", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    label_size = models.CharField(_("label size"), max_length=10, default="76x130")  # 76x130 one-part | 100x180
    package_count = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(STAFF, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("print batch")
        verbose_name_plural = _("print batches")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.batch_no


class WaybillPrint(models.Model):
    """Every print of a label: the first and each reprint, with who and why (SHIP-1)."""

    package = models.ForeignKey("fulfilment.Package", on_delete=models.CASCADE, related_name="prints")
    batch = models.ForeignKey(PrintBatch, null=True, blank=True, on_delete=models.SET_NULL, related_name="prints")
    reprint = models.BooleanField(default=False)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    printed_by = models.ForeignKey(STAFF, null=True, on_delete=models.SET_NULL, related_name="+")
    printed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-printed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.package_id} {'reprint' if self.reprint else 'print'}"
