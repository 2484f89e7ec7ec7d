"""Shop diagnosis in words (DATA-4): the rules S1 applies to its March figures, as a rule table (RULES, data):
each rule has a condition over the figures, a threshold that is a shop setting (shop_settings.py, rule DATA-4),
the sentence with the figures filled in and the action, with a link where the app has the page for it.

`diagnose(shop, first, last)` is what the dashboard and the weekly report call; `evaluate(now, before, limits)` is
the pure part (the S1 test feeds it S1's own figures).

Figures (selectors.traffic_sums over the period): pages_per_visit = PV ÷ UV; uv_per_day = UV ÷ days recorded;
shares of the sources (search, free = in-platform free, direct, paid, other) over their sum.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.urls import NoReverseMatch, reverse


@dataclass
class Finding:
    rule: str  # the rule's id in RULES
    sentence: str  # the figures in words (Chinese)
    action: str
    link: str = ""  # a page of the app to act on it
    link_label: str = ""
    figures: dict = field(default_factory=dict)


def _pct(x) -> str:
    return f"{x * 100:.2f}%"


def _free_share(f) -> float | None:
    shares = f.get("shares") or {}
    if shares.get("search") is None:
        return None
    return shares["search"] + shares["free"]


def _uv_change(now, before) -> float | None:
    if not before or not before.get("uv_per_day"):
        return None
    return now["uv_per_day"] / before["uv_per_day"] - 1


# The rule table (DATA-4). `when(now, before, limit)` → bool; `say` / `do` format with the figures and the limit.
RULES: list[dict] = [
    {
        "id": "low_pages_per_visit",
        "setting": "analytics.min_pages_per_visit_x10",
        "limit": lambda v: v / 10,
        "when": lambda now, before, limit: now["pages_per_visit"] is not None and now["pages_per_visit"] < limit,
        "say": "平均访问深度只有 {ppv:.2f} 页/人（浏览量 {pv_day:.0f} ÷ 访客数 {uv_day:.0f}），低于 {limit:.1f}："
        "店铺没有黏性，访客看一页就走，成交率因此偏低。",
        "do": "完善店铺基础视觉：首页突出店铺定位和活动信息，优化宝贝主图。",
        "link": "catalog:list",
        "link_label": "去看商品与主图",
    },
    {
        "id": "uv_flat_after_paid",
        "setting": "analytics.uv_flat_pct",
        "limit": lambda v: v / 100,
        "when": lambda now, before, limit: (
            now["shares"]["paid"] is not None
            and now["shares"]["paid"] >= now["paid_started"]
            and (before["shares"]["paid"] or 0) < now["shares"]["paid"]
            and _uv_change(now, before) is not None
            and abs(_uv_change(now, before)) <= limit
        ),
        "say": "付费推广开始后访客数仍在每天 {uv_day:.0f} 人左右"
        "（之前 {uv_before:.0f} 人，变化 {uv_change}），付费流量占 {paid}：有了展现，主图却没有换来点击。",
        "do": "突出宝贝主图的信息量（活动信息、卖点），让搜索和类目展现后的买家愿意点击。",
        "link": "catalog:list",
        "link_label": "去优化主图",
    },
    {
        "id": "paid_over_half",
        "setting": "analytics.max_paid_pct",
        "limit": lambda v: v / 100,
        "when": lambda now, before, limit: now["shares"]["paid"] is not None and now["shares"]["paid"] > limit,
        "say": "付费推广带来 {paid} 的流量，超过 {limit_pct}：店铺一半以上的流量靠付费推广买来。",
        "do": "删除付费推广（直通车 / 京东快车 / 多多搜索）中一直没有展现的关键词，换上能展现的热词。",
        "link": "",
        "link_label": "",
    },
    {
        "id": "low_free_share",
        "setting": "analytics.min_free_pct",
        "limit": lambda v: v / 100,
        "when": lambda now, before, limit: _free_share(now) is not None and _free_share(now) < limit,
        "say": "免费流量（搜索 {search} + 站内免费 {free}）只占 {free_total}，低于 {limit_pct}。",
        "do": "做宝贝标题的 SEO 优化，让搜索和类目带来更多免费访客。",
        "link": "catalog:title_check",
        "link_label": "打开标题检查",
    },
]


def _words(now: dict, before: dict | None, limit) -> dict:
    shares = now["shares"]
    change = _uv_change(now, before)
    free = _free_share(now)
    return {
        "ppv": now["pages_per_visit"] or 0,
        "pv_day": now["pv_per_day"],
        "uv_day": now["uv_per_day"],
        "uv_before": (before or {}).get("uv_per_day") or 0,
        "uv_change": "—" if change is None else f"{change * 100:+.1f}%",
        "paid": "—" if shares["paid"] is None else _pct(shares["paid"]),
        "search": "—" if shares["search"] is None else _pct(shares["search"]),
        "free": "—" if shares["free"] is None else _pct(shares["free"]),
        "free_total": "—" if free is None else _pct(free),
        "limit": limit,
        "limit_pct": f"{limit * 100:.0f}%",
    }


def _link(name: str) -> str:
    if not name:
        return ""
    try:
        return reverse(name)
    except NoReverseMatch:
        return ""


def evaluate(now: dict, before: dict | None, settings: dict) -> list[Finding]:
    """The findings of RULES over one period's figures (`now`) and the period before (`before`, may be None);
    `settings`: the shop's settings by key (the thresholds). Figures: pv, uv, days, pages_per_visit, shares."""
    if not now or not now.get("days") or not now.get("uv"):
        return []
    now = _with_per_day(now, settings)
    before = _with_per_day(before, settings) if before and before.get("days") else None
    if before is None:
        before = {"shares": {"paid": None}, "uv_per_day": None}
    found = []
    for rule in RULES:
        limit = rule["limit"](settings[rule["setting"]])
        if rule["when"](now, before, limit):
            words = _words(now, before, limit)
            found.append(
                Finding(
                    rule=rule["id"],
                    sentence=rule["say"].format(**words),
                    action=rule["do"],
                    link=_link(rule["link"]),
                    link_label=rule["link_label"],
                    figures=words,
                )
            )
    return found


def _with_per_day(figures: dict, settings: dict) -> dict:
    days = figures.get("days") or 1
    out = dict(figures)
    out["uv_per_day"] = figures["uv"] / days
    out["pv_per_day"] = figures["pv"] / days
    out["paid_started"] = settings.get("analytics.paid_started_pct", 20) / 100
    return out


def diagnose(shop, first: dt.date, last: dt.date) -> list[Finding]:
    """DATA-4: the findings for one shop over [first, last] against the period before (for the dashboard and the
    weekly report)."""
    from zhanggui.shops.settings_store import get_settings

    from .. import selectors

    now = selectors.traffic_sums([shop.pk], first, last)
    before_first, before_last = selectors.previous_period(first, last)
    before = selectors.traffic_sums([shop.pk], before_first, before_last)
    return evaluate(now, before, get_settings(shop))
