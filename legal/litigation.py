"""The reminder of the coming hearings (the beat job legal.tasks.remind_hearings).

Each hearing that starts within the next WINDOW is told once to every active person who
keeps the strategic cases (legal.change_litigation, asked of permissions.py), in their
language, with the court, the reference, the moment, the place and a link: never the
case's title, parties or notes (no personal data in an e-mail).

Once, however many times the job runs: the hearing's `reminded_at` is set by a
conditional UPDATE (only while it is empty), in the same transaction as the sending. A
second run finds it set (or waits for the first run's row lock, then finds it set) and
sends nothing; a failed sending rolls it back, so that the retry sends again. A hearing
moved to another date is reminded of again (litigation_views.save_hearing)."""

import logging
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
    roles = permissions.roles_with(PERMISSION)
    candidates = (
        User.objects.filter(is_active=True, memberships__role__in=roles)
        .distinct()
        .order_by("email")
    )
    return [user for user in candidates if permissions.has_perm(user, PERMISSION)]


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
        "case": case,  # its court's name is read in the recipient's language, when rendered
        "reference": case.reference,
        "starts_at": timezone.localtime(hearing.starts_at, timezone.get_default_timezone()),
        "place": hearing.place,
        "link": site_link("legal:litigation-detail", key=case.key),
    }


def remind(hearing, recipients, now) -> int:
    """Claim the hearing and tell everyone; 0 when another run claimed it first."""
    with transaction.atomic():
        claimed = Hearing.objects.filter(pk=hearing.pk, reminded_at__isnull=True).update(
            reminded_at=now
        )
        if not claimed:
            return 0
        for person in recipients:
            emails.send(EMAIL, person.email, person.language, context(hearing))
    return len(recipients)


def remind_hearings(now) -> int:
    """Tell legal of each hearing of the coming week, once; the number of e-mails sent.
    One hearing's failed e-mail does not keep the others: it is raised once they are
    sent, so that the task is retried (and sends only what is still unsent)."""
    recipients = keepers()
    if not recipients:
        return 0
    sent, failure = 0, None
    for hearing in due(now):
        try:
            sent += remind(hearing, recipients, now)
        except Exception as error:
            logger.exception("The reminder of hearing %s failed", hearing.pk)
            failure = failure or error
    if failure is not None:
        raise failure
    return sent
