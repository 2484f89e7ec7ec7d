"""Catalog background tasks."""

from celery import shared_task

from zhanggui.core.jobs import job_task


@shared_task(name="zhanggui.catalog.tasks.run_listing_schedules")
def run_listing_schedules():
    """PROD-2: run the scheduled list/delist changes that are due (every minute, from CELERY_BEAT_SCHEDULE).
    Idempotent: each schedule is claimed once, so overlapping runs never repeat a change."""
    from .services.listing_schedules import run_due_schedules

    return run_due_schedules()


@shared_task(name="zhanggui.catalog.tasks.import_products")
@job_task
def import_products(job):
    """PROD-1: bulk import of products, SKUs and listings from an uploaded XLSX/CSV, in the background because
    a file of 50,000 SKU rows takes longer than a page request may."""
    from .services.import_jobs import run_import_job

    return run_import_job(job)


@shared_task(name="zhanggui.catalog.tasks.export_products")
@job_task
def export_products(job):
    """PROD-1: export to XLSX with the import's columns, so export → edit → import round-trips."""
    from .services.exports import run_export_job

    return run_export_job(job)
