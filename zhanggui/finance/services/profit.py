"""FIN-1 per-order profit, set-based for many orders at once (the order list asks for a page of them):

    gross profit = paid − platform commission − courier fee − packaging − product cost − refunds − compensation

- commission: each line's paid share × the rate of its product's category on the order's platform (CommissionRate;
  blank category = the platform's default; no row = the platform's facts, commission + payment fee), and what the
  lines do not account for (postage) at the platform's default rate; rounded half up once per order;
- courier fee: the carrier's billed fee where the bill was imported (SHIP-5, Package.courier_fee_fen), else the
  expected fee from the freight rate table (Package.expected_fee_fen) — marked which; a package carrying several
  orders is shared equally (the first order takes the odd fen);
- packaging: the shop setting finance.packaging_fen, once per order;
- product cost: the cost at the time of sale — the unit cost the daily facts were written with for the order's paid
  day and SKU (analytics SkuDayFact.unit_cost_fen), else the SKU's cost now (catalog Sku.cost_fen). A line without a
  SKU or a cost is **cost missing**: the profit is not given (成本缺失), never computed with a silent zero;
- refunds: what the platform refunded on the order (Order.refund_fen) or, if more, the refunds agreed on its
  after-sales cases (Compensation kind refund); compensation: the other compensations (resend, gift, coupon, cash).

An order not paid has no profit (None).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Sum
from django.utils.translation import gettext as _

from zhanggui.aftersales.models import Compensation
from zhanggui.analytics.models import SkuDayFact
from zhanggui.analytics.services.facts import day_of
from zhanggui.fulfilment.models import Package, PackageOrder
from zhanggui.orders.models import Order, OrderLine
from zhanggui.shops.models import Platform
from zhanggui.shops.settings_store import settings_for

from ..models import CommissionRate

PACKAGING = "finance.packaging_fen"
BILLED, EXPECTED, NONE = "billed", "expected", "none"


@dataclass
class Profit:
    order_id: int
    paid_fen: int
    commission_fen: int = 0
    courier_fen: int = 0
    courier_source: str = NONE  # billed | expected | none (no parcel or no fee yet)
    packaging_fen: int = 0
    cost_fen: int = 0  # the known part when cost is missing
    cost_missing: bool = False
    missing_skus: list[str] = field(default_factory=list)  # SKU codes (or the line's 商家编码) without a cost
    refund_fen: int = 0
    compensation_fen: int = 0

    @property
    def profit_fen(self) -> int | None:
        """Gross profit in fen, or None while a cost is missing (FIN-1: never a silent zero)."""
        if self.cost_missing:
            return None
        return (
            self.paid_fen
            - self.commission_fen
            - self.courier_fen
            - self.packaging_fen
            - self.cost_fen
            - self.refund_fen
            - self.compensation_fen
        )

    @property
    def margin(self) -> float | None:
        p = self.profit_fen
        return None if p is None or not self.paid_fen else p / self.paid_fen


def _half_up(bp_fen: int) -> int:
    """fen × basis points → fen, rounded half up."""
    return (bp_fen + 5000) // 10000


class Rates:
    """The commission rates in force (one query each for the rows and the platforms' facts)."""

    def __init__(self):
        self.rows: dict[tuple[str, int | None], CommissionRate] = {
            (r.platform_id, r.category_id): r for r in CommissionRate.objects.all()
        }
        self.facts = {
            code: int((fees or {}).get("commission_rate_bp", 0)) + int((fees or {}).get("payment_fee_bp", 0))
            for code, fees in Platform.objects.values_list("code", "fees")
        }

    def default(self, platform: str) -> int:
        row = self.rows.get((platform, None))
        return row.rate_bp if row else self.facts.get(platform, 0)

    def rate(self, platform: str, category_id: int | None) -> int:
        row = self.rows.get((platform, category_id)) if category_id else None
        return row.rate_bp if row else self.default(platform)

    def source(self, platform: str, category_id: int | None = None) -> str:
        row = self.rows.get((platform, category_id)) or self.rows.get((platform, None))
        return row.source if row else str(_("the platform's default rate"))  # SHOP-4: platforms.json


def order_profits(order_ids, rates: Rates | None = None) -> dict[int, Profit]:
    """FIN-1: {order id: Profit} for the paid orders among `order_ids` — a fixed number of queries whatever their
    number (orders, lines, facts, packages, compensations, settings, rates)."""
    ids = list(order_ids)
    if not ids:
        return {}
    rates = rates or Rates()
    orders = list(
        Order.objects.filter(pk__in=ids, paid_at__isnull=False).values_list(
            "pk", "shop_id", "shop__platform_id", "paid_fen", "refund_fen", "paid_at"
        )
    )
    if not orders:
        return {}
    ids = [o[0] for o in orders]
    info = {pk: (shop, platform, day_of(paid_at)) for pk, shop, platform, _p, _r, paid_at in orders}
    out = {pk: Profit(order_id=pk, paid_fen=paid, refund_fen=refund) for pk, _s, _pl, paid, refund, _a in orders}

    lines = list(
        OrderLine.objects.filter(order_id__in=ids).values_list(
            "order_id", "sku_id", "sku__code", "outer_code", "quantity", "paid_fen", "sku__cost_fen",
            "sku__product__category_id",
        )
    )  # fmt: skip
    keys = {(info[oid][0], info[oid][2], sku) for oid, sku, *_rest in lines if sku}
    sale_cost = _sale_costs(keys)
    commission_bp = defaultdict(int)
    line_paid = defaultdict(int)
    for oid, sku, code, outer, qty, paid, now_cost, category in lines:
        shop, platform, day = info[oid]
        commission_bp[oid] += paid * rates.rate(platform, category)
        line_paid[oid] += paid
        unit = (sale_cost.get((shop, day, sku)) or now_cost or 0) if sku else 0
        p = out[oid]
        if unit:
            p.cost_fen += unit * qty
        else:
            p.cost_missing = True
            p.missing_skus.append(code or outer or "?")
    packaging = {shop: values.get(PACKAGING, 0) for shop, values in _shop_settings({i[0] for i in info.values()})}
    for oid, p in out.items():
        shop, platform, _day = info[oid]
        rest = max(0, p.paid_fen - line_paid[oid])
        p.commission_fen = _half_up(commission_bp[oid] + rest * rates.default(platform))
        p.packaging_fen = int(packaging.get(shop) or 0)
    _courier(out)
    _aftersales(out)
    return out


def _shop_settings(shop_ids):
    from zhanggui.shops.models import Shop

    return settings_for(list(Shop.objects.filter(pk__in=shop_ids))).items()


def _sale_costs(keys: set[tuple[int, dt.date, int]]) -> dict[tuple[int, dt.date, int], int]:
    """The unit cost each (shop, paid day, SKU) was first sold at (the daily facts), when recorded."""
    if not keys:
        return {}
    shops = {k[0] for k in keys}
    days = {k[1] for k in keys}
    skus = {k[2] for k in keys}
    rows = SkuDayFact.objects.filter(shop_id__in=shops, day__in=days, sku_id__in=skus).values_list(
        "shop_id", "day", "sku_id", "unit_cost_fen"
    )
    return {(s, d, k): c for s, d, k, c in rows if (s, d, k) in keys and c}


def _courier(out: dict[int, Profit]) -> None:
    links = list(PackageOrder.objects.filter(order_id__in=list(out)).values_list("package_id", "order_id"))
    package_ids = {p for p, _o in links}
    if not package_ids:
        return
    packages = {
        pk: (billed, expected)
        for pk, billed, expected in Package.objects.filter(pk__in=package_ids)
        .exclude(state=Package.State.CANCELLED)
        .values_list("pk", "courier_fee_fen", "expected_fee_fen")
    }
    members = defaultdict(list)
    for pk, oid in PackageOrder.objects.filter(package_id__in=packages).values_list("package_id", "order_id"):
        members[pk].append(oid)
    for pk, (billed, expected) in packages.items():
        fee = billed if billed is not None else expected
        if fee is None:
            continue
        orders = sorted(members[pk])
        share, odd = divmod(fee, len(orders))
        for i, oid in enumerate(orders):
            p = out.get(oid)
            if p is None:
                continue
            p.courier_fen += share + (odd if i == 0 else 0)
            kind = BILLED if billed is not None else EXPECTED
            p.courier_source = EXPECTED if EXPECTED in (p.courier_source, kind) else kind


def _aftersales(out: dict[int, Profit]) -> None:
    rows = (
        Compensation.objects.filter(case__order_id__in=list(out))
        .values_list("case__order_id", "kind")
        .annotate(total=Sum("amount_fen"))
        .order_by()
    )
    refunds = defaultdict(int)
    for oid, kind, total in rows:
        if kind == Compensation.Kind.REFUND:
            refunds[oid] += total or 0
        else:
            out[oid].compensation_fen += total or 0
    for oid, agreed in refunds.items():
        out[oid].refund_fen = max(out[oid].refund_fen, agreed)


def order_profit(order) -> Profit | None:
    return order_profits([order.pk]).get(order.pk)


def cost_missing_orders(shop_ids, first: dt.date, last: dt.date, limit: int = 500):
    """FIN-1: the paid orders of `shop_ids` paid within [first, last] (Beijing days) with a line whose cost is
    unknown: no SKU, or a SKU with no cost then or now. Returns (orders, total)."""
    from zhanggui.core import clock

    start, end = clock.local_day_bounds(first)[0], clock.local_day_bounds(last)[1]
    qs = (
        Order.objects.filter(shop_id__in=shop_ids, paid_at__gte=start, paid_at__lt=end)
        .exclude(state=Order.State.CLOSED)
        .filter(pk__in=OrderLine.objects.filter(_no_cost()).values("order_id"))
        .select_related("shop")
        .order_by("-paid_at", "-pk")
    )
    total = qs.count()
    orders = list(qs[:limit])
    profits = order_profits([o.pk for o in orders])
    return [(o, profits.get(o.pk)) for o in orders if profits.get(o.pk) and profits[o.pk].cost_missing], total


def _no_cost():
    from django.db.models import Q

    return Q(sku__isnull=True) | Q(sku__cost_fen=0)
