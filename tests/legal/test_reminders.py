"""The morning reminders of the help desk (legal/reminders.py): what is due on a day,
who is told, and once per request, person and day however often the job runs."""

from datetime import date, datetime, time, timedelta
from smtplib import SMTPException

import pytest
from django.core import mail
from django.utils import timezone

from detainees.models import DetentionSpell
from legal import reminders, tasks
from legal.models import Deadline, DeadlineRule, HelpRequest, ReminderSent
from move.accounts.models import Membership
from move.accounts.permissions import Role
from tests.factories import member, with_totp
from tests.legal.conftest import record

pytestmark = pytest.mark.django_db

MONDAY = date(2026, 3, 16)  # three working days on: Thursday 19 March


@pytest.fixture
def rule_monthly(db):
    return DeadlineRule.objects.get(code="council-chamber-release")


@pytest.fixture
def lawyer_nl(coalition):
    return with_totp(member(Role.LEGAL, coalition, email="advocaat@example.org", language="nl"))


def add_deadline(help_request, rule, due_on, notified_on=None, **fields) -> Deadline:
    """A deadline due on `due_on` (the calculator is tested elsewhere)."""
    return Deadline.objects.create(
        request=help_request,
        rule=rule,
        notified_on=notified_on or due_on - timedelta(days=30),
        due_on=due_on,
        due_at=timezone.make_aware(datetime.combine(due_on, time(23, 59, 59))),
        **fields,
    )


def first_answer_due(help_request, day) -> HelpRequest:
    HelpRequest.objects.filter(pk=help_request.pk).update(first_answer_due=day)
    help_request.refresh_from_db()
    return help_request


def close(help_request) -> None:
    HelpRequest.objects.filter(pk=help_request.pk).update(
        status=HelpRequest.Status.CLOSED, closed_at=timezone.now()
    )


def reminded(today, kind=None) -> set[str]:
    return {
        item.request.code
        for item in reminders.items_due(today)
        if kind is None or item.kind == kind
    }


def new_request(legal, topic, **fields) -> HelpRequest:
    """A phone request, answered in time (only what a test adds makes it due)."""
    help_request = record(legal, topic, **fields)
    HelpRequest.objects.filter(pk=help_request.pk).update(first_answered_at=timezone.now())
    return help_request


# --- What is due ------------------------------------------------------------------------


def test_deadlines_due_within_three_working_days_and_overdue_ones_are_reminded(
    legal, topic, rule_30_days
):
    due = {}
    for name, day in [
        ("today", MONDAY),
        ("third working day", date(2026, 3, 19)),
        ("fourth working day", date(2026, 3, 20)),
        ("overdue", date(2026, 3, 10)),
    ]:
        due[name] = new_request(legal, topic)
        add_deadline(due[name], rule_30_days, day)

    assert reminded(MONDAY) == {
        due[name].code for name in ("today", "third working day", "overdue")
    }


def test_a_holiday_and_a_weekend_do_not_count_as_working_days(legal, topic, rule_30_days):
    # Thursday 30 April 2026; Friday 1 May is Labour Day: Mon 4, Tue 5, Wed 6 May.
    inside, outside = new_request(legal, topic), new_request(legal, topic)
    add_deadline(inside, rule_30_days, date(2026, 5, 6))
    add_deadline(outside, rule_30_days, date(2026, 5, 7))

    assert reminded(date(2026, 4, 30)) == {inside.code}


def test_a_deadline_done_or_on_a_closed_request_is_not_reminded(legal, topic, rule_30_days):
    done, closed, running = (new_request(legal, topic) for _ in range(3))
    add_deadline(done, rule_30_days, MONDAY, done=True)
    add_deadline(closed, rule_30_days, MONDAY)
    add_deadline(running, rule_30_days, MONDAY)
    close(closed)

    assert reminded(MONDAY) == {running.code}


def test_an_hour_rule_is_reminded_with_its_moment(legal, topic, rule_24_hours):
    help_request = new_request(legal, topic)
    moment = timezone.make_aware(datetime(2026, 3, 17, 14, 30))
    Deadline.objects.create(
        request=help_request,
        rule=rule_24_hours,
        notified_on=date(2026, 3, 16),
        notified_at=time(14, 30),
        due_on=date(2026, 3, 17),
        due_at=moment,
    )

    [item] = reminders.items_due(MONDAY)

    assert (item.code, item.due_at) == (help_request.code, timezone.localtime(moment))


def test_an_overdue_first_answer_is_reminded_until_it_is_given(legal, topic, request_a):
    late = first_answer_due(request_a, MONDAY - timedelta(days=1))
    on_time = first_answer_due(record(legal, topic), MONDAY)
    answered = first_answer_due(new_request(legal, topic), MONDAY - timedelta(days=3))
    closed = first_answer_due(record(legal, topic), MONDAY - timedelta(days=3))
    close(closed)

    assert reminded(MONDAY, ReminderSent.Kind.FIRST_ANSWER) == {late.code}
    assert {on_time.code, answered.code, closed.code}.isdisjoint(reminded(MONDAY))


# --- Monthly: the request for release to the council chamber ------------------------------


@pytest.mark.parametrize(
    ("notified_on", "today", "expected"),
    [
        (date(2026, 1, 15), date(2026, 2, 16), date(2026, 2, 15)),  # Sunday → Monday
        (date(2026, 1, 15), date(2026, 2, 15), None),  # not a working day
        (date(2026, 1, 15), date(2026, 2, 17), None),
        (date(2026, 1, 15), date(2026, 1, 15), None),  # the notification itself
        (date(2026, 1, 15), date(2026, 6, 15), date(2026, 6, 15)),  # five months on
        (date(2026, 1, 31), date(2026, 3, 2), date(2026, 2, 28)),  # short month, Saturday
        (date(2026, 1, 31), date(2026, 3, 31), date(2026, 3, 31)),
        (date(2026, 4, 14), date(2026, 5, 15), date(2026, 5, 14)),  # Ascension Day
        (date(2025, 12, 1), date(2026, 1, 2), date(2026, 1, 1)),  # New Year's Day
    ],
)
def test_the_monthly_anniversary_moves_to_the_next_working_day(notified_on, today, expected):
    assert reminders.monthly_anniversary(notified_on, today) == expected


@pytest.fixture
def detained(visitor_a, org_a, centre):
    """A case file whose detention began on 10 January 2026 and goes on."""
    from tests.detainees.conftest import new_person, spell

    person = new_person(visitor_a, org_a, name=None)
    return person, spell(person, centre, date(2026, 1, 10))


def monthly(help_request, rule, spell, notified_on=date(2026, 1, 15)) -> Deadline:
    return add_deadline(
        help_request,
        rule,
        date(2026, 2, 16),
        notified_on=notified_on,
        spell=spell,
        done=True,  # the first request was made: the next ones come monthly
    )


def test_a_monthly_request_for_release_is_reminded_each_month_while_detained(
    legal, topic, rule_monthly, detained
):
    person, spell = detained
    help_request = new_request(legal, topic, person=person)
    monthly(help_request, rule_monthly, spell)

    assert reminded(date(2026, 3, 16), ReminderSent.Kind.MONTHLY_RELEASE) == {help_request.code}
    assert reminded(date(2026, 4, 15), ReminderSent.Kind.MONTHLY_RELEASE) == {help_request.code}
    assert reminded(date(2026, 4, 16)) == set()


def test_the_monthly_reminder_stops_when_the_detention_ends(legal, topic, rule_monthly, detained):
    person, spell = detained
    monthly(new_request(legal, topic, person=person), rule_monthly, spell)
    DetentionSpell.objects.filter(pk=spell.pk).update(
        end=date(2026, 3, 1), outcome=DetentionSpell.Outcome.RELEASED
    )

    assert reminded(date(2026, 3, 16)) == set()


def test_a_transfer_between_centres_does_not_stop_the_monthly_reminder(
    legal, topic, rule_monthly, detained, other_centre
):
    from tests.detainees.conftest import spell as new_spell

    person, spell = detained
    help_request = new_request(legal, topic, person=person)
    monthly(help_request, rule_monthly, spell)
    DetentionSpell.objects.filter(pk=spell.pk).update(
        end=date(2026, 2, 20), outcome=DetentionSpell.Outcome.TRANSFERRED
    )
    new_spell(person, other_centre, date(2026, 2, 20), new_order=False)

    assert reminded(date(2026, 3, 16)) == {help_request.code}


def test_the_monthly_reminder_stops_when_the_request_is_closed(
    legal, topic, rule_monthly, detained
):
    person, spell = detained
    help_request = new_request(legal, topic, person=person)
    monthly(help_request, rule_monthly, spell)
    close(help_request)

    assert reminded(date(2026, 3, 16)) == set()


def test_the_last_day_of_a_monthly_deadline_is_reminded_once_not_twice(
    legal, topic, rule_monthly, detained
):
    person, spell = detained
    help_request = new_request(legal, topic, person=person)
    deadline = monthly(help_request, rule_monthly, spell)
    Deadline.objects.filter(pk=deadline.pk).update(done=False)

    kinds = [item.kind for item in reminders.items_due(date(2026, 2, 16))]

    assert kinds == [ReminderSent.Kind.DEADLINE]


# --- Who is told -----------------------------------------------------------------------


def recipients(today) -> dict[str, set[str]]:
    return {
        digest.recipient.email: {item.code for item in digest.items}
        for digest in reminders.digests(today)
    }


def test_the_assignee_is_told_alone_while_a_lawyer(legal, lawyer_nl, topic, rule_30_days):
    mine = new_request(legal, topic, assignee=lawyer_nl)
    add_deadline(mine, rule_30_days, MONDAY)

    assert recipients(MONDAY) == {lawyer_nl.email: {mine.code}}


def test_a_request_without_a_lawyer_assigned_goes_to_every_lawyer(
    legal, lawyer_nl, coordinator, topic, request_a
):
    first_answer_due(request_a, MONDAY - timedelta(days=1))

    assert recipients(MONDAY) == {legal.email: {request_a.code}, lawyer_nl.email: {request_a.code}}


def test_an_assignee_who_is_no_longer_a_lawyer_is_replaced_by_every_lawyer(
    legal, lawyer_nl, topic, rule_30_days
):
    help_request = new_request(legal, topic, assignee=lawyer_nl)
    add_deadline(help_request, rule_30_days, MONDAY)
    Membership.objects.filter(user=lawyer_nl).delete()

    assert recipients(MONDAY) == {legal.email: {help_request.code}}


def test_a_lawyer_whose_account_is_off_is_not_told(legal, lawyer_nl, topic, rule_30_days):
    help_request = new_request(legal, topic, assignee=lawyer_nl)
    add_deadline(help_request, rule_30_days, MONDAY)
    lawyer_nl.is_active = False
    lawyer_nl.save()

    assert recipients(MONDAY) == {legal.email: {help_request.code}}


# --- Sending once ----------------------------------------------------------------------


def test_one_email_per_lawyer_lists_every_request_due(legal, topic, rule_30_days, request_a):
    deadline_due = new_request(legal, topic)
    add_deadline(deadline_due, rule_30_days, MONDAY + timedelta(days=1))
    first_answer_due(request_a, MONDAY - timedelta(days=2))

    assert reminders.send_reminders(MONDAY) == 1

    [email] = mail.outbox
    assert email.to == [legal.email]
    for help_request in (deadline_due, request_a):
        assert help_request.code in email.body
        assert reminders.request_link(help_request) in email.body
    rows = ReminderSent.objects.values_list("request__code", "recipient", "on", "kind")
    assert set(rows) == {
        (deadline_due.code, legal.pk, MONDAY, ReminderSent.Kind.DEADLINE),
        (request_a.code, legal.pk, MONDAY, ReminderSent.Kind.FIRST_ANSWER),
    }


def test_running_twice_the_same_day_sends_each_reminder_once(
    legal, lawyer_nl, topic, rule_30_days, request_a
):
    add_deadline(new_request(legal, topic), rule_30_days, MONDAY)
    first_answer_due(request_a, MONDAY - timedelta(days=1))

    assert reminders.send_reminders(MONDAY) == 2
    assert reminders.send_reminders(MONDAY) == 0

    assert sorted(email.to[0] for email in mail.outbox) == sorted([legal.email, lawyer_nl.email])
    assert ReminderSent.objects.count() == 3  # request_a to both; the deadline to its assignee


def test_a_request_due_again_the_next_day_is_reminded_again(legal, topic, rule_30_days):
    help_request = new_request(legal, topic)
    add_deadline(help_request, rule_30_days, date(2026, 3, 18))

    reminders.send_reminders(MONDAY)
    reminders.send_reminders(MONDAY + timedelta(days=1))

    assert len(mail.outbox) == 2
    assert set(ReminderSent.objects.values_list("on", flat=True)) == {
        MONDAY,
        MONDAY + timedelta(days=1),
    }


def test_a_request_new_since_the_first_run_is_sent_alone(legal, topic, rule_30_days):
    first, second = new_request(legal, topic), new_request(legal, topic)
    add_deadline(first, rule_30_days, MONDAY)
    reminders.send_reminders(MONDAY)
    add_deadline(second, rule_30_days, MONDAY)

    reminders.send_reminders(MONDAY)

    assert len(mail.outbox) == 2
    assert second.code in mail.outbox[1].body
    assert first.code not in mail.outbox[1].body


def test_a_reminder_already_written_by_another_run_is_not_sent(legal, topic, rule_30_days):
    help_request = new_request(legal, topic)
    add_deadline(help_request, rule_30_days, MONDAY)
    ReminderSent.objects.create(
        request=help_request, recipient=legal, on=MONDAY, kind=ReminderSent.Kind.DEADLINE
    )

    assert reminders.send_reminders(MONDAY) == 0
    assert mail.outbox == []


@pytest.fixture
def failing_once(monkeypatch):
    """The mail server refuses the first e-mail (to `failing_once.to`, if set)."""
    send = reminders.emails.send

    class Failing:
        to = None
        failed = 0

        def __call__(self, name, to, language, context):
            if not self.failed and (self.to is None or to == self.to):
                self.failed += 1
                raise SMTPException("451 try again later")
            send(name, to, language, context)

    failing = Failing()
    monkeypatch.setattr(reminders.emails, "send", failing)
    return failing


def test_a_failed_email_leaves_no_row_so_that_the_retry_sends_it(
    legal, topic, rule_30_days, failing_once
):
    help_request = new_request(legal, topic)
    add_deadline(help_request, rule_30_days, MONDAY)

    with pytest.raises(SMTPException):
        reminders.send_reminders(MONDAY)
    assert ReminderSent.objects.count() == 0
    assert mail.outbox == []

    assert reminders.send_reminders(MONDAY) == 1
    assert ReminderSent.objects.count() == 1
    assert help_request.code in mail.outbox[0].body


def test_one_lawyers_failed_email_does_not_keep_the_others(
    legal, lawyer_nl, topic, request_a, failing_once
):
    first_answer_due(request_a, MONDAY - timedelta(days=1))
    failing_once.to = lawyer_nl.email

    with pytest.raises(SMTPException):
        reminders.send_reminders(MONDAY)

    assert [email.to for email in mail.outbox] == [[legal.email]]
    assert set(ReminderSent.objects.values_list("recipient", flat=True)) == {legal.pk}
    reminders.send_reminders(MONDAY)
    assert [email.to for email in mail.outbox] == [[legal.email], [lawyer_nl.email]]


# --- The task --------------------------------------------------------------------------


def test_the_task_reminds_of_what_is_due_today(legal, topic, request_a):
    today = timezone.localdate()
    first_answer_due(request_a, today - timedelta(days=1))

    tasks.send_reminders.delay()

    [email] = mail.outbox
    assert request_a.code in email.body
    assert ReminderSent.objects.get().on == today


def test_the_task_is_retried_after_a_mail_server_error(legal, topic, request_a, failing_once):
    # Run inline (as in tests), a retry runs at once where a worker would wait; its
    # error is kept in the result instead of raised (throw=False).
    first_answer_due(request_a, timezone.localdate() - timedelta(days=1))

    result = tasks.send_reminders.apply(throw=False)

    assert (result.state, result.get()) == ("SUCCESS", 1)
    assert failing_once.failed == 1
    assert len(mail.outbox) == 1
    assert tasks.send_reminders.name == "legal.tasks.send_reminders"
    assert {SMTPException, OSError} <= set(tasks.send_reminders.autoretry_for)
