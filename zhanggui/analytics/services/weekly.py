"""DATA-6: the weekly report of one shop (Monday to Sunday, Beijing days), for the team and the agency's client.

What a report holds (frozen in WeeklyReport.figures when written; money in fen):
- the week's sales figures (the daily facts) against the week before, and against the target when targets exist;
- the diagnosis in words (DATA-4) when the diagnosis service exists;
- the best and worst products (products.analyse: by GMV; worst = the lowest gross profit among those that sold);
- after-sales: cases opened and closed in the week, refunds agreed on the cases closed in it (AS-5);
- shipping SLA kept: of the packages whose ship-by moment fell in the week (not cancelled), the share shipped
  before it (a package not shipped yet counts as late).

`make_report` is idempotent per shop and week (one row, rewritten); `make_last_week` runs every Monday morning
(CELERY_BEAT_SCHEDULE, and the in-process scheduler under `make run`) for every active shop.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.db.models import F, Q, Sum

from zhanggui.aftersales.models import Case
from zhanggui.core import clock
from zhanggui.fulfilment.models import Package
from zhanggui.shops.models import Shop

from .. import products, selectors
from ..models import WeeklyReport

log = logging.getLogger(__name__)
FIGURES = ("orders", "buyers", "gmv_fen", "refund_fen", "units", "cost_fen", "profit_fen")


def week_of(day: dt.date) -> dt.date:
    """The Monday of the week holding `day`."""
    return day - dt.timedelta(days=day.weekday())


def last_week(today: dt.date | None = None) -> dt.date:
    return week_of(today or clock.today()) - dt.timedelta(days=7)


def _figures(f: selectors.Figures) -> dict:
    out = {name: getattr(f, name) for name in FIGURES}
    out.update(aov_fen=f.aov_fen, margin=f.margin, refund_rate=f.refund_rate)
    return out


def _product(row: products.ProductRow) -> dict:
    return {"style_code": row.style_code, "name": row.name, "units": row.units, "gmv_fen": row.gmv_fen,
            "profit_fen": row.profit_fen, "cover_days": row.cover_days}  # fmt: skip


def _target(shop, first: dt.date, last: dt.date) -> dict:
    """DATA-3: the week's share of the month's targets, in the report's keys (services/targets.week_target)."""
    from .targets import week_target

    return week_target(shop, first, last)


def _diagnosis(shop, first: dt.date, last: dt.date) -> list[str]:
    """DATA-4: the diagnosis sentences of the week (services/diagnosis.diagnose, S1's rules)."""
    from .diagnosis import diagnose

    return [finding.sentence for finding in diagnose(shop, first, last)]


def _aftersales(shop, since: dt.datetime, until: dt.datetime) -> dict:
    cases = Case.objects.filter(shop=shop)
    opened = cases.filter(created_at__gte=since, created_at__lt=until).count()
    closed = cases.filter(closed_at__gte=since, closed_at__lt=until)
    refund = closed.aggregate(n=Sum("agreed_refund_fen"))["n"] or 0
    return {"opened": opened, "closed": closed.count(), "refund_fen": refund}


def _shipping(shop, since: dt.datetime, until: dt.datetime) -> dict:
    due = Package.objects.filter(shop=shop, ship_deadline__gte=since, ship_deadline__lt=until).exclude(
        state=Package.State.CANCELLED
    )
    total = due.count()
    kept = due.filter(Q(shipped_at__isnull=False) & Q(shipped_at__lte=F("ship_deadline"))).count()
    return {"due": total, "kept": kept, "rate": kept / total if total else None}


def compute(shop, week_start: dt.date) -> dict:
    first, last = week_start, week_start + dt.timedelta(days=6)
    before_first, before_last = first - dt.timedelta(days=7), first - dt.timedelta(days=1)
    since, until = clock.local_day_bounds(first)[0], clock.local_day_bounds(last)[1]
    analysis = products.analyse([shop.pk], first, last)
    sold = [r for r in analysis.rows if r.units > 0]
    worst = sorted(sold, key=lambda r: (r.profit_fen, r.gmv_fen, r.style_code))[:5]
    return {
        "shop": shop.code,
        "shop_name": shop.name,
        "week_start": first.isoformat(),
        "week_end": last.isoformat(),
        "current": _figures(selectors.figures([shop.pk], first, last)),
        "previous": _figures(selectors.figures([shop.pk], before_first, before_last)),
        "target": _target(shop, first, last),
        "diagnosis": _diagnosis(shop, first, last),
        "best": [_product(r) for r in analysis.top("gmv_fen", 5) if r.gmv_fen > 0],
        "worst": [_product(r) for r in worst],
        "aftersales": _aftersales(shop, since, until),
        "shipping": _shipping(shop, since, until),
    }


def make_report(shop, week_start: dt.date) -> WeeklyReport:
    """Write (or rewrite) the shop's report of the week starting `week_start` (moved back to its Monday)."""
    week_start = week_of(week_start)
    figures = compute(shop, week_start)
    with transaction.atomic():
        report, _created = WeeklyReport.objects.update_or_create(
            shop=shop, week_start=week_start, defaults={"figures": figures}
        )
    return report


def make_last_week(today: dt.date | None = None, *, only_missing: bool = True) -> list[WeeklyReport]:
    """DATA-6, every Monday morning: last week's report of every active shop. Idempotent: a week already reported
    is left as it is (only_missing), so a second run — or several web processes' schedulers — makes no second row."""
    week = last_week(today)
    made = []
    for shop in Shop.objects.filter(is_active=True).order_by("pk"):
        if only_missing and WeeklyReport.objects.filter(shop=shop, week_start=week).exists():
            continue
        made.append(make_report(shop, week))
    return made
