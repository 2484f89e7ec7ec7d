"""SHIP-2 / ORD-9: the hard ship deadline and "超时未发货" (overdue) — ONE definition, used by the order list's tab, the
home page's queue count and the at-risk page (fulfilment.services.sla), so they never disagree.

* The 24-hour target is the warehouse's ship run (fulfilment.services.sla.deadline_from: paid before the cutoff on
  a business day ships that day, else the next business day, never after the hard deadline).
* The hard deadline: ``orders.ship_within_hours`` (48 h) after payment; an order paid on a named big-promotion day
  (``fulfilment.promotion_days``) gets ``fulfilment.promotion_extra_hours`` (24 h) more — SHIP-2 "除有活动的订单较多的
  情况外". The promotion settings sit on the shipping settings page and are read here by key: the deadline is one
  rule of the order, below every app that shows it.
* 超时未发货: paid, not shipped (a partly shipped order has left the warehouse), and past its hard deadline.
  `overdue_q` says it as one database condition; `is_overdue` says the same for one order in Python.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q

from zhanggui.core import clock
from zhanggui.core.registry import get_definition

from ..models import Order

State = Order.State
SHIP_WITHIN_KEY = "orders.ship_within_hours"
PROMOTION_DAYS_KEY = "fulfilment.promotion_days"
PROMOTION_EXTRA_KEY = "fulfilment.promotion_extra_hours"
KEYS = (SHIP_WITHIN_KEY, PROMOTION_DAYS_KEY, PROMOTION_EXTRA_KEY)
# ORD-9 overdue: paid but not yet shipped (a partly shipped order has left the warehouse, so it is not overdue).
UNSHIPPED_PAID = [State.TO_REVIEW, State.APPROVED, State.TO_SHIP, State.ON_HOLD]


def promotion_day(day: dt.date, spec: str) -> bool:
    """Is `day` one of the named promotion days ("11-11,12-12" every year, or "2026-11-11" once)?"""
    for part in (spec or "").replace("，", ",").split(","):
        text = part.strip()
        if not text:
            continue
        if text.count("-") == 2 and text == day.isoformat():
            return True
        if text.count("-") == 1:
            month, _, dom = text.partition("-")
            if month.isdigit() and dom.isdigit() and (int(month), int(dom)) == (day.month, day.day):
                return True
    return False


def _terms(settings: dict) -> tuple[int, str, int]:
    """(hours, promotion days, extra hours) of a shop's settings (missing keys: the documented defaults)."""
    values = [settings.get(key, get_definition(key).default) for key in KEYS]
    return int(values[0]), str(values[1] or ""), int(values[2] or 0)


def hard_deadline(settings: dict, paid_at: dt.datetime) -> dt.datetime:
    """SHIP-2: the moment (UTC) after which goods paid at `paid_at` are 超时未发货, under a shop's settings."""
    hours, spec, extra = _terms(settings)
    if promotion_day(clock.local(paid_at).date(), spec):
        hours += extra
    return (paid_at + dt.timedelta(hours=hours)).astimezone(dt.UTC)


def is_overdue(order: Order, settings: dict, now: dt.datetime) -> bool:
    """The one definition for one order (the same as `overdue_q`)."""
    return bool(order.state in UNSHIPPED_PAID and order.paid_at and hard_deadline(settings, order.paid_at) < now)


def format_left(seconds: int) -> str:
    """'剩余 3 小时 12 分' or '已超时 2 小时 5 分' (SHIP-2): the one wording of a deadline's time left."""
    minutes = abs(int(seconds)) // 60
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = ([f"{days} 天"] if days else []) + ([f"{hours} 小时"] if hours or days else []) + [f"{mins} 分"]
    return ("已超时 " if seconds < 0 else "剩余 ") + " ".join(parts)


@dataclass(frozen=True)
class ShipDeadline:
    """SHIP-2 of one paid, unshipped order: its hard deadline and the time left (negative: 超时未发货)."""

    at: dt.datetime
    seconds_left: int

    @property
    def overdue(self) -> bool:
        return self.seconds_left < 0

    @property
    def left(self) -> str:
        return format_left(self.seconds_left)


def ship_deadline(order: Order, settings: dict, now: dt.datetime | None = None) -> ShipDeadline | None:
    """SHIP-2 for the order page: the hard deadline while the order is paid and not shipped, else None (the same
    condition as `is_overdue`)."""
    if order.state not in UNSHIPPED_PAID or not order.paid_at:
        return None
    at = hard_deadline(settings, order.paid_at)
    return ShipDeadline(at, int((at - (now or clock.now())).total_seconds()))


def _late(hours: int, spec: str, extra: int, now: dt.datetime) -> Q:
    """Paid before the hard deadline of these settings passed: paid_at + hours (+ extra on a promotion day) < now."""
    limit = now - dt.timedelta(hours=hours)
    cond = Q(paid_at__lt=limit)
    if spec and extra > 0:  # orders paid on a promotion day inside the extra window are not late yet
        earliest = limit - dt.timedelta(hours=extra)
        day, last = clock.local(earliest).date(), clock.local(limit).date()
        while day <= last:
            if promotion_day(day, spec):
                start, end = clock.local_day_bounds(day)
                cond &= ~Q(paid_at__gte=max(start, earliest), paid_at__lt=end)
            day += dt.timedelta(days=1)
    return cond


def overdue_q(now: dt.datetime | None = None) -> Q:
    """超时未发货 as one condition on orders. One term per distinct combination of the three settings — shops left
    at the defaults are "every shop without a stored value", so the condition does not depend on the shop scope and
    stays a handful of terms."""
    from zhanggui.shops.models import ShopSettingValue

    now = now or clock.now()
    stored: dict[int, dict] = {}
    for shop_id, key, value in ShopSettingValue.objects.filter(key__in=KEYS).values_list("shop_id", "key", "value"):
        stored.setdefault(shop_id, {})[key] = value
    groups: dict[tuple[int, str, int], list[int]] = {}
    for shop_id, values in stored.items():
        groups.setdefault(_terms(values), []).append(shop_id)
    cond = _late(*_terms({}), now) & ~Q(shop_id__in=list(stored))
    for terms, ids in sorted(groups.items()):
        cond |= Q(shop_id__in=ids) & _late(*terms, now)
    return Q(state__in=UNSHIPPED_PAID) & cond


def overdue_orders(shops, now: dt.datetime | None = None):
    """The orders of `shops` that are 超时未发货 now: the one query behind every count of them."""
    return Order.objects.filter(shop__in=shops).filter(overdue_q(now))
