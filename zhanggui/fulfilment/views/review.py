"""The review page (/shipping/review/, 审单 ORD-2, ORD-7): orders waiting with their reasons, the ones automatic
review would pass, merge suggestions; batch approve / reject / merge. Parse → service → render."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhanggui.core.access import page
from zhanggui.core.errors import DomainError
from zhanggui.core.privacy import can_see_pii
from zhanggui.orders.views.common import clean_text, present_receiver

from .. import selectors
from ..services import plan, review
from .common import REVIEW

LIMIT = 200
TABS = ("waiting", "clean", "merge")


def _rows(orders, user) -> list[dict]:
    show = can_see_pii(user)
    found = review.reasons([o.pk for o in orders])
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


@page(REVIEW)
def review_page(request):
    tab = request.GET.get("tab") if request.GET.get("tab") in TABS else "waiting"
    shops = request.scope.shops
    ids = list(selectors.orders_to_review(shops).values_list("pk", flat=True)[:1000])
    found = review.reasons(ids)
    clean_ids = [pk for pk in ids if not found.get(pk)]
    waiting_ids = [pk for pk in ids if found.get(pk)]
    groups = plan.merge_suggestions(shops)
    rows, merge_groups = [], []
    if tab == "merge":
        by_id = {o.pk: o for o in selectors.orders_with_lines([pk for g in groups for pk in g["orders"]])}
        for g in groups:
            merge_groups.append({**g, "rows": _rows([by_id[pk] for pk in g["orders"] if pk in by_id], request.user)})
    else:
        rows = _rows(
            list(selectors.orders_with_lines((waiting_ids if tab == "waiting" else clean_ids)[:LIMIT])), request.user
        )
    tabs = [
        ("waiting", _("Waiting for review"), len(waiting_ids)),
        ("clean", _("Can pass automatically"), len(clean_ids)),
        ("merge", _("Merge suggestions"), len(groups)),
    ]
    context = {"tab": tab, "tabs": tabs, "rows": rows, "groups": merge_groups, "truncated": len(ids) >= 1000}
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
