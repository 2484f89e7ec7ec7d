"""Long jobs with progress a page can show (imports, exports, reports).

`start_job` creates the Job row and queues its Celery task after commit; with no broker the task runs
inline. Tasks decorated with `job_task` receive the Job and report progress through `report`.
"""

import logging
from functools import wraps

from django.db import transaction
from django.utils import timezone

from .models import Job

log = logging.getLogger(__name__)


def start_job(user, *, kind: str, title: str, task, params: dict | None = None, shop=None) -> Job:
    job = Job.objects.create(kind=kind, title=title, params=params or {}, created_by=user, shop=shop)
    transaction.on_commit(lambda: task.delay(job.pk))
    return job


def report(job: Job, done: int, total: int | None = None, message: str = "") -> None:
    """Save progress (a single UPDATE, safe to call every few hundred rows)."""
    job.done = done
    if total is not None:
        job.total = total
    fields = {"done": job.done, "total": job.total}
    if message:
        job.message = fields["message"] = message[:500]
    Job.objects.filter(pk=job.pk).update(**fields)


def job_task(func):
    """Wrap a task body `func(job)`: running → done (with its result) or failed (with the reason)."""

    @wraps(func)
    def run(job_id: int):
        job = Job.objects.get(pk=job_id)
        Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING)
        try:
            result = func(job) or {}
        except Exception as exc:  # the job page shows the reason; the worker log keeps the traceback
            log.exception("job %s (%s) failed", job.pk, job.kind)
            Job.objects.filter(pk=job.pk).update(
                status=Job.Status.FAILED, message=str(exc)[:500], finished_at=timezone.now()
            )
            return {"error": str(exc)}
        Job.objects.filter(pk=job.pk).update(
            status=Job.Status.DONE,
            result=result,
            result_file=result.get("file", ""),
            done=job.total or job.done,
            finished_at=timezone.now(),
        )
        return result

    return run
