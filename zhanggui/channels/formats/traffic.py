"""Reading the platforms' daily shop traffic exports (DATA-1) into plain `TrafficRow` values: no database access
here (analytics/services/traffic.py writes what this reads).

Layouts, told apart by the headers of the header row (the first row holding a date column and a visitor column;
the preamble lines 生意参谋 puts above it are skipped):
- 生意参谋 → 流量 → 店铺来源 / 流量看板 → 下载 (Taobao and Tmall): 统计日期, 浏览量, 访客数, 人均浏览量,
  平均停留时长, 老访客数 or 回访客占比, and by source 淘内免费, 付费流量, 自主访问, 淘外流量, 其它来源 (older exports:
  搜索引擎, 淘宝站内/天猫站内, 直接访问, 淘宝推广/天猫推广, 其他) — S1's March table uses the older names;
- 京东商智 → 流量 → 流量概况 → 导出: 日期, 浏览量, 访客数, 人均浏览量, 平均停留时长(秒), 回访客占比, 搜索流量,
  站内免费, 直接访问, 付费流量 / 京东快车, 其他;
- 拼多多 数据中心 → 流量数据 → 导出: 日期, 店铺浏览量 / 商品浏览量, 店铺访客数 / 商品访客数, 平均停留时长,
  老访客占比, 搜索访客数, 场景访客数 (free placements), 直接访问访客数, 推广访客数 (多多搜索/场景推广), 其他访客数;
- our own XLSX template (TEMPLATE_HEADERS).
platform-formats.md does not describe traffic exports; the header names follow the seller centres' screens and are
kept as data (ALIASES / MARKERS), so a renamed column is one line here. A share column ("26.41%") is not a count:
only counts are read; shares are computed from them.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

TEMPLATE_HEADERS = ("日期", "浏览量", "访客数", "平均停留时长(秒)", "回访客占比", "搜索", "站内免费", "直接访问")
TEMPLATE_HEADERS += ("付费推广", "其他来源")

ALIASES: dict[str, tuple[str, ...]] = {
    "day": ("统计日期", "日期", "时间", "数据日期"),
    "pv": ("浏览量", "浏览量(PV)", "浏览量PV", "PV", "店铺浏览量", "商品浏览量", "页面浏览量"),
    "uv": ("访客数", "访客数(UV)", "访客数UV", "UV", "店铺访客数", "商品访客数"),
    "stay": (
        "平均停留时长(秒)",
        "平均停留时长",
        "人均停留时长",
        "人均店内停留时间(秒)",
        "人均店内停留时间",
        "停留时长",
    ),
    "returning": ("回访客占比", "老访客占比", "浏览回头率", "回头率", "老访客率"),
    "returning_count": ("老访客数", "回访客数"),
    "search": ("搜索", "搜索引擎", "淘外流量", "搜索流量", "搜索访客数", "自然搜索"),
    "free": ("站内免费", "淘内免费", "淘宝站内", "天猫站内", "场景访客数", "免费流量"),
    "direct": ("直接访问", "自主访问", "直接访问访客数"),
    "paid": ("付费推广", "付费流量", "淘宝推广", "天猫推广", "京东快车", "推广访客数", "付费访客数"),
    "other": ("其他来源", "其它来源", "其他", "其它", "其他访客数"),
}
REQUIRED = ("day", "uv")

# Headers only one platform's export has (first match wins; none → our template or an unknown layout).
MARKERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("tmall", ("天猫站内", "天猫推广")),
    ("taobao", ("淘内免费", "淘宝站内", "淘宝推广", "自主访问", "淘外流量")),
    ("jd", ("京东快车", "京东商智")),
    ("pdd", ("商品访客数", "店铺访客数", "场景访客数", "推广访客数", "多多搜索")),
)
LAYOUT_PLATFORMS = {"tmall": {"tmall", "taobao"}, "taobao": {"tmall", "taobao"}, "jd": {"jd"}, "pdd": {"pdd"}}
LAYOUT_NAMES = {"tmall": "生意参谋", "taobao": "生意参谋", "jd": "京东商智", "pdd": "拼多多数据中心"}


@dataclass
class TrafficRow:
    line: int
    day: dt.date | None = None
    values: dict[str, int] = field(default_factory=dict)  # pv, uv, stay_seconds, returning_permille, sources
    problem: str = ""


def _key(header: str) -> str:
    return re.sub(r"[\s\u3000（）()]", "", str(header or "")).lower()


_LOOKUP = {_key(a): name for name, aliases in ALIASES.items() for a in aliases}


def columns(header: list[str]) -> dict[str, int]:
    """canonical field → column index (first header found wins)."""
    found: dict[str, int] = {}
    for index, cell in enumerate(header):
        name = _LOOKUP.get(_key(cell))
        if name and name not in found:
            found[name] = index
    return found


def layout_of(header: list[str]) -> str:
    """'tmall' / 'taobao' / 'jd' / 'pdd' by the headers only that platform's export has, else 'template'."""
    keys = {_key(c) for c in header}
    for layout, markers in MARKERS:
        if any(_key(m) in keys for m in markers):
            return layout
    return "template"


def fits(layout: str, platform: str) -> bool:
    return layout == "template" or platform in LAYOUT_PLATFORMS.get(layout, {platform})


def parse_day(text: str) -> dt.date | None:
    text = str(text or "").strip()
    match = re.match(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})", text) or re.match(r"^(\d{4})(\d{2})(\d{2})$", text)
    if not match:
        return None
    try:
        return dt.date(*(int(g) for g in match.groups()))
    except ValueError:
        return None


def parse_count(text: str) -> int | None:
    """A whole count: "1,693", "1693次", "3 次"; blank or "-" → 0; anything else (a decimal, a negative) → None."""
    text = str(text or "").strip().replace(",", "").replace("，", "").replace("次", "").replace("人", "").strip()
    if text in ("", "-", "—"):
        return 0
    if text.endswith(".0"):
        text = text[:-2]
    return int(text) if text.isdigit() else None


def parse_seconds(text: str) -> int | None:
    """ "424.94", "424.94 秒", "00:07:04" → whole seconds (rounded)."""
    text = str(text or "").strip().replace("秒", "").strip()
    if text in ("", "-", "—"):
        return 0
    if ":" in text:
        parts = text.split(":")
        if all(p.isdigit() for p in parts):
            total = 0
            for p in parts:
                total = total * 60 + int(p)
            return total
        return None
    try:
        value = float(text)
    except ValueError:
        return None
    return round(value) if 0 <= value < 10**7 else None


def parse_permille(text: str) -> int | None:
    """ "11.12%" → 111 ‰; "0.1112" → 111 ‰; blank → 0; outside 0–100 % → None."""
    text = str(text or "").strip()
    if text in ("", "-", "—"):
        return 0
    try:
        value = float(text[:-1]) / 100 if text.endswith("%") else float(text)
    except ValueError:
        return None
    return round(value * 1000) if 0 <= value <= 1 else None


LABELS = {"day": "日期", "pv": "浏览量", "uv": "访客数", "stay": "平均停留时长", "returning": "回访客占比"}
LABELS |= {"search": "搜索", "free": "站内免费", "direct": "直接访问", "paid": "付费推广", "other": "其他来源"}
LABELS |= {"returning_count": "老访客数"}
COUNTS = ("pv", "uv", "search", "free", "direct", "paid", "other", "returning_count")


def read_row(line: int, cells: list[str], cols: dict[str, int]) -> TrafficRow | None:
    """One data row (None for a blank or a summary line such as 合计/平均)."""

    def cell(name):
        index = cols.get(name)
        return cells[index] if index is not None and index < len(cells) else ""

    if not any(str(c).strip() for c in cells):
        return None
    raw_day = str(cell("day")).strip()
    if raw_day in ("合计", "总计", "平均", "均值", "汇总"):
        return None
    row = TrafficRow(line=line, day=parse_day(raw_day))
    if row.day is None:
        row.problem = f"日期“{raw_day[:20]}”无效"
        return row
    for name in COUNTS:
        if name in cols:
            value = parse_count(cell(name))
            if value is None or value > 2_000_000_000:
                row.problem = f"{LABELS[name]}“{str(cell(name))[:20]}”不是有效的人数/次数"
                return row
            row.values[name] = value
    stay = parse_seconds(cell("stay"))
    if stay is None:
        row.problem = f"平均停留时长“{str(cell('stay'))[:20]}”无效"
        return row
    row.values["stay_seconds"] = stay
    returning = parse_permille(cell("returning"))
    if returning is None:
        row.problem = f"回访客占比“{str(cell('returning'))[:20]}”应在 0% 到 100% 之间"
        return row
    count = row.values.pop("returning_count", None)
    if "returning" not in cols and count is not None and row.values.get("uv"):
        returning = round(count * 1000 / row.values["uv"])
    row.values["returning_permille"] = min(returning, 1000)
    if row.values.get("pv", 0) < row.values["uv"] and "pv" in cols:
        row.problem = f"浏览量 {row.values['pv']} 少于访客数 {row.values['uv']}"
    return row
