"""The help desk's background work: thin tasks around legal/services.py and
legal/reminders.py, taking ids, idempotent, retried with backoff (DESIGN.md §6)."""

from smtplib import SMTPException

from celery import shared_task
from django.conf import settings
from django.urls import reverse

from legal.models import HelpRequest
from move.accounts import emails


def request_link(help_request: HelpRequest) -> str:
    return settings.MOVE_SITE_URL.rstrip("/") + reverse(
        "legal:request-detail", kwargs={"key": help_request.key}
    )


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
