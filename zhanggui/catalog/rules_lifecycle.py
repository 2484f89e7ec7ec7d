"""Pure rules for product roles and lifecycle stages (PROD-7, PROD-8). No database: input is plain data.

Input, per product id: ``ProductSales(daily_units=[…2 × window ints, oldest first…], price_fen, cost_fen,
visits)``, built from order lines by the orders app (`orders.selectors.product_sales`, handed to the catalog
through `catalog.services.lifecycle.register_sales_source`). The thresholds are a `Thresholds` — the documented
defaults below, the manager's values from the company settings (`catalog/shop_settings.py`, "lifecycle.*").

PROD-8 suggested stage — products are ranked by their units of the last ``window`` (14) days (rank 1 = best seller;
products without sales in the window get no rank). Trend = the last window against the one before (+30% = 1.3×).

1. 成熟期 (maturity): rank ≤ ``maturity_top`` (5) and the trend is stable or rising (a drop under
   ``stable_drop`` 20%).
2. 成长期 (growth): rank ≤ ``growth_top`` (10) — the aim of the growth stage is the top 10 — or sales clearly rising
   (trend ≥ ``rising`` +30%) *and* steady: sold on at least ``steady_days`` (7) of the window, which is what stable
   sales from search and ads look like (a single lucky order is not growth).
3. 培育期 (incubation): everything else, including products without any sales.

PROD-7 actual roles (80/20) — traffic share = a product's share of visits (units sold when visits are unknown);
profit share = its share of gross profit ((price − cost) × units over both windows). Sorting by share, the products
that together make up ``core_share`` (80%) of the visits are the real traffic drivers; those making up 80% of the
gross profit are the real profit items. A product in the profit core is 利润款, else one in the traffic core is
引流款, else it plays no role yet.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Thresholds:
    """PROD-7 / PROD-8 thresholds and windows; the defaults are the documented values (company settings)."""

    window: int = 14  # PROD-8: days of one trend window; ranks count the last window, the trend compares two
    maturity_top: int = 5  # PROD-8: 成熟期 = top 5
    growth_top: int = 10  # PROD-8: 成长期 aims at the top 10
    stable_drop: float = 0.20  # PROD-8: a drop of less than 20% still counts as stable
    rising: float = 0.30  # PROD-8: clearly rising: +30% or more
    steady_days: int = 7  # PROD-8: days with sales in the window for "stable sales"
    core_share: float = 0.80  # PROD-7: 80/20

    @property
    def days(self) -> int:
        return 2 * self.window


DEFAULT = Thresholds()

MATURITY = "maturity"
GROWTH = "growth"
INCUBATION = "incubation"
TRAFFIC = "traffic"
PROFIT = "profit"


@dataclass(frozen=True)
class ProductSales:
    daily_units: list[int]  # the last 2 × window days, oldest first
    price_fen: int = 0
    cost_fen: int = 0
    visits: int | None = None  # over the same days; None → units stand in for traffic


@dataclass
class StageSuggestion:
    product_id: int
    stage: str
    rank: int | None
    recent_units: int
    previous_units: int
    trend: float | None  # +0.3 = +30%; None when there were no sales in the previous 14 days
    selling_days: int
    reason: str = ""


@dataclass
class RoleShare:
    product_id: int
    traffic_share: float
    profit_share: float
    gross_profit_fen: int
    in_traffic_core: bool = False
    in_profit_core: bool = False
    role: str = ""
    notes: list[str] = field(default_factory=list)


def _window(daily: list[int], t: Thresholds = DEFAULT) -> tuple[list[int], list[int]]:
    units = [max(0, int(u or 0)) for u in daily][-t.days :]
    units = [0] * (t.days - len(units)) + units
    return units[: -t.window], units[-t.window :]


def trend_of(previous: int, recent: int) -> float | None:
    """Relative change of the last 14 days over the previous 14; None when the previous period sold nothing."""
    if previous == 0:
        return None if recent == 0 else float("inf")
    return (recent - previous) / previous


def suggest_stage(rank: int | None, trend: float | None, selling_days: int, t: Thresholds = DEFAULT) -> tuple[str, str]:
    """The stage for one product from its rank and trend (rules in the module docstring) and a reason in Chinese."""
    stable = trend is None or trend >= -t.stable_drop
    if rank is not None and rank <= t.maturity_top and stable:
        return MATURITY, f"销量排名第 {rank}（前 {t.maturity_top}），销量稳定或上升"
    if rank is not None and rank <= t.growth_top:
        return GROWTH, f"销量排名第 {rank}（前 {t.growth_top}）"
    if trend is not None and trend >= t.rising and selling_days >= t.steady_days:
        shown = "新出单" if trend == float("inf") else f"+{trend * 100:.0f}%"
        return GROWTH, f"近 {t.window} 天销量明显上升（{shown}），且 {selling_days} 天有销量"
    if rank is None:
        return INCUBATION, f"近 {t.window} 天无销量"
    return INCUBATION, f"销量排名第 {rank}，未进入前 {t.growth_top} 且无明显上升"


def suggest_stages(sales: dict[int, ProductSales], t: Thresholds = DEFAULT) -> dict[int, StageSuggestion]:
    """PROD-8 for every product in `sales` (see the module docstring)."""
    rows = {}
    for pid, s in sales.items():
        previous, recent = _window(s.daily_units, t)
        rows[pid] = (sum(previous), sum(recent), sum(1 for u in recent if u > 0))
    ranked = sorted((pid for pid, r in rows.items() if r[1] > 0), key=lambda pid: (-rows[pid][1], pid))
    rank_of = {pid: i for i, pid in enumerate(ranked, start=1)}
    result = {}
    for pid, (prev, recent, days) in rows.items():
        trend = trend_of(prev, recent)
        stage, reason = suggest_stage(rank_of.get(pid), trend, days, t)
        result[pid] = StageSuggestion(pid, stage, rank_of.get(pid), recent, prev, trend, days, reason)
    return result


def _core(shares: dict[int, float], core_share: float) -> set[int]:
    """The products that together make up `core_share` of the total, biggest first (the one crossing it included)."""
    core, total = set(), 0.0
    for pid, share in sorted(shares.items(), key=lambda kv: (-kv[1], kv[0])):
        if share <= 0 or total >= core_share - 1e-9:
            break
        core.add(pid)
        total += share
    return core


def actual_roles(sales: dict[int, ProductSales], t: Thresholds = DEFAULT) -> dict[int, RoleShare]:
    """PROD-7: which products really drive traffic and which really make the profit (80/20)."""
    use_visits = any(s.visits is not None for s in sales.values())
    traffic = {}
    profit = {}
    for pid, s in sales.items():
        units = sum(sum(w) for w in _window(s.daily_units, t))
        traffic[pid] = (s.visits or 0) if use_visits else units
        profit[pid] = units * (s.price_fen - s.cost_fen)
    total_traffic = sum(traffic.values())
    total_profit = sum(p for p in profit.values() if p > 0)
    traffic_share = {pid: (v / total_traffic if total_traffic else 0.0) for pid, v in traffic.items()}
    profit_share = {pid: (max(p, 0) / total_profit if total_profit else 0.0) for pid, p in profit.items()}
    traffic_core, profit_core = _core(traffic_share, t.core_share), _core(profit_share, t.core_share)
    result = {}
    for pid in sales:
        row = RoleShare(pid, traffic_share[pid], profit_share[pid], profit[pid])
        row.in_traffic_core = pid in traffic_core
        row.in_profit_core = pid in profit_core
        row.role = PROFIT if row.in_profit_core else TRAFFIC if row.in_traffic_core else ""
        if profit[pid] < 0:
            row.notes.append("毛利为负")
        result[pid] = row
    return result
