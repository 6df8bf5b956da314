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


def _access_change_context(entry, person) -> dict:
    """The sentence in `person`'s language; without the name of who made the change
    for those who may not learn it (partners, DESIGN.md §3)."""
    from move.accounts import access_changes

    with translation.override(person.language):
        actor = None
        if access_changes.told_anonymously(person):
            actor = access_changes.anonymous_actor(entry)
        return {
            "sentence": access_changes.sentence(entry, actor=actor),
            "when": entry.timestamp,
            "organisations": ", ".join(access_changes.organisation_names(entry)),
        }


def send_access_change(entry, person) -> None:
    """Tell `person` of a change of access (an auditlog entry), in their language."""
    send("access-change", person.email, person.language, _access_change_context(entry, person))


def send_sign_in_address_change(entry, person, old_address: str) -> None:
    """Tell `person` at their old address that their sign-in address was changed: if it
    was not them who asked, someone may be taking their account over."""
    send(
        "sign-in-address-change",
        old_address,
        person.language,
        _access_change_context(entry, person),
    )
