"""Catalog pages: bulk import and export of products, SKUs and listings (PROD-1: a catalog of thousands of SKUs
lives in spreadsheets, so import and export are the everyday way in and out)."""

import io

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from zhanggui.core import uploads
from zhanggui.core.access import page
from zhanggui.core.errors import DomainError
from zhanggui.core.export_cells import safe_row

from .. import rules_imports as rules
from ..services import exports, import_jobs

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _columns() -> list[dict]:
    return [
        {"header": c.header, "required": c.required, "aliases": "、".join(a for a in c.aliases if not a.isascii())}
        for c in rules.columns()
    ]


@page("catalog.add_product")
def import_page(request):
    """Upload form (GET) and start of the import job (POST): .xlsx or .csv, checked before the job starts."""
    error = None
    if request.method == "POST":
        uploaded = request.FILES.get("file")
        if uploaded is None:
            error = "请选择要导入的 .xlsx 或 .csv 文件"
        else:
            try:
                job = import_jobs.start_import(request.user, uploaded, shop=request.scope.current)
            except DomainError as exc:
                error = exc.message
            else:
                return redirect("job", job_id=job.pk)
    return render(
        request,
        "catalog/import.html",
        {
            "error": error,
            "columns": _columns(),
            "max_mb": uploads.limit_mb("catalog_import"),
            "shops": request.scope.shops,
        },
        status=400 if error else 200,
    )


@require_POST
@page("catalog.view_product")
def export_view(request):
    """Export the shops in view to XLSX as a background job; the file is private to whoever asked."""
    job = exports.start_export(request.user, request.scope.shops, shop=request.scope.current)
    return redirect("job", job_id=job.pk)


@page("catalog.add_product")
def import_template(request):
    """An empty sheet with the import's headers and one example row."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "商品"
    sheet.append(rules.export_headers())
    shop = request.scope.shops[0].code if request.scope.shops else ""
    sheet.append(
        safe_row(
            ["A1001", "纯棉短袖T恤", "女装/T恤", "掌柜", "白色", "M", "A1001-WH-M", "6901234567892", 180, 25, 99, 89]
            + ([shop, "夏季新款纯棉短袖T恤女宽松百搭", 79, "草稿", "", ""] if shop else [])
        )
    )
    out = io.BytesIO()
    book.save(out)
    response = HttpResponse(out.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = (
        "attachment; filename*=UTF-8''%E5%95%86%E5%93%81%E5%AF%BC%E5%85%A5%E6%A8%A1%E6%9D%BF.xlsx"
    )
    return response


urls = [
    path("import/", import_page, name="import"),
    path("import/template/", import_template, name="import_template"),
    path("export/", export_view, name="export"),
]
