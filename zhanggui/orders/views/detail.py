"""One order (/orders/<id>/, ORD-3, ORD-7): header with its state and the moves allowed now, lines, payment,
receiver (masked per role, TEAM-5), the buyer's message, remarks with the add-remark form, exceptions, timeline.
Every form carries the version the page showed: a change based on an older one is refused (stale_version)."""

from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from zhanggui.core.access import page, scoped_get
from zhanggui.core.actions import run_action
from zhanggui.core.privacy import can_see_pii

from .. import selectors
from ..models import Order, OrderLine
from ..services import moves, remarks, states
from ..services.remarks import FLAG_NAMES
from . import confirm, custom, edit
from .common import CHANGE, FLAG_COLOURS, STATE_TONES, VIEW, clean_text, exceptions_of, present_receiver

# Buttons that need more than a click: a reason (close, hold) or carrier + tracking (shipping).
NEEDS_REASON = {Order.State.CLOSED, Order.State.ON_HOLD}
NEEDS_TRACKING = {Order.State.PART_SHIPPED, Order.State.SHIPPED}
DANGER = {Order.State.CLOSED, Order.State.ON_HOLD}


def load(user, order_id):
    """The order within the user's shops, else 404 (another shop's order does not exist here)."""
    lines = Prefetch("lines", queryset=OrderLine.objects.select_related("sku__product").order_by("line_no"))
    return scoped_get(Order.objects.select_related("shop__platform").prefetch_related(lines), user, pk=order_id)


def _move_label(order, to):
    if order.state == Order.State.ON_HOLD and to != Order.State.CLOSED:
        return _("Release hold")
    return {
        Order.State.TO_REVIEW: _("Mark paid"),
        Order.State.APPROVED: _("Approve"),
        Order.State.TO_SHIP: _("Send to printing"),
        Order.State.PART_SHIPPED: _("Partly shipped"),
        Order.State.SHIPPED: pgettext("order action", "Shipped"),
        Order.State.SIGNED: _("Signed for"),
        Order.State.COMPLETED: _("Completed"),
        Order.State.CLOSED: pgettext("sales order", "Close order"),
        Order.State.ON_HOLD: _("Hold"),
    }.get(to, states.state_label(to))


@page(VIEW)
def order_detail(request, order_id: int):
    order = load(request.user, order_id)
    show = can_see_pii(request.user)
    can_change = request.user.has_perm(CHANGE)
    moves_ = [
        {
            "to": to,
            "label": _move_label(order, to),
            "reason": to in NEEDS_REASON,
            "tracking": to in NEEDS_TRACKING,
            "danger": to in DANGER,
        }
        for to in states.allowed_moves(order)
    ]
    flags = [
        {
            "value": v,
            "name": FLAG_NAMES[v],
            "colour": FLAG_COLOURS.get(v, ""),
            "meaning": remarks.flag_meaning(order.shop, v),
        }
        for v in Order.Flag.values
    ]
    return render(
        request,
        "orders/detail.html",
        {
            "order": order,
            "lines": list(order.lines.all()),
            "receiver": present_receiver(order, request.user, show),
            "message": clean_text(order.buyer_message, request.user, show),
            "remark_lines": [ln for ln in clean_text(order.seller_remark, request.user, show).split("\n") if ln],
            "state_label": states.state_label(order.state),
            "tone": STATE_TONES.get(order.state, "secondary"),
            "moves": moves_ if can_change else [],
            "can_change": can_change,
            "flags": flags,
            "flag_name": FLAG_NAMES.get(order.flag, ""),
            "flag_colour": FLAG_COLOURS.get(order.flag, ""),
            "flag_meaning": remarks.flag_meaning(order.shop, order.flag) if order.flag else "",
            "exceptions": exceptions_of(order),
            "timeline": selectors.timeline(order, request.user),
            "hold_label": states.state_label(order.state_before_hold) if order.state_before_hold else "",
            # the panels of other views modules (ORD-7 edits, ORD-8 custom work, ORD-4 confirmation)
            **edit.panel(request, order),
            **custom.panel(request, order),
            **confirm.panel(request, order),
        },
    )


@require_POST
@page(CHANGE)
def move_view(request, order_id: int):
    """A state button (ORD-7): the service decides; refusals (illegal move, stale version) come back as messages."""
    order = load(request.user, order_id)
    p = request.POST
    to = p.get("to", "")
    run_action(
        request,
        lambda: moves.move(
            request.user,
            order,
            to,
            version=p.get("version") or None,
            note=p.get("note", ""),
            reason=p.get("reason", ""),
            carrier=p.get("carrier", ""),
            tracking_no=p.get("tracking_no", ""),
        ),
        lambda o: _("Order is now: ") + states.state_label(o.state),
    )
    return redirect("orders:detail", order_id=order.pk)


@require_POST
@page(CHANGE)
def remark_view(request, order_id: int):
    """ORD-3: append 工号 + 快递 + 备注 and optionally change the flag."""
    order = load(request.user, order_id)
    p = request.POST
    flag = p.get("flag")
    run_action(
        request,
        lambda: remarks.add_remark(
            request.user,
            order,
            p.get("note", ""),
            p.get("carrier", ""),
            flag=None if flag in (None, "keep") else flag,
            version=p.get("version") or None,
        ),
        _("Remark saved"),
    )
    return redirect("orders:detail", order_id=order.pk)


urls = [
    path("<int:order_id>/", order_detail, name="detail"),
    path("<int:order_id>/move/", move_view, name="move"),
    path("<int:order_id>/remark/", remark_view, name="remark"),
]
