"""API: who am I, the timeline of any document, background jobs."""

from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from .access import LOGIN_ONLY, allowed_shops
from .apitools import api_route
from .events import present_event
from .models import Event, Job, shop_model

router = Router(tags=["core"])


class MeOut(Schema):
    number: str
    name: str
    roles: list[str]
    shops: list[str]
    all_shops: bool
    permissions: list[str]


@api_route(router.get, "/me", perm=LOGIN_ONLY, response=MeOut)
def me(request):
    user = request.user
    return {
        "number": user.number,
        "name": user.name,
        "all_shops": user.all_shops,
        "roles": sorted(user.groups.values_list("name", flat=True)),
        "shops": [s.code for s in allowed_shops(user)],
        "permissions": sorted(user.get_all_permissions()),
    }


class EventOut(Schema):
    id: int
    at: datetime
    actor_number: str
    actor_name: str
    object_type: str
    object_id: str
    object_label: str
    kind: str
    kind_label: str
    from_state: str
    to_state: str
    note: str


@api_route(router.get, "/timeline", perm="core.view_event", response=list[EventOut])
def timeline(request, object_type: str, object_id: str, limit: int = 100):
    """The timeline of one document, e.g. object_type=shops.shop&object_id=3."""
    try:
        app_label, model = object_type.lower().split(".", 1)
        ctype = ContentType.objects.get(app_label=app_label, model=model)
    except (ValueError, ContentType.DoesNotExist):
        raise Http404 from None
    model = ctype.model_class()
    try:
        target = model._default_manager.get(pk=object_id)
    except (model.DoesNotExist, ValueError):
        raise Http404 from None
    _check_shop(request.user, target)
    events = Event.objects.filter(content_type=ctype, object_id=object_id).select_related("actor", "content_type")
    return [present_event(e, request.user) for e in events[: max(1, min(limit, 500))]]


def _check_shop(user, target) -> None:
    """Objects of shops outside the user's scope do not exist for them."""
    shop = target if isinstance(target, shop_model()) else getattr(target, "shop", None)
    if shop is not None and not allowed_shops(user).filter(pk=shop.pk).exists():
        raise Http404


class JobOut(Schema):
    id: int
    kind: str
    title: str
    status: str
    done: int
    total: int
    percent: int
    message: str
    result: dict


@api_route(router.get, "/jobs/{job_id}", perm=LOGIN_ONLY, response=JobOut)
def job(request, job_id: int):
    from .jobs import reap_stale_jobs

    reap_stale_jobs()  # a job whose process died reads as failed, with the reason
    return get_object_or_404(Job, pk=job_id, created_by=request.user)
