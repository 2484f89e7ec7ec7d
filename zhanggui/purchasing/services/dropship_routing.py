"""Dropship orders (PROD-10) driven by the order flow, through domain events only (core.domain_events): purchasing
does not import orders or fulfilment, and they do not import purchasing (rule 2 of the house).

- DropshipRequested (fulfilment, when 审单 approves an order with dropship lines): the lines go on the supplier's
  dropship list — one dropship order per preferred supplier (`dropship.queue_dropships`, set-based), in the approval's
  transaction, so an order whose dropship product has no supplier is refused with the reason and nothing is half
  done.
- OrdersMoved (orders.states.apply_moves): a closed order (cancelled, refunded) cancels its dropship orders that the
  supplier has not shipped.

The way back — the supplier's tracking import ships the order — is DropshipShipped, published by
`dropship.import_tracking` and heard by the orders app (orders/services/supplier_shipping.py).
"""

from __future__ import annotations

from zhanggui.core.domain_events import DropshipRequested, OrdersMoved, subscribe
from zhanggui.core.errors import DomainError

from ..models import DropshipOrder
from .dropship import DropshipRefused, DropshipWanted, cancel_dropship, queue_dropships

CLOSED = "closed"  # orders.Order.State.CLOSED (purchasing does not import orders)


def _on_dropship_requested(event: DropshipRequested) -> None:
    """All the batch's requests at once (house rule 8: an 审单 batch stays a fixed number of queries)."""
    wanted = [
        DropshipWanted(
            r.shop_id,
            r.reference,
            r.lines,
            r.receiver_name,
            r.receiver_phone,
            r.receiver_address,
            r.buyer_note,
        )
        for r in event.requests
    ]
    try:
        queue_dropships(event.actor, wanted)
    except DropshipRefused as refused:  # the approval is refused: say which order and why
        error, reference = refused.error, event.requests[refused.index].reference
        raise DomainError(error.code, f"订单 {reference}：{error.message}", error.field, error.details) from None


def _on_orders_moved(event: OrdersMoved) -> None:
    closed = [m.order for m in event.moves if m.to == CLOSED and m.before]
    if not closed:
        return
    by_shop: dict[int, list[str]] = {}
    for order in closed:
        by_shop.setdefault(order.shop_id, []).append(order.platform_order_no)
    open_states = [DropshipOrder.State.PENDING, DropshipOrder.State.SENT]
    for shop_id, references in by_shop.items():
        found = DropshipOrder.objects.filter(shop_id=shop_id, reference__in=references, state__in=open_states)
        for dropship_order in found.order_by("pk"):
            cancel_dropship(event.actor, dropship_order, note=f"订单 {dropship_order.reference} 已关闭")


def connect() -> None:
    subscribe(DropshipRequested, _on_dropship_requested)
    subscribe(OrdersMoved, _on_orders_moved)
