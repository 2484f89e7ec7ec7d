"""The finance pages (财务): the home listing the sections of FIN-1..FIN-3 (SECTIONS: url name, label, icon,
permission; a section shows to whoever holds its permission), the monthly P&L with closing and XLSX (FIN-2), the
commission rates and the orders whose cost is missing (FIN-1). Thin: the rules are in services/."""

import datetime as dt

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from zhanggui.catalog.models import Category
from zhanggui.core import clock
from zhanggui.core.access import has_access, page
from zhanggui.core.errors import DomainError
from zhanggui.core.money import yuan_to_fen
from zhanggui.shops.models import Platform

from .models import CommissionRate, CostEntry
from .services import pnl, profit, rates, xlsx

PERM = "finance.view_ledger"
CLOSE = "finance.close_month"

# (url name, label, icon, permission) — each finance page adds its line here
SECTIONS: list[tuple[str, object, str, str]] = [
    ("fulfilment:fees", gettext_lazy("Courier bills"), "fa-truck", "fulfilment.reconcile_fee"),  # SHIP-5, FIN-3
    ("finance:pnl", gettext_lazy("Monthly profit and loss"), "fa-scale-balanced", PERM),  # FIN-2
    ("finance:rates", gettext_lazy("Platform commission rates"), "fa-percent", PERM),  # FIN-1
    ("finance:missing_cost", gettext_lazy("Orders with cost missing"), "fa-triangle-exclamation", PERM),  # FIN-1
    ("finance:funds", gettext_lazy("Fund arrival"), "fa-money-bill-transfer", PERM),  # FIN-3
]


@page(PERM)
def home(request):
    sections = [
        {"url": reverse(name), "label": label, "icon": icon}
        for name, label, icon, perm in SECTIONS
        if has_access(request.user, perm)
    ]
    return render(request, "finance/home.html", {"sections": sections})


def _month(request) -> dt.date:
    raw = request.GET.get("month") or request.POST.get("month")
    if not raw:
        return (clock.today().replace(day=1) - dt.timedelta(days=1)).replace(day=1)  # last month
    try:
        return pnl.month_of(raw)
    except DomainError:
        return clock.today().replace(day=1)


@page(PERM, shop_scoped=True)
def pnl_page(request):
    """FIN-2: the month's P&L for each shop in view and the company total, costs entered, close buttons, XLSX."""
    month = _month(request)
    shops = list(request.scope.shops)
    rows, total, beside = pnl.monthly(shops, month)
    if request.GET.get("format") == "xlsx":
        data = xlsx.pnl_xlsx(rows, total, beside, month)
        response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = f'attachment; filename="pnl-{month:%Y-%m}.xlsx"'
        return response
    lines = [
        {
            "key": key,
            "label": pnl.line_label(label),
            "shops": [r.figures.get(key, 0) for r in rows],
            "total": total.get(key, 0),
        }
        for key, label in pnl.LINES
    ]
    months = [clock.today().replace(day=1)]
    for _i in range(11):
        months.append((months[-1] - dt.timedelta(days=1)).replace(day=1))
    entries = CostEntry.objects.filter(shop__in=shops, month=month).select_related("shop").order_by("shop_id", "pk")
    return render(
        request,
        "finance/pnl.html",
        {
            "month": month,
            "months": months,
            "rows": rows,
            "lines": lines,
            "total": total,
            "beside": beside,
            "entries": entries,
            "kinds": [(k, label) for k, label in CostEntry.Kind.choices if k != CostEntry.Kind.CORRECTION],
            "can_close": request.user.has_perm(CLOSE),
            "month_over": pnl.next_month(month) <= clock.today(),
            "xlsx_url": "?" + urlencode({**request.scope.query(), "month": f"{month:%Y-%m}", "format": "xlsx"}),
            "scope_query": request.scope.query(),
        },
    )


def _back_to_pnl(request, month) -> str:
    return reverse("finance:pnl") + "?" + urlencode({**request.scope.query(), "month": f"{month:%Y-%m}"})


def _shop(request):
    raw = request.POST.get("shop", "")
    shop = next((s for s in request.scope.allowed if str(s.pk) == raw), None)
    if shop is None:
        raise Http404
    return shop


@require_POST
@page(CLOSE, shop_scoped=True)
def close_view(request):
    """FIN-2: close one shop's month (figures frozen); twice is refused in Chinese."""
    month = _month(request)
    shop = _shop(request)
    try:
        pnl.close_month(request.user, shop, month, note=request.POST.get("note", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(shop)s %(month)s closed") % {"shop": shop.name, "month": f"{month:%Y-%m}"})
    return redirect(_back_to_pnl(request, month))


@require_POST
@page(PERM, shop_scoped=True)
def cost_view(request):
    """FIN-2: enter ad spend, campaign prizes or another cost of a shop's month (a closed month: a correction in the
    next open month)."""
    month = _month(request)
    shop = _shop(request)
    try:
        amount = _amount(request.POST.get("amount", ""))
        entry = pnl.add_cost(
            request.user, shop, month, request.POST.get("kind", ""), amount, request.POST.get("note", "")
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        if entry.month != month:
            messages.warning(
                request,
                _("%(month)s is closed: the cost was booked in %(booked)s as a correction")
                % {"month": f"{month:%Y-%m}", "booked": f"{entry.month:%Y-%m}"},
            )
        else:
            messages.success(request, _("Cost recorded"))
    return redirect(_back_to_pnl(request, month))


@require_POST
@page(PERM, shop_scoped=True)
def cost_delete_view(request, cost_id: int):
    entry = get_object_or_404(CostEntry.objects.select_related("shop"), pk=cost_id, shop__in=request.scope.allowed)
    try:
        pnl.delete_cost(request.user, entry)
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect(_back_to_pnl(request, entry.month))


def _amount(raw: str) -> int:
    try:
        return yuan_to_fen(raw)
    except (ValueError, ArithmeticError, DomainError):
        raise DomainError("bad_amount", _("Amount: enter an amount in yuan, e.g. 1200.50"), "amount") from None


@page(PERM)
def rates_page(request):
    """FIN-1: the commission rates per platform and category with their source; finance edits them here."""
    if request.method == "POST":
        try:
            rates.save_rate(
                request.user,
                request.POST.get("platform", ""),
                request.POST.get("category", ""),
                request.POST.get("rate", ""),
                request.POST.get("source", ""),
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Commission rate saved"))
        return redirect("finance:rates")
    return render(
        request,
        "finance/rates.html",
        {
            "table": rates.table(),
            "platforms": list(Platform.objects.all()),
            "categories": list(Category.objects.order_by("name")),
            "rows": CommissionRate.objects.select_related("platform", "category"),
        },
    )


@page(PERM, shop_scoped=True)
def missing_cost_page(request):
    """FIN-1: the paid orders of the month whose product cost is missing (成本缺失), to fix the SKUs' costs."""
    month = _month(request) if request.GET.get("month") else clock.today().replace(day=1)
    first, last = pnl.month_bounds(month)
    orders, total = profit.cost_missing_orders([s.pk for s in request.scope.shops], first, last)
    return render(request, "finance/missing_cost.html", {"orders": orders, "total": total, "month": month})
