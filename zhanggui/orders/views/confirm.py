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
    """The detail page's confirmation card: shown for paid orders not yet shipped (and when already recorded)."""
    relevant = confirm.can_confirm(order)
    if not relevant and not (order.confirm_sent_at or order.buyer_confirmed_at):
        return {"confirm_panel": None}
    text, masked = confirm.text_for(request.user, order)
    can_change = relevant and request.user.has_perm(CHANGE)
    return {
        "confirm_panel": {
            "text": text,
            "masked": masked,
            "active": relevant,
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
