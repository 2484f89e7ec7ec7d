"""The package list (/shipping/, the module's main page) and one package (/shipping/<package_id>/): the warehouse's
packages of the shops in view by state, search and filters, the 打印快递单 batch action (SHIP-1); the detail shows
orders, lines, receiver (masked per role, TEAM-5), carrier choice, waybill, prints and reprints, shipment, tracking
and the timeline, with reprint / void buttons."""

from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhanggui.core.access import page, scoped_get
from zhanggui.core.actions import run_action
from zhanggui.core.events import present_event, timeline_for
from zhanggui.core.privacy import can_see_pii
from zhanggui.orders.views.common import present_receiver

from .. import selectors
from ..models import Carrier, Package
from ..services import packages, printing
from ..services.waybills import SIZES
from .common import PRINT, STATE_TONES, VIEW

PER_PAGE = 50


def filtered(request):
    """The packages of the shops in view with the list's filters (all but the state tab) and the filter values."""
    g = request.GET
    values = {"q": g.get("q", "").strip(), "shop": g.get("shop_id", ""), "carrier": g.get("carrier", "")}
    shop_id = int(values["shop"]) if values["shop"].isdigit() else None
    qs = selectors.packages_in_view(request.scope.shops, q=values["q"], shop_id=shop_id, carrier=values["carrier"])
    return qs, values


@page(VIEW)
def package_list(request):
    state = request.GET.get("state") or Package.State.TO_PRINT
    if state not in Package.State.values:
        state = Package.State.TO_PRINT
    qs, values = filtered(request)
    counts = selectors.state_counts(qs)
    base = {k: v for k, v in {"q": values["q"], "shop_id": values["shop"], "carrier": values["carrier"]}.items() if v}
    tabs = [
        (s, packages.state_label(s), counts.get(s, 0), "?" + urlencode({**base, "state": s}))
        for s in Package.State.values
    ]
    page_obj = Paginator(selectors.package_queue(qs, state), PER_PAGE).get_page(request.GET.get("page"))
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
            "can_print": request.user.has_perm(PRINT) and state == Package.State.TO_PRINT,
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
