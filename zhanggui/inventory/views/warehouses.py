"""Warehouses and bins (仓库与库位, INV-4): bins per category and size in walk order, and each SKU's home bin,
so pickers find goods fast. The forms hand over to `services.warehouses`; its errors show next to the field."""

import re

from django import forms
from django.contrib import messages
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from zhanggui.catalog.models import Sku
from zhanggui.core.access import page
from zhanggui.core.errors import DomainError
from zhanggui.core.forms import add_domain_error

from ..models import Bin, StockLevel, Warehouse
from ..services import warehouses as services

SPLIT = re.compile(r"[\s,，\t]+")


def _style(form):
    for name, field in form.fields.items():
        if isinstance(field.widget, forms.CheckboxInput):
            field.widget.attrs["class"] = "form-check-input"
            continue
        css = "form-select form-select-sm" if isinstance(field.widget, forms.Select) else "form-control form-control-sm"
        if form.is_bound and name in form.errors:
            css += " is-invalid"
        field.widget.attrs["class"] = css


class WarehouseForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("Warehouse code"), max_length=20)
    name = forms.CharField(label=gettext_lazy("Warehouse name"), max_length=60)
    address = forms.CharField(label=gettext_lazy("Address"), max_length=200, required=False)
    is_default = forms.BooleanField(label=gettext_lazy("Default warehouse"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class BinsForm(forms.Form):
    """One bin per line: code, category, sizes, walk order (the last three optional)."""

    rows = forms.CharField(
        label=gettext_lazy("Bins"),
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "A-01-1 连衣裙 S-M 10\nA-01-2 连衣裙 L-XL 11"}),
        help_text=gettext_lazy("One bin per line: code, category, sizes, walk order"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)

    def clean_rows(self):
        rows = []
        for n, line in enumerate(self.cleaned_data["rows"].splitlines(), start=1):
            parts = [p for p in SPLIT.split(line.strip()) if p]
            if not parts:
                continue
            if len(parts) > 4:
                raise forms.ValidationError(_("Line %(n)s: at most code, category, sizes and walk order") % {"n": n})
            parts += [""] * (4 - len(parts))
            code, category, sizes, position = parts
            if position and not position.isdigit():
                raise forms.ValidationError(_("Line %(n)s: the walk order must be a whole number") % {"n": n})
            rows.append({"code": code, "category": category, "size_band": sizes, "position": int(position or 0)})
        if not rows:
            raise forms.ValidationError(_("Enter at least one bin"))
        return rows


class HomeBinForm(forms.Form):
    sku = forms.CharField(
        label=gettext_lazy("Merchant code or barcode"),
        max_length=64,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    bin = forms.CharField(
        label=gettext_lazy("Bin code"), max_length=20, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )

    def __init__(self, *args, warehouse=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.warehouse = warehouse
        _style(self)

    def clean_sku(self):
        code = self.cleaned_data["sku"].strip()
        sku = Sku.objects.filter(Q(code=code) | Q(barcode=code)).first()
        if sku is None:
            raise forms.ValidationError(_("No SKU with merchant code or barcode %(code)s") % {"code": code})
        return sku

    def clean_bin(self):
        code = self.cleaned_data["bin"].strip()
        found = Bin.objects.filter(warehouse=self.warehouse, code__iexact=code).first()
        if found is None:
            raise forms.ValidationError(_("No bin %(code)s in this warehouse") % {"code": code})
        return found


def _render(request, current=None, *, warehouse_form=None, bins_form=None, home_form=None, status=200):
    warehouses = list(
        Warehouse.objects.annotate(bin_count=Count("bins", distinct=True)).order_by("-is_default", "code")
    )
    if current is None and warehouses:
        wanted = request.GET.get("w")
        current = next((w for w in warehouses if str(w.pk) == wanted), warehouses[0])
    bins = []
    if current is not None:
        bins = list(Bin.objects.filter(warehouse=current).order_by("position", "code"))
        homes = dict(
            StockLevel.objects.filter(warehouse=current, home_bin__isnull=False)
            .values_list("home_bin")
            .annotate(n=Count("id"))
            .order_by()
        )
        for b in bins:
            b.sku_count = homes.get(b.pk, 0)
    return render(
        request,
        "inventory/warehouses.html",
        {
            "warehouses": warehouses,
            "current": current,
            "bins": bins,
            "warehouse_form": warehouse_form or WarehouseForm(),
            "bins_form": bins_form or BinsForm(),
            "home_form": home_form or HomeBinForm(warehouse=current),
        },
        status=status,
    )


def _back(warehouse):
    return redirect(f"{reverse('inventory:warehouses')}?w={warehouse.pk}")


@page("inventory.view_warehouse")
def warehouse_list(request):
    return _render(request)


@require_POST
@page("inventory.add_warehouse")
def warehouse_create(request):
    form = WarehouseForm(request.POST)
    if form.is_valid():
        try:
            warehouse = services.create_warehouse(request.user, **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Warehouse %(name)s created") % {"name": warehouse.name})
            return _back(warehouse)
    _style(form)
    return _render(request, warehouse_form=form, status=400)


@require_POST
@page("inventory.add_bin")
def bins_add(request, warehouse_id: int):
    warehouse = get_object_or_404(Warehouse, pk=warehouse_id)
    form = BinsForm(request.POST)
    if form.is_valid():
        try:
            created = services.create_bins(request.user, warehouse, form.cleaned_data["rows"])
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("%(n)s bins added") % {"n": len(created)})
            return _back(warehouse)
    _style(form)
    return _render(request, warehouse, bins_form=form, status=400)


@require_POST
@page("inventory.change_stocklevel")
def home_bin_set(request, warehouse_id: int):
    """INV-4: the SKU's home bin in this warehouse."""
    warehouse = get_object_or_404(Warehouse, pk=warehouse_id)
    form = HomeBinForm(request.POST, warehouse=warehouse)
    if form.is_valid():
        sku, bin_ = form.cleaned_data["sku"], form.cleaned_data["bin"]
        try:
            services.set_home_bin(request.user, sku, warehouse, bin_)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Home bin of %(code)s: %(bin)s") % {"code": sku.code, "bin": bin_.code})
            return _back(warehouse)
    _style(form)
    return _render(request, warehouse, home_form=form, status=400)


urls = [
    path("warehouses/", warehouse_list, name="warehouses"),
    path("warehouses/new/", warehouse_create, name="warehouse_create"),
    path("warehouses/<int:warehouse_id>/bins/", bins_add, name="bins_add"),
    path("warehouses/<int:warehouse_id>/home-bin/", home_bin_set, name="home_bin"),
]
