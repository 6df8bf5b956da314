"""The help desk's background work: thin tasks around legal/services.py and
legal/reminders.py, taking ids, idempotent, retried with backoff (DESIGN.md §6)."""

from smtplib import SMTPException

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from legal import reminders
from legal.models import HelpRequest
from legal.reminders import request_link
from move.accounts import emails

__all__ = [
    "remind_hearings",
    "remind_newsletter_due",
    "request_link",
    "send_newsletter",
    "send_reminders",
    "tell_answered",
]


@shared_task(
    autoretry_for=(OSError, SMTPException),
    retry_backoff=True,
    retry_jitter=True,
    max_retries=5,
)
def tell_answered(request_id: int, message_id: int) -> None:
    """Tell the asker that the lawyer answered: in their language, the code and a link,
    never the question or the answer (no personal data in an e-mail)."""
    help_request = HelpRequest.objects.select_related("requester").filter(pk=request_id).first()
    if help_request is None or help_request.requester is None:
        return
    requester = help_request.requester
    if not requester.is_active:
        return
    emails.send(
        "help-request-answered",
        requester.email,
        requester.language,
        {"code": help_request.code, "link": request_link(help_request)},
    )


@shared_task(
    name="legal.tasks.send_reminders",
    autoretry_for=(OSError, SMTPException),
    retry_backoff=True,
    retry_jitter=True,
    max_retries=5,
)
def send_reminders() -> int:
    """Each morning (beat, move/settings.py): e-mail the lawyers what is due. Run twice,
    or retried after a failed e-mail, it sends each reminder of the day once."""
    return reminders.send_reminders(timezone.localdate())


# --- The newsletter and the strategic cases (issue 11) -------------------------------


@shared_task(
    name="legal.tasks.send_newsletter",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OSError, SMTPException, OperationalError, InterfaceError),
    retry_backoff=True,
    retry_jitter=True,
    max_retries=8,
)
def send_newsletter(self, newsletter_pk: int) -> dict:
    """CONTRACT: render and store the newsletter's PDFs, then e-mail every subscribed
    lawyer once (legal/newsletter.py). Acknowledged late and idempotent: run twice, or
    retried after a worker was killed half-way, it sends only the missing deliveries."""
    from legal import newsletter

    return newsletter.send(newsletter_pk)


@shared_task(
    name="legal.tasks.remind_newsletter_due",
    autoretry_for=(OSError, SMTPException),
    retry_backoff=True,
    retry_jitter=True,
    max_retries=5,
)
def remind_newsletter_due() -> int:
    """Each morning (beat): once a quarter has ended without a newsletter sent, tell
    legal, once each (QuarterReminder)."""
    from legal import newsletter

    return newsletter.remind_quarter_end(timezone.localdate())


@shared_task(
    name="legal.tasks.remind_hearings",
    autoretry_for=(OSError, SMTPException),
    retry_backoff=True,
    retry_jitter=True,
    max_retries=5,
)
def remind_hearings() -> int:
    """Each morning (beat): tell legal of the hearings of the coming week, once each."""
    from legal import litigation

    return litigation.remind_hearings(timezone.now())
