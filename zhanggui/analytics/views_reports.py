"""数据 → 商品分析 (DATA-5) and 周报 (DATA-6): pages over the shops in scope; reads in products.py / report_doc.py,
the report itself written by services/weekly.py. Weekly reports are what an agency's client (role "client") sees."""

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from zhanggui.core.access import page, scoped_get
from zhanggui.core.money import format_fen
from zhanggui.core.paging import paginate

from . import products, report_doc, selectors
from .models import WeeklyReport

PRODUCTS = "analytics.view_product_analysis"
REPORTS = "analytics.view_weeklyreport"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _pct(rate):
    return "—" if rate is None else f"{rate * 100:.1f}%"


ROLE_LABELS = {"traffic": "traffic driver", "profit": "profit item", "promotion": "promotion item"}


def _role(code: str) -> str:
    return _(ROLE_LABELS[code]) if code in ROLE_LABELS else "—"


@page(PRODUCTS, shop_scoped=True)
def product_analysis(request):
    """DATA-5: best sellers, 80/20 of sales and of profit, actual vs declared role, stock cover."""
    first, last, problem, _field = selectors.parse_range(request.GET.get("from"), request.GET.get("to"))
    analysis = products.analyse([s.pk for s in request.scope.shops], first, last)
    rows = [
        {"r": r, "gmv": format_fen(r.gmv_fen), "profit": format_fen(r.profit_fen), "margin": _pct(r.margin),
         "gmv_share": _pct(r.gmv_share), "profit_share": _pct(r.profit_share), "units_share": _pct(r.units_share),
         "gmv_cum": _pct(r.gmv_cumulative), "profit_cum": _pct(r.profit_cumulative),
         "actual": _role(r.actual_role), "declared": _role(r.declared_role),
         "cover": "—" if r.cover_days is None else f"{r.cover_days:.1f}"}
        for r in analysis.rows
    ]  # fmt: skip
    by_profit = sorted(analysis.rows, key=lambda r: (-r.profit_fen, r.style_code))
    chart = {
        "names": [r.style_code for r in analysis.rows],
        "gmv": [r.gmv_fen / 100 for r in analysis.rows],
        "gmv_cum": [round(r.gmv_cumulative * 100, 1) for r in analysis.rows],
        "profit_names": [r.style_code for r in by_profit],
        "profit": [r.profit_fen / 100 for r in by_profit],
        "profit_cum": [round(r.profit_cumulative * 100, 1) for r in by_profit],
        "labels": {"gmv": _("GMV (paid)"), "profit": _("Gross profit"), "cum": _("Cumulative share")},
    }
    top = {key: analysis.top(key, 10) for key in ("units", "gmv_fen", "profit_fen")}
    context = {
        "analysis": analysis, "problem": problem, "rows": rows, "chart": chart, "top": top,
        "sales_core": len(analysis.core("sales")), "profit_core": len(analysis.core("profit")),
        "total_gmv": format_fen(analysis.gmv_fen), "total_profit": format_fen(analysis.profit_fen),
    }  # fmt: skip
    return render(request, "analytics/products.html", context)


@page(REPORTS, shop_scoped=True)
def weekly_list(request):
    """DATA-6: the weekly reports of the shops in scope, newest week first."""
    reports = WeeklyReport.objects.filter(shop__in=request.scope.shops).select_related("shop")
    page_obj = paginate(request, reports, "weekly_reports", default=30)
    for report in page_obj.object_list:
        current = report.figures.get("current", {})
        report.gmv = format_fen(current.get("gmv_fen", 0))
        report.profit = format_fen(current.get("profit_fen", 0))
    return render(request, "analytics/weekly_list.html", {"page_obj": page_obj})


@page(REPORTS, shop_scoped=True)
def weekly_detail(request, report_id: int):
    """DATA-6: one report; ?format=pdf (A4) or ?format=xlsx downloads it."""
    report = scoped_get(WeeklyReport.objects.select_related("shop"), request.user, pk=report_id)
    name = f"weekly-{report.shop.code}-{report.week_start:%Y%m%d}"
    kind = request.GET.get("format")
    if kind == "pdf":
        response = HttpResponse(
            report_doc.render_pdf(report, request.user.get_full_name()), content_type="application/pdf"
        )
        response["Content-Disposition"] = f'inline; filename="{name}.pdf"'
        return response
    if kind == "xlsx":
        response = HttpResponse(report_doc.render_xlsx(report), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
        return response
    f = report.figures
    context = {
        "report": report, "title": report_doc.title(report), "lines": report_doc.lines(f),
        "best": report_doc.product_lines(f.get("best", [])), "worst": report_doc.product_lines(f.get("worst", [])),
        "service": report_doc.service_lines(f), "diagnosis": f.get("diagnosis"), "has_target": bool(f.get("target")),
    }  # fmt: skip
    return render(request, "analytics/weekly_detail.html", context)
