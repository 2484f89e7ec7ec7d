"""The supplier-exchange list page (换货清单, INV-3): faulty pieces per supplier with tabs by state, a supplier
filter, batch actions on the ticked rows (交进货人员 / 已换回 / 不予换货, each with an editable quantity so part of a
row can be settled) and the printable list (two copies). Company-level, not shop-scoped."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Sum
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhanggui.core import pdf
from zhanggui.core.access import page
from zhanggui.core.errors import DomainError

from ..models import Supplier, SupplierExchange
from ..services import exchanges as svc

VIEW = "purchasing.view_supplierexchange"
CHANGE = "purchasing.change_supplierexchange"
PAGE_SIZE = 100
State = SupplierExchange.State
TABS = (State.PENDING, State.SENT, State.EXCHANGED, State.REFUSED)
ACTIONS = {
    "send": (svc.send, None),
    "exchanged": (svc.resolve, State.EXCHANGED),
    "refused": (svc.resolve, State.REFUSED),
}


def _supplier_id(value):
    value = str(value or "").strip()
    return int(value) if value.isdigit() else None


@page(VIEW)
def exchange_list(request):
    """INV-3: the exchange list — tabs 单独存放 / 已交进货人员 / 已换回 / 不予换货 with counts, supplier filter."""
    tab = request.GET.get("tab") if request.GET.get("tab") in TABS else State.PENDING
    supplier_id = _supplier_id(request.GET.get("supplier"))
    base_qs = SupplierExchange.objects.all()
    if supplier_id:
        base_qs = base_qs.filter(supplier_id=supplier_id)
    counts = {
        s: (n, q or 0)
        for s, n, q in base_qs.order_by()
        .values_list("state")
        .annotate(n=Count("id"), q=Sum("quantity"))
        .values_list("state", "n", "q")
    }
    rows = svc.exchange_rows(state=tab, supplier_id=supplier_id)
    paginator = Paginator(rows, PAGE_SIZE)
    paginator.count = counts.get(tab, (0, 0))[0]
    page_obj = paginator.get_page(request.GET.get("page"))
    base = {"supplier": supplier_id} if supplier_id else {}
    tabs = [(t, State(t).label, *counts.get(t, (0, 0)), "?" + urlencode({**base, "tab": t})) for t in TABS]
    return render(
        request,
        "purchasing/exchange_list.html",
        {
            "rows": page_obj,
            "page_obj": page_obj,
            "tabs": tabs,
            "tab": tab,
            "supplier_id": supplier_id,
            "suppliers": list(Supplier.objects.filter(exchanges__isnull=False).distinct().order_by("code")),
            "query": urlencode({**base, "tab": tab}),
            "open_tab": tab in svc.OPEN,
            "pdf_query": urlencode({**base, "state": tab}),
        },
    )


@require_POST
@page(CHANGE)
def exchange_action(request):
    """Batch action on the ticked rows: send (交进货人员), exchanged (已换回) or refused (不予换货); qty_<id> settles
    part of a row. All or nothing: a refusal names each row."""
    action = request.POST.get("action", "")
    back = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = ""
    back = back or reverse("purchasing:exchanges")
    if action not in ACTIONS:
        messages.error(request, _("Choose an action."))
        return redirect(back)
    items = [(pk, request.POST.get(f"qty_{pk}") or None) for pk in request.POST.getlist("ids")]
    do, outcome = ACTIONS[action]
    note = (request.POST.get("note") or "").strip()[:200]
    try:
        done = do(request.user, items, outcome, note) if outcome else do(request.user, items, note)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        pieces = sum(ex.quantity for ex in done)
        messages.success(
            request, _("%(rows)s rows, %(pieces)s pieces updated.") % {"rows": len(done), "pieces": pieces}
        )
    return redirect(back)


@page(VIEW)
def exchange_pdf(request):
    """INV-3: the printable exchange list (进货人员联 / 库房联) for one supplier or all; default the open rows."""
    supplier = Supplier.objects.filter(pk=_supplier_id(request.GET.get("supplier"))).first()
    state = request.GET.get("state")
    rows = svc.exchange_rows(state=state if state in TABS else None, supplier_id=supplier.pk if supplier else None)
    if state not in TABS:
        rows = rows.filter(state__in=svc.OPEN)
    document = svc.list_document(rows, supplier, printed_by=str(request.user))
    return pdf.response(document, f"{document.number}.pdf")


urls = [
    path("exchanges/", exchange_list, name="exchanges"),
    path("exchanges/action/", exchange_action, name="exchange_action"),
    path("exchanges/list.pdf", exchange_pdf, name="exchange_pdf"),
]
