"""Reads for shop pages and the API."""

from django.db.models import Count, F, Q

from zhanggui.core import clock
from zhanggui.core.registry import get_definition

from .models import OpeningChecklist


def shops_with_counts(shops):
    return shops.select_related("platform").annotate(staff_count=Count("staff", distinct=True))


def opening_progress(checklist: OpeningChecklist) -> dict:
    steps = list(checklist.steps.all())
    # Rule 6: an amount whose default the manuals do not give says so (the step's setting in the platform template)
    template = {n: spec for n, spec in enumerate(checklist.shop.platform.opening_steps, start=1)}
    for step in steps:
        key = template.get(step.position, {}).get("amount_setting")
        step.not_in_manuals = str(get_definition(key).not_in_manuals) if key else ""
    done = sum(1 for s in steps if s.done_on)
    today = clock.today()
    return {
        "steps": steps,
        "done": done,
        "total": len(steps),
        "percent": int(done * 100 / len(steps)) if steps else 0,
        "overdue": [s for s in steps if not s.done_on and s.due_on < today],
    }


def open_checklists(shops):
    """Checklists with steps still open, for the home page."""
    return (
        OpeningChecklist.objects.filter(shop__in=shops)
        .annotate(
            total=Count("steps", distinct=True),
            done=Count("steps", filter=Q(steps__done_on__isnull=False), distinct=True),
        )
        .filter(done__lt=F("total"))
        .select_related("shop", "shop__platform")
    )
