"""The order list (/orders/, ORD-6, ORD-9): shop-scoped through the shop switcher, status and exception tabs with
counts, one search box, filters, keyset pages (next / previous, no page numbers), and batch actions (flag, approve,
hold) that go through the services all or nothing."""

from django.contrib import messages
from django.db import transaction
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhanggui.core.access import page
from zhanggui.core.errors import DomainError
from zhanggui.core.privacy import can_see_pii

from .. import selectors
from ..models import Order, OrderLine
from ..services import remarks, states
from ..services.remarks import FLAG_NAMES
from .common import CHANGE, FLAG_COLOURS, IMPORT, STATE_TONES, VIEW, clean_text, exceptions_of, present_receiver


def lines_prefetch():
    return Prefetch("lines", queryset=OrderLine.objects.select_related("sku").order_by("line_no"))


def _rows(orders, user):
    show = can_see_pii(user)
    rows = []
    for o in orders:
        lines = list(o.lines.all())
        rows.append(
            {
                "order": o,
                "receiver": present_receiver(o, user, show),
                "lines": lines[:3],
                "more_lines": max(0, len(lines) - 3),
                "qty": sum(ln.quantity for ln in lines),
                "remark": clean_text(o.seller_remark, user, show),
                "message": clean_text(o.buyer_message, user, show),
                "tone": STATE_TONES.get(o.state, "secondary"),
                "state_label": states.state_label(o.state),
                "exceptions": exceptions_of(o),
                "flag_colour": FLAG_COLOURS.get(o.flag, ""),
            }
        )
    return rows


@page(VIEW)
def order_list(request):
    """ORD-6/ORD-9: orders of the shops in view (the top bar's switcher) — tabs, search, filters, keyset pages."""
    shops = request.scope.shops
    tab = request.GET.get("tab") or "all"
    tab = tab if tab in selectors.TABS else "all"
    filters = selectors.Filters.from_query(request.GET)
    base = selectors.filtered(shops, filters)
    counts = selectors.tab_counts(base)
    qs = selectors.in_tab(base, tab).select_related("shop__platform").prefetch_related(lines_prefetch())
    page_ = selectors.keyset_page(
        qs, after=request.GET.get("after"), before=request.GET.get("before"), size=selectors.PAGE_SIZE
    )
    query = filters.as_query()
    if request.GET.get("shop") and request.scope.current:  # a link naming its shop (the home page's figures)
        query["shop"] = request.scope.current.code
    label_of = selectors.count_label  # capped counts: "9999+"
    state_tabs = [
        (k, label, label_of(counts[k]), "?" + urlencode({**query, "tab": k})) for k, label in selectors.STATE_TABS
    ]
    exc_tabs = [
        (k, label, label_of(counts[k]), "?" + urlencode({**query, "tab": k})) for k, label in selectors.EXCEPTION_TABS
    ]
    carriers = selectors.carrier_options(shops)
    if filters.carrier and filters.carrier not in carriers:  # keep a carrier typed into the URL selectable
        carriers.append(filters.carrier)
    here = {**query, "tab": tab}
    return render(
        request,
        "orders/list.html",
        {
            "rows": _rows(page_.rows, request.user),
            "state_tabs": state_tabs,
            "exc_tabs": exc_tabs,
            "tab": tab,
            # ORD-9: who answers for the exception queue being looked at (none: shown in red, linked to the duty chart)
            "queue_owner": selectors.queue_owners()[tab] if tab in selectors.QUEUE_KEYS else None,
            "carriers": carriers,
            "filters": filters,
            "filtered": bool(query),
            "next_url": "?" + urlencode({**here, "after": page_.next_cursor}) if page_.next_cursor else "",
            "prev_url": "?" + urlencode({**here, "before": page_.prev_cursor}) if page_.prev_cursor else "",
            "first_url": "?" + urlencode(here) if page_.prev_cursor else "",
            "flags": [(v, FLAG_NAMES[v], FLAG_COLOURS[v]) for v in Order.Flag.values if v],
            "can_change": request.user.has_perm(CHANGE),
            "can_import": request.user.has_perm(IMPORT),
            "shops": shops,
        },
    )


def _back(request) -> str:
    nxt = request.POST.get("next") or ""
    if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        return nxt
    return reverse("orders:list")


def _selected(request) -> list[tuple[int, int | None]]:
    """The ticked rows as (order id, version seen): checkbox values are "<id>:<version>"."""
    picked = []
    for value in request.POST.getlist("order"):
        pk, _sep, version = value.partition(":")
        if pk.isdigit():
            picked.append((int(pk), int(version) if version.isdigit() else None))
    return picked


def batch(actor, shops, picked, action: str, *, flag="", note="", carrier="", reason="") -> int:
    """Run `action` on every picked order of `shops` in ONE transaction: one refused order (wrong state, changed
    by someone else) undoes all and the refusal lists every order with its reason (details)."""
    if not picked:
        raise DomainError("no_orders", "请先勾选订单", "order")
    if action not in {"flag", "approve", "hold"}:
        raise DomainError("bad_action", "未知的批量操作", "action")
    versions = dict(picked)
    with transaction.atomic():
        orders = list(
            Order.objects.select_for_update(of=("self",)).filter(pk__in=versions, shop__in=shops).order_by("pk")
        )
        if len(orders) != len(versions):
            raise DomainError("no_order", "部分订单不存在或不在当前店铺，请刷新", "order")
        problems = []
        if action == "flag":
            for o in orders:
                try:
                    states.check_version(o, versions[o.pk])
                except DomainError as exc:
                    problems.append(exc.message)
            if not problems:
                remarks.flag_orders(actor, orders, flag, note, carrier)
        else:
            for o in orders:
                try:
                    with transaction.atomic():
                        if action == "approve":
                            states.approve(actor, o, version=versions[o.pk], note=note)
                        else:
                            states.hold(actor, o, reason or note, version=versions[o.pk])
                except DomainError as exc:
                    problems.append(exc.message)
        if problems:
            transaction.set_rollback(True)
            raise DomainError(
                "batch_refused", f"{len(problems)} 个订单无法处理，全部未执行：{problems[0]}", "order", details=problems
            )
    return len(orders)


@require_POST
@page(CHANGE)
def batch_view(request):
    """Batch flag (colour + remark, ORD-3), approve (ORD-7) or hold — all or nothing."""
    action = request.POST.get("action", "")
    try:
        n = batch(
            request.user,
            request.scope.allowed,
            _selected(request),
            action,
            flag=request.POST.get("flag", ""),
            note=request.POST.get("note", ""),
            carrier=request.POST.get("carrier", ""),
            reason=request.POST.get("reason", ""),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        for line in exc.details[1:20]:
            messages.warning(request, line)
    else:
        done = {"flag": _("Flagged"), "approve": _("Approved"), "hold": _("Put on hold")}[action]
        messages.success(request, f"{done}: {n}")
    return redirect(_back(request))


urls = [
    path("", order_list, name="list"),
    path("batch/", batch_view, name="batch"),
]
