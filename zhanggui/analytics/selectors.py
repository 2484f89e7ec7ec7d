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

from .models import ShopDayFact, ShopDayTraffic

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
    uv: int | None = None  # DATA-1 traffic: None while no day of the range has traffic recorded
    pv: int | None = None

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
    result = Figures(**{name: row[name] or 0 for name in SUMS})
    seen = traffic_sums(shop_ids, first, last)
    if seen["days"]:
        result.uv, result.pv = seen["uv"], seen["pv"]
    return result


def daily(shop_ids, first: dt.date, last: dt.date) -> list[tuple[dt.date, Figures]]:
    """Every day of [first, last] with its figures (days without sales are zeros) — one grouped query."""
    rows = _facts(shop_ids, first, last).values("day").annotate(**{f"s_{n}": Sum(n) for n in SUMS}).order_by("day")
    found = {r["day"]: Figures(**{n: r[f"s_{n}"] or 0 for n in SUMS}) for r in rows}
    visits = _traffic(shop_ids, first, last).values("day").annotate(s_uv=Sum("uv"), s_pv=Sum("pv"))
    for r in visits:
        cell = found.setdefault(r["day"], Figures())
        cell.uv, cell.pv = r["s_uv"], r["s_pv"]
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


# ---------------------------------------------------------------- traffic (DATA-1)

TRAFFIC_SUMS = ("pv", "uv", "search", "free", "direct", "paid", "other")


def _traffic(shop_ids, first: dt.date, last: dt.date):
    return ShopDayTraffic.objects.filter(shop_id__in=list(shop_ids), day__gte=first, day__lte=last)


def traffic_sums(shop_ids, first: dt.date, last: dt.date) -> dict:
    """Sums of the traffic over [first, last]; `days` = days with traffic recorded; stay and returning rate
    weighted by UV (one query)."""
    from django.db.models import BigIntegerField, Count, F
    from django.db.models.functions import Cast

    wide = BigIntegerField()  # seconds × visitors passes a 32-bit integer on PostgreSQL
    row = _traffic(shop_ids, first, last).aggregate(
        days=Count("id"),
        stay_w=Sum(Cast("stay_seconds", wide) * F("uv"), output_field=wide),
        ret_w=Sum(Cast("returning_permille", wide) * F("uv"), output_field=wide),
        **{n: Sum(n) for n in TRAFFIC_SUMS},
    )
    out = {n: row[n] or 0 for n in TRAFFIC_SUMS}
    out["days"] = row["days"] or 0
    out["stay_seconds"] = (row["stay_w"] or 0) / out["uv"] if out["uv"] else None
    out["returning"] = (row["ret_w"] or 0) / out["uv"] / 1000 if out["uv"] else None
    out["pages_per_visit"] = out["pv"] / out["uv"] if out["uv"] else None
    sources = sum(out[n] for n in ShopDayTraffic.SOURCES)
    out["sources"] = sources
    out["shares"] = {n: (out[n] / sources if sources else None) for n in ShopDayTraffic.SOURCES}
    return out


def traffic_days(shop_ids, first: dt.date, last: dt.date) -> list[ShopDayTraffic]:
    return list(_traffic(shop_ids, first, last).select_related("shop").order_by("-day", "shop_id"))


def repeat_rate(shop_ids, first: dt.date, last: dt.date) -> float | None:
    """Repeat-purchase rate (DATA-2/DATA-3): the share of the buyers who paid in [first, last] who had paid an order
    of the same shops before `first`. None without buyers."""
    from zhanggui.core.clock import local_day_bounds as day_bounds
    from zhanggui.orders.models import Order

    start, _x = day_bounds(first)
    _y, end = day_bounds(last)
    base = Order.objects.filter(shop_id__in=list(shop_ids), paid_at__isnull=False).exclude(buyer_nick="")
    buyers = set(base.filter(paid_at__gte=start, paid_at__lt=end).values_list("buyer_nick", flat=True).distinct())
    if not buyers:
        return None
    before = base.filter(paid_at__lt=start, buyer_nick__in=buyers).values("buyer_nick").distinct().count()
    return before / len(buyers)
