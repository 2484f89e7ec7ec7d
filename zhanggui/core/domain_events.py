"""Domain events between apps whose dependencies point the other way (rule 2 of the house).

`publish` delivers to subscribers after the current transaction commits (at once outside one), so a
subscriber never sees a change that was rolled back. Example: inventory publishes "stock_changed";
the catalog delists sold-out listings (PROD-6). `deliver` calls them at once, inside the caller's
transaction: for a publisher that already runs after its commit and holds locks the subscribers need.
"""

from collections import defaultdict
from collections.abc import Callable

from django.db import transaction

_SUBSCRIBERS: dict[str, list[Callable]] = defaultdict(list)


def subscribe(name: str, handler: Callable) -> None:
    if handler not in _SUBSCRIBERS[name]:
        _SUBSCRIBERS[name].append(handler)


def publish(name: str, **payload) -> None:
    for handler in list(_SUBSCRIBERS[name]):
        transaction.on_commit(lambda handler=handler: handler(**payload))


def deliver(name: str, **payload) -> None:
    for handler in list(_SUBSCRIBERS.get(name, ())):
        handler(**payload)
