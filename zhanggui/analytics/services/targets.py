"""Targets (DATA-3): per shop per year, quarter and month for sales (GMV), visitors (UV), conversion, average order
value and repeat-purchase rate (S0: a monthly sales target), and their progress: the share reached, the pace
needed for the rest of the period, behind pace or not.

Stored: sales and AOV in fen, UV a count, conversion and repeat rate in basis points (3.5 % = 350).
Pace: a cumulative measure (sales, UV) is behind when it is under target × days elapsed ÷ days of the period; the
pace needed is what is left ÷ the days left. A rate (conversion, AOV, repeat) is behind when under its target.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from zhanggui.core import clock
from zhanggui.core.bounds import check_between, check_total_fen
from zhanggui.core.errors import DomainError
from zhanggui.core.money import yuan_to_fen

from ..models import Target

M = Target.Measure
LABELS = {M.SALES: "销售额目标", M.UV: "访客数目标", M.CONVERSION: "转化率目标", M.AOV: "客单价目标"}
LABELS |= {M.REPEAT: "复购率目标"}
CUMULATIVE = {M.SALES, M.UV}
PERIOD_LABELS = {"year": "年度", "quarter": "季度", "month": "月度"}


def period_bounds(period: str, day: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day of the year / quarter / month holding `day`."""
    if period == "year":
        return dt.date(day.year, 1, 1), dt.date(day.year, 12, 31)
    if period == "quarter":
        start_month = (day.month - 1) // 3 * 3 + 1
        first = dt.date(day.year, start_month, 1)
    elif period == "month":
        first = day.replace(day=1)
    else:
        raise DomainError("bad_period", "周期应为 年度、季度 或 月度", "period")
    months = 3 if period == "quarter" else 1
    month = first.month - 1 + months
    after = dt.date(first.year + month // 12, month % 12 + 1, 1)
    return first, after - dt.timedelta(days=1)


def _percent_bp(text, label: str, field: str) -> int:
    raw = str(text if text is not None else "").strip().rstrip("%").strip()
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise DomainError("bad_number", f"{label}“{raw[:20]}”不是有效的百分比", field) from None
    if not value.is_finite() or not Decimal(0) < value <= Decimal(100):
        raise DomainError("out_of_range", f"{label}应在 0% 到 100% 之间（现为 {raw[:20]}%）", field)
    return int((value * 100).to_integral_value())


def parse_value(measure: str, text) -> int:
    """The stored value of what a user typed: yuan for sales and AOV, a count for UV, a percentage for conversion
    and repeat rate. −5, 0, 120 % or a sum past the company's money bound → a Chinese DomainError naming the field."""
    label, field = LABELS.get(measure), measure
    if label is None:
        raise DomainError("bad_measure", "未知的目标指标", "measure")
    if measure in (M.SALES, M.AOV):
        try:
            fen = yuan_to_fen(text)
        except DomainError as exc:
            raise DomainError(exc.code, f"{label}：{exc.message}", field) from None
        if fen <= 0:
            raise DomainError("too_small", f"{label}必须大于 0（现为 {text}）", field)
        return check_total_fen(fen, label, field, low=1)
    if measure == M.UV:
        return check_between(text, label, field, low=1, high=1_000_000_000)
    return _percent_bp(text, label, field)


def set_target(actor, shop, period: str, day: dt.date, measure: str, text) -> Target | None:
    """DATA-3: set (or, with a blank value, remove) one target of `shop` for the period holding `day`."""
    first, _last = period_bounds(period, day)
    if str(text if text is not None else "").strip() == "":
        Target.objects.filter(shop=shop, period=period, first_day=first, measure=measure).delete()
        return None
    value = parse_value(measure, text)
    target, _created = Target.objects.update_or_create(
        shop=shop, period=period, first_day=first, measure=measure, defaults={"value": value}
    )
    return target


@dataclass
class Progress:
    period: str
    first: dt.date
    last: dt.date
    measure: str
    target: int
    actual: int | None  # same unit as target; None when unknown (no traffic for conversion)
    share: float | None  # actual ÷ target
    expected: int | None  # where a cumulative measure should be by today
    needed_per_day: int | None  # what is left ÷ days left (cumulative measures)
    behind: bool

    @property
    def label(self) -> str:
        return f"{PERIOD_LABELS[self.period]}{LABELS[self.measure].removesuffix('目标')}"


def _actual(measure: str, figures, repeat_bp: int | None) -> int | None:
    if measure == M.SALES:
        return figures.gmv_fen
    if measure == M.UV:
        return figures.uv
    if measure == M.CONVERSION:
        return None if figures.conversion is None else round(figures.conversion * 10000)
    if measure == M.AOV:
        return figures.aov_fen
    return repeat_bp


def progress(shop_ids, today: dt.date | None = None) -> list[Progress]:
    """DATA-3: the targets of the periods holding today (summed over `shop_ids` for sales and UV; rates shown per
    single shop only), each with its progress up to today."""
    from .. import selectors

    today = today or clock.today()
    shop_ids = list(shop_ids)
    out = []
    for period in ("month", "quarter", "year"):
        first, last = period_bounds(period, today)
        rows = Target.objects.filter(shop_id__in=shop_ids, period=period, first_day=first)
        totals: dict[str, int] = {}
        for row in rows:
            if row.measure in CUMULATIVE or len(shop_ids) == 1:
                totals[row.measure] = totals.get(row.measure, 0) + row.value
        if not totals:
            continue
        figures = selectors.figures(shop_ids, first, today)
        repeat = selectors.repeat_rate(shop_ids, first, today) if M.REPEAT in totals else None
        repeat_bp = None if repeat is None else round(repeat * 10000)
        days, elapsed = (last - first).days + 1, (today - first).days + 1
        for measure in M.values:
            if measure not in totals:
                continue
            target, actual = totals[measure], _actual(measure, figures, repeat_bp)
            expected = needed = None
            if measure in CUMULATIVE:
                actual = actual or 0
                expected = target * elapsed // days
                left_days = days - elapsed
                needed = max(target - actual, 0) // left_days if left_days else max(target - actual, 0)
                behind = actual < expected
            else:
                behind = actual is not None and actual < target
            share = None if actual is None else actual / target
            out.append(Progress(period, first, last, measure, target, actual, share, expected, needed, behind))
    return out


def set_targets(actor, shop, day: dt.date, values: dict) -> int:
    """DATA-3: several targets at once ({(period, measure): text}) — all or nothing: the first bad value is a Chinese
    DomainError naming its field (`<period>-<measure>`) and nothing is changed. Returns the number of targets set."""
    from django.db import transaction

    checked = {}
    for (period, measure), text in values.items():
        if str(text if text is not None else "").strip() == "":
            checked[(period, measure)] = None
            continue
        try:
            checked[(period, measure)] = parse_value(measure, text)
        except DomainError as exc:
            message = f"{PERIOD_LABELS.get(period, '')}{exc.message}"
            raise DomainError(exc.code, message, f"{period}-{measure}") from None
    count = 0
    with transaction.atomic():
        for (period, measure), value in checked.items():
            first, _last = period_bounds(period, day)
            keys = {"shop": shop, "period": period, "first_day": first, "measure": measure}
            if value is None:
                Target.objects.filter(**keys).delete()
            else:
                Target.objects.update_or_create(**keys, defaults={"value": value})
                count += 1
    return count


def current_values(shop, day: dt.date) -> dict:
    """{(period, measure): text as typed} of the shop's targets for the periods holding `day` (the form's values)."""
    out = {}
    for period in ("month", "quarter", "year"):
        first, _last = period_bounds(period, day)
        for row in Target.objects.filter(shop=shop, period=period, first_day=first):
            out[(period, row.measure)] = display_value(row.measure, row.value, plain=True)
    return out


def display_value(measure: str, value: int | None, *, plain: bool = False) -> str:
    """A target or an actual as shown: ¥ for sales and AOV, a count for UV, % for rates."""
    from zhanggui.core.money import format_fen

    if value is None:
        return "—"
    if measure in (M.SALES, M.AOV):
        return f"{value / 100:.2f}" if plain else format_fen(value)
    if measure == M.UV:
        return str(value) if plain else f"{value:,}"
    return f"{value / 100:g}" if plain else f"{value / 100:.2f}%"


def week_target(shop, first: dt.date, last: dt.date) -> dict:
    """DATA-3, DATA-6: the weekly report's target column — the month's targets (of the month holding `first`) in
    the report's keys: sales prorated to the week's days (S0: a monthly sales target), AOV as it is."""
    month_first, month_last = period_bounds("month", first)
    found = dict(
        Target.objects.filter(shop=shop, period="month", first_day=month_first).values_list("measure", "value")
    )
    share = ((last - first).days + 1) / ((month_last - month_first).days + 1)
    out = {}
    if M.SALES in found:
        out["gmv_fen"] = round(found[M.SALES] * share)
    if M.AOV in found:
        out["aov_fen"] = found[M.AOV]
    return out
