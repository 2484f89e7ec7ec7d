"""Read models of the workbench (工作台): real counts from the database for the shops in view — nothing invented."""

import datetime as dt

from django.db.models import Count
from django.db.models.functions import TruncDate

from zhanggui.core import clock
from zhanggui.core.access import has_access
from zhanggui.core.events import present_event
from zhanggui.core.models import Event
from zhanggui.crm.models import Customer
from zhanggui.orders.selectors import exception_queues
from zhanggui.shops.selectors import open_checklists
from zhanggui.team.models import Staff
from zhanggui.team.selectors import unowned_duties
from zhanggui.team.tasks_service import open_for


def _order_queues(user, shops):
    """ORD-9: the order exception queues with their counts, for people who may see orders."""
    if not has_access(user, "orders.view_order"):
        return None
    return exception_queues(shops)


def home_context(user, shops: list) -> dict:
    """Everything the home page shows for `user` over `shops` (SHOP-1: the shops in scope)."""
    today = clock.today()
    since = clock.local_day_bounds(today - dt.timedelta(days=13))[0]
    events = Event.objects.filter(shop__in=shops)
    per_day = dict(
        events.filter(at__gte=since)
        .annotate(day=TruncDate("at", tzinfo=clock.SHANGHAI))
        .values_list("day")
        .annotate(n=Count("id"))
        .values_list("day", "n")
    )
    days = [today - dt.timedelta(days=n) for n in range(13, -1, -1)]
    by_platform = {}
    for shop in shops:
        by_platform.setdefault(shop.platform.name, 0)
        by_platform[shop.platform.name] += 1
    return {
        "calendar_missing": calendar_missing(user, today),
        "figures": {
            "shops": len(shops),
            "staff": Staff.objects.filter(is_active=True).count(),
            "customers": Customer.objects.filter(shop__in=shops).count()
            if has_access(user, "crm.view_customer")
            else None,
            "unowned_duties": unowned_duties().count(),
            "events_today": events.filter(at__gte=clock.local_day_bounds(today)[0]).count(),
        },
        "by_platform": by_platform,
        "checklists": list(open_checklists(shops)),
        "activity_days": [d.strftime("%m-%d") for d in days],
        "activity_counts": [per_day.get(d, 0) for d in days],
        # 我的待办 (PUR-4 and other system tasks): the five newest open ones, the count links to all.
        "my_tasks": list(open_for(user).order_by("-created_at", "-pk")[:5]),
        "my_tasks_count": open_for(user).count(),
        "order_queues": _order_queues(user, shops),
        "recent": [present_event(e, user) for e in events.select_related("actor", "content_type")[:12]]
        if has_access(user, "core.view_event")
        else [],
    }


def calendar_missing(user, today) -> int | None:
    """The year whose official holidays are unknown (this year, or the coming one from November, when the State
    Council has usually published it), for the manager who can enter them; None when all is known."""
    if not has_access(user, "core.change_company_settings"):
        return None
    for year in (today.year, today.year + 1 if today.month >= 11 else None):
        if year and not clock.calendar_known(year):
            return year
    return None
