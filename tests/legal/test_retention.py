"""Retention of the help desk (legal/retention.py): an outside caller's contact is erased
some months after the request was closed, a reopened request keeps it, the dry run only
lists, and the contact is nowhere in the history."""

from datetime import date, datetime, time
from io import StringIO

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.forms.models import model_to_dict
from django.utils import timezone

from legal import services
from legal.models import HelpRequest
from legal.retention import CONTACT_RULE, contact_due, erase_contact
from move.privacy import retention
from move.privacy.models import AccessLogEntry

pytestmark = pytest.mark.django_db

CONTACT = ("Fatima El Amrani", "+32470123456", "fatima@example.org")
TODAY = date(2026, 3, 15)


def closed_on(help_request, day, at=time(10, 0)) -> HelpRequest:
    HelpRequest.objects.filter(pk=help_request.pk).update(
        status=HelpRequest.Status.CLOSED,
        closed_at=timezone.make_aware(datetime.combine(day, at)),
    )
    help_request.refresh_from_db()
    return help_request


def contact(help_request) -> tuple:
    help_request.refresh_from_db()
    return (help_request.contact_name, help_request.contact_phone, help_request.contact_email)


def report(today=TODAY, dry_run=False) -> retention.Report:
    return next(r for r in retention.run(today, dry_run=dry_run) if r.name == CONTACT_RULE)


def test_the_rule_is_registered_with_the_privacy_registry():
    assert CONTACT_RULE in {rule.name for rule in retention.rules()}


@pytest.mark.parametrize("at", [time(0, 30), time(10, 0), time(23, 30)])  # local hours
def test_a_contact_is_erased_twelve_months_after_the_request_was_closed(caller_request, at):
    closed_on(caller_request, date(2025, 3, 15), at)

    assert report().done == [caller_request.code]

    assert contact(caller_request) == ("", "", "")
    assert caller_request.contact_erased_on == TODAY
    entry = AccessLogEntry.objects.get(subject=caller_request.code)
    assert (entry.action, entry.user, entry.page, entry.detail) == (
        AccessLogEntry.Action.RETENTION,
        None,
        f"retention:{CONTACT_RULE}",
        "contact",
    )


def test_a_contact_is_kept_until_the_months_have_passed(caller_request):
    closed_on(caller_request, date(2025, 3, 16))

    assert report().done == []
    assert contact(caller_request) == CONTACT
    assert caller_request.contact_erased_on is None


def test_the_months_come_from_the_settings(caller_request, settings):
    settings.MOVE_RETENTION_HELP_CONTACT_MONTHS = 6
    closed_on(caller_request, date(2025, 9, 15))

    assert report().done == [caller_request.code]
    rule = next(rule for rule in retention.rules() if rule.name == CONTACT_RULE)
    assert "6 months" in str(rule.description)


def test_an_open_or_reopened_request_keeps_its_contact(legal, caller_request):
    closed_on(caller_request, date(2024, 1, 10))
    services.set_status(legal, caller_request, HelpRequest.Status.IN_PROGRESS)  # reopen

    assert caller_request.closed_at is None
    assert report().due == []
    assert contact(caller_request) == CONTACT


def test_a_request_reopened_while_the_rule_runs_keeps_its_contact(legal, caller_request):
    closed_on(caller_request, date(2024, 1, 10))
    [listed] = contact_due(TODAY)
    services.set_status(legal, caller_request, HelpRequest.Status.IN_PROGRESS)

    assert erase_contact(listed, TODAY) is False
    assert contact(caller_request) == CONTACT
    assert not AccessLogEntry.objects.filter(subject=caller_request.code).exists()


def test_a_request_without_a_contact_or_already_erased_is_not_listed(
    visitor_a, topic, request_a, caller_request
):
    closed_on(request_a, date(2024, 1, 10))
    closed_on(caller_request, date(2024, 1, 10))
    report()

    assert report().due == []
    assert AccessLogEntry.objects.filter(action=AccessLogEntry.Action.RETENTION).count() == 1


def test_the_dry_run_lists_the_codes_and_erases_nothing(caller_request):
    closed_on(caller_request, date(2025, 1, 10))
    out = StringIO()

    call_command("retention", "--dry-run", "--today", TODAY.isoformat(), stdout=out)

    assert f"{CONTACT_RULE}: would erase 1" in out.getvalue()
    assert f"  {caller_request.code}" in out.getvalue()
    assert "Fatima" not in out.getvalue()
    assert contact(caller_request) == CONTACT
    assert not AccessLogEntry.objects.filter(subject=caller_request.code).exists()


def test_the_contact_is_in_no_history_entry(legal, caller_request, other_centre):
    # Changes made through save(), as the admin and the forms do: auditlog records them.
    caller_request.urgency = HelpRequest.Urgency.URGENT
    caller_request.centre = other_centre
    caller_request.save()
    caller_request.contact_phone = "+32470999999"
    caller_request.save()
    closed_on(caller_request, date(2025, 1, 10))
    report()

    entries = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(HelpRequest),
        object_pk=str(caller_request.pk),
    )
    assert entries.count() >= 2  # the creation and the change of urgency
    history = " ".join(str(model_to_dict(entry)) for entry in entries)
    for text in (*CONTACT, "+32470999999", "Fatima", "fatima"):
        assert text not in history
    assert "urgency" in history


def test_the_contact_is_stored_encrypted_and_not_in_the_search_words(caller_request):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT contact_name, contact_phone, contact_email FROM legal_helprequest "
            "WHERE id = %s",
            [caller_request.pk],
        )
        stored = " ".join(cursor.fetchone())
        assert not any(part in stored for part in ("Fatima", "32470123456", "example.org"))
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT coalesce(search_vector::text, '') FROM legal_helprequest WHERE id = %s",
                [caller_request.pk],
            )
            assert "fatima" not in cursor.fetchone()[0].lower()
