"""Parcel problems and compensation (AS-4, AS-5), imported by models.py.

- `ParcelStep` (AS-4): one ticked step of the six-step checklist of a 丢件/破损 case (安抚买家 → 记录问题 → 核实地址 →
  对比后台、面单与买家信息 → 联系快递 → 反馈买家), with the 工号 and the time; unticking deletes the row (both on the
  case's timeline).
- `CarrierClaim` (AS-4, SHIP-5): a claim against the carrier for a lost, damaged or confiscated parcel — carrier,
  waybill, amount claimed, amount paid, outcome and dates; its small state flow lives in services/claims.py. What the
  carrier paid is credited on the courier fee reconciliation (fulfilment.services.claims, filled in apps.ready()).
- `Compensation` (AS-5): what the buyer got on a case — refund, resend, gift, coupon or cash — with the amount in fen.
  A refund never exceeds what was paid for the case's lines: `ceiling_fen` is what was still refundable when it was
  recorded (the case's `refundable_fen` less the refunds recorded before), and a database check holds the amount
  under it whatever code writes the row.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

STAFF = settings.AUTH_USER_MODEL


class ParcelStep(models.Model):
    """AS-4: one step of the parcel-problem checklist, ticked by a 工号 at a time."""

    class Step(models.TextChoices):  # the seeds' order (物流问题解答 步骤一 … 步骤六)
        CALM = "calm", _("Calm the buyer")
        RECORD = "record", _("Record the problem")
        ADDRESS = "address", _("Verify the address")
        COMPARE = "compare", _("Compare backend, waybill and buyer")
        CARRIER = "carrier", _("Ask the carrier")
        REPORT = "report", _("Report back to the buyer")

    case = models.ForeignKey("aftersales.Case", on_delete=models.CASCADE, related_name="parcel_steps", db_index=False)
    step = models.CharField(_("step"), max_length=10, choices=Step.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)
    done_by = models.ForeignKey(STAFF, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    done_at = models.DateTimeField(_("done at"))

    class Meta:
        verbose_name = _("parcel step")
        ordering = ["case_id", "done_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["case", "step"], name="uniq_parcel_step")]

    def __str__(self) -> str:
        return f"{self.case_id}:{self.step}"


class CarrierClaim(models.Model):
    """AS-4: a claim against the carrier for one parcel of a case (services/claims.py moves it)."""

    class Reason(models.TextChoices):
        LOST = "lost", _("lost")
        DAMAGED = "damaged", _("damaged")
        CONFISCATED = "confiscated", _("confiscated")

    class State(models.TextChoices):
        FILED = "filed", _("claim filed")
        ACCEPTED = "accepted", _("accepted by the carrier")
        PAID = "paid", _("paid")
        REJECTED = "rejected", _("rejected")
        WITHDRAWN = "withdrawn", _("withdrawn")

    case = models.ForeignKey("aftersales.Case", on_delete=models.PROTECT, related_name="claims")
    shop = models.ForeignKey("shops.Shop", on_delete=models.PROTECT, related_name="+", db_index=False)
    carrier = models.ForeignKey("fulfilment.Carrier", on_delete=models.PROTECT, related_name="+", db_index=False)
    waybill_no = models.CharField(_("waybill number"), max_length=40)
    reason = models.CharField(_("claim reason"), max_length=12, choices=Reason.choices)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.FILED)
    claimed_fen = models.BigIntegerField(_("amount claimed"))
    paid_fen = models.BigIntegerField(_("amount paid"), default=0)
    filed_on = models.DateField(_("filed on"))
    settled_at = models.DateTimeField(_("settled at"), null=True, blank=True)  # paid, rejected or withdrawn
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(STAFF, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("carrier claim")
        verbose_name_plural = _("carrier claims")
        ordering = ["-filed_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(claimed_fen__gte=1), name="claim_amount_positive"),
            # the carrier pays at most what was claimed, and only a paid claim has money
            models.CheckConstraint(
                condition=Q(paid_fen__gte=0, paid_fen__lte=F("claimed_fen")), name="claim_paid_within_claimed"
            ),
            models.CheckConstraint(condition=Q(state="paid") | Q(paid_fen=0), name="claim_paid_only_when_paid"),
        ]
        indexes = [
            # SHIP-5: the fee reconciliation credits a carrier's claims paid in a month; the carrier page lists them
            models.Index(fields=["carrier", "settled_at"], name="claim_carrier_settled"),
            models.Index(fields=["shop", "state"], name="claim_shop_state"),
        ]

    def __str__(self) -> str:
        return f"{self.waybill_no} {self.claimed_fen}"


class Compensation(models.Model):
    """AS-5: one compensation given to the buyer on a case, with its amount in fen."""

    class Kind(models.TextChoices):
        REFUND = "refund", _("refund")
        RESEND = "resend", _("resend")
        GIFT = "gift", _("gift")
        COUPON = "coupon", _("coupon")
        CASH = "cash", _("cash")

    case = models.ForeignKey("aftersales.Case", on_delete=models.PROTECT, related_name="compensations")
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    amount_fen = models.BigIntegerField(_("amount"))
    # AS-5: for a refund, what was still refundable for the case's lines when it was recorded
    ceiling_fen = models.BigIntegerField(null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(STAFF, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("compensation")
        ordering = ["case_id", "created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_fen__gte=0), name="compensation_not_negative"),
            # AS-5: a refund never exceeds what was paid for the case's lines (less the refunds before it)
            models.CheckConstraint(
                condition=~Q(kind="refund") | Q(ceiling_fen__isnull=False, amount_fen__lte=F("ceiling_fen")),
                name="compensation_refund_within_paid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}:{self.kind} {self.amount_fen}"
