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
* The 24-hour promise of SHIP-2 is kept by the cutoff rule itself (a separate hour count would only disagree with it):
  this deadline is the 24-hour TARGET. The HARD deadline and "超时未发货" are orders.services.deadlines (one
  definition for the order list, the home page and this queue).

The at-risk queue lists open packages and paid, unshipped orders without a package whose target falls within
``fulfilment.at_risk_hours`` from now or has passed — all of them, grouped by shop; in each shop the ones still
on time come first (the least time left at the top), then those past the target, then the overdue ones. Missing
goods create one CS task per order (orders.services.stockout).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse

from zhanggui.core import clock
from zhanggui.orders.models import Order
from zhanggui.orders.services import deadlines
from zhanggui.orders.services.deadlines import format_left, promotion_day  # format_left: the one SHIP-2 wording
from zhanggui.shops.settings_store import get_settings, settings_for

from ..models import Package, PackageLine, PackageOrder

END_OF_DAY = dt.time(23, 59, 59)
OPEN_STATES = (Package.State.TO_PRINT, Package.State.PRINTED, Package.State.PACKED)


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


SOON, LATE, OVERDUE = "soon", "late", "overdue"  # before the target; past the target; past the hard deadline


@dataclass
class AtRisk:
    kind: str  # "package" | "order"
    shop: object
    number: str  # package number or platform order number
    order: Order
    state: str
    deadline: dt.datetime  # SHIP-2 24-hour target (the ship run)
    hard_deadline: dt.datetime  # SHIP-2 never later than (48 h; promotion days longer)
    seconds_left: int  # to the target; negative: past it
    hard_seconds_left: int  # to the hard deadline
    overdue: bool  # 超时未发货 (orders.services.deadlines.is_overdue: the order list's definition)
    obj: object = None

    @property
    def status(self) -> str:
        return OVERDUE if self.overdue else LATE if self.seconds_left < 0 else SOON

    @property
    def time_left(self) -> str:
        return format_left(self.seconds_left)

    @property
    def hard_time_left(self) -> str:
        return format_left(self.hard_seconds_left)

    @property
    def url(self) -> str:
        return reverse("orders:detail", args=[self.order.pk])


def _row(kind, shop, number, order, state, target, settings, now, obj) -> AtRisk:
    paid_at = order.paid_at or getattr(obj, "paid_at", None) or now
    hard = deadlines.hard_deadline(settings, paid_at)
    left, hard_left = int((target - now).total_seconds()), int((hard - now).total_seconds())
    overdue = deadlines.is_overdue(order, settings, now)
    return AtRisk(kind, shop, number, order, state, target, hard, left, hard_left, overdue, obj)


def _rank(row: AtRisk) -> tuple:
    """Within a shop: on time first, least time left at the top (an hour left is never pages away behind a backlog
    of late parcels), then past the target, then overdue (most overdue first)."""
    return ({SOON: 0, LATE: 1, OVERDUE: 2}[row.status], row.deadline, row.number)


def _within(field: str, horizons: dict[int, dt.datetime]) -> Q:
    """`field` at or before its shop's horizon, one term per distinct horizon (shops share the default)."""
    by_horizon: dict[dt.datetime, list[int]] = {}
    for shop_id, horizon in horizons.items():
        by_horizon.setdefault(horizon, []).append(shop_id)
    cond = Q(pk__in=[])
    for horizon, ids in sorted(by_horizon.items()):
        cond |= Q(shop_id__in=ids, **{f"{field}__lte": horizon})
    return cond


def at_risk(shops, now: dt.datetime | None = None) -> list[AtRisk]:
    """SHIP-2: EVERY package still in the warehouse and paid, unshipped order without a package whose 24-hour target
    is within the shop's warning window or past, or which is 超时未发货 — grouped by shop (in the order given), each
    shop ranked by `_rank`. A fixed number of queries whatever the number of shops (the home page and the at-risk
    page cover every shop in view); pages show it a page at a time."""
    from zhanggui.orders.services.states import state_label as order_state_label

    from .packages import state_label

    now = now or clock.now()
    shops = list(shops)
    if not shops:
        return []
    settings = settings_for(shops)
    horizons = {s.pk: now + dt.timedelta(hours=int(settings[s.pk]["fulfilment.at_risk_hours"])) for s in shops}
    by_id = {s.pk: s for s in shops}
    shop_rows: dict[int, list[AtRisk]] = {s.pk: [] for s in shops}
    late_orders = deadlines.overdue_orders(shops, now).values("pk")
    packages = Package.objects.filter(shop__in=shops, state__in=OPEN_STATES).filter(
        _within("ship_deadline", horizons) | Q(order__in=late_orders)
    )
    for p in packages.select_related("order"):
        shop = by_id[p.shop_id]
        shop_rows[p.shop_id].append(
            _row("package", shop, p.package_no, p.order, state_label(p.state), p.ship_deadline or now,
                 settings[p.shop_id], now, p)
        )  # fmt: skip
    # Orders without an open package: their target is computed from paid_at (not stored on the order).
    has_package = Exists(
        PackageOrder.objects.filter(order=OuterRef("pk"), package__state__in=[*OPEN_STATES, "shipped", "signed"])
    )
    orders = (
        Order.objects.filter(shop__in=shops, state__in=deadlines.UNSHIPPED_PAID, paid_at__isnull=False)
        .filter(_within("paid_at", horizons))  # a deadline never comes before payment
        .exclude(has_package)
    )
    for o in orders:
        shop, shop_settings = by_id[o.shop_id], settings[o.shop_id]
        row = _row("order", shop, o.platform_order_no, o, order_state_label(o.state),
                   deadline_from(shop_settings, o.paid_at), shop_settings, now, o)  # fmt: skip
        if row.deadline <= horizons[o.shop_id] or row.overdue:
            shop_rows[o.shop_id].append(row)
    return [row for s in shops for row in sorted(shop_rows[s.pk], key=_rank)]


def shop_summary(rows: list[AtRisk]) -> list[dict]:
    """Per shop of the queue: how many are on time / past the target / overdue, and the least time left of those
    still on time (SHIP-2: seen before they miss, whatever page the list is on)."""
    found: dict[int, dict] = {}
    for r in rows:
        entry = found.setdefault(r.shop.pk, {"shop": r.shop, SOON: 0, LATE: 0, OVERDUE: 0, "next": None})
        entry[r.status] += 1
        if r.status == SOON and (entry["next"] is None or r.seconds_left < entry["next"].seconds_left):
            entry["next"] = r
    return list(found.values())


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
