"""After-sales figures (/aftersales/stats/, AS-2, AS-5, AS-6): refund rate per shop, per product and per reason,
the average time to close, and the daily trend as an ECharts chart with a table toggle (?view=table shows the table
first, also without JavaScript). For the manager, 售后 and 财务 (aftersales.view_every_case: every case type); the
shops in view (the shop switcher). The figures come from aftersales/stats.py."""

from django.shortcuts import render
from django.urls import path

from zhanggui.core.access import page
from zhanggui.core.money import fen_to_yuan

from .. import selectors, stats

STATS = "aftersales.view_every_case"


@page(STATS)
def stats_page(request):
    shops = list(request.scope.shops)
    found = stats.figures(selectors.cases_for(request.user, shops), shops, request.GET.get("days"))
    trend = found["trend"]
    table = [
        {"day": d, "opened": o, "closed": c, "refunded_fen": m}
        for d, o, c, m in zip(trend["days"], trend["opened"], trend["closed"], trend["refunded_fen"], strict=True)
    ]
    chart = {**trend, "refunded_yuan": [float(fen_to_yuan(m)) for m in trend["refunded_fen"]]}
    return render(
        request,
        "aftersales/stats.html",
        {
            **found,
            "periods": stats.PERIODS,
            "table": table,
            "chart": chart,
            "view": "table" if request.GET.get("view") == "table" else "chart",
        },
    )


urls = [path("stats/", stats_page, name="stats")]
