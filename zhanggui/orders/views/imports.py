"""Importing export files (/orders/import/, ORD-1): pick one of your shops, upload one or more files (the Taobao
pair, JD, PDD, our XLSX template); the import runs as a background job with progress on /me/jobs/<id>/. Recent
runs of your shops are listed with their counts and error reports (served only to staff of that shop)."""

from pathlib import Path

from django.conf import settings
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import path

from zhanggui.core.access import allowed_shops, page, scoped_get
from zhanggui.core.errors import DomainError

from ..models import ImportRun
from ..services import import_jobs
from .common import IMPORT, VIEW


@page(IMPORT)
def import_page(request):
    shops = list(allowed_shops(request.user))
    error = None
    chosen = request.POST.get("shop") or (request.scope.current.pk if request.scope.current else "")
    if request.method == "POST":
        shop = next((s for s in shops if str(s.pk) == str(chosen)), None)
        if shop is None:
            error = "请选择要导入的店铺"
        else:
            try:
                job = import_jobs.start_import(request.user, shop, request.FILES.getlist("files"))
            except DomainError as exc:
                error = exc.message
            else:
                return redirect("job", job_id=job.pk)
    runs = ImportRun.objects.filter(shop__in=shops).select_related("shop", "actor")[:20]
    return render(
        request,
        "orders/import.html",
        {"shops": shops, "chosen": str(chosen), "error": error, "runs": runs},
        status=400 if error else 200,
    )


@page(VIEW)
def import_report(request, run_id: int):
    """The error report of one run (XLSX), only for staff of the run's shop (404 for everyone else)."""
    run = scoped_get(ImportRun.objects.all(), request.user, pk=run_id)
    if not run.report:
        raise Http404
    root = Path(settings.MEDIA_ROOT).resolve()
    file = (root / run.report.name).resolve()
    if root not in file.parents or not file.is_file():
        raise Http404
    return FileResponse(file.open("rb"), as_attachment=True, filename=f"订单导入错误-{run.pk}.xlsx")


urls = [
    path("import/", import_page, name="import"),
    path("imports/<int:run_id>/report/", import_report, name="import_report"),
]
