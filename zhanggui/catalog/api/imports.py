"""Catalog API: bulk import (multipart upload → background job) — PROD-1: a catalog of thousands of SKUs lives in
spreadsheets, so an integration uploads the same file as the page."""

from django.urls import reverse
from ninja import File, Router, Schema, Status
from ninja.files import UploadedFile

from zhanggui.core.apitools import api_route
from zhanggui.core.errors import DomainError

from ..services import import_jobs

router = Router(tags=["catalog"])
REQUIRED_FILE = File(...)  # the multipart field `file`


class ImportStarted(Schema):
    job_id: int
    status: str
    status_url: str  # GET it for progress and, when done, the counts and the error report
    page_url: str


@api_route(router.post, "/catalog/imports", perm="catalog.add_product", response={202: ImportStarted})
def start_import(request, file: UploadedFile = REQUIRED_FILE):
    """Upload an .xlsx or .csv (multipart field `file`) and start the import; answers the job id at once."""
    if file is None:
        raise DomainError("file_missing", "请上传 .xlsx 或 .csv 文件", "file")
    job = import_jobs.start_import(request.user, file)
    return Status(
        202,
        {
            "job_id": job.pk,
            "status": job.status,
            "status_url": f"/api/v1/jobs/{job.pk}",
            "page_url": reverse("job", args=[job.pk]),
        },
    )
