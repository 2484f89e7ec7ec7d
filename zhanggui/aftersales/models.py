"""After-sales (售后, AS-1..AS-6): the shop's return/exchange/repair policy in versions, the cases (售后单) with their
lines, photos and reasons.

- `PolicyVersion` (AS-1, AS-3): one row per version of a shop's policy — text for buyers plus the structured fields
  the system applies (return window, named clauses, who pays return and exchange postage, repair terms). A change
  never edits a row: it writes the next version, and a case keeps the version it was judged under (`Case.policy`).
- `Reason` (AS-2): the maintained list of reasons per case type (company-wide), plus free text on the case.
- `Case` (AS-2, AS-5, AS-6): one 售后单 of one order — type, state (one transition table per type in
  services/cases.py), reason, responsible party, owner (工号), follow-up time, escalation, amounts in fen, the
  platform's refund id, where it came from, and `version` (optimistic lock through core.states).
- `CaseLine`: the order lines the case is about, with a partial quantity (1 … the ordered quantity).
- `CasePhoto`: photos of the goods and of the waybill; served only through a view that checks role and shop.

Invariants the database holds, whatever runs at the same time:
- one OPEN case per order and type (partial unique index; the service turns the clash into a Chinese refusal);
- a platform refund id is unique per shop (for the refund imports);
- the requested and the agreed refund never exceed `refundable_fen`, what was paid for the case's lines (AS-5),
  and are never negative.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

STAFF = settings.AUTH_USER_MODEL

# The states of a case still being worked on, and the final ones (Case.State); the queue tabs group them.
OPEN_STATES = ("new", "waiting_buyer", "waiting_return", "received", "refunding", "resending", "claiming")
CLOSED_STATES = ("done", "refused", "cancelled")


class PolicyVersion(models.Model):
    """AS-1, AS-3: one version of a shop's return/exchange/repair policy (never edited; a change is a new row)."""

    class Payer(models.TextChoices):
        BUYER = "buyer", _("buyer pays")
        SELLER = "seller", _("seller pays")
        SPLIT = "split", _("half each")

    shop = models.ForeignKey("shops.Shop", on_delete=models.PROTECT, related_name="+", db_index=False)
    number = models.PositiveIntegerField(_("version"))
    text = models.TextField(_("policy text"), blank=True)  # what buyers read (detail page, 买家须知)
    return_window_days = models.PositiveSmallIntegerField(_("return window (days)"), default=7)  # 7天无理由
    # [{"name": "吊牌完好", "text": "吊牌、包装齐全完好"}, …]: the conditions a return or exchange must meet
    clauses = models.JSONField(_("conditions"), default=list, blank=True)
    return_postage = models.CharField(_("return postage"), max_length=8, choices=Payer.choices, default=Payer.BUYER)
    exchange_postage = models.CharField(_("exchange postage"), max_length=8, choices=Payer.choices, default=Payer.SPLIT)
    repair_terms = models.TextField(_("repair terms"), blank=True)
    note = models.CharField(_("why changed"), max_length=200, blank=True)
    created_by = models.ForeignKey(STAFF, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("after-sales policy")
        ordering = ["shop_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["shop", "number"], name="uniq_policy_version"),
            models.CheckConstraint(condition=Q(return_window_days__lte=365), name="policy_window_at_most_a_year"),
        ]

    def __str__(self) -> str:
        return f"售后政策 第 {self.number} 版"


class Case(models.Model):
    """AS-2: one after-sales case of one order."""

    class Kind(models.TextChoices):
        REFUND_UNSHIPPED = "refund_unshipped", _("refund only (not shipped)")
        REFUND_SHIPPED = "refund_shipped", _("refund only (shipped)")
        RETURN_REFUND = "return_refund", _("return and refund")
        EXCHANGE = "exchange", _("exchange")
        RESEND = "resend", _("resend")
        LOST_DAMAGED = "lost_damaged", _("lost or damaged parcel")
        CONSULT = "consult", _("product-use question")

    class State(models.TextChoices):  # the allowed moves per type: services/cases.py TRANSITIONS
        NEW = "new", _("to handle")
        WAITING_BUYER = "waiting_buyer", _("waiting for the buyer")
        WAITING_RETURN = "waiting_return", _("waiting for the return")
        RECEIVED = "received", _("return received")
        REFUNDING = "refunding", _("refund agreed")
        RESENDING = "resending", _("to send out")
        CLAIMING = "claiming", _("claiming from the carrier")
        DONE = "done", _("solved")
        REFUSED = "refused", _("refused")
        CANCELLED = "cancelled", _("withdrawn")

    class Party(models.TextChoices):
        UNKNOWN = "", _("not decided")
        SELLER = "seller", _("seller")
        BUYER = "buyer", _("buyer")
        COURIER = "courier", _("carrier")
        SUPPLIER = "supplier", _("supplier")

    class Source(models.TextChoices):
        PAGE = "page", _("entered on the page")
        IMPORT = "import", _("platform import")
        API = "api", _("API")

    number = models.CharField(_("case number"), max_length=20, unique=True)
    shop = models.ForeignKey("shops.Shop", on_delete=models.PROTECT, related_name="+", db_index=False)
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="+", db_index=False)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.NEW)
    reason = models.ForeignKey("Reason", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reason_text = models.CharField(_("reason in words"), max_length=200, blank=True)
    responsible = models.CharField(_("responsible"), max_length=10, choices=Party.choices, blank=True, default="")
    owner = models.ForeignKey(STAFF, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    follow_up_at = models.DateTimeField(_("follow up by"), null=True, blank=True)  # AS-6: passed = overdue
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)  # AS-6: handed to the manager
    # AS-5: money in fen; refundable_fen = what was paid for the case's lines (less what other cases agreed)
    requested_refund_fen = models.BigIntegerField(_("refund requested"), default=0)
    agreed_refund_fen = models.BigIntegerField(_("refund agreed"), null=True, blank=True)
    refundable_fen = models.BigIntegerField(_("refundable"), default=0)
    platform_refund_id = models.CharField(_("platform refund id"), max_length=64, null=True, blank=True)
    source = models.CharField(_("source"), max_length=8, choices=Source.choices, default=Source.PAGE)
    policy = models.ForeignKey(PolicyVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # AS-1: names of the policy's clauses found NOT met (goods inspected, photos) — policy.check shows them in red
    unmet_clauses = models.JSONField(default=list, blank=True)
    # AS-2: the platform's refund status as last imported (退款成功, 等待卖家同意 …), and what the platform says it
    # refunded (a return refunded by the platform before our warehouse received the goods: recorded, not agreed)
    platform_status = models.CharField(_("platform refund status"), max_length=40, blank=True)
    platform_refunded_fen = models.BigIntegerField(_("refunded by the platform"), null=True, blank=True)
    # AS-3: who pays the postage of this return or exchange, recorded when the case is opened (the policy's word)
    postage_payer = models.CharField(
        _("postage paid by"), max_length=8, choices=PolicyVersion.Payer.choices, blank=True
    )
    created_by = models.ForeignKey(STAFF, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("opened at"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    # INV-5: the buyer's return waybill (scanned at the warehouse), when the goods came back, and the new ¥0 order
    # of an exchange or resend (services/replacement.py; orders owns it, the case links it)
    return_tracking_no = models.CharField(_("return waybill"), max_length=40, blank=True, default="")
    return_carrier = models.CharField(_("return carrier"), max_length=40, blank=True, default="")
    returned_at = models.DateTimeField(_("return received at"), null=True, blank=True)
    replacement_order = models.ForeignKey(
        "orders.Order", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )

    class Meta:
        verbose_name = _("after-sales case")
        verbose_name_plural = _("after-sales cases")
        ordering = ["-created_at", "-id"]
        permissions = [
            ("view_every_case", "Can see cases of every type, not only returns and exchanges (AS-2)"),
            ("handle_escalation", "Can take back an escalated case (AS-6)"),
            ("receive_return", "Can scan and inspect returned goods (INV-5)"),
        ]
        constraints = [
            # AS-2: one open case per order and type; a closed case does not block a new one
            models.UniqueConstraint(
                fields=["order", "kind"], condition=Q(state__in=OPEN_STATES), name="uniq_open_case_per_order_kind"
            ),
            models.UniqueConstraint(
                fields=["shop", "platform_refund_id"],
                condition=Q(platform_refund_id__isnull=False),
                name="uniq_case_platform_refund",
            ),
            # AS-5: never more than was paid for the lines, never negative
            models.CheckConstraint(
                condition=Q(requested_refund_fen__gte=0, requested_refund_fen__lte=F("refundable_fen")),
                name="case_requested_within_paid",
            ),
            models.CheckConstraint(
                condition=Q(agreed_refund_fen__isnull=True)
                | Q(agreed_refund_fen__gte=0, agreed_refund_fen__lte=F("refundable_fen")),
                name="case_agreed_within_paid",
            ),
            models.CheckConstraint(
                condition=Q(platform_refunded_fen__isnull=True)
                | Q(platform_refunded_fen__gte=0, platform_refunded_fen__lte=F("refundable_fen")),
                name="case_platform_refund_within_paid",
            ),
        ]
        indexes = [
            models.Index(fields=["shop", "state", "-created_at", "-id"], name="case_shop_state"),
            models.Index(fields=["order", "kind"], name="case_order"),
            models.Index(fields=["owner", "state"], name="case_owner"),
            # AS-6: the overdue sweep and the 逾期 tab read open cases by their follow-up time
            models.Index(fields=["follow_up_at"], condition=Q(state__in=OPEN_STATES), name="case_open_follow_up"),
            # INV-5: the return scanning page finds a waiting case by the buyer's return waybill
            models.Index(
                fields=["return_tracking_no"], condition=~Q(return_tracking_no=""), name="case_return_tracking"
            ),
            models.Index(fields=["replacement_order"], condition=Q(replacement_order__isnull=False), name="case_repl"),
            # the 已完结 and 全部 tabs, newest first over every case in scope (bench aftersales_case_queue)
            models.Index(fields=["-closed_at", "-id"], condition=Q(state__in=CLOSED_STATES), name="case_closed_newest"),
            models.Index(fields=["-created_at", "-id"], name="case_newest"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


class CaseLine(models.Model):
    """An order line the case is about, with how many of its pieces (1 … ordered)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="lines", db_index=False)
    order_line = models.ForeignKey("orders.OrderLine", on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(_("quantity"))

    class Meta:
        ordering = ["case_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "order_line"], name="uniq_case_line"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="case_line_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}:{self.order_line_id}×{self.quantity}"


class CasePhoto(models.Model):
    """AS-2: a photo of the goods or of the waybill (JPEG/PNG/WebP by content, size-limited)."""

    class Kind(models.TextChoices):
        GOODS = "goods", _("goods")
        WAYBILL = "waybill", _("waybill")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="photos")
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.GOODS)
    file = models.FileField(upload_to="aftersales/")
    name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(default=0)
    content_type = models.CharField(max_length=40)
    uploaded_by = models.ForeignKey(STAFF, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.name


class Reason(models.Model):
    """AS-2: a reason of the maintained list of one case type (retired reasons stay for the cases that used them)."""

    kind = models.CharField(_("type"), max_length=20, choices=Case.Kind.choices)
    name = models.CharField(_("reason"), max_length=40)
    position = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("after-sales reason")
        ordering = ["kind", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["kind", "name"], name="uniq_reason_per_kind")]

    def __str__(self) -> str:
        return self.name


class ReturnLine(models.Model):
    """INV-5: what came back for one line of the case, inspected at the warehouse: 完好 (back to sellable stock),
    破损 (to the damaged account), 错发 (a different item came back) and 少件 (pieces missing) — the last two are
    recorded only. The pieces add up to the case line's quantity. `exchange_sku`: what an exchange sends instead
    (default: the same SKU)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="return_lines", db_index=False)
    case_line = models.OneToOneField(CaseLine, on_delete=models.CASCADE, related_name="returned")
    intact = models.PositiveIntegerField(_("intact"), default=0)
    damaged = models.PositiveIntegerField(_("damaged"), default=0)
    wrong = models.PositiveIntegerField(_("wrong item"), default=0)
    missing = models.PositiveIntegerField(_("missing"), default=0)
    exchange_sku = models.ForeignKey("catalog.Sku", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    note = models.CharField(_("note"), max_length=200, blank=True)
    received_by = models.ForeignKey(STAFF, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["case_id", "id"]
        indexes = [models.Index(fields=["case"], name="return_line_case")]

    def __str__(self) -> str:
        return f"{self.case_id}:{self.case_line_id}"


class UnclaimedReturn(models.Model):
    """INV-5: a returned parcel whose waybill matches no case (无主退件): kept with photos, never lost, until it
    is claimed for a case (then scanned in as that case's return)."""

    class State(models.TextChoices):
        OPEN = "open", _("unclaimed")
        CLAIMED = "claimed", _("claimed")

    shop = models.ForeignKey("shops.Shop", on_delete=models.PROTECT, related_name="+", db_index=False)
    tracking_no = models.CharField(_("return waybill"), max_length=40)
    carrier = models.CharField(_("carrier"), max_length=40, blank=True)
    note = models.CharField(_("what is in it"), max_length=200, blank=True)
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.OPEN)
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(STAFF, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("arrived at"), auto_now_add=True)
    claimed_by = models.ForeignKey(STAFF, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("unclaimed return")
        ordering = ["-created_at", "-id"]
        constraints = [
            # one open record per waybill and shop: scanning the same unknown parcel twice keeps one
            models.UniqueConstraint(
                fields=["shop", "tracking_no"], condition=Q(state="open"), name="uniq_open_unclaimed_return"
            ),
        ]
        indexes = [
            models.Index(fields=["shop", "state", "-created_at"], name="unclaimed_shop_state"),
            models.Index(fields=["tracking_no"], name="unclaimed_tracking"),
        ]

    def __str__(self) -> str:
        return self.tracking_no


class UnclaimedPhoto(models.Model):
    """A photo of an unclaimed return (JPEG/PNG/WebP by content, size-limited; served only to staff of its shop)."""

    unclaimed = models.ForeignKey(UnclaimedReturn, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(upload_to="aftersales/")
    name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(default=0)
    content_type = models.CharField(max_length=40)
    uploaded_by = models.ForeignKey(STAFF, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.name


# ---- reviews (AS-7) -------------------------------------------------------------------------------------------

# The states of a 中差评 being handled (Review.State); a 好评 needs no handling (state "").
REVIEW_OPEN_STATES = ("to_contact", "contacted")


class Review(models.Model):
    """AS-7: one buyer review of one shop, imported from the platform's export (or its API later), matched to the
    order (and order line, SKU, product) when the order is known. A 中评/差评 is a queue item: owner, reason
    category, state 待联系 → 已联系 → 已改评 / 无法改评; the seller's reply is recorded. The platform review id is
    unique per shop (re-imports update, never duplicate)."""

    class Rating(models.TextChoices):
        GOOD = "good", _("positive")
        NEUTRAL = "neutral", _("neutral")
        BAD = "bad", _("negative")

    class State(models.TextChoices):  # the moves: services/reviews.py TRANSITIONS
        NONE = "", _("no handling needed")
        TO_CONTACT = "to_contact", _("to contact")
        CONTACTED = "contacted", _("contacted")
        CHANGED = "changed", _("review changed")
        UNCHANGEABLE = "unchangeable", _("cannot be changed")

    class Reason(models.TextChoices):
        UNKNOWN = "", _("not decided")
        QUALITY = "quality", _("quality")
        NOT_AS_DESCRIBED = "not_as_described", _("not as described")
        SIZE = "size", _("size or fit")
        LOGISTICS = "logistics", _("delivery")
        SERVICE = "service", _("service")
        PRICE = "price", _("price")
        OTHER = "other", _("other")

    class Source(models.TextChoices):
        IMPORT = "import", _("export file")
        API = "api", _("API")

    shop = models.ForeignKey("shops.Shop", on_delete=models.PROTECT, related_name="+", db_index=False)
    platform_review_id = models.CharField(_("platform review id"), max_length=64)
    platform_order_no = models.CharField(_("order number"), max_length=64, blank=True)
    order = models.ForeignKey("orders.Order", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    order_line = models.ForeignKey(
        "orders.OrderLine", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    sku = models.ForeignKey("catalog.Sku", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    product = models.ForeignKey(
        "catalog.Product", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    item_title = models.CharField(_("item"), max_length=200, blank=True)
    outer_code = models.CharField(_("merchant code"), max_length=64, blank=True)
    rating = models.CharField(_("rating"), max_length=8, choices=Rating.choices)
    first_rating = models.CharField(_("first rating"), max_length=8, choices=Rating.choices)
    text = models.TextField(_("review"), blank=True)
    buyer_nick = models.CharField(_("buyer"), max_length=100, blank=True)
    reviewed_at = models.DateTimeField(_("reviewed at"))
    reply_text = models.TextField(_("seller reply"), blank=True)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    owner = models.ForeignKey(STAFF, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.CharField(_("reason category"), max_length=20, choices=Reason.choices, blank=True, default="")
    state = models.CharField(_("state"), max_length=16, choices=State.choices, blank=True, default="")
    source = models.CharField(_("source"), max_length=8, choices=Source.choices, default=Source.IMPORT)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("review")
        ordering = ["-reviewed_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["shop", "platform_review_id"], name="uniq_review_per_shop"),
            models.CheckConstraint(condition=Q(rating__in=["good", "neutral", "bad"]), name="review_rating_known"),
        ]
        indexes = [
            models.Index(fields=["shop", "state", "-reviewed_at"], name="review_shop_state"),
            models.Index(fields=["shop", "reviewed_at"], name="review_shop_month"),
            models.Index(fields=["product", "reviewed_at"], name="review_product_month"),
            models.Index(fields=["order"], name="review_order", condition=Q(order__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"评价 {self.platform_review_id}"

    @property
    def is_open(self) -> bool:
        return self.state in REVIEW_OPEN_STATES


class ReplyTemplate(models.Model):
    """AS-7: a reply template for reviews, with variables filled from the review: {买家} {商品} {订单号} {店铺}."""

    name = models.CharField(_("name"), max_length=40, unique=True)
    text = models.TextField(_("text"))
    position = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(_("in use"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("reply template")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.name


from .parcel_models import CarrierClaim, Compensation, ParcelStep  # noqa: E402,F401  AS-4, AS-5
