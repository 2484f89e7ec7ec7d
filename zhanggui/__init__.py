"""zhanggui (掌柜): the back office a small team runs its marketplace shops on."""

from .celery import app as celery_app

__all__ = ["celery_app"]
