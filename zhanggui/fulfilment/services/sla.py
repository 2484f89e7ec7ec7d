"""SHIP-2: when a package must leave the warehouse, which ones are about to miss it, and missing goods.

The ship deadline (all figures are shop settings, days from the Chinese business calendar in core.clock):

* The warehouse ships once a day. Paid on a business day before ``fulfilment.same_day_cutoff`` (16:00 Beijing)
  → the ship day is that day; otherwise → the next business day. The deadline is the END of the ship day
  (23:59:59 Beijing: the day's ship run, whenever the courier collects).
* Never later than ``orders.ship_within_hours`` (48 h) after payment: the platforms count calendar hours, so the
  limit wins over the shop's days off (paid Friday 17:00 → due Sunday 17:00, not Monday).
* Paid on a named big-promotion day (``fulfilment.promotion_days``: "11-11,12-12" or "2026-11-11"): the 48-hour
  limit is lifted — the deadline is payment + 48 h + ``fulfilment.promotion_extra_hours`` (24 h), with no cutoff
  rule (the backlog is expected).
* The 24-hour promise of SHIP-2 is kept by the cutoff rule itself (a separate hour count would only disagree with it).

The at-risk queue lists open packages and reviewed / to-review orders without a package whose deadline falls
within ``fulfilment.at_risk_hours`` from now, or has passed. Missing goods create one CS task per order.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse

from zhanggui.core import clock
from zhanggui.orders.models import Order
from zhanggui.shops.settings_store import get_settings

from ..models import Package, PackageLine, PackageOrder

END_OF_DAY = dt.time(23, 59, 59)
OPEN_STATES = (Package.State.TO_PRINT, Package.State.PRINTED, Package.State.PACKED)
WAITING_ORDER_STATES = (Order.State.TO_REVIEW, Order.State.APPROVED)


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


def _cutoff(value) -> dt.time:
    return value if isinstance(value, dt.time) else dt.time.fromisoformat(str(value or "16:00"))


def deadline_from(settings: dict, paid_at: dt.datetime) -> dt.datetime:
    """The ship deadline (UTC) of goods paid at `paid_at`, under a shop's settings (dict from get_settings)."""
    paid_local = clock.local(paid_at)
    limit = dt.timedelta(hours=int(settings["orders.ship_within_hours"]))
    if promotion_day(paid_local.date(), settings.get("fulfilment.promotion_days", "")):
        # SHIP-2: "除有活动的订单较多的情况外" — the 48-hour limit is lifted on big-promotion days
        extra = dt.timedelta(hours=int(settings.get("fulfilment.promotion_extra_hours", 24)))
        return (paid_at + limit + extra).astimezone(dt.UTC)
    cutoff = _cutoff(settings["fulfilment.same_day_cutoff"])
    day = paid_local.date()
    if clock.is_business_day(day) and paid_local.time() < cutoff:
        ship_day = day  # SHIP-2: paid before 16:00 ships today
    else:
        ship_day = clock.business_day_on_or_after(day + dt.timedelta(days=1))
    end_of_run = clock.at_local(ship_day, END_OF_DAY)
    return min(end_of_run, paid_at + limit).astimezone(dt.UTC)  # SHIP-2: never later than 48 h


def ship_deadline(shop, paid_at: dt.datetime) -> dt.datetime:
    """SHIP-2: the moment (UTC) by which goods of `shop` paid at `paid_at` must have shipped."""
    return deadline_from(get_settings(shop), paid_at)


def refresh_deadlines(actor, shop) -> int:
    """Recompute the deadlines of the shop's open packages after its settings changed; how many changed."""
    settings = get_settings(shop)
    changed = []
    with transaction.atomic():
        qs = Package.objects.select_for_update().filter(shop=shop, state__in=OPEN_STATES, paid_at__isnull=False)
        for package in qs:
            new = deadline_from(settings, package.paid_at)
            if package.ship_deadline != new:
                package.ship_deadline = new
                changed.append(package)
        Package.objects.bulk_update(changed, ["ship_deadline"], batch_size=500)
    return len(changed)


# ---- the at-risk queue ------------------------------------------------------------------------------------------


@dataclass
class AtRisk:
    kind: str  # "package" | "order"
    shop: object
    number: str  # package number or platform order number
    order: Order
    state: str
    deadline: dt.datetime
    seconds_left: int  # negative: overdue
    url: str
    obj: object = None

    @property
    def overdue(self) -> bool:
        return self.seconds_left < 0

    @property
    def time_left(self) -> str:
        return format_left(self.seconds_left)


def format_left(seconds: int) -> str:
    """'剩余 3 小时 12 分' or '已超时 2 小时 5 分' (SHIP-2)."""
    minutes = abs(int(seconds)) // 60
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = ([f"{days} 天"] if days else []) + ([f"{hours} 小时"] if hours or days else []) + [f"{mins} 分"]
    return ("已超时 " if seconds < 0 else "剩余 ") + " ".join(parts)


def at_risk(shops, now: dt.datetime | None = None, limit: int = 500) -> list[AtRisk]:
    """SHIP-2: packages still in the warehouse and orders waiting for review or a package, whose deadline is within
    each shop's warning window or already past; most urgent first. One query per shop plus two."""
    from zhanggui.orders.services.states import state_label as order_state_label

    from .packages import state_label

    now = now or clock.now()
    rows: list[AtRisk] = []
    for shop in shops:
        settings = get_settings(shop)
        horizon = now + dt.timedelta(hours=int(settings["fulfilment.at_risk_hours"]))
        packages = (
            Package.objects.filter(shop=shop, state__in=OPEN_STATES, ship_deadline__lte=horizon)
            .select_related("order")
            .order_by("ship_deadline", "id")[:limit]
        )
        for p in packages:
            rows.append(
                AtRisk(
                    "package", shop, p.package_no, p.order, state_label(p.state), p.ship_deadline,
                    int((p.ship_deadline - now).total_seconds()), reverse("orders:detail", args=[p.order_id]), p,
                )
            )  # fmt: skip
        # Orders without an open package: their deadline is computed from paid_at (not stored on the order).
        has_package = Exists(
            PackageOrder.objects.filter(order=OuterRef("pk"), package__state__in=[*OPEN_STATES, "shipped", "signed"])
        )
        orders = (
            Order.objects.filter(shop=shop, state__in=WAITING_ORDER_STATES, paid_at__isnull=False)
            .filter(paid_at__lte=horizon)  # a deadline never comes before payment
            .exclude(has_package)
            .order_by("paid_at", "id")[:limit]
        )
        for o in orders:
            deadline = deadline_from(settings, o.paid_at)
            if deadline <= horizon:
                rows.append(
                    AtRisk(
                        "order", shop, o.platform_order_no, o, order_state_label(o.state), deadline,
                        int((deadline - now).total_seconds()), reverse("orders:detail", args=[o.pk]), o,
                    )
                )  # fmt: skip
    rows.sort(key=lambda r: (r.deadline, r.number))
    return rows[:limit]


# ---- missing goods ----------------------------------------------------------------------------------------------


def _short_orders(shop) -> list[Order]:
    """Orders of `shop` that cannot ship because goods are missing (SHIP-2): flagged out of stock (ORD-9), or in an
    open package with a line whose SKU has less available than the line needs and the order holds no reservation."""
    from zhanggui.inventory.models import Reservation
    from zhanggui.inventory.services.stock import available_by_sku

    found = {
        o.pk: o
        for o in Order.objects.filter(shop=shop, exc_out_of_stock=True).exclude(
            state__in=[Order.State.CLOSED, Order.State.SHIPPED, Order.State.SIGNED, Order.State.COMPLETED]
        )
    }
    lines = list(
        PackageLine.objects.filter(package__shop=shop, package__state__in=OPEN_STATES, sku__isnull=False)
        .select_related("order_line__order")
        .only("sku_id", "quantity", "verified_qty", "order_line__order")
    )
    if lines:
        references = {f"order:{line.order_line.order_id}" for line in lines}
        reserved = set(
            Reservation.objects.filter(reference__in=references, state=Reservation.State.OPEN).values_list(
                "reference", flat=True
            )
        )
        available = available_by_sku([line.sku_id for line in lines])
        for line in lines:
            order = line.order_line.order
            if f"order:{order.pk}" in reserved:
                continue
            if available.get(line.sku_id, 0) < line.quantity - line.verified_qty:
                found.setdefault(order.pk, order)
    return sorted(found.values(), key=lambda o: o.pk)


def flag_missing_goods(actor, shop) -> list:
    """SHIP-2: one task for the owner of the out-of-stock duty per order that cannot ship for missing goods —
    contact the buyer about an exchange or a refund (orders.services.stockout: source "missing:<order id>", never
    created twice; an order entering the out-of-stock queue was already tasked then). Returns the new tasks."""
    from zhanggui.orders.services.stockout import tell_customer_service

    return tell_customer_service(actor, _short_orders(shop))
