"""AS-5: how much may be refunded — never more than was paid for the lines of a case.

- `line_paid(lines)`: what the buyer paid for each order line (its paid share; when an export carried no share,
  the order's goods payment split by price × quantity).
- `refundable_for(order, picked)`: the ceiling of a case over `picked` = [(order line, quantity)]: the paid share of
  each line for the quantity taken (a part of a line pays its part, rounded down), or the whole paid amount of the
  order (postage included) when the case takes every piece of it. Stored on the case as `refundable_fen`, where a
  database check holds the requested and the agreed refund under it.
- `agreed_elsewhere(order, exclude)`: the refunds other cases of the order agreed (refund agreed or solved): a refund
  never takes the order's refunds past what the order paid (checked with the order row locked).
"""

from __future__ import annotations

from django.db.models import Sum

from zhanggui.core.money import format_fen
from zhanggui.orders.models import Order

from ..models import Case
from .errors import CaseInputError

# A refund agreed on these cases counts against the order's paid amount.
AGREED_STATES = (Case.State.REFUNDING, Case.State.DONE)


def line_paid(order: Order, lines) -> dict[int, int]:
    """{order line id: fen the buyer paid for the whole line}."""
    lines = list(lines)
    if any(ln.paid_fen for ln in lines) or not lines:
        return {ln.pk: max(ln.paid_fen, 0) for ln in lines}
    goods = max(order.paid_fen - order.postage_fen, 0)
    weights = {ln.pk: max(ln.unit_price_fen, 0) * ln.quantity for ln in lines}
    total = sum(weights.values())
    if not total:
        return {ln.pk: 0 for ln in lines}
    return {pk: goods * w // total for pk, w in weights.items()}


def refundable_for(order: Order, picked, all_lines=None) -> int:
    """AS-5: the most a case over `picked` [(order line, quantity)] may refund, in fen. `all_lines`: the order's
    lines when the caller has them loaded (bulk imports), else read."""
    picked = [(ln, int(qty)) for ln, qty in picked]
    if not picked:
        return 0
    all_lines = list(order.lines.all()) if all_lines is None else list(all_lines)
    taken = {ln.pk: qty for ln, qty in picked}
    if all_lines and all(taken.get(ln.pk, 0) >= ln.quantity for ln in all_lines):
        return max(order.paid_fen, 0)  # the whole order: what the buyer paid, postage included
    paid = line_paid(order, all_lines)
    return sum(paid.get(ln.pk, 0) * qty // ln.quantity for ln, qty in picked if ln.quantity)


def agreed_elsewhere(order: Order, exclude: Case | None = None) -> int:
    """The refunds other cases of the order agreed (refund agreed or solved), in fen."""
    qs = Case.objects.filter(order=order, state__in=AGREED_STATES, agreed_refund_fen__isnull=False)
    if exclude is not None:
        qs = qs.exclude(pk=exclude.pk)
    return qs.aggregate(total=Sum("agreed_refund_fen"))["total"] or 0


def check_amount(amount: int, refundable: int, what: str, field: str) -> None:
    """Refuse an amount above the ceiling, in words with both amounts."""
    if amount > refundable:
        raise CaseInputError(
            "refund_over_paid",
            f"{what} {format_fen(amount)} 超过了这些商品的实付金额 {format_fen(refundable)}，请核对数量或金额",
            field,
        )


def check_order_total(order: Order, amount: int, exclude: Case | None = None) -> None:
    """AS-5 across cases: the order's agreed refunds together never pass what the order paid (order row locked)."""
    other = agreed_elsewhere(order, exclude)
    if other + amount > order.paid_fen:
        left = max(order.paid_fen - other, 0)
        raise CaseInputError(
            "refund_over_order",
            f"订单 {order.platform_order_no} 已有其他售后单同意退款 {format_fen(other)}，"
            f"本单最多还能退 {format_fen(left)}",
            "agreed_refund_fen",
        )
