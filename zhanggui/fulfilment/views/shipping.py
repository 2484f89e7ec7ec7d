"""Ship and the daily shipping record (/shipping/shipped/?day=YYYY-MM-DD, SHIP-1): the packed parcels waiting for
the courier (批量发货), what left the warehouse that Beijing day per shop and carrier, the waybills, each shop's
platform batch-ship file and a printable A4 list — the slips filed by date. Rules in services/shipping.py."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from zhanggui.core import clock, pdf
from zhanggui.core.access import has_access, page
from zhanggui.core.actions import refuse
from zhanggui.core.errors import DomainError

from .. import selectors
from ..services import intercept, shipping
from .common import SHIP

VIEW_SHIPMENT = "fulfilment.view_shipment"


def _day(request):
    try:
        return shipping.parse_day(request.GET.get("day"))
    except DomainError as exc:
        messages.error(request, exc.message)
        return clock.today()


@page(VIEW_SHIPMENT)
def shipped(request):
    day = _day(request)
    shops = request.scope.shops
    shipments = list(selectors.shipments_of_day(shops, day)[:1000])
    summary = selectors.daily_summary(shops, day)
    waiting = selectors.packed_waiting(shops)
    shop_ids = sorted({s.shop_id for s in shipments})
    context = {
        "day": day,
        "prev_day": day.fromordinal(day.toordinal() - 1),
        "next_day": day.fromordinal(day.toordinal() + 1),
        "today": clock.today(),
        "shipments": shipments,
        "summary": summary,
        "total_parcels": sum(r["parcels"] for r in summary),
        "total_weight_kg": sum(r["weight_g"] for r in summary) / 1000,
        "files": [s for s in shops if s.pk in shop_ids],
        "waiting": waiting,
        "can_ship": has_access(request.user, SHIP),
        "intercepted": intercept.intercepted_on(shops, day),  # 拦截 of the day, in red
    }
    return render(request, "fulfilment/shipping.html", context)


@require_POST
@page(SHIP)
def ship(request):
    back = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}):
        back = reverse("fulfilment:shipped")
    try:
        outcome = shipping.ship_packages(request.user, request.POST.getlist("package"), shops=request.scope.shops)
    except DomainError as exc:
        refuse(request, exc)
        return redirect(back)
    if outcome.shipped:
        nos = "、".join(p.waybill_no for p in outcome.shipped[:5]) + ("…" if len(outcome.shipped) > 5 else "")
        messages.success(request, f"已发货 {len(outcome.shipped)} 个包裹：{nos}")
    for _pk, reason in outcome.refused[:20]:
        messages.error(request, reason)
    return redirect(back)


def _shop(request):
    value = str(request.GET.get("shop") or "")
    shop = next((s for s in request.scope.allowed if str(s.pk) == value or s.code == value), None)
    if shop is None and not value and request.scope.shops:  # no shop asked for: the first shop in view
        shop = request.scope.shops[0]
    if shop is None:
        raise Http404
    return shop


@page(SHIP)
def batch_file(request):
    """The shop's platform batch-ship upload (批量发货) for the day, in the platform's format (channels.shipping)."""
    shop, day = _shop(request), _day(request)
    name, data = shipping.batch_ship_file(shop, day)
    resp = HttpResponse(data, content_type="text/csv")
    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(name)}"
    return resp


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)


@page(VIEW_SHIPMENT)
def shipped_pdf(request):
    """The daily shipping record on A4 (slips filed by date)."""
    day = _day(request)
    shipments = list(selectors.shipments_of_day(request.scope.shops, day))
    summary = selectors.daily_summary(request.scope.shops, day)
    doc = pdf.Document(
        title="发货记录",
        number=day.strftime("%Y%m%d"),
        facts=[("发货日期", day.isoformat()), ("包裹数", str(len(shipments)))]
        + [(f"{r['shop']} {r['carrier']}", f"{r['parcels']} 件 {r['weight_g'] / 1000:.2f} kg") for r in summary],
        columns=[
            pdf.Column("#", 10, numeric=True),
            pdf.Column("店铺", 28),
            pdf.Column("订单号", 40),
            pdf.Column("快递", 18),
            pdf.Column("运单号", 40),
            pdf.Column("重量(g)", 18, numeric=True),
            pdf.Column("时间", 26),
        ],
        rows=[
            [
                n,
                s.shop.name,
                s.package.order.platform_order_no,
                str(s.carrier),
                s.waybill_no,
                s.weight_g or "",
                clock.local(s.shipped_at).strftime("%H:%M"),
            ]
            for n, s in enumerate(shipments, start=1)
        ],
        signatures=["发货人", "快递揽收"],
        printed_by=getattr(request.user, "number", ""),
    )
    return pdf.response(doc, f"shipped-{day:%Y%m%d}.pdf")


urls = [
    path("shipped/", shipped, name="shipped"),
    path("shipped/pdf/", shipped_pdf, name="shipped_pdf"),
    path("shipped/file/", batch_file, name="batch_file"),
    path("ship/", ship, name="ship"),
]
