"""ORD-5 for finance (/orders/payments/): bank-transfer orders held until the money is confirmed, oldest first, each
with a bank + amount form (→ services.manual.confirm_payment: hold released, green flag, ORD-3), and the transfers
confirmed in the last 7 days below."""

import datetime as dt

from django.contrib.contenttypes.models import ContentType
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhanggui.core import clock
from zhanggui.core.access import page, scoped_get
from zhanggui.core.actions import run_action
from zhanggui.core.errors import DomainError
from zhanggui.core.events import present_event
from zhanggui.core.models import Event
from zhanggui.core.money import yuan_to_fen
from zhanggui.core.privacy import can_see_pii

from ..models import Order
from ..selectors import waiting_bank_orders
from ..services import manual
from .common import clean_text

CONFIRM_PAYMENT = manual.CONFIRM_PAYMENT_PERM
RECENT_DAYS = 7
LONG_WAIT = dt.timedelta(days=1)  # highlighted: the buyer has waited a day for the shipment
LIMIT = 500  # a finance desk with more waiting transfers than this has a bigger problem than paging


def amount_due(order) -> int:
    """What the buyer should have transferred (the same figure confirm_payment checks against)."""
    return order.paid_fen or order.goods_fen + order.postage_fen - order.discount_fen


def recently_confirmed(shops, user, days: int = RECENT_DAYS) -> list[dict]:
    """The confirmations (timeline kind order_payment) of the last `days` days in `shops`, newest first."""
    since = clock.now() - dt.timedelta(days=days)
    events = list(
        Event.objects.filter(
            content_type=ContentType.objects.get_for_model(Order), kind="order_payment", at__gte=since, shop__in=shops
        )
        .select_related("actor", "content_type")
        .order_by("-at", "-id")[:LIMIT]
    )
    orders = Order.objects.select_related("shop").in_bulk([int(e.object_id) for e in events])
    rows = []
    for event in events:
        order = orders.get(int(event.object_id))
        if order is not None:
            rows.append({"event": present_event(event, user), "order": order})
    return rows


@page(CONFIRM_PAYMENT)
def payments_page(request):
    shops = request.scope.shops
    now = clock.now()
    show = can_see_pii(request.user)
    waiting = [
        {
            "order": o,
            "buyer": clean_text(o.buyer_nick, request.user, show),
            "due": amount_due(o),
            "since": o.paid_at or o.ordered_at,  # held since payment (mark_paid holds at once)
        }
        for o in waiting_bank_orders(shops)[:LIMIT]
    ]
    for row in waiting:
        row["long"] = bool(row["since"]) and now - row["since"] > LONG_WAIT
    return render(
        request,
        "orders/payments.html",
        {
            "waiting": waiting,
            "recent": recently_confirmed(shops, request.user),
            "recent_days": RECENT_DAYS,
            "scope_current": request.scope.current,
        },
    )


def _amount_fen(raw) -> int:
    try:
        return yuan_to_fen(raw)
    except DomainError as exc:
        raise DomainError(exc.code, exc.message, "amount_fen") from None


@require_POST
@page(CONFIRM_PAYMENT)
def confirm_view(request, order_id: int):
    """ORD-5: one transfer confirmed (bank + amount in yuan); the service checks the amount and releases the hold."""
    order = scoped_get(Order.objects.all(), request.user, pk=order_id)
    p = request.POST
    run_action(
        request,
        lambda: manual.confirm_payment(
            request.user,
            order,
            bank=p.get("bank", ""),
            amount_fen=_amount_fen(p.get("amount", "")),
            version=p.get("version") or None,
        ),
        lambda o: _("Payment confirmed: ") + o.platform_order_no,
    )
    if p.get("back") == "order":  # the order page's 确认到账 button returns to the order
        return redirect("orders:detail", order_id=order.pk)
    return redirect("orders:payments")


urls = [
    path("payments/", payments_page, name="payments"),
    path("payments/<int:order_id>/confirm/", confirm_view, name="payment_confirm"),
]
