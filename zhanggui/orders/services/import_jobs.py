"""Order imports as background jobs (ORD-1): the page saves the uploaded export files privately, the job reads
and imports them (services.imports.import_files) with progress on /me/jobs/<id>/, then deletes the uploads.

A file that cannot be read at all fails the job with the reader's Chinese message and nothing is imported
(imports.check_readable). The job's result links the run's error report (served by orders:import_report, which
checks the shop).
"""

from __future__ import annotations

import uuid
from pathlib import Path

from django.conf import settings
from django.urls import reverse

from zhanggui.core import uploads
from zhanggui.core.errors import DomainError

UPLOAD_DIR = "private/order-uploads"
ACCEPT = (uploads.CSV, uploads.XLSX, uploads.XLS, uploads.TXT)  # seller-centre exports
MAX_FILES = 10


def check_files(files) -> None:
    """Refuse what is surely not an export before a job starts (ORD-1 item 2: a clear message, nothing imported)."""
    if not files:
        raise DomainError("no_file", "请选择要导入的订单导出文件（.csv 或 .xlsx）", "files")
    if len(files) > MAX_FILES:
        raise DomainError("too_many_files", f"一次最多导入 {MAX_FILES} 个文件", "files")
    for uploaded in files:
        try:  # size and content (core.uploads), named, since several files come at once
            uploads.check_upload(uploaded, "order_import", ACCEPT, field="files")
        except DomainError as exc:
            raise DomainError(exc.code, f"{Path(uploaded.name).name}：{exc.message}", "files") from None


def save_uploads(files) -> list[dict]:
    folder = Path(settings.MEDIA_ROOT) / UPLOAD_DIR
    folder.mkdir(parents=True, exist_ok=True)
    saved = []
    for uploaded in files:
        path = folder / f"{uuid.uuid4().hex}{Path(uploaded.name).suffix.lower()}"
        with path.open("wb") as out:
            for chunk in uploaded.chunks():
                out.write(chunk)
        saved.append({"upload": str(path.relative_to(settings.MEDIA_ROOT)), "name": Path(uploaded.name).name})
    return saved


def start_import(user, shop, files):
    """ORD-1: check and keep the uploads, start the import job for `shop` (the caller checked the user may work
    on it); returns the Job."""
    from zhanggui.core.jobs import start_job

    from ..tasks import import_orders

    check_files(files)
    saved = save_uploads(files)
    names = "、".join(f["name"] for f in saved)
    return start_job(
        user,
        kind="orders_import",
        title=f"订单导入：{shop.name} · {names}"[:200],
        task=import_orders,
        params={"shop": shop.pk, "files": saved},
        shop=shop,
    )


def run_import_job(job) -> dict:
    """The job body: read the files, import them with progress, summary for the job page."""
    from zhanggui.core.jobs import report
    from zhanggui.shops.models import Shop

    from .imports import import_files

    shop = Shop.objects.get(pk=job.params["shop"])
    paths = [(Path(settings.MEDIA_ROOT) / f["upload"], f["name"]) for f in job.params["files"]]
    try:
        files = [(name, path) for path, name in paths]  # paths: the reader streams them (memory flat in file size)
        report(job, 0, None, message="正在读取文件")
        run = import_files(
            job.created_by, shop, files, progress=lambda done, total: report(job, done, total, message="正在导入")
        )
    finally:
        for path, _name in paths:
            path.unlink(missing_ok=True)
    from ..models import ImportRun

    ImportRun.objects.filter(pk=run.pk).update(job=job)
    total = run.created + run.updated + run.unchanged
    report(
        job, total, total, message=f"新增 {run.created}，更新 {run.updated}，未变 {run.unchanged}，失败 {run.failed}"
    )
    result = {
        "run": run.pk,
        "created": run.created,
        "updated": run.updated,
        "unchanged": run.unchanged,
        "failed": run.failed,
        "summary": [
            {"label": "新增", "value": run.created, "tone": "success"},
            {"label": "更新", "value": run.updated, "tone": "primary"},
            {"label": "未变", "value": run.unchanged, "tone": "secondary"},
            {"label": "失败", "value": run.failed, "tone": "danger"},
        ],
        "notes": run.notes.splitlines(),  # ORD-1: expected columns missing and what the import did without them
        "link": reverse("orders:list"),
        "link_label": "查看订单",
    }
    if run.report:  # the job page's download button (owner only); orders:import_report serves the shop's staff
        result.update(file=run.report.name, file_label="下载错误报告")
        result["report_url"] = reverse("orders:import_report", args=[run.pk])
    return result
