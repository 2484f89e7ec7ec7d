"""SHIP-2 at-risk queue (/shipping/at-risk/) and SHIP-4 after-shipping messages (/shipping/messages/?day=). The
rules are in services/sla.py and services/notify.py; these views read the form, call them and render."""

import datetime as dt

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhanggui.core import clock
from zhanggui.core.access import has_access, page
from zhanggui.core.actions import posted_object, run_action
from zhanggui.orders.services import deadlines

from ..models import Package
from ..services import notify, sla
from .common import REVIEW, VIEW

PER_PAGE = 100


@page(VIEW)
def at_risk(request):
    """SHIP-2: every late and due-soon parcel, grouped by shop, a page at a time; the overdue count is the order
    list's 超时未发货 query (orders.services.deadlines)."""
    shops = request.scope.shops
    now = clock.now()
    rows = sla.at_risk(shops, now)
    page_obj = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "rows": page_obj.object_list,
        "page_obj": page_obj,
        "total": len(rows),
        "summary": sla.shop_summary(rows),
        "overdue": deadlines.overdue_orders(shops, now).count(),
        "now": now,
        "can_act": has_access(request.user, REVIEW),
    }
    return render(request, "fulfilment/at_risk.html", context)


@require_POST
@page(REVIEW)
def refresh_deadlines(request):
    """Recompute the open packages' deadlines of the shops in view (after the SHIP-2 settings changed)."""
    run_action(
        request,
        lambda: sum(sla.refresh_deadlines(request.user, shop) for shop in request.scope.shops),
        lambda n: _("Deadlines recomputed: {count} packages changed.").format(count=n),
    )
    return redirect("fulfilment:at_risk")


@require_POST
@page(REVIEW)
def flag_missing(request):
    """SHIP-2: one task for customer service per order short of goods."""
    run_action(
        request,
        lambda: sum(len(sla.flag_missing_goods(request.user, shop)) for shop in request.scope.shops),
        lambda n: _("Customer service tasks created for missing goods: {count}.").format(count=n),
    )
    return redirect("fulfilment:at_risk")


def _day(request) -> dt.date:
    text = request.GET.get("day") or ""
    try:
        return dt.date.fromisoformat(text) if text else clock.today()
    except ValueError:
        messages.error(request, f"日期格式不正确：“{text}”")
        return clock.today()


@page(VIEW)
def shipped_messages(request):
    day = _day(request)
    packages = list(notify.shipped_on(request.scope.shops, day)[:500])
    sent = notify.sent_ids(packages)
    rows = [{"package": p, "message": notify.shipped_message(p), "sent": p.pk in sent} for p in packages]
    context = {
        "rows": rows,
        "day": day,
        "today": clock.today(),
        "prev_day": day - dt.timedelta(days=1),
        "next_day": day + dt.timedelta(days=1),
        "unsent": sum(not r["sent"] for r in rows),
    }
    return render(request, "fulfilment/messages.html", context)


@require_POST
@page(VIEW)
def mark_message_sent(request):
    """SHIP-4: the message was copied into the platform chat and sent."""
    gone = "包裹不存在或不在当前店铺范围内"
    qs = Package.objects.filter(shop__in=request.scope.shops)
    run_action(
        request,
        lambda: notify.mark_sent(request.user, posted_object(qs, request, "package", gone)),
        lambda p: _("Marked as sent: {number}").format(number=p.package_no),
    )
    day = request.POST.get("day") or ""
    return redirect(reverse("fulfilment:messages") + (f"?day={day}" if day else ""))


urls = [
    path("at-risk/", at_risk, name="at_risk"),
    path("at-risk/refresh/", refresh_deadlines, name="at_risk_refresh"),
    path("at-risk/missing/", flag_missing, name="at_risk_missing"),
    path("messages/", shipped_messages, name="messages"),
    path("messages/sent/", mark_message_sent, name="message_sent"),
]
