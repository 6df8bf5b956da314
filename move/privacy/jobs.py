"""Files made by jobs (subject-access exports hold identities in clear): kept a week
for their owner to download, then deleted by the retention job with their rows."""

from datetime import date, datetime, time, timedelta

from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext as _

from move.privacy import retention
from move.privacy.files import delete_file, private_root  # noqa: F401 (used by others)
from move.privacy.models import Job

KEPT_DAYS = 7


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
