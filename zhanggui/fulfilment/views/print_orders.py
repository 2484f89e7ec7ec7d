"""打单 from the order list (SHIP-1): the order list's batch bar posts its ticked orders here (orders may not import
fulfilment — the layers — so the action lives with printing), or links here with its filters for every order
matching them: a confirmation with the counts, then one print batch of their 待打单 packages, and the person lands on
the batch with its PDF labels."""

from django.contrib import messages
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme

from zhanggui.core.access import page
from zhanggui.core.actions import refuse
from zhanggui.core.errors import DomainError
from zhanggui.orders import selectors as order_selectors

from ..services import printing
from ..services.waybills import SIZES
from .common import PRINT
from .printing import to_batch


def _matching_orders(request, query: str):
    """The orders of the shops in view that the order list shows with `query` (its filters and tab)."""
    params = QueryDict(query)
    tab = params.get("tab") if params.get("tab") in order_selectors.TABS else "all"
    base = order_selectors.filtered(request.scope.shops, order_selectors.Filters.from_query(params))
    return order_selectors.in_tab(base, tab)


def _back(request, query: str = "") -> str:
    nxt = request.POST.get("next") or ""
    if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        return nxt
    return reverse("orders:list") + (f"?{query}" if query else "")


@page(PRINT)
def print_orders(request):
    """GET: the confirmation for every order matching the list's filters; POST: print (ticked or all matching)."""
    if request.method != "POST":
        query = request.GET.urlencode()
        orders = _matching_orders(request, query)
        packages = printing.open_packages_of(orders.values("pk")).filter(shop__in=request.scope.shops)
        ids = list(packages.order_by().values_list("pk", flat=True))
        context = {
            "query": query,
            "orders": orders.count(),
            "count": len(ids),
            "through": max(ids, default=None),
            "limit": printing.batch_limit(),
            "sizes": SIZES,
        }
        return render(request, "fulfilment/print_orders.html", context)
    p = request.POST
    query = p.get("query", "")
    try:
        if p.get("scope") == "all":
            through = int(p["through"]) if p.get("through", "").isdigit() else None
            chosen = _matching_orders(request, query)
            result = printing.print_orders(request.user, chosen, p.get("size", "76x130"), through=through)
        else:
            picked = [v.partition(":")[0] for v in p.getlist("order") if v.partition(":")[0].isdigit()]
            if not picked:
                raise DomainError("no_orders", "请先勾选订单", "order")
            result = printing.print_orders(request.user, picked, p.get("size", "76x130"))
    except DomainError as exc:
        refuse(request, exc, details=messages.WARNING, most=20)
        return redirect(_back(request, query))
    return to_batch(request, result)


urls = [path("print/orders/", print_orders, name="print_orders")]
