"""Pure pricing rules (PROD-9, PROD-10): the price floor, the cost-plus check, group-buy tiers.

No database here: the services feed these functions with amounts in fen and with the shop's settings. Named
events exempt from the floor run on their days only (`rules_events`).
"""

import datetime as dt
import re
from dataclasses import dataclass, field

from zhanggui.core import clock
from zhanggui.core.money import format_fen

from .rules_events import exempt_events as named_events

_SPLIT = re.compile(r"[,，、;；\s]+")


@dataclass(frozen=True)
class PriceCheck:
    """Outcome of `check_price`: `refused` (with `code`/`message`) or accepted, possibly with warnings."""

    price_fen: int
    floor_fen: int | None  # None: no list price, no floor to check
    refused: bool = False
    code: str = ""
    message: str = ""
    exempt_event: str = ""  # the named event that allowed a price below the floor
    margin_percent: float | None = None  # (price − cost) / cost × 100; None when the cost is unknown
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.refused

    def as_dict(self) -> dict:
        return {
            "ok": self.ok,
            "price_fen": self.price_fen,
            "floor_fen": self.floor_fen,
            "code": self.code,
            "message": self.message,
            "exempt_event": self.exempt_event,
            "margin_percent": self.margin_percent,
            "warnings": list(self.warnings),
        }


def parse_events(text: str | list | tuple | None) -> list[str]:
    """ "双11,双12，618、店庆:09-01~09-07" → ["双11", "双12", "618", "店庆"] (commas, Chinese commas, 、 or
    spaces; a shop's own window after the colon)."""
    return list(named_events(text))


def floor_fen(list_price_fen: int, floor_percent: int) -> int:
    """The lowest allowed price: `floor_percent` of the list price, rounded up to the fen (PROD-9: 7折)."""
    return -(-list_price_fen * floor_percent // 100)


def check_price(
    list_price_fen: int,
    price_fen: int,
    cost_fen: int,
    floor_percent: int = 70,
    min_margin_percent: int = 10,
    event: str = "",
    exempt_events: str | list | tuple = (),
    on: dt.date | None = None,
) -> PriceCheck:
    """PROD-9: refuse a price below `floor_percent` % of the list price (default 70 = 7折) unless `event` is one
    of the named exempt events (双11…) and runs on `on` (default: today in Beijing); warn — never refuse — when
    the margin over cost is below `min_margin_percent` (cost-plus: buyers do not pay for our cost, a price that
    barely covers it earns nothing).
    """
    event = (event or "").strip()
    if price_fen is None or price_fen <= 0:
        return PriceCheck(price_fen or 0, None, True, "invalid_price", "价格必须大于 0")
    floor = floor_fen(list_price_fen, floor_percent) if list_price_fen and list_price_fen > 0 else None
    warnings: list[str] = []
    refused, code, message, exempt = False, "", "", ""
    # Exact comparison in integers: price / list < floor_percent / 100.
    if floor is not None and price_fen * 100 < list_price_fen * floor_percent:
        named = named_events(exempt_events).get(event) if event else None
        day = on or clock.today()
        if named is not None and named.is_open(day):
            exempt = event
            warnings.append(
                f"低于底价 {format_fen(floor)}（吊牌价的 {floor_percent}%），仅因“{event}”活动允许，活动结束请恢复价格"
            )
        else:
            refused, code = True, "below_floor"
            discount = price_fen * 1000 // list_price_fen / 100  # 折, cut (not rounded): 69.99% → 6.99 折
            message = (
                f"价格 {format_fen(price_fen)} 低于底价 {format_fen(floor)}"
                f"（吊牌价 {format_fen(list_price_fen)} 的 {floor_percent}%，当前约 {discount:.2f} 折）："
                "日常销售不得低于底价"
            )
            if named is not None:
                message += (
                    f"；“{event}”只在活动期内（{named.describe()}）可低于底价，{day.month}月{day.day}日不在活动期内"
                )
            elif event:
                message += f"；“{event}”不是可低于底价的活动（{'、'.join(parse_events(exempt_events)) or '无'}）"
            else:
                message += "，只有双11等指定活动除外，或由店长确认破价"
    if floor is None:
        warnings.append("未设置吊牌价，无法检查底价")
    margin = None
    if cost_fen and cost_fen > 0:
        margin = round((price_fen - cost_fen) * 100 / cost_fen, 2)
        if price_fen < cost_fen:
            warnings.append(
                f"价格低于成本 {format_fen(cost_fen)}，每件亏损 {format_fen(cost_fen - price_fen)}：买家不会为成本买单"
            )
        elif price_fen * 100 < cost_fen * (100 + min_margin_percent):
            warnings.append(
                f"毛利仅 {margin:.1f}%（低于 {min_margin_percent}%）：价格刚够覆盖成本 {format_fen(cost_fen)}，"
                "买家不会为成本买单，请确认利润空间"
            )
    return PriceCheck(price_fen, floor, refused, code, message, exempt, margin, warnings)


def parse_group_tiers(text: str) -> list[tuple[int, int | None]]:
    """PROD-9 group-buy tiers from the setting: "10-20,20+" → [(10, 19), (20, None)].

    A tier ends where the next one starts ("10-20" followed by "20+" means 10–19 and 20 or more), so the tiers
    never overlap. Raises ValueError (with a Chinese message) for anything that is not such a list.
    """
    tiers: list[tuple[int, int | None]] = []
    for part in _SPLIT.split((text or "").strip()):
        if not part:
            continue
        try:
            if part.endswith("+"):
                tiers.append((int(part[:-1]), None))
            elif "-" in part or "–" in part:
                low, high = re.split(r"[-–]", part, maxsplit=1)
                tiers.append((int(low), int(high)))
            else:
                tiers.append((int(part), None))
        except ValueError:
            raise ValueError(f"团购阶梯格式不正确：“{part}”，应为如 10-20,20+") from None
    tiers.sort()
    result: list[tuple[int, int | None]] = []
    for i, (low, high) in enumerate(tiers):
        if low < 1 or (high is not None and high < low):
            raise ValueError(f"团购阶梯不正确：{low}-{high}")
        nxt = tiers[i + 1][0] if i + 1 < len(tiers) else None
        if nxt is not None:
            if nxt == low:
                raise ValueError(f"团购阶梯重复：{low} 件起")
            high = nxt - 1 if high is None or high >= nxt else high
        result.append((low, high))
    return result


def validate_tiers(tiers: list[tuple[int, int | None, int]]) -> list[str]:
    """Problems in a list of (min_qty, max_qty, price_fen) tiers: overlaps, open tier not last, bad numbers."""
    problems = []
    ordered = sorted(tiers, key=lambda t: t[0])
    for i, (low, high, price) in enumerate(ordered):
        if low < 1:
            problems.append(f"起订量必须至少为 1（{low}）")
        if high is not None and high < low:
            problems.append(f"{low} 件起的阶梯：上限 {high} 小于起订量")
        if price is None or price <= 0:
            problems.append(f"{low} 件起的阶梯：团购价必须大于 0")
        if i + 1 < len(ordered):
            nxt = ordered[i + 1][0]
            if high is None or high >= nxt:
                problems.append(f"{low} 件起的阶梯与 {nxt} 件起的阶梯重叠")
    return problems
