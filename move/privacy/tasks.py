from datetime import timedelta

from celery import shared_task
from django.db import InterfaceError, OperationalError

from move.privacy import jobs, retention


@shared_task(
    bind=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    retry_jitter=True,
    max_retries=5,
)
def apply_retention(self) -> dict[str, int]:
    """Daily (CELERY_BEAT_SCHEDULE): apply every registered retention rule. Idempotent:
    a rule only finds what is still due, so a retry or a second run erases nothing
    twice. Returns how many records each rule erased."""
    return {report.name: report.count for report in retention.run()}


@shared_task(
    name="move.privacy.tasks.recover_jobs",
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    retry_jitter=True,
    max_retries=3,
)
def recover_jobs(stale_seconds: float | None = None) -> dict[str, int]:
    """Every minute (CELERY_BEAT_SCHEDULE): queue again the jobs whose worker went silent
    (killed half-way), or fail them after the last attempt (move/privacy/jobs.py).
    Idempotent and safe to run twice at once. `stale_seconds` overrides
    MOVE_JOB_STALE_MINUTES (the worker test uses a few seconds)."""
    stale = timedelta(seconds=stale_seconds) if stale_seconds else None
    return jobs.recover(stale=stale)
