"""The review page (/shipping/review/, 审单 ORD-2, ORD-7): orders waiting with their reasons, the ones automatic
review would pass, merge suggestions — the whole queue counted, filtered by shop, search and reason, shown one page at
a time; batch approve / reject / merge. Parse → service → render."""

from collections import Counter

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhanggui.core.access import page
from zhanggui.core.errors import DomainError
from zhanggui.core.paging import paginate
from zhanggui.core.privacy import can_see_pii
from zhanggui.orders.views.common import clean_text, present_receiver

from .. import selectors
from ..services import plan, review
from .common import REVIEW

PAGE_SIZE = 50

TABS = ("waiting", "clean", "merge")


def _rows(orders, user, found: dict) -> list[dict]:
    show = can_see_pii(user)
    rows = []
    for o in orders:
        lines = list(o.lines.all())
        rows.append(
            {
                "order": o,
                "reasons": found.get(o.pk, []),
                "receiver": present_receiver(o, user, show),
                "lines": [ln for ln in lines if ln.unit_price_fen or ln.paid_fen],
                "gifts": [ln for ln in lines if not ln.unit_price_fen and not ln.paid_fen],  # 0 price = gift
                "message": clean_text(o.buyer_message, user, show),
                "remark": clean_text(o.seller_remark, user, show),
            }
        )
    return rows


def _filters(request) -> dict:
    g = request.GET
    shop = g.get("shop_id", "")
    return {
        "q": g.get("q", "").strip()[:64],
        "shop": shop if shop.isdigit() else "",
        "reason": g.get("reason", "").strip()[:80],
    }


@page(REVIEW)
def review_page(request):
    """ORD-7: the whole queue counted (tabs, reasons), one page of it shown (20/50/100/200 rows)."""
    tab = request.GET.get("tab") if request.GET.get("tab") in TABS else "waiting"
    shops = request.scope.shops
    filters = _filters(request)
    shop_id = int(filters["shop"]) if filters["shop"] else None
    qs = selectors.orders_to_review(shops, q=filters["q"], shop_id=shop_id)
    ids = list(qs.values_list("pk", flat=True))  # in order time
    found = review.queue(qs)
    reason_counts = Counter(why for pk in ids for why in found.get(pk, []))
    if filters["reason"]:  # waiting for this reason (a clean order waits for none)
        waiting_ids, clean_ids = [pk for pk in ids if filters["reason"] in found.get(pk, [])], []
    else:
        waiting_ids, clean_ids = [pk for pk in ids if found.get(pk)], [pk for pk in ids if not found.get(pk)]
    groups = [g for g in plan.merge_suggestions(shops) if not shop_id or g["shop_id"] == shop_id]
    listed = {"waiting": waiting_ids, "clean": clean_ids, "merge": groups}[tab]
    page_obj = paginate(request, listed, "review", default=PAGE_SIZE)
    rows, merge_groups = [], []
    if tab == "merge":
        members = [pk for g in page_obj for pk in g["orders"]]
        by_id = {o.pk: o for o in selectors.orders_with_lines(members)}
        why = review.reasons(members)  # merge candidates may be approved already: outside the queue read above
        for g in page_obj:
            merge_groups.append(
                {**g, "rows": _rows([by_id[pk] for pk in g["orders"] if pk in by_id], request.user, why)}
            )
    else:
        rows = _rows(list(selectors.orders_with_lines(list(page_obj))), request.user, found)
    base = {k: v for k, v in {"q": filters["q"], "shop_id": filters["shop"], "reason": filters["reason"]}.items() if v}
    filtered = bool(base)
    base |= request.scope.query()  # shared links show the same shop
    tabs = [
        (key, label, n, "?" + urlencode({**base, "tab": key}))
        for key, label, n in (
            ("waiting", _("Waiting for review"), len(waiting_ids)),
            ("clean", _("Can pass automatically"), len(clean_ids)),
            ("merge", _("Merge suggestions"), len(groups)),
        )
    ]
    context = {
        "tab": tab,
        "tabs": tabs,
        "rows": rows,
        "groups": merge_groups,
        "page_obj": page_obj,
        "query": urlencode({**base, "tab": tab}),
        "filters": filters,
        "filtered": filtered,
        "reasons": sorted(reason_counts.items(), key=lambda item: (-item[1], item[0]))
        + ([(filters["reason"], 0)] if filters["reason"] and filters["reason"] not in reason_counts else []),
        "shops": shops,
    }
    return render(request, "fulfilment/review.html", context)


def _back(request) -> str:
    nxt = request.POST.get("next") or ""
    if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        return nxt
    return reverse("fulfilment:review")


@require_POST
@page(REVIEW)
def review_batch(request):
    """Batch approve / reject (reason) / merge / automatic review — all or nothing, refusals listed."""
    action = request.POST.get("action", "")
    picked = request.POST.getlist("order")
    shops = request.scope.allowed
    try:
        if action == "approve":
            n = review.approve_orders(request.user, picked, request.POST.get("note", ""), shops=shops)
            messages.success(request, _("Approved: {n}").format(n=n))
        elif action == "reject":
            n = review.reject_orders(request.user, picked, request.POST.get("reason", ""), shops=shops)
            messages.success(request, _("Rejected and put on hold: {n}").format(n=n))
        elif action == "merge":
            ids = [v.partition(":")[0] for v in picked if v.partition(":")[0].isdigit()]
            package = plan.merge(request.user, ids, shops=shops)
            messages.success(request, _("Merged into package {number}").format(number=package.package_no))
        elif action == "auto":
            done = {"approved": 0, "waiting": 0}
            for shop in request.scope.shops:
                for key, value in review.auto_review(request.user, shop, force=True).items():
                    done[key] += value
            messages.success(request, _("Automatic review: {approved} approved, {waiting} waiting").format(**done))
        else:
            raise DomainError("bad_action", "未知的批量操作", "action")
    except DomainError as exc:
        messages.error(request, exc.message)
        for line in exc.details[1:20]:
            messages.warning(request, line)
    return redirect(_back(request))


urls = [
    path("review/", review_page, name="review"),
    path("review/batch/", review_batch, name="review_batch"),
]
