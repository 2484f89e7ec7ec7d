"""The after-sales queues as the 售后 role's home page shows them (AS-6, AS-7): new, waiting for the buyer, waiting
for the return, overdue and escalated — counted in ONE aggregate over the cases the person may see, each with the
age of its oldest case and the queue page's link that lists exactly those rows — plus the counts other parts of
after-sales register (the 中差评 queue of the reviews):

    register_home_count("bad_reviews", _("Bad reviews to handle"), count=lambda user, shops: …,
                        url=reverse_lazy("aftersales:reviews"), perm="aftersales.view_review", position=60)

A registered count is called with (user, shops) and returns an int (or (int, oldest datetime)); it is shown only to
people with `perm`. Read-only: no writes here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Count, Min, Q
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import pgettext_lazy

from zhanggui.core import clock

from . import selectors
from .models import OPEN_STATES, Case

State = Case.State
VIEW = "aftersales.view_case"


@dataclass
class HomeCount:
    key: str
    label: str
    count: int
    url: str
    perm: str
    oldest: dt.datetime | None = None
    urgent: bool = True


@dataclass
class _Registered:
    key: str
    label: object
    count: Callable
    url: object
    perm: str
    position: int


_REGISTERED: dict[str, _Registered] = {}

# (key, label, filter, queue link): the home's five queues, each the queue page's tab (and state) it opens.
QUEUES = (
    ("new", pgettext_lazy("after-sales home", "New cases"), lambda now: Q(state=State.NEW),
     {"tab": "pending", "state": State.NEW}),
    ("waiting_buyer", pgettext_lazy("after-sales home", "Waiting for the buyer"),
     lambda now: Q(state=State.WAITING_BUYER), {"tab": "waiting_buyer"}),
    ("waiting_return", pgettext_lazy("after-sales home", "Waiting for the return"),
     lambda now: Q(state=State.WAITING_RETURN), {"tab": "waiting_return"}),
    ("overdue", pgettext_lazy("after-sales home", "Overdue follow-ups"),
     lambda now: selectors.tab_filter("overdue", now), {"tab": "overdue"}),
    ("escalated", pgettext_lazy("after-sales home", "Escalated to the manager"),
     lambda now: selectors.tab_filter("escalated", now), {"tab": "escalated"}),
)  # fmt: skip


def register_home_count(key: str, label, *, count: Callable, url, perm: str, position: int = 100) -> None:
    """Add a figure to the after-sales home block (e.g. the 中差评 queue, AS-7); registering a key again replaces it."""
    _REGISTERED[key] = _Registered(key, label, count, url, perm, position)


def home_counts(user, shops, now=None) -> list[HomeCount]:
    """AS-6: the five queues (one query) and the registered counts (one query each), in order."""
    now = now or clock.now()
    base = selectors.cases_for(user, shops).filter(state__in=OPEN_STATES)
    figures = {}
    for key, _label, where, _params in QUEUES:
        figures[key] = Count("pk", filter=where(now))
        figures[f"{key}_oldest"] = Min("created_at", filter=where(now))
    found = base.aggregate(**figures)
    queue = reverse("aftersales:list")
    rows = [
        HomeCount(key, str(label), found[key] or 0, f"{queue}?{urlencode(params)}", VIEW, found[f"{key}_oldest"])
        for key, label, _where, params in QUEUES
    ]
    for extra in sorted(_REGISTERED.values(), key=lambda r: (r.position, r.key)):
        value = extra.count(user, shops)
        count, oldest = value if isinstance(value, tuple) else (value, None)
        rows.append(HomeCount(extra.key, str(extra.label), count, str(extra.url), extra.perm, oldest))
    return rows
