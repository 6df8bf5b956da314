"""Celery application. Without REDIS_URL, settings make tasks run inline (the demo)."""

import os

from celery import Celery
from celery.signals import worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "move.settings")

app = Celery("move")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Records each periodic task's last run when it succeeds (task_success), for /healthz.
import move.beat  # noqa: E402, F401


@worker_init.connect
def refuse_a_key_that_does_not_open_the_data(**kwargs):
    """A worker with a wrong MOVE_ENCRYPTION_KEY does not start (as the web does not,
    move/wsgi.py): Celery only logs the exceptions of signal handlers, so exit."""
    from django.db import connections

    from move.privacy.checks import verify_keys_at_start
    from move.privacy.crypto import UnreadableData

    try:
        verify_keys_at_start()
    except UnreadableData as error:
        raise SystemExit(f"The Celery worker does not start: {error}") from None
    finally:
        # Not carried into the worker processes forked next.
        connections.close_all()
