"""The package list (/shipping/, the module's main page) and one package (/shipping/<package_id>/): the warehouse's
packages of the shops in view by state, search and filters, the 打印快递单 batch action (SHIP-1); the detail shows
orders, lines, receiver (masked per role, TEAM-5), carrier choice, waybill, prints and reprints, shipment, tracking
and the timeline, with reprint / void buttons."""

import datetime as dt

from django.shortcuts import redirect, render
from django.urls import path
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhanggui.core.access import page, scoped_get
from zhanggui.core.actions import run_action
from zhanggui.core.events import present_event, timeline_for
from zhanggui.core.paging import paginate
from zhanggui.core.privacy import can_see_pii
from zhanggui.orders.views.common import present_receiver

from .. import selectors
from ..models import Carrier, Package
from ..services import packages, printing
from ..services.waybills import SIZES
from .common import PRINT, STATE_TONES, VIEW

PER_PAGE = 50


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        return None


def filtered(params, shops):
    """The packages of `shops` with the list's filters (all but the state tab: search, shop, carrier, order dates)
    from `params` (the query string, or the print-all form), and the filter values as the URL carries them."""
    date_from, date_to = _date(params.get("from", "")), _date(params.get("to", ""))
    values = {
        "q": params.get("q", "").strip()[:64],
        "shop": params.get("shop_id", "") if params.get("shop_id", "").isdigit() else "",
        "carrier": params.get("carrier", "").strip()[:20],
        "from": date_from.isoformat() if date_from else "",
        "to": date_to.isoformat() if date_to else "",
    }
    qs = selectors.packages_in_view(
        shops,
        q=values["q"],
        shop_id=int(values["shop"]) if values["shop"] else None,
        carrier=values["carrier"],
        date_from=date_from,
        date_to=date_to,
    )
    return qs, values


def query_of(values: dict) -> dict:
    """The filters as URL parameters (empty ones left out)."""
    names = {"q": "q", "shop": "shop_id", "carrier": "carrier", "from": "from", "to": "to"}
    return {names[k]: v for k, v in values.items() if v}


@page(VIEW)
def package_list(request):
    state = request.GET.get("state") or Package.State.TO_PRINT
    if state not in Package.State.values:
        state = Package.State.TO_PRINT
    qs, values = filtered(request.GET, request.scope.shops)
    counts = selectors.state_counts(qs)
    base = query_of(values) | request.scope.query()  # shared links show the same shop
    tabs = [
        (s, packages.state_label(s), counts.get(s, 0), "?" + urlencode({**base, "state": s}))
        for s in Package.State.values
    ]
    queue = selectors.package_queue(qs, state)
    page_obj = paginate(request, queue, "packages", default=PER_PAGE, count=counts.get(state, 0))
    show = can_see_pii(request.user)
    rows = [
        {
            "package": p,
            "receiver": present_receiver(p.order, request.user, show),
            "tone": STATE_TONES.get(p.state, "secondary"),
            "state_label": packages.state_label(p.state),
        }
        for p in page_obj
    ]
    can_print = request.user.has_perm(PRINT) and state == Package.State.TO_PRINT
    print_all = selectors.print_all_facts(qs) if can_print else None
    if print_all:
        print_all["limit"] = printing.batch_limit()
    return render(
        request,
        "fulfilment/list.html",
        {
            "rows": rows,
            "tabs": tabs,
            "state": state,
            "state_label": packages.state_label(state),
            "filters": values,
            "filtered": any(values.values()),
            "shops": request.scope.shops,
            "carriers": Carrier.objects.filter(active=True),
            "page_obj": page_obj,
            "query": urlencode({**base, "state": state}),
            "can_print": can_print,
            "print_all": print_all,
            "sizes": SIZES,
        },
    )


def load(user, package_id):
    """The package within the user's shops, else 404."""
    qs = Package.objects.select_related("shop__platform", "carrier", "order", "print_batch", "packed_by", "warehouse")
    return scoped_get(qs, user, pk=package_id)


@page(VIEW)
def package_detail(request, package_id: int):
    package = load(request.user, package_id)
    show = can_see_pii(request.user)
    shipment = getattr(package, "shipment", None) if hasattr(package, "shipment") else None
    return render(
        request,
        "fulfilment/detail.html",
        {
            "package": package,
            "orders": selectors.package_orders(package),
            "lines": list(selectors.package_lines(package)),
            "receiver": present_receiver(package.order, request.user, show),
            "state_label": packages.state_label(package.state),
            "tone": STATE_TONES.get(package.state, "secondary"),
            "prints": list(package.prints.select_related("printed_by", "batch")),
            "shipment": shipment,
            "tracking": list(package.tracking.order_by("-at")[:100]),
            "timeline": [present_event(e, request.user) for e in timeline_for(package)[:200]],
            "can_print": request.user.has_perm(PRINT),
            "can_reprint": package.state in {Package.State.PRINTED, Package.State.PACKED} and package.waybill_no,
            "can_void": package.state == Package.State.PRINTED,
        },
    )


@require_POST
@page(PRINT)
def reprint_view(request, package_id: int):
    """SHIP-1: reprint with a reason (recorded)."""
    package = load(request.user, package_id)
    p = request.POST
    ok = run_action(
        request,
        lambda: printing.reprint(request.user, package, p.get("reason", ""), version=p.get("version") or None),
        _("Reprint recorded"),
    )
    if ok and package.print_batch_id:
        return redirect("fulfilment:labels_pdf_one", package_id=package.pk)
    return redirect("fulfilment:detail", package_id=package.pk)


@require_POST
@page(PRINT)
def void_view(request, package_id: int):
    """SHIP-1: void the waybill, back to 待打单."""
    package = load(request.user, package_id)
    p = request.POST
    run_action(
        request,
        lambda: printing.void_waybill(request.user, package, p.get("reason", ""), version=p.get("version") or None),
        _("Waybill voided; the package is back in the print queue"),
    )
    return redirect("fulfilment:detail", package_id=package.pk)


urls = [
    path("", package_list, name="list"),
    path("<int:package_id>/", package_detail, name="detail"),
    path("<int:package_id>/reprint/", reprint_view, name="reprint"),
    path("<int:package_id>/void/", void_view, name="void"),
]
