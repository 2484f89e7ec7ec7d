"""Reading and writing company-wide setting values (rule 6): settings registered with scope="company" hold one
value for every shop, whatever shop (or 全部店铺) is selected. The registry lives in zhanggui.core.registry."""

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils.translation import gettext as _

from .errors import DomainError
from .events import record_setting_change
from .models import CompanySettingValue, Event
from .registry import company_definitions, get_definition, parse_submitted


def _company_definition(key: str):
    definition = get_definition(key)
    if definition.scope != "company":
        raise DomainError(
            "not_company_setting",
            _("%(label)s is set per shop, under the shop's settings") % {"label": definition.label},
            key,
        )
    return definition


def get_company_setting(key: str) -> Any:
    """The company's value for a company-wide setting, or its documented default."""
    definition = _company_definition(key)
    row = CompanySettingValue.objects.filter(key=key).values_list("value", flat=True).first()
    return definition.default if row is None else row


def get_company_settings(*keys: str) -> dict[str, Any]:
    """Every company-wide setting (or just `keys`) in one query."""
    definitions = [_company_definition(k) for k in keys] if keys else company_definitions()
    rows = CompanySettingValue.objects.all()
    if keys:
        rows = rows.filter(key__in=keys)
    stored = dict(rows.values_list("key", "value"))
    return {d.key: stored.get(d.key, d.default) for d in definitions}


def update_company_settings(actor, raw: dict[str, Any]) -> list[str]:
    """Validate every submitted value first; write all or nothing; one timeline entry per change.

    Raises a DomainError listing every bad field (``errors`` attribute: {key: message}). Returns the changed keys.
    """
    current = get_company_settings()
    parsed = parse_submitted(raw, _company_definition)
    changed = [k for k, v in parsed.items() if v != current[k]]
    with transaction.atomic():
        for key in changed:
            definition = get_definition(key)
            row, _created = CompanySettingValue.objects.update_or_create(key=key, defaults={"value": parsed[key]})
            record_setting_change(actor, row, definition, current[key], parsed[key])
            if parsed[key] == definition.default:  # back to the default: follow the default from now on
                row.delete()
    return changed


def company_settings_history():
    """The timeline of company setting changes, newest first."""
    return (
        Event.objects.filter(
            content_type=ContentType.objects.get_for_model(CompanySettingValue), kind="setting_changed"
        )
        .select_related("actor")
        .order_by("-at", "-id")
    )
