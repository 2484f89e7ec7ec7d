"""Pure rules for product roles and lifecycle stages (PROD-7, PROD-8). No database: input is plain data.

Input, per product id: ``ProductSales(daily_units=[…28 ints, oldest first…], price_fen, cost_fen, visits)``.
Today nothing feeds it (orders do not exist yet); the order module will build it from order lines.

PROD-8 suggested stage — products are ranked by their units of the last 14 days (rank 1 = best seller; products
without sales in the last 14 days get no rank). Trend = last 14 days against the previous 14 (+30% = 1.3×).

1. 成熟期 (maturity): rank ≤ ``MATURITY_TOP`` (5) and the trend is stable or rising (≥ ``STABLE_TREND``, −20%).
2. 成长期 (growth): rank ≤ ``GROWTH_TOP`` (10) — the aim of the growth stage is the top 10 — or sales clearly rising
   (trend ≥ ``RISING_TREND``, +30%) *and* steady: sold on at least ``STEADY_DAYS`` (7) of the last 14 days, which
   is what stable sales from search and ads look like (a single lucky order is not growth).
3. 培育期 (incubation): everything else, including products without any sales.

PROD-7 actual roles (80/20) — traffic share = a product's share of visits (units sold when visits are unknown);
profit share = its share of gross profit ((price − cost) × units over the 28 days). Sorting by share, the products
that together make up ``CORE_SHARE`` (80%) of the visits are the real traffic drivers; those making up 80% of the
gross profit are the real profit items. A product in the profit core is 利润款, else one in the traffic core is
引流款, else it plays no role yet.
"""

from dataclasses import dataclass, field

DAYS = 28
WINDOW = 14
MATURITY_TOP = 5
GROWTH_TOP = 10
STABLE_TREND = -0.20  # a drop of less than 20% still counts as stable
RISING_TREND = 0.30  # clearly rising: +30% or more
STEADY_DAYS = 7  # days with sales among the last 14 for "stable sales"
CORE_SHARE = 0.80  # 80/20

MATURITY = "maturity"
GROWTH = "growth"
INCUBATION = "incubation"
TRAFFIC = "traffic"
PROFIT = "profit"


@dataclass(frozen=True)
class ProductSales:
    daily_units: list[int]  # the last DAYS days, oldest first
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


def _window(daily: list[int]) -> tuple[list[int], list[int]]:
    units = [max(0, int(u or 0)) for u in daily][-DAYS:]
    units = [0] * (DAYS - len(units)) + units
    return units[:-WINDOW], units[-WINDOW:]


def trend_of(previous: int, recent: int) -> float | None:
    """Relative change of the last 14 days over the previous 14; None when the previous period sold nothing."""
    if previous == 0:
        return None if recent == 0 else float("inf")
    return (recent - previous) / previous


def suggest_stage(rank: int | None, trend: float | None, selling_days: int) -> tuple[str, str]:
    """The stage for one product from its rank and trend (rules in the module docstring) and a reason in Chinese."""
    stable = trend is None or trend >= STABLE_TREND
    if rank is not None and rank <= MATURITY_TOP and stable:
        return MATURITY, f"销量排名第 {rank}（前 {MATURITY_TOP}），销量稳定或上升"
    if rank is not None and rank <= GROWTH_TOP:
        return GROWTH, f"销量排名第 {rank}（前 {GROWTH_TOP}）"
    if trend is not None and trend >= RISING_TREND and selling_days >= STEADY_DAYS:
        shown = "新出单" if trend == float("inf") else f"+{trend * 100:.0f}%"
        return GROWTH, f"近 14 天销量明显上升（{shown}），且 {selling_days} 天有销量"
    if rank is None:
        return INCUBATION, "近 14 天无销量"
    return INCUBATION, f"销量排名第 {rank}，未进入前 {GROWTH_TOP} 且无明显上升"


def suggest_stages(sales: dict[int, ProductSales]) -> dict[int, StageSuggestion]:
    """PROD-8 for every product in `sales` (see the module docstring)."""
    rows = {}
    for pid, s in sales.items():
        previous, recent = _window(s.daily_units)
        rows[pid] = (sum(previous), sum(recent), sum(1 for u in recent if u > 0))
    ranked = sorted((pid for pid, r in rows.items() if r[1] > 0), key=lambda pid: (-rows[pid][1], pid))
    rank_of = {pid: i for i, pid in enumerate(ranked, start=1)}
    result = {}
    for pid, (prev, recent, days) in rows.items():
        trend = trend_of(prev, recent)
        stage, reason = suggest_stage(rank_of.get(pid), trend, days)
        result[pid] = StageSuggestion(pid, stage, rank_of.get(pid), recent, prev, trend, days, reason)
    return result


def _core(shares: dict[int, float]) -> set[int]:
    """The products that together make up CORE_SHARE of the total, biggest first (the one crossing it included)."""
    core, total = set(), 0.0
    for pid, share in sorted(shares.items(), key=lambda kv: (-kv[1], kv[0])):
        if share <= 0 or total >= CORE_SHARE - 1e-9:
            break
        core.add(pid)
        total += share
    return core


def actual_roles(sales: dict[int, ProductSales]) -> dict[int, RoleShare]:
    """PROD-7: which products really drive traffic and which really make the profit (80/20)."""
    use_visits = any(s.visits is not None for s in sales.values())
    traffic = {}
    profit = {}
    for pid, s in sales.items():
        units = sum(sum(w) for w in _window(s.daily_units))
        traffic[pid] = (s.visits or 0) if use_visits else units
        profit[pid] = units * (s.price_fen - s.cost_fen)
    total_traffic = sum(traffic.values())
    total_profit = sum(p for p in profit.values() if p > 0)
    traffic_share = {pid: (v / total_traffic if total_traffic else 0.0) for pid, v in traffic.items()}
    profit_share = {pid: (max(p, 0) / total_profit if total_profit else 0.0) for pid, p in profit.items()}
    traffic_core, profit_core = _core(traffic_share), _core(profit_share)
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
