"""The reminder of the coming hearings (the beat job legal.tasks.remind_hearings).

Each hearing that starts within the next WINDOW is told once to every active person who
keeps the strategic cases (legal.change_litigation, asked of permissions.py), in their
language, with the court, the moment, the place and a link: never the case's title,
parties, notes or reference (a council chamber's file number is not public; no personal
data in an e-mail).

At most once per hearing and person, however many times the job runs: the hearing is
claimed first, its `reminded_at` set by a conditional UPDATE (only while it is empty)
committed before any e-mail leaves; then each recipient is sent to in turn. A second
run, or the task's retry, finds the hearing claimed and sends nothing, so nobody gets
the reminder twice. The trade-off: a recipient whose sending fails (a refused address,
the mail server down) is logged and counted, and does not get this reminder: it is not
sent again, neither to them (a permanently refused address would otherwise be retried
forever) nor, above all, to the others who already got it. A hearing moved to another
date is reminded of again (litigation_views.save_hearing)."""

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from legal.models import Hearing
from legal.reminders import site_link
from move.accounts import emails, permissions
from move.accounts.models import User

logger = logging.getLogger(__name__)

WINDOW = timedelta(days=7)
PERMISSION = "legal.change_litigation"
EMAIL = "hearing-reminder"


def keepers() -> list[User]:
    """Active people who hold the permission now."""
    return list(permissions.holders(PERMISSION).order_by("email"))


def due(now):
    """Hearings starting within the window, not yet reminded of, the nearest first."""
    return (
        Hearing.objects.filter(
            starts_at__gte=now, starts_at__lt=now + WINDOW, reminded_at__isnull=True
        )
        .select_related("case")
        .order_by("starts_at", "pk")
    )


def context(hearing) -> dict:
    case = hearing.case
    return {
        # Its court's name is read in the recipient's language, when rendered; never its
        # reference (a council chamber's file number is not public).
        "case": case,
        "starts_at": timezone.localtime(hearing.starts_at, timezone.get_default_timezone()),
        "place": hearing.place,
        "link": site_link("legal:litigation-detail", key=case.key),
    }


@dataclass
class Outcome:
    sent: int = 0
    failed: int = 0


def claim(hearing, now) -> bool:
    """Mark the hearing reminded of, committed at once; False when another run did."""
    with transaction.atomic():
        return bool(
            Hearing.objects.filter(pk=hearing.pk, reminded_at__isnull=True).update(reminded_at=now)
        )


def remind(hearing, recipients, now) -> Outcome:
    """Claim the hearing, then tell each recipient in turn; one failure is logged and
    counted, and keeps neither the others nor the claim (see the module's docstring)."""
    outcome = Outcome()
    if not claim(hearing, now):
        return outcome
    message = context(hearing)
    for person in recipients:
        try:
            emails.send(EMAIL, person.email, person.language, message)
        except Exception:
            logger.exception(
                "The reminder of hearing %s could not be sent to user %s", hearing.pk, person.pk
            )
            outcome.failed += 1
        else:
            outcome.sent += 1
    return outcome


def remind_hearings(now) -> int:
    """Tell legal of each hearing of the coming week, at most once each; the number of
    e-mails sent. A refused e-mail is logged (and counted in the log), never raised:
    the retry it would cause could send nothing more (each hearing is claimed)."""
    recipients = keepers()
    if not recipients:
        return 0
    sent = failed = 0
    for hearing in due(now):
        outcome = remind(hearing, recipients, now)
        sent, failed = sent + outcome.sent, failed + outcome.failed
    if failed:
        logger.warning("Hearing reminders: %s sent, %s could not be sent", sent, failed)
    return sent
