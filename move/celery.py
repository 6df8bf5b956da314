"""Celery application. Without REDIS_URL, settings make tasks run inline (the demo)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "move.settings")

app = Celery("move")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
