"""Reading and writing per-shop setting values (the registry lives in zhanggui.core.registry; company-wide
settings are read and written with zhanggui.core.company_settings)."""

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from zhanggui.core.company_settings import get_company_setting
from zhanggui.core.errors import DomainError
from zhanggui.core.events import record_setting_change
from zhanggui.core.registry import get_definition, parse_submitted, shop_definitions

from .models import Shop, ShopSettingValue


def get_setting(shop: Shop, key: str) -> Any:
    """The shop's value for a registered setting, or its documented default. A company-wide setting has one
    value for every shop: the company's."""
    definition = get_definition(key)
    if definition.scope == "company":
        return get_company_setting(key)
    row = ShopSettingValue.objects.filter(shop=shop, key=key).values_list("value", flat=True).first()
    return definition.default if row is None else row


def get_settings(shop: Shop) -> dict[str, Any]:
    """Every per-shop setting of a shop in one query (company-wide ones: get_company_settings)."""
    stored = dict(ShopSettingValue.objects.filter(shop=shop).values_list("key", "value"))
    return {d.key: stored.get(d.key, d.default) for d in shop_definitions()}


def settings_for(shops) -> dict[int, dict[str, Any]]:
    """{shop id: get_settings(shop)} for several shops in one query (pages over every shop in view)."""
    ids = [s.pk for s in shops]
    stored: dict[int, dict[str, Any]] = {pk: {} for pk in ids}
    for shop_id, key, value in ShopSettingValue.objects.filter(shop_id__in=ids).values_list("shop_id", "key", "value"):
        stored[shop_id][key] = value
    definitions = list(shop_definitions())
    return {pk: {d.key: values.get(d.key, d.default) for d in definitions} for pk, values in stored.items()}


def update_settings(actor, shop: Shop, raw: dict[str, Any]) -> list[str]:
    """Validate every submitted value first; write all or nothing; one timeline entry per change.

    Raises a DomainError listing every bad field (``errors`` attribute: {key: message}).
    Returns the keys that changed.
    """
    current = get_settings(shop)

    def definition_of(key: str):
        definition = get_definition(key)
        if definition.scope == "company":
            raise DomainError(
                "company_setting",
                _("%(label)s is the same for every shop: change it under company settings")
                % {"label": definition.label},
                key,
            )
        if definition.platforms and shop.platform_id not in definition.platforms:
            raise DomainError(
                "not_applicable",
                _("%(label)s does not apply to shops on %(platform)s")
                % {"label": definition.label, "platform": shop.platform.name},
                key,
            )
        return definition

    parsed = parse_submitted(raw, definition_of)
    changed = [k for k, v in parsed.items() if v != current[k]]
    with transaction.atomic():
        for key in changed:
            definition = get_definition(key)
            if parsed[key] == definition.default:
                ShopSettingValue.objects.filter(shop=shop, key=key).delete()
            else:
                ShopSettingValue.objects.update_or_create(shop=shop, key=key, defaults={"value": parsed[key]})
            record_setting_change(actor, shop, definition, current[key], parsed[key])
    return changed
