"""Hero items (PROD-7), showcase slots and shop-recommended items (PROD-11) of a shop's listings, with their
per-shop limits. The warnings and suggestions the pages show are reads: catalog/selectors.py.
"""

from django.db import transaction

from zhanggui.core.errors import DomainError
from zhanggui.core.events import record_event
from zhanggui.shops.models import Shop
from zhanggui.shops.settings_store import get_setting

from ..models import Listing
from .listings import S


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
                raise DomainError("too_many_heroes", f"每个店铺最多 {most} 个主打款，请先取消一个再设置", "is_hero")
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
                raise DomainError("too_many_recommended", f"店铺推荐最多 {most} 个商品，请先取消一个", field)
        setattr(listing, field, on)
        listing.save(update_fields=[field])
        record_event(actor, listing, kind, from_state="否" if on else "是", to_state="是" if on else "否")
    return listing
