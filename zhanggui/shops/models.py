from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class Platform(models.Model):
    """A marketplace and its facts (SHOP-4): fee rates, status names, tool names, export columns — all data."""

    code = models.CharField(_("code"), max_length=16, primary_key=True)
    name = models.CharField(_("name"), max_length=32)
    position = models.PositiveSmallIntegerField(default=0)
    shop_types = models.JSONField(_("shop types"), default=list, help_text="[[code, 名称], …]")
    fees = models.JSONField(_("fee rates"), default=dict, help_text="basis points (1/10000)")
    promotion_tools = models.JSONField(_("promotion tool names"), default=dict)
    status_names = models.JSONField(_("order status names"), default=dict)
    export_columns = models.JSONField(_("export column map"), default=dict)
    opening_steps = models.JSONField(_("opening checklist template"), default=list)

    class Meta:
        verbose_name = _("platform")
        verbose_name_plural = _("platforms")
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.name

    def shop_type_name(self, code: str) -> str:
        return dict(self.shop_types).get(code, code)


shop_code_validator = RegexValidator(
    r"^[a-z0-9][a-z0-9_-]{1,31}$", _("Use 2–32 lowercase letters, digits, - or _ (e.g. tb-flagship)")
)


class Shop(models.Model):
    """A shop on one platform (SHOP-1) with its profile (SHOP-2)."""

    code = models.CharField(_("shop code"), max_length=32, unique=True, validators=[shop_code_validator])
    name = models.CharField(_("shop name"), max_length=60)
    platform = models.ForeignKey(Platform, on_delete=models.PROTECT, related_name="shops", verbose_name=_("platform"))
    shop_type = models.CharField(_("shop type"), max_length=16, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    logo = models.ImageField(_("logo"), upload_to="shop-logos/", blank=True)
    # Positioning (SHOP-2): category, style, target customers, price band.
    category = models.CharField(_("main category"), max_length=60, blank=True)
    style = models.CharField(_("style"), max_length=60, blank=True)
    target_customers = models.CharField(_("target customers"), max_length=200, blank=True)
    price_band = models.CharField(_("price band"), max_length=60, blank=True)
    announcement = models.TextField(_("announcement"), blank=True)
    buyer_notice = models.TextField(_("buyer notice"), blank=True)
    service_hours = models.CharField(_("service hours"), max_length=60, blank=True)
    reply_promise = models.CharField(_("reply-time promise"), max_length=120, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("shop")
        verbose_name_plural = _("shops")
        ordering = ["platform__position", "code"]
        permissions = [("change_shop_settings", _("Can change shop settings"))]

    def __str__(self) -> str:
        # As the shop switcher shows it (京东 · 青禾女装京东旗舰店): timelines store this label, so no platform codes.
        return f"{self.platform.name} · {self.name}"

    @property
    def shop_type_name(self) -> str:
        return self.platform.shop_type_name(self.shop_type) if self.shop_type else ""


class ShopSettingValue(models.Model):
    """A manager's value for one registered setting in one shop; absent = the documented default."""

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="setting_values")
    key = models.CharField(max_length=80)
    value = models.JSONField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["shop", "key"], name="uniq_shop_setting")]

    def __str__(self) -> str:
        return f"{self.shop.code}:{self.key}"


class OpeningChecklist(models.Model):
    """SHOP-3: the steps to open a shop on its platform, with dates and progress."""

    shop = models.OneToOneField(Shop, on_delete=models.CASCADE, related_name="opening")
    started_on = models.DateField(_("started on"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("opening checklist")

    def __str__(self) -> str:
        return f"{self.shop.name} 开店清单"


class OpeningStep(models.Model):
    checklist = models.ForeignKey(OpeningChecklist, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField()
    title = models.CharField(_("step"), max_length=120)
    due_on = models.DateField(_("due on"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    amount_fen = models.BigIntegerField(_("amount"), null=True, blank=True)
    second_amount_fen = models.BigIntegerField(_("second amount"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["checklist", "position"], name="uniq_opening_step")]

    def __str__(self) -> str:
        return self.title

    @property
    def shop(self) -> Shop:
        return self.checklist.shop
