"""SHIP-2 "if goods are missing, CS is told at once": the moment an order goes into the out-of-stock queue
(exc_out_of_stock, ORD-9), the owner of the queue's duty (缺货订单跟进, data/queues.json) gets a task to contact the
buyer about an exchange or a refund. One task per order (source "missing:<order id>"), whatever marks the order
short and however often; the at-risk page's button uses the same function for goods found short later."""

from __future__ import annotations

from django.urls import reverse

from zhanggui.team.tasks_service import assign_to_duty

MISSING_TITLE = "缺货：联系买家换货或退款"
QUEUE = "exc_out_of_stock"


def tell_customer_service(actor, orders) -> list:
    """SHIP-2: a task for the out-of-stock duty's owner per order in `orders` not yet tasked. Returns the new tasks."""
    from ..selectors import queue_duties

    orders = list(orders)
    if not orders:
        return []
    role_code, duty_title = queue_duties()[QUEUE]
    items = [
        {
            "title": f"{MISSING_TITLE}（{order.platform_order_no}）",
            "detail": f"订单 {order.platform_order_no}（买家 {order.buyer_nick or '—'}）有商品缺货，不能按时发货，"
            "请联系买家换货或退款。",
            "url": reverse("orders:detail", args=[order.pk]),
            "source": f"missing:{order.pk}",
            "shop_id": order.shop_id,
        }
        for order in orders
    ]
    return assign_to_duty(actor, role_code, duty_title, items, rule="SHIP-2")
