"""After-sales figures (/aftersales/stats/, AS-2, AS-5, AS-6): refund rate per shop, per product and per reason,
the average time to close, and a daily trend — read-only, over the shops in view and a period of days.

Definitions (one place, so the page, the API and a test agree):
- an order "counts" in the period when it was paid in it (paid_at, Beijing days); a refunded order is one of them
  with a case whose refund was agreed (待退款 or 已完结 with agreed_refund_fen);
- refund rate per shop = refunded orders / paid orders, and refunded money / paid money;
- per product (the order line's title): refunded pieces (the case lines of refunded cases) / pieces sold;
- per reason: the cases opened in the period by reason (the maintained list; free text counts as 其他), with the
  refunds agreed on them;
- time to close: the cases closed in the period, closed_at − created_at, on average (hours), per case type;
- the trend: per day, cases opened, cases closed and money refunded (agreed on cases opened that day).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q, Sum
from django.db.models.functions import TruncDate

from zhanggui.core import clock
from zhanggui.orders.models import Order, OrderLine

from .models import CaseLine
from .services.cases import kind_label
from .services.refunds import AGREED_STATES

PERIODS = (7, 30, 90, 180)
PRODUCTS_SHOWN = 20
OTHER_REASON = "其他"


def period(days) -> tuple[int, dt.date, dt.datetime, dt.datetime]:
    """(days, first day, start, end) of the last `days` Beijing days up to today (a bad value: 30)."""
    days = int(days) if str(days).isdigit() and int(days) in PERIODS else 30
    today = clock.today()
    first = today - dt.timedelta(days=days - 1)
    return days, first, clock.at_local(first, dt.time.min), clock.at_local(today + dt.timedelta(days=1), dt.time.min)


def _refunded(qs):
    return qs.filter(state__in=AGREED_STATES, agreed_refund_fen__isnull=False)


def _pct(part, whole) -> float | None:
    return round(part * 100 / whole, 2) if whole else None


def by_shop(cases, shops, start, end) -> list[dict]:
    """Refund rate per shop: paid orders and money against refunded orders and money."""
    paid = dict(
        (r["shop_id"], r)
        for r in Order.objects.filter(shop__in=shops, paid_at__gte=start, paid_at__lt=end, paid_fen__gt=0)
        .values("shop_id")
        .annotate(orders=Count("pk"), money=Sum("paid_fen"))
    )
    refunded = {
        r["shop_id"]: r
        for r in _refunded(cases.filter(order__paid_at__gte=start, order__paid_at__lt=end))
        .values("shop_id")
        .annotate(orders=Count("order_id", distinct=True), money=Sum("agreed_refund_fen"))
    }
    rows = []
    for shop in shops:
        p, r = paid.get(shop.pk, {}), refunded.get(shop.pk, {})
        orders, money = p.get("orders", 0), p.get("money") or 0
        back, back_money = r.get("orders", 0), r.get("money") or 0
        rows.append(
            {
                "shop": shop.name,
                "orders": orders,
                "paid_fen": money,
                "refunded": back,
                "refunded_fen": back_money,
                "rate": _pct(back, orders),
                "money_rate": _pct(back_money, money),
            }
        )
    return rows


def by_product(cases, shops, start, end) -> list[dict]:
    """Refund rate per product (title): refunded pieces / pieces sold, the products with most refunds first."""
    refunded_cases = _refunded(cases.filter(order__paid_at__gte=start, order__paid_at__lt=end))
    back = list(
        CaseLine.objects.filter(case__in=refunded_cases.values("pk"))
        .values("order_line__title")
        .annotate(pieces=Sum("quantity"), cases=Count("case_id", distinct=True))
        .order_by("-pieces", "order_line__title")[:PRODUCTS_SHOWN]
    )
    titles = [r["order_line__title"] for r in back]
    sold = dict(
        OrderLine.objects.filter(
            order__shop__in=shops, order__paid_at__gte=start, order__paid_at__lt=end, title__in=titles
        )
        .values("title")
        .annotate(n=Sum("quantity"))
        .values_list("title", "n")
    )
    return [{"title": r["order_line__title"] or "—", "sold": sold.get(r["order_line__title"], 0),
             "refunded": r["pieces"], "cases": r["cases"],
             "rate": _pct(r["pieces"], sold.get(r["order_line__title"], 0))} for r in back]  # fmt: skip


def by_reason(cases, start, end) -> list[dict]:
    """The cases opened in the period per reason, with the refunds agreed on them and the share of all cases."""
    rows = list(
        cases.filter(created_at__gte=start, created_at__lt=end)
        .values("reason__name")
        .annotate(cases=Count("pk"), refunded_fen=Sum("agreed_refund_fen", filter=Q(state__in=AGREED_STATES)))
        .order_by("-cases", "reason__name")
    )
    total = sum(r["cases"] for r in rows)
    return [{"reason": r["reason__name"] or OTHER_REASON, "cases": r["cases"], "share": _pct(r["cases"], total),
             "refunded_fen": r["refunded_fen"] or 0} for r in rows]  # fmt: skip


def time_to_close(cases, start, end) -> dict:
    """The average hours from opening to closing of the cases closed in the period, overall and per type."""
    took = ExpressionWrapper(F("closed_at") - F("created_at"), output_field=DurationField())
    closed = cases.filter(closed_at__gte=start, closed_at__lt=end)
    rows = list(closed.values("kind").annotate(n=Count("pk"), avg=Avg(took)).order_by("kind"))
    overall = closed.aggregate(n=Count("pk"), avg=Avg(took))

    def hours(value) -> float | None:
        return round(value.total_seconds() / 3600, 1) if value is not None else None

    return {
        "cases": overall["n"],
        "hours": hours(overall["avg"]),
        "kinds": [{"kind": kind_label(r["kind"]), "cases": r["n"], "hours": hours(r["avg"])} for r in rows],
    }


def trend(cases, first: dt.date, days: int, start, end) -> dict:
    """Per Beijing day: cases opened, cases closed, money refunded (agreed on the cases opened that day)."""
    day = TruncDate("created_at", tzinfo=clock.SHANGHAI)
    opened = {
        r["d"]: r
        for r in cases.filter(created_at__gte=start, created_at__lt=end)
        .annotate(d=day)
        .values("d")
        .annotate(n=Count("pk"), money=Sum("agreed_refund_fen", filter=Q(state__in=AGREED_STATES)))
    }
    closed = dict(
        cases.filter(closed_at__gte=start, closed_at__lt=end)
        .annotate(d=TruncDate("closed_at", tzinfo=clock.SHANGHAI))
        .values("d")
        .annotate(n=Count("pk"))
        .values_list("d", "n")
    )
    dates = [first + dt.timedelta(days=i) for i in range(days)]
    return {
        "days": [d.strftime("%m-%d") for d in dates],
        "opened": [opened.get(d, {}).get("n", 0) for d in dates],
        "closed": [closed.get(d, 0) for d in dates],
        "refunded_fen": [opened.get(d, {}).get("money") or 0 for d in dates],
    }


def figures(cases, shops, days) -> dict:
    """Everything the stats page shows for `cases` (already scoped) over the shops and the last `days` days."""
    days, first, start, end = period(days)
    return {
        "days": days,
        "first": first,
        "shops": by_shop(cases, shops, start, end),
        "products": by_product(cases, shops, start, end),
        "reasons": by_reason(cases, start, end),
        "close": time_to_close(cases, start, end),
        "trend": trend(cases, first, days, start, end),
    }
