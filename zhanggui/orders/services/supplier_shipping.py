"""Orders shipped by their supplier (PROD-10 代理发货): the supplier's tracking import (purchasing) publishes
DropshipShipped (core.domain_events) after its commit; here the order's lines that left are shipped and the order
moves on through its state machine — `states.move_locked`, so the one owner (`states.apply_moves`) applies the
consequences as for any other source.

Decision for orders with own-stock and dropship lines: each part ships on its own (our package, the supplier's
parcel). The order is 已发货 once every line has shipped, 部分发货 while the other part waits; the latest carrier and
tracking number go on the order. An order approved but not printed yet passes 待发货 first (the table's path). No
own stock is touched: dropship lines are never reserved (states.stock_lines).
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models import F

from zhanggui.core.domain_events import DropshipShipped, subscribe
from zhanggui.core.errors import DomainError
from zhanggui.core.events import record_event

from ..models import Order, OrderLine
from . import states

State = Order.State
SHIPPABLE = {State.APPROVED, State.TO_SHIP, State.PART_SHIPPED}
log = logging.getLogger(__name__)


def ship_supplier_lines(actor, order, lines, carrier: str, tracking_no: str) -> Order | None:
    """The supplier shipped `lines` [(SKU id, quantity)] of `order`: shipped quantities up, carrier and tracking on
    the order, 已发货 or 部分发货. An order not approved, closed or already shipped is left as it is (None)."""
    wanted: dict[int, int] = {}
    for sku_id, qty in lines:
        wanted[int(sku_id)] = wanted.get(int(sku_id), 0) + int(qty)
    with transaction.atomic():
        current = states.lock(order)
        if current.state not in SHIPPABLE:
            return None
        for line in current.lines.filter(sku_id__in=wanted, shipped_qty__lt=F("quantity")).order_by("line_no"):
            take = min(wanted[line.sku_id], line.quantity - line.shipped_qty)
            if take > 0:
                wanted[line.sku_id] -= take
                OrderLine.objects.filter(pk=line.pk).update(shipped_qty=F("shipped_qty") + take)
        everything = not OrderLine.objects.filter(order=current, shipped_qty__lt=F("quantity")).exists()
        note = f"供应商代发 {carrier} {tracking_no}".strip()
        if current.state == State.APPROVED:
            states.move_locked(current, State.TO_SHIP, actor, "代发订单由供应商发货")
        current.carrier, current.tracking_no = (carrier or "")[:30], (tracking_no or "")[:40]
        if everything or current.state == State.TO_SHIP:
            current.save(update_fields=["carrier", "tracking_no"])
            states.move_locked(current, State.SHIPPED if everything else State.PART_SHIPPED, actor, note)
        else:  # already 部分发货 and still waiting for the other part
            states.bump(current, ["carrier", "tracking_no"])
            record_event(actor, current, "order_state", note=note)
    states.sync(order, current)
    return current


def _on_dropship_shipped(event: DropshipShipped) -> None:
    order = Order.objects.filter(shop_id=event.shop_id, platform_order_no=event.reference).first()
    if order is None:  # a dropship order queued by hand for an order we do not hold
        return
    try:
        ship_supplier_lines(event.actor, order, event.lines, event.carrier, event.tracking_no)
    except DomainError as error:  # after the supplier file's commit: the file stands, the order waits for a person
        log.warning("dropship order %s shipped, order not moved: %s", event.reference, error.message)


def connect() -> None:
    subscribe(DropshipShipped, _on_dropship_shipped)
