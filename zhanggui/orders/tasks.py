"""Orders background tasks."""

from celery import shared_task

from zhanggui.core.jobs import job_task


@shared_task(name="zhanggui.orders.tasks.import_orders")
@job_task
def import_orders(job):
    """ORD-1: import uploaded order export files into one shop (orders:import)."""
    from .services.import_jobs import run_import_job

    return run_import_job(job)


@shared_task(name="zhanggui.orders.tasks.export_order_list")
@job_task
def export_order_list(job):
    """ORD-6: 导出当前筛选 — the order list's tab, filters, search and shops as an XLSX file (services.list_export)."""
    from .services.list_export import run_list_export

    return run_list_export(job)
