"""Purchasing pages: dropship orders (PROD-10 代理发货) — the list per shop with its status tabs, the export file
for each supplier, the import of the supplier's tracking numbers, and one order's page with its timeline.

Dropship orders belong to a shop: lists filter by the shop switcher (request.scope.shops), one order is fetched
with scoped_get (another shop's order does not exist here). Receiver data is masked unless the role may see buyer
data (TEAM-5); the export that hands it to the supplier needs that right too (services.dropship).
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhanggui.core import clock, uploads
from zhanggui.core.access import page, scoped_get
from zhanggui.core.errors import DomainError
from zhanggui.core.events import present_event, timeline_for
from zhanggui.core.privacy import can_see_pii

from ..models import DropshipLine, DropshipOrder, Supplier, SupplierProduct
from ..services import dropship as services

VIEW = "purchasing.view_dropshiporder"
CHANGE = "purchasing.change_dropshiporder"
PAGE_SIZE = 100
RESULT_KEY = "dropship_import_result"
State = DropshipOrder.State
TAB_ORDER = (State.PENDING, State.SENT, State.SHIPPED, State.CANCELLED)


def _tab_label(state):
    return {
        State.PENDING: _("To send to supplier"),
        State.SENT: _("Sent to supplier"),
        State.SHIPPED: _("Shipped by supplier"),
        State.CANCELLED: _("Cancelled"),
    }[state]


def _back(request) -> str:
    nxt = request.POST.get("next") or ""
    if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        return nxt
    return reverse("purchasing:dropship")


def _lines_prefetch():
    return Prefetch("lines", queryset=DropshipLine.objects.select_related("sku__product").order_by("pk"))


@page(VIEW)
def dropship(request):
    """PROD-10: dropship orders of the selected shop(s); tabs 待发给供应商 / 已发供应商 / 供应商已发货 / 已取消;
    per supplier: export the file for the supplier, import the tracking numbers it sends back."""
    shops = request.scope.shops
    state = request.GET.get("state") or State.PENDING
    state = state if state in State.values else State.PENDING
    supplier_id = request.GET.get("supplier") or ""
    supplier_id = int(supplier_id) if supplier_id.isdigit() else None
    q = (request.GET.get("q") or "").strip()[:64]
    scoped = DropshipOrder.objects.filter(shop__in=shops)
    filtered = scoped
    if supplier_id:
        filtered = filtered.filter(supplier_id=supplier_id)
    if q:
        filtered = filtered.filter(Q(reference__icontains=q) | Q(tracking_no=q))
    counts = services.state_counts(filtered)
    orders = (
        filtered.filter(state=state)
        .select_related("shop__platform", "supplier")
        .prefetch_related(_lines_prefetch())
        .order_by("-created_at", "-pk")
    )
    paginator = Paginator(orders, PAGE_SIZE)
    paginator.count = counts[state]
    page_obj = paginator.get_page(request.GET.get("page"))
    show_pii = can_see_pii(request.user)
    rows = [{"order": o, "receiver": services.present_receiver(o, request.user)} for o in page_obj]
    base = {k: v for k, v in (("supplier", supplier_id or ""), ("q", q)) if v}
    tabs = [(s, _tab_label(s), counts[s], "?" + urlencode({**base, "state": s})) for s in TAB_ORDER]
    # The supplier panel: every supplier with dropship orders in these shops, with what is waiting.
    panel = list(
        scoped.values("supplier_id", "supplier__name", "supplier__code")
        .annotate(
            pending=Count("id", filter=Q(state=State.PENDING)),
            sent=Count("id", filter=Q(state=State.SENT)),
            shipped=Count("id", filter=Q(state=State.SHIPPED)),
        )
        .order_by("supplier__name")
    )
    dropship_suppliers = Supplier.objects.filter(
        pk__in=SupplierProduct.objects.filter(
            is_preferred=True, product__sourcing="dropship", supplier__is_active=True
        ).values("supplier_id")
    ).exclude(pk__in=[p["supplier_id"] for p in panel])
    for s in dropship_suppliers.order_by("name"):
        panel.append(
            {
                "supplier_id": s.pk,
                "supplier__name": s.name,
                "supplier__code": s.code,
                "pending": 0,
                "sent": 0,
                "shipped": 0,
            }
        )
    result = request.session.pop(RESULT_KEY, None)
    return render(
        request,
        "purchasing/dropship.html",
        {
            "rows": rows,
            "page_obj": page_obj,
            "tabs": tabs,
            "state": state,
            "q": q,
            "supplier_id": supplier_id,
            "filtered": bool(base),
            "query": urlencode({**base, "state": state}),
            "panel": panel,
            "can_change": request.user.has_perm(CHANGE),
            "can_export": request.user.has_perm(CHANGE) and show_pii,
            "show_pii": show_pii,
            "result": result,
        },
    )


@page(VIEW)
def dropship_detail(request, dropship_id: int):
    """PROD-10: one dropship order: lines with the supplier's item codes, receiver (masked per role), timeline."""
    order = scoped_get(
        DropshipOrder.objects.select_related("shop__platform", "supplier").prefetch_related(_lines_prefetch()),
        request.user,
        pk=dropship_id,
    )
    item_codes = dict(
        SupplierProduct.objects.filter(
            supplier_id=order.supplier_id, product_id__in=[ln.sku.product_id for ln in order.lines.all()]
        ).values_list("product_id", "supplier_item_code")
    )
    lines = [{"line": ln, "item_code": item_codes.get(ln.sku.product_id, "")} for ln in order.lines.all()]
    return render(
        request,
        "purchasing/dropship_detail.html",
        {
            "order": order,
            "lines": lines,
            "receiver": services.present_receiver(order, request.user),
            "timeline": [present_event(e, request.user) for e in timeline_for(order)[:50]],
            "can_cancel": request.user.has_perm(CHANGE) and services.DROPSHIPS.allows(order, State.CANCELLED),
        },
    )


@page(CHANGE)
@require_POST
def dropship_cancel(request, dropship_id: int):
    order = scoped_get(DropshipOrder.objects.all(), request.user, pk=dropship_id)
    try:
        services.cancel_dropship(request.user, order, note=(request.POST.get("note") or "").strip()[:200])
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Dropship order %(ref)s cancelled") % {"ref": order.reference})
    return redirect("purchasing:dropship_detail", dropship_id=order.pk)


def _supplier_from(request):
    value = request.POST.get("supplier") or ""
    return get_object_or_404(Supplier, pk=value) if value.isdigit() else None


@page(CHANGE)
@require_POST
def dropship_export(request):
    """PROD-10: the XLSX for one supplier (its pending orders, or its sent ones again); pending → sent."""
    supplier = _supplier_from(request)
    if supplier is None:
        messages.error(request, _("Choose a supplier"))
        return redirect(_back(request))
    state = request.POST.get("state") or State.PENDING
    try:
        content = services.export_for_supplier(request.user, supplier, state=state, shops=request.scope.shops)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(_back(request))
    filename = f"dropship-{supplier.code}-{clock.local(clock.now()):%Y%m%d-%H%M}.xlsx"
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@page(CHANGE)
@require_POST
def dropship_import(request):
    """PROD-10: the supplier's file with carrier and tracking numbers → shipped; the summary and every bad row
    (line and reason) are shown on the list afterwards."""
    supplier = _supplier_from(request)
    upload = request.FILES.get("file")
    if supplier is None or upload is None:
        messages.error(request, _("Choose a supplier and a file"))
        return redirect(_back(request))
    try:
        uploads.check_upload(upload, "dropship_tracking", uploads.SHEETS)
        result = services.import_tracking(request.user, supplier, upload.read(), upload.name)
    except DomainError as exc:
        request.session[RESULT_KEY] = {"supplier": supplier.name, "file": upload.name, "error": exc.message}
        return redirect(_back(request))
    request.session[RESULT_KEY] = {
        "supplier": supplier.name,
        "file": upload.name,
        "rows": result.rows,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "failed": len(result.errors),
        "errors": result.errors[:500],
    }
    return redirect(_back(request))


urls = [
    path("dropship/", dropship, name="dropship"),
    path("dropship/export/", dropship_export, name="dropship_export"),
    path("dropship/import/", dropship_import, name="dropship_import"),
    path("dropship/<int:dropship_id>/", dropship_detail, name="dropship_detail"),
    path("dropship/<int:dropship_id>/cancel/", dropship_cancel, name="dropship_cancel"),
]
