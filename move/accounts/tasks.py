from smtplib import SMTPException

from celery import shared_task

from move.accounts import emails
from move.accounts.models import Invitation


@shared_task(
    autoretry_for=(OSError, SMTPException),
    retry_backoff=True,
    retry_jitter=True,
    max_retries=5,
)
def send_invitation(invitation_id: int, link: str) -> None:
    """E-mail an invitation's link, outside the request: a slow or failing SMTP server
    does not hold the page, and the send is retried. Quiet if it is no longer waiting."""
    invitation = Invitation.objects.select_related("organisation").filter(pk=invitation_id).first()
    if invitation is None or invitation.status != "pending":
        return
    emails.send_invitation(invitation, link)
