"""What the lawyers are reminded of each morning (issue 10; the beat job
legal.tasks.send_reminders), and the e-mail that says it.

On a day `today`, a request that is not closed is due when:
- one of its deadlines, not done, falls within WINDOW_WORKING_DAYS working days (today
  and the overdue ones included);
- its first answer is overdue (the service level, legal/services.py);
- it holds a deadline whose rule is renewable every month (the request for release to
  the council chamber) while the detention lasts: on each monthly anniversary of the
  notification, moved to the next working day, a new request may be made.

A reminder goes to the request's assignee while they still hold the lawyer's
permission, otherwise to every lawyer; each person gets one e-mail per run, in their
language, holding codes, rules, dates and links only: never the request's subject, its
question or a contact (no personal data in an e-mail).

Once per request, person and day, however many times the job runs: the ReminderSent row
is written first, in the same transaction as the sending; a run that finds the row
already there (or waits for another run's to be committed) sends nothing, and a failed
sending rolls the rows back so that the retry sends again.
"""

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from detainees.clock import add_months
from detainees.models import DetentionSpell
from legal import deadlines
from legal.models import Deadline, HelpRequest, ReminderSent
from move.accounts import emails, permissions
from move.accounts.models import User

logger = logging.getLogger(__name__)

# A deadline is reminded of from so many working days before its last day.
WINDOW_WORKING_DAYS = 3
# Who works the help desk, and so is reminded.
LAWYER_PERMISSION = "legal.answer_help_request"
EMAIL = "help-reminder"
Kind = ReminderSent.Kind
# When one request is due for several reasons, its row names the most pressing.
KIND_ORDER = [Kind.DEADLINE, Kind.FIRST_ANSWER, Kind.MONTHLY_RELEASE]
# Never read for a reminder or the home page: the contact stays encrypted and unread.
UNREAD = ("contact_name", "contact_phone", "contact_email", "search_vector")


def site_link(name: str, **kwargs) -> str:
    """An absolute address for an e-mail (sent by the worker: no request to build it)."""
    return settings.MOVE_SITE_URL.rstrip("/") + reverse(name, kwargs=kwargs or None)


def request_link(help_request: HelpRequest) -> str:
    return site_link("legal:request-detail", key=help_request.key)


def end_of(day: date) -> datetime:
    """The first moment after `day`: `due_at` before it means due on `day` at the latest
    (day rules end at 23:59:59; hour rules fall on their local day)."""
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time(0, 0)))


# --- What is due -----------------------------------------------------------------------


def open_deadlines(until: date):
    """Deadlines not done on requests not closed, due on `until` at the latest (overdue
    ones included), nearest first. On the (done, due_at) index."""
    return (
        Deadline.objects.filter(done=False, due_at__lt=end_of(until))
        .exclude(request__status=HelpRequest.Status.CLOSED)
        .order_by("due_at", "pk")
    )


def with_requests(deadlines):
    """Deadlines with their request and rule, the request's contact left unread."""
    return deadlines.select_related("request", "rule").defer(
        *(f"request__{name}" for name in UNREAD)
    )


def unanswered(until: date):
    """Requests not closed and never answered whose first answer is due on `until` at
    the latest, the most late first."""
    return (
        HelpRequest.objects.filter(first_answered_at__isnull=True, first_answer_due__lte=until)
        .exclude(status=HelpRequest.Status.CLOSED)
        .defer(*UNREAD)
        .order_by("first_answer_due", "created_at", "pk")
    )


def detention_goes_on():
    """For a Deadline row: the person is still detained since its detention began. A
    transfer ends a spell and starts another one: any spell of the same person, started
    since, with no end yet. A deadline without a spell follows the request's case file."""
    ongoing = DetentionSpell.objects.filter(end__isnull=True)
    since_spell = ongoing.filter(
        person=OuterRef("spell__person"), start__gte=OuterRef("spell__start")
    )
    of_case_file = ongoing.filter(person=OuterRef("request__person"))
    return (Q(spell__isnull=False) & Exists(since_spell)) | (
        Q(spell__isnull=True) & Exists(of_case_file)
    )


def monthly_anniversary(notified_on: date, today: date) -> date | None:
    """The monthly anniversary of `notified_on` (one month or more after it) that is
    reminded of on `today`: the anniversary itself, moved to the next working day when
    it is not one; None when `today` is not such a day."""
    months = (today.year - notified_on.year) * 12 + today.month - notified_on.month
    for number in (months - 1, months):
        if number < 1:
            continue
        anniversary = add_months(notified_on, number)
        if deadlines.next_working_day(anniversary) == today:
            return anniversary
    return None


def monthly_releases(today: date) -> list[tuple[Deadline, date]]:
    """Deadlines renewable every month whose anniversary is reminded of today, on
    requests not closed, while the detention lasts (done or not: the request for
    release can be made again each month)."""
    candidates = with_requests(
        Deadline.objects.filter(rule__renewable_monthly=True, notified_on__lt=today)
        .exclude(request__status=HelpRequest.Status.CLOSED)
        .filter(detention_goes_on())
        .order_by("notified_on", "pk")
    )
    found = []
    for deadline in candidates:
        anniversary = monthly_anniversary(deadline.notified_on, today)
        if anniversary is not None:
            found.append((deadline, anniversary))
    return found


@dataclass
class Item:
    """One reason to remind of one request."""

    request: HelpRequest
    kind: str
    due_on: date
    deadline: Deadline | None = None
    today: date | None = None

    @property
    def code(self) -> str:
        return self.request.code

    @property
    def link(self) -> str:
        return request_link(self.request)

    @property
    def rule(self):
        return self.deadline.rule if self.deadline else None

    @property
    def due_at(self):
        """The moment, for a limit counted in hours (its time is part of the reminder)."""
        if self.deadline is not None and self.deadline.rule.hours:
            return timezone.localtime(self.deadline.due_at)
        return None

    @property
    def overdue(self) -> bool:
        return self.today is not None and self.due_on < self.today


def items_due(today: date) -> list[Item]:
    """Every reason to remind of a request on `today`, deadlines first."""
    limit = deadlines.add_working_days(today, WINDOW_WORKING_DAYS)
    found = [
        Item(d.request, Kind.DEADLINE, d.due_on, d, today)
        for d in with_requests(open_deadlines(limit))
    ]
    found += [
        Item(r, Kind.FIRST_ANSWER, r.first_answer_due, None, today)
        for r in unanswered(today - timedelta(days=1))
    ]
    reminded = {item.deadline.pk for item in found if item.deadline}
    found += [
        Item(d.request, Kind.MONTHLY_RELEASE, anniversary, d, today)
        for d, anniversary in monthly_releases(today)
        if d.pk not in reminded  # its own last day is reminded of already
    ]
    return found


# --- Who is told -----------------------------------------------------------------------


def lawyers() -> list[User]:
    """Active people who hold the lawyer's permission now (asked of permissions.py)."""
    return list(permissions.holders(LAWYER_PERMISSION).order_by("email"))


@dataclass
class Digest:
    """What one person is reminded of in one e-mail."""

    recipient: User
    items: list[Item] = field(default_factory=list)

    def kinds(self) -> dict[int, str]:
        """Each request's most pressing reason (the one its ReminderSent row names)."""
        kinds: dict[int, str] = {}
        for item in sorted(self.items, key=lambda item: KIND_ORDER.index(item.kind)):
            kinds.setdefault(item.request.pk, item.kind)
        return kinds

    def keep(self, request_ids) -> "Digest":
        return Digest(self.recipient, [i for i in self.items if i.request.pk in request_ids])

    def context(self) -> dict:
        return {
            "count": len(self.kinds()),
            "deadlines": [i for i in self.items if i.kind == Kind.DEADLINE],
            "first_answers": [i for i in self.items if i.kind == Kind.FIRST_ANSWER],
            "monthly": [i for i in self.items if i.kind == Kind.MONTHLY_RELEASE],
            "queue": site_link("legal:request-list"),
        }


def digests(today: date) -> list[Digest]:
    """What each person is to be reminded of on `today`: a request goes to its assignee
    while they are a lawyer, otherwise to every lawyer."""
    team = lawyers()
    by_id = {user.pk: Digest(user) for user in team}
    for item in items_due(today):
        assignee = item.request.assignee_id
        targets = [by_id[assignee]] if assignee in by_id else by_id.values()
        for digest in targets:
            digest.items.append(item)
    return [digest for digest in by_id.values() if digest.items]


# --- Sending once ----------------------------------------------------------------------


def _claim(digest: Digest, today: date) -> set[int]:
    """Write the rows of this e-mail; the ids of the requests whose row this run wrote.
    A row written by a run still going on is waited for (the unique index)."""
    claimed = set()
    for request_id, kind in digest.kinds().items():
        _row, created = ReminderSent.objects.get_or_create(
            request_id=request_id, recipient=digest.recipient, on=today, defaults={"kind": kind}
        )
        if created:
            claimed.add(request_id)
    return claimed


def send_digest(digest: Digest, today: date) -> bool:
    """Send what is not sent yet; False when every reminder had been sent already. The
    rows and the sending are one transaction: an error rolls the rows back."""
    with transaction.atomic():
        claimed = _claim(digest, today)
        if not claimed:
            return False
        recipient = digest.recipient
        emails.send(EMAIL, recipient.email, recipient.language, digest.keep(claimed).context())
    return True


def send_reminders(today: date | None = None) -> int:
    """Remind each lawyer of what is due on `today`; the number of e-mails sent. One
    person's failed e-mail does not keep the others: it is raised once they are sent,
    so that the task is retried (and sends only what is still unsent)."""
    today = today or timezone.localdate()
    sent, failure = 0, None
    for digest in digests(today):
        try:
            sent += send_digest(digest, today)
        except Exception as error:
            logger.exception("The help desk's reminder to user %s failed", digest.recipient.pk)
            failure = failure or error
    if failure is not None:
        raise failure
    return sent
