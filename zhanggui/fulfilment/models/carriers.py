"""Carriers and what they cost (SHIP-3, SHIP-5): each carrier's codes per platform, the areas it does not reach,
and its freight rate table by province (first weight + additional weight). Seeded from data/carriers.json."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

# SHIP-1: the electronic-waybill services, as pages name them (the code stays in the data and the API)
WAYBILL_SERVICES = {
    "cainiao": _("Cainiao e-waybill"),
    "pdd": _("Pinduoduo e-waybill"),
    "jd": _("JD e-waybill"),
    "sf": _("SF e-waybill"),
    "pool": _("Loaded number pool"),
}


class Carrier(models.Model):
    code = models.CharField(_("code"), max_length=20, unique=True)  # our code: STO, EMS, YTO, SF, ZTO, YUNDA, JD …
    name = models.CharField(_("name"), max_length=40)  # 申通快递
    short_name = models.CharField(_("short name"), max_length=10, blank=True)  # 申通 (remarks, labels)
    # What each platform's batch-ship upload and API expect: {"taobao": {"code": "STO", "name": "申通快递"}, …}
    platform_codes = models.JSONField(_("platform codes"), default=dict, blank=True)
    # The electronic-waybill service a real API plugs into later (cainiao / pdd / jd / own pool).
    waybill_service = models.CharField(_("waybill service"), max_length=20, blank=True)
    tracking_pattern = models.CharField(max_length=80, blank=True)  # a regex a waybill number of this carrier matches
    active = models.BooleanField(_("active"), default=True)
    sort = models.PositiveSmallIntegerField(default=100)

    class Meta:
        verbose_name = _("carrier")
        verbose_name_plural = _("carriers")
        ordering = ["sort", "code"]

    def __str__(self) -> str:
        return self.short_name or self.name

    @property
    def waybill_service_label(self) -> str:
        return str(WAYBILL_SERVICES.get(self.waybill_service, self.waybill_service))


class CarrierArea(models.Model):
    """An area a carrier does not reach (SHIP-3): a division code prefix (2 digits = province, 4 = city, 6 =
    district). An address inside it is switched to the fallback carrier (default EMS) with a remark."""

    carrier = models.ForeignKey(Carrier, on_delete=models.CASCADE, related_name="unreachable")
    adcode = models.CharField(_("division code"), max_length=6)
    name = models.CharField(_("area"), max_length=60, blank=True)  # 西藏自治区 / 阿里地区 — for people
    note = models.CharField(_("note"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("unreachable area")
        verbose_name_plural = _("unreachable areas")
        ordering = ["carrier", "adcode"]
        constraints = [models.UniqueConstraint(fields=["carrier", "adcode"], name="uniq_carrier_area")]

    def __str__(self) -> str:
        return f"{self.carrier} ✗ {self.name or self.adcode}"


class FreightRate(models.Model):
    """What the courier charges us to one province (SHIP-5): first weight + each additional step.
    An empty province code is the carrier's rate for every province without its own row."""

    carrier = models.ForeignKey(Carrier, on_delete=models.CASCADE, related_name="rates")
    province_code = models.CharField(_("province code"), max_length=2, blank=True)
    first_weight_g = models.PositiveIntegerField(_("first weight (g)"), default=1000)
    first_fen = models.PositiveIntegerField(_("first weight price"))
    step_g = models.PositiveIntegerField(_("additional weight step (g)"), default=1000)
    step_fen = models.PositiveIntegerField(_("price per additional step"))

    class Meta:
        verbose_name = _("freight rate")
        verbose_name_plural = _("freight rates")
        ordering = ["carrier", "province_code"]
        constraints = [
            models.UniqueConstraint(fields=["carrier", "province_code"], name="uniq_freight_rate"),
            models.CheckConstraint(
                condition=Q(first_weight_g__gte=1) & Q(step_g__gte=1), name="freight_steps_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.carrier} {self.province_code or '*'}"
