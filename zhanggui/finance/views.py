"""The finance home (财务): the sections of FIN-1..FIN-3, each a page of its own (SECTIONS: url name, label,
icon, permission); a section shows to whoever holds its permission."""

from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from zhanggui.core.access import has_access, page

PERM = "finance.view_ledger"

# (url name, label, icon, permission) — each finance page adds its line here
SECTIONS: list[tuple[str, object, str, str]] = [
    ("fulfilment:fees", _("Courier bills"), "fa-truck", "fulfilment.reconcile_fee"),  # SHIP-5, FIN-3
    ("finance:funds", _("Fund arrival"), "fa-money-bill-transfer", PERM),  # FIN-3
]


@page(PERM)
def home(request):
    sections = [
        {"url": reverse(name), "label": label, "icon": icon}
        for name, label, icon, perm in SECTIONS
        if has_access(request.user, perm)
    ]
    return render(request, "finance/home.html", {"sections": sections})
