"""The order list (/orders/, ORD-6, ORD-9): shop-scoped through the shop switcher (or `?shop=`), status and
exception tabs with counts, one search box, filters, page numbers and a page size (next / previous by cursor),
export of the current filter, and batch actions (flag, approve, hold) through the set-based services, all or
nothing."""

from django.contrib import messages
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhanggui.core import paging
from zhanggui.core.access import page
from zhanggui.core.errors import DomainError
from zhanggui.core.navigation import column_cells, list_columns
from zhanggui.core.privacy import can_see_pii

from .. import selectors
from ..models import Order, OrderLine
from ..services import batch, list_export, states
from ..services.remarks import FLAG_NAMES
from .common import CHANGE, FLAG_COLOURS, IMPORT, STATE_TONES, VIEW, clean_text, exceptions_of, present_receiver


def lines_prefetch():
    return Prefetch("lines", queryset=OrderLine.objects.select_related("sku").order_by("line_no"))


def _rows(orders, user):
    show = can_see_pii(user)
    orders = list(orders)
    columns = list_columns("orders.order", user)  # higher apps' columns (e.g. FIN-1 profit), by permission
    cells = column_cells(columns, [o.pk for o in orders])
    rows = []
    for o in orders:
        lines = list(o.lines.all())
        rows.append(
            {
                "order": o,
                "receiver": present_receiver(o, user, show),
                "first_line": lines[0] if lines else None,  # one row per order: the first line, the rest on hover
                "more_lines": max(0, len(lines) - 1),
                "lines_title": "\n".join(
                    " ".join(t for t in (ln.sku.code if ln.sku else ln.outer_code, ln.title, ln.properties) if t)
                    + f" × {ln.quantity}"
                    for ln in lines
                ),
                "qty": sum(ln.quantity for ln in lines),
                "remark": clean_text(o.seller_remark, user, show),
                "message": clean_text(o.buyer_message, user, show),
                "tone": STATE_TONES.get(o.state, "secondary"),
                "state_label": states.state_label(o.state),
                "exceptions": exceptions_of(o),
                "flag_colour": FLAG_COLOURS.get(o.flag, ""),
                "extra": [(c.key, values.get(o.pk, ("", ""))[0]) for c, values in zip(columns, cells, strict=True)],
            }
        )
    return rows


@page(VIEW)
def order_list(request):
    """ORD-6/ORD-9: orders of the shops in view (the top bar's switcher, or `?shop=`) — tabs, search, filters, page
    numbers and page size (ui.md density), next / previous by cursor, export of what the filter shows."""
    shops = request.scope.shops
    tab = request.GET.get("tab") or "all"
    tab = tab if tab in selectors.TABS else "all"
    filters = selectors.Filters.from_query(request.GET)
    base = selectors.filtered(shops, filters)
    counts = selectors.tab_counts(base)
    qs = selectors.in_tab(base, tab).select_related("shop__platform").prefetch_related(lines_prefetch())
    size = paging.page_size(request, "orders", selectors.PAGE_SIZE)
    pager = _pager(request, qs, counts[tab], size)
    query = filters.as_query()
    keep = {**query, **request.scope.query()}  # shared links show the same shop, filters and tab
    label_of = selectors.count_label  # capped counts: "9999+"
    state_tabs = [
        (k, label, label_of(counts[k]), "?" + urlencode({**keep, "tab": k})) for k, label in selectors.STATE_TABS
    ]
    exc_tabs = [
        (k, label, label_of(counts[k]), "?" + urlencode({**keep, "tab": k})) for k, label in selectors.EXCEPTION_TABS
    ]
    carriers = selectors.carrier_options(shops)
    if filters.carrier and filters.carrier not in carriers:  # keep a carrier typed into the URL selectable
        carriers.append(filters.carrier)
    here = {**keep, "tab": tab}
    return render(
        request,
        "orders/list.html",
        {
            "rows": _rows(pager.pop("rows"), request.user),
            "state_tabs": state_tabs,
            "exc_tabs": exc_tabs,
            "tab": tab,
            # ORD-9: who answers for the exception queue being looked at (none: shown in red, linked to the duty chart)
            "queue_owner": selectors.queue_owners()[tab] if tab in selectors.QUEUE_KEYS else None,
            "carriers": carriers,
            "filters": filters,
            "filtered": bool(query),
            "clear_url": "?" + urlencode({**request.scope.query(), "tab": tab}),
            "scope_query": request.scope.query(),
            "export_query": urlencode(here),
            "total_label": label_of(counts[tab]),
            **_pager_links(pager, here, size),
            "flags": [(v, FLAG_NAMES[v], FLAG_COLOURS[v]) for v in Order.Flag.values if v],
            "can_change": request.user.has_perm(CHANGE),
            "can_import": request.user.has_perm(IMPORT),
            "shops": shops,
            "extra_columns": list_columns("orders.order", request.user),
        },
    )


def _pager(request, qs, total: int, size: int) -> dict:
    """The rows of the page asked for: by cursor (next / previous: an index range scan however deep) or by number
    (a jump: OFFSET, only within the capped count), and where that page stands."""
    capped = total >= selectors.COUNT_CAP
    pages = max(1, -(-min(total, selectors.COUNT_CAP - 1) // size))
    after, before = request.GET.get("after"), request.GET.get("before")
    if after or before:  # the page number only tells where the cursor page stands
        number = max(1, int(request.GET["page"])) if str(request.GET.get("page", "")).isdigit() else 1
        number = min(number, 10**6)
        page_ = selectors.keyset_page(qs, after=after, before=before, size=size)
    else:
        number = paging.page_number(request.GET.get("page"), pages)
        page_ = selectors.numbered_page(qs, number, size) if number > 1 else selectors.keyset_page(qs, size=size)
    return {"rows": page_.rows, "page": page_, "number": number, "pages": pages, "capped": capped}


def _pager_links(pager: dict, here: dict, size: int) -> dict:
    page_, number, pages = pager["page"], pager["number"], pager["pages"]

    def link(**extra) -> str:
        return "?" + urlencode({**here, "size": size, **extra})

    def numbered(n: int) -> str:
        return link(page=n) if n > 1 else link()

    return {
        "page_number": number,
        "page_links": [(n, numbered(n) if n else "") for n in paging.window(number, pages)],
        "more_pages": pager["capped"],
        "next_url": link(after=page_.next_cursor, page=number + 1) if page_.next_cursor else "",
        "prev_url": (
            (numbered(1) if number <= 2 else link(before=page_.prev_cursor, page=number - 1))
            if page_.prev_cursor
            else ""
        ),
        "page_size": size,
        "size_links": [(n, "?" + urlencode({**here, "size": n})) for n in paging.SIZES],
    }


@require_POST
@page(VIEW)
def export_view(request):
    """ORD-6, TEAM-5: 导出当前筛选 — the list's tab, filters and search (this URL's query) over the shops in view, as
    a background job; the file is fetched from the job page. A link naming a shop the user may not see exports
    nothing (404), not the fallback shops."""
    if request.scope.refused:
        raise Http404
    tab = request.GET.get("tab") or "all"
    job = list_export.start_list_export(
        request.user, request.scope.shops, tab, selectors.Filters.from_query(request.GET)
    )
    return redirect("job", job.pk)


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


@require_POST
@page(CHANGE)
def batch_view(request):
    """Batch flag (colour + remark, ORD-3), approve (ORD-7) or hold — all or nothing."""
    action = request.POST.get("action", "")
    try:
        n = batch.batch(
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
    path("export/", export_view, name="export"),
]
