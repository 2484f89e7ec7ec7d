"""Core background tasks."""

from celery import shared_task


@shared_task(name="zhanggui.core.tasks.reap_stale_jobs")
def reap_stale_jobs() -> int:
    """Mark failed, with the reason, the background jobs whose process died (core.jobs; every minute)."""
    from .jobs import reap_stale_jobs as reap

    return reap()
