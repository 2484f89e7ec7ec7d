"""After-sales background tasks."""

from celery import shared_task


@shared_task(name="zhanggui.aftersales.tasks.escalate_overdue")
def escalate_overdue() -> int:
    """AS-6: overdue cases (follow-up time passed) go to the manager; idempotent, run from CELERY_BEAT_SCHEDULE."""
    from .services.work import escalate_overdue as escalate

    return escalate()
