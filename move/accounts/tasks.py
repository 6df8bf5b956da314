from smtplib import SMTPException

from celery import shared_task
from django.urls import reverse

from move.accounts import emails
from move.accounts.models import Invitation


@shared_task(
    autoretry_for=(OSError, SMTPException),
    retry_backoff=True,
    retry_jitter=True,
    max_retries=5,
)
def send_invitation(invitation_id: int, site_url: str) -> None:
    """E-mail an invitation's link, outside the request: a slow or failing SMTP server
    does not hold the page, and the send is retried. The token is made here, so that it
    exists only in the e-mail; a retry makes a new one (the failed send delivered none).
    Quiet if the invitation is no longer waiting."""
    invitation = Invitation.objects.select_related("organisation").filter(pk=invitation_id).first()
    if invitation is None or invitation.status != "pending":
        return
    token = invitation.new_token()
    invitation.save(update_fields=["token_hash", "expires_at"])
    path = reverse("accounts:invitation-accept", args=[token])
    emails.send_invitation(invitation, site_url.rstrip("/") + path)


@shared_task(
    autoretry_for=(OSError, SMTPException),
    retry_backoff=True,
    retry_jitter=True,
    max_retries=5,
)
def tell_access_change(entry_id: int) -> None:
    """Queued when a change of access is recorded: one e-mail task per person told, so
    that a retry sends again only what failed."""
    from move.accounts import access_changes

    entry = access_changes.entries().filter(pk=entry_id).first()
    if entry is None:
        return
    for person in access_changes.told_of(entry):
        send_access_change.delay(entry_id, person.pk)
    if access_changes.old_address_of(entry) is not None:
        send_sign_in_address_change.delay(entry_id)


@shared_task(
    autoretry_for=(OSError, SMTPException),
    retry_backoff=True,
    retry_jitter=True,
    max_retries=5,
)
def send_access_change(entry_id: int, person_id: int) -> None:
    from move.accounts import access_changes
    from move.accounts.models import User

    entry = access_changes.entries().filter(pk=entry_id).first()
    person = User.objects.filter(pk=person_id, is_active=True).first()
    if entry is None or person is None:
        return
    emails.send_access_change(entry, person)


@shared_task(
    autoretry_for=(OSError, SMTPException),
    retry_backoff=True,
    retry_jitter=True,
    max_retries=5,
)
def send_sign_in_address_change(entry_id: int) -> None:
    """The person whose sign-in address was changed is told at the old one (even if
    their account is switched off: someone may be taking it over)."""
    from move.accounts import access_changes

    entry = access_changes.entries().filter(pk=entry_id).first()
    found = access_changes.old_address_of(entry) if entry is not None else None
    if found is None:
        return
    person, old_address = found
    emails.send_sign_in_address_change(entry, person, old_address)


@shared_task
def clear_expired_sessions() -> int:
    """Daily: expired sessions and their "open sessions" records (IP address, browser)
    are not kept. Returns how many records were removed."""
    from importlib import import_module

    from allauth.usersessions.models import UserSession
    from django.conf import settings

    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()
    return sum(1 for record in UserSession.objects.iterator() if record.purge())
