"""Catalog pages: role and lifecycle stage (PROD-7, PROD-8) — current vs suggested stage, the real 80/20 roles,
apply a suggestion, mark 引流款 / 利润款 / 活动款. Fed by `services.lifecycle.sales_input()`: the order lines, handed
over by the orders app (a registered source), with the thresholds of the company settings."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhanggui.core.access import page
from zhanggui.core.errors import DomainError

from ..models import Product
from ..services import lifecycle as svc


@page("catalog.view_product")
def lifecycle_page(request):
    t = svc.thresholds()
    sales = svc.normalise(svc.sales_input(t))
    stage = request.GET.get("stage", "")
    role = request.GET.get("role", "")
    keyword = request.GET.get("q", "").strip()
    base = Product.objects.filter(is_active=True)
    if keyword:
        base = base.filter(Q(style_code__icontains=keyword) | Q(name__icontains=keyword))
    if role in Product.Role.values and "role" in request.GET:
        base = base.filter(role=role)
    counts = dict(base.values_list("stage").annotate(n=Count("id")).values_list("stage", "n"))
    qs = base.filter(stage=stage) if stage in Product.Stage.values else base
    if sales:  # best sellers first
        ranked = sorted(sales, key=lambda pid: (-sum(sales[pid].daily_units[-t.window :]), pid))
        order = {pid: i for i, pid in enumerate(ranked)}
        ids = sorted(qs.values_list("pk", flat=True), key=lambda pid: (order.get(pid, 10**9), pid))
    else:
        ids = list(qs.order_by("style_code").values_list("pk", flat=True))
    page_obj = Paginator(ids, 100).get_page(request.GET.get("page"))
    products = Product.objects.in_bulk(list(page_obj))
    rows = svc.suggest_stages(sales, products=[products[pid] for pid in page_obj if pid in products], t=t)
    tabs = [("", _("All"), sum(counts.values()))] + [
        (value, label, counts.get(value, 0)) for value, label in Product.Stage.choices
    ]
    return render(
        request,
        "catalog/lifecycle.html",
        {
            "rows": rows,
            "page_obj": page_obj,
            "has_sales": bool(sales),
            "days": t.days,
            "tabs": tabs,
            "stage": stage,
            "role": role if "role" in request.GET else None,
            "keyword": keyword,
            "roles": Product.Role.choices,
            "stages": Product.Stage.choices,
        },
    )


def _back(request):
    nxt = request.POST.get("next", "")
    if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        return redirect(nxt)
    return redirect("catalog:lifecycle")


@require_POST
@page("catalog.change_product")
def apply_stage(request, product_id: int):
    return _change_product(
        request,
        product_id,
        svc.apply_stage,
        "stage",
        lambda p: _("%(code)s is now in %(stage)s") % {"code": p.style_code, "stage": p.get_stage_display()},
    )


@require_POST
@page("catalog.change_product")
def set_role(request, product_id: int):
    return _change_product(
        request,
        product_id,
        svc.set_role,
        "role",
        lambda p: _("%(code)s marked as %(role)s") % {"code": p.style_code, "role": p.get_role_display()},
    )


def _change_product(request, product_id: int, change, field: str, success_message):
    """Apply `change(user, product, posted value)`; say so only when something changed, then go back."""
    product = get_object_or_404(Product, pk=product_id)
    try:
        if change(request.user, product, request.POST.get(field, "")):
            messages.success(request, success_message(product))
    except DomainError as exc:
        messages.error(request, exc.message)
    return _back(request)


urls = [
    path("lifecycle/", lifecycle_page, name="lifecycle"),
    path("<int:product_id>/lifecycle/stage/", apply_stage, name="lifecycle_apply"),
    path("<int:product_id>/lifecycle/role/", set_role, name="lifecycle_role"),
]
