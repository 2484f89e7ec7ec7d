"""Reading and writing company-wide setting values (rule 6): settings registered with scope="company" hold one
value for every shop, whatever shop (or 全部店铺) is selected. The registry lives in zhanggui.core.registry."""

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils.translation import gettext as _

from .errors import DomainError
from .events import record_event
from .models import CompanySettingValue, Event
from .registry import company_definitions, get_definition


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
    parsed, errors = {}, {}
    for key, value in raw.items():
        try:
            parsed[key] = _company_definition(key).parse(value)
        except DomainError as exc:
            errors[key] = exc.message
    if errors:
        error = DomainError("invalid_settings", _("Some settings are not valid: %(n)d") % {"n": len(errors)})
        error.errors = errors
        raise error
    changed = [k for k, v in parsed.items() if v != current[k]]
    with transaction.atomic():
        for key in changed:
            definition = get_definition(key)
            row, _created = CompanySettingValue.objects.update_or_create(key=key, defaults={"value": parsed[key]})
            record_event(
                actor,
                row,
                "setting_changed",
                from_state=definition.display(current[key]),
                to_state=definition.display(parsed[key]),
                note=str(definition.label),  # rule 6: the plain name on the timeline; the ID stays in data
                data={"key": key, "rule": definition.rule},
            )
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
