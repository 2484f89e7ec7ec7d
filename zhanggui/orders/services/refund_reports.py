"""Refunds as orders see them (ORD-9, AS-2): what the order import reports, the 退款申请 queue, and the order a
refund before shipping closes. Orders never import after-sales (rule 2 of the house): the import publishes
RefundsReported for after-sales to turn into cases, and after-sales calls the two services below.

- `report_batch(actor, shop_id, orders, changed)`: after an import batch, the orders it created or changed whose
  export shows a refund (amount refunded, or a refund still open) are published as RefundsReported (after the
  batch commits). An order first seen already completed or closed is history: its refund ended before we knew the
  order, nothing is left to handle, no case is made.
- `set_refund_requested(order_ids, on)`: ORD-9 退款申请 — the flag (exc_refund) of the orders, set while a refund is
  open on them and cleared when none is; never for an order completed or closed (its refund ended). One UPDATE.
- `close_refunded(actor, order_ids, note)`: a refund before shipping that takes everything the order paid closes
  it, set-based, in the caller's transaction: the orders are locked (pk order, like ship_package, so a refund and
  a ship racing queue up on the order row), only those still unshipped move (to_review, approved, to_ship, on
  hold, nothing shipped); the ONE owner of the consequences (states.apply_moves) releases their reservation and
  delivers OrdersMoved, on which fulfilment cancels — and, when already printed, intercepts (拦截) — their package.
  Returns the ids closed; an order shipped meanwhile is not closed (its refund is an after-shipping one).
"""

from __future__ import annotations

from zhanggui.core import clock
from zhanggui.core.domain_events import RefundReport, RefundsReported, publish

from ..models import Order, OrderLine
from . import states

S = Order.State
UNSHIPPED = {S.TO_REVIEW, S.APPROVED, S.TO_SHIP, S.ON_HOLD}
ENDED = {S.COMPLETED, S.CLOSED}
CLOSE_REASON = "发货前全额退款"


def report_batch(actor, shop_id: int, orders, changed: dict) -> None:
    """RefundsReported for the orders of an import batch whose export shows a refund. `orders`: the batch's
    ParsedOrders; `changed`: {order no: (id, state, state_before_hold, created)} of those created or updated."""
    reports = []
    for order in orders:
        found = changed.get(order.platform_order_no)
        if found is None or not (order.refund_fen > 0 or order.refund_open):
            continue
        pk, state, held, created = found
        if created and state in ENDED:
            continue  # history: refunded before we knew the order
        reports.append(
            RefundReport(
                order_id=pk,
                order_no=order.platform_order_no,
                state=held if state == S.ON_HOLD and held else state,
                refund_fen=order.refund_fen,
                paid_fen=order.paid_fen,
                status=(order.platform_status or "")[:40],
                refund_open=bool(order.refund_open),
            )
        )
    if reports:
        publish(RefundsReported(shop_id=shop_id, reports=tuple(reports), actor=actor))


def set_refund_requested(order_ids, on: bool) -> int:
    """ORD-9 退款申请: set (on) or clear the flag of these orders — not of orders completed or closed."""
    ids = sorted({int(i) for i in order_ids})
    if not ids:
        return 0
    qs = Order.objects.filter(pk__in=ids, exc_refund=not on)
    if on:
        qs = qs.exclude(state__in=ENDED)
    return qs.update(exc_refund=on, updated_at=clock.now())


def _unshipped(order: Order) -> bool:
    held_from = order.state_before_hold if order.state == S.ON_HOLD else order.state
    return order.state in UNSHIPPED and held_from in UNSHIPPED


def close_refunded(actor, order_ids, note: str = "") -> list[int]:
    """Close the orders refunded in full before shipping (module text); the ids closed."""
    ids = sorted({int(i) for i in order_ids})
    if not ids:
        return []
    shipped = set(OrderLine.objects.filter(order_id__in=ids, shipped_qty__gt=0).values_list("order_id", flat=True))
    movable, _refused = states.lock_movable(
        ids,
        S.CLOSED,
        allowed=lambda o: _unshipped(o) and o.pk not in shipped and S.CLOSED in states.TRANSITIONS[o.state],
    )
    if not movable:
        return []
    now = clock.now()
    states.move_set(
        actor,
        movable,
        S.CLOSED,
        note=note,
        reason=CLOSE_REASON,
        also={"closed_at": now, "exc_refund": False, "state_before_hold": "", "hold_reason": ""},
    )
    return [o.pk for o in movable]
