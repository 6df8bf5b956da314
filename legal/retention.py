"""Retention of the help desk (DESIGN.md §4), registered with move.privacy: an outside
caller's contact (name, phone, e-mail) is erased MOVE_RETENTION_HELP_CONTACT_MONTHS (12)
months after the request was closed. A request reopened since (closed_at cleared) keeps
it. Each erasure is written to the access log.

The contact never reaches the history: auditlog follows the request's status, assignee,
urgency, topic, case file and centre only (legal/apps.py), and the search words are
built from the subject and the thread."""

from datetime import date

from django.conf import settings
from django.db.models import F
from django.utils.functional import lazy
from django.utils.translation import gettext as _

from detainees.clock import add_months
from legal.models import HelpRequest
from legal.reminders import end_of
from move.privacy import access, retention
from move.privacy.models import AccessLogEntry

CONTACT_RULE = "legal.help-contact"
CONTACT_FIELDS = ("contact_name", "contact_phone", "contact_email")


def contact_due(today: date):
    """Closed requests still holding a contact, closed on or before the cutoff day."""
    cutoff = add_months(today, -settings.MOVE_RETENTION_HELP_CONTACT_MONTHS)
    return (
        HelpRequest.objects.filter(
            status=HelpRequest.Status.CLOSED,
            closed_at__lt=end_of(cutoff),
            contact_erased_on__isnull=True,
        )
        .exclude(contact_name="", contact_phone="", contact_email="")
        .order_by("code")
    )


def erase_contact(help_request: HelpRequest, today: date) -> bool:
    """Lock the request, then ask again: one reopened since the list was read keeps
    its contact."""
    HelpRequest.objects.select_for_update().filter(pk=help_request.pk).first()
    if not contact_due(today).filter(pk=help_request.pk).exists():
        return False
    # The version moves on: a form opened before cannot write the contact back.
    HelpRequest.objects.filter(pk=help_request.pk).update(
        **dict.fromkeys(CONTACT_FIELDS, ""), contact_erased_on=today, version=F("version") + 1
    )
    access.record(
        None,
        AccessLogEntry.Action.RETENTION,
        help_request.code,
        f"retention:{CONTACT_RULE}",
        "contact",
    )
    return True


def _description() -> str:
    return _(
        "Contacts of the help desk's outside callers, %(months)s months after the request "
        "was closed"
    ) % {"months": settings.MOVE_RETENTION_HELP_CONTACT_MONTHS}


def _code(help_request: HelpRequest) -> str:
    return help_request.code


def register() -> None:
    retention.register(
        retention.Rule(
            name=CONTACT_RULE,
            description=lazy(_description, str)(),
            candidates=contact_due,
            apply=erase_contact,
            label=_code,
        )
    )
