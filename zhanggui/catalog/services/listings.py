"""Listings per shop (PROD-1): creating and editing them, the platform SKU mapping, and the listing state machine
with listing and delisting now (PROD-2, PROD-6). Elsewhere: schedules (PROD-2) in listing_schedules.py, the
"stock_changed" subscriber (PROD-6) in listing_stock.py, hero, showcase and recommended flags (PROD-7, PROD-11) in
listing_flags.py; availability, counts and suggestions for the pages in catalog/selectors.py.

Statuses: draft → listed ⇄ delisted; listed → to_delist when every SKU of the listing sold out (PROD-6: no
platform connector can delist yet, so the listing waits for someone to delist it on the platform) and back to
listed when stock returns. Every transition is on the timeline with the 工号 of whoever did it (empty: system).
"""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from zhanggui.core import clock
from zhanggui.core.bounds import check_fen
from zhanggui.core.errors import DomainError, IllegalTransition
from zhanggui.core.events import record_event, record_events, register_event_kinds
from zhanggui.core.money import format_fen
from zhanggui.core.states import Machine
from zhanggui.shops.models import Shop

from ..models import Listing, ListingSku, Product, Sku
from ..selectors import listing_availability

S = Listing.Status

# The listing timeline's kinds, those written by the schedules, the stock subscriber and the flags included.
register_event_kinds(
    {
        "listing_changed": _("listing changed"),
        "sku_mapping": _("SKU mapping"),
        "scheduled": _("scheduled"),
        "schedule_cancelled": _("schedule cancelled"),
        "schedule_failed": _("scheduled change failed"),
        "hero": _("hero item"),
        "showcase": _("showcase slot"),
        "recommended": _("shop recommended"),
        "sold_out": _("sold out"),
        "restocked": _("restocked"),
    }
)

# Allowed manual moves. to_delist ↔ listed also happens automatically on stock changes (PROD-6).
TRANSITIONS: dict[str, set[str]] = {
    S.DRAFT: {S.LISTED},
    S.LISTED: {S.DELISTED},
    S.DELISTED: {S.LISTED},
    S.TO_DELIST: {S.LISTED, S.DELISTED},
}
# Labels: the choice labels (in the request language, like the list page).
LISTINGS = Machine(
    Listing,
    TRANSITIONS,
    name="商品",
    event_kind="status",
    field="status",
    illegal_text="“{before}”的商品不能改为“{to}”{why}",
)
status_label = LISTINGS.label


# ---------------------------------------------------------------------------------------------------------------
# Creating and editing (PROD-1)
# ---------------------------------------------------------------------------------------------------------------


def _clean_title(title: str) -> str:
    title = (title or "").strip()
    if not title:
        raise DomainError("title_required", "请填写标题", "title")
    if len(title) > 120:
        raise DomainError("title_too_long", "标题最多 120 个字（平台上限见标题检查）", "title")
    return title


def _check_price(actor, shop: Shop, product: Product, price_fen, event: str = "", override: bool = False):
    """PROD-6/PROD-9: the price is checked before listing, by the pricing service (floor, named events, the
    manager's override). Returns (warnings, overridden); a refusal raises PriceRefused (field "price")."""
    from .pricing import _require_override, check_product_price

    try:
        price_fen = int(price_fen)
    except (TypeError, ValueError):
        raise DomainError("invalid_price", "价格格式不正确", "price") from None
    if price_fen <= 0:
        raise DomainError("invalid_price", "价格必须大于 0", "price")
    price_fen = check_fen(price_fen, "价格", "price", low=1)  # PROD-9: a typo is not a price
    check = check_product_price(product, price_fen, shop=shop, event=(event or "").strip())
    overridden = _require_override(actor, check, override)
    return list(check.warnings), overridden


def _clean_skus(shop: Shop, product: Product, skus, listing: Listing | None = None) -> list[tuple[Sku, str]]:
    """[(Sku or id, platform_sku_id)] → validated pairs: each platform SKU id maps to exactly one system SKU
    (which may be a combination) and is unique within the shop (PROD-1)."""
    pairs = [(sku, (platform_sku_id or "").strip()) for sku, platform_sku_id in skus or []]
    ids = [s.pk if isinstance(s, Sku) else int(s) for s, _p in pairs]
    found = Sku.objects.in_bulk(ids)
    result = []
    seen_skus, seen_platform = set(), set()
    for (_raw, platform_sku_id), sku_id in zip(pairs, ids, strict=True):
        sku = found.get(sku_id)
        if sku is None:
            raise DomainError("unknown_sku", f"SKU {sku_id} 不存在", "skus")
        if sku.product_id != product.pk and not sku.is_combo:
            raise DomainError("sku_not_of_product", f"SKU {sku.code} 不属于商品 {product.style_code}", "skus")
        if sku.pk in seen_skus:
            raise DomainError("duplicate_sku", f"SKU {sku.code} 重复对应", "skus")
        if len(platform_sku_id) > 64:
            raise DomainError("platform_sku_too_long", "平台 SKU ID 最多 64 个字符", "skus")
        if platform_sku_id:
            if platform_sku_id in seen_platform:
                raise DomainError("duplicate_platform_sku", f"平台 SKU {platform_sku_id} 只能对应一个系统 SKU", "skus")
            seen_platform.add(platform_sku_id)
        seen_skus.add(sku.pk)
        result.append((sku, platform_sku_id))
    if seen_platform:
        clash = ListingSku.objects.filter(listing__shop=shop, platform_sku_id__in=seen_platform).select_related(
            "listing", "sku"
        )
        if listing is not None:
            clash = clash.exclude(listing=listing)
        other = clash.first()
        if other is not None:
            raise DomainError(
                "platform_sku_taken",
                f"平台 SKU {other.platform_sku_id} 在本店已对应 {other.sku.code}（{other.listing.title}）",
                "skus",
            )
    return result


def create_listing(
    actor,
    shop: Shop,
    product: Product,
    title: str,
    price_fen: int,
    platform_item_id: str = "",
    skus=None,
    price_event: str = "",
    override: bool = False,
) -> Listing:
    """A draft listing of `product` in `shop` with its own title and price and the platform SKU mapping (PROD-1).

    `skus`: [(Sku or sku id, platform SKU id)]; by default every active SKU of the product, unmapped.
    """
    title = _clean_title(title)
    platform_item_id = (platform_item_id or "").strip()
    if len(platform_item_id) > 64:
        raise DomainError("platform_item_too_long", "平台商品 ID 最多 64 个字符", "platform_item_id")
    warnings, overridden = _check_price(actor, shop, product, price_fen, price_event, override)
    if skus is None:
        skus = [(s, "") for s in product.skus.filter(is_active=True)]
    pairs = _clean_skus(shop, product, skus)
    if Listing.objects.filter(shop=shop, product=product).exists():
        raise DomainError("already_listed", f"商品 {product.style_code} 在 {shop.name} 已有商品链接", "shop")
    if platform_item_id and Listing.objects.filter(shop=shop, platform_item_id=platform_item_id).exists():
        raise DomainError("platform_item_taken", f"平台商品 ID {platform_item_id} 在本店已被使用", "platform_item_id")
    try:
        with transaction.atomic():
            listing = Listing.objects.create(
                shop=shop,
                product=product,
                title=title,
                price_fen=int(price_fen),
                platform_item_id=platform_item_id,
                price_event=(price_event or "").strip()[:40],
            )
            ListingSku.objects.bulk_create(
                [ListingSku(listing=listing, sku=sku, platform_sku_id=p) for sku, p in pairs]
            )
            note = f"{format_fen(listing.price_fen)} · {len(pairs)} 个 SKU"
            if overridden:
                note += "；店长确认破价（低于底价）"
            if warnings:
                note += "；" + "；".join(warnings)
            record_event(actor, listing, "created", to_state=status_label(listing.status), note=note)
    except IntegrityError as exc:  # a concurrent create of the same listing
        raise DomainError("already_listed", f"商品 {product.style_code} 在 {shop.name} 已有商品链接", "shop") from exc
    listing.warnings = warnings
    return listing


def create_listings_bulk(actor, shop: Shop, items, status: str = Listing.Status.LISTED) -> int:
    """Many listings of one shop in a few queries (demo, onboarding): items = [(product, title, price_fen)].

    Products already listed in the shop are skipped; each listing maps every active SKU of its product and
    gets one timeline entry. Prices are checked against the floor like single listings (PROD-9).
    """
    from .pricing import check_product_price

    items = [(p, _clean_title(t), int(price)) for p, t, price in items]
    listed = set(
        Listing.objects.filter(shop=shop, product__in=[p for p, _t, _pr in items]).values_list("product_id", flat=True)
    )
    items = [item for item in items if item[0].pk not in listed]
    for product, _title, price_fen in items:
        check = check_product_price(product, price_fen, shop=shop)
        if check.refused:
            raise DomainError(check.code, f"{product.style_code}：{check.message}", "price")
    now = clock.now()
    with transaction.atomic():
        listings = Listing.objects.bulk_create(
            [
                Listing(
                    shop=shop,
                    product=product,
                    title=title,
                    price_fen=price_fen,
                    status=status,
                    listed_at=now if status == Listing.Status.LISTED else None,
                )
                for product, title, price_fen in items
            ]
        )
        by_product = {lst.product_id: lst for lst in listings}
        skus = Sku.objects.filter(product_id__in=by_product, is_active=True).only("pk", "product_id")
        ListingSku.objects.bulk_create([ListingSku(listing=by_product[s.product_id], sku=s) for s in skus])
        record_events(
            actor, [(lst, "created", "", status_label(lst.status), format_fen(lst.price_fen)) for lst in listings]
        )
    return len(listings)


def update_listing(
    actor, listing: Listing, *, title=None, price_fen=None, platform_item_id=None, price_event=None, override=False
):
    """Edit title and platform item id (one timeline entry per changed field); a new price or named event goes
    through the pricing service (PROD-9 floor, override on the timeline). `listing.warnings`: price warnings."""
    changes = []
    if title is not None:
        title = _clean_title(title)
        if title != listing.title:
            changes.append(("title", listing.title, title, "标题"))
    if platform_item_id is not None:
        platform_item_id = platform_item_id.strip()
        if len(platform_item_id) > 64:
            raise DomainError("platform_item_too_long", "平台商品 ID 最多 64 个字符", "platform_item_id")
        if platform_item_id != listing.platform_item_id:
            if (
                platform_item_id
                and Listing.objects.filter(shop_id=listing.shop_id, platform_item_id=platform_item_id)
                .exclude(pk=listing.pk)
                .exists()
            ):
                raise DomainError(
                    "platform_item_taken", f"平台商品 ID {platform_item_id} 在本店已被使用", "platform_item_id"
                )
            changes.append(("platform_item_id", listing.platform_item_id, platform_item_id, "平台商品 ID"))
    warnings: list[str] = []
    with transaction.atomic():
        if price_fen is not None:
            event = listing.price_event if price_event is None else price_event
            if int(price_fen) != listing.price_fen or (event or "").strip() != listing.price_event:
                from .pricing import set_listing_price

                warnings = list(set_listing_price(actor, listing, price_fen, event, override).warnings)
        for field, old, new, label in changes:
            setattr(listing, field, new)
            record_event(actor, listing, "listing_changed", from_state=old, to_state=new, note=label)
        if changes:
            listing.save(update_fields=[c[0] for c in changes])
    listing.warnings = warnings
    return listing


def set_sku_mapping(actor, listing: Listing, skus) -> Listing:
    """Replace the platform SKU mapping of a listing (PROD-1)."""
    pairs = _clean_skus(listing.shop, listing.product, skus, listing=listing)
    before = {ls.sku_id: ls.platform_sku_id for ls in listing.skus.all()}
    after = {sku.pk: p for sku, p in pairs}
    if before == after:
        return listing
    with transaction.atomic():
        listing.skus.exclude(sku_id__in=after).delete()
        existing = {ls.sku_id: ls for ls in listing.skus.all()}
        changed = []
        for sku, p in pairs:
            row = existing.get(sku.pk)
            if row is None:
                continue
            if row.platform_sku_id != p:
                row.platform_sku_id = p
                changed.append(row)
        ListingSku.objects.bulk_update(changed, ["platform_sku_id"])
        ListingSku.objects.bulk_create(
            [ListingSku(listing=listing, sku=sku, platform_sku_id=p) for sku, p in pairs if sku.pk not in existing]
        )
        codes = dict(Sku.objects.filter(pk__in=after).values_list("pk", "code"))
        record_event(
            actor,
            listing,
            "sku_mapping",
            note="；".join(f"{p or '（未填）'} → {codes.get(sku_id, sku_id)}" for sku_id, p in after.items()),
        )
    return listing


# ---------------------------------------------------------------------------------------------------------------
# Listing and delisting (PROD-2, PROD-6)
# ---------------------------------------------------------------------------------------------------------------


def _transition(actor, listing: Listing, to: str, note: str = "", kind: str = "status") -> Listing:
    if listing.status == to:
        raise IllegalTransition("same_status", f"商品已是“{status_label(to)}”", "status")
    LISTINGS.check(listing, to)
    now = clock.now()
    fields = []
    if to == S.LISTED:
        listing.listed_at = now  # the platform's 7-day relisting cycle starts here (PROD-11)
        fields.append("listed_at")
    elif to == S.DELISTED:
        listing.delisted_at = now
        fields.append("delisted_at")
    return LISTINGS.move_locked(listing, to, actor, note, fields, kind=kind)


def _check_listable(listing: Listing) -> None:
    """PROD-6: before listing, price and stock are checked."""
    if listing.price_fen <= 0:
        raise DomainError("invalid_price", "价格必须大于 0 才能上架", "price")
    if not listing_availability([listing.pk])[listing.pk]:
        raise DomainError("sold_out", "全部 SKU 已售罄，补货后才能上架（能拍即有货）", "status")


def list_now(actor, listing: Listing, note: str = "") -> Listing:
    with transaction.atomic():
        listing = LISTINGS.lock(listing)
        _check_listable(listing)
        return _transition(actor, listing, S.LISTED, note)


def delist_now(actor, listing: Listing, note: str = "") -> Listing:
    with transaction.atomic():
        listing = LISTINGS.lock(listing)
        return _transition(actor, listing, S.DELISTED, note)


def bulk_change(actor, listings, action: str) -> dict:
    """Batch 上架/下架 from the list page: every allowed listing moves, the others are reported with the reason.
    One UPDATE and one INSERT of timeline entries whatever the number of rows."""
    if action not in ("list", "delist"):
        raise DomainError("invalid_action", "操作只能是上架或下架", "action")
    to = S.LISTED if action == "list" else S.DELISTED
    now = clock.now()
    with transaction.atomic():
        rows = list(
            Listing.objects.select_for_update().filter(pk__in=[li.pk for li in listings]).select_related("shop")
        )
        state = listing_availability([li.pk for li in rows]) if to == S.LISTED else {}
        moved, skipped = [], []
        for li in rows:
            if not LISTINGS.allows(li, to):
                skipped.append((li, f"“{status_label(li.status)}”不能{'上架' if to == S.LISTED else '下架'}"))
            elif to == S.LISTED and (li.price_fen <= 0 or not state[li.pk]):
                skipped.append((li, "全部 SKU 已售罄" if li.price_fen > 0 else "价格为 0"))
            else:
                moved.append(li)
        update = {"status": to, "listed_at": now} if to == S.LISTED else {"status": to, "delisted_at": now}
        Listing.objects.filter(pk__in=[li.pk for li in moved]).update(**update)
        record_events(actor, [LISTINGS.event_row(li, li.status, to, "批量") for li in moved])
    return {"moved": len(moved), "skipped": [(li.pk, str(li), reason) for li, reason in skipped]}
