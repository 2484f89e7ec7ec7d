"""The 中差评 queue and one review (/aftersales/reviews/, AS-7): tabs by state with counts, filters in the URL (shop,
rating, owner, product, search), batch assign; the review page with the order (receiver masked per role, TEAM-5),
the reply templates rendered with the review's variables, the reply form, the moves and the timeline with 工号."""

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from zhanggui.core import paging
from zhanggui.core.access import page
from zhanggui.core.actions import run_action
from zhanggui.core.events import present_event, timeline_for

from .. import review_selectors as rs
from .. import selectors
from ..models import ReplyTemplate, Review
from ..services import reviews as svc
from .common import staff_choice

VIEW, CHANGE, ADD = "aftersales.view_review", "aftersales.change_review", "aftersales.add_review"
TEMPLATES = "aftersales.change_replytemplate"
State = Review.State
TAB_LABELS = {
    "to_contact": pgettext_lazy("review tab", "To contact"),
    "contacted": pgettext_lazy("review tab", "Contacted"),
    "changed": pgettext_lazy("review tab", "Changed to positive"),
    "unchangeable": pgettext_lazy("review tab", "Cannot be changed"),
    "bad": pgettext_lazy("review tab", "All neutral and negative"),
    "all": pgettext_lazy("review tab", "All reviews"),
}
RATING_TONES = {"good": "success", "neutral": "warning", "bad": "danger"}
STATE_TONES = {"to_contact": "primary", "contacted": "info", "changed": "success", "unchangeable": "secondary"}
MOVE_LABELS = {
    State.CONTACTED: gettext_lazy("Buyer contacted"),
    State.CHANGED: gettext_lazy("Review changed"),
    State.UNCHANGEABLE: gettext_lazy("Cannot be changed"),
}


def _row(r: Review) -> dict:
    return {
        "review": r,
        "rating_label": svc.rating_label(r.rating),
        "rating_tone": RATING_TONES.get(r.rating, "secondary"),
        "state_label": svc.state_label(r.state),
        "state_tone": STATE_TONES.get(r.state, "light"),
        "reason_label": svc.reason_label(r.reason) if r.reason else "",
    }


@page(VIEW)
def review_list(request):
    filters = rs.ReviewFilters.from_params(request.GET)
    filters.size = paging.page_size(request, "reviews", rs.PAGE_SIZES[0])
    scope = request.scope
    base = filters.apply(rs.reviews_for(request.user, scope.shops), request.user)
    counts = rs.tab_counts(base)
    paginator = Paginator(rs.queue(base, filters.tab), filters.size)
    paginator.count = counts[filters.tab]
    page_obj = paginator.get_page(request.GET.get("page"))
    params = filters.as_params()
    if scope.current:
        params["shop"] = scope.current.code
    query = urlencode({**params, "tab": filters.tab})
    can_change = request.user.has_perm(CHANGE)
    handlers = list(selectors.handlers(scope.shops)) if can_change else []
    products = rs.reviews_for(request.user, scope.shops).filter(product__isnull=False)
    products = products.values_list("product_id", "product__style_code", "product__name").distinct()
    return render(
        request,
        "aftersales/reviews/list.html",
        {
            "rows": [_row(r) for r in page_obj],
            "page_obj": page_obj,
            "pages": [
                (n, f"?{query}&page={n}") if n else ("…", "")
                for n in paging.window(page_obj.number, page_obj.paginator.num_pages)
            ],
            "tabs": [(t, TAB_LABELS[t], counts[t], "?" + urlencode({**params, "tab": t})) for t in rs.TABS],
            "filters": filters,
            "ratings": [(r, svc.rating_label(r)) for r in Review.Rating.values],
            "owners": [staff_choice(s) for s in (handlers or selectors.handlers(scope.shops))],
            "handlers": [staff_choice(s) for s in handlers],
            "products": [(pk, f"{code} {name}") for pk, code, name in products.order_by("product__style_code")[:200]],
            "sizes": rs.PAGE_SIZES,
            "can_change": can_change,
            "can_import": request.user.has_perm(ADD),
            "can_templates": request.user.has_perm(TEMPLATES),
        },
    )


@require_POST
@page(CHANGE)
def assign_view(request):
    """AS-7: the ticked 中差评 go to one 工号 (set-based)."""
    owner_id = request.POST.get("owner", "")
    owner = selectors.handlers([]).filter(pk=owner_id if owner_id.isdigit() else None).first()
    run_action(
        request,
        lambda: svc.assign(request.user, request.POST.getlist("review"), owner, shops=request.scope.allowed),
        lambda n: _("%(n)s review(s) assigned to %(number)s.") % {"n": n, "number": owner.number},
    )
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = ""
    return redirect(back or "aftersales:reviews")


@page(VIEW, shop_scoped=True)
def review_detail(request, review_id: int):
    review = rs.load_review(request.user, review_id)
    can_change = request.user.has_perm(CHANGE)
    templates = [
        {"pk": t.pk, "name": t.name, "text": svc.render(t.text, review)}
        for t in ReplyTemplate.objects.filter(is_active=True)
    ]
    return render(
        request,
        "aftersales/reviews/detail.html",
        {
            "review": review,
            **_row(review),
            "receiver": selectors.receiver_of(review.order, request.user) if review.order_id else None,
            "templates": templates,
            "moves": [{"to": s, "label": MOVE_LABELS[s]} for s in svc.allowed_moves(review)] if can_change else [],
            "close_moves": [
                (s, MOVE_LABELS[s]) for s in (State.CHANGED, State.UNCHANGEABLE) if s in svc.allowed_moves(review)
            ],
            "reasons": [(r, svc.reason_label(r)) for r in Review.Reason.values],
            "can_change": can_change,
            "handlers": [staff_choice(s) for s in selectors.handlers([review.shop])] if can_change else [],
            "timeline": [present_event(e, request.user) for e in timeline_for(review)[:200]],
        },
    )


def _action(name: str, change, done):
    @require_POST
    @page(CHANGE, shop_scoped=True)
    def view(request, review_id: int):
        review = rs.load_review(request.user, review_id)
        run_action(request, lambda: change(request, review), done)
        return redirect("aftersales:review", review_id=review.pk)

    view.__name__ = view.__qualname__ = name
    return view


def _version(request):
    return request.POST.get("version") or None


def _owner(request, review):
    owner_id = request.POST.get("owner", "")
    owner = selectors.handlers([review.shop]).filter(pk=owner_id if owner_id.isdigit() else None).first()
    return svc.assign(request.user, [review.pk], owner, shops=request.scope.allowed)


move_view = _action(
    "review_move_view",
    lambda r, rv: svc.move(r.user, rv, r.POST.get("to", ""), version=_version(r), note=r.POST.get("note", "")),
    lambda rv: _("Review is now: ") + svc.state_label(rv.state),
)
reply_view = _action(
    "review_reply_view",
    lambda r, rv: svc.reply(
        r.user,
        rv,
        r.POST.get("reply", ""),
        version=_version(r),
        then=r.POST.get("then", ""),
        note=r.POST.get("note", ""),
    ),
    gettext_lazy("Reply recorded."),
)
reason_view = _action(
    "review_reason_view",
    lambda r, rv: svc.set_reason(r.user, rv, r.POST.get("reason", ""), version=_version(r)),
    gettext_lazy("Reason saved."),
)
owner_view = _action("review_owner_view", _owner, gettext_lazy("Owner changed."))

urls = [
    path("reviews/", review_list, name="reviews"),
    path("reviews/assign/", assign_view, name="review_assign"),
    path("reviews/<int:review_id>/", review_detail, name="review"),
    path("reviews/<int:review_id>/move/", move_view, name="review_move"),
    path("reviews/<int:review_id>/reply/", reply_view, name="review_reply"),
    path("reviews/<int:review_id>/reason/", reason_view, name="review_reason"),
    path("reviews/<int:review_id>/owner/", owner_view, name="review_owner"),
]
