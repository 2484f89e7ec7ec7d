"""Daily sales facts kept current from the orders (DATA-2, FIN-1): per shop and day, per shop, day and SKU.

Definitions (as 生意参谋 counts 支付金额 / 支付买家数):
- An order counts once it is paid (`paid_at` set), on its **paid day** in Beijing time (core.clock): an order
  closed before payment never counts; an order paid and later refunded or closed still counts on its paid day.
- GMV = the orders' paid amount (`paid_fen`, postage included, after discounts), not net of refunds; discounts =
  `discount_fen`. Refunds = `refund_fen`; a paid order that is closed counts as refunded in full (the platforms
  close a paid order only when all of it was refunded) — so a closure moves its day's refunds. The refund
  figures come from the orders' `refund_fen` (the export, later the after-sales cases writing it).
- Buyers = distinct buyers of the day (buyer nick; an order without a nick is a buyer of its own).
- Units and cost of goods: the lines of the paid orders not closed (a closed order's goods did not stay sold).
  Cost (FIN-1) = units × the SKU's cost **at the time of sale**: a (shop, day, SKU) cell keeps the unit cost it
  was first written with (`SkuDayFact.unit_cost_fen`, taken from catalog.Sku.cost_fen then); a later change of
  the SKU's cost does not rewrite past days. Lines without a SKU, or of a SKU without cost, are `uncosted_units`.
- SKU cells: orders with the SKU, units, the lines' paid share (their `paid_fen`, else unit price × quantity),
  refunds = the paid share of closed orders (a partial refund of an open order is not split over its lines: it
  stays at the shop level), cost, gross profit. Gross profit = GMV − refunds − cost of goods.

Kept current (never a full rescan): the cells an event touches are recomputed from the orders with one grouped
query per table restricted to those (shop, day) keys, then replaced (delete + insert), after the change commits,
under a per-shop lock on PostgreSQL — so two changes at once both end in a recomputation that sees them both.
- OrdersImported carries the paid days (old and new) of the orders the run created or changed;
- OrdersMoved: created, paid and closed orders (an import's own moves are covered by its OrdersImported);
- OrderEdited: line edits (quantity, SKU) of a paid order.
`verify()` recomputes everything from the orders and lists the differences (`zhanggui facts-verify`); `rebuild()`
fills every shop (`zhanggui facts-rebuild`, the demo)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Case, CharField, Count, F, Q, Sum, Value, When
from django.db.models.functions import Cast, Concat, Greatest, TruncDate

from zhanggui.catalog.models import Sku
from zhanggui.core import clock
from zhanggui.core.domain_events import OrderEdited, OrdersImported, OrdersMoved, subscribe
from zhanggui.orders.models import Order, OrderLine
from zhanggui.orders.services.imports import copy_rows
from zhanggui.shops.models import Shop

from ..models import ShopDayFact, SkuDayFact

CLOSED = Order.State.CLOSED
SHOP_FIELDS = (
    "orders", "buyers", "gmv_fen", "discount_fen", "refund_fen", "refunded_orders", "units", "uncosted_units",
    "cost_fen", "profit_fen",
)  # fmt: skip
SKU_FIELDS = ("orders", "units", "gmv_fen", "refund_fen", "unit_cost_fen", "cost_fen", "profit_fen")
_LOCK_KEY = 7_319_001  # pg_advisory_xact_lock(key, shop id): one recomputation of a shop's facts at a time


def day_of(moment: dt.datetime) -> dt.date:
    """The Beijing day of a moment (the day an order paid then counts on)."""
    return clock.local(moment).date()


# ---------------------------------------------------------------------------------------------------------------
# Recomputation from the orders
# ---------------------------------------------------------------------------------------------------------------


def _runs(days: list[dt.date]) -> list[tuple[dt.date, dt.date]]:
    """Sorted days as contiguous runs [(first, last)]: one paid-time range each in the queries."""
    runs: list[list[dt.date]] = []
    for day in days:
        if runs and (day - runs[-1][1]).days == 1:
            runs[-1][1] = day
        else:
            runs.append([day, day])
    return [(a, b) for a, b in runs]


def _paid_in(days: list[dt.date] | None, prefix: str = "") -> Q:
    cond = Q(**{f"{prefix}paid_at__isnull": False})
    if days is None:
        return cond
    ranges = Q()
    for first, last in _runs(days):
        start, end = clock.local_day_bounds(first)[0], clock.local_day_bounds(last)[1]
        ranges |= Q(**{f"{prefix}paid_at__gte": start, f"{prefix}paid_at__lt": end})
    return cond & ranges


_BUYER = Case(When(buyer_nick="", then=Concat(Value("#"), Cast("pk", CharField()))), default=F("buyer_nick"))
_LINE_PAID = Case(When(paid_fen__gt=0, then=F("paid_fen")), default=F("unit_price_fen") * F("quantity"))


@dataclass
class Computed:
    """The cells of one shop as the orders say: {day: {field: value}}, {(day, sku id): {field: value}}."""

    shop: dict[dt.date, dict] = field(default_factory=dict)
    sku: dict[tuple[dt.date, int], dict] = field(default_factory=dict)


def compute(shop_id: int, days: list[dt.date] | None, unit_costs: dict[tuple[dt.date, int], int]) -> Computed:
    """The facts of `shop_id` on `days` (None: every day) from its orders — two grouped queries and one for the
    costs of SKUs first sold on a day. `unit_costs`: {(day, sku): unit cost} of the cells already written (FIN-1:
    they keep it); other cells take the SKU's cost now."""
    refund = Case(When(state=CLOSED, then=Greatest("refund_fen", "paid_fen")), default=F("refund_fen"))
    orders = (
        Order.objects.filter(_paid_in(days), shop_id=shop_id)
        .annotate(day=TruncDate("paid_at", tzinfo=clock.SHANGHAI), refund=refund)
        .values("day")
        .annotate(
            n=Count("pk"),
            buyers=Count(_BUYER, distinct=True),
            gmv=Sum("paid_fen"),
            discount=Sum("discount_fen"),
            refunds=Sum("refund"),
            refunded=Count("pk", filter=Q(refund__gt=0)),
        )
        .order_by()
    )
    out = Computed()
    for row in orders:
        out.shop[row["day"]] = {
            "orders": row["n"],
            "buyers": row["buyers"],
            "gmv_fen": row["gmv"] or 0,
            "discount_fen": row["discount"] or 0,
            "refund_fen": row["refunds"] or 0,
            "refunded_orders": row["refunded"],
            "units": 0,
            "uncosted_units": 0,
            "cost_fen": 0,
        }
    kept = ~Q(order__state=CLOSED)
    lines = (
        OrderLine.objects.filter(_paid_in(days, "order__"), order__shop_id=shop_id)
        .annotate(day=TruncDate("order__paid_at", tzinfo=clock.SHANGHAI))
        .values("day", "sku_id")
        .annotate(
            n=Count("order_id", distinct=True),
            units=Sum(Case(When(kept, then=F("quantity")), default=0)),
            gmv=Sum(_LINE_PAID),
            refunds=Sum(Case(When(order__state=CLOSED, then=_LINE_PAID), default=0)),
        )
        .order_by()
    )
    rows = list(lines)
    new = {r["sku_id"] for r in rows if r["sku_id"] and (r["day"], r["sku_id"]) not in unit_costs}
    now_cost = dict(Sku.objects.filter(pk__in=new).values_list("pk", "cost_fen")) if new else {}
    for row in rows:
        day, sku_id, units = row["day"], row["sku_id"], row["units"] or 0
        cell = out.shop[day]
        cell["units"] += units
        if sku_id is None:
            cell["uncosted_units"] += units
            continue
        unit_cost = unit_costs.get((day, sku_id), now_cost.get(sku_id, 0)) or 0
        cost = units * unit_cost
        if not unit_cost:
            cell["uncosted_units"] += units
        cell["cost_fen"] += cost
        gmv, refunds = row["gmv"] or 0, row["refunds"] or 0
        out.sku[(day, sku_id)] = {
            "orders": row["n"],
            "units": units,
            "gmv_fen": gmv,
            "refund_fen": refunds,
            "unit_cost_fen": unit_cost,
            "cost_fen": cost,
            "profit_fen": gmv - refunds - cost,
        }
    for cell in out.shop.values():
        cell["profit_fen"] = cell["gmv_fen"] - cell["refund_fen"] - cell["cost_fen"]
    return out


def _stored_costs(shop_id: int, days: list[dt.date] | None) -> dict[tuple[dt.date, int], int]:
    qs = SkuDayFact.objects.filter(shop_id=shop_id)
    if days is not None:
        qs = qs.filter(day__in=days)
    return {(day, sku): cost for day, sku, cost in qs.values_list("day", "sku_id", "unit_cost_fen")}


def _lock(shop_id: int) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_LOCK_KEY, shop_id])


def refresh(keys: dict[int, Iterable[dt.date]]) -> int:
    """Recompute the cells of {shop id: days} from the orders and replace them (module text): a fixed number of
    queries per shop, whatever the number of orders. Returns the number of shop-day cells written."""
    written = 0
    for shop_id in sorted(keys):
        days = sorted(set(keys[shop_id]))
        if not days:
            continue
        with transaction.atomic():
            _lock(shop_id)  # then the grouped queries see every change committed before
            computed = compute(shop_id, days, _stored_costs(shop_id, days))
            ShopDayFact.objects.filter(shop_id=shop_id, day__in=days).delete()
            SkuDayFact.objects.filter(shop_id=shop_id, day__in=days).delete()
            _write(shop_id, computed)
        written += len(computed.shop)
    return written


def _write(shop_id: int, computed: Computed) -> None:
    """Insert the cells: binary COPY on PostgreSQL (a big import's days hold tens of thousands of SKU cells), else
    bulk_create."""
    shop_rows = [(shop_id, day, *(cell[f] for f in SHOP_FIELDS)) for day, cell in computed.shop.items()]
    sku_rows = [(shop_id, day, sku, *(cell[f] for f in SKU_FIELDS)) for (day, sku), cell in computed.sku.items()]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model, keys, rows in ((ShopDayFact, SHOP_FIELDS, shop_rows), (SkuDayFact, SKU_FIELDS, sku_rows)):
                if rows:
                    columns = ["shop_id", "day", *(["sku_id"] if model is SkuDayFact else []), *keys]
                    copy_rows(cursor, model._meta.db_table, columns, rows)
        return
    ShopDayFact.objects.bulk_create(
        [ShopDayFact(shop_id=s, day=d, **dict(zip(SHOP_FIELDS, v, strict=True))) for s, d, *v in shop_rows],
        batch_size=5000,
    )
    SkuDayFact.objects.bulk_create(
        [SkuDayFact(shop_id=s, day=d, sku_id=k, **dict(zip(SKU_FIELDS, v, strict=True))) for s, d, k, *v in sku_rows],
        batch_size=5000,
    )


def rebuild(shop_ids: Iterable[int] | None = None) -> int:
    """Fill the facts of these shops (default: all) from all their orders — the first fill and a backfill
    (`zhanggui facts-rebuild`, the demo). Cells already written keep their unit cost (FIN-1)."""
    ids = sorted(shop_ids) if shop_ids is not None else list(Shop.objects.order_by("pk").values_list("pk", flat=True))
    written = 0
    for shop_id in ids:
        with transaction.atomic():
            _lock(shop_id)
            computed = compute(shop_id, None, _stored_costs(shop_id, None))
            ShopDayFact.objects.filter(shop_id=shop_id).delete()
            SkuDayFact.objects.filter(shop_id=shop_id).delete()
            _write(shop_id, computed)
        written += len(computed.shop)
    return written


# ---------------------------------------------------------------------------------------------------------------
# Verification (zhanggui facts-verify)
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Difference:
    shop_id: int
    day: dt.date
    sku_id: int | None  # None: the shop's day cell
    field: str
    stored: int | None  # None: the cell is missing
    expected: int | None  # None: the cell should not exist

    def describe(self, shops: dict[int, str], skus: dict[int, str]) -> str:
        where = f"{shops.get(self.shop_id, self.shop_id)} {self.day:%Y-%m-%d}"
        if self.sku_id is not None:
            where += f" SKU {skus.get(self.sku_id, self.sku_id)}"
        if self.stored is None:
            return f"{where}：缺少统计（应为 {self.field}={self.expected}）"
        if self.expected is None:
            return f"{where}：多出统计（订单中没有）"
        return f"{where}：{self.field} 记录 {self.stored}，按订单应为 {self.expected}"


@dataclass
class FactCheck:
    cells: int = 0
    differences: list[Difference] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.differences


def _compare(shop_id, day, sku_id, stored: dict | None, expected: dict | None, names, out: list) -> None:
    if stored is None or expected is None:
        first = names[0]
        out.append(Difference(shop_id, day, sku_id, first, stored and stored[first], expected and expected[first]))
        return
    out.extend(
        Difference(shop_id, day, sku_id, name, stored[name], expected[name])
        for name in names
        if stored[name] != expected[name]
    )


def verify(shop_ids: Iterable[int] | None = None) -> FactCheck:
    """Recompute every cell from the orders (with the unit costs stored: FIN-1) and compare with what is stored."""
    ids = sorted(shop_ids) if shop_ids is not None else list(Shop.objects.order_by("pk").values_list("pk", flat=True))
    check = FactCheck()
    for shop_id in ids:
        expected = compute(shop_id, None, _stored_costs(shop_id, None))
        stored = {
            row.pop("day"): row for row in ShopDayFact.objects.filter(shop_id=shop_id).values("day", *SHOP_FIELDS)
        }
        stored_sku = {
            (row.pop("day"), row.pop("sku_id")): row
            for row in SkuDayFact.objects.filter(shop_id=shop_id).values("day", "sku_id", *SKU_FIELDS)
        }
        check.cells += len(stored) + len(stored_sku)
        for day in sorted(set(stored) | set(expected.shop)):
            _compare(shop_id, day, None, stored.get(day), expected.shop.get(day), SHOP_FIELDS, check.differences)
        for key in sorted(set(stored_sku) | set(expected.sku)):
            _compare(shop_id, key[0], key[1], stored_sku.get(key), expected.sku.get(key), SKU_FIELDS, check.differences)
    return check


# ---------------------------------------------------------------------------------------------------------------
# The listeners (core.domain_events): the orders tell, analytics recomputes after the commit
# ---------------------------------------------------------------------------------------------------------------


def _after_commit(keys: dict[int, set[dt.date]]) -> None:
    if keys:
        transaction.on_commit(lambda: refresh(keys))


def _keys_of(order_ids: list[int]) -> dict[int, set[dt.date]]:
    keys: dict[int, set[dt.date]] = defaultdict(set)
    if order_ids:
        for shop_id, paid_at in Order.objects.filter(pk__in=order_ids, paid_at__isnull=False).values_list(
            "shop_id", "paid_at"
        ):
            keys[shop_id].add(day_of(paid_at))
    return keys


def on_orders_imported(event: OrdersImported) -> None:
    """After an import run's commit: the paid days it touched (old and new) are recomputed."""
    if event.days:
        refresh({event.shop_id: event.days})


def on_orders_moved(event: OrdersMoved) -> None:
    """Created, paid and closed orders change their paid day's figures (an import's batches: OrdersImported)."""
    if event.by_import:
        return
    State = Order.State
    ids = [m.order.pk for m in event.moves if m.to == CLOSED or m.before in ("", State.PENDING_PAYMENT)]
    _after_commit(_keys_of(ids))


def on_order_edited(event: OrderEdited) -> None:
    """A line edit (quantity, SKU) changes its paid day's units, cost and — for own amounts — GMV."""
    order = event.order
    if event.change == "lines" and getattr(order, "paid_at", None):
        _after_commit({order.shop_id: {day_of(order.paid_at)}})


def connect() -> None:
    subscribe(OrdersImported, on_orders_imported)
    subscribe(OrdersMoved, on_orders_moved)
    subscribe(OrderEdited, on_order_edited)
