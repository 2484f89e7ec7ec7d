"""Catalog pages: pricing of a product (PROD-9) and its sourcing (PROD-10).

One page per product: SKU prices with their floor, VIP prices, group-buy tiers, promotion flags, sourcing and
first order, and the price of each listing in the person's shops with a live floor/margin check (the API route
/api/v1/products/{id}/price-check) and the manager's override.
"""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhanggui.core.access import page, scoped_get
from zhanggui.core.errors import DomainError
from zhanggui.core.events import present_event, timeline_for
from zhanggui.core.money import yuan_to_fen

from ..models import Listing, Product
from ..rules_events import exempt_events
from ..rules_pricing import floor_fen
from ..services import pricing as svc
from ..services.images import shop_for

PRICING_EVENTS = ["price_changed", "price_floor_override", "vip_price", "group_tiers", "promotion_flags", "sourcing"]


def _product(product_id):
    return get_object_or_404(Product, pk=product_id)


def _render(request, product, *, errors=None, posted=None, status=200):
    errors = errors or {}
    shop = shop_for(product, request.scope.current)
    conf = svc.pricing_settings(shop)
    skus = list(product.skus.filter(is_combo=False).order_by("colour", "size", "id"))
    for sku in skus:
        sku.floor = floor_fen(sku.list_price_fen, conf["floor_percent"]) if sku.list_price_fen else None
        sku.min_margin_price = -(-sku.cost_fen * (100 + conf["min_margin_percent"]) // 100) if sku.cost_fen else None
    list_price, cost = svc.reference_prices(product)
    shop_ids = [s.pk for s in request.scope.shops]
    listings = list(product.listings.filter(shop_id__in=shop_ids).select_related("shop", "shop__platform"))
    for listing in listings:
        lconf = svc.pricing_settings(listing.shop)
        listing.floor = floor_fen(list_price, lconf["floor_percent"]) if list_price else None
        listing.floor_percent = lconf["floor_percent"]
        listing.exempt_events = [(n, e.describe()) for n, e in exempt_events(lconf["exempt_events"]).items()]
    listing_events = timeline_for_listings(listings)
    timeline = sorted(
        [*timeline_for(product).filter(kind__in=PRICING_EVENTS)[:30], *listing_events],
        key=lambda e: (e.at, e.id),
        reverse=True,
    )[:30]
    return render(
        request,
        "catalog/pricing.html",
        {
            "product": product,
            "skus": skus,
            "conf": conf,
            "shop": shop,
            "list_price": list_price,
            "cost": cost,
            "reference_floor": floor_fen(list_price, conf["floor_percent"]) if list_price else None,
            "tiers": list(product.group_tiers.all()),
            "default_tiers": svc.default_tiers(shop),
            "listings": listings,
            "cap": svc.first_order_cap(),
            "sourcing_choices": Product.Sourcing.choices,
            "errors": errors,
            "posted": posted or {},
            "can_override": request.user.has_perm(svc.OVERRIDE_PERM),
            "timeline": [present_event(e, request.user) for e in timeline],
        },
        status=status,
    )


def timeline_for_listings(listings):
    from django.contrib.contenttypes.models import ContentType

    from zhanggui.core.models import Event

    if not listings:
        return []
    return list(
        Event.objects.filter(
            content_type=ContentType.objects.get_for_model(Listing),
            object_id__in=[str(x.pk) for x in listings],
            kind__in=PRICING_EVENTS,
        )
        .select_related("actor")
        .order_by("-at", "-id")[:30]
    )


@page("catalog.view_product")
def pricing_page(request, product_id: int):
    return _render(request, _product(product_id))


@require_POST
@page("catalog.change_listing", shop_scoped=True)
def listing_price(request, listing_id: int):
    """Set a listing's price (PROD-9): below the floor refused unless a named event or the manager's override."""
    listing = scoped_get(Listing.objects.select_related("shop", "product"), request.user, pk=listing_id)
    posted = {"listing": listing.pk, "price": request.POST.get("price", ""), "event": request.POST.get("event", "")}
    try:
        price = yuan_to_fen(request.POST.get("price", ""))
        check = svc.set_listing_price(
            request.user, listing, price, event=request.POST.get("event", ""), override="override" in request.POST
        )
    except DomainError as exc:
        return _render(
            request, listing.product, errors={f"listing-{listing.pk}": exc.message}, posted=posted, status=400
        )
    messages.success(request, _("Price of %(shop)s saved") % {"shop": listing.shop.name})
    for warning in check.warnings:
        messages.warning(request, warning)
    return redirect("catalog:pricing", product_id=listing.product_id)


@require_POST
@page("catalog.change_sku")
def vip_prices(request, product_id: int):
    product = _product(product_id)
    errors = {}
    for sku in product.skus.filter(is_combo=False):
        key = f"vip_{sku.pk}"
        if key not in request.POST:
            continue
        raw = request.POST[key].strip()
        try:
            value = yuan_to_fen(raw) if raw else None
            svc.set_vip_price(request.user, sku, value, shop=request.scope.current, override="override" in request.POST)
        except DomainError as exc:
            errors[key] = f"{sku.code}：{exc.message}"
    if errors:
        return _render(request, product, errors=errors, posted=dict(request.POST.items()), status=400)
    messages.success(request, _("VIP prices saved"))
    return redirect("catalog:pricing", product_id=product.pk)


@require_POST
@page("catalog.change_product")
def group_tiers(request, product_id: int):
    product = _product(product_id)
    try:
        if request.POST.get("action") == "defaults":
            created = svc.create_group_tiers_from_setting(request.user, product, shop=request.scope.current)
            messages.success(request, _("%(n)d tiers created from the setting") % {"n": len(created)})
        else:
            rows = []
            mins, maxes, prices = (request.POST.getlist(k) for k in ("min_qty", "max_qty", "price"))
            for low, high, price in zip(mins, maxes, prices, strict=False):
                if not (low.strip() or price.strip()):
                    continue
                try:
                    low_n = int(low)
                    high_n = int(high) if high.strip() else None
                except ValueError:
                    raise DomainError("invalid_tiers", _("Quantities must be whole numbers"), "tiers") from None
                rows.append((low_n, high_n, yuan_to_fen(price)))
            svc.save_group_tiers(
                request.user, product, rows, shop=request.scope.current, override="override" in request.POST
            )
            messages.success(request, _("Group-buy tiers saved"))
    except DomainError as exc:
        return _render(request, product, errors={"tiers": exc.message}, status=400)
    return redirect("catalog:pricing", product_id=product.pk)


@require_POST
@page("catalog.change_product")
def promotion_flags(request, product_id: int):
    product = _product(product_id)
    svc.set_promotion_flags(
        request.user,
        product,
        weekly_promotion="weekly_promotion" in request.POST,
        monthly_flash_sale="monthly_flash_sale" in request.POST,
    )
    messages.success(request, _("Saved"))
    return redirect("catalog:pricing", product_id=product.pk)


@require_POST
@page("catalog.change_product")
def sourcing(request, product_id: int):
    product = _product(product_id)
    try:
        svc.set_sourcing(
            request.user,
            product,
            sourcing=request.POST.get("sourcing", ""),
            supplier_name=request.POST.get("supplier_name", ""),
            first_order_sets=request.POST.get("first_order_sets", "").strip() or None,
        )
    except DomainError as exc:
        return _render(
            request,
            product,
            errors={exc.field or "sourcing": exc.message},
            posted=dict(request.POST.items()),
            status=400,
        )
    messages.success(request, _("Saved"))
    return redirect("catalog:pricing", product_id=product.pk)


urls = [
    path("<int:product_id>/pricing/", pricing_page, name="pricing"),
    path("<int:product_id>/pricing/vip/", vip_prices, name="pricing_vip"),
    path("<int:product_id>/pricing/tiers/", group_tiers, name="pricing_tiers"),
    path("<int:product_id>/pricing/flags/", promotion_flags, name="pricing_flags"),
    path("<int:product_id>/pricing/sourcing/", sourcing, name="pricing_sourcing"),
    path("pricing/listing/<int:listing_id>/", listing_price, name="pricing_listing_price"),
]
