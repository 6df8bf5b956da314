"""The advocacy app's background work: thin tasks around its services, taking ids,
idempotent, retried with backoff (DESIGN.md §6)."""

from smtplib import SMTPException

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone


@shared_task(
    name="advocacy.tasks.make_meeting_pdf",
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    retry_jitter=True,
    max_retries=5,
)
def make_meeting_pdf(job_pk: int, meeting_pk: int, document: str, language: str) -> None:
    """The agenda or the minutes of a meeting as a PDF in French or Dutch, for its Job."""
    from advocacy import meetings

    meetings.make_pdf(job_pk, meeting_pk, document, language)


@shared_task(
    name="advocacy.tasks.remind_follow_ups",
    autoretry_for=(OSError, SMTPException),
    retry_backoff=True,
    retry_jitter=True,
    max_retries=5,
)
def remind_follow_ups() -> int:
    """Each morning (beat): the follow-ups due, to their owners, once per follow-up a day."""
    from advocacy import meetings

    return meetings.remind_follow_ups(timezone.localdate())


@shared_task(
    name="advocacy.tasks.export_witness",
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    retry_jitter=True,
    max_retries=5,
)
def export_witness(job_pk: int, witness_pk: int) -> None:
    """Subject access: everything held on a witness (JSON + PDF), for its Job."""
    from advocacy import witnesses

    witnesses.export(job_pk, witness_pk)


@shared_task(
    name="advocacy.tasks.remind_expiring_consents",
    autoretry_for=(OSError, SMTPException),
    retry_backoff=True,
    retry_jitter=True,
    max_retries=5,
)
def remind_expiring_consents() -> int:
    """Each morning (beat): consents expiring within 30 days, to the pool's keepers, once."""
    from advocacy import witnesses

    return witnesses.remind_expiring_consents(timezone.localdate())


@shared_task(
    name="advocacy.tasks.tell_take_down",
    autoretry_for=(OSError, SMTPException),
    retry_backoff=True,
    retry_jitter=True,
    max_retries=5,
)
def tell_take_down(use_pk: int) -> None:
    """A witness withdrew: tell who recorded the use that it must be taken down."""
    from advocacy import witnesses

    witnesses.tell_take_down(use_pk)
