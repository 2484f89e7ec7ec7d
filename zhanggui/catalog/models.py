"""Products (SPU), SKUs, combinations, listings per shop, images, title words (PROD-1..11).

Products and SKUs belong to the company; listings belong to a shop. Money is integer fen.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Category(models.Model):
    name = models.CharField(_("category"), max_length=60)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["parent", "name"], name="uniq_category_name")]

    def __str__(self) -> str:
        return self.name


class Product(models.Model):
    """An SPU with its 货号 (style code)."""

    class Role(models.TextChoices):  # PROD-7
        NONE = "", _("not set")
        TRAFFIC = "traffic", _("traffic driver")
        PROFIT = "profit", _("profit item")
        PROMOTION = "promotion", _("promotion item")

    class Stage(models.TextChoices):  # PROD-8
        INCUBATION = "incubation", _("incubation")
        GROWTH = "growth", _("growth")
        MATURITY = "maturity", _("maturity")

    class Sourcing(models.TextChoices):  # PROD-10
        OWN_STOCK = "own", _("own stock")
        DROPSHIP = "dropship", _("dropship")

    style_code = models.CharField(_("style code"), max_length=40, unique=True)
    name = models.CharField(_("product name"), max_length=120)
    name_initials = models.CharField(max_length=120, blank=True, db_index=True)  # pinyin initials for search
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.PROTECT, related_name="products", verbose_name=_("category")
    )
    brand = models.CharField(_("brand"), max_length=60, blank=True)
    attributes = models.JSONField(_("attributes"), default=dict, blank=True)
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, blank=True, default="")
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices, default=Stage.INCUBATION)
    sourcing = models.CharField(_("sourcing"), max_length=16, choices=Sourcing.choices, default=Sourcing.OWN_STOCK)
    supplier_name = models.CharField(_("supplier"), max_length=100, blank=True)
    first_order_sets = models.PositiveIntegerField(_("first order (sets)"), null=True, blank=True)
    # Pricing flags (PROD-9); prices themselves live on SKUs and listings.
    weekly_promotion = models.BooleanField(_("weekly promotion item"), default=False)
    monthly_flash_sale = models.BooleanField(_("monthly flash sale"), default=False)
    # Image and detail-page checklist (PROD-4, PROD-5).
    arrived_on = models.DateField(_("goods arrived on"), null=True, blank=True)
    photographed_on = models.DateField(_("photographed on"), null=True, blank=True)
    first_listed_on = models.DateField(_("first listed on"), null=True, blank=True)
    has_size_chart = models.BooleanField(_("measured size chart"), default=False)
    detail_intro = models.BooleanField(_("detail: introduction"), default=False)
    detail_spec = models.BooleanField(_("detail: specification"), default=False)
    detail_angles = models.BooleanField(_("detail: multi-angle images"), default=False)
    detail_aftersales = models.BooleanField(_("detail: after-sales promise"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["-created_at", "-id"]
        permissions = [("override_price_floor", _("Can set a price below the floor"))]

    def __str__(self) -> str:
        return f"{self.style_code} {self.name}"


class Sku(models.Model):
    """A sellable unit: one colour × size of a product, or a combination (组合装) of other SKUs."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="skus", verbose_name=_("product"))
    code = models.CharField(_("merchant code"), max_length=64, unique=True)  # 商家编码
    barcode = models.CharField(_("barcode"), max_length=32, null=True, blank=True, unique=True)
    colour = models.CharField(_("colour"), max_length=30, blank=True)
    size = models.CharField(_("size"), max_length=30, blank=True)
    weight_g = models.PositiveIntegerField(_("weight (g)"), default=0)
    cost_fen = models.BigIntegerField(_("cost price"), default=0)
    list_price_fen = models.BigIntegerField(_("list price"), default=0)
    vip_price_fen = models.BigIntegerField(_("VIP price"), null=True, blank=True)
    is_combo = models.BooleanField(_("combination"), default=False)
    sold_out = models.BooleanField(_("sold out"), default=False)  # marked on the images (PROD-4)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("SKU")
        verbose_name_plural = _("SKUs")
        ordering = ["product_id", "colour", "size", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(cost_fen__gte=0) & Q(list_price_fen__gte=0), name="sku_prices_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.code


class ComboItem(models.Model):
    """One part of a combination SKU (组合装): `quantity` of `component`."""

    combo = models.ForeignKey(Sku, on_delete=models.CASCADE, related_name="combo_items")
    component = models.ForeignKey(Sku, on_delete=models.PROTECT, related_name="used_in_combos")
    quantity = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["combo", "component"], name="uniq_combo_component"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="combo_quantity_positive"),
            models.CheckConstraint(condition=~Q(combo=models.F("component")), name="combo_not_itself"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.component_id}"


class GroupPriceTier(models.Model):
    """Tiered group-buy price (PROD-9): from `min_qty` pieces (up to `max_qty`, open-ended when empty)."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="group_tiers")
    min_qty = models.PositiveIntegerField()
    max_qty = models.PositiveIntegerField(null=True, blank=True)
    price_fen = models.BigIntegerField()

    class Meta:
        ordering = ["min_qty"]
        constraints = [models.UniqueConstraint(fields=["product", "min_qty"], name="uniq_group_tier")]

    def __str__(self) -> str:
        return f"{self.min_qty}–{self.max_qty or ''}: {self.price_fen}"


class Listing(models.Model):
    """A product on sale in one shop, with its own title, price, status and platform id (PROD-1, PROD-2)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        LISTED = "listed", _("listed")
        DELISTED = "delisted", _("delisted")
        TO_DELIST = "to_delist", _("to delist (sold out)")

    shop = models.ForeignKey("shops.Shop", on_delete=models.CASCADE, related_name="listings", verbose_name=_("shop"))
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="listings", verbose_name=_("product"))
    title = models.CharField(_("title"), max_length=120)
    price_fen = models.BigIntegerField(_("price"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    platform_item_id = models.CharField(_("platform item id"), max_length=64, blank=True)
    is_hero = models.BooleanField(_("hero item"), default=False)  # PROD-7: 3–5 per shop
    in_showcase = models.BooleanField(_("showcase slot"), default=False)  # PROD-11
    recommended = models.BooleanField(_("shop recommended"), default=False)  # PROD-11: up to 6
    price_event = models.CharField(_("named event"), max_length=40, blank=True)  # e.g. 双11: below-floor allowed
    listed_at = models.DateTimeField(_("listed at"), null=True, blank=True)
    delisted_at = models.DateTimeField(_("delisted at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("listing")
        verbose_name_plural = _("listings")
        ordering = ["shop_id", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["shop", "product"], name="uniq_listing_per_shop"),
            models.UniqueConstraint(
                fields=["shop", "platform_item_id"], condition=~Q(platform_item_id=""), name="uniq_platform_item"
            ),
        ]
        indexes = [models.Index(fields=["shop", "status"])]

    def __str__(self) -> str:
        return self.title


class ListingSku(models.Model):
    """A platform SKU of a listing mapped to one system SKU (which may be a combination)."""

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="skus")
    sku = models.ForeignKey(Sku, on_delete=models.PROTECT, related_name="listing_skus")
    platform_sku_id = models.CharField(_("platform SKU id"), max_length=64, blank=True)
    price_fen = models.BigIntegerField(_("price"), null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["listing", "sku"], name="uniq_listing_sku")]

    def __str__(self) -> str:
        return f"{self.listing_id}:{self.sku_id}"


class ListingSchedule(models.Model):
    """A list or delist planned for a moment (PROD-2); run by a periodic job."""

    class Action(models.TextChoices):
        LIST = "list", _("list")
        DELIST = "delist", _("delist")

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="schedules")
    action = models.CharField(max_length=8, choices=Action.choices)
    run_at = models.DateTimeField(db_index=True)
    done_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["run_at"]

    def __str__(self) -> str:
        return f"{self.action} {self.run_at:%Y-%m-%d %H:%M}"

    @property
    def shop(self):
        return self.listing.shop


class ProductImage(models.Model):
    """An uploaded image: the original is kept; `file` is the processed one (PROD-4)."""

    class Kind(models.TextChoices):
        MAIN = "main", _("main image")
        DETAIL = "detail", _("detail image")
        SIZE_CHART = "size_chart", _("size chart")
        ANGLE = "angle", _("multi-angle")

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="images")
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.DETAIL)
    seq = models.PositiveIntegerField()
    original = models.FileField(upload_to="catalog/originals/")
    file = models.FileField(upload_to="catalog/images/")
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    annotated = models.BooleanField(_("selling points annotated"), default=False)
    variant = models.CharField(_("colour or size shown"), max_length=30, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["product_id", "seq"]
        constraints = [models.UniqueConstraint(fields=["product", "seq"], name="uniq_image_seq")]

    def __str__(self) -> str:
        return self.file.name


class TitleWord(models.Model):
    """Editable word lists for the title check (PROD-3): marketing and modifier words."""

    class Kind(models.TextChoices):
        MARKETING = "marketing", _("marketing word")
        MODIFIER = "modifier", _("modifier word")

    kind = models.CharField(max_length=16, choices=Kind.choices)
    word = models.CharField(max_length=20)

    class Meta:
        ordering = ["kind", "word"]
        constraints = [models.UniqueConstraint(fields=["kind", "word"], name="uniq_title_word")]

    def __str__(self) -> str:
        return self.word


class ListingTitleCheck(models.Model):
    """The title check of a listing as last computed (PROD-3), with what it was computed from: the title, the word
    lists (their fingerprint), the shop's limits and the time (against the product's updated_at). The 标题问题 page
    filters, counts and pages these rows in the database; a row whose inputs changed is computed again first
    (services/title_checks.py)."""

    listing = models.OneToOneField(Listing, primary_key=True, on_delete=models.CASCADE, related_name="title_check")
    title = models.CharField(max_length=120)
    words_key = models.CharField(max_length=40)
    max_chars = models.PositiveIntegerField()
    max_bytes = models.PositiveIntegerField()
    checked_at = models.DateTimeField()
    ok = models.BooleanField()
    too_long = models.BooleanField(default=False)  # over the characters or the bytes
    missing = models.BooleanField(default=False)  # one of the five parts missing
    repeats = models.BooleanField(default=False)  # a word repeated
    chars = models.PositiveIntegerField(default=0)
    bytes = models.PositiveIntegerField(default=0)
    reasons = models.JSONField(default=list)

    class Meta:
        indexes = [models.Index(fields=["ok"], name="title_check_ok")]

    def __str__(self) -> str:
        return f"{self.listing_id}: {'ok' if self.ok else '; '.join(self.reasons)}"
