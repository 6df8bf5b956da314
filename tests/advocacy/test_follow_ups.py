"""Follow-ups due remind their owner each morning, once per follow-up a day, in their
language, with a link and no personal data."""

import datetime

import pytest
from django.core import mail

from advocacy import meetings
from advocacy.models import (
    AgendaItem,
    AuthorityMeeting,
    FollowUpReminder,
    PointOfAttention,
    Situation,
)
from detainees.models import Person
from visits.models import Theme

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 6, 15)


@pytest.fixture
def meeting(org_a):
    meeting = AuthorityMeeting.objects.create(
        date=datetime.date(2026, 6, 1), authority="immigration_office", status="held"
    )
    person = Person.objects.create(code="P-2026-0042", organisation=org_a)
    Situation.objects.create(meeting=meeting, person=person, note="Secret situation note")
    return meeting


@pytest.fixture
def theme(db):
    return Theme.objects.create(code="health", name_fr="Santé", name_nl="Gezondheid")


def item(meeting, theme, owner, due, done=False, title="Access to a doctor"):
    point = PointOfAttention.objects.create(title=title, theme=theme)
    return AgendaItem.objects.create(
        meeting=meeting,
        point=point,
        follow_up="Write to the directorate",
        follow_up_due=due,
        follow_up_owner=owner,
        follow_up_done=done,
    )


def test_due_follow_ups_are_reminded_once_a_day(meeting, theme, coordinator, legal, settings):
    settings.MOVE_SITE_URL = "https://move.example.org"
    due = item(meeting, theme, coordinator, TODAY + datetime.timedelta(days=2))
    overdue = item(meeting, theme, legal, TODAY - datetime.timedelta(days=3), title="Food")
    item(meeting, theme, coordinator, TODAY + datetime.timedelta(days=3), title="Later")
    item(meeting, theme, coordinator, TODAY, done=True, title="Done")
    assert meetings.remind_follow_ups(TODAY) == 2
    assert meetings.remind_follow_ups(TODAY) == 0  # run twice: one e-mail each
    assert len(mail.outbox) == 2
    assert FollowUpReminder.objects.count() == 2
    by_owner = {message.to[0]: message for message in mail.outbox}
    message = by_owner[coordinator.email]
    assert due.point.code in message.subject
    assert "https://move.example.org/" in message.body
    assert str(meeting.key) in message.body
    assert "Secret situation note" not in message.body and "P-2026-0042" not in message.body
    assert "overdue" in by_owner[legal.email].subject.lower()
    assert overdue.point.code in by_owner[legal.email].subject
    # The next day, again, and the one due three days from today is now in the window.
    assert meetings.remind_follow_ups(TODAY + datetime.timedelta(days=1)) == 3


def test_inactive_or_missing_owner_gets_nothing(meeting, theme, coordinator):
    coordinator.is_active = False
    coordinator.save()
    item(meeting, theme, coordinator, TODAY)
    item(meeting, theme, None, TODAY, title="Nobody")
    assert meetings.remind_follow_ups(TODAY) == 0
    assert mail.outbox == []


def test_in_the_owners_language(meeting, theme, coordinator):
    coordinator.language = "nl"
    coordinator.save()
    item(meeting, theme, coordinator, TODAY)
    assert meetings.remind_follow_ups(TODAY) == 1
    assert len(mail.outbox) == 1


def test_a_failed_sending_is_sent_again(meeting, theme, coordinator, monkeypatch):
    item(meeting, theme, coordinator, TODAY)

    def broken(*args, **kwargs):
        raise OSError("smtp away")

    monkeypatch.setattr("advocacy.meetings.emails.send", broken)
    with pytest.raises(OSError):
        meetings.remind_follow_ups(TODAY)
    assert not FollowUpReminder.objects.exists()
    monkeypatch.undo()
    assert meetings.remind_follow_ups(TODAY) == 1
