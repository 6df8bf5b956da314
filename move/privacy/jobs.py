"""Files made by jobs (subject-access exports hold identities in clear): kept a week
for their owner to download, then deleted by the retention job with their rows."""

from datetime import date, datetime, time, timedelta
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext as _

from move.privacy import retention
from move.privacy.models import Job

KEPT_DAYS = 7


def private_root() -> Path:
    return Path(settings.MEDIA_ROOT) / "private"


def delete_file(name: str) -> None:
    """A job's file, if it lies in the private folder (a row pointing elsewhere is a
    bug, not something to delete)."""
    if not name:
        return
    root = private_root().resolve()
    path = (root / name).resolve()
    if path.is_relative_to(root):
        path.unlink(missing_ok=True)


def expired(today: date):
    cutoff = timezone.make_aware(datetime.combine(today - timedelta(days=KEPT_DAYS), time.min))
    return Job.objects.filter(finished_at__lt=cutoff).order_by("pk")


def forget(job: Job, today: date) -> bool:
    delete_file(job.file)
    job.delete()
    return True


def _description() -> str:
    return _("Files made by jobs (exports), %(days)s days after they were ready") % {
        "days": KEPT_DAYS
    }


def register() -> None:
    retention.register(
        retention.Rule(
            name="privacy.jobs",
            description=lazy(_description, str)(),
            candidates=expired,
            apply=forget,
            label=lambda job: f"{job.kind} {job.subject}",
        )
    )
