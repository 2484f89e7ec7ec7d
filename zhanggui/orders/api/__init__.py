"""Orders API (ORD-3, ORD-6, ORD-7, ORD-9): the list with the page's filters and a keyset cursor, one order (receiver
masked unless the caller may see buyer data, TEAM-5), adding a remark / flag, and moving an order to another
state. Same services and selectors as the pages; the version the caller read guards every change."""

import datetime as dt

from ninja import Router, Schema

from zhanggui.core.access import allowed_shop_or_404, allowed_shops, scoped_get
from zhanggui.core.apitools import api_route
from zhanggui.core.bounds import Reference
from zhanggui.core.privacy import can_see_pii

from .. import selectors
from ..models import Order
from ..services import moves, remarks, states
from ..views.common import CHANGE, VIEW, clean_text, present_receiver
from ..views.lists import lines_prefetch

router = Router(tags=["orders"])


class LineOut(Schema):
    line_no: int
    sku_id: int | None
    sku_code: str
    outer_code: str
    title: str
    properties: str
    unit_price_fen: int
    quantity: int
    paid_fen: int
    shipped_qty: int


class OrderOut(Schema):
    id: int
    shop_id: int
    shop: str
    platform_order_no: str
    state: str
    state_label: str
    platform_status: str
    version: int
    buyer_nick: str
    buyer_message: str
    seller_remark: str
    flag: str
    receiver_name: str
    receiver_phone: str
    receiver_address: str
    masked: bool
    goods_fen: int
    postage_fen: int
    discount_fen: int
    paid_fen: int
    refund_fen: int
    ordered_at: dt.datetime | None
    paid_at: dt.datetime | None
    shipped_at: dt.datetime | None
    carrier: str
    tracking_no: str
    exceptions: list[str]
    lines: list[LineOut]


class OrderDetailOut(OrderOut):
    allowed_moves: list[str]
    timeline: list[dict]


class OrderPage(Schema):
    tabs: dict[str, int]
    next_cursor: str | None
    prev_cursor: str | None
    items: list[OrderOut]


class RemarkIn(Schema):
    note: str = ""
    carrier: str = ""
    flag: str | None = None  # None: keep the flag, "": clear it
    version: Reference | None = None


class TransitionIn(Schema):
    to: str = ""  # checked by the service, after the shop scope (another shop's order answers 404 first)
    version: Reference | None = None
    note: str = ""
    reason: str = ""
    carrier: str = ""
    tracking_no: str = ""


def _out(order: Order, user, show: bool) -> dict:
    receiver = present_receiver(order, user, show)
    return {
        "id": order.pk,
        "shop_id": order.shop_id,
        "shop": order.shop.name,
        "platform_order_no": order.platform_order_no,
        "state": order.state,
        "state_label": states.state_label(order.state),
        "platform_status": order.platform_status,
        "version": order.version,
        "buyer_nick": order.buyer_nick,
        "buyer_message": clean_text(order.buyer_message, user, show),
        "seller_remark": clean_text(order.seller_remark, user, show),
        "flag": order.flag,
        "receiver_name": receiver["name"],
        "receiver_phone": receiver["phone"],
        "receiver_address": receiver["address"],
        "masked": receiver["masked"],
        **{f: getattr(order, f) for f in ("goods_fen", "postage_fen", "discount_fen", "paid_fen", "refund_fen")},
        **{f: getattr(order, f) for f in ("ordered_at", "paid_at", "shipped_at", "carrier", "tracking_no")},
        "exceptions": [name for name in selectors.EXCEPTION_FIELDS if getattr(order, name)],
        "lines": [
            {
                "line_no": ln.line_no,
                "sku_id": ln.sku_id,
                "sku_code": ln.sku.code if ln.sku else "",
                **{
                    f: getattr(ln, f)
                    for f in ("outer_code", "title", "properties", "unit_price_fen", "quantity", "paid_fen")
                },
                "shipped_qty": ln.shipped_qty,
            }
            for ln in order.lines.all()
        ],
    }


def _base():
    return Order.objects.select_related("shop").prefetch_related(lines_prefetch())


def _detail(order_id: int, user) -> dict:
    order = scoped_get(_base(), user, pk=order_id)
    show = can_see_pii(user)
    return {
        **_out(order, user, show),
        "allowed_moves": states.allowed_moves(order),
        "timeline": [{k: v for k, v in e.items() if k != "object_label"} for e in selectors.timeline(order, user)],
    }


@api_route(router.get, "/orders", perm=VIEW, response=OrderPage)
def list_orders(
    request,
    tab: str = "all",
    shop_id: int | None = None,
    q: str = "",
    flag: str = "",
    carrier: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    cursor: str = "",
    before: str = "",
    limit: int = selectors.PAGE_SIZE,
):
    """ORD-6/ORD-9: orders of the caller's shops (or `shop_id`), newest first. `tab`: all, a state, or an exception
    queue (exc_out_of_stock, exc_address, exc_unmatched, exc_refund, exc_risk, exc_no_lines). Pass `next_cursor`
    back as `cursor` for the next page (`prev_cursor` as `before` for the previous one); `tabs` counts every tab under
    the filters."""
    shops = [allowed_shop_or_404(request.user, shop_id)] if shop_id else allowed_shops(request.user)
    filters = selectors.Filters.from_query({"q": q, "flag": flag, "carrier": carrier, "from": date_from, "to": date_to})
    base = selectors.filtered(shops, filters)
    tab = tab if tab in selectors.TABS else "all"
    page = selectors.keyset_page(
        selectors.in_tab(base, tab).select_related("shop").prefetch_related(lines_prefetch()),
        after=cursor or None,
        before=before or None,
        size=max(1, min(limit, 500)),
    )
    show = can_see_pii(request.user)
    return {
        "tabs": selectors.tab_counts(base),
        "next_cursor": page.next_cursor,
        "prev_cursor": page.prev_cursor,
        "items": [_out(o, request.user, show) for o in page.rows],
    }


@api_route(router.get, "/orders/{order_id}", perm=VIEW, response=OrderDetailOut)
def get_order(request, order_id: int):
    """One order with its lines, allowed moves and timeline; receiver masked per role (TEAM-5)."""
    return _detail(order_id, request.user)


@api_route(router.post, "/orders/{order_id}/remarks", perm=CHANGE, response=OrderDetailOut)
def add_remark(request, order_id: int, payload: RemarkIn):
    """ORD-3: append "<工号> <快递> <备注>" to the seller remark; `flag` sets the colour ("" clears it)."""
    order = scoped_get(Order.objects.all(), request.user, pk=order_id)
    remarks.add_remark(request.user, order, payload.note, payload.carrier, flag=payload.flag, version=payload.version)
    return _detail(order_id, request.user)


@api_route(router.post, "/orders/{order_id}/transitions", perm=CHANGE, response=OrderDetailOut)
def transition_order(request, order_id: int, payload: TransitionIn):
    """ORD-7: move the order to state `to` (see `allowed_moves`); closing and holding need a `reason` (or `note`),
    shipping may carry `carrier` and `tracking_no`. An older `version` is refused (409-style stale_version)."""
    order = scoped_get(Order.objects.all(), request.user, pk=order_id)
    moves.move(
        request.user,
        order,
        payload.to,
        version=payload.version,
        note=payload.note,
        reason=payload.reason,
        carrier=payload.carrier,
        tracking_no=payload.tracking_no,
    )
    return _detail(order_id, request.user)


# The other order areas' routes (ORD-7 edits, ORD-8 custom work, ORD-4/5 confirmation and payment). Imported last:
# they reuse this module's schemas and helpers.
from . import confirm, custom, edit  # noqa: E402

for _module in (edit, custom, confirm):
    router.add_router("", _module.router)
