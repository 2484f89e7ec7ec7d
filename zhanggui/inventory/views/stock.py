"""Stock pages (库存): the stock levels list with its tabs (INV-1, INV-7), a SKU's stock page and the
receive / adjust form (INV-2). Stock belongs to the company, not to a shop: nothing here is shop-scoped.

Pages never change stock themselves: every change goes through `services.stock.receive_stock`.
"""

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhanggui.catalog.models import Category, Sku
from zhanggui.core import references
from zhanggui.core.access import page
from zhanggui.core.errors import DomainError
from zhanggui.core.forms import add_domain_error

from .. import selectors
from ..models import LedgerEntry, StockLevel, Warehouse
from ..services import stock as services

PAGE_SIZE = 100
ADJUST_PERM = "inventory.change_stocklevel"
KINDS = (("receipt", gettext_lazy("Stock-in")), ("adjust", gettext_lazy("Adjustment")))


# ---- the receive / adjust form ----------------------------------------------------------------------------------


class AdjustForm(forms.Form):
    """Scanner friendly: the SKU box takes a merchant code or barcode and Enter submits (quantity defaults to 1)."""

    sku = forms.CharField(
        label=gettext_lazy("Merchant code or barcode"),
        max_length=64,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autofocus": True, "placeholder": gettext_lazy("Scan or type a code")}
        ),
    )
    warehouse = forms.ModelChoiceField(label=gettext_lazy("Warehouse"), queryset=Warehouse.objects.none())
    kind = forms.ChoiceField(label=gettext_lazy("Type"), choices=KINDS, initial="receipt")
    qty = forms.IntegerField(
        label=gettext_lazy("Quantity"),
        initial=1,  # its bounds are the company's, checked by the stock service (core.bounds)
        help_text=gettext_lazy("Adjustments may be negative"),
    )
    document = forms.CharField(
        label=gettext_lazy("Document"),
        max_length=80,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("Stock-in slip, waybill…"), "autocomplete": "off"}),
    )
    note = forms.CharField(label=gettext_lazy("Note"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].queryset = selectors.active_warehouses()
        self.fields["warehouse"].empty_label = None
        for name, field in self.fields.items():
            css = (
                "form-select form-select-sm"
                if isinstance(field.widget, forms.Select)
                else "form-control form-control-sm"
            )
            if self.errors and name in self.errors:
                css += " is-invalid"
            field.widget.attrs["class"] = css

    def clean_sku(self):
        code = self.cleaned_data["sku"].strip()
        sku = Sku.objects.select_related("product").filter(Q(code=code) | Q(barcode=code)).first()
        if sku is None:
            raise forms.ValidationError(_("No SKU with merchant code or barcode %(code)s") % {"code": code})
        if sku.is_combo:
            raise forms.ValidationError(_("%(code)s is a combination: receive its parts instead") % {"code": code})
        return sku

    def clean_qty(self):
        qty = self.cleaned_data["qty"]
        if qty == 0:
            raise forms.ValidationError(_("The quantity cannot be 0"))
        return qty

    def clean(self):
        data = super().clean()
        if data.get("kind") == "receipt" and data.get("qty") is not None and data["qty"] < 0:
            self.add_error("qty", _("A stock-in takes a positive quantity; use an adjustment to reduce stock"))
        return data


def _apply(request, form: AdjustForm):
    """Hand the form to the stock service; its Chinese errors go next to the field they name."""
    data = form.cleaned_data
    try:
        return services.receive_stock(
            request.user,
            data["sku"],
            data["warehouse"],
            data["qty"],
            document=data["document"],
            reason=data["kind"],
            note=data["note"],
        )
    except DomainError as exc:
        add_domain_error(form, exc)
        return None


def _default_warehouse_id():
    wh = selectors.active_warehouses().order_by("-is_default", "code").first()
    return wh.pk if wh else None


def _next_url(request, fallback: str) -> str:
    nxt = request.POST.get("next") or ""
    if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        return nxt
    return fallback


# ---- pages ------------------------------------------------------------------------------------------------------


@page("inventory.view_stocklevel")
def stock_list(request):
    """INV-1: stock per SKU and warehouse; tabs 全部 / 缺货 / 低库存 / 有占用 (INV-7 threshold setting)."""
    filters = selectors.StockFilters.from_params(request.GET)
    threshold = selectors.low_stock_threshold()
    counts = selectors.tab_counts(filters, threshold)
    levels = selectors.stock_levels(filters, threshold)
    paginator = Paginator(levels, PAGE_SIZE)
    paginator.count = counts[filters.tab]  # already counted with the tabs: no second COUNT query
    page_obj = paginator.get_page(request.GET.get("page"))
    base = {"q": filters.q, "warehouse": filters.warehouse or "", "category": filters.category or ""}
    base = {k: v for k, v in base.items() if v}
    labels = {
        "all": _("All"),
        "out": _("Out of stock"),
        "low": _("Low stock (≤ %(n)s)") % {"n": threshold},
        "reserved": _("Reserved"),
    }
    tabs = [(t, labels[t], counts[t], "?" + urlencode({**base, "tab": t})) for t in selectors.STOCK_TABS]
    return render(
        request,
        "inventory/stock_list.html",
        {
            "levels": page_obj,
            "page_obj": page_obj,
            "tabs": tabs,
            "filters": filters,
            "threshold": threshold,
            "query": urlencode({**base, "tab": filters.tab}),
            "warehouses": list(Warehouse.objects.all()),
            "categories": list(Category.objects.select_related("parent").order_by("parent_id", "name")),
        },
    )


def _sku_context(request, sku, form=None):
    levels = list(
        StockLevel.objects.filter(sku=sku).select_related("warehouse", "home_bin").order_by("warehouse__code")
    )
    entries = Paginator(LedgerEntry.objects.filter(sku=sku).select_related("warehouse").order_by("-at", "-id"), 50)
    entry_page = entries.get_page(request.GET.get("page"))
    references.annotate(
        request.user, entry_page.object_list, ("document", "note")
    )  # INV-2: documents by number, linked
    if form is None and request.user.has_perm(ADJUST_PERM):
        form = AdjustForm(initial={"sku": sku.code, "warehouse": _default_warehouse_id(), "kind": "receipt"})
    return {
        "sku": sku,
        "levels": levels,
        "totals": {
            "on_hand": sum(lv.on_hand for lv in levels),
            "reserved": sum(lv.reserved for lv in levels),
            "available": sum(lv.available for lv in levels),
            "in_transit": sum(lv.in_transit for lv in levels),
            "faulty": sum(lv.faulty for lv in levels),
            "damaged": sum(lv.damaged for lv in levels),
        },
        "entries": entry_page,
        "page_obj": entry_page,
        "query": "",
        "form": form,
    }


@page("inventory.view_stocklevel")
def sku_stock(request, sku_id: int):
    """A SKU's stock in every warehouse, its ledger and the receive / adjust form."""
    sku = get_object_or_404(Sku.objects.select_related("product__category"), pk=sku_id)
    return render(request, "inventory/sku.html", _sku_context(request, sku))


@page(ADJUST_PERM)
def adjust(request):
    """INV-2: receive or adjust stock with a reason and a document. GET: the scanner page; POST: apply.

    A POST from a SKU page comes back to that page with its errors; from the scanner page, back to it with the
    warehouse, type and document kept so the next scan goes straight in.
    """
    from_sku = request.POST.get("from_sku") if request.method == "POST" else None
    if request.method == "POST":
        form = AdjustForm(request.POST)
        entry = _apply(request, form) if form.is_valid() else None
        if entry is not None:
            sku, wh = form.cleaned_data["sku"], form.cleaned_data["warehouse"]
            messages.success(
                request,
                _("%(code)s in %(warehouse)s: on hand %(before)s → %(after)s")
                % {
                    "code": sku.code,
                    "warehouse": wh.name,
                    "before": entry.on_hand_before,
                    "after": entry.on_hand_after,
                },
            )
            if from_sku:
                return redirect(_next_url(request, f"/stock/sku/{sku.pk}/"))
            keep = {k: request.POST.get(k, "") for k in ("warehouse", "kind", "document")}
            return redirect(f"{request.path}?{urlencode(keep)}")
        if from_sku:
            sku = Sku.objects.filter(pk=from_sku if str(from_sku).isdigit() else None).first()
            if sku is not None:
                return render(request, "inventory/sku.html", _sku_context(request, sku, form), status=400)
        status = 400
    else:
        initial = {
            "warehouse": request.GET.get("warehouse") or _default_warehouse_id(),
            "kind": request.GET.get("kind") or "receipt",
            "document": request.GET.get("document", ""),
            "qty": 1,
        }
        form = AdjustForm(initial=initial)
        status = 200
    recent = LedgerEntry.objects.filter(actor=request.user, reason__in=["receipt", "adjust"]).select_related(
        "sku__product", "warehouse"
    )[:15]
    return render(request, "inventory/adjust.html", {"form": form, "recent": recent}, status=status)


urls = [
    path("", stock_list, name="list"),
    path("sku/<int:sku_id>/", sku_stock, name="sku"),
    path("adjust/", adjust, name="adjust"),
]
