"""What crosses records on the help desk. Views, tasks and the demo call these; the
access rules themselves are asked of move.accounts.permissions.

Each function saves everything or nothing (transaction.atomic) and raises
`HelpDeskError` with a message in the user's language when the input cannot be taken:
the view shows it beside what was typed."""

from datetime import date, datetime, time

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Min
from django.utils import timezone
from django.utils.translation import gettext as _

from legal import deadlines, search
from legal.models import Deadline, DeadlineRule, HelpRequest, Message
from move.accounts import permissions
from move.accounts.permissions import Role

# The service level: a first answer within so many working days of the request.
FIRST_ANSWER_WORKING_DAYS = 2


class HelpDeskError(ValidationError):
    """Input the help desk cannot take, with the reason for the person who typed it."""


def closed_message() -> str:
    return _(
        "This request is closed: nothing can be added to it. Ask the lawyer to reopen it, "
        "or ask a new question."
    )


def first_answer_due(asked_at: datetime) -> date:
    """The last day of the service level for a request asked at `asked_at`."""
    return deadlines.add_working_days(timezone.localdate(asked_at), FIRST_ANSWER_WORKING_DAYS)


def _organisation_of(user):
    """The requester's organisation as a visitor (the first, when several)."""
    organisations = sorted(permissions.organisations_of(user, {Role.VISITOR}))
    return organisations[0] if organisations else None


@transaction.atomic
def ask(
    user,
    *,
    topic,
    subject: str,
    question: str,
    language: str,
    person=None,
    centre=None,
    urgency: str = HelpRequest.Urgency.NORMAL,
) -> HelpRequest:
    """A visitor asks the lawyer from the application. `person` must already have been
    checked as readable to the user (the form does it, with one message for a code that
    does not exist and one the user may not see)."""
    permissions.require(user, "legal.ask_help")
    now = timezone.now()
    help_request = HelpRequest(
        channel=HelpRequest.Channel.APP,
        requester_kind=HelpRequest.RequesterKind.VISITOR,
        requester=user,
        organisation_id=_organisation_of(user),
        language=language,
        topic=topic,
        subject=subject,
        person=person,
        centre=centre,
        urgency=urgency,
        created_at=now,
        first_answer_due=first_answer_due(now),
    )
    help_request.save()
    Message.objects.create(
        request=help_request, kind=Message.Kind.QUESTION, author=user, text=question, created_at=now
    )
    search.update_search_vector(help_request)
    return help_request


@transaction.atomic
def record(
    lawyer,
    *,
    channel: str,
    requester_kind: str,
    topic,
    subject: str,
    question: str,
    language: str,
    contact_name: str = "",
    contact_phone: str = "",
    contact_email: str = "",
    person=None,
    centre=None,
    urgency: str = HelpRequest.Urgency.NORMAL,
    assignee=None,
    asked_at: datetime | None = None,
) -> HelpRequest:
    """The lawyer records a request that came by phone, e-mail or in person."""
    permissions.require_answer_help_request(lawyer)
    asked_at = asked_at or timezone.now()
    if asked_at > timezone.now():
        raise HelpDeskError(_("A request cannot have been asked in the future."))
    help_request = HelpRequest(
        channel=channel,
        requester_kind=requester_kind,
        contact_name=contact_name,
        contact_phone=contact_phone,
        contact_email=contact_email,
        language=language,
        topic=topic,
        subject=subject,
        person=person,
        centre=centre,
        urgency=urgency,
        assignee=assignee or lawyer,
        status=HelpRequest.Status.IN_PROGRESS,
        created_at=asked_at,
        first_answer_due=first_answer_due(asked_at),
    )
    help_request.save()
    Message.objects.create(
        request=help_request,
        kind=Message.Kind.QUESTION,
        author=lawyer,
        text=question,
        created_at=asked_at,
    )
    search.update_search_vector(help_request)
    return help_request


@transaction.atomic
def add_message(user, help_request: HelpRequest, kind: str, text: str) -> Message:
    """Add to a request's thread: more information from its asker, an answer or an
    internal note from legal. Nothing is added to a closed request."""
    locked = HelpRequest.objects.select_for_update().get(pk=help_request.pk)
    if kind in (Message.Kind.ANSWER, Message.Kind.NOTE):
        permissions.require_answer_help_request(user)
    elif kind == Message.Kind.INFORMATION:
        if not permissions.may_add_information(user, locked):
            raise PermissionDenied(_("Only the person who asked adds information to a request."))
    else:
        raise HelpDeskError(_("This kind of message cannot be added."))
    if locked.status == HelpRequest.Status.CLOSED:
        raise HelpDeskError(closed_message())
    if not text.strip():
        raise HelpDeskError(_("The message is empty."))
    now = timezone.now()
    message = Message.objects.create(
        request=locked, kind=kind, author=user, text=text, created_at=now
    )
    changes = {"updated_at": now, "version": F("version") + 1}
    if kind == Message.Kind.ANSWER:
        changes["status"] = HelpRequest.Status.ANSWERED
        if locked.first_answered_at is None:
            changes["first_answered_at"] = now
    elif kind == Message.Kind.INFORMATION and locked.status in (
        HelpRequest.Status.WAITING,
        HelpRequest.Status.ANSWERED,
    ):
        # The asker answered the lawyer's question, or asks more: back in the queue.
        changes["status"] = HelpRequest.Status.IN_PROGRESS
    HelpRequest.objects.filter(pk=locked.pk).update(**changes)
    if kind != Message.Kind.NOTE:
        search.update_search_vector(locked)
    if kind == Message.Kind.ANSWER and locked.requester_id:
        from legal import tasks

        tasks.tell_answered.delay_on_commit(locked.pk, message.pk)
    help_request.refresh_from_db()
    return message


# Which status the lawyer may set from which (closing and reopening included).
TRANSITIONS = {
    HelpRequest.Status.NEW: {
        HelpRequest.Status.IN_PROGRESS,
        HelpRequest.Status.WAITING,
        HelpRequest.Status.CLOSED,
    },
    HelpRequest.Status.IN_PROGRESS: {HelpRequest.Status.WAITING, HelpRequest.Status.CLOSED},
    HelpRequest.Status.WAITING: {HelpRequest.Status.IN_PROGRESS, HelpRequest.Status.CLOSED},
    HelpRequest.Status.ANSWERED: {HelpRequest.Status.IN_PROGRESS, HelpRequest.Status.CLOSED},
    HelpRequest.Status.CLOSED: {HelpRequest.Status.IN_PROGRESS},  # reopen
}


@transaction.atomic
def set_status(lawyer, help_request: HelpRequest, status: str) -> None:
    permissions.require_answer_help_request(lawyer)
    locked = HelpRequest.objects.select_for_update().get(pk=help_request.pk)
    if status not in TRANSITIONS.get(locked.status, set()):
        raise HelpDeskError(
            _("A request that is “%(current)s” cannot become “%(new)s”.")
            % {
                "current": locked.get_status_display(),
                "new": HelpRequest.Status(status).label,
            }
        )
    now = timezone.now()
    closed_at = now if status == HelpRequest.Status.CLOSED else None
    HelpRequest.objects.filter(pk=locked.pk).update(
        status=status, closed_at=closed_at, updated_at=now, version=F("version") + 1
    )
    help_request.refresh_from_db()


@transaction.atomic
def add_deadline(
    user,
    help_request: HelpRequest,
    rule: DeadlineRule,
    notified_on: date,
    notified_at: time | None = None,
    spell=None,
) -> Deadline:
    """A time limit on a request, its due date computed from the rule."""
    permissions.require_answer_help_request(user)
    today = timezone.localdate()
    if notified_on > today:
        raise HelpDeskError(_("The date of notification cannot be in the future."))
    if rule.hours:
        moment = timezone.make_aware(datetime.combine(notified_on, notified_at or time(0, 0)))
        if moment > timezone.now():
            raise HelpDeskError(_("The moment of notification cannot be in the future."))
        result = deadlines.explain_hours(moment, rule.hours)
        due_at = result.due_at
    else:
        result = deadlines.explain(notified_on, rule.days)
        due_at = timezone.make_aware(datetime.combine(result.due_on, time(23, 59, 59)))
    deadline = Deadline.objects.create(
        request=help_request,
        rule=rule,
        notified_on=notified_on,
        notified_at=notified_at if rule.hours else None,
        due_on=result.due_on,
        due_at=due_at,
        reason=result.reason[:300],
        spell=spell,
        created_by=user,
    )
    refresh_next_deadline(help_request)
    return deadline


@transaction.atomic
def mark_deadline_done(user, deadline: Deadline, done: bool = True) -> None:
    permissions.require_answer_help_request(user)
    Deadline.objects.filter(pk=deadline.pk).update(done=done)
    refresh_next_deadline(deadline.request)


def refresh_next_deadline(help_request: HelpRequest) -> None:
    """Keep the nearest deadline still running on the request (the queue's order)."""
    nearest = Deadline.objects.filter(request=help_request, done=False).aggregate(
        nearest=Min("due_at")
    )["nearest"]
    HelpRequest.objects.filter(pk=help_request.pk).update(next_deadline_at=nearest)
    help_request.next_deadline_at = nearest
