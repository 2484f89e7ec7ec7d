"""Pricing (PROD-9) and sourcing (PROD-10): listing prices against the floor, VIP prices, group-buy tiers,
weekly promotion and monthly flash-sale flags, own stock or dropship, the first-order cap.

The rules themselves are pure (`catalog.rules_pricing`); this module reads the shop's settings, writes and
records every change on the timeline. `set_listing_price` is also called by the listing pages.
"""

from django.db import transaction
from django.db.models import Max, Min, Q

from zhanggui.core.bounds import check_fen, check_quantity
from zhanggui.core.company_settings import get_company_setting
from zhanggui.core.errors import DomainError
from zhanggui.core.events import record_event, register_event_kinds
from zhanggui.core.money import format_fen

from ..models import GroupPriceTier, Listing, Product, Sku
from ..rules_pricing import PriceCheck, check_price, parse_group_tiers, validate_tiers
from .images import setting, shop_for

OVERRIDE_PERM = "catalog.override_price_floor"  # the manager: price below the floor, first order above the cap

register_event_kinds(
    {
        "price_changed": "改价",
        "price_floor_override": "破价（店长确认）",
        "vip_price": "会员价",
        "group_tiers": "团购阶梯价",
        "promotion_flags": "促销标记",
        "sourcing": "货源方式",
    }
)


class PriceRefused(DomainError):
    """A price below the floor (PROD-9); `check` carries the whole outcome for the page."""

    def __init__(self, check: PriceCheck, field: str = "price"):
        super().__init__(check.code, check.message, field)
        self.check = check


def reference_prices(product: Product) -> tuple[int, int]:
    """(list price, cost) the checks compare against: the lowest list price and the highest cost of the
    product's active SKUs — the listing price is the "from" price, the margin must hold for every SKU."""
    skus = Sku.objects.filter(product=product, is_active=True, is_combo=False)
    agg = skus.aggregate(list_min=Min("list_price_fen", filter=Q(list_price_fen__gt=0)), cost_max=Max("cost_fen"))
    return int(agg["list_min"] or 0), int(agg["cost_max"] or 0)


def pricing_settings(shop) -> dict:
    return {
        "floor_percent": int(setting(shop, "pricing.floor_percent")),
        "min_margin_percent": int(setting(shop, "pricing.min_margin_percent")),
        "exempt_events": setting(shop, "pricing.floor_exempt_events") or "",
    }


def check_product_price(
    product: Product, price_fen: int, *, shop=None, event: str = "", list_price_fen=None, cost_fen=None
) -> PriceCheck:
    """PROD-9 check of a price for this product with the shop's floor, margin and exempt events."""
    ref_list, ref_cost = reference_prices(product)
    return check_price(
        ref_list if list_price_fen is None else list_price_fen,
        price_fen,
        ref_cost if cost_fen is None else cost_fen,
        event=event,
        **pricing_settings(shop_for(product, shop)),
    )


def _require_override(actor, check: PriceCheck, override: bool, field: str = "price") -> bool:
    """True when a refused check is overridden by someone allowed to; raise otherwise."""
    if not check.refused:
        return False
    if check.code != "below_floor":
        raise PriceRefused(check, field)
    if not override:
        raise PriceRefused(check, field)
    if not (actor is not None and getattr(actor, "is_authenticated", False) and actor.has_perm(OVERRIDE_PERM)):
        raise DomainError("override_not_allowed", "只有店长可以确认低于底价的价格（破价）", field)
    return True


def set_listing_price(actor, listing: Listing, price_fen: int, event: str = "", override: bool = False) -> PriceCheck:
    """PROD-9: change a listing's price. Below the floor (7折 of the list price, shop setting) it is refused with
    a clear Chinese message unless `event` is one of the shop's exempt named events (双11…) or the actor holds
    catalog.override_price_floor and passes override=True; the override goes on the timeline with from → to and
    the floor. Returns the check (its warnings, e.g. a thin margin, are for the caller to show)."""
    try:
        price_fen = int(price_fen)
    except (TypeError, ValueError):
        raise DomainError("invalid_price", "价格格式不正确", "price") from None
    price_fen = check_fen(price_fen, "价格", "price", low=1)  # PROD-9: a typo is not a price
    event = (event or "").strip()[:40]
    check = check_product_price(listing.product, price_fen, shop=listing.shop, event=event)
    overridden = _require_override(actor, check, override)
    with transaction.atomic():
        locked = Listing.objects.select_for_update().get(pk=listing.pk)
        old_price, old_event = locked.price_fen, locked.price_event
        locked.price_fen = price_fen
        locked.price_event = event
        locked.save(update_fields=["price_fen", "price_event"])
        listing.price_fen, listing.price_event = price_fen, event
        notes = []
        if event:
            notes.append(f"活动：{event}")
        if check.exempt_event:
            notes.append(f"低于底价 {format_fen(check.floor_fen)}，“{event}”活动允许")
        notes += [w for w in check.warnings if not w.startswith("低于底价")]
        if overridden:
            record_event(
                actor,
                locked,
                "price_floor_override",
                from_state=format_fen(old_price),
                to_state=format_fen(price_fen),
                note=f"底价 {format_fen(check.floor_fen)}：店长确认破价。" + "；".join(notes),
                data={"floor_fen": check.floor_fen, "from_fen": old_price, "to_fen": price_fen, "event": event},
            )
        elif old_price != price_fen or old_event != event:
            record_event(
                actor,
                locked,
                "price_changed",
                from_state=format_fen(old_price),
                to_state=format_fen(price_fen),
                note="；".join(notes),
                data={"floor_fen": check.floor_fen, "event": event},
            )
    return check


def set_vip_price(
    actor, sku: Sku, vip_price_fen: int | None, *, shop=None, override: bool = False
) -> PriceCheck | None:
    """PROD-9: the VIP price of a SKU; it respects the floor like every promotion (MKT-1). None clears it."""
    check = None
    if vip_price_fen is not None:
        vip_price_fen = check_fen(vip_price_fen, "VIP 价", "vip", low=1)  # PROD-9: a typo is not a price
        check = check_product_price(
            sku.product, int(vip_price_fen), shop=shop, list_price_fen=sku.list_price_fen, cost_fen=sku.cost_fen
        )
        overridden = _require_override(actor, check, override, "vip_price")
    else:
        overridden = False
    with transaction.atomic():
        locked = Sku.objects.select_for_update().get(pk=sku.pk)
        old = locked.vip_price_fen
        if old == vip_price_fen:
            return check
        locked.vip_price_fen = vip_price_fen
        locked.save(update_fields=["vip_price_fen"])
        sku.vip_price_fen = vip_price_fen
        note = f"SKU {locked.code}"
        if overridden:
            note += f"；低于底价 {format_fen(check.floor_fen)}，店长确认破价"
        record_event(
            actor,
            locked.product,
            "price_floor_override" if overridden else "vip_price",
            from_state=format_fen(old) if old is not None else "",
            to_state=format_fen(vip_price_fen) if vip_price_fen is not None else "—",
            note=note,
        )
    return check


def default_tiers(shop) -> list[tuple[int, int | None]]:
    try:
        return parse_group_tiers(setting(shop, "pricing.group_tiers") or "")
    except ValueError as exc:
        raise DomainError("invalid_setting", str(exc), "pricing.group_tiers") from None


def create_group_tiers_from_setting(actor, product: Product, *, shop=None) -> list[GroupPriceTier]:
    """PROD-9: create the group-buy tiers of the setting pricing.group_tiers ("10-20,20+" → 10–19, 20+) that the
    product does not have yet, priced at the list price to start with (to be lowered, not below the floor)."""
    shop = shop_for(product, shop)
    tiers = default_tiers(shop)
    list_price, _cost = reference_prices(product)
    if list_price <= 0:
        raise DomainError("no_list_price", "请先为 SKU 填写吊牌价，再生成团购阶梯", "tiers")
    with transaction.atomic():
        locked = Product.objects.select_for_update().get(pk=product.pk)
        existing = set(locked.group_tiers.values_list("min_qty", flat=True))
        new = [
            GroupPriceTier(product=locked, min_qty=low, max_qty=high, price_fen=list_price)
            for low, high in tiers
            if low not in existing
        ]
        if not new:
            return []
        GroupPriceTier.objects.bulk_create(new)
        record_event(
            actor,
            locked,
            "group_tiers",
            to_state="，".join(_tier_label(t.min_qty, t.max_qty) for t in new),
            note="按设置生成团购阶梯",
        )
    return new


def _tier_label(low, high) -> str:
    return f"{low}-{high} 件" if high else f"{low} 件以上"


def save_group_tiers(
    actor, product: Product, tiers: list[tuple[int, int | None, int]], *, shop=None, override: bool = False
) -> list[GroupPriceTier]:
    """Replace the product's group-buy tiers with `tiers` [(min_qty, max_qty or None, price_fen)], all checked
    first: no overlap, prices above 0 and not below the floor (unless the manager overrides)."""
    tiers = [
        (
            check_quantity(lo, "团购起订量", "tiers"),
            check_quantity(hi, "团购上限", "tiers") if hi not in (None, "") else None,
            check_fen(p, "团购价", "tiers", low=1),
        )
        for lo, hi, p in tiers
    ]
    problems = validate_tiers(tiers)
    if problems:
        raise DomainError("invalid_tiers", "；".join(problems), "tiers")
    overridden = False
    for low, _high, price in tiers:
        check = check_product_price(product, price, shop=shop)
        if check.refused:
            try:
                overridden = _require_override(actor, check, override, "tiers") or overridden
            except DomainError as exc:
                raise DomainError(exc.code, f"{low} 件起的团购价：{exc.message}", "tiers") from None
    with transaction.atomic():
        locked = Product.objects.select_for_update().get(pk=product.pk)
        before = [(t.min_qty, t.max_qty, t.price_fen) for t in locked.group_tiers.all()]
        after = sorted(tiers)
        if before == after:
            return list(locked.group_tiers.all())
        locked.group_tiers.all().delete()
        created = GroupPriceTier.objects.bulk_create(
            [GroupPriceTier(product=locked, min_qty=lo, max_qty=hi, price_fen=p) for lo, hi, p in after]
        )

        def show(rows):
            return "，".join(f"{_tier_label(lo, hi)} {format_fen(p)}" for lo, hi, p in rows) or "—"

        record_event(
            actor,
            locked,
            "price_floor_override" if overridden else "group_tiers",
            from_state=show(before),
            to_state=show(after),
            note="团购价低于底价，店长确认破价" if overridden else "",
        )
    return created


def set_promotion_flags(actor, product: Product, *, weekly_promotion: bool, monthly_flash_sale: bool) -> list[str]:
    """PROD-9: weekly promotion item and monthly limited flash sale."""
    wanted = {"weekly_promotion": bool(weekly_promotion), "monthly_flash_sale": bool(monthly_flash_sale)}
    with transaction.atomic():
        locked = Product.objects.select_for_update().get(pk=product.pk)
        changed = [k for k, v in wanted.items() if getattr(locked, k) != v]
        if not changed:
            return []
        for key in changed:
            setattr(locked, key, wanted[key])
            setattr(product, key, wanted[key])
        locked.save(update_fields=[*changed, "updated_at"])
        record_event(
            actor,
            locked,
            "promotion_flags",
            note="；".join(
                f"{Product._meta.get_field(k).verbose_name}：{'是' if wanted[k] else '否'}" for k in changed
            ),
        )
    return changed


def first_order_cap() -> int:
    """PROD-10: the first order of a new style is at most this many sets (company-wide: bought for every shop)."""
    return int(get_company_setting("pricing.first_order_max_sets"))


def set_sourcing(
    actor, product: Product, *, sourcing: str, supplier_name: str = "", first_order_sets=None
) -> list[str]:
    """PROD-10: own stock (压货/工厂加工) or dropship (代理发货, with its supplier); the first order of a new style
    is at most pricing.first_order_max_sets sets (3) — more only for the manager."""
    if sourcing not in Product.Sourcing.values:
        raise DomainError("invalid_sourcing", "货源方式不正确", "sourcing")
    supplier_name = (supplier_name or "").strip()[:100]
    if sourcing == Product.Sourcing.DROPSHIP and not supplier_name:
        raise DomainError("supplier_required", "代理发货请填写供应商", "supplier_name")
    if first_order_sets in ("",):
        first_order_sets = None
    if first_order_sets is not None:
        first_order_sets = check_quantity(first_order_sets, "首单数量（套）", "first_order_sets")
        cap = first_order_cap()
        is_manager = getattr(actor, "is_authenticated", False) and actor.has_perm(OVERRIDE_PERM)
        if first_order_sets > cap and first_order_sets != product.first_order_sets and not is_manager:
            raise DomainError(
                "first_order_cap",
                f"新款首单最多 {cap} 套（设置：新款首单上限），多于此数需店长确认",
                "first_order_sets",
            )
    wanted = {"sourcing": sourcing, "supplier_name": supplier_name, "first_order_sets": first_order_sets}
    with transaction.atomic():
        locked = Product.objects.select_for_update().get(pk=product.pk)
        changed = [k for k, v in wanted.items() if getattr(locked, k) != v]
        if not changed:
            return []
        before = {k: getattr(locked, k) for k in changed}
        for key in changed:
            setattr(locked, key, wanted[key])
            setattr(product, key, wanted[key])
        locked.save(update_fields=[*changed, "updated_at"])

        def show(values):
            parts = []
            for key, value in values.items():
                if key == "sourcing":
                    value = Product.Sourcing(value).label
                parts.append(
                    f"{Product._meta.get_field(key).verbose_name}：{value if value not in (None, '') else '—'}"
                )
            return "；".join(str(p) for p in parts)

        record_event(actor, locked, "sourcing", from_state=show(before), to_state=show(wanted_subset(wanted, changed)))
    return changed


def wanted_subset(values: dict, keys: list[str]) -> dict:
    return {k: values[k] for k in keys}
