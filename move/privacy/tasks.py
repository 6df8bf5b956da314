from celery import shared_task
from django.db import InterfaceError, OperationalError

from move.privacy import retention


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
