"""The sales dashboard (DATA-2): per shop or all shops in scope (the shell's shop switcher), any date range beside
the period before it; the figures come from the daily facts (selectors.py), each linking to the orders behind it."""

import datetime as dt

from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from zhanggui.core.access import has_access, page
from zhanggui.core.money import format_fen

from . import selectors
from .services import diagnosis, targets

PERM = "analytics.view_report"


def _orders_url(scope_query: dict, first: dt.date, last: dt.date, **extra) -> str:
    """The order list narrowed to the orders paid in [first, last] (Beijing days) of the shop in view."""
    params = {**scope_query, "by": "paid", "from": first.isoformat(), "to": last.isoformat(), **extra}
    return reverse("orders:list") + "?" + urlencode(params)


def _money(fen):
    return "—" if fen is None else format_fen(fen)


def _pct(rate, places: int = 1):
    return "—" if rate is None else f"{rate * 100:.{places}f}%"


def _count(n):
    return "—" if n is None else f"{n:,}"


def _change(now, before, *, rate=False):
    """(text, direction) of the change against the previous period: % for amounts and counts, points for rates."""
    if now is None or before is None:
        return "", ""
    if rate:
        diff = (now - before) * 100
        text = _("%(diff)s pt") % {"diff": f"{diff:+.1f}"}  # percentage points
        return (text, "up" if diff > 0 else "down" if diff < 0 else "")
    if not before:
        return ("", "up" if now else "")
    change = (now - before) / before * 100
    return (f"{change:+.1f}%", "up" if change > 0 else "down" if change < 0 else "")


def _cards(board: selectors.Dashboard, url: str, refund_url: str, traffic_url: str) -> list[dict]:
    now, before = board.current, board.previous
    rows = [
        ("gmv", _("GMV (paid)"), _money(now.gmv_fen), _money(before.gmv_fen),
         _change(now.gmv_fen, before.gmv_fen), url),
        ("orders", _("Paid orders"), now.orders, before.orders, _change(now.orders, before.orders), url),
        ("buyers", _("Paying buyers"), now.buyers, before.buyers, _change(now.buyers, before.buyers), url),
        ("aov", _("Average order value"), _money(now.aov_fen), _money(before.aov_fen),
         _change(now.aov_fen, before.aov_fen), url),
        ("conversion", _("Conversion"), _pct(now.conversion, 2), _pct(before.conversion, 2),
         _change(now.conversion, before.conversion, rate=True), traffic_url),
        ("uv", _("Visitors (UV)"), _count(now.uv), _count(before.uv), _change(now.uv, before.uv), traffic_url),
        ("pv", _("Page views (PV)"), _count(now.pv), _count(before.pv), _change(now.pv, before.pv), traffic_url),
        ("refund_rate", _("Refund rate"), _pct(now.refund_rate), _pct(before.refund_rate),
         _change(now.refund_rate, before.refund_rate, rate=True), refund_url),
        ("profit", _("Gross profit"), _money(now.profit_fen), _money(before.profit_fen),
         _change(now.profit_fen, before.profit_fen), url),
        ("margin", _("Gross margin"), _pct(now.margin), _pct(before.margin),
         _change(now.margin, before.margin, rate=True), url),
    ]  # fmt: skip
    tips = {
        "buyers": _("Buyers who paid, counted per day: a buyer paying on two days counts on each."),
        "aov": _("GMV ÷ paying buyers."),
        "conversion": _("Paid orders ÷ visitors (UV): shown once the shop's traffic is imported."),
        "uv": _("Visitors of the days with traffic recorded (数据 → 流量)."),
        "refund_rate": _("Refunds ÷ GMV; a closed paid order counts as refunded in full."),
        "profit": _("GMV − refunds − cost of goods at the time of sale."),
        "gmv": _("Paid amount of the orders paid in the period (Beijing days), postage included, before refunds."),
    }
    return [
        {"key": k, "label": label, "now": a, "before": b, "change": c[0], "direction": c[1], "url": u,
         "tip": tips.get(k, "")}
        for k, label, a, b, c, u in rows
    ]  # fmt: skip


@page(PERM, shop_scoped=True)
def home(request):
    """数据 → 销售概况 (DATA-2)."""
    first, last, problem, _field = selectors.parse_range(request.GET.get("from"), request.GET.get("to"))
    scope = request.scope
    board = selectors.dashboard([s.pk for s in scope.shops], first, last)
    query = scope.query()
    url = _orders_url(query, first, last)
    traffic_url = reverse("analytics:traffic") + "?" + urlencode({**query, "from": first, "to": last})
    days = [
        {"day": day, "f": f, "url": _orders_url(query, day, day), "gmv": _money(f.gmv_fen),
         "profit": _money(f.profit_fen), "refund": _money(f.refund_fen)}
        for day, f in board.daily
    ]  # fmt: skip
    chart = {
        "days": [d.strftime("%m-%d") for d, _f in board.daily],
        "gmv": [f.gmv_fen / 100 for _d, f in board.daily],
        "profit": [f.profit_fen / 100 for _d, f in board.daily],
        "orders": [f.orders for _d, f in board.daily],
        "labels": {"gmv": _("GMV (paid)"), "profit": _("Gross profit"), "orders": _("Paid orders")},
    }
    context = {
        "board": board,
        "problem": problem,
        "cards": _cards(board, url, _orders_url(query, first, last, refund="1"), traffic_url),
        "progress": _progress([s.pk for s in scope.shops]),
        "findings": _findings(scope, first, last),
        "can_set_targets": has_access(request.user, "analytics.set_target"),
        "days": days,
        "chart": chart,
        "orders_url": url,
        "uncosted": board.current.uncosted_units,
    }
    return render(request, "analytics/home.html", context)


def _progress(shop_ids) -> list[dict]:
    """DATA-3: the bars of the targets of this month, quarter and year (red when behind pace)."""
    rows = []
    for p in targets.progress(shop_ids):
        show = targets.display_value
        rows.append({
            "p": p, "label": p.label, "target": show(p.measure, p.target), "actual": show(p.measure, p.actual),
            "width": 0 if p.share is None else min(100, round(p.share * 100)),
            "pct": "—" if p.share is None else f"{p.share * 100:.0f}%",
            "expected_pct": None if p.expected is None else min(100, round(p.expected / p.target * 100)),
            "needed": None if p.needed_per_day is None else show(p.measure, p.needed_per_day),
        })  # fmt: skip
    return rows


def _findings(scope, first, last) -> list[tuple]:
    """DATA-4: (shop, findings) of each shop in view (at most 10 shops: the dashboard of all shops of a big company
    shows the first ten's)."""
    out = []
    for shop in scope.shops[:10]:
        found = diagnosis.diagnose(shop, first, last)
        if found:
            out.append((shop, found))
    return out
