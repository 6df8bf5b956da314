from celery import shared_task
from django.db import InterfaceError, OperationalError

from detainees import export
from move.privacy.models import Job


@shared_task(
    bind=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    retry_jitter=True,
    max_retries=5,
)
def export_person(self, job_id: int) -> None:
    """Build a subject-access export (detainees/export.py). Quiet when the job is gone or
    already finished, so that a second delivery or a retry does nothing twice; a job
    caught half-way is built again from the start into the same file."""
    job = Job.objects.select_related("owner").filter(pk=job_id).first()
    if job is None or job.done:
        return
    export.build_export(job, last_attempt=self.request.retries >= self.max_retries)
