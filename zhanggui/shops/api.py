"""API for shops: list, read, create, edit profile, read and change settings (SHOP-1..4), company settings."""

from typing import Any

from ninja import Body, Router, Schema, Status

from zhanggui.core.access import allowed_shop_or_404, allowed_shops
from zhanggui.core.apitools import api_route
from zhanggui.core.company_settings import get_company_settings, update_company_settings
from zhanggui.core.registry import company_definitions, definitions_for

from . import services
from .models import Shop
from .settings_store import get_settings, update_settings

router = Router(tags=["shops"])


class ShopOut(Schema):
    id: int
    code: str
    name: str
    platform: str
    platform_name: str
    shop_type: str
    is_active: bool
    category: str
    style: str
    target_customers: str
    price_band: str
    announcement: str
    buyer_notice: str
    service_hours: str
    reply_promise: str

    @staticmethod
    def resolve_platform(obj):
        return obj.platform_id

    @staticmethod
    def resolve_platform_name(obj):
        return obj.platform.name


class ShopIn(Schema):
    code: str
    platform: str
    name: str


class ShopProfileIn(Schema):
    name: str | None = None
    shop_type: str | None = None
    category: str | None = None
    style: str | None = None
    target_customers: str | None = None
    price_band: str | None = None
    announcement: str | None = None
    buyer_notice: str | None = None
    service_hours: str | None = None
    reply_promise: str | None = None
    is_active: bool | None = None


class SettingOut(Schema):
    key: str
    label: str
    kind: str
    rule: str
    group: str
    value: Any
    default: Any
    display: str
    not_in_manuals: str = ""  # rule 6: why the default is an assumption when the manuals do not give it


def _shop(request, shop_id: int) -> Shop:
    return allowed_shop_or_404(request.user, shop_id)


@api_route(router.get, "/shops", perm="shops.view_shop", response=list[ShopOut])
def list_shops(request):
    return list(allowed_shops(request.user))


@api_route(router.post, "/shops", perm="shops.add_shop", response={201: ShopOut})
def create_shop(request, payload: ShopIn):
    return Status(
        201, services.create_shop(request.user, code=payload.code, platform=payload.platform, name=payload.name)
    )


@api_route(router.get, "/shops/{shop_id}", perm="shops.view_shop", response=ShopOut)
def get_shop(request, shop_id: int):
    return _shop(request, shop_id)


@api_route(router.patch, "/shops/{shop_id}", perm="shops.change_shop", response=ShopOut)
def update_shop(request, shop_id: int, payload: ShopProfileIn):
    shop = _shop(request, shop_id)
    services.update_shop_profile(request.user, shop, **payload.dict(exclude_none=True))
    return shop


def _settings_out(shop):
    return _definitions_out(definitions_for(shop.platform_id), get_settings(shop))


def _definitions_out(definitions, values):
    return [
        {
            "key": d.key,
            "label": str(d.label),
            "kind": d.kind,
            "rule": d.rule,
            "group": str(d.group),
            "value": values[d.key],
            "default": d.default,
            "display": d.display(values[d.key]),
            "not_in_manuals": str(d.not_in_manuals),
        }
        for d in definitions
    ]


@api_route(router.get, "/shops/{shop_id}/settings", perm="shops.change_shop_settings", response=list[SettingOut])
def shop_settings(request, shop_id: int):
    """TEAM-1: the same right as the settings page (an API route shows nothing its page forbids)."""
    return _settings_out(_shop(request, shop_id))


@api_route(router.patch, "/shops/{shop_id}/settings", perm="shops.change_shop_settings", response=list[SettingOut])
def change_shop_settings(request, shop_id: int, payload: Body[dict[str, Any]]):
    """Send {key: value}; money in yuan (e.g. "10000.00"), times as "16:00". All or nothing."""
    shop = _shop(request, shop_id)
    update_settings(request.user, shop, payload)
    return _settings_out(shop)


@api_route(router.get, "/company/settings", perm="core.change_company_settings", response=list[SettingOut])
def company_settings(request):
    """Rule 6: the company-wide settings (one value for every shop); TEAM-1: the same right as their page."""
    return _definitions_out(company_definitions(), get_company_settings())


@api_route(router.patch, "/company/settings", perm="core.change_company_settings", response=list[SettingOut])
def change_company_settings(request, payload: Body[dict[str, Any]]):
    """Send {key: value} like the shop settings; all or nothing."""
    update_company_settings(request.user, payload)
    return _definitions_out(company_definitions(), get_company_settings())
