"""What the dashboard reads (DATA-2): the daily facts of a set of shops over a date range and the period before it,
summed — one grouped query per period and one for the daily trend, never the orders (services/facts.py keeps
the facts current and says what each figure counts).

- 客单价 (AOV) = GMV ÷ buyers (生意参谋: 支付金额 ÷ 支付买家数); buyers over a range are the days' buyers added up
  (a buyer who paid on two days counts on each).
- Refund rate = refunds ÷ GMV; margin = gross profit ÷ GMV.
- Conversion needs visitors (UV, DATA-1): None until traffic is recorded.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Sum

from zhanggui.core import clock

from .models import ShopDayFact

MAX_DAYS = 366  # one range on the dashboard: a year at most
SUMS = ("orders", "buyers", "gmv_fen", "discount_fen", "refund_fen", "refunded_orders", "units", "uncosted_units")
SUMS += ("cost_fen", "profit_fen")


@dataclass
class Figures:
    orders: int = 0
    buyers: int = 0
    gmv_fen: int = 0
    discount_fen: int = 0
    refund_fen: int = 0
    refunded_orders: int = 0
    units: int = 0
    uncosted_units: int = 0
    cost_fen: int = 0
    profit_fen: int = 0
    uv: int | None = None  # DATA-1 traffic: not recorded yet

    @property
    def aov_fen(self) -> int | None:
        return self.gmv_fen // self.buyers if self.buyers else None

    @property
    def refund_rate(self) -> float | None:
        return self.refund_fen / self.gmv_fen if self.gmv_fen else None

    @property
    def margin(self) -> float | None:
        return self.profit_fen / self.gmv_fen if self.gmv_fen else None

    @property
    def conversion(self) -> float | None:
        return self.orders / self.uv if self.uv else None


@dataclass
class Dashboard:
    first: dt.date
    last: dt.date
    previous_first: dt.date
    previous_last: dt.date
    current: Figures
    previous: Figures
    daily: list[tuple[dt.date, Figures]] = field(default_factory=list)


def previous_period(first: dt.date, last: dt.date) -> tuple[dt.date, dt.date]:
    """The period of the same length just before [first, last]."""
    length = (last - first).days + 1
    return first - dt.timedelta(days=length), first - dt.timedelta(days=1)


def default_range(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The last 30 days up to today (Beijing)."""
    today = today or clock.today()
    return today - dt.timedelta(days=29), today


def _facts(shop_ids, first: dt.date, last: dt.date):
    return ShopDayFact.objects.filter(shop_id__in=list(shop_ids), day__gte=first, day__lte=last)


def figures(shop_ids, first: dt.date, last: dt.date) -> Figures:
    """The sums over `shop_ids` and [first, last] (one query)."""
    row = _facts(shop_ids, first, last).aggregate(**{name: Sum(name) for name in SUMS})
    return Figures(**{name: row[name] or 0 for name in SUMS})


def daily(shop_ids, first: dt.date, last: dt.date) -> list[tuple[dt.date, Figures]]:
    """Every day of [first, last] with its figures (days without sales are zeros) — one grouped query."""
    rows = _facts(shop_ids, first, last).values("day").annotate(**{f"s_{n}": Sum(n) for n in SUMS}).order_by("day")
    found = {r["day"]: Figures(**{n: r[f"s_{n}"] or 0 for n in SUMS}) for r in rows}
    days = (last - first).days + 1
    return [(d, found.get(d) or Figures()) for d in (first + dt.timedelta(days=k) for k in range(days))]


def dashboard(shop_ids, first: dt.date, last: dt.date) -> Dashboard:
    shop_ids = list(shop_ids)
    before_first, before_last = previous_period(first, last)
    return Dashboard(
        first=first,
        last=last,
        previous_first=before_first,
        previous_last=before_last,
        current=figures(shop_ids, first, last),
        previous=figures(shop_ids, before_first, before_last),
        daily=daily(shop_ids, first, last),
    )


def parse_range(start, end, today: dt.date | None = None) -> tuple[dt.date, dt.date, str, str]:
    """(first, last, problem, field) from the `from` / `to` of a page or API call: blank → the default range; a bad
    date, a start after the end or a range over MAX_DAYS → the default range and the Chinese problem naming it."""
    first, last = default_range(today)
    picked = []
    for value, name, fallback in ((start, "from", first), (end, "to", last)):
        text = str(value or "").strip()
        if not text:
            picked.append(fallback)
            continue
        try:
            picked.append(dt.date.fromisoformat(text[:10]) if len(text) <= 10 else None)
        except ValueError:
            picked.append(None)
        if picked[-1] is None:
            label = "开始日期" if name == "from" else "结束日期"
            return first, last, f"{label}“{text[:20]}”无效，请按 年-月-日 填写", name
    if picked[0] > picked[1]:
        return first, last, "开始日期晚于结束日期", "from"
    if (picked[1] - picked[0]).days + 1 > MAX_DAYS:
        return first, last, f"日期范围最长 {MAX_DAYS} 天", "from"
    return picked[0], picked[1], "", ""
