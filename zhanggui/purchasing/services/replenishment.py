"""Replenishment suggestions and one-click draft purchase orders (INV-7).

How a suggestion is worked out, per SKU of an own-stock product (dropship products are shipped by their supplier
and never stocked, PROD-10; combinations are bought as their parts):

- Sales velocity from the stock ledger: pieces shipped (reason "ship", −on_hand_change) in the last 7 and the last
  30 Beijing calendar days, today included. Orders do not exist yet: the ship entries written by
  inventory.services.stock.commit ARE the outbound sales.
- Daily rate (setting purchasing.velocity_basis): by default the higher of the 7-day and the 30-day average. A
  promotion lifts the 7-day average at once, and the 30-day average keeps the rate up for a while after it: the
  conservative choice for a shop whose sales swing. Alternatives: 0.6 × 7-day + 0.4 × 30-day, or one of the two.
- Lead time: the preferred supplier's lead_time_days, else the setting purchasing.default_lead_days.
- Target = daily × (lead time + review period + safety stock days): what must be on hand or on its way so the
  shelf lasts until the order after next arrives, with a safety margin.
- Available = Σ (on hand − reserved) over the active warehouses; in transit = Σ in_transit (ordered purchase
  orders); planned = pieces already on draft / quoting purchase orders (so generating twice does not double the
  order: the second time the suggestion is 0 and the page shows why).
- Suggested = max(0, ⌈target − available − in transit − planned⌉), raised to the supplier's minimum order
  (SupplierProduct.min_order_qty, read per SKU) when purchasing.round_up_to_moq is on.
- Days of cover = available / daily (none without sales); 低库存 = available ≤ inventory.low_stock_threshold,
  flagged even without any sales.

Everything is set-based: a fixed handful of queries (SKUs, preferred suppliers, stock sums, ledger sums, planned
quantities, settings) whatever the number of SKUs.

Drafts (`create_draft_orders`): one draft purchase order per preferred supplier, source "replenishment". SKUs
without a preferred (active) supplier go together into ONE draft without supplier: in the purchase flow (PUR-2) a
draft is the need and plan, and choosing the supplier by comparing quotes is its next step — the order cannot be
placed before a supplier is chosen (orders.transition refuses it), and the page says which order that is.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from fractions import Fraction

from django.db import transaction
from django.db.models import F, Q, Sum

from zhanggui.catalog.models import Product, Sku
from zhanggui.core import clock
from zhanggui.core.company_settings import get_company_settings
from zhanggui.core.errors import DomainError
from zhanggui.inventory.models import LedgerEntry, StockLevel
from zhanggui.inventory.selectors import LOW_STOCK_SETTING
from zhanggui.inventory.services.stock import default_warehouse

from ..models import PurchaseOrder, PurchaseOrderLine, SupplierProduct
from . import orders

SETTING_KEYS = {
    "safety_days": "purchasing.safety_stock_days",
    "review_days": "purchasing.review_period_days",
    "default_lead_days": "purchasing.default_lead_days",
    "velocity_basis": "purchasing.velocity_basis",
    "round_up_to_moq": "purchasing.round_up_to_moq",
}
TABS = ("needed", "low", "all")
NO_SUPPLIER = "none"  # the supplier filter value for SKUs without a preferred supplier
PLANNED_STATES = (PurchaseOrder.State.DRAFT, PurchaseOrder.State.QUOTING)


@dataclass(frozen=True)
class ReplenishmentSettings:
    safety_days: int = 7
    review_days: int = 7
    default_lead_days: int = 7
    velocity_basis: str = "max"
    round_up_to_moq: bool = True
    low_stock_threshold: int = 5


def load_settings() -> ReplenishmentSettings:
    """INV-7 settings: company-wide (stock and purchasing serve every shop), whatever shop is selected."""
    values = get_company_settings()  # one query, the low-stock threshold (INV-7) included
    found = {name: values[key] for name, key in SETTING_KEYS.items()}
    return ReplenishmentSettings(**found, low_stock_threshold=int(values[LOW_STOCK_SETTING]))


@dataclass
class SuggestionRow:
    """One SKU with every figure the page shows to explain its suggestion."""

    sku_id: int
    sku_code: str
    product_id: int
    style_code: str
    product_name: str
    colour: str
    size: str
    cost_fen: int
    supplier_id: int | None
    supplier_name: str
    supplier_item_code: str
    unit_cost_fen: int  # the supplier's price, else the SKU's cost price
    moq: int
    lead_days: int
    lead_from_supplier: bool
    sold_7: int
    sold_30: int
    daily: Fraction
    cover_days_total: int  # lead + review + safety
    target: Fraction
    available: int
    in_transit: int
    planned: int
    need: int  # before the minimum order
    suggested: int
    low_stock: bool

    @property
    def daily_rate(self) -> float:
        return round(float(self.daily), 2)

    @property
    def target_qty(self) -> float:
        return round(float(self.target), 1)

    @property
    def cover_days(self) -> float | None:
        """Days the available stock lasts at the daily rate; None without sales."""
        if not self.daily:
            return None
        return round(float(self.available / self.daily), 1)

    @property
    def short_cover(self) -> bool:
        """Runs out before an order placed today could arrive."""
        cover = self.cover_days
        return cover is not None and cover < self.lead_days

    @property
    def raised_to_moq(self) -> bool:
        return self.suggested > self.need


@dataclass
class Suggestions:
    rows: list[SuggestionRow]
    settings: ReplenishmentSettings
    counts: dict[str, int] = field(default_factory=dict)

    def tab(self, tab: str) -> list[SuggestionRow]:
        if tab == "needed":
            return [r for r in self.rows if r.suggested > 0]
        if tab == "low":
            return [r for r in self.rows if r.low_stock]
        return list(self.rows)


def sales_windows(today: dt.date | None = None) -> tuple[dt.datetime, dt.datetime]:
    """The starts of the last 7 and the last 30 Beijing calendar days, today included."""
    today = today or clock.today()
    start_7 = clock.local_day_bounds(today - dt.timedelta(days=6))[0]
    start_30 = clock.local_day_bounds(today - dt.timedelta(days=29))[0]
    return start_7, start_30


def sales_velocity(today: dt.date | None = None) -> dict[int, tuple[int, int]]:
    """INV-7: {sku_id: (shipped in 7 days, shipped in 30 days)} from the ship entries of the ledger — one GROUP BY."""
    start_7, start_30 = sales_windows(today)
    rows = (
        LedgerEntry.objects.filter(reason=LedgerEntry.Reason.SHIP, at__gte=start_30)
        .values("sku_id")
        .annotate(s30=Sum("on_hand_change"), s7=Sum("on_hand_change", filter=Q(at__gte=start_7)))
        .order_by()
    )
    return {r["sku_id"]: (-(r["s7"] or 0), -(r["s30"] or 0)) for r in rows}


def daily_rate(sold_7: int, sold_30: int, basis: str) -> Fraction:
    """INV-7: the daily sales rate from the two windows (exact fractions: no rounding surprises in ⌈…⌉)."""
    avg_7, avg_30 = Fraction(max(sold_7, 0), 7), Fraction(max(sold_30, 0), 30)
    if basis == "weighted":
        return Fraction(3, 5) * avg_7 + Fraction(2, 5) * avg_30
    if basis == "7d":
        return avg_7
    if basis == "30d":
        return avg_30
    return max(avg_7, avg_30)


def suggested_quantity(
    daily: Fraction, days: int, available: int, in_transit: int, planned: int, moq: int, round_up: bool
) -> tuple[Fraction, int, int]:
    """INV-7: (target, need, suggested) — target = daily × days; need = max(0, ⌈target − available − in transit −
    planned⌉); suggested = need raised to the minimum order when rounding is on."""
    target = daily * days
    need = max(0, math.ceil(target - available - in_transit - planned))
    suggested = max(need, moq) if need and round_up and moq > 1 else need
    return target, need, suggested


def preferred_suppliers(product_ids=None) -> dict[int, SupplierProduct]:
    """{product_id: its preferred SupplierProduct (with the supplier)}; inactive suppliers do not count."""
    qs = SupplierProduct.objects.filter(is_preferred=True, supplier__is_active=True).select_related("supplier")
    if product_ids is not None:
        qs = qs.filter(product_id__in=set(product_ids))
    return {sp.product_id: sp for sp in qs}


def suggestions(*, q: str = "", supplier: str | int | None = None, today=None) -> Suggestions:
    """INV-7: a suggestion for every active SKU of an active own-stock product, in a fixed handful of queries.

    `q` matches merchant code, style code or product name; `supplier` is a supplier id or "none" (no preferred
    supplier). Rows come grouped by supplier (those without one last), then by product and SKU."""
    settings = load_settings()
    skus = Sku.objects.filter(
        is_combo=False, is_active=True, product__is_active=True, product__sourcing=Product.Sourcing.OWN_STOCK
    )
    q = (q or "").strip()
    if q:
        skus = skus.filter(
            Q(code__icontains=q) | Q(barcode=q) | Q(product__style_code__icontains=q) | Q(product__name__icontains=q)
        )
    sku_rows = list(
        skus.values(
            "pk", "code", "colour", "size", "cost_fen", "product_id", "product__style_code", "product__name"
        ).order_by()
    )
    suppliers = preferred_suppliers()
    if supplier not in (None, ""):
        if str(supplier) == NO_SUPPLIER:
            sku_rows = [s for s in sku_rows if s["product_id"] not in suppliers]
        else:
            wanted = int(supplier)
            sku_rows = [
                s for s in sku_rows if s["product_id"] in suppliers and suppliers[s["product_id"]].supplier_id == wanted
            ]
    stock = {
        r["sku_id"]: (r["available"] or 0, r["in_transit"] or 0)
        for r in StockLevel.objects.filter(warehouse__is_active=True)
        .values("sku_id")
        .annotate(available=Sum(F("on_hand") - F("reserved")), in_transit=Sum("in_transit"))
        .order_by()
    }
    velocity = sales_velocity(today)
    planned = dict(
        PurchaseOrderLine.objects.filter(order__state__in=PLANNED_STATES)
        .values("sku_id")
        .annotate(n=Sum("quantity"))
        .values_list("sku_id", "n")
        .order_by()
    )
    rows = []
    for s in sku_rows:
        sp = suppliers.get(s["product_id"])
        lead = sp.supplier.lead_time_days if sp else settings.default_lead_days
        days = lead + settings.review_days + settings.safety_days
        sold_7, sold_30 = velocity.get(s["pk"], (0, 0))
        daily = daily_rate(sold_7, sold_30, settings.velocity_basis)
        available, in_transit = stock.get(s["pk"], (0, 0))
        moq = sp.min_order_qty if sp else 1
        target, need, suggested = suggested_quantity(
            daily, days, available, in_transit, planned.get(s["pk"], 0), moq, settings.round_up_to_moq
        )
        rows.append(
            SuggestionRow(
                sku_id=s["pk"],
                sku_code=s["code"],
                product_id=s["product_id"],
                style_code=s["product__style_code"],
                product_name=s["product__name"],
                colour=s["colour"],
                size=s["size"],
                cost_fen=s["cost_fen"],
                supplier_id=sp.supplier_id if sp else None,
                supplier_name=sp.supplier.name if sp else "",
                supplier_item_code=sp.supplier_item_code if sp else "",
                unit_cost_fen=(sp.unit_cost_fen if sp and sp.unit_cost_fen else s["cost_fen"]),
                moq=moq,
                lead_days=lead,
                lead_from_supplier=sp is not None,
                sold_7=sold_7,
                sold_30=sold_30,
                daily=daily,
                cover_days_total=days,
                target=target,
                available=available,
                in_transit=in_transit,
                planned=planned.get(s["pk"], 0),
                need=need,
                suggested=suggested,
                low_stock=available <= settings.low_stock_threshold,
            )
        )
    rows.sort(key=lambda r: (r.supplier_id is None, r.supplier_name, r.style_code, r.sku_id))
    result = Suggestions(rows=rows, settings=settings)
    result.counts = {tab: len(result.tab(tab)) for tab in TABS}
    return result


# ---------------------------------------------------------------------------------------------------------------
# One click: draft purchase orders
# ---------------------------------------------------------------------------------------------------------------


def _parse_rows(rows) -> dict[int, int]:
    wanted: dict[int, int] = {}
    for n, row in enumerate(rows, start=1):
        try:
            sku_id, qty = int(row[0]), int(row[1])
        except (TypeError, ValueError, IndexError):
            raise DomainError("bad_quantity", f"第 {n} 行：SKU 和数量必须是整数", "rows") from None
        wanted[sku_id] = wanted.get(sku_id, 0) + qty
    if not wanted:
        raise DomainError("no_lines", "请先勾选要采购的 SKU", "rows")
    return wanted


def create_draft_orders(actor, rows, warehouse=None) -> list[PurchaseOrder]:
    """INV-7: turn chosen suggestions rows = [(sku_id, quantity)] into draft purchase orders (PUR-2 need / plan),
    one per preferred supplier, priced at the supplier's price (else the SKU's cost price), expected after the
    supplier's lead time. SKUs without a preferred supplier go into one draft without supplier (see the module
    docstring). One transaction: every order or none. Returns the orders, those with a supplier first."""
    wanted = _parse_rows(rows)
    skus = {s.pk: s for s in Sku.objects.select_related("product").filter(pk__in=wanted)}
    problems = []
    for sku_id, qty in wanted.items():
        sku = skus.get(sku_id)
        if sku is None:
            problems.append(f"SKU {sku_id} 不存在")
        elif sku.is_combo:
            problems.append(f"{sku.code} 是组合装，请采购其组成 SKU")
        elif sku.product.sourcing == Product.Sourcing.DROPSHIP:
            problems.append(f"{sku.code} 是代发商品，由供应商直接发货，不需要补货")
        elif qty < 1:
            problems.append(f"{sku.code} 的采购数量必须大于 0")
    if problems:
        raise DomainError("bad_lines", "；".join(problems), "rows", problems)
    warehouse = warehouse or default_warehouse()
    suppliers = preferred_suppliers(s.product_id for s in skus.values())
    groups: dict[int | None, list] = {}
    for sku_id, qty in wanted.items():
        sku = skus[sku_id]
        sp = suppliers.get(sku.product_id)
        cost = sp.unit_cost_fen if sp and sp.unit_cost_fen else sku.cost_fen
        groups.setdefault(sp.supplier if sp else None, []).append((sku, qty, cost))
    today = clock.today()
    created = []
    with transaction.atomic():
        ordered = sorted(groups.items(), key=lambda g: (g[0] is None, g[0].name if g[0] else ""))
        for supplier, lines in ordered:
            codes = "、".join(sku.code for sku, _q, _c in lines[:5]) + ("等" if len(lines) > 5 else "")
            if supplier is None:
                reason = f"补货建议 {today:%m-%d}：{len(lines)} 个 SKU 未设首选供应商，请比价选定供应商"
                note = f"这些 SKU 没有首选供应商：{'、'.join(sku.code for sku, _q, _c in lines)}"
                expected = None
            else:
                reason = f"补货建议 {today:%m-%d}：{len(lines)} 个 SKU（{codes}）"
                note = ""
                expected = today + dt.timedelta(days=supplier.lead_time_days)
            created.append(
                orders.create_order(
                    actor,
                    lines=[(sku, qty, cost) for sku, qty, cost in lines],
                    supplier=supplier,
                    warehouse=warehouse,
                    reason=reason,
                    source=PurchaseOrder.Source.REPLENISHMENT,
                    expected_on=expected,
                    note=note,
                )
            )
    return created
