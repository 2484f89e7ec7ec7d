"""API for listings (PROD-1, PROD-2, PROD-6, PROD-7, PROD-11) and the title check (PROD-3)."""

import datetime as dt

from django.db import transaction
from django.db.models import Prefetch
from ninja import Router, Schema, Status

from zhanggui.core.access import allowed_shop_or_404, allowed_shops, scoped_get
from zhanggui.core.apitools import api_route
from zhanggui.core.bounds import Fen
from zhanggui.core.errors import DomainError

from .. import selectors
from ..models import Listing, ListingSchedule, ListingSku, Product
from ..services import listing_flags, listing_schedules, titles
from ..services import listings as svc

router = Router(tags=["listings"])


class ListingSkuOut(Schema):
    sku_id: int
    sku_code: str
    platform_sku_id: str
    is_combo: bool

    @staticmethod
    def resolve_sku_code(obj):
        return obj.sku.code

    @staticmethod
    def resolve_is_combo(obj):
        return obj.sku.is_combo


class ListingOut(Schema):
    id: int
    shop_id: int
    shop_code: str
    product_id: int
    style_code: str
    title: str
    price_fen: int
    price_event: str
    status: str
    status_label: str
    platform_item_id: str
    is_hero: bool
    in_showcase: bool
    recommended: bool
    listed_at: dt.datetime | None
    delisted_at: dt.datetime | None
    skus: list[ListingSkuOut]

    @staticmethod
    def resolve_shop_code(obj):
        return obj.shop.code

    @staticmethod
    def resolve_style_code(obj):
        return obj.product.style_code

    @staticmethod
    def resolve_status_label(obj):
        return svc.status_label(obj.status)

    @staticmethod
    def resolve_skus(obj):
        return list(obj.skus.all())


class SkuMapIn(Schema):
    sku_id: int
    platform_sku_id: str = ""


class ListingIn(Schema):
    shop_id: int
    product_id: int
    title: str
    price_fen: Fen
    platform_item_id: str = ""
    price_event: str = ""
    override: bool = False
    skus: list[SkuMapIn] | None = None


class ListingPatch(Schema):
    title: str | None = None
    price_fen: Fen | None = None
    price_event: str | None = None
    platform_item_id: str | None = None
    override: bool = False
    skus: list[SkuMapIn] | None = None
    is_hero: bool | None = None
    in_showcase: bool | None = None
    recommended: bool | None = None


class ScheduleIn(Schema):
    action: str
    run_at: dt.datetime


class ScheduleOut(Schema):
    id: int
    listing_id: int
    action: str
    run_at: dt.datetime
    done_at: dt.datetime | None
    cancelled_at: dt.datetime | None


class TitleCheckIn(Schema):
    title: str
    product_id: int | None = None
    shop_id: int | None = None


class TitleCheckOut(Schema):
    title: str
    chars: int
    bytes: int
    max_chars: int
    max_bytes: int
    too_many_chars: bool
    too_many_bytes: bool
    parts: dict[str, list[str]]
    missing: list[str]
    repeats: list[str]
    words: list[str]
    ok: bool
    reasons: list[str]


def _listings(request):
    return Listing.objects.filter(shop__in=allowed_shops(request.user)).select_related("shop", "product")


def _listing(request, listing_id: int) -> Listing:
    return scoped_get(
        Listing.objects.select_related("shop", "product").prefetch_related("skus__sku"), request.user, pk=listing_id
    )


def _shop(request, shop_id: int):
    shop = allowed_shops(request.user).filter(pk=shop_id).first()
    if shop is None:
        raise DomainError("unknown_shop", "店铺不存在或不在你的负责范围", "shop_id")
    return shop


def _product(product_id: int, field: str = "product_id") -> Product:
    product = Product.objects.filter(pk=product_id).first()
    if product is None:
        raise DomainError("unknown_product", f"商品 {product_id} 不存在", field)
    return product


@api_route(router.get, "/listings", perm="catalog.view_listing", response=list[ListingOut])
def list_listings(request, shop_id: int | None = None, status: str | None = None, product_id: int | None = None):
    """Listings in the caller's shops; filter by shop, status (draft/listed/to_delist/delisted), product."""
    # the SKUs joined into the one prefetch query: a second query `sku.id IN (…)` over 500 listings' thousands of
    # SKUs is past SQLite's expression depth (a 500 for everyone on the demo data)
    qs = _listings(request).prefetch_related(Prefetch("skus", queryset=ListingSku.objects.select_related("sku")))
    if shop_id is not None:
        qs = qs.filter(shop_id=shop_id)
    if status:
        if status not in Listing.Status.values:
            raise DomainError("invalid_status", f"状态只能是 {'/'.join(Listing.Status.values)}", "status")
        qs = qs.filter(status=status)
    if product_id is not None:
        qs = qs.filter(product_id=product_id)
    return qs[:500]


@api_route(router.post, "/listings", perm="catalog.add_listing", response={201: ListingOut})
def create_listing(request, payload: ListingIn):
    """PROD-1: a draft listing with its platform SKU mapping (each platform SKU id unique in the shop)."""
    shop = _shop(request, payload.shop_id)
    product = _product(payload.product_id)
    skus = None if payload.skus is None else [(s.sku_id, s.platform_sku_id) for s in payload.skus]
    listing = svc.create_listing(
        request.user,
        shop,
        product,
        payload.title,
        payload.price_fen,
        platform_item_id=payload.platform_item_id,
        skus=skus,
        price_event=payload.price_event,
        override=payload.override,
    )
    return Status(201, _listing(request, listing.pk))


@api_route(router.post, "/listings/title-check", perm="catalog.view_listing", response=TitleCheckOut)
def title_check(request, payload: TitleCheckIn):
    """PROD-3: length in characters and bytes, the five parts present/missing, repeated words."""
    product = _product(payload.product_id) if payload.product_id else None
    shop = _shop(request, payload.shop_id) if payload.shop_id else None
    result = titles.check(payload.title, product=product, shop=shop)
    return {**result.as_dict(), "reasons": titles.reasons(result)}


@api_route(router.get, "/listings/suggested-times", perm="catalog.view_listing", response=list[dt.datetime])
def suggested_times(request, shop_id: int, count: int = 6):
    """PROD-2: the next listing times for a shop, about an hour before each traffic peak, avoiding full slots."""
    if not 1 <= count <= 50:
        raise DomainError("invalid_count", "数量应在 1 到 50 之间", "count")
    return selectors.suggested_times(allowed_shop_or_404(request.user, shop_id), count=count)


@api_route(router.get, "/listings/{listing_id}", perm="catalog.view_listing", response=ListingOut)
def get_listing(request, listing_id: int):
    return _listing(request, listing_id)


@api_route(router.patch, "/listings/{listing_id}", perm="catalog.change_listing", response=ListingOut)
def update_listing(request, listing_id: int, payload: ListingPatch):
    """Title, price (PROD-9 floor), platform ids, SKU mapping, hero (PROD-7), showcase/recommended (PROD-11)."""
    listing = _listing(request, listing_id)
    with transaction.atomic():  # one PATCH, all or nothing: a refused mapping leaves the new title unsaved too
        svc.update_listing(
            request.user,
            listing,
            title=payload.title,
            price_fen=payload.price_fen,
            price_event=payload.price_event,
            platform_item_id=payload.platform_item_id,
            override=payload.override,
        )
        if payload.skus is not None:
            svc.set_sku_mapping(request.user, listing, [(s.sku_id, s.platform_sku_id) for s in payload.skus])
        if payload.is_hero is not None:
            listing_flags.set_hero(request.user, listing, payload.is_hero)
        if payload.in_showcase is not None:
            listing_flags.set_showcase(request.user, listing, payload.in_showcase)
        if payload.recommended is not None:
            listing_flags.set_recommended(request.user, listing, payload.recommended)
    return _listing(request, listing_id)


@api_route(router.post, "/listings/{listing_id}/list", perm="catalog.change_listing", response=ListingOut)
def list_listing(request, listing_id: int):
    """PROD-2/PROD-6: list now (price and stock checked first)."""
    svc.list_now(request.user, _listing(request, listing_id))
    return _listing(request, listing_id)


@api_route(router.post, "/listings/{listing_id}/delist", perm="catalog.change_listing", response=ListingOut)
def delist_listing(request, listing_id: int):
    svc.delist_now(request.user, _listing(request, listing_id))
    return _listing(request, listing_id)


@api_route(router.get, "/listings/{listing_id}/schedules", perm="catalog.view_listing", response=list[ScheduleOut])
def list_schedules(request, listing_id: int):
    return list(_listing(request, listing_id).schedules.all())


@api_route(router.post, "/listings/{listing_id}/schedules", perm="catalog.change_listing", response={201: ScheduleOut})
def create_schedule(request, listing_id: int, payload: ScheduleIn):
    """PROD-2: list or delist at a moment (ISO 8601; without a zone: Beijing time)."""
    item = listing_schedules.schedule(request.user, _listing(request, listing_id), payload.action, payload.run_at)
    return Status(201, item)


@api_route(router.post, "/listing-schedules/{schedule_id}/cancel", perm="catalog.change_listing", response=ScheduleOut)
def cancel_schedule(request, schedule_id: int):
    item = scoped_get(
        ListingSchedule.objects.select_related("listing__shop"), request.user, "listing__shop", pk=schedule_id
    )
    return listing_schedules.cancel_schedule(request.user, item)
