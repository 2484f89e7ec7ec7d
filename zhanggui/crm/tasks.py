from celery import shared_task
from django.conf import settings

from zhanggui.core.jobs import job_task, report

from .selectors import customers_in
from .services import export_customers_csv


@shared_task
@job_task
def export_customers(job):
    """TEAM-5: the customer export as a background job; the file is private to the person who asked."""
    from zhanggui.core.access import allowed_shops

    user = job.created_by
    shops = allowed_shops(user).filter(code__in=job.params["shops"])
    customers = customers_in(shops, job.params.get("keyword", ""))
    report(job, 0, customers.count())
    text, full = export_customers_csv(user, customers)
    folder = settings.MEDIA_ROOT / "private" / "exports"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"customers-{job.pk}.csv"
    path.write_text(text, encoding="utf-8-sig")  # BOM so Excel opens the Chinese text correctly
    return {"file": str(path.relative_to(settings.MEDIA_ROOT)), "rows": job.total, "personal_data": full}
