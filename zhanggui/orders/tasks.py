"""Orders background tasks."""

from celery import shared_task

from zhanggui.core.jobs import job_task


@shared_task(name="zhanggui.orders.tasks.import_orders")
@job_task
def import_orders(job):
    """ORD-1: import uploaded order export files into one shop (orders:import)."""
    from .services.import_jobs import run_import_job

    return run_import_job(job)
