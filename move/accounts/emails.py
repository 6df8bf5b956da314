"""E-mails, rendered in the recipient's language (templates/emails/<name>-*.txt)."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation


def send(name: str, to: str, language: str, context: dict) -> None:
    with translation.override(language):
        subject = render_to_string(f"emails/{name}-subject.txt", context).strip()
        body = render_to_string(f"emails/{name}-body.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to])


def send_invitation(invitation, link: str) -> None:
    send(
        "invitation",
        invitation.email,
        invitation.language,
        {"invitation": invitation, "link": link, "days": settings.MOVE_INVITATION_DAYS},
    )


def send_access_change(entry, person) -> None:
    """Tell `person` of a change of access (an auditlog entry), in their language."""
    from move.accounts import access_changes

    with translation.override(person.language):
        context = {
            "sentence": access_changes.sentence(entry),
            "when": entry.timestamp,
            "organisations": ", ".join(access_changes.organisation_names(entry)),
        }
    send("access-change", person.email, person.language, context)
