from celery import shared_task
from django.db import InterfaceError, OperationalError

from move.ops import alerts, backup


@shared_task(name="move.ops.tasks.nightly_backup")
def nightly_backup() -> dict:
    """Each night (CELERY_BEAT_SCHEDULE): an archive of the database and the private
    files, the retention applied, then the coordinators told if it failed or the last
    good one is too old. Not retried: a failure is most often one that persists (the
    disk full, a wrong passphrase), and tomorrow's run tries again. It fails as a task
    too, so that the health checks do not count it as a run."""
    try:
        outcome = backup.run()
    except backup.BackupError as error:
        alerts.check_and_tell(failure=str(error))
        raise
    told = alerts.check_and_tell()
    return {
        "file": outcome.file,
        "size": outcome.size,
        "deleted": len(outcome.deleted),
        "told": told,
    }


@shared_task(
    name="move.ops.tasks.check_backups",
    autoretry_for=(OperationalError, InterfaceError, OSError),
    retry_backoff=True,
    retry_jitter=True,
    max_retries=3,
)
def check_backups() -> int:
    """Each morning: the same check as after the nightly backup, which also notices a
    night when it did not run at all. Returns how many e-mails were sent."""
    return alerts.check_and_tell()
