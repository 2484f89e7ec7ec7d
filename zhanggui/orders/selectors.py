"""Reading orders for the pages and the API (ORD-6, ORD-9): one filter set, status/exception tabs with counts, and
keyset pagination on (-ordered_at, -id) so the millionth page costs what the first one does (no OFFSET, no COUNT
over the whole table for paging).

Orders without an order time (rare: manual drafts) come after all dated ones, newest id first; the cursor carries
which of the two runs it points into.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils.translation import pgettext_lazy

from zhanggui.core import clock

from .models import Order, OrderLine

State = Order.State
PAGE_SIZE = 50

# ORD-9: the status tabs in the order shop staff know from the seller centre, then the exception queues.
STATE_TABS = [
    ("all", pgettext_lazy("order tab", "All")),
    (State.PENDING_PAYMENT, pgettext_lazy("order tab", "Awaiting payment")),
    (State.TO_REVIEW, pgettext_lazy("order tab", "To review")),
    (State.APPROVED, pgettext_lazy("order tab", "Reviewed")),
    (State.TO_SHIP, pgettext_lazy("order tab", "To ship")),
    (State.PART_SHIPPED, pgettext_lazy("order tab", "Partly shipped")),
    (State.SHIPPED, pgettext_lazy("order tab", "Shipped")),
    (State.SIGNED, pgettext_lazy("order tab", "Signed for")),
    (State.COMPLETED, pgettext_lazy("order tab", "Completed")),
    (State.CLOSED, pgettext_lazy("order tab", "Closed")),
    (State.ON_HOLD, pgettext_lazy("order tab", "On hold")),
]
EXCEPTION_TABS = [
    ("exc_out_of_stock", pgettext_lazy("order tab", "Out of stock")),
    ("exc_address", pgettext_lazy("order tab", "Address problem")),
    ("exc_unmatched", pgettext_lazy("order tab", "Unmatched SKU")),
    ("exc_refund", pgettext_lazy("order tab", "Refund requested")),
    ("exc_risk", pgettext_lazy("order tab", "Risk hold")),
]
EXCEPTION_FIELDS = [name for name, _label in EXCEPTION_TABS]
TABS = {key for key, _label in STATE_TABS} | set(EXCEPTION_FIELDS)
# Exceptions that still need someone: an order closed or done is out of the queue.
_QUEUE_STATES = [s for s in State.values if s not in (State.COMPLETED, State.CLOSED)]


@dataclass
class Filters:
    """What the list is narrowed to (besides the shop scope): from the query string or the API's parameters."""

    q: str = ""
    flag: str | None = None
    carrier: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    extra: dict = field(default_factory=dict)

    @classmethod
    def from_query(cls, data) -> Filters:
        flag = data.get("flag")
        return cls(
            q=(data.get("q") or "").strip()[:64],
            flag=flag if flag in {"none", *Order.Flag.values} - {""} else None,
            carrier=(data.get("carrier") or "").strip()[:30],
            date_from=_date(data.get("from")),
            date_to=_date(data.get("to")),
        )

    def as_query(self) -> dict:
        pairs = {
            "q": self.q,
            "flag": self.flag or "",
            "carrier": self.carrier,
            "from": self.date_from.isoformat() if self.date_from else "",
            "to": self.date_to.isoformat() if self.date_to else "",
        }
        return {k: v for k, v in pairs.items() if v}


def _date(value) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value or "").strip())
    except ValueError:
        return None


_DIGITS = re.compile(r"\d{4}")


def search(qs, q: str):
    """ORD-6: one box for order number, buyer nick, receiver name, phone (all of it, or its last four digits),
    tracking number and SKU / 商家编码 (through the lines). Exact or prefix matches, so the indexes serve them."""
    q = q.strip()
    if not q:
        return qs
    cond = (
        Q(platform_order_no=q)
        | Q(platform_order_no__startswith=q)
        | Q(buyer_nick=q)
        | Q(receiver_name=q)
        | Q(receiver_phone=q)
        | Q(tracking_no=q)
    )
    if _DIGITS.fullmatch(q):
        cond |= Q(phone_last4=q)  # ORD-6: the last four digits the buyer reads out on the phone
    lines = OrderLine.objects.filter(Q(outer_code=q) | Q(sku__code=q)).values("order_id")
    return qs.filter(cond | Q(pk__in=lines))


def filtered(shops, filters: Filters):
    """Orders of `shops` narrowed by `filters` (not by tab)."""
    qs = Order.objects.filter(shop__in=shops)
    qs = search(qs, filters.q)
    if filters.flag == "none":
        qs = qs.filter(flag="")
    elif filters.flag:
        qs = qs.filter(flag=filters.flag)
    if filters.carrier:
        qs = qs.filter(carrier=filters.carrier)
    if filters.date_from:  # Beijing days → UTC bounds
        qs = qs.filter(ordered_at__gte=clock.local_day_bounds(filters.date_from)[0])
    if filters.date_to:
        qs = qs.filter(ordered_at__lt=clock.local_day_bounds(filters.date_to)[1])
    return qs


def in_tab(qs, tab: str):
    if tab in EXCEPTION_FIELDS:
        return qs.filter(**{tab: True}, state__in=_QUEUE_STATES)
    if tab in State.values:
        return qs.filter(state=tab)
    return qs


def tab_counts(qs) -> dict[str, int]:
    """ORD-9: one GROUP BY state (the (shop, state, …) index) and one aggregate for the exception queues."""
    counts = {key: 0 for key in TABS}
    for state, n in qs.order_by().values_list("state").annotate(n=Count("id")):
        counts[state] = n
        counts["all"] += n
    counts.update(
        qs.filter(state__in=_QUEUE_STATES)
        .order_by()
        .aggregate(**{name: Count("id", filter=Q(**{name: True})) for name in EXCEPTION_FIELDS})
    )
    return counts


# ---------------------------------------------------------------------------------------------------------------
# Keyset pagination on (-ordered_at, -id)
# ---------------------------------------------------------------------------------------------------------------

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_US = dt.timedelta(microseconds=1)


def cursor_of(order: Order) -> str:
    """The position of `order` in the list: "d<microseconds>.<id>" (dated) or "n.<id>" (no order time)."""
    if order.ordered_at is None:
        return f"n.{order.pk}"
    return f"d{(order.ordered_at - _EPOCH) // _US}.{order.pk}"


def parse_cursor(text) -> tuple[dt.datetime | None, int] | None:
    match = re.fullmatch(r"(?:d(-?\d{1,20})|n)\.(\d{1,19})", str(text or ""))
    if not match:
        return None
    at = _EPOCH + int(match.group(1)) * _US if match.group(1) is not None else None
    return at, int(match.group(2))


@dataclass
class KeysetPage:
    rows: list
    next_cursor: str | None
    prev_cursor: str | None


def keyset_page(qs, *, after=None, before=None, size: int = PAGE_SIZE) -> KeysetPage:
    """One page of `qs` in (-ordered_at, -id) order, after or before a cursor; each query is an index range scan
    with LIMIT size + 1 (the extra row says whether there is more)."""
    dated, undated = qs.filter(ordered_at__isnull=False), qs.filter(ordered_at__isnull=True)
    down = ("-ordered_at", "-id")
    pos = parse_cursor(before) if before else None
    if pos is not None:  # going back: the rows just before the cursor, nearest first, then reversed
        at, pk = pos
        if at is None:
            rows = list(undated.filter(id__gt=pk).order_by("id")[: size + 1])
            if len(rows) <= size:
                rows += list(dated.order_by("ordered_at", "id")[: size + 1 - len(rows)])
        else:
            rows = list(
                dated.filter(Q(ordered_at__gt=at) | Q(ordered_at=at, id__gt=pk)).order_by("ordered_at", "id")[
                    : size + 1
                ]
            )
        more_before = len(rows) > size
        rows = rows[:size][::-1]
        return KeysetPage(
            rows,
            cursor_of(rows[-1]) if rows else None,
            cursor_of(rows[0]) if rows and more_before else None,
        )
    pos = parse_cursor(after) if after else None
    if pos is None:
        rows = list(dated.order_by(*down)[: size + 1])
        if len(rows) <= size:
            rows += list(undated.order_by("-id")[: size + 1 - len(rows)])
    elif pos[0] is None:
        rows = list(undated.filter(id__lt=pos[1]).order_by("-id")[: size + 1])
    else:
        at, pk = pos
        rows = list(dated.filter(Q(ordered_at__lt=at) | Q(ordered_at=at, id__lt=pk)).order_by(*down)[: size + 1])
        if len(rows) <= size:
            rows += list(undated.order_by("-id")[: size + 1 - len(rows)])
    more = len(rows) > size
    rows = rows[:size]
    return KeysetPage(
        rows,
        cursor_of(rows[-1]) if rows and more else None,
        cursor_of(rows[0]) if rows and pos is not None else None,
    )


def exception_queues(shops) -> list[tuple[str, str, int]]:
    """ORD-9 on the home page: [(tab key, label, open orders in it)] for the shops in scope — nothing hidden, zeros
    included. One aggregate query."""
    counts = (
        Order.objects.filter(shop__in=shops, state__in=_QUEUE_STATES)
        .order_by()
        .aggregate(**{name: Count("id", filter=Q(**{name: True})) for name in EXCEPTION_FIELDS})
    )
    return [(name, label, counts[name] or 0) for name, label in EXCEPTION_TABS]
