"""One order (/orders/<id>/, ORD-3, ORD-6, ORD-7): a header (number, shop and platform, state, flag, exceptions, the
times with the SHIP-2 deadline, the amount paid), the actions as labelled buttons whose forms open on click — exactly
those of services.order_actions (the state machine's moves and what the role may do) — then the facts in the main
column (lines with their stock, receiver masked per role TEAM-5, message and remarks, packages, payment) and the
timeline on the right. A card with nothing to show is left out. Every form carries the version the page showed: a
change based on an older one is refused (stale_version)."""

from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import pgettext, pgettext_lazy
from django.views.decorators.http import require_POST

from zhanggui.core import clock
from zhanggui.core.access import page, scoped_get
from zhanggui.core.actions import run_action
from zhanggui.core.privacy import can_see_pii
from zhanggui.shops.settings_store import get_settings

from .. import detail_selectors, selectors
from ..models import Order, OrderLine
from ..services import deadlines, moves, order_actions, remarks, states
from ..services.remarks import FLAG_MEANING_KEYS, FLAG_NAMES
from . import confirm, custom, edit
from .common import CHANGE, FLAG_COLOURS, STATE_TONES, VIEW, clean_text, exceptions_of, present_receiver
from .payments import amount_due

State = Order.State
STOCK_VIEW = "inventory.view_stocklevel"
# The form a move needs: a reason (close, hold) or carrier + tracking (shipped elsewhere); others are one click.
REASON_MOVES = {State.CLOSED, State.ON_HOLD}
TRACKING_MOVES = {State.PART_SHIPPED, State.SHIPPED}


def load(user, order_id):
    """The order within the user's shops, else 404 (another shop's order does not exist here)."""
    lines = Prefetch("lines", queryset=OrderLine.objects.select_related("sku__product").order_by("line_no"))
    return scoped_get(Order.objects.select_related("shop__platform").prefetch_related(lines), user, pk=order_id)


def _move_label(order, to):
    if order.state == State.ON_HOLD and to != State.CLOSED:
        return _("Release hold")
    return {
        State.TO_REVIEW: _("Mark paid"),
        State.APPROVED: pgettext("order action", "Approve"),
        State.TO_SHIP: _("Send to printing"),
        State.PART_SHIPPED: pgettext("order action", "Partly shipped"),
        State.SHIPPED: pgettext("order action", "Shipped"),
        State.SIGNED: pgettext("order action", "Signed for"),
        State.COMPLETED: pgettext("order action", "Completed"),
        State.CLOSED: pgettext("sales order", "Close order"),
        State.ON_HOLD: _("Hold"),
    }.get(to, states.state_label(to))


def _actions(order, keys) -> dict[str, list[dict]]:
    """The buttons by group (state moves, edits, the two that stop an order) in the order of services.order_actions.
    `form`: which form the button opens ("" = it posts at once)."""
    edit_labels = {
        order_actions.EDIT_LINES: (pgettext("order action", "Change items"), "edit_lines"),
        order_actions.EDIT_ADDRESS: (_("Change address"), "edit_address"),
        order_actions.EDIT_CARRIER: (_("Change carrier"), "edit_carrier"),
        order_actions.REMARK: (_("Remark and flag"), "remark"),
        order_actions.CUSTOM_START: (_("Make it a customised order"), ""),
        order_actions.CONFIRM_PAYMENT: (_("Confirm money received"), "confirm_payment"),
    }
    groups: dict[str, list[dict]] = {"moves": [], "edits": [], "stop": []}
    for key in keys:
        if key.startswith("move:"):
            to = key.removeprefix("move:")
            form = "reason" if to in REASON_MOVES else "tracking" if to in TRACKING_MOVES else ""
            group = "stop" if to in REASON_MOVES else "moves"
            action = {"key": key, "to": to, "label": _move_label(order, to), "form": form}
        else:
            label, form = edit_labels[key]
            group = "moves" if key == order_actions.CONFIRM_PAYMENT else "edits"
            action = {"key": key, "to": "", "label": label, "form": form}
        action["id"] = "act-" + key.replace(":", "-").replace("_", "-")
        groups[group].append(action)
    # The furthest forward move first and standing out (已发货 before 部分发货, 交易成功 before 已签收); the rest are
    # quieter; closing and holding are red, at the end of the bar.
    groups["moves"].reverse()
    for n, action in enumerate(groups["moves"]):
        action["style"] = (
            "btn-success"
            if action["key"] == order_actions.CONFIRM_PAYMENT
            else ("btn-primary" if n == 0 else "btn-outline-primary")
        )
    for action in groups["edits"]:
        action["style"] = "btn-outline-secondary"
    for action in groups["stop"]:
        action["style"] = "btn-outline-danger"
    return groups


# ORD-4: what a line's goods are doing, and the badge colour.
STOCK_LABELS = {
    detail_selectors.RESERVED: (pgettext_lazy("line stock", "Reserved"), "success"),
    detail_selectors.COMMITTED: (pgettext_lazy("line stock", "Shipped out"), "secondary"),
    detail_selectors.RELEASED: (pgettext_lazy("line stock", "Released"), "secondary"),
    detail_selectors.SHORT: (pgettext_lazy("line stock", "Out of stock"), "danger"),
    detail_selectors.DROPSHIP: (pgettext_lazy("line stock", "Supplier ships"), "info"),
    detail_selectors.NOT_RESERVED: (pgettext_lazy("line stock", "Not reserved"), "secondary"),
    detail_selectors.UNMATCHED: ("", "secondary"),
}


def _lines(order, lines, user) -> list[dict]:
    # what is available matters only while the order still waits for its goods
    with_available = user.has_perm(STOCK_VIEW) and order.state in states.OPEN_STATES
    stock = detail_selectors.line_stock(order, lines, with_available=with_available)
    rows = []
    for ln in lines:
        s = stock[ln.line_no]
        label, tone = STOCK_LABELS[s["status"]]
        rows.append(
            {
                "line": ln,
                "subtotal_fen": ln.unit_price_fen * ln.quantity,
                "stock_label": label,
                "stock_qty": s["qty"],
                "stock_tone": tone,
                "available": s["available"],
            }
        )
    return rows


@page(VIEW)
def order_detail(request, order_id: int):
    user = request.user
    order = load(user, order_id)
    show = can_see_pii(user)
    lines = list(order.lines.all())
    keys = order_actions.order_actions(user, order, has_lines=bool(lines))
    shop_settings = get_settings(order.shop)
    remark_lines = [ln for ln in clean_text(order.seller_remark, user, show).split("\n") if ln]
    flag_meaning = str(shop_settings.get(FLAG_MEANING_KEYS.get(order.flag, ""), "") or "") if order.flag else ""
    context = {
        "order": order,
        "lines": _lines(order, lines, user),
        "receiver": present_receiver(order, user, show),
        "message": clean_text(order.buyer_message, user, show),
        "remark_lines": remark_lines,
        "state_label": states.state_label(order.state),
        "tone": STATE_TONES.get(order.state, "secondary"),
        "flag_name": FLAG_NAMES.get(order.flag, ""),
        "flag_colour": FLAG_COLOURS.get(order.flag, ""),
        "flag_meaning": flag_meaning,
        "flag_title": " · ".join(t for t in (FLAG_NAMES.get(order.flag, ""), flag_meaning, *remark_lines[-1:]) if t),
        "exceptions": exceptions_of(order),
        "deadline": deadlines.ship_deadline(order, shop_settings, clock.now()),  # SHIP-2
        "hold_label": states.state_label(order.state_before_hold) if order.state_before_hold else "",
        "waiting_for_money": order_actions.waiting_for_money(order),
        "packages": detail_selectors.packages_of(order, user),
        "timeline": selectors.timeline(order, user),
        "actions": _actions(order, keys),
        # the panels of other views modules (ORD-7 edits, ORD-8 custom work, ORD-4 confirmation)
        **edit.panel(order, keys),
        **custom.panel(request, order),
        **confirm.panel(request, order),
    }
    if order_actions.REMARK in keys:
        context["flags"] = [
            {
                "value": v,
                "name": FLAG_NAMES[v],
                "colour": FLAG_COLOURS.get(v, ""),
                "meaning": str(shop_settings.get(FLAG_MEANING_KEYS.get(v, ""), "") or ""),
            }
            for v in Order.Flag.values
        ]
    if order_actions.CONFIRM_PAYMENT in keys:
        context["amount_due"] = amount_due(order)
    return render(request, "orders/detail.html", context)


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
