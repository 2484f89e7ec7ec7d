"""Catalog pages: products (商品) — list, create with the colour × size grid, detail, edit, SKU grid, combos.

PROD-1 (SPU + SKU grid, combos), PROD-7 (role marking), PROD-10 (sourcing fields). Money is typed in yuan here and
handed to the services in fen; the services hold every rule.
"""

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from zhanggui.core.access import page
from zhanggui.core.errors import DomainError
from zhanggui.core.events import present_event, timeline_for
from zhanggui.core.forms import add_domain_error
from zhanggui.core.money import fen_to_yuan, yuan_to_fen

from .. import selectors
from ..models import Product, Sku
from ..services import combos as combo_services
from ..services import products as services
from ..services import skus as sku_services
from ..services.pricing import first_order_cap
from ..services.sku_grid import split_values

PAGE_SIZE = 50
ROW_FIELDS = ("colour", "size", "code", "barcode", "cost", "list_price", "vip_price", "weight")
MONEY = {"cost": "cost_fen", "list_price": "list_price_fen", "vip_price": "vip_price_fen"}


# ---- forms ------------------------------------------------------------------------------------------------------


def _first_order_default() -> int:
    """PROD-10: the first order of a new style defaults to at most N sets (company-wide setting)."""
    return first_order_cap()


class ProductForm(forms.Form):
    style_code = forms.CharField(
        label=gettext_lazy("Style code"),
        max_length=40,
        widget=forms.TextInput(attrs={"placeholder": "QH24S-0012", "autocomplete": "off"}),
    )
    name = forms.CharField(label=gettext_lazy("Product name"), max_length=120)
    category = forms.CharField(
        label=gettext_lazy("Category"),
        max_length=120,
        required=False,
        widget=forms.TextInput(attrs={"list": "category-list", "placeholder": "女装/连衣裙"}),
    )
    brand = forms.CharField(label=gettext_lazy("Brand"), max_length=60, required=False)
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=Product.Role.choices, required=False)
    stage = forms.ChoiceField(label=gettext_lazy("Stage"), choices=Product.Stage.choices, required=False)
    sourcing = forms.ChoiceField(label=gettext_lazy("Sourcing"), choices=Product.Sourcing.choices)
    supplier_name = forms.CharField(label=gettext_lazy("Supplier"), max_length=100, required=False)
    first_order_sets = forms.IntegerField(
        label=gettext_lazy("First order (sets)"),
        min_value=1,
        required=False,  # upper bound: the service (core.bounds)
    )
    attributes = forms.CharField(
        label=gettext_lazy("Attributes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "面料: 棉\n季节: 夏季\n领型: V领"}),
        help_text=gettext_lazy("One per line: name: value"),
    )

    def __init__(self, *args, first_order_max=None, **kwargs):
        super().__init__(*args, **kwargs)
        if first_order_max:
            self.fields["first_order_sets"].help_text = _("New styles: at most %(n)s sets (shop setting)") % {
                "n": first_order_max
            }

    def clean_attributes(self):
        attrs = {}
        for n, line in enumerate(self.cleaned_data["attributes"].splitlines(), start=1):
            line = line.strip()
            if not line:
                continue
            for sep in (":", "：", "="):
                if sep in line:
                    key, value = line.split(sep, 1)
                    break
            else:
                raise forms.ValidationError(_("Line %(n)s: write it as name: value") % {"n": n})
            attrs[key.strip()] = value.strip()
        return attrs

    def product_values(self) -> dict:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "category": data["category"] or None,
            "brand": data["brand"],
            "attributes": data["attributes"],
            "role": data["role"] or "",
            "stage": data["stage"] or Product.Stage.INCUBATION,
            "sourcing": data["sourcing"],
            "supplier_name": data["supplier_name"],
            "first_order_sets": data["first_order_sets"],
        }


class ProductEditForm(ProductForm):
    """The same facts without the 货号 (the style code is the product's identity)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["style_code"]


class GridForm(forms.Form):
    colours = forms.CharField(
        label=gettext_lazy("Colours"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "黑色 白色 米白", "autocomplete": "off"}),
    )
    sizes = forms.CharField(
        label=gettext_lazy("Sizes"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "S M L XL", "autocomplete": "off"}),
    )
    cost = forms.CharField(label=gettext_lazy("Cost (yuan)"), required=False)
    list_price = forms.CharField(label=gettext_lazy("List price (yuan)"), required=False)
    vip_price = forms.CharField(label=gettext_lazy("VIP price (yuan)"), required=False)
    weight = forms.CharField(label=gettext_lazy("Weight (g)"), required=False)


def _fen(value, field_name):
    """Yuan typed on a page → fen; an empty box stays None. The message names the box."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        return yuan_to_fen(value)
    except DomainError as exc:
        raise DomainError(exc.code, exc.message, field_name) from None


def _int(value, field_name, label):
    value = (value or "").strip()
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        raise DomainError("invalid_number", f"{label}应为整数：{value}", field_name) from None


def _sku_values(source: dict, prefix: str) -> dict:
    """Money (yuan) and weight boxes of one row → service values in fen; empty boxes are left out."""
    out = {}
    for key, target in MONEY.items():
        fen = _fen(source.get(prefix + key), prefix + key)
        if fen is not None or (key == "vip_price" and prefix + key in source):
            out[target] = fen
    weight = _int(source.get(prefix + "weight"), prefix + "weight", "重量")
    if weight is not None:
        out["weight_g"] = weight
    return out


def _posted_rows(post) -> list[dict]:
    """The grid rows the page sent (row-0-colour, row-0-code, …), as typed."""
    rows = []
    n = 0
    while f"row-{n}-colour" in post or f"row-{n}-size" in post:
        rows.append({f: post.get(f"row-{n}-{f}", "") for f in ROW_FIELDS})
        n += 1
    return rows


def _grid_state(grid_form, rows, style_code="") -> dict:
    """What the grid builder script starts from (on a re-shown form: everything the user typed)."""
    data = grid_form.data if grid_form.is_bound else {}
    return {
        "styleCode": style_code,
        "rows": rows,
        "defaults": {k: data.get(k, "") for k in ("cost", "list_price", "vip_price", "weight")},
    }


# ---- list ------------------------------------------------------------------------------------------------------


@page("catalog.view_product")
def product_list(request):
    """商品列表: status tabs with counts, filters in the URL, a dense table (PROD-1, PROD-7)."""
    filters = selectors.ProductFilters.from_params(request.GET)
    shops = request.scope.shops
    base = selectors.products_in(shops, request.scope.current, filters, with_status=False)
    counts = selectors.status_counts(base, shops)
    qs = selectors.filter_status(base, shops, filters.status)
    page_obj = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    products = selectors.attach_page_facts(list(page_obj.object_list), shops)
    keep = {
        k: v
        for k, v in {
            "q": filters.q,
            "category": filters.category or "",
            "stage": filters.stage,
            "role": filters.role,
            "images": filters.images,
        }.items()
        if v
    }
    tabs = [
        ("all", _("All"), counts["all"]),
        ("listed", _("Listed"), counts["listed"]),
        ("unlisted", _("Not listed"), counts["unlisted"]),
        ("to_delist", _("To delist (sold out)"), counts["to_delist"]),
        ("inactive", _("Deactivated"), counts["inactive"]),
    ]
    return render(
        request,
        "catalog/product_list.html",
        {
            "products": products,
            "page_obj": page_obj,
            "filters": filters,
            "tabs": [(key, label, n, "?" + urlencode({**keep, "status": key})) for key, label, n in tabs],
            "query": urlencode({**keep, "status": filters.status}),
            "filtered": bool(keep),
            "categories": selectors.categories_for_filter(),
            "stages": Product.Stage.choices,
            "roles": [(v, label) for v, label in Product.Role.choices if v],
            "total": page_obj.paginator.count,
        },
    )


@require_POST
@page("catalog.change_product")
def product_batch(request):
    """The batch bar: mark the selected products' role (PROD-7) or deactivate them."""
    ids = [int(i) for i in request.POST.getlist("ids") if i.isdigit()]
    action = request.POST.get("action", "")
    back = request.POST.get("next") or ""
    back = back if back.startswith("/products/") else "/products/"
    if not ids:
        messages.warning(request, _("Select at least one product first."))
        return redirect(back)
    try:
        if action.startswith("role:"):
            n = services.set_role(request.user, ids, action.split(":", 1)[1])
            messages.success(request, _("Role set on %(n)s products") % {"n": n})
        elif action == "deactivate":
            for product in Product.objects.filter(pk__in=ids, is_active=True):
                services.deactivate_product(request.user, product)
            messages.success(request, _("Deactivated %(n)s products") % {"n": len(ids)})
        else:
            messages.error(request, _("Unknown action"))
            return redirect(back)
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect(back)


# ---- create ----------------------------------------------------------------------------------------------------


@page("catalog.add_product")
def product_create(request):
    """新建商品: facts, then colours × sizes; the grid builder shows every SKU before saving (PROD-1)."""
    first_order_max = _first_order_default()
    initial = {"sourcing": Product.Sourcing.OWN_STOCK, "stage": Product.Stage.INCUBATION}
    form = ProductForm(request.POST or None, initial=initial, first_order_max=first_order_max)
    grid = GridForm(request.POST or None, initial={"sizes": "S M L XL"})
    rows = _posted_rows(request.POST) if request.method == "POST" else []
    grid_error = None
    if request.method == "POST" and form.is_valid() and grid.is_valid():
        try:
            defaults = _sku_values(grid.cleaned_data, "")
            overrides = []
            for n, row in enumerate(rows):
                values = _sku_values(request.POST, f"row-{n}-")
                values = {k: v for k, v in values.items() if v is not None}
                overrides.append(
                    {
                        "colour": row["colour"],
                        "size": row["size"],
                        "code": row["code"].strip() or None,
                        "barcode": row["barcode"].strip() or None,
                        **values,
                    }
                )
            values = form.product_values()
            if values["first_order_sets"] is None:
                values["first_order_sets"] = first_order_max
            product = services.create_product(
                request.user,
                style_code=form.cleaned_data["style_code"],
                colours=grid.cleaned_data["colours"],
                sizes=grid.cleaned_data["sizes"],
                sku_defaults=defaults,
                rows=overrides,
                **values,
            )
        except DomainError as exc:
            if exc.field in form.fields:
                add_domain_error(form, exc)
            else:
                grid_error = exc
        else:
            messages.success(
                request,
                _("Product %(code)s created with %(n)s SKUs") % {"code": product.style_code, "n": product.skus.count()},
            )
            return redirect("catalog:detail", product_id=product.pk)
    failed = request.method == "POST"
    return render(
        request,
        "catalog/product_form.html",
        {
            "form": form,
            "grid": grid,
            "grid_error": grid_error,
            "grid_state": _grid_state(grid, rows, request.POST.get("style_code", "")),
            "categories": selectors.categories_for_filter(),
            "creating": True,
        },
        status=400 if failed else 200,
    )


# ---- detail, edit ----------------------------------------------------------------------------------------------


def _product(product_id) -> Product:
    try:
        return selectors.product_detail(product_id)
    except Product.DoesNotExist:
        raise Http404 from None


@page("catalog.view_product")
def product_detail(request, product_id: int):
    """Facts on the left (SKUs, combos, listings per shop), the timeline on the right."""
    product = _product(product_id)
    skus, combos = selectors.skus_of(product)
    return render(
        request,
        "catalog/product_detail.html",
        {
            "product": product,
            "skus": skus,
            "combos": combos,
            "listings": selectors.listings_of(product, request.scope.allowed),
            "colours": split_values([s.colour for s in skus]),
            "sizes": split_values([s.size for s in skus]),
            "timeline": [present_event(e, request.user) for e in timeline_for(product)[:50]],
        },
    )


@page("catalog.change_product")
def product_edit(request, product_id: int):
    product = _product(product_id)
    initial = {
        "name": product.name,
        "category": _category_path(product.category),
        "brand": product.brand,
        "role": product.role,
        "stage": product.stage,
        "sourcing": product.sourcing,
        "supplier_name": product.supplier_name,
        "first_order_sets": product.first_order_sets,
        "attributes": "\n".join(f"{k}: {v}" for k, v in (product.attributes or {}).items()),
    }
    form = ProductEditForm(request.POST or None, initial=initial, first_order_max=_first_order_default())
    if request.method == "POST" and form.is_valid():
        try:
            services.update_product(request.user, product, **form.product_values())
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Saved"))
            return redirect("catalog:detail", product_id=product.pk)
    return render(
        request,
        "catalog/product_form.html",
        {"form": form, "product": product, "categories": selectors.categories_for_filter(), "creating": False},
        status=400 if form.errors else 200,
    )


@require_POST
@page("catalog.change_product")
def product_active(request, product_id: int):
    """Deactivate or reactivate a product (history and old orders keep it)."""
    product = _product(product_id)
    if request.POST.get("active") == "1":
        services.reactivate_product(request.user, product)
        messages.success(request, _("Product reactivated"))
    else:
        services.deactivate_product(request.user, product, note=request.POST.get("note", ""))
        messages.success(request, _("Product deactivated"))
    return redirect("catalog:detail", product_id=product.pk)


def _category_path(category) -> str:
    if category is None:
        return ""
    return f"{category.parent.name}/{category.name}" if category.parent_id else category.name


# ---- SKU grid ---------------------------------------------------------------------------------------------------


@page("catalog.change_sku")
def sku_grid(request, product_id: int):
    """Edit every SKU of a product in one table, and add colours or sizes later in the season."""
    product = _product(product_id)
    skus, _combos = selectors.skus_of(product)
    grid = GridForm(request.POST or None)
    error = None
    posted = request.POST if request.method == "POST" else {}
    if request.method == "POST" and grid.is_valid():
        try:
            changes = {}
            for sku in skus:
                prefix = f"sku-{sku.pk}-"
                if prefix + "code" not in posted:
                    continue
                values = _sku_values(posted, prefix)
                values["code"] = posted.get(prefix + "code", "")
                values["barcode"] = posted.get(prefix + "barcode", "")
                values["is_active"] = posted.get(prefix + "active") == "on"
                for key in ("cost_fen", "list_price_fen"):
                    values.setdefault(key, 0)
                changes[sku.pk] = values
            result = sku_services.save_sku_grid(
                request.user,
                product,
                changes=changes,
                add_colours=grid.cleaned_data["colours"],
                add_sizes=grid.cleaned_data["sizes"],
                sku_defaults={k: v for k, v in _sku_values(grid.cleaned_data, "").items() if v is not None},
            )
        except DomainError as exc:
            error = exc
        else:
            messages.success(request, _("%(changed)s SKUs changed, %(added)s added") % result)
            return redirect("catalog:detail", product_id=product.pk)
    rows = []
    for sku in skus:
        prefix = f"sku-{sku.pk}-"
        if posted:
            values = {f: posted.get(prefix + f, "") for f in ("code", "barcode", *MONEY, "weight")}
            values["active"] = posted.get(prefix + "active") == "on"
        else:
            values = {
                "code": sku.code,
                "barcode": sku.barcode or "",
                "cost": fen_to_yuan(sku.cost_fen),
                "list_price": fen_to_yuan(sku.list_price_fen),
                "vip_price": "" if sku.vip_price_fen is None else fen_to_yuan(sku.vip_price_fen),
                "weight": sku.weight_g,
                "active": sku.is_active,
            }
        rows.append((sku, prefix, values))
    return render(
        request,
        "catalog/sku_grid.html",
        {"product": product, "rows": rows, "grid": grid, "error": error},
        status=400 if error else 200,
    )


# ---- combos -----------------------------------------------------------------------------------------------------


@page("catalog.add_sku")
def combo_create(request, product_id: int):
    """组合装: a new SKU made of other SKUs with quantities (codes typed or scanned, one per line)."""
    product = _product(product_id)
    error = None
    posted = request.POST if request.method == "POST" else {}
    parts_text = posted.get("parts", "")
    if request.method == "POST":
        try:
            parts = []
            for n, line in enumerate(parts_text.splitlines(), start=1):
                bits = line.replace("×", " ").replace("*", " ").replace("x ", " ").split()
                if not bits:
                    continue
                qty = bits[1] if len(bits) > 1 else "1"
                if not qty.isdigit():
                    raise DomainError("invalid_quantity", f"第 {n} 行数量应为正整数：{line.strip()}", "parts")
                parts.append((bits[0], int(qty)))
            combo = combo_services.create_combo_sku(
                request.user,
                product,
                posted.get("code", ""),
                parts,
                barcode=posted.get("barcode", ""),
                list_price_fen=_fen(posted.get("list_price"), "list_price"),
                label=posted.get("label", "").strip() or "组合装",
            )
        except DomainError as exc:
            error = exc
        else:
            messages.success(request, _("Combination %(code)s created") % {"code": combo.code})
            return redirect("catalog:detail", product_id=product.pk)
    candidates = list(
        Sku.objects.filter(is_combo=False, is_active=True, product=product).order_by("colour", "size")[:60]
    )
    return render(
        request,
        "catalog/combo_form.html",
        {
            "product": product,
            "error": error,
            "values": posted,
            "parts_text": parts_text,
            "candidates": candidates,
            "suggested_code": f"{product.style_code}-ZH{product.skus.filter(is_combo=True).count() + 1}",
        },
        status=400 if error else 200,
    )


urls = [
    path("", product_list, name="list"),
    path("batch/", product_batch, name="batch"),
    path("new/", product_create, name="create"),
    path("<int:product_id>/", product_detail, name="detail"),
    path("<int:product_id>/edit/", product_edit, name="edit"),
    path("<int:product_id>/active/", product_active, name="active"),
    path("<int:product_id>/skus/", sku_grid, name="sku_grid"),
    path("<int:product_id>/combos/new/", combo_create, name="combo_create"),
]
