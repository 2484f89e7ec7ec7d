"""Supplier pages (供应商, PUR-1, PUR-3): the list with quality columns and what is owed, the supplier page with
profile and contacts, products supplied, quality record and evaluations, purchase documents (statement and XLSX
export) and the timeline. Company-level, not shop-scoped. Every change goes through services.suppliers."""

import datetime as dt
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from zhanggui.catalog.models import Product
from zhanggui.core.access import page
from zhanggui.core.actions import posted_object, run_action
from zhanggui.core.errors import DomainError
from zhanggui.core.events import present_event, timeline_for
from zhanggui.core.forms import add_domain_error
from zhanggui.core.money import yuan_to_fen

from ..models import PurchaseOrder, Supplier, SupplierProduct
from ..services import suppliers as svc

VIEW = "purchasing.view_supplier"
CHANGE = "purchasing.change_supplier"
ADD = "purchasing.add_supplier"
PAGE_SIZE = 100
SECTIONS = ("profile", "products", "quality", "documents")


class SupplierForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("Supplier code"), max_length=20)
    name = forms.CharField(label=gettext_lazy("Supplier name"), max_length=100)
    contact_name = forms.CharField(label=gettext_lazy("Contact"), max_length=40, required=False)
    phone = forms.CharField(label=gettext_lazy("Phone"), max_length=30, required=False)
    wechat = forms.CharField(label=gettext_lazy("WeChat"), max_length=40, required=False)
    address = forms.CharField(label=gettext_lazy("Address"), max_length=200, required=False)
    shop_url = forms.CharField(label=gettext_lazy("Shop link (1688/Taobao)"), max_length=200, required=False)
    lead_time_days = forms.IntegerField(label=gettext_lazy("Lead time (days)"), min_value=0, max_value=365, initial=7)
    payment_terms = forms.CharField(
        label=gettext_lazy("Payment terms"),
        max_length=60,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("e.g. 30 percent deposit, balance on delivery")}),
    )
    note = forms.CharField(label=gettext_lazy("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    is_active = forms.BooleanField(label=gettext_lazy("Active"), required=False, initial=True)


def _supplier_values(supplier: Supplier) -> dict:
    return {name: getattr(supplier, name) for name in svc.PROFILE_FIELDS}


# ---- list -------------------------------------------------------------------------------------------------------

SORTS = {
    "code": gettext_lazy("Code"),
    "defect": gettext_lazy("Defect rate, highest first"),
    "-defect": gettext_lazy("Defect rate, lowest first"),
    "owed": gettext_lazy("Owed, highest first"),
    "score": gettext_lazy("Rating, highest first"),
}


@page(VIEW)
def supplier_list(request):
    """PUR-1, PUR-3: suppliers with their quality record (defect rate sortable), rating and what we owe them."""
    q = request.GET.get("q", "").strip()[:60]
    tab = request.GET.get("tab", "active")
    tab = tab if tab in ("active", "inactive", "all") else "active"
    sort = request.GET.get("sort", "code")
    sort = sort if sort in SORTS else "code"
    qs = Supplier.objects.all()
    if q:
        qs = qs.filter(
            Q(code__icontains=q)
            | Q(name__icontains=q)
            | Q(contact_name__icontains=q)
            | Q(phone__icontains=q)
            | Q(wechat__icontains=q)
            | Q(contacts__name__icontains=q)
        ).distinct()
    counts = {"active": qs.filter(is_active=True).count(), "inactive": qs.filter(is_active=False).count()}
    counts["all"] = counts["active"] + counts["inactive"]
    if tab != "all":
        qs = qs.filter(is_active=(tab == "active"))
    suppliers = list(qs.annotate(n_products=Count("products", distinct=True)).order_by("code"))
    records = svc.quality_records([s.pk for s in suppliers])
    owed = svc.owed_by_supplier()
    rows = [(s, records[s.pk], owed.get(s.pk, 0)) for s in suppliers]
    if sort in ("defect", "-defect"):
        known = [r for r in rows if r[1].defect_rate is not None]
        unknown = [r for r in rows if r[1].defect_rate is None]  # nothing received yet: always last
        known.sort(key=lambda r: r[1].defect_rate, reverse=(sort == "defect"))
        rows = known + unknown
    elif sort == "owed":
        rows.sort(key=lambda r: -r[2])
    elif sort == "score":
        rows.sort(key=lambda r: -(r[1].score or 0))
    page_obj = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    base = {k: v for k, v in {"q": q, "sort": sort if sort != "code" else ""}.items() if v}
    labels = {"active": _("Active"), "inactive": _("Inactive"), "all": _("All")}
    tabs = [(t, labels[t], counts[t], "?" + urlencode({**base, "tab": t})) for t in ("active", "inactive", "all")]
    sort_base = {k: v for k, v in {"q": q, "tab": tab}.items() if v}
    return render(
        request,
        "purchasing/supplier_list.html",
        {
            "rows": page_obj,
            "page_obj": page_obj,
            "tabs": tabs,
            "tab": tab,
            "q": q,
            "sort": sort,
            "sorts": list(SORTS.items()),
            "defect_sort_url": "?" + urlencode({**sort_base, "sort": "-defect" if sort == "defect" else "defect"}),
            "owed_sort_url": "?" + urlencode({**sort_base, "sort": "owed"}),
            "total_owed": sum(owed.values()),
            "owing_suppliers": sum(1 for v in owed.values() if v > 0),
            "query": urlencode({**base, "tab": tab}),
        },
    )


# ---- create / edit ----------------------------------------------------------------------------------------------


def _save_profile(request, form, supplier=None):
    if not form.is_valid():
        return None
    try:
        if supplier is None:
            return svc.create_supplier(request.user, **form.cleaned_data)
        return svc.update_supplier(request.user, supplier, **form.cleaned_data)
    except DomainError as exc:
        add_domain_error(form, exc)
        return None


@page(ADD)
def supplier_create(request):
    form = SupplierForm(request.POST or None)
    if request.method == "POST":
        supplier = _save_profile(request, form)
        if supplier is not None:
            messages.success(request, _("Supplier %(name)s created.") % {"name": supplier.name})
            return redirect("purchasing:supplier", supplier_id=supplier.pk)
    return render(
        request,
        "purchasing/supplier_form.html",
        {"form": form, "supplier": None},
        status=400 if request.method == "POST" else 200,
    )


@page(CHANGE)
def supplier_edit(request, supplier_id: int):
    supplier = get_object_or_404(Supplier, pk=supplier_id)
    form = SupplierForm(request.POST or None, initial=_supplier_values(supplier))
    if request.method == "POST":
        saved = _save_profile(request, form, supplier)
        if saved is not None:
            messages.success(request, _("Supplier saved."))
            return redirect("purchasing:supplier", supplier_id=supplier.pk)
    return render(
        request,
        "purchasing/supplier_form.html",
        {"form": form, "supplier": supplier},
        status=400 if request.method == "POST" else 200,
    )


# ---- the supplier page ------------------------------------------------------------------------------------------


def _day(value):
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _statement_for(request, supplier):
    return svc.supplier_statement(
        supplier, _day(request.GET.get("date_from", "")), _day(request.GET.get("date_to", ""))
    )


@page(VIEW)
def supplier_detail(request, supplier_id: int):
    """PUR-1, PUR-3: one supplier — sections profile, products, quality, documents; timeline on the right."""
    supplier = get_object_or_404(Supplier, pk=supplier_id)
    section = request.GET.get("section", "profile")
    section = section if section in SECTIONS else "profile"
    record = svc.quality_record(supplier)
    statement = _statement_for(request, supplier)
    items = list(
        SupplierProduct.objects.filter(supplier=supplier)
        .select_related("product")
        .order_by("-is_preferred", "product__style_code")
    )
    preferred_elsewhere = dict(
        SupplierProduct.objects.filter(product__in=[i.product_id for i in items], is_preferred=True)
        .exclude(supplier=supplier)
        .values_list("product_id", "supplier__name")
    )
    open_orders = PurchaseOrder.objects.filter(supplier=supplier).exclude(
        state__in=[PurchaseOrder.State.CLOSED, PurchaseOrder.State.CANCELLED]
    )
    date_params = {k: request.GET.get(k, "") for k in ("date_from", "date_to") if request.GET.get(k)}
    return render(
        request,
        "purchasing/supplier_detail.html",
        {
            "supplier": supplier,
            "section": section,
            "sections": [
                ("profile", _("Profile and contacts")),
                ("products", _("Products supplied")),
                ("quality", _("Quality and evaluations")),
                ("documents", _("Purchase documents")),
            ],
            "record": record,
            "contacts": list(supplier.contacts.all()),
            "evaluations": list(supplier.evaluations.select_related("actor")[:50]),
            "items": [(i, preferred_elsewhere.get(i.product_id)) for i in items],
            "statement": statement,
            "totals": statement.totals,
            "owed_all": svc.owed_by_supplier([supplier.pk]).get(supplier.pk, 0),
            "open_orders": open_orders.count(),
            "date_from": request.GET.get("date_from", ""),
            "date_to": request.GET.get("date_to", ""),
            "export_query": urlencode(date_params),
            "scores": range(5, 0, -1),
            "aspects": list(svc.ASPECTS.items()),
            "timeline": [present_event(e, request.user) for e in timeline_for(supplier)[:50]],
        },
    )


@page(VIEW)
def supplier_statement_export(request, supplier_id: int):
    """PUR-3: the statement (with the page's date filter) as XLSX."""
    supplier = get_object_or_404(Supplier, pk=supplier_id)
    content = svc.statement_xlsx(_statement_for(request, supplier))
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="statement-{supplier.code}.xlsx"'
    return response


def _back(supplier, section):
    return redirect(reverse("purchasing:supplier", args=[supplier.pk]) + f"?section={section}")


def _attempt(request, supplier, section, change, done):
    """Run one change of the supplier page (a refusal becomes its message) and go back to the section."""
    run_action(request, change, done)
    return _back(supplier, section)


@require_POST
@page(CHANGE)
def contact_add(request, supplier_id: int):
    supplier = get_object_or_404(Supplier, pk=supplier_id)
    data = {k: request.POST.get(k, "") for k in ("name", "role", "phone", "wechat")}
    return _attempt(
        request, supplier, "profile", lambda: svc.add_contact(request.user, supplier, **data), _("Contact added.")
    )


@require_POST
@page(CHANGE)
def contact_remove(request, supplier_id: int):
    supplier = get_object_or_404(Supplier, pk=supplier_id)

    def remove():
        contact = posted_object(supplier.contacts, request, "contact", _("That contact no longer exists."))
        svc.remove_contact(request.user, contact)

    return _attempt(request, supplier, "profile", remove, _("Contact removed."))


@require_POST
@page(CHANGE)
def evaluation_add(request, supplier_id: int):
    supplier = get_object_or_404(Supplier, pk=supplier_id)
    scores = {k: request.POST.get(k, "") for k in (*svc.ASPECTS, "note")}
    return _attempt(
        request, supplier, "quality", lambda: svc.evaluate(request.user, supplier, **scores), _("Evaluation saved.")
    )


@require_POST
@page(CHANGE)
def product_save(request, supplier_id: int):
    """Add or update a product this supplier supplies (by style code)."""
    supplier = get_object_or_404(Supplier, pk=supplier_id)

    def save():
        style = request.POST.get("style_code", "").strip()
        product = Product.objects.filter(style_code=style).first() if style else None
        if product is None:
            raise DomainError("no_product", _("No product with style code %(code)s.") % {"code": style or "—"})
        svc.set_supplier_product(
            request.user,
            supplier,
            product,
            supplier_item_code=request.POST.get("supplier_item_code", ""),
            unit_cost_fen=yuan_to_fen(request.POST.get("price") or "0"),
            min_order_qty=request.POST.get("min_order_qty") or 1,
            preferred=True if request.POST.get("preferred") else None,
        )
        return product

    return _attempt(
        request, supplier, "products", save, lambda product: _("%(code)s saved.") % {"code": product.style_code}
    )


def _item(request, supplier):
    """A product row the form posted, from this supplier's list only."""
    items = SupplierProduct.objects.select_related("product", "supplier").filter(supplier=supplier)
    return posted_object(items, request, "item", _("That product is no longer on this supplier's list."))


@require_POST
@page(CHANGE)
def product_preferred(request, supplier_id: int):
    supplier = get_object_or_404(Supplier, pk=supplier_id)

    def prefer():
        item = _item(request, supplier)
        svc.set_preferred(request.user, item)
        return item

    return _attempt(
        request,
        supplier,
        "products",
        prefer,
        lambda item: (
            _("%(name)s is now the preferred supplier of %(code)s.")
            % {"name": supplier.name, "code": item.product.style_code}
        ),
    )


@require_POST
@page(CHANGE)
def product_remove(request, supplier_id: int):
    supplier = get_object_or_404(Supplier, pk=supplier_id)
    return _attempt(
        request,
        supplier,
        "products",
        lambda: svc.remove_supplier_product(request.user, _item(request, supplier)),
        _("Product removed from this supplier."),
    )


urls = [
    path("suppliers/", supplier_list, name="suppliers"),
    path("suppliers/new/", supplier_create, name="supplier_create"),
    path("suppliers/<int:supplier_id>/", supplier_detail, name="supplier"),
    path("suppliers/<int:supplier_id>/edit/", supplier_edit, name="supplier_edit"),
    path("suppliers/<int:supplier_id>/statement.xlsx", supplier_statement_export, name="supplier_statement"),
    path("suppliers/<int:supplier_id>/contacts/", contact_add, name="supplier_contact_add"),
    path("suppliers/<int:supplier_id>/contacts/remove/", contact_remove, name="supplier_contact_remove"),
    path("suppliers/<int:supplier_id>/evaluations/", evaluation_add, name="supplier_evaluate"),
    path("suppliers/<int:supplier_id>/products/", product_save, name="supplier_product_save"),
    path("suppliers/<int:supplier_id>/products/preferred/", product_preferred, name="supplier_product_preferred"),
    path("suppliers/<int:supplier_id>/products/remove/", product_remove, name="supplier_product_remove"),
]
