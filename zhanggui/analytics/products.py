"""Product analysis (DATA-5, PROD-7, PROD-8): what the SKU facts say per product over a date range.

- Best sellers by units, GMV and gross profit: the SkuDayFact cells of the shops in scope grouped to the product
  (one grouped query, never the orders).
- 80/20 (PROD-7): products sorted by their share; the products that together make up `CORE_SHARE` (80 %) of the GMV
  are the sales core, of the gross profit the profit core (the product that crosses 80 % is in the core).
- Actual role (PROD-7, the catalog's rule `rules_lifecycle.actual_roles`): in the profit core → 利润款 (profit item);
  else in the core of the units (the traffic the product brings, units standing in for visits) with a margin under
  the shop's average → 引流款 (traffic driver); else none. Set beside the role declared in the catalog
  (`Product.role`).
- Stock cover in days: on hand (every warehouse, the product's SKUs) ÷ average daily units over the range; None when
  nothing sold.
- The catalog's lifecycle page (PROD-8) reads its sales from here: `lifecycle_sales` is registered in the catalog
  (`register_sales_source`) by AnalyticsConfig.ready(), replacing the orders' scan of the order lines by the facts.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import F, Sum

from zhanggui.catalog.models import Product
from zhanggui.catalog.rules_lifecycle import PROFIT, TRAFFIC, ProductSales
from zhanggui.core import clock
from zhanggui.inventory.models import StockLevel

from .models import SkuDayFact

CORE_SHARE = 0.80  # PROD-7: 80/20


@dataclass
class ProductRow:
    product_id: int
    style_code: str
    name: str
    declared_role: str
    units: int = 0
    orders: int = 0
    gmv_fen: int = 0
    refund_fen: int = 0
    cost_fen: int = 0
    profit_fen: int = 0
    on_hand: int = 0
    units_share: float = 0.0
    gmv_share: float = 0.0
    profit_share: float = 0.0
    gmv_cumulative: float = 0.0
    profit_cumulative: float = 0.0
    in_sales_core: bool = False
    in_profit_core: bool = False
    in_units_core: bool = False
    actual_role: str = ""
    cover_days: float | None = None

    @property
    def margin(self) -> float | None:
        return self.profit_fen / self.gmv_fen if self.gmv_fen else None

    @property
    def role_differs(self) -> bool:
        """Declared as one role while the figures say another (PROD-7); a promotion item is never 'wrong'."""
        return bool(
            self.actual_role and self.declared_role in (TRAFFIC, PROFIT) and self.actual_role != self.declared_role
        )


@dataclass
class Analysis:
    first: dt.date
    last: dt.date
    rows: list[ProductRow]  # best sellers by GMV first
    gmv_fen: int
    profit_fen: int
    units: int

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def top(self, key: str, n: int = 10) -> list[ProductRow]:
        return sorted(self.rows, key=lambda r: (-getattr(r, key), r.style_code))[:n]

    def core(self, which: str) -> list[ProductRow]:
        return [r for r in self.rows if getattr(r, f"in_{which}_core")]


def _mark_core(rows: list[ProductRow], value: str, share: str, cumulative: str, flag: str) -> None:
    total = sum(max(getattr(r, value), 0) for r in rows)
    running = 0.0
    for r in sorted(rows, key=lambda r: (-getattr(r, value), r.style_code)):
        part = max(getattr(r, value), 0) / total if total else 0.0
        before = running
        running += part
        setattr(r, share, part)
        if cumulative:
            setattr(r, cumulative, running)
        setattr(r, flag, part > 0 and before < CORE_SHARE - 1e-9)


def analyse(shop_ids, first: dt.date, last: dt.date) -> Analysis:
    """DATA-5 over the shops and [first, last] (Beijing days): one grouped query on the facts, one on the stock."""
    facts = SkuDayFact.objects.filter(shop_id__in=list(shop_ids), day__gte=first, day__lte=last)
    sums = (
        facts.values(pid=F("sku__product_id"))
        .annotate(units=Sum("units"), orders=Sum("orders"), gmv=Sum("gmv_fen"), refund=Sum("refund_fen"),
                  cost=Sum("cost_fen"), profit=Sum("profit_fen"))
        .order_by()
    )  # fmt: skip
    found = {r["pid"]: r for r in sums if r["pid"]}
    products = Product.objects.filter(pk__in=found).only("pk", "style_code", "name", "role")
    stock = dict(
        StockLevel.objects.filter(sku__product_id__in=found)
        .values_list("sku__product_id")
        .annotate(n=Sum("on_hand"))
        .order_by()
    )
    days = (last - first).days + 1
    rows = []
    for p in products:
        r = found[p.pk]
        row = ProductRow(p.pk, p.style_code, p.name, p.role, units=r["units"] or 0, orders=r["orders"] or 0,
                         gmv_fen=r["gmv"] or 0, refund_fen=r["refund"] or 0, cost_fen=r["cost"] or 0,
                         profit_fen=r["profit"] or 0, on_hand=stock.get(p.pk) or 0)  # fmt: skip
        if row.units > 0:
            row.cover_days = round(row.on_hand / (row.units / days), 1)
        rows.append(row)
    _mark_core(rows, "gmv_fen", "gmv_share", "gmv_cumulative", "in_sales_core")
    _mark_core(rows, "profit_fen", "profit_share", "profit_cumulative", "in_profit_core")
    _mark_core(rows, "units", "units_share", "", "in_units_core")
    gmv, profit = sum(r.gmv_fen for r in rows), sum(r.profit_fen for r in rows)
    average_margin = profit / gmv if gmv else 0.0
    for row in rows:
        thin = row.margin is not None and row.margin < average_margin
        row.actual_role = PROFIT if row.in_profit_core else TRAFFIC if (row.in_units_core and thin) else ""
    rows.sort(key=lambda r: (-r.gmv_fen, r.style_code))
    return Analysis(first, last, rows, gmv, profit, sum(r.units for r in rows))


def lifecycle_sales(days: int, *, today: dt.date | None = None, shops=None) -> dict[int, ProductSales]:
    """PROD-8 feed for the catalog: {product id: daily units of the last `days` Beijing days (oldest first), average
    price and cost at the time of sale in fen} from the SKU facts — what `orders.services.sales.product_sales`
    computes from the order lines, without scanning them."""
    today = today or clock.today()
    first = today - dt.timedelta(days=days - 1)
    facts = SkuDayFact.objects.filter(day__gte=first, day__lte=today, units__gt=0)
    if shops is not None:
        facts = facts.filter(shop__in=shops)
    rows = (
        facts.values("day", pid=F("sku__product_id"))
        .annotate(units=Sum("units"), gmv=Sum("gmv_fen"), cost=Sum("cost_fen"))
        .order_by()
    )
    daily: dict[int, list[int]] = defaultdict(lambda: [0] * days)
    money: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    for row in rows:
        if not row["pid"]:
            continue
        daily[row["pid"]][days - 1 - (today - row["day"]).days] += row["units"]
        total = money[row["pid"]]
        total[0] += row["units"]
        total[1] += row["gmv"] or 0
        total[2] += row["cost"] or 0
    return {
        pid: ProductSales(units, price_fen=money[pid][1] // money[pid][0], cost_fen=money[pid][2] // money[pid][0])
        for pid, units in daily.items()
        if money[pid][0]
    }
