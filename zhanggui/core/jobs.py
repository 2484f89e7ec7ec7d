"""Long jobs with progress a page can show (imports, exports, reports) — always in the background, never in the request.

`start_job` creates the Job row and, after commit, hands its task to the runner of settings.ZHANGGUI_JOBS:
"celery" (a broker is configured: a worker runs it), "thread" (no broker, e.g. `make run` or a broker-less
gunicorn: a background thread of the web process runs it, so the request returns at once and no request timeout
can cut the job short), "inline" (the tests: the task runs in the caller, after commit).

Tasks decorated with `job_task` receive the Job and report progress through `report`. While one runs, a heartbeat
thread stamps `heartbeat_at`; a running job whose heartbeat is older than the lease (its process died: a killed
worker, a restarted web process) is marked failed with that reason by `reap_stale_jobs` — run by the scheduler, by
beat, and whenever its page is looked at — and can be started again (`resume_job`): imports upsert by platform
order number / SKU code, so a second run completes the first.
"""

import logging
import os
import socket
import threading
from datetime import timedelta
from functools import wraps

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string

from .errors import DomainError
from .models import Job

log = logging.getLogger(__name__)


def runner() -> str:
    return getattr(settings, "ZHANGGUI_JOBS", "inline")


def start_job(user, *, kind: str, title: str, task, params: dict | None = None, shop=None) -> Job:
    job = Job.objects.create(
        kind=kind, title=title, params=params or {}, created_by=user, shop=shop, task=getattr(task, "name", "")
    )
    transaction.on_commit(lambda: dispatch(task, job.pk))
    return job


def dispatch(task, job_id: int) -> None:
    """Hand a job to the configured runner (called after commit)."""
    mode = runner()
    if mode == "celery":
        task.delay(job_id)
    elif mode == "thread":
        threading.Thread(target=_run_in_thread, args=(task, job_id), name=f"job-{job_id}", daemon=True).start()
    else:
        task.apply(args=(job_id,)) if hasattr(task, "apply") else task(job_id)


def _run_in_thread(task, job_id: int) -> None:
    try:
        task.apply(args=(job_id,)) if hasattr(task, "apply") else task(job_id)
    except Exception:  # job_task recorded the reason; nothing else to tell
        log.exception("background job %s", job_id)
    finally:
        connection.close()  # this thread's own connection


def report(job: Job, done: int, total: int | None = None, message: str = "") -> None:
    """Save progress (a single UPDATE, safe to call every few hundred rows)."""
    job.done = done
    if total is not None:
        job.total = total
    fields = {"done": job.done, "total": job.total}
    if message:
        job.message = fields["message"] = message[:500]
    Job.objects.filter(pk=job.pk).update(**fields)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class _Heartbeat:
    """Stamps the job's heartbeat every ZHANGGUI_JOB_HEARTBEAT_SECONDS from its own thread and connection, so a
    long row loop or a slow query of the job itself never looks like a dead process."""

    def __init__(self, job_id: int):
        self.job_id, self.stop = job_id, threading.Event()
        self.thread = threading.Thread(target=self.beat, name=f"job-{job_id}-heartbeat", daemon=True)

    def beat(self) -> None:
        every = settings.ZHANGGUI_JOB_HEARTBEAT_SECONDS
        try:
            while not self.stop.wait(every):
                try:
                    Job.objects.filter(pk=self.job_id, status=Job.Status.RUNNING).update(heartbeat_at=timezone.now())
                except Exception:  # a busy database: the next beat tries again (the lease is several beats)
                    log.warning("job %s: heartbeat not saved", self.job_id, exc_info=True)
        finally:
            connection.close()

    def __enter__(self):
        if runner() != "inline":  # inline (tests): the caller's own transaction; nothing else may write meanwhile
            self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        if self.thread.is_alive():
            self.thread.join(timeout=5)


def job_task(func):
    """Wrap a task body `func(job)`: running (with a heartbeat) → done (with its result) or failed (with the
    reason)."""

    @wraps(func)
    def run(job_id: int):
        job = Job.objects.get(pk=job_id)
        now = timezone.now()
        Job.objects.filter(pk=job.pk).update(
            status=Job.Status.RUNNING, heartbeat_at=now, worker=worker_name(), resumable=False
        )
        try:
            with _Heartbeat(job.pk):
                result = func(job) or {}
        except Exception as exc:  # the job page shows the reason; the worker log keeps the traceback
            log.exception("job %s (%s) failed", job.pk, job.kind)
            Job.objects.filter(pk=job.pk).update(
                status=Job.Status.FAILED, message=str(exc)[:500] or type(exc).__name__, finished_at=timezone.now()
            )
            return {"error": str(exc)}
        Job.objects.filter(pk=job.pk).update(
            status=Job.Status.DONE,
            result=result,
            result_file=result.get("file", ""),
            done=job.total or job.done,
            message=job.message,
            finished_at=timezone.now(),
        )
        return result

    return run


def _lease() -> timedelta:
    return timedelta(seconds=settings.ZHANGGUI_JOB_LEASE_SECONDS)


def reap_stale_jobs(now=None) -> int:
    """Mark failed, with the reason, every running job whose process stopped beating (died), and — without a
    broker — every queued job no process took within the lease (the web process that was to run it ended).
    Conditional UPDATEs, so any number of processes may reap at once. Returns how many jobs were marked."""
    now = now or timezone.now()
    cutoff = now - _lease()
    reaped = 0
    stale = Job.objects.filter(status=Job.Status.RUNNING, heartbeat_at__lt=cutoff)
    for job in stale.only("pk", "worker", "heartbeat_at", "done", "total"):
        last = timezone.localtime(job.heartbeat_at).strftime("%Y-%m-%d %H:%M:%S")
        reason = (
            f"处理该任务的进程已停止（{job.worker or '未知进程'}，最后心跳 {last}，已处理 {job.done}/{job.total}），"
            "可重新开始：已导入的数据不会重复"
        )
        reaped += Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING, heartbeat_at__lt=cutoff).update(
            status=Job.Status.FAILED, message=reason, resumable=True, finished_at=now
        )
    if runner() == "thread":
        waited = Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, created_at__lt=cutoff)
        reaped += Job.objects.filter(waited, status=Job.Status.QUEUED).update(
            status=Job.Status.FAILED,
            message="任务排队后，要运行它的进程已停止，可重新开始",
            resumable=True,
            finished_at=now,
        )
    return reaped


def resume_job(user, job: Job) -> Job:
    """Start a job again whose process died (resumable): same task, same parameters, same Job row."""
    if job.status != Job.Status.FAILED or not job.resumable or not job.task:
        raise DomainError("job_not_resumable", "只有因进程停止而失败的任务可以重新开始")
    try:
        task = import_string(job.task)
    except ImportError:
        raise DomainError("job_not_resumable", "该任务已无法重新开始，请重新提交") from None
    with transaction.atomic():
        updated = Job.objects.filter(pk=job.pk, status=Job.Status.FAILED, resumable=True).update(
            status=Job.Status.QUEUED,
            message="已重新开始",
            resumable=False,
            finished_at=None,
            heartbeat_at=timezone.now(),  # when it was queued again (the lease of a queued job)
        )
        if updated:
            transaction.on_commit(lambda: dispatch(task, job.pk))
    job.refresh_from_db()
    return job
