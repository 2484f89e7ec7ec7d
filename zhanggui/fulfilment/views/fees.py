"""Courier fees (/shipping/fees/, SHIP-5): import a carrier's bill, reconcile billed against expected per carrier
and month, export the reconciliation as XLSX. Rules in services/fees.py."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _

from zhanggui.core import clock
from zhanggui.core.access import has_access, page
from zhanggui.core.errors import DomainError

from ..models import Carrier
from ..services import claims, fees
from .common import FEES

# The detail narrowed to the rows finance must look at (the home page links here): over the threshold, not billed.
ONLY = {"flagged": lambda r: r.flagged, "unbilled": lambda r: r.billed_fen is None}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _carrier(value):
    return Carrier.objects.filter(pk=value).first() if str(value or "").isdigit() else None


@page(FEES)
def fee_list(request):
    shops = request.scope.shops
    month = request.GET.get("month") or clock.today().strftime("%Y-%m")
    carriers = list(Carrier.objects.order_by("pk"))
    carrier = _carrier(request.GET.get("carrier")) or (carriers[0] if carriers else None)
    try:
        fees.month_bounds(month)
    except DomainError as exc:
        messages.error(request, exc.message)
        month = clock.today().strftime("%Y-%m")
    if request.method == "POST":
        target = _carrier(request.POST.get("carrier"))
        upload = request.FILES.get("file")
        if target is None or upload is None:
            messages.error(request, _("Choose the carrier and the bill file."))
        else:
            try:
                result = fees.import_carrier_bill(request.user, target, upload, shops=shops)
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                (messages.warning if result.errors else messages.success)(request, result.summary)
                for line in result.errors[:20]:
                    messages.warning(request, line)
            carrier = target or carrier
        return redirect(f"{reverse('fulfilment:fees')}?carrier={carrier.pk if carrier else ''}&month={month}")
    summary = [fees.reconcile(shops, c, month) for c in carriers]
    credits = claims.paid_by_carrier(shops, *fees.month_bounds(month))  # AS-4: claims paid back are credited
    for recon in summary:
        recon.claims = credits.get(recon.carrier.pk, [])
        for line in recon.claims:
            line.url = line.url if has_access(request.user, line.perm) else ""
    detail = next((r for r in summary if carrier and r.carrier.pk == carrier.pk), None)
    if detail is not None and request.GET.get("export") == "xlsx":
        response = HttpResponse(fees.export_xlsx(detail), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="courier-fees-{carrier.code}-{month}.xlsx"'
        return response
    only = request.GET.get("only") if request.GET.get("only") in ONLY else ""
    rows = [r for r in detail.rows if ONLY[only](r)] if detail is not None and only else None
    return render(
        request,
        "fulfilment/fees.html",
        {
            "month": month,
            "carriers": carriers,
            "carrier": carrier,
            "summary": summary,
            "detail": detail,
            "rows": rows if rows is not None else (detail.rows if detail else []),
            "only": only,
        },
    )


urls = [path("fees/", fee_list, name="fees")]
