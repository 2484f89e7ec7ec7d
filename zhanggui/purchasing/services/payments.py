"""Paying suppliers for purchase orders (PUR-2, PUR-3): never more than is due, never dated in the future."""

from __future__ import annotations

from django.db import transaction

from zhanggui.core import clock
from zhanggui.core.bounds import check_total_fen
from zhanggui.core.errors import DomainError
from zhanggui.core.events import record_event
from zhanggui.core.money import format_fen

from ..models import Payment
from ..selectors import order_figures
from .orders import PAYABLE, bump, lock, staff_or_none, state_label

METHOD_NAMES = {"bank": "银行转账", "alipay": "支付宝", "wechat": "微信支付", "cash": "现金"}


def add_payment(actor, order, *, amount_fen, paid_on=None, method: str = "bank", note: str = "", version=None):
    """PUR-2, PUR-3: money paid to the supplier for a placed order. Never more than amount + transport − paid
    (amount: see `order_figures`); not dated in the future."""
    amount = check_total_fen(amount_fen, "付款金额", "amount", low=1)  # rule 7: one payment, the company's bound
    paid_on = paid_on or clock.today()
    if paid_on > clock.today():
        raise DomainError("future_date", "付款日期不能晚于今天", "paid_on")
    if method not in Payment.Method.values:
        raise DomainError("bad_method", "付款方式无效", "method")
    with transaction.atomic():
        order = lock(order, version)
        if order.state not in PAYABLE:
            raise DomainError(
                "not_payable", f"采购单 {order.number} 为“{state_label(order.state)}”，下单后才能付款", "state"
            )
        fig = order_figures([order.pk])[order.pk]
        due = fig.amount + order.transport_cost_fen
        if fig.paid + amount > due:
            raise DomainError(
                "overpaid",
                f"付款超出应付：应付 {format_fen(due)}"
                f"（货款 {format_fen(fig.amount)} + 运费 {format_fen(order.transport_cost_fen)}），"
                f"已付 {format_fen(fig.paid)}，最多还能付 {format_fen(max(due - fig.paid, 0))}",
                "amount",
            )
        payment = Payment.objects.create(
            order=order,
            amount_fen=amount,
            paid_on=paid_on,
            method=method,
            note=str(note or "")[:200],
            actor=staff_or_none(actor),
        )
        bump(order, [])
        record_event(
            actor,
            order,
            "po_payment",
            to_state=format_fen(amount),
            note=f"{METHOD_NAMES[method]} {paid_on}，累计已付 {format_fen(fig.paid + amount)}，"
            f"尚欠 {format_fen(due - fig.paid - amount)} {note}".strip(),
        )
    return payment
