"""One entry point for "move this order to state X" from a button or the API (ORD-7): picks the per-move function
of services.states so each move keeps its own side effects (reserve on payment, release on closing, the hold's
reason, carrier and tracking on shipping) and refuses what the transition table does not allow."""

from __future__ import annotations

from zhanggui.core.errors import DomainError

from ..models import Order
from . import states

State = Order.State


def move(actor, order: Order, to: str, *, version=None, note: str = "", reason: str = "", carrier="", tracking_no=""):
    """Move `order` to `to` (a State value) with the version the person saw; DomainError / IllegalTransition when
    refused (Chinese message)."""
    if to not in State.values:
        raise DomainError("bad_state", f"未知的订单状态：{to}", "to")
    if order.state == State.ON_HOLD and to != State.CLOSED:
        return states.release_hold(actor, order, version=version, note=note)
    if to == State.TO_REVIEW and order.state == State.PENDING_PAYMENT:
        return states.mark_paid(actor, order, version=version, note=note)
    if to == State.APPROVED:
        return states.approve(actor, order, version=version, note=note)
    if to == State.TO_SHIP:
        return states.send_to_ship(actor, order, version=version, note=note)
    if to == State.PART_SHIPPED:
        return states.ship_partly(actor, order, version=version, note=note, carrier=carrier, tracking_no=tracking_no)
    if to == State.SHIPPED:
        return states.ship(actor, order, version=version, note=note, carrier=carrier, tracking_no=tracking_no)
    if to == State.SIGNED:
        return states.sign(actor, order, version=version, note=note)
    if to == State.COMPLETED:
        return states.complete(actor, order, version=version, note=note)
    if to == State.CLOSED:
        return states.close(actor, order, reason or note, version=version, note=note if reason else "")
    if to == State.ON_HOLD:
        return states.hold(actor, order, reason or note, version=version, note=note if reason else "")
    return states.transition(order, to, actor, note, version)
