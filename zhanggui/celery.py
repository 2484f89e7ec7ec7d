"""Celery: workers and beat in production; inline execution when no broker is configured."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhanggui.settings")

app = Celery("zhanggui")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
