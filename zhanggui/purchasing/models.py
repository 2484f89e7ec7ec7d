"""Suppliers, purchase orders with quotes, payments and problems, stock-in slips with quality check, the
supplier-exchange list and dropship orders (PUR-1..4, INV-3, PROD-10).

Money is integer fen (core.money). Documents with a state have one transition table in their service module.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

STAFF = settings.AUTH_USER_MODEL


class Supplier(models.Model):
    """PUR-1: a supplier with contacts, lead time, quality record (from receiving) and evaluations."""

    code = models.CharField(_("supplier code"), max_length=20, unique=True)
    name = models.CharField(_("supplier name"), max_length=100, unique=True)
    contact_name = models.CharField(_("contact"), max_length=40, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    wechat = models.CharField(_("WeChat"), max_length=40, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    shop_url = models.CharField(_("shop link (1688/Taobao)"), max_length=200, blank=True)
    lead_time_days = models.PositiveSmallIntegerField(_("lead time (days)"), default=7)
    payment_terms = models.CharField(_("payment terms"), max_length=60, blank=True)
    note = models.TextField(_("note"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("supplier")
        verbose_name_plural = _("suppliers")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class SupplierContact(models.Model):
    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("name"), max_length=40)
    role = models.CharField(_("position"), max_length=40, blank=True)  # 老板 / 跟单 / 财务
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    wechat = models.CharField(_("WeChat"), max_length=40, blank=True)

    class Meta:
        ordering = ["supplier_id", "pk"]

    def __str__(self) -> str:
        return self.name


class SupplierEvaluation(models.Model):
    """PUR-1: a periodic rating of a supplier (1–5 per aspect), beside the quality record measured at receiving."""

    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="evaluations")
    quality = models.PositiveSmallIntegerField(_("quality"))
    delivery = models.PositiveSmallIntegerField(_("delivery"))
    price = models.PositiveSmallIntegerField(_("price"))
    service = models.PositiveSmallIntegerField(_("service"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    actor = models.ForeignKey(STAFF, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quality__range=(1, 5), delivery__range=(1, 5), price__range=(1, 5), service__range=(1, 5)),
                name="evaluation_scores_1_to_5",
            )
        ]

    def __str__(self) -> str:
        return f"{self.supplier_id}: {self.score:.1f}"

    @property
    def score(self) -> float:
        return (self.quality + self.delivery + self.price + self.service) / 4


class SupplierProduct(models.Model):
    """Who supplies a product, at what price, with the supplier's own item code; one preferred supplier per product
    is used by replenishment (INV-7) to group suggestions into purchase orders."""

    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="products")
    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="supplier_items")
    supplier_item_code = models.CharField(_("supplier item code"), max_length=60, blank=True)
    unit_cost_fen = models.PositiveIntegerField(_("purchase price"), default=0)
    min_order_qty = models.PositiveIntegerField(_("minimum order"), default=1)
    is_preferred = models.BooleanField(_("preferred"), default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["supplier", "product"], name="uniq_supplier_product"),
            models.UniqueConstraint(
                fields=["product"], condition=Q(is_preferred=True), name="one_preferred_supplier_per_product"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.supplier_id}:{self.product_id}"


class PurchaseOrder(models.Model):
    """PUR-2: need → plan → quotes compared → order → payment(s) → receipt(s) → problems and closing.

    `version` goes up with every change: a save based on an older version is refused (two people editing one
    purchase order at once)."""

    class State(models.TextChoices):
        DRAFT = "draft", _("need / plan")
        QUOTING = "quoting", _("comparing quotes")
        ORDERED = "ordered", _("ordered")
        PARTIAL = "partial", _("partly received")
        RECEIVED = "received", _("received")
        CLOSED = "closed", _("closed")
        CANCELLED = "cancelled", _("cancelled")

    class Source(models.TextChoices):
        MANUAL = "manual", _("manual")
        REPLENISHMENT = "replenishment", _("replenishment suggestion")

    number = models.CharField(_("purchase order number"), max_length=24, unique=True)  # CG20261123-001
    supplier = models.ForeignKey(Supplier, null=True, blank=True, on_delete=models.PROTECT, related_name="orders")
    warehouse = models.ForeignKey("inventory.Warehouse", on_delete=models.PROTECT, related_name="+")
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.DRAFT)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices, default=Source.MANUAL)
    reason = models.CharField(_("need"), max_length=200, blank=True)  # why we buy: 补货 / 新款首单 / 活动备货
    expected_on = models.DateField(_("expected arrival"), null=True, blank=True)
    transport_cost_fen = models.PositiveIntegerField(_("transport cost"), default=0)
    note = models.TextField(_("note"), blank=True)
    buyer = models.ForeignKey(STAFF, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")  # 进货人员
    ordered_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("purchase order")
        verbose_name_plural = _("purchase orders")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["state", "created_at"]), models.Index(fields=["supplier", "created_at"])]

    def __str__(self) -> str:
        return self.number


class PurchaseOrderLine(models.Model):
    order = models.ForeignKey(PurchaseOrder, on_delete=models.CASCADE, related_name="lines")
    sku = models.ForeignKey("catalog.Sku", on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(_("quantity ordered"))
    unit_cost_fen = models.PositiveIntegerField(_("unit price"), default=0)
    received_qty = models.PositiveIntegerField(_("received"), default=0)  # good + faulty pieces posted
    faulty_qty = models.PositiveIntegerField(_("faulty"), default=0)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["order_id", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["order", "sku"], name="uniq_purchase_line_sku"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="purchase_line_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.order_id}:{self.sku_id}×{self.quantity}"

    @property
    def outstanding(self) -> int:
        return max(self.quantity - self.received_qty, 0)

    @property
    def amount_fen(self) -> int:
        return self.quantity * self.unit_cost_fen


class Quote(models.Model):
    """PUR-2: one supplier's offer for a purchase order (unit price per line, lead time, transport cost)."""

    order = models.ForeignKey(PurchaseOrder, on_delete=models.CASCADE, related_name="quotes")
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="quotes")
    lead_time_days = models.PositiveSmallIntegerField(_("lead time (days)"), default=7)
    transport_cost_fen = models.PositiveIntegerField(_("transport cost"), default=0)
    note = models.CharField(_("note"), max_length=200, blank=True)
    is_chosen = models.BooleanField(default=False)
    actor = models.ForeignKey(STAFF, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["order_id", "pk"]
        constraints = [models.UniqueConstraint(fields=["order", "supplier"], name="uniq_quote_supplier")]

    def __str__(self) -> str:
        return f"{self.order_id}@{self.supplier_id}"


class QuoteLine(models.Model):
    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="lines")
    line = models.ForeignKey(PurchaseOrderLine, on_delete=models.CASCADE, related_name="+")
    unit_cost_fen = models.PositiveIntegerField(_("unit price"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["quote", "line"], name="uniq_quote_line")]

    def __str__(self) -> str:
        return f"{self.quote_id}:{self.line_id}"


class Payment(models.Model):
    """PUR-2, PUR-3: money paid to the supplier for a purchase order (deposit, balance, transport)."""

    class Method(models.TextChoices):
        BANK = "bank", _("bank transfer")
        ALIPAY = "alipay", _("Alipay")
        WECHAT = "wechat", _("WeChat Pay")
        CASH = "cash", _("cash")

    order = models.ForeignKey(PurchaseOrder, on_delete=models.PROTECT, related_name="payments")
    amount_fen = models.PositiveIntegerField(_("amount"))
    paid_on = models.DateField(_("paid on"))
    method = models.CharField(_("method"), max_length=10, choices=Method.choices, default=Method.BANK)
    note = models.CharField(_("note"), max_length=200, blank=True)
    actor = models.ForeignKey(STAFF, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["paid_on", "pk"]
        constraints = [models.CheckConstraint(condition=Q(amount_fen__gte=1), name="payment_amount_positive")]

    def __str__(self) -> str:
        return f"{self.order_id}: {self.amount_fen}"


class Problem(models.Model):
    """PUR-2: a problem with a purchase (quality, quantity, late, wrong item) and how it was resolved."""

    class Kind(models.TextChoices):
        QUALITY = "quality", _("quality")
        QUANTITY = "quantity", _("quantity")
        LATE = "late", _("late delivery")
        WRONG_ITEM = "wrong_item", _("wrong item")
        OTHER = "other", _("other")

    order = models.ForeignKey(PurchaseOrder, on_delete=models.CASCADE, related_name="problems")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    description = models.CharField(_("description"), max_length=300)
    resolution = models.CharField(_("resolution / improvement"), max_length=300, blank=True)
    created_by = models.ForeignKey(STAFF, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["resolved_at", "-created_at"]

    def __str__(self) -> str:
        return self.description


class Receipt(models.Model):
    """INV-3: a stock-in slip (入库单) — against a purchase order or free. Counted and sorted by colour and size,
    quality-checked, printed, checked with the purchaser (进货人员), then posted in one transaction."""

    class State(models.TextChoices):
        DRAFT = "draft", _("counting")
        CHECKED = "checked", _("checked with purchaser")
        POSTED = "posted", _("posted")
        CANCELLED = "cancelled", _("cancelled")

    number = models.CharField(_("stock-in slip number"), max_length=24, unique=True)  # RK20261123-001
    order = models.ForeignKey(PurchaseOrder, null=True, blank=True, on_delete=models.PROTECT, related_name="receipts")
    supplier = models.ForeignKey(Supplier, null=True, blank=True, on_delete=models.PROTECT, related_name="receipts")
    warehouse = models.ForeignKey("inventory.Warehouse", on_delete=models.PROTECT, related_name="+")
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.DRAFT)
    note = models.CharField(_("note"), max_length=200, blank=True)
    # PUR-4: the restock differs from the earlier batch (quality, details) → tasks for editor and designer.
    differs_from_last_batch = models.BooleanField(_("differs from the earlier batch"), default=False)
    difference_note = models.CharField(_("what differs"), max_length=300, blank=True)
    counted_by = models.ForeignKey(STAFF, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    checked_by = models.ForeignKey(STAFF, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    posted_by = models.ForeignKey(STAFF, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    posted_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("stock-in slip")
        verbose_name_plural = _("stock-in slips")
        ordering = ["-created_at", "-pk"]
        permissions = [("check_receipt", "Can check a stock-in slip as the purchaser")]

    def __str__(self) -> str:
        return self.number


class ReceiptLine(models.Model):
    receipt = models.ForeignKey(Receipt, on_delete=models.CASCADE, related_name="lines")
    sku = models.ForeignKey("catalog.Sku", on_delete=models.PROTECT, related_name="+")
    order_line = models.ForeignKey(
        PurchaseOrderLine, null=True, blank=True, on_delete=models.PROTECT, related_name="receipt_lines"
    )
    expected_qty = models.PositiveIntegerField(_("expected"), default=0)
    counted_qty = models.PositiveIntegerField(_("counted"), default=0)  # all pieces that arrived
    faulty_qty = models.PositiveIntegerField(_("faulty"), default=0)  # of those, failed the quality check
    bin = models.ForeignKey("inventory.Bin", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["receipt_id", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["receipt", "sku"], name="uniq_receipt_sku"),
            models.CheckConstraint(
                condition=Q(faulty_qty__lte=models.F("counted_qty")), name="receipt_faulty_within_counted"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.receipt_id}:{self.sku_id}"

    @property
    def good_qty(self) -> int:
        return self.counted_qty - self.faulty_qty


class SupplierExchange(models.Model):
    """INV-3: faulty pieces on the supplier-exchange list (换货清单), stored apart (stock account `faulty`) until
    the supplier exchanges them (→ sellable) or refuses (→ the separate damaged account)."""

    class State(models.TextChoices):
        PENDING = "pending", _("stored apart")
        SENT = "sent", _("handed to purchaser")
        EXCHANGED = "exchanged", _("exchanged")
        REFUSED = "refused", _("not exchanged — separate account")

    supplier = models.ForeignKey(Supplier, null=True, blank=True, on_delete=models.PROTECT, related_name="exchanges")
    receipt_line = models.ForeignKey(ReceiptLine, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    sku = models.ForeignKey("catalog.Sku", on_delete=models.PROTECT, related_name="+")
    warehouse = models.ForeignKey("inventory.Warehouse", on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(_("quantity"))
    reason = models.CharField(_("fault"), max_length=200, blank=True)
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [models.CheckConstraint(condition=Q(quantity__gte=1), name="exchange_quantity_positive")]

    def __str__(self) -> str:
        return f"{self.sku_id}×{self.quantity} ({self.state})"


class DropshipOrder(models.Model):
    """PROD-10: an order (line) of a dropship product passed to its supplier, who ships it; the supplier's
    tracking number comes back by file import. The orders module creates these; receiver data is PII."""

    class State(models.TextChoices):
        PENDING = "pending", _("to send to supplier")
        SENT = "sent", _("sent to supplier")
        SHIPPED = "shipped", _("shipped by supplier")
        CANCELLED = "cancelled", _("cancelled")

    reference = models.CharField(_("order number"), max_length=64)
    shop = models.ForeignKey("shops.Shop", on_delete=models.PROTECT, related_name="+")
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="dropship_orders")
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.PENDING)
    receiver_name = models.CharField(_("receiver"), max_length=60)
    receiver_phone = models.CharField(_("phone"), max_length=30)
    receiver_address = models.CharField(_("address"), max_length=300)
    buyer_note = models.CharField(_("buyer message"), max_length=300, blank=True)
    carrier = models.CharField(_("carrier"), max_length=30, blank=True)
    tracking_no = models.CharField(_("tracking number"), max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    shipped_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["shop", "reference", "supplier"], name="uniq_dropship_order")]
        indexes = [models.Index(fields=["supplier", "state"])]

    def __str__(self) -> str:
        return self.reference


class DropshipLine(models.Model):
    order = models.ForeignKey(DropshipOrder, on_delete=models.CASCADE, related_name="lines")
    sku = models.ForeignKey("catalog.Sku", on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(_("quantity"))

    class Meta:
        ordering = ["order_id", "pk"]

    def __str__(self) -> str:
        return f"{self.order_id}:{self.sku_id}×{self.quantity}"
