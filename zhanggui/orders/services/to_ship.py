"""已审核 → 待发货 of many orders at once (SHIP-1: a print batch sends its orders to 待发货), the rules of
`states.send_to_ship` set-based — beside the state machine (states.py) as approve_many and hold_many are in it, kept
apart only for the size of that file."""

from __future__ import annotations

from django.db import transaction

from ..models import Order
from .states import move_set

State = Order.State


def send_to_ship_many(actor, order_ids, note: str = "") -> list[Order]:
    """已审核 → 待发货 of many orders at once (a print batch, SHIP-1), in the caller's transaction: the orders locked
    in ONE SELECT … FOR UPDATE (pk order), one UPDATE, the timeline in one INSERT, `apply_moves` for the set — a
    fixed number of queries whatever the count. Orders no longer 已审核 (already 待发货 through another package of
    theirs, held or closed meanwhile) are left as they are. Returns the orders moved."""
    ids = sorted({int(getattr(o, "pk", o)) for o in order_ids})
    if not ids:
        return []
    with transaction.atomic():
        rows = list(
            Order.objects.select_for_update(of=("self",)).filter(pk__in=ids, state=State.APPROVED).order_by("pk")
        )
        move_set(actor, rows, State.TO_SHIP, note=note)
    return rows
