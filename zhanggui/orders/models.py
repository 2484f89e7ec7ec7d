"""Orders from every shop (ORD-1..9): one row per platform order, its lines, and the import runs that brought them.

An order is unique per (shop, platform order number): re-importing updates it, never duplicates it (ORD-1), even
when two imports run at once. Money is integer fen, times are UTC (Beijing time only at the edges). Receiver data
is personal data (TEAM-5): pages, API and exports mask it for roles without crm.view_buyer_pii.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

STAFF = settings.AUTH_USER_MODEL

# ORD-4/ORD-5: the payment methods we store as codes (manual orders, API); an export's own text (在线支付) is kept as
# it came. Pages show the label, never the code.
PAYMENT_METHODS = {
    "alipay": _("Alipay"),
    "wechat": _("WeChat Pay"),
    "bank": pgettext_lazy("payment method", "Bank transfer"),
    "cash": _("Cash"),
    "cod": _("Cash on delivery"),
}


class Order(models.Model):
    class State(models.TextChoices):  # the one transition table is in services/states.py
        # "order state" context: purchase orders and the ledger use some of the same English words differently.
        PENDING_PAYMENT = "pending_payment", pgettext_lazy("order state", "awaiting payment")
        TO_REVIEW = "to_review", pgettext_lazy("order state", "to review")
        APPROVED = "approved", pgettext_lazy("order state", "reviewed")
        TO_SHIP = "to_ship", pgettext_lazy("order state", "to ship / printing")
        PART_SHIPPED = "part_shipped", pgettext_lazy("order state", "partly shipped")
        SHIPPED = "shipped", pgettext_lazy("order state", "shipped")
        SIGNED = "signed", pgettext_lazy("order state", "signed for")
        COMPLETED = "completed", pgettext_lazy("order state", "completed")
        CLOSED = "closed", pgettext_lazy("order state", "closed")
        ON_HOLD = "on_hold", pgettext_lazy("order state", "on hold")

    class Flag(models.TextChoices):  # ORD-3: the seller-centre flag colours (meanings are settings)
        NONE = "", _("no flag")
        RED = "red", _("red")
        YELLOW = "yellow", _("yellow")
        GREEN = "green", _("green")
        BLUE = "blue", _("blue")
        PURPLE = "purple", _("purple")

    class Source(models.TextChoices):
        IMPORT = "import", _("export file")
        MANUAL = "manual", _("manual entry")
        API = "api", _("API")

    class Kind(models.TextChoices):
        NORMAL = "normal", _("normal")
        RESEND = "resend", _("resend (补发)")
        PHONE = "phone", _("phone order")
        CUSTOM = "custom", _("customised")

    # db_index=False: the unique (shop, platform order number) and the list indexes all lead with the shop.
    shop = models.ForeignKey("shops.Shop", on_delete=models.PROTECT, related_name="orders", db_index=False)
    platform_order_no = models.CharField(_("order number"), max_length=64)
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.PENDING_PAYMENT)
    state_before_hold = models.CharField(max_length=16, blank=True)  # where 挂起 returns to
    platform_status = models.CharField(_("platform status"), max_length=60, blank=True)  # the export's own text
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.IMPORT)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.NORMAL)
    customer = models.ForeignKey(
        "crm.Customer", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )  # indexed where set (Meta): imported orders have none

    buyer_nick = models.CharField(_("buyer"), max_length=100, blank=True)
    # ORD-6: pinyin initials of the buyer's and the receiver's names (core.pinyin, set when saved or imported)
    buyer_initials = models.CharField(max_length=40, blank=True)
    buyer_message = models.CharField(_("buyer message"), max_length=500, blank=True)
    seller_remark = models.CharField(_("seller remark"), max_length=500, blank=True)
    flag = models.CharField(_("flag"), max_length=8, choices=Flag.choices, blank=True, default="")

    receiver_name = models.CharField(_("receiver"), max_length=60, blank=True)
    receiver_initials = models.CharField(max_length=40, blank=True)
    receiver_phone = models.CharField(_("phone"), max_length=40, blank=True)
    phone_last4 = models.CharField(max_length=4, blank=True)  # ORD-6: find by the last four digits (Meta index)
    address_raw = models.CharField(_("address as exported"), max_length=300, blank=True)
    province = models.CharField(_("province"), max_length=30, blank=True)
    city = models.CharField(_("city"), max_length=30, blank=True)
    district = models.CharField(_("district"), max_length=30, blank=True)
    street = models.CharField(_("street / town"), max_length=60, blank=True)
    address_detail = models.CharField(_("detailed address"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=10, blank=True)
    adcode = models.CharField(max_length=12, blank=True)  # the district's 6-digit division code when known

    goods_fen = models.BigIntegerField(_("goods amount"), default=0)
    postage_fen = models.BigIntegerField(_("postage"), default=0)
    discount_fen = models.BigIntegerField(_("discount"), default=0)
    paid_fen = models.BigIntegerField(_("paid"), default=0)
    refund_fen = models.BigIntegerField(_("refunded"), default=0)
    payment_method = models.CharField(_("payment method"), max_length=20, blank=True)  # alipay / bank / cod …

    ordered_at = models.DateTimeField(_("ordered at"), null=True, blank=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    shipped_at = models.DateTimeField(_("shipped at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    carrier = models.CharField(_("carrier"), max_length=30, blank=True)
    tracking_no = models.CharField(_("tracking number"), max_length=40, blank=True)  # Meta index

    # ORD-9 exception queues: nothing is hidden; each flag is a queue with a count on the home page.
    exc_out_of_stock = models.BooleanField(_("out of stock"), default=False)
    exc_address = models.BooleanField(_("address problem"), default=False)
    exc_unmatched = models.BooleanField(_("unmatched SKU"), default=False)
    exc_refund = models.BooleanField(_("refund requested"), default=False)
    exc_risk = models.BooleanField(_("platform risk hold"), default=False)
    # a paid order whose export came without item lines (no 宝贝报表 beside the order report): nothing to pick
    exc_no_lines = models.BooleanField(_("no item lines"), default=False)
    hold_reason = models.CharField(_("hold reason"), max_length=200, blank=True)
    # ORD-4: after payment the buyer is sent the receiving details to confirm once more (template, copied or sent)
    confirm_sent_at = models.DateTimeField(_("details sent to buyer"), null=True, blank=True)
    buyer_confirmed_at = models.DateTimeField(_("buyer confirmed details"), null=True, blank=True)

    fingerprint = models.CharField(max_length=40, blank=True)  # hash of the imported fields: unchanged rows skip
    # The import that created the order: its "imported" timeline entry (who, when, which file) is read from the run
    # instead of one timeline row per order. Not enforced or indexed by the database — a big import pays for every
    # constraint check and index entry per row, and runs are never deleted.
    import_run = models.ForeignKey(
        "ImportRun", null=True, blank=True, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False,
        related_name="+",
    )  # fmt: skip
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-ordered_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["shop", "platform_order_no"], name="uniq_shop_order_no")]
        permissions = [("confirm_payment", "Can confirm a bank transfer was received (ORD-5)")]
        indexes = [
            models.Index(fields=["shop", "state", "-ordered_at", "-id"]),
            models.Index(fields=["state", "-ordered_at", "-id"]),
            models.Index(fields=["-ordered_at", "-id"]),
            models.Index(fields=["buyer_nick"]),
            models.Index(fields=["receiver_name"]),
            # ORD-6 at a million orders: order-number prefix search, the carrier filter's loose index scan
            models.Index(fields=["platform_order_no"], name="order_no_prefix", opclasses=["varchar_pattern_ops"]),
            # one index each (pattern ops serve = and prefix LIKE): every index is paid for on each imported row
            models.Index(fields=["tracking_no"], name="order_tracking", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["phone_last4"], name="order_phone_last4"),
            # ORD-6 pinyin initials (zsf → 张三丰), prefix search; names without Chinese have none and no entry
            *(
                models.Index(
                    fields=[name], name=f"order_{name}", opclasses=["varchar_pattern_ops"], condition=~Q(**{name: ""})
                )
                for name in ("receiver_initials", "buyer_initials")
            ),
            models.Index(fields=["customer"], condition=Q(customer__isnull=False), name="order_customer"),
            # DATA-2: the sales facts of a (shop, paid day) are recomputed from the orders paid that day
            models.Index(fields=["shop", "paid_at"], condition=Q(paid_at__isnull=False), name="order_shop_paid"),
            # (…, state): the capped tab counts under a carrier or flag filter stay index-only scans
            models.Index(fields=["shop", "carrier", "state"], name="order_shop_carrier"),
            models.Index(fields=["flag", "state"], condition=~Q(flag=""), name="order_flag_state"),
            # ORD-9: each exception queue is a small slice; its tab reads newest first from its own partial index
            *(
                models.Index(fields=["-ordered_at", "-id"], condition=Q(**{name: True}), name=f"order_{name}_q")
                for name in (
                    "exc_out_of_stock",
                    "exc_address",
                    "exc_unmatched",
                    "exc_refund",
                    "exc_risk",
                    "exc_no_lines",
                )
            ),
        ]

    def __str__(self) -> str:
        return self.platform_order_no

    @property
    def payment_method_label(self) -> str:
        return str(PAYMENT_METHODS.get(self.payment_method, self.payment_method))


class OrderLine(models.Model):
    """One item line. Matched to a system SKU by 商家编码 (or barcode); unmatched lines keep the platform's text and
    put the order in the unmatched-SKU queue (ORD-9)."""

    # no single-column FK indexes: uniq (order, line_no) and (sku, -order) lead with them
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines", db_index=False)
    line_no = models.PositiveSmallIntegerField()
    sku = models.ForeignKey(
        "catalog.Sku", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    outer_code = models.CharField(_("merchant code"), max_length=64, blank=True)  # 商家编码 / 外部系统编号
    title = models.CharField(_("title"), max_length=200, blank=True)
    properties = models.CharField(_("properties"), max_length=200, blank=True)  # 颜色分类：黑色;尺码：M
    unit_price_fen = models.BigIntegerField(_("unit price"), default=0)
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    paid_fen = models.BigIntegerField(_("paid share"), default=0)
    shipped_qty = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order_id", "line_no"]
        constraints = [
            models.UniqueConstraint(fields=["order", "line_no"], name="uniq_order_line_no"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="order_line_quantity_positive"),
        ]
        # ORD-6: search by 商家编码 or SKU lists the newest orders of that code first
        indexes = [
            models.Index(fields=["outer_code", "-order"], name="order_line_code_recent"),
            models.Index(fields=["sku", "-order"], name="order_line_sku_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.order_id}#{self.line_no}"


class ImportRun(models.Model):
    """One import of export files into a shop (ORD-1): counts, the error report, who and when."""

    shop = models.ForeignKey("shops.Shop", on_delete=models.PROTECT, related_name="+")
    files = models.CharField(max_length=500)  # file names, "、"-joined
    format = models.CharField(max_length=40, blank=True)  # detected, e.g. taobao-2020
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    lines = models.PositiveIntegerField(default=0)
    report = models.FileField(upload_to="order-imports/", blank=True)  # XLSX of bad rows: file, line, column, reason
    notes = models.TextField(blank=True)  # ORD-1: expected columns missing and what the import did without them
    actor = models.ForeignKey(STAFF, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    job = models.ForeignKey("core.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.shop_id}: {self.files}"


class CustomWork(models.Model):
    """ORD-8 customised products (定制, seed S2 "淘宝定制产品运营流程" steps 6–8): the buyer's design files and choices,
    the confirmation of details and delivery time, production and quality check — then the normal flow. The order
    cannot be reviewed (审单) until its custom work is done; the steps are in services/custom.py."""

    class Stage(models.TextChoices):
        AWAITING_DESIGN = "awaiting_design", _("awaiting design files")
        TO_CONFIRM = "to_confirm", _("details to confirm")
        IN_PRODUCTION = "in_production", _("in production")
        QC = "qc", _("quality check")
        DONE = "done", _("QC passed")

    order = models.OneToOneField(Order, on_delete=models.CASCADE, related_name="custom")
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices, default=Stage.AWAITING_DESIGN)
    choices = models.TextField(_("buyer's choices"), blank=True)  # text to print, colours, sizes, engraving …
    delivery_date = models.DateField(_("agreed ship date"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(STAFF, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    producer = models.CharField(_("made by"), max_length=60, blank=True)  # workshop or supplier
    production_started_at = models.DateTimeField(null=True, blank=True)
    qc_at = models.DateTimeField(null=True, blank=True)
    qc_by = models.ForeignKey(STAFF, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    qc_note = models.CharField(_("QC note"), max_length=200, blank=True)
    qc_failures = models.PositiveSmallIntegerField(default=0)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("custom work")

    def __str__(self) -> str:
        return f"{self.order_id}: {self.stage}"


class CustomFile(models.Model):
    """ORD-8: a file of a customised order — the buyer's design, our proof, a QC photo. Served only through a
    permission-checked view (never a public media URL)."""

    class Kind(models.TextChoices):
        DESIGN = "design", _("buyer's design")
        PROOF = "proof", _("proof")
        QC = "qc", _("QC photo")

    work = models.ForeignKey(CustomWork, on_delete=models.CASCADE, related_name="files")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.DESIGN)
    file = models.FileField(upload_to="custom-orders/")
    name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(default=0)
    content_type = models.CharField(max_length=100, blank=True)
    uploaded_by = models.ForeignKey(STAFF, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.name
