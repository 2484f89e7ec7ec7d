"""Fund arrival queues (FIN-3), read only, within the shops given (the caller's scope):

    no_arrival  paid orders (completed or signed for, paid − refunded > 0) whose completion (or shipping, when
                signed without completion) is more than `finance.arrival_days` (shop setting, default 15) days
                before the end of the shop's imported statements and no later than their start − N days, with no
                income line on any statement. Shops without a statement list nothing (nothing to check against).
    mismatch    orders whose income + refunds on the statements differ from paid − refunded, with the difference.
    unmatched   statement lines naming an order the shop does not have.
Filters: `month` (YYYY-MM, Beijing time: the order's completion / the line's time) on every queue.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, F, Max, Min, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce

from zhanggui.core import clock
from zhanggui.orders.models import Order
from zhanggui.shops.settings_store import settings_for

from .models import StatementEntry

TABS = ("no_arrival", "mismatch", "unmatched")
M = StatementEntry.Match
DONE = (Order.State.COMPLETED, Order.State.SIGNED)


def month_bounds(month: str) -> tuple[dt.datetime, dt.datetime] | None:
    """'2026-11' → [start, end) in UTC of that Beijing month; None when empty or malformed."""
    try:
        year, mon = (int(x) for x in month.split("-"))
        first = dt.date(year, mon, 1)
    except (ValueError, TypeError):
        return None
    following = dt.date(year + (mon == 12), mon % 12 + 1, 1)
    return clock.local_day_bounds(first)[0], clock.local_day_bounds(following)[0]


def _no_arrival(shops, bounds) -> Q | None:
    """The no-arrival condition over orders of these shops (None when no shop has a statement)."""
    spans = (
        StatementEntry.objects.filter(shop__in=shops)
        .values("shop_id")
        .annotate(first=Min("occurred_at"), last=Max("occurred_at"))
        .values_list("shop_id", "first", "last")
    )
    shop_list = [s for s in shops]
    days = {pk: int(v.get("finance.arrival_days", 15)) for pk, v in settings_for(shop_list).items()}
    cond = None
    for shop_id, first, last in spans:
        n = dt.timedelta(days=days.get(shop_id, 15))
        part = Q(shop_id=shop_id, base__gte=first - n, base__lte=min(last, clock.now()) - n)
        cond = part if cond is None else cond | part
    if cond is not None and bounds:
        cond &= Q(base__gte=bounds[0], base__lt=bounds[1])
    return cond


def no_arrival(shops, bounds=None):
    cond = _no_arrival(shops, bounds)
    if cond is None:
        return Order.objects.none()
    arrived = StatementEntry.objects.filter(order=OuterRef("pk"), kind="income")
    return (
        Order.objects.filter(shop__in=shops, state__in=DONE, paid_fen__gt=0)
        .annotate(base=Coalesce("completed_at", "shipped_at"), expected_fen=F("paid_fen") - F("refund_fen"))
        .filter(cond)
        .filter(expected_fen__gt=0)
        .exclude(Exists(arrived))
        .select_related("shop__platform")
        .order_by("base", "id")
    )


def _entries(shops, bounds):
    qs = StatementEntry.objects.filter(shop__in=shops)
    if bounds:
        qs = qs.filter(occurred_at__gte=bounds[0], occurred_at__lt=bounds[1])
    return qs


def mismatch(shops, bounds=None):
    """Orders with a mismatch: each with `arrived_fen` (income + refunds on the statements)."""
    ids = _entries(shops, bounds).filter(match=M.MISMATCH).values("order_id")
    return (
        Order.objects.filter(pk__in=ids)
        .annotate(
            arrived_fen=Coalesce(
                Subquery(
                    StatementEntry.objects.filter(order=OuterRef("pk"), kind__in=("income", "refund"))
                    .values("order")
                    .annotate(t=Sum("amount_fen"))
                    .values("t")
                ),
                0,
            )
        )
        .select_related("shop__platform")
        .order_by("shop_id", "platform_order_no")
    )


def unmatched(shops, bounds=None):
    return _entries(shops, bounds).filter(match=M.UNMATCHED).select_related("shop__platform").order_by("-occurred_at")


@dataclass
class Row:
    shop: object
    order_no: str
    paid_fen: int
    refund_fen: int
    expected_fen: int
    arrived_fen: int
    difference_fen: int


def counts(shops, bounds=None) -> dict[str, int]:
    return {
        "no_arrival": no_arrival(shops, bounds).count(),
        "mismatch": _entries(shops, bounds).filter(match=M.MISMATCH).values("order_id").distinct().count(),
        "unmatched": unmatched(shops, bounds).count(),
    }


def mismatch_rows(shops, bounds=None, limit: int = 200) -> list[Row]:
    out = []
    for o in mismatch(shops, bounds)[:limit]:
        expected = o.paid_fen - o.refund_fen
        out.append(Row(o.shop, o.platform_order_no, o.paid_fen, o.refund_fen, expected, o.arrived_fen,
                       o.arrived_fen - expected))  # fmt: skip
    return out


def totals(shops, bounds=None) -> dict[str, int]:
    """Money in / out by kind over the lines in view (the page's summary)."""
    rows = _entries(shops, bounds).values("kind").annotate(total=Sum("amount_fen")).values_list("kind", "total")
    out = {k: 0 for k in ("income", "refund", "fee", "withdrawal", "other")}
    out.update(rows)
    return out
