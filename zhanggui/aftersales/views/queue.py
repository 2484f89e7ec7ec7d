"""The after-sales queue (/aftersales/, AS-2, AS-6): tabs with counts by state group (待处理 / 等买家 / 等退货 / 逾期 /
已升级 / 已完结 / 全部), filters in the URL (type, shop, owner, state, age, search), ages, page numbers and page size,
and the batch bar that hands the ticked cases to a 工号. Shop-scoped; 库管 sees returns and exchanges only
(selectors.visible_kinds)."""

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_POST

from zhanggui.core import clock, paging
from zhanggui.core.access import page
from zhanggui.core.actions import run_action

from .. import selectors
from ..models import Case
from ..services import cases as svc
from ..services import work
from .common import CHANGE, STATE_TONES, VIEW, staff_choice

TAB_LABELS = {
    "pending": pgettext_lazy("after-sales tab", "To handle"),
    "waiting_buyer": pgettext_lazy("after-sales tab", "Waiting for buyer"),
    "waiting_return": pgettext_lazy("after-sales tab", "Waiting for return"),
    "overdue": pgettext_lazy("after-sales tab", "Overdue"),
    "escalated": pgettext_lazy("after-sales tab", "Escalated"),
    "closed": pgettext_lazy("after-sales tab", "Closed"),
    "all": pgettext_lazy("after-sales tab", "All"),
}


def _row(case: Case, now) -> dict:
    overdue = case.is_open and case.follow_up_at is not None and case.follow_up_at < now
    return {
        "case": case,
        "kind_label": svc.kind_label(case.kind),
        "state_label": svc.state_label(case.state),
        "tone": STATE_TONES.get(case.state, "secondary"),
        "lines": selectors.lines_text(case),
        "reason": case.reason.name if case.reason_id else case.reason_text,
        "age": selectors.age_text(case.created_at, now),
        "overdue": overdue,
        "overdue_by": selectors.age_text(case.follow_up_at, now) if overdue else "",
    }


def _pages(page_obj, query: str) -> list[tuple]:
    """[(number or "…", href or "")] around the current page: 1 … 4 5 [6] 7 8 … 20 (core.paging)."""
    return [
        (n, f"?{query}&page={n}") if n else ("…", "")
        for n in paging.window(page_obj.number, page_obj.paginator.num_pages)
    ]


@page(VIEW)
def case_list(request):
    now = clock.now()
    filters = selectors.CaseFilters.from_params(request.GET)
    filters.size = paging.page_size(request, "aftersales", selectors.PAGE_SIZES[0])  # remembered per person
    scope = request.scope
    base = filters.apply(selectors.cases_for(request.user, scope.shops), request.user, now)
    counts = selectors.tab_counts(base, now)
    paginator = Paginator(selectors.queue(base, filters, now), filters.size)
    paginator.count = counts[filters.tab]
    page_obj = paginator.get_page(request.GET.get("page"))
    params = filters.as_params()
    if scope.current:
        params["shop"] = scope.current.code
    query = urlencode({**params, "tab": filters.tab})
    can_change = request.user.has_perm(CHANGE)
    kinds = selectors.visible_kinds(request.user) or Case.Kind.values
    handlers = list(selectors.handlers(scope.shops)) if can_change else []
    return render(
        request,
        "aftersales/list.html",
        {
            "rows": [_row(c, now) for c in page_obj],
            "page_obj": page_obj,
            "pages": _pages(page_obj, query),
            "tabs": [(t, TAB_LABELS[t], counts[t], "?" + urlencode({**params, "tab": t})) for t in selectors.TABS],
            "filters": filters,
            "query": query,
            "kinds": [(k, svc.kind_label(k)) for k in Case.Kind.values if k in kinds],
            "states": [(s, svc.state_label(s)) for s in Case.State.values],
            "ages": selectors.AGES,
            "sizes": selectors.PAGE_SIZES,
            "owners": [staff_choice(s) for s in (handlers or selectors.handlers(scope.shops))],
            "handlers": [staff_choice(s) for s in handlers],
            "can_change": can_change,
            "can_add": request.user.has_perm("aftersales.add_case"),
            "policy_link": request.user.has_perm("aftersales.view_policyversion"),
        },
    )


@require_POST
@page(CHANGE)
def assign_view(request):
    """AS-6: the ticked cases go to one 工号 (set-based)."""
    owner_id = request.POST.get("owner", "")
    owner = next((s for s in selectors.handlers(request.scope.allowed) if str(s.pk) == owner_id), None)
    if owner is None:  # someone who handles cases, but not in all of the user's shops: the service names the shop
        owner = selectors.handlers([]).filter(pk=owner_id if owner_id.isdigit() else None).first()
    run_action(
        request,
        lambda: work.assign(request.user, request.POST.getlist("case"), owner, shops=request.scope.allowed),
        lambda n: _("%(n)s case(s) assigned to %(number)s.") % {"n": n, "number": owner.number},
    )
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = ""
    return redirect(back or "aftersales:list")


urls = [
    path("", case_list, name="list"),
    path("assign/", assign_view, name="assign"),
]
