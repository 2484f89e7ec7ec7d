"""Analytics scheduled tasks."""

from celery import shared_task


@shared_task(name="zhanggui.analytics.tasks.weekly_reports")
def weekly_reports():
    """DATA-6: every Monday morning, last week's report of every active shop (idempotent: one per shop and week)."""
    from .services.weekly import make_last_week

    return len(make_last_week())
