"""Reads for catalog pages and the API. Products: search, filters, shop scope, per-page facts (PROD-1, PROD-7).
Listings: availability of SKUs and listings (PROD-6), suggested listing times (PROD-2), status counts, hero
warnings (PROD-7) and showcase suggestions (PROD-11).

A list costs a fixed handful of queries whatever its length: the page of products, then the SKU figures and
the listings of exactly those products, each in one grouped query.
"""

import datetime as dt
import re
from dataclasses import dataclass

from django.db.models import Avg, Count, Exists, Max, Min, OuterRef, Q

from zhanggui.core import clock
from zhanggui.shops.models import Shop
from zhanggui.shops.settings_store import get_setting, settings_for

from .models import Category, ComboItem, Listing, ListingSchedule, ListingSku, Product, ProductImage, Sku
from .rules_schedule import next_relist, parse_windows, plan_times, showcase_score, suggest_times

LISTING_TABS = ("all", "listed", "unlisted", "to_delist", "inactive")
# PROD-4 the designer's work: products without a main image; goods arrived but not photographed yet.
IMAGE_FILTERS = {
    "no_main": lambda: ~Exists(ProductImage.objects.filter(product=OuterRef("pk"), kind=ProductImage.Kind.MAIN)),
    "to_photograph": lambda: Q(arrived_on__isnull=False, photographed_on__isnull=True),
}
ASCII_WORD = re.compile(r"^[A-Za-z]+$")


@dataclass
class ProductFilters:
    """What a product list asks for; every field comes from the URL (pages) or the query string (API)."""

    q: str = ""
    category: int | None = None
    status: str = "all"  # a LISTING_TABS value
    stage: str = ""
    role: str = ""
    images: str = ""  # an IMAGE_FILTERS key: what the designer still has to shoot or upload (PROD-4)

    @classmethod
    def from_params(cls, params) -> "ProductFilters":
        def as_int(value):
            try:
                return int(value) if value not in (None, "") else None
            except (TypeError, ValueError):
                return None

        status = params.get("status") or "all"
        stage = params.get("stage") or ""
        role = params.get("role") or ""
        return cls(
            q=(params.get("q") or "").strip()[:64],
            category=as_int(params.get("category")),
            status=status if status in LISTING_TABS else "all",
            stage=stage if stage in Product.Stage.values else "",
            role=role if role in Product.Role.values and role else ("none" if role == "none" else ""),
            images=params.get("images") if params.get("images") in IMAGE_FILTERS else "",
        )


def _listings(shops, **extra):
    return Listing.objects.filter(product=OuterRef("pk"), shop__in=shops, **extra)


def search_products(qs, keyword: str):
    """Name, 货号, 商家编码, barcode or pinyin initials (lyq finds 连衣裙)."""
    keyword = (keyword or "").strip()
    if not keyword:
        return qs
    match = Q(name__icontains=keyword) | Q(style_code__icontains=keyword)
    skus = Sku.objects.filter(product=OuterRef("pk"))
    match |= Exists(skus.filter(Q(code__icontains=keyword) | Q(barcode=keyword)))
    if ASCII_WORD.match(keyword):
        match |= Q(name_initials__contains=keyword.lower())
    return qs.filter(match)


def listing_search(keyword: str) -> Q:
    """Listing title, 货号, product name, platform item id, or pinyin initials of the product's name (lyq finds
    连衣裙: the stored Product.name_initials, never pinyin computed while searching)."""
    keyword = (keyword or "").strip()
    if not keyword:
        return Q()
    match = (
        Q(title__icontains=keyword)
        | Q(product__style_code__icontains=keyword)
        | Q(product__name__icontains=keyword)
        | Q(platform_item_id=keyword)
    )
    if ASCII_WORD.match(keyword):
        match |= Q(product__name_initials__contains=keyword.lower())
    return match


def products_in(shops, current_shop=None, filters: ProductFilters | None = None, *, with_status: bool = True):
    """Products for a view: all company products, or — with a shop selected — those listed in that shop.

    `shops` are the shops the view covers (the listing-status tabs and filters look at listings there).
    """
    filters = filters or ProductFilters()
    qs = Product.objects.select_related("category")
    if current_shop is not None:
        qs = qs.filter(Exists(Listing.objects.filter(product=OuterRef("pk"), shop=current_shop)))
    qs = search_products(qs, filters.q)
    if filters.category:
        qs = qs.filter(Q(category_id=filters.category) | Q(category__parent_id=filters.category))
    if filters.stage:
        qs = qs.filter(stage=filters.stage)
    if filters.role == "none":
        qs = qs.filter(role="")
    elif filters.role:
        qs = qs.filter(role=filters.role)
    if filters.images:
        qs = qs.filter(IMAGE_FILTERS[filters.images]())
    if with_status:
        qs = filter_status(qs, shops, filters.status)
    return qs


def filter_status(qs, shops, status: str):
    if status == "inactive":
        return qs.filter(is_active=False)
    qs = qs.filter(is_active=True)
    if status == "listed":
        return qs.filter(Exists(_listings(shops, status=Listing.Status.LISTED)))
    if status == "unlisted":
        return qs.exclude(Exists(_listings(shops, status=Listing.Status.LISTED)))
    if status == "to_delist":
        return qs.filter(Exists(_listings(shops, status=Listing.Status.TO_DELIST)))
    return qs


def status_counts(base_qs, shops) -> dict:
    """Counts for the status tabs in one query (the base query without the status filter)."""
    listed = Exists(_listings(shops, status=Listing.Status.LISTED))
    to_delist = Exists(_listings(shops, status=Listing.Status.TO_DELIST))
    counts = (
        base_qs.order_by()
        .annotate(_listed=listed, _to_delist=to_delist)
        .aggregate(
            all=Count("pk", filter=Q(is_active=True)),
            listed=Count("pk", filter=Q(is_active=True, _listed=True)),
            unlisted=Count("pk", filter=Q(is_active=True, _listed=False)),
            to_delist=Count("pk", filter=Q(is_active=True, _to_delist=True)),
            inactive=Count("pk", filter=Q(is_active=False)),
        )
    )
    return counts


def attach_page_facts(products: list, shops) -> list:
    """SKU count and price range, and the listings in `shops`, for a page of products: two queries."""
    ids = [p.pk for p in products]
    figures = {
        row["product_id"]: row
        for row in Sku.objects.filter(product_id__in=ids, is_combo=False)
        .values("product_id")
        .annotate(n=Count("pk"), low=Min("list_price_fen"), high=Max("list_price_fen"), cost=Min("cost_fen"))
        .order_by()
    }
    combos = dict(
        Sku.objects.filter(product_id__in=ids, is_combo=True)
        .values("product_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("product_id", "n")
    )
    listings: dict[int, list] = {}
    for listing in (
        Listing.objects.filter(product_id__in=ids, shop__in=shops)
        .select_related("shop", "shop__platform")
        .only(
            "id",
            "product_id",
            "status",
            "price_fen",
            "title",
            "platform_item_id",
            "is_hero",
            "shop__code",
            "shop__name",
            "shop__platform__code",
            "shop__platform__name",
        )
        .order_by("shop_id")
    ):
        listings.setdefault(listing.product_id, []).append(listing)
    for p in products:
        row = figures.get(p.pk, {})
        p.sku_count = row.get("n", 0)
        p.price_low = row.get("low")
        p.price_high = row.get("high")
        p.combo_count = combos.get(p.pk, 0)
        p.shop_listings = listings.get(p.pk, [])
    return products


def categories_for_filter():
    return list(Category.objects.select_related("parent").order_by("parent__name", "name"))


def product_detail(product_id: int):
    return Product.objects.select_related("category", "category__parent").get(pk=product_id)


def skus_of(product: Product) -> tuple[list, list]:
    """(ordinary SKUs, combos with their parts) — two queries."""
    skus = list(product.skus.all().order_by("is_combo", "colour", "size", "id"))
    plain = [s for s in skus if not s.is_combo]
    combos = [s for s in skus if s.is_combo]
    if combos:
        parts: dict[int, list] = {}
        for item in ComboItem.objects.filter(combo__in=combos).select_related("component", "component__product"):
            parts.setdefault(item.combo_id, []).append(item)
        for combo in combos:
            combo.parts = parts.get(combo.pk, [])
    return _size_order(plain), combos


SIZE_ORDER = ["XXS", "XS", "S", "M", "L", "XL", "XXL", "2XL", "XXXL", "3XL", "4XL", "均码", "F"]


def size_rank(size: str):
    upper = (size or "").upper()
    if upper in SIZE_ORDER:
        return (0, SIZE_ORDER.index(upper), "")
    digits = re.match(r"^(\d+)", upper)
    if digits:
        return (1, int(digits.group(1)), upper)
    return (2, 0, upper)


def _size_order(skus: list) -> list:
    """Colours in order of first appearance (by id), sizes S < M < L < XL rather than alphabetical."""
    first = {}
    for s in sorted(skus, key=lambda s: s.pk):
        first.setdefault(s.colour, s.pk)
    return sorted(skus, key=lambda s: (first[s.colour], size_rank(s.size), s.pk))


def listings_of(product: Product, shops) -> list:
    return list(
        Listing.objects.filter(product=product, shop__in=shops)
        .select_related("shop", "shop__platform")
        .order_by("shop_id")
    )


def skus_in(keyword: str = "", product_id: int | None = None, include_combos: bool = True):
    qs = Sku.objects.select_related("product").order_by("product_id", "id")
    if product_id:
        qs = qs.filter(product_id=product_id)
    if not include_combos:
        qs = qs.filter(is_combo=False)
    keyword = (keyword or "").strip()
    if keyword:
        qs = qs.filter(Q(code__icontains=keyword) | Q(barcode=keyword) | Q(product__style_code__icontains=keyword))
    return qs


# ---------------------------------------------------------------------------------------------------------------
# Listings: stock (PROD-6: a combination counts as available when all its parts are)
# ---------------------------------------------------------------------------------------------------------------


def sku_availability(sku_ids) -> dict[int, bool]:
    """{sku id: can a buyer order it}: a plain SKU when not sold out; a combination (组合装) when all its parts
    are available (and it is not itself marked sold out). Two queries whatever the number of SKUs."""
    sku_ids = set(sku_ids)
    rows = dict(Sku.objects.filter(pk__in=sku_ids).values_list("pk", "sold_out"))
    parts: dict[int, list[bool]] = {}
    for combo_id, part_sold_out in ComboItem.objects.filter(combo_id__in=sku_ids).values_list(
        "combo_id", "component__sold_out"
    ):
        parts.setdefault(combo_id, []).append(not part_sold_out)
    return {pk: (not sold_out) and all(parts.get(pk, [True])) for pk, sold_out in rows.items()}


def listing_availability(listing_ids) -> dict[int, bool]:
    """{listing id: has at least one orderable SKU}; listings without SKUs count as available."""
    mapping: dict[int, list[int]] = {}
    for listing_id, sku_id in ListingSku.objects.filter(listing_id__in=listing_ids).values_list("listing_id", "sku_id"):
        mapping.setdefault(listing_id, []).append(sku_id)
    available = sku_availability({s for skus in mapping.values() for s in skus})
    return {
        lid: any(available.get(s, False) for s in mapping.get(lid, [])) or not mapping.get(lid) for lid in listing_ids
    }


# ---------------------------------------------------------------------------------------------------------------
# Listings: suggested times for schedules (PROD-2)
# ---------------------------------------------------------------------------------------------------------------


def schedule_settings(shop: Shop) -> dict:
    """PROD-2: the shop's traffic peaks, lead time and listings per slot, as rules_schedule takes them."""
    return {
        "windows": parse_windows(get_setting(shop, "catalog.peak_windows")),
        "lead_minutes": int(get_setting(shop, "catalog.list_lead_minutes")),
        "max_per_slot": int(get_setting(shop, "catalog.max_listings_per_slot")),
    }


def _taken(shop: Shop, now: dt.datetime):
    return ListingSchedule.objects.filter(
        listing__shop=shop, done_at__isnull=True, cancelled_at__isnull=True, run_at__gte=now - dt.timedelta(hours=1)
    ).values_list("run_at", flat=True)


def suggested_times(shop: Shop, count: int = 6, now: dt.datetime | None = None) -> list[dt.datetime]:
    """PROD-2: the next listing times for this shop, one per traffic peak, avoiding full slots."""
    now = now or clock.now()
    return suggest_times(now, count=count, taken=list(_taken(shop, now)), **schedule_settings(shop))


def planned_times(shop: Shop, count: int, now: dt.datetime | None = None) -> list[dt.datetime]:
    """PROD-2: times for a batch of `count` listings, spread so no slot is overfull."""
    now = now or clock.now()
    return plan_times(now, count=count, taken=list(_taken(shop, now)), **schedule_settings(shop))


# ---------------------------------------------------------------------------------------------------------------
# Listings: status counts, hero items (PROD-7), showcase suggestions (PROD-11)
# ---------------------------------------------------------------------------------------------------------------


def hero_counts(shops) -> dict[int, int]:
    rows = Listing.objects.filter(shop__in=shops, is_hero=True).values("shop_id").annotate(n=Count("id"))
    return {r["shop_id"]: r["n"] for r in rows}


def hero_figures(shops) -> list[tuple[Shop, int, int, int]]:
    """PROD-7 per shop: (shop, hero items, the least and the most the shop's settings ask for) — two queries."""
    counts = hero_counts(shops)
    settings = settings_for(shops)
    return [
        (shop, counts.get(shop.pk, 0), int(settings[shop.pk]["catalog.hero_min"]),
         int(settings[shop.pk]["catalog.hero_max"]))
        for shop in shops
    ]  # fmt: skip


def hero_warnings(shops) -> list[str]:
    """PROD-7: a shop with fewer than catalog.hero_min heroes (or more than hero_max, after a settings change)."""
    warnings = []
    for shop, n, least, most in hero_figures(shops):
        if n < least:
            warnings.append(f"{shop.name}：主打款只有 {n} 个，建议 {least}–{most} 个")  # PROD-7
        elif n > most:
            warnings.append(f"{shop.name}：主打款有 {n} 个，超过上限 {most} 个")  # PROD-7
    return warnings


def listing_status_counts(shops, extra: Q | None = None) -> dict[str, int]:
    qs = Listing.objects.filter(shop__in=shops)
    if extra is not None:
        qs = qs.filter(extra)
    counts = dict(qs.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    return {s: counts.get(s, 0) for s in Listing.Status.values}


def showcase_suggestions(shop: Shop, now: dt.datetime | None = None, limit: int = 30) -> list[dict]:
    """PROD-11: listed items ranked for the showcase and the recommended slots — items with an advantage (best
    margin over price; sales once orders exist), enough stock (now: not sold out) and closest to the platform's
    7-day relisting. Sold-out items are left out. A fixed number of queries."""
    now = now or clock.now()
    listings = list(Listing.objects.filter(shop=shop, status=Listing.Status.LISTED).select_related("product"))
    state = listing_availability([li.pk for li in listings])
    costs = dict(
        ListingSku.objects.filter(listing__in=listings, sku__cost_fen__gt=0)
        .values("listing_id")
        .annotate(cost=Avg("sku__cost_fen"))
        .values_list("listing_id", "cost")
    )
    rows = []
    for li in listings:
        if not state.get(li.pk, True):
            continue
        cost = costs.get(li.pk)
        margin = round((li.price_fen - float(cost)) * 100 / li.price_fen, 1) if cost and li.price_fen > 0 else None
        relist_at = next_relist(li.listed_at, now)
        hours = (relist_at - now).total_seconds() / 3600 if relist_at else None
        rows.append(
            {
                "listing": li,
                "margin_percent": margin,
                "relist_at": relist_at,
                "hours_to_relist": None if hours is None else round(hours, 1),
                "score": showcase_score(margin, hours),
            }
        )
    rows.sort(key=lambda r: (-r["score"], r["hours_to_relist"] if r["hours_to_relist"] is not None else 1e9))
    return rows[:limit]
