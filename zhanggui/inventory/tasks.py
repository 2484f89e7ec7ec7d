"""Inventory background tasks."""

from celery import shared_task

from zhanggui.core.jobs import job_task


@shared_task(name="zhanggui.inventory.tasks.export_ledger")
@job_task
def export_ledger(job):
    """INV-2: the filtered stock ledger as an XLSX file, built in the background."""
    from .exports import run_ledger_export

    return run_ledger_export(job)


@shared_task(name="zhanggui.inventory.tasks.remind_stocktakes")
def remind_stocktakes():
    """INV-6: daily, the warehouse role gets a task when the monthly count window is near and nothing is planned."""
    from .services.stocktake_window import remind_due

    return remind_due()
