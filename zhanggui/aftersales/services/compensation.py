"""Compensation (AS-5): what the buyer got on a case — 退款 refund, 补发 resend, 赠品 gift, 优惠券 coupon, 现金 cash —
each with its amount in fen, recorded per case (on its timeline with the 工号), totalled per case.

A refund never exceeds what was paid for the case's lines: the refunds recorded on a case together stay within its
`refundable_fen` (services/refunds.py computes it when the case is opened). The service checks it with the case row
locked and says so in Chinese; the row keeps `ceiling_fen` (what was still refundable) and a database check holds the
amount under it, whatever code writes the row.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Sum

from zhanggui.core.bounds import check_fen
from zhanggui.core.events import record_event, register_event_kinds
from zhanggui.core.money import format_fen

from ..models import OPEN_STATES, Case, Compensation
from . import refunds
from .errors import CaseInputError

Kind = Compensation.Kind
KIND_NAMES = {Kind.REFUND: "退款", Kind.RESEND: "补发", Kind.GIFT: "赠品", Kind.COUPON: "优惠券", Kind.CASH: "现金"}
NOTE_MAX = 200

register_event_kinds({"compensation": "补偿"})


def kind_label(kind: str) -> str:
    return KIND_NAMES.get(kind, str(kind or ""))


def refunded_on(case: Case) -> int:
    """The refunds recorded as compensation on the case, in fen."""
    return Compensation.objects.filter(case=case, kind=Kind.REFUND).aggregate(t=Sum("amount_fen"))["t"] or 0


def agreed_on(case: Case) -> int:
    """AS-5: the refund agreed on the case itself (待退款 or solved), which a refund compensation may not repeat."""
    return (case.agreed_refund_fen or 0) if case.state in refunds.AGREED_STATES else 0


def add(actor, case: Case, kind: str, amount_fen, note: str = "") -> Compensation:
    """AS-5: record a compensation on `case` (open or closed: a gift may follow the close)."""
    if kind not in Kind.values:
        raise CaseInputError("bad_kind", "补偿方式只能是退款、补发、赠品、优惠券或现金", "kind")
    if amount_fen in (None, ""):
        raise CaseInputError("amount_required", "请填写补偿金额", "amount_fen")
    amount = check_fen(amount_fen, "补偿金额", "amount_fen", low=1 if kind in (Kind.REFUND, Kind.CASH) else 0)
    note = str(note or "").strip()
    if len(note) > NOTE_MAX:
        raise CaseInputError("too_long", f"备注最多 {NOTE_MAX} 个字", "note")
    with transaction.atomic():
        current = Case.objects.select_for_update(of=("self",)).get(pk=case.pk)
        if current.state not in OPEN_STATES and kind == Kind.REFUND:
            raise CaseInputError("case_closed", f"售后单 {current.number} 已结束，退款请在售后单结束前登记", "kind")
        ceiling = None
        if kind == Kind.REFUND:
            ceiling = max(current.refundable_fen - agreed_on(current) - refunded_on(current), 0)
            refunds.check_amount(amount, ceiling, "退款补偿", "amount_fen")
        try:
            with transaction.atomic():
                row = Compensation.objects.create(
                    case=current, kind=kind, amount_fen=amount, ceiling_fen=ceiling, note=note,
                    created_by=actor if getattr(actor, "is_authenticated", False) else None,
                )  # fmt: skip
        except IntegrityError:  # the database's AS-5 check: never past what was paid
            raise CaseInputError("refund_over_paid", "退款超过了这些商品的实付金额", "amount_fen") from None
        record_event(actor, current, "compensation", to_state=f"{KIND_NAMES[kind]} {format_fen(amount)}", note=note)
    return row


def summary(case: Case, rows=None) -> dict:
    """AS-5: the case's compensations, the total, and the refund still possible."""
    rows = list(rows if rows is not None else case.compensations.select_related("created_by"))
    refunded = sum(r.amount_fen for r in rows if r.kind == Kind.REFUND)
    return {
        "rows": [{"row": r, "kind_label": kind_label(r.kind)} for r in rows],
        "total_fen": sum(r.amount_fen for r in rows),
        "refunded_fen": refunded,
        "refund_left_fen": max(case.refundable_fen - agreed_on(case) - refunded, 0),
    }
