"""ORD-4 on the order detail page: the confirmation message for the buyer (copy, 已发送, 买家已确认) and its times.
The message is masked for roles without buyer-data rights (TEAM-5), who get no copy or send button."""

from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhanggui.core.access import page
from zhanggui.core.actions import run_action

from ..services import confirm
from .common import CHANGE


def panel(request, order) -> dict:
    """The detail page's confirmation card: for people who may send or record it, on paid orders not yet shipped;
    for everyone once something was recorded (then read-only: the times, not the message — a card only shows what
    its reader can use)."""
    relevant = confirm.can_confirm(order)
    recorded = bool(order.confirm_sent_at or order.buyer_confirmed_at)
    can_change = relevant and request.user.has_perm(CHANGE)
    if not (can_change or recorded):
        return {"confirm_panel": None}
    text, masked = confirm.text_for(request.user, order)
    return {
        "confirm_panel": {
            "text": text,
            "masked": masked,
            "active": relevant,
            "show_text": can_change,  # the message is for whoever sends or records it
            "can_send": can_change and not masked,
            "can_confirm": can_change and order.buyer_confirmed_at is None,
            "sent_at": order.confirm_sent_at,
            "confirmed_at": order.buyer_confirmed_at,
        }
    }


def _load(user, order_id):
    from .detail import load  # detail imports this module for the panel

    return load(user, order_id)


@require_POST
@page(CHANGE)
def sent_view(request, order_id: int):
    order = _load(request.user, order_id)
    run_action(
        request,
        lambda: confirm.mark_sent(request.user, order, version=request.POST.get("version") or None),
        _("Marked as sent to the buyer"),
    )
    return redirect("orders:detail", order_id=order.pk)


@require_POST
@page(CHANGE)
def confirmed_view(request, order_id: int):
    order = _load(request.user, order_id)
    p = request.POST
    run_action(
        request,
        lambda: confirm.mark_confirmed(request.user, order, version=p.get("version") or None, note=p.get("note", "")),
        _("The buyer confirmed the receiving details"),
    )
    return redirect("orders:detail", order_id=order.pk)


urls = [
    path("<int:order_id>/confirmation/sent/", sent_view, name="confirm_sent"),
    path("<int:order_id>/confirmation/confirmed/", confirmed_view, name="confirm_confirmed"),
]
