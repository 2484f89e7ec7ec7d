"""What a person may do to one order now (the order page's buttons): the moves of the state machine
(`states.allowed_moves`, ORD-4 / ORD-5 / ORD-7 / ORD-8) and the edits, remarks and payment confirmation — each only
when the person's role may do it AND the order's state allows it. The page shows exactly these; the services still
refuse anything else (a stale page, another tab), so this answers "which buttons", never "is it allowed".

Actions are plain keys: ``move:<state>`` for a move, else one of ACTIONS (in the page's order)."""

from __future__ import annotations

from ..models import Order
from . import custom, edits, manual, states

CHANGE = "orders.change_order"

EDIT_LINES = "edit_lines"  # 改商品: exchange / change SKU, quantity (ORD-7)
EDIT_ADDRESS = "edit_address"  # 改地址 (ORD-7; only with the right to see buyer data, TEAM-5)
EDIT_CARRIER = "edit_carrier"  # 改快递 (ORD-2, ORD-7)
REMARK = "remark"  # 备注与旗帜 (ORD-3)
CUSTOM_START = "custom_start"  # 转为定制订单 (ORD-8)
CONFIRM_PAYMENT = "confirm_payment"  # 确认到账 of a bank transfer (ORD-5, finance)
ACTIONS = (EDIT_LINES, EDIT_ADDRESS, EDIT_CARRIER, REMARK, CUSTOM_START, CONFIRM_PAYMENT)


def move_key(to: str) -> str:
    return f"move:{to}"


def waiting_for_money(order: Order) -> bool:
    """ORD-5: a bank-transfer order on the finance hold (released only by confirming the money)."""
    return (
        order.payment_method == "bank"
        and order.state == Order.State.ON_HOLD
        and order.hold_reason == states.BANK_HOLD_REASON
    )


def order_actions(user, order: Order, *, has_lines: bool | None = None) -> list[str]:
    """The actions `user` may take on `order` now, in the page's order: moves first (the transition table's
    order), then edits, remark, custom work, payment confirmation. `has_lines` saves a query when the caller
    already holds the lines."""
    found: list[str] = []
    if user.has_perm(CHANGE):
        found += [move_key(to) for to in states.allowed_moves(order)]
        if edits.can_edit(order):  # ORD-7: before shipping only
            if has_lines is None:
                has_lines = order.lines.exists()
            if has_lines:
                found.append(EDIT_LINES)
            if edits.can_edit_address(user):  # TEAM-5: no edit of what one cannot see
                found.append(EDIT_ADDRESS)
            found.append(EDIT_CARRIER)
        found.append(REMARK)  # ORD-3: a remark or flag fits every state
        if order.kind != Order.Kind.CUSTOM and custom.can_start(order):
            found.append(CUSTOM_START)
    if manual.can_confirm_payment(user) and waiting_for_money(order):
        found.append(CONFIRM_PAYMENT)
    return found
