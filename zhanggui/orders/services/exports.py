"""Orders out as our own generic XLSX template (ORD-1): the columns of the `generic` format in data/formats.json
(one row per order line, the order's columns repeated on every row), so that an exported file imports back into a
shop with the generic reader and changes nothing — created 0, updated 0, every order unchanged.

Values are written the way the reader reads them: order numbers and phones as text (long numbers must not become
floats), amounts in yuan, times in Beijing wall time without zone, the order's own platform status text (or, for an
order that has none, the generic text of its state).
"""

from __future__ import annotations

import io
from decimal import Decimal

from zhanggui.channels.formats.reader import load_formats
from zhanggui.core import clock
from zhanggui.core.export_cells import safe_row

from ..models import Order

S = Order.State
# Our state → the generic template's status text (data/formats.json status_maps.generic, read the other way).
STATE_TEXT = {
    S.PENDING_PAYMENT: "待付款",
    S.TO_REVIEW: "待发货",
    S.APPROVED: "待发货",
    S.TO_SHIP: "待发货",
    S.PART_SHIPPED: "已发货",
    S.SHIPPED: "已发货",
    S.SIGNED: "已签收",
    S.COMPLETED: "已完成",
    S.CLOSED: "已关闭",
}


def columns() -> list[tuple[str, str]]:
    """[(field, header)] of the generic template, in the order of data/formats.json (first alias of each field)."""
    spec = load_formats()["formats"]["generic"]
    return [(name, aliases[0]) for name, aliases in spec["fields"].items()]


def _yuan(fen: int) -> Decimal:
    return Decimal(int(fen or 0)) / 100


def _time(moment) -> str:
    return clock.local(moment).strftime("%Y-%m-%d %H:%M:%S") if moment else ""


def _status(order: Order) -> str:
    if order.platform_status:
        return order.platform_status
    state = order.state_before_hold if order.state == S.ON_HOLD else order.state
    return STATE_TEXT.get(state, "")


def _order_values(order: Order) -> dict:
    return {
        "order_no": order.platform_order_no,
        "platform_status": _status(order),
        "ordered_at": _time(order.ordered_at),
        "paid_at": _time(order.paid_at),
        "buyer_nick": order.buyer_nick,
        "receiver_name": order.receiver_name,
        "receiver_phone": order.receiver_phone,
        "province": order.province,
        "city": order.city,
        "district": order.district,
        "address_detail": order.address_detail,
        "address_raw": order.address_raw,
        "postcode": order.postcode,
        "postage_fen": _yuan(order.postage_fen),
        "discount_fen": _yuan(order.discount_fen),
        "paid_fen": _yuan(order.paid_fen),
        "refund_fen": _yuan(order.refund_fen),
        "payment_method": order.payment_method,
        "buyer_message": order.buyer_message,
        "seller_remark": order.seller_remark,
        "carrier": order.carrier,
        "tracking_no": order.tracking_no,
    }


def export_orders(shop, orders) -> bytes:
    """ORD-1: the orders of `shop` (instances or a queryset) as our generic XLSX template, one row per line."""
    from openpyxl import Workbook

    cols = columns()
    book = Workbook(write_only=True)
    sheet = book.create_sheet("订单")
    sheet.append([header for _name, header in cols])
    ids = [o.pk for o in orders if o.shop_id == shop.pk]
    rows = Order.objects.filter(pk__in=ids).prefetch_related("lines").order_by("ordered_at", "pk")
    for order in rows:
        values = _order_values(order)
        for line in order.lines.all():
            values.update(
                {
                    "line.outer_code": line.outer_code,
                    "line.title": line.title,
                    "line.properties": line.properties,
                    "line.unit_price_fen": _yuan(line.unit_price_fen),
                    "line.quantity": line.quantity,
                }
            )
            sheet.append(safe_row([values.get(name, "") for name, _header in cols]))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
