"""The background job around an uploaded import file (PROD-1): keep the upload privately, start the job, and run it
with progress after every batch; the result feeds the job page's summary.
"""

import uuid
from pathlib import Path

from django.conf import settings

from zhanggui.core import uploads

from .import_report import REPORT_DIR
from .imports import import_file

UPLOAD_DIR = REPORT_DIR / "uploads"


def save_upload(uploaded) -> tuple[str, str]:
    """Check an uploaded file (type, size, signature) and keep it privately until its job has read it.
    Returns (path relative to MEDIA_ROOT, original name)."""
    suffix = uploads.check_upload(uploaded, "catalog_import", uploads.SHEETS).suffix
    folder = Path(settings.MEDIA_ROOT) / UPLOAD_DIR
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{uuid.uuid4().hex}{suffix}"
    with path.open("wb") as out:
        for chunk in uploaded.chunks():
            out.write(chunk)
    return str(path.relative_to(settings.MEDIA_ROOT)), Path(uploaded.name).name


def start_import(user, uploaded, shop=None):
    """Save the upload and start the import job; returns the Job (its page shows the progress)."""
    from zhanggui.core.jobs import start_job

    from ..tasks import import_products

    upload, name = save_upload(uploaded)
    return start_job(
        user,
        kind="catalog_import",
        title=f"商品导入：{name}",
        task=import_products,
        params={"upload": upload, "name": name},
        shop=shop,
    )


def run_import_job(job) -> dict:
    """The body of the import job: progress after every batch; the result feeds the job page's summary."""
    from zhanggui.core.jobs import report

    path = Path(settings.MEDIA_ROOT) / job.params["upload"]
    try:
        result = import_file(
            job.created_by,
            path,
            name=job.params.get("name", ""),
            progress=lambda done, total: report(job, done, total, message="正在导入"),
            report_name=f"import-{job.pk}",
        )
    finally:
        path.unlink(missing_ok=True)
    report(job, result.rows, result.rows, message=f"{result.rows} 行，用时 {result.seconds:.1f} 秒")
    return {
        **result.summary(),
        "file": result.report,
        "file_label": "下载错误报告",
        "summary": [
            {"label": "新增", "value": result.created, "tone": "success"},
            {"label": "更新", "value": result.updated, "tone": "primary"},
            {"label": "未变", "value": result.unchanged, "tone": "secondary"},
            {"label": "失败", "value": result.failed, "tone": "danger"},
        ],
    }
