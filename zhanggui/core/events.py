"""Writing and reading the timeline. Services call `record_event` in the same transaction as the change."""

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from .models import Event, shop_model
from .privacy import can_see_pii, mask_text


def _shop_of(obj):
    if isinstance(obj, shop_model()):
        return obj
    return getattr(obj, "shop", None)


# Labels of event kinds for the timeline; apps add theirs with register_event_kinds().
_KIND_LABELS = {
    "created": _("created"),
    "profile_changed": _("profile changed"),
    "setting_changed": _("setting changed"),
    "status": _("status changed"),
    "opening_started": _("opening checklist started"),
    "opening_step": _("opening step"),
    "opening_step_edited": _("opening step edited"),
    "roles_changed": _("roles changed"),
    "shops_changed": _("shops changed"),
    "scope_changed": _("shop scope changed"),
    "password_reset": _("password reset"),
    "password_changed": _("password changed"),
    "login_unlocked": _("sign-in unlocked"),
    "official_calendar": _("official holiday calendar entered"),
    "duty_owner": _("duty owner"),
    "token_created": _("API token created"),
    "token_revoked": _("API token revoked"),
    "pii_export": _("personal data exported"),
}


def register_event_kinds(labels: dict) -> None:
    _KIND_LABELS.update(labels)


def kind_label(kind: str) -> str:
    return str(_KIND_LABELS.get(kind, kind))


def record_event(
    actor, obj: models.Model, kind: str, *, from_state="", to_state="", note="", data=None, shop=None
) -> Event:
    """Record who did what to `obj`. `kind` is a short code (created, status, setting_changed, …)."""
    actor = actor if getattr(actor, "is_authenticated", False) else None
    return Event.objects.create(
        actor=actor,
        actor_number=getattr(actor, "number", "") if actor else "",
        shop=shop if shop is not None else _shop_of(obj),
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
        object_label=str(obj)[:200],
        kind=kind,
        from_state=str(from_state or "")[:200],
        to_state=str(to_state or "")[:200],
        note=note or "",
        data=data or {},
    )


def record_events(actor, rows, batch_size: int | None = None) -> None:
    """Timeline entries for many objects in one INSERT (bulk paths): rows = [(obj, kind, from, to, note)],
    optionally with a sixth item, the event's data."""
    if not rows:
        return
    actor = actor if getattr(actor, "is_authenticated", False) else None
    types: dict = {}
    events = []
    for obj, kind, from_state, to_state, note, *data in rows:
        model = type(obj)
        if model not in types:
            types[model] = ContentType.objects.get_for_model(model)
        events.append(
            Event(
                actor=actor,
                actor_number=getattr(actor, "number", "") if actor else "",
                shop_id=getattr(obj, "shop_id", None),
                content_type=types[model],
                object_id=str(obj.pk),
                object_label=str(obj)[:200],
                kind=kind,
                from_state=str(from_state or "")[:200],
                to_state=str(to_state or "")[:200],
                note=note or "",
                data=(data[0] if data else None) or {},
            )
        )
    Event.objects.bulk_create(events, batch_size=batch_size)


def timeline_for(obj: models.Model):
    return (
        Event.objects.filter(content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk))
        .select_related("actor")
        .order_by("-at", "-id")
    )


def present_event(event: Event, user) -> dict:
    """An event as pages and the API show it: phone numbers in notes masked unless the user may see them."""
    show = can_see_pii(user)
    clean = (lambda text: text) if show else mask_text
    return {
        "id": event.id,
        "at": event.at,
        "actor_number": event.actor_number,
        "actor_name": event.actor.name if event.actor else "",
        "object_type": f"{event.content_type.app_label}.{event.content_type.model}",
        "object_id": event.object_id,
        "object_label": clean(event.object_label),
        "kind": event.kind,
        "kind_label": kind_label(event.kind),
        "from_state": clean(event.from_state),
        "to_state": clean(event.to_state),
        "note": clean(event.note),
    }


def record_setting_change(actor, obj, definition, old, new) -> None:
    """TEAM-3, rule 6: a changed setting on `obj`'s timeline (the shop, or the company value) under its plain name;
    the rule ID stays in the event's data."""
    record_event(
        actor,
        obj,
        "setting_changed",
        from_state=definition.display(old),
        to_state=definition.display(new),
        note=str(definition.label),
        data={"key": definition.key, "rule": definition.rule},
    )
