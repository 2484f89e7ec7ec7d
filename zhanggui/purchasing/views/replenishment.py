"""Purchasing pages: replenishment suggestions (INV-7) with one-click draft purchase orders.

The figures and the drafts come from services.replenishment; this page only shows them and passes the ticked rows
(with the quantities as edited) back to `create_draft_orders`. Stock is company-level: nothing is shop-scoped and
the INV-7 settings are company-wide (设置 → 公司设置), like the low-stock threshold of the stock list.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhanggui.core.access import page
from zhanggui.core.errors import DomainError
from zhanggui.inventory.selectors import active_warehouses

from ..models import PurchaseOrder, Supplier
from ..services import replenishment as services
from ..shop_settings import VELOCITY_CHOICES

PERM = "purchasing.add_purchaseorder"
PAGE_SIZE = 200
CREATED_KEY = "replenishment_created"


def _filters(params) -> dict:
    tab = params.get("tab") or "needed"
    supplier = (params.get("supplier") or "").strip()
    if supplier != services.NO_SUPPLIER and not supplier.isdigit():
        supplier = ""
    return {
        "tab": tab if tab in services.TABS else "needed",
        "q": (params.get("q") or "").strip()[:64],
        "supplier": supplier,
    }


def _render(request, params, *, posted=None, status=200):
    filters = _filters(params)
    result = services.suggestions(q=filters["q"], supplier=filters["supplier"])
    rows = result.tab(filters["tab"])
    paginator = Paginator(rows, PAGE_SIZE)
    page_obj = paginator.get_page(params.get("page"))
    base = {k: v for k, v in (("q", filters["q"]), ("supplier", filters["supplier"])) if v}
    labels = {"needed": _("To reorder"), "low": _("Low stock"), "all": _("All")}
    tabs = [(t, labels[t], result.counts[t], "?" + urlencode({**base, "tab": t})) for t in services.TABS]
    # Suppliers for the filter: those preferred for at least one product.
    suppliers = list(
        Supplier.objects.annotate(n=Count("products", filter=Q(products__is_preferred=True)))
        .filter(n__gt=0)
        .order_by("name")
    )
    # Figures of the ticked rows and the quantities as typed, when a POST comes back with an error.
    checked, typed = set(), {}
    if posted is not None:
        checked = {v for v in posted.getlist("sku") if v.isdigit()}
        typed = {k[4:]: v for k, v in posted.items() if k.startswith("qty_")}
    shown = []
    previous = object()
    for row in page_obj:
        group = row.supplier_id
        shown.append(
            {
                "row": row,
                "group_start": group != previous,
                "checked": str(row.sku_id) in checked,
                "qty": typed.get(str(row.sku_id), row.suggested),
            }
        )
        previous = group
    group_sizes = {}
    for item in shown:
        group_sizes[item["row"].supplier_id] = group_sizes.get(item["row"].supplier_id, 0) + 1
    created_ids = request.session.pop(CREATED_KEY, None) if posted is None else None
    created = list(PurchaseOrder.objects.filter(pk__in=created_ids or []).select_related("supplier").order_by("pk"))
    warehouses = list(active_warehouses().order_by("-is_default", "code"))
    settings = result.settings
    return render(
        request,
        "purchasing/replenishment.html",
        {
            "rows": shown,
            "group_sizes": group_sizes,
            "page_obj": page_obj,
            "tabs": tabs,
            "filters": filters,
            "filtered": bool(base),
            "query": urlencode({**base, "tab": filters["tab"]}),
            "suppliers": suppliers,
            "settings": settings,
            "velocity_label": dict(VELOCITY_CHOICES).get(settings.velocity_basis, settings.velocity_basis),
            "settings_url": reverse("shops:company_settings")
            if request.user.has_perm("core.change_company_settings")
            else "",
            "warehouses": warehouses,
            "selected_warehouse": (posted.get("warehouse") if posted is not None else "")
            or (warehouses[0].pk if warehouses else ""),
            "created": created,
            "no_supplier_value": services.NO_SUPPLIER,
        },
        status=status,
    )


@page(PERM)
def replenishment(request):
    """INV-7: what to reorder, how much and why; tabs 需补货 / 低库存 / 全部, grouped by preferred supplier."""
    return _render(request, request.GET)


def _back(request) -> str:
    nxt = request.POST.get("next") or ""
    if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        return nxt
    return reverse("purchasing:replenishment")


@page(PERM)
@require_POST
def replenishment_draft(request):
    """INV-7: the ticked rows with their (edited) quantities → draft purchase orders, one per supplier."""
    ids = [v for v in request.POST.getlist("sku") if v.isdigit()]
    rows = [(sku_id, (request.POST.get(f"qty_{sku_id}") or "").strip() or "0") for sku_id in ids]
    warehouse = None
    if request.POST.get("warehouse"):
        warehouse = active_warehouses().filter(pk=request.POST.get("warehouse")).first()
    try:
        created = services.create_draft_orders(request.user, rows, warehouse=warehouse)
    except DomainError as exc:
        messages.error(request, exc.message)
        if not ids:
            return redirect(_back(request))
        # Back to the same list with every tick and typed quantity kept, so nothing has to be redone.
        nxt = request.POST.get("next") or ""
        params = QueryDict(nxt.split("?", 1)[1] if "?" in nxt else "")
        return _render(request, params, posted=request.POST, status=400)
    request.session[CREATED_KEY] = [o.pk for o in created]
    messages.success(
        request,
        _("Draft purchase orders created: %(numbers)s") % {"numbers": "、".join(o.number for o in created)},
    )
    return redirect(_back(request))


urls = [
    path("replenishment/", replenishment, name="replenishment"),
    path("replenishment/draft/", replenishment_draft, name="replenishment_draft"),
]
