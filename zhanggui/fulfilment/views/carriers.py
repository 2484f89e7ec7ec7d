"""Carrier pages (/shipping/carriers/, SHIP-3, SHIP-5): the carriers with their platform codes, each carrier's
unreachable areas and freight rate table (editing: fulfilment.change_carrier), and 运费试算 — a province and a weight
give the expected courier fee of every carrier. Rules live in services/carriers.py and services/carrier_rules.py."""

from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from zhanggui.channels import PLATFORMS
from zhanggui.core.access import has_access, page
from zhanggui.core.actions import run_action
from zhanggui.core.errors import DomainError
from zhanggui.core.events import present_event, timeline_for
from zhanggui.core.money import fen_to_yuan

from ..models import Carrier
from ..services import carrier_rules, carriers, claims

VIEW_CARRIER = "fulfilment.view_carrier"
CHANGE_CARRIER = "fulfilment.change_carrier"
CLAIMS_SHOWN = 50


def _quote(request):
    """The 运费试算 box: (province, weight, rows, error) from the query string."""
    province = request.GET.get("province", "")
    weight = request.GET.get("weight", "") or "1000"
    rows, error = [], ""
    if province:
        try:
            rows = carriers.quote(province, weight)
        except DomainError as exc:
            error = exc.message
    return {"province": province, "weight": weight, "rows": rows, "error": error}


@page(VIEW_CARRIER)
def carrier_list(request):
    qs = Carrier.objects.annotate(
        area_count=Count("unreachable", distinct=True), rate_count=Count("rates", distinct=True)
    ).order_by("sort", "code")
    rows = [{"carrier": c, "codes": [(p, (c.platform_codes or {}).get(p) or {}) for p in PLATFORMS]} for c in qs]
    context = {
        "rows": rows,
        "platforms": PLATFORMS,
        "provinces": carrier_rules.provinces(),
        "quote": _quote(request),
    }
    return render(request, "fulfilment/carriers.html", context)


@page(VIEW_CARRIER)
def carrier_detail(request, carrier_id: int):
    carrier = get_object_or_404(Carrier, pk=carrier_id)
    names = dict(carrier_rules.provinces())
    rates = [
        {
            "rate": r,
            "province": names.get(r.province_code, r.province_code) if r.province_code else _("Other provinces"),
            "first_yuan": fen_to_yuan(r.first_fen),
            "step_yuan": fen_to_yuan(r.step_fen),
        }
        for r in carrier.rates.order_by("province_code")
    ]
    events = [present_event(e, request.user) for e in timeline_for(carrier).select_related("content_type")[:30]]
    # AS-4, SHIP-5: the carrier's record of claims (lost, damaged, confiscated) of the shops in view
    carrier_claims = claims.claims_for(request.scope.shops, carrier_id=carrier.pk, limit=CLAIMS_SHOWN)
    for line in carrier_claims:
        line.url = line.url if has_access(request.user, line.perm) else ""
    context = {
        "carrier": carrier,
        "codes": [(p, (carrier.platform_codes or {}).get(p) or {}) for p in PLATFORMS],
        "areas": carrier.unreachable.order_by("adcode"),
        "rates": rates,
        "provinces": carrier_rules.provinces(),
        "events": events,
        "claims": carrier_claims,
        "claims_paid": sum(c.paid_fen for c in carrier_claims),
        "claims_claimed": sum(c.claimed_fen for c in carrier_claims),
        "form": request.session.pop("carrier_form", None) or {},
    }
    return render(request, "fulfilment/carrier_detail.html", context)


def _carrier_action(change, done):
    """A POST on a carrier's page: run the service, then back to the page (the refusal or `done` shown)."""

    def view(request, carrier_id: int):
        carrier = get_object_or_404(Carrier, pk=carrier_id)
        if not run_action(request, lambda: change(request, carrier), done):
            request.session["carrier_form"] = {k: v for k, v in request.POST.items() if k != "csrfmiddlewaretoken"}
        return redirect(reverse("fulfilment:carrier_detail", args=[carrier.pk]))

    view.__name__ = view.__qualname__ = change.__name__.lstrip("_")
    return require_POST(page(CHANGE_CARRIER)(view))


def _area_add(request, carrier):
    p = request.POST
    return carriers.add_area(request.user, carrier, p.get("adcode", ""), p.get("note", ""))


def _area_remove(request, carrier):
    return carriers.remove_area(request.user, carrier, request.POST.get("area", ""))


def _rate_save(request, carrier):
    p = request.POST
    return carriers.save_rate(
        request.user,
        carrier,
        p.get("province_code", ""),
        p.get("first_weight_g", ""),
        p.get("first_yuan", ""),
        p.get("step_g", ""),
        p.get("step_yuan", ""),
    )


def _rate_remove(request, carrier):
    return carriers.remove_rate(request.user, carrier, request.POST.get("rate", ""))


area_add = _carrier_action(_area_add, lambda area: _("Unreachable area added: {name}").format(name=area.name))
area_remove = _carrier_action(_area_remove, gettext_lazy("Unreachable area removed."))
rate_save = _carrier_action(_rate_save, gettext_lazy("Freight rate saved."))
rate_remove = _carrier_action(_rate_remove, gettext_lazy("Freight rate removed."))

urls = [
    path("carriers/", carrier_list, name="carriers"),
    path("carriers/<int:carrier_id>/", carrier_detail, name="carrier_detail"),
    path("carriers/<int:carrier_id>/areas/add/", area_add, name="carrier_area_add"),
    path("carriers/<int:carrier_id>/areas/remove/", area_remove, name="carrier_area_remove"),
    path("carriers/<int:carrier_id>/rates/save/", rate_save, name="carrier_rate_save"),
    path("carriers/<int:carrier_id>/rates/remove/", rate_remove, name="carrier_rate_remove"),
]
