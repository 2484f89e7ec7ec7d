"""Listings per shop (PROD-1), listing and delisting now or on a schedule (PROD-2), stock-aware listing
(PROD-6), hero items (PROD-7), showcase and recommended items (PROD-11).

Statuses: draft → listed ⇄ delisted; listed → to_delist when every SKU of the listing sold out (PROD-6: no
platform connector can delist yet, so the listing waits for someone to delist it on the platform) and back to
listed when stock returns. Every transition is on the timeline with the 工号 of whoever did it (empty: system).
"""

import datetime as dt
import logging

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from zhanggui.core import clock
from zhanggui.core.errors import DomainError, IllegalTransition
from zhanggui.core.events import record_event, record_events, register_event_kinds
from zhanggui.core.money import format_fen
from zhanggui.core.states import Machine
from zhanggui.shops.models import Shop
from zhanggui.shops.settings_store import get_setting

from ..models import ComboItem, Listing, ListingSchedule, ListingSku, Product, Sku
from ..rules_schedule import parse_windows, plan_times, suggest_times

log = logging.getLogger(__name__)

S = Listing.Status
WAIT_FOR_PLATFORM = "等待平台下架"  # PROD-6: no connector can delist on the platform yet

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
# Stock (PROD-6): a combination counts as available when all its parts are
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


def on_stock_changed(event) -> dict:
    """PROD-6 (“能拍即有货”): the listener of the domain event StockChanged from inventory (catalog app's ready()).

    Payload: sku_ids=(…), available={sku_id: quantity}. A SKU with 0 available is marked sold out, with stock
    again it is not. A listing whose every mapped SKU is now unavailable goes to `to_delist` (“等待平台下架”:
    no connector can delist on the platform yet); a `to_delist` listing with an orderable SKU again is relisted.
    Bulk: a fixed number of queries whatever the number of SKUs and listings.
    """
    available = {int(k): v for k, v in (event.available or {}).items()}
    ids = {int(s) for s in event.sku_ids or ()} | set(available)
    if not ids:
        return {"to_delist": 0, "relisted": 0}
    now = clock.now()
    with transaction.atomic():
        out = [pk for pk, qty in available.items() if (qty or 0) <= 0]
        back = [pk for pk, qty in available.items() if (qty or 0) > 0]
        flipped_out = list(Sku.objects.filter(pk__in=out, sold_out=False).values_list("pk", flat=True))
        flipped_back = list(Sku.objects.filter(pk__in=back, sold_out=True).values_list("pk", flat=True))
        if not flipped_out and not flipped_back and ids <= set(available):
            # No SKU crossed zero, so no listing can change state: the common case on every reservation.
            return {"to_delist": 0, "relisted": 0, "sold_out_skus": 0}
        Sku.objects.filter(pk__in=flipped_out).update(sold_out=True)
        Sku.objects.filter(pk__in=flipped_back).update(sold_out=False)
        combos = set(ComboItem.objects.filter(component_id__in=ids).values_list("combo_id", flat=True))
        listings = list(
            Listing.objects.filter(skus__sku_id__in=ids | combos, status__in=[S.LISTED, S.TO_DELIST])
            .distinct()
            .select_related("shop")
        )
        state = listing_availability([li.pk for li in listings])
        to_delist = [li for li in listings if li.status == S.LISTED and not state[li.pk]]
        relist = [li for li in listings if li.status == S.TO_DELIST and state[li.pk]]
        Listing.objects.filter(pk__in=[li.pk for li in to_delist]).update(status=S.TO_DELIST)
        Listing.objects.filter(pk__in=[li.pk for li in relist]).update(status=S.LISTED, listed_at=now)
        record_events(
            None,
            [
                (
                    li,
                    "sold_out",
                    status_label(S.LISTED),
                    status_label(S.TO_DELIST),
                    f"全部 SKU 已售罄，{WAIT_FOR_PLATFORM}",
                )
                for li in to_delist
            ]
            + [
                (li, "restocked", status_label(S.TO_DELIST), status_label(S.LISTED), "补货，已重新上架")
                for li in relist
            ],
        )
    return {"to_delist": len(to_delist), "relisted": len(relist), "sold_out_skus": len(flipped_out)}


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


# ---------------------------------------------------------------------------------------------------------------
# Schedules (PROD-2)
# ---------------------------------------------------------------------------------------------------------------


def schedule(actor, listing: Listing, action: str, run_at: dt.datetime) -> ListingSchedule:
    if action not in ListingSchedule.Action.values:
        raise DomainError("invalid_action", "定时操作只能是上架或下架", "action")
    if run_at is None:
        raise DomainError("run_at_required", "请填写时间", "run_at")
    if run_at.tzinfo is None:
        run_at = run_at.replace(tzinfo=clock.SHANGHAI)
    if run_at <= clock.now():
        raise DomainError("run_at_past", "定时时间必须晚于现在", "run_at")
    if ListingSchedule.objects.filter(
        listing=listing, action=action, run_at=run_at, done_at__isnull=True, cancelled_at__isnull=True
    ).exists():
        raise DomainError("duplicate_schedule", "同一时间已有相同的定时操作", "run_at")
    with transaction.atomic():
        item = ListingSchedule.objects.create(listing=listing, action=action, run_at=run_at, created_by=actor)
        record_event(
            actor,
            listing,
            "scheduled",
            to_state=f"{item.get_action_display()} {clock.local(run_at):%Y-%m-%d %H:%M}",
        )
    return item


def cancel_schedule(actor, item: ListingSchedule) -> ListingSchedule:
    with transaction.atomic():
        claimed = ListingSchedule.objects.filter(pk=item.pk, done_at__isnull=True, cancelled_at__isnull=True).update(
            cancelled_at=clock.now()
        )
        if not claimed:
            raise IllegalTransition("schedule_closed", "该定时操作已执行或已取消", "schedule")
        item.refresh_from_db()
        record_event(
            actor,
            item.listing,
            "schedule_cancelled",
            from_state=f"{item.get_action_display()} {clock.local(item.run_at):%Y-%m-%d %H:%M}",
        )
    return item


def run_due_schedules(now: dt.datetime | None = None) -> dict:
    """Run every schedule due by `now`, each exactly once (PROD-2): a schedule is claimed by setting done_at
    in a conditional UPDATE, so two workers (or a retried task) never run it twice. The change is recorded
    with the 工号 of whoever scheduled it; a change that is no longer allowed is recorded as failed."""
    now = now or clock.now()
    done, failed = 0, 0
    due = list(
        ListingSchedule.objects.filter(run_at__lte=now, done_at__isnull=True, cancelled_at__isnull=True)
        .select_related("listing__shop", "created_by")
        .order_by("run_at", "pk")[:500]
    )
    for item in due:
        with transaction.atomic():
            claimed = ListingSchedule.objects.filter(
                pk=item.pk, done_at__isnull=True, cancelled_at__isnull=True
            ).update(done_at=now)
            if not claimed:
                continue
            note = f"定时{item.get_action_display()}（{clock.local(item.run_at):%m-%d %H:%M}）"
            try:
                with transaction.atomic():
                    if item.action == ListingSchedule.Action.LIST:
                        list_now(item.created_by, item.listing, note)
                    else:
                        delist_now(item.created_by, item.listing, note)
                done += 1
            except DomainError as exc:
                failed += 1
                record_event(item.created_by, item.listing, "schedule_failed", note=f"{note}：{exc.message}")
    return {"done": done, "failed": failed}


def schedule_settings(shop: Shop) -> dict:
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
# Hero items (PROD-7), showcase and recommended items (PROD-11)
# ---------------------------------------------------------------------------------------------------------------


def _lock_shop(shop: Shop) -> None:
    Shop.objects.select_for_update().filter(pk=shop.pk).first()  # serialise flag changes of one shop


def set_hero(actor, listing: Listing, on: bool) -> Listing:
    """PROD-7: 3–5 主打 items per shop (catalog.hero_min / hero_max); a hero beyond the maximum is refused."""
    with transaction.atomic():
        _lock_shop(listing.shop)
        listing = Listing.objects.select_for_update().select_related("shop").get(pk=listing.pk)
        if listing.is_hero == on:
            return listing
        if on:
            most = int(get_setting(listing.shop, "catalog.hero_max"))
            count = Listing.objects.filter(shop_id=listing.shop_id, is_hero=True).count()
            if count >= most:
                raise DomainError(
                    "too_many_heroes", f"每个店铺最多 {most} 个主打款，请先取消一个再设置（PROD-7）", "is_hero"
                )
        listing.is_hero = on
        listing.save(update_fields=["is_hero"])
        record_event(actor, listing, "hero", from_state="否" if on else "是", to_state="是" if on else "否")
    return listing


def set_showcase(actor, listing: Listing, on: bool) -> Listing:
    """PROD-11: a showcase slot (橱窗位); only items on sale can take one."""
    return _set_flag(actor, listing, "in_showcase", on, "showcase")


def set_recommended(actor, listing: Listing, on: bool) -> Listing:
    """PROD-11: at most `catalog.recommended_max` (6) shop-recommended items; only items on sale."""
    return _set_flag(actor, listing, "recommended", on, "recommended", limit_key="catalog.recommended_max")


def _set_flag(actor, listing: Listing, field: str, on: bool, kind: str, limit_key: str = "") -> Listing:
    with transaction.atomic():
        _lock_shop(listing.shop)
        listing = Listing.objects.select_for_update().select_related("shop").get(pk=listing.pk)
        if getattr(listing, field) == on:
            return listing
        if on and listing.status != S.LISTED:
            raise DomainError("not_listed", "只有在售商品可以放入橱窗或店铺推荐", field)
        if on and limit_key:
            most = int(get_setting(listing.shop, limit_key))
            if Listing.objects.filter(shop_id=listing.shop_id, **{field: True}).count() >= most:
                raise DomainError("too_many_recommended", f"店铺推荐最多 {most} 个商品，请先取消一个（PROD-11）", field)
        setattr(listing, field, on)
        listing.save(update_fields=[field])
        record_event(actor, listing, kind, from_state="否" if on else "是", to_state="是" if on else "否")
    return listing


def hero_counts(shops) -> dict[int, int]:
    rows = Listing.objects.filter(shop__in=shops, is_hero=True).values("shop_id").annotate(n=Count("id"))
    return {r["shop_id"]: r["n"] for r in rows}


def hero_warnings(shops) -> list[str]:
    """PROD-7: a shop with fewer than catalog.hero_min heroes (or more than hero_max, after a settings change)."""
    counts = hero_counts(shops)
    warnings = []
    for shop in shops:
        n = counts.get(shop.pk, 0)
        least, most = int(get_setting(shop, "catalog.hero_min")), int(get_setting(shop, "catalog.hero_max"))
        if n < least:
            warnings.append(f"{shop.name}：主打款只有 {n} 个，建议 {least}–{most} 个（PROD-7）")
        elif n > most:
            warnings.append(f"{shop.name}：主打款有 {n} 个，超过上限 {most} 个（PROD-7）")
    return warnings


def status_counts(shops, extra: Q | None = None) -> dict[str, int]:
    qs = Listing.objects.filter(shop__in=shops)
    if extra is not None:
        qs = qs.filter(extra)
    counts = dict(qs.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    return {s: counts.get(s, 0) for s in S.values}


def showcase_suggestions(shop: Shop, now: dt.datetime | None = None, limit: int = 30) -> list[dict]:
    """PROD-11: listed items ranked for the showcase and the recommended slots — items with an advantage (best
    margin over price; sales once orders exist), enough stock (now: not sold out) and closest to the platform's
    7-day relisting. Sold-out items are left out. A fixed number of queries."""
    from django.db.models import Avg

    from ..rules_schedule import next_relist, showcase_score

    now = now or clock.now()
    listings = list(Listing.objects.filter(shop=shop, status=S.LISTED).select_related("product"))
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
