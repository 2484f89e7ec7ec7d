"""The package list (/shipping/): the warehouse's packages of the shops in view, by state."""

from django.shortcuts import render
from django.urls import path

from zhanggui.core.access import page

from ..models import Package
from ..services import packages
from .common import STATE_TONES, VIEW


@page(VIEW)
def package_list(request):
    state = request.GET.get("state") or "to_print"
    qs = Package.objects.filter(shop__in=request.scope.shops).select_related("shop", "carrier", "order")
    rows = [
        {"package": p, "state_label": packages.state_label(p.state), "tone": STATE_TONES.get(p.state, "secondary")}
        for p in qs.filter(state=state).order_by("ordered_at", "id")[:200]
    ]
    tabs = [(s, packages.state_label(s)) for s in Package.State.values]
    return render(request, "fulfilment/list.html", {"rows": rows, "tabs": tabs, "state": state})


urls = [path("", package_list, name="list")]
