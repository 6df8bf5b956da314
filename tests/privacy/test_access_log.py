"""The access log (DESIGN.md §3, §4): append-only, read by coordinators only, filtered by
person, user and period."""

from contextlib import contextmanager
from datetime import datetime
from unittest import mock

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from move.privacy import access
from move.privacy.models import AccessLogEntry, AppendOnly

pytestmark = pytest.mark.django_db

LIST = reverse("privacy:accesslog-list")


@contextmanager
def written_at(year, month, day, hour=12):
    """Entries written inside are dated then (the log's own clock cannot be changed later)."""
    moment = timezone.make_aware(datetime(year, month, day, hour))
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def subjects(response) -> list[str]:
    return [entry.subject for entry in response.context["entries"]]


# --- Append-only --------------------------------------------------------------------------


def test_an_access_log_entry_cannot_be_changed_nor_deleted(visitor_a):
    entry = access.record(visitor_a, AccessLogEntry.Action.READ_IDENTITY, "P-2026-0001", "/x/")

    entry.subject = "P-2026-0002"
    with pytest.raises(AppendOnly):
        entry.save()
    with pytest.raises(AppendOnly):
        entry.delete()
    with pytest.raises(AppendOnly):
        AccessLogEntry.objects.filter(pk=entry.pk).update(subject="P-2026-0002")
    with pytest.raises(AppendOnly):
        AccessLogEntry.objects.all().delete()

    assert AccessLogEntry.objects.get().subject == "P-2026-0001"


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="The trigger of privacy/migrations/0002 exists on PostgreSQL only.",
)
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE privacy_accesslogentry SET subject = 'P-2026-0002'",
        "DELETE FROM privacy_accesslogentry",
    ],
)
def test_the_database_itself_refuses_to_change_the_access_log(visitor_a, statement):
    access.record(visitor_a, AccessLogEntry.Action.READ_IDENTITY, "P-2026-0001", "/x/")

    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)

    assert AccessLogEntry.objects.get().subject == "P-2026-0001"


def test_a_system_entry_is_labelled_system():
    entry = access.record(None, AccessLogEntry.Action.RETENTION, "P-2026-0001")

    assert (entry.user, entry.user_label) == (None, "system")


# --- The page -----------------------------------------------------------------------------


@pytest.fixture
def log(visitor_a, visitor_b):
    with written_at(2026, 1, 10):
        access.record(visitor_a, AccessLogEntry.Action.READ_IDENTITY, "P-2026-0001", "/people/1/")
    with written_at(2026, 2, 10):
        access.record(visitor_b, AccessLogEntry.Action.READ_IDENTITY, "P-2026-0002", "/people/2/")
    with written_at(2026, 3, 10):
        access.record(
            visitor_a, AccessLogEntry.Action.SHARE, "P-2026-0002", "/people/2/", "Caritas"
        )
        access.record(None, AccessLogEntry.Action.RETENTION, "P-2026-0003")


def test_a_coordinator_reads_the_access_log_newest_first(persona_client, log):
    response = persona_client("coordinator").get(LIST)

    assert response.status_code == 200
    assert subjects(response) == ["P-2026-0003", "P-2026-0002", "P-2026-0002", "P-2026-0001"]
    page = response.content.decode()
    assert "visitor.b@example.org" in page
    assert "Shared the case file" in page
    assert "system" in page


@pytest.mark.parametrize(
    "persona", ["visitor_a", "visitor_b", "legal", "advocacy", "witness_pool", "partner"]
)
def test_only_coordinators_read_the_access_log(persona_client, log, persona):
    response = persona_client(persona).get(LIST)

    assert response.status_code == 403
    assert b"P-2026-0001" not in response.content


def test_someone_signed_out_is_sent_to_sign_in(client, log):
    response = client.get(LIST)

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_the_access_log_is_filtered_by_person(persona_client, log):
    response = persona_client("coordinator").get(LIST, {"person": "p-2026-0002"})

    assert subjects(response) == ["P-2026-0002", "P-2026-0002"]


def test_the_access_log_is_filtered_by_e_mail_address(persona_client, log, visitor_a):
    response = persona_client("coordinator").get(LIST, {"user": "visitor.a@example.org"})

    assert subjects(response) == ["P-2026-0002", "P-2026-0001"]


def test_the_access_log_is_filtered_by_user_number(persona_client, log, visitor_b):
    response = persona_client("coordinator").get(LIST, {"user": str(visitor_b.pk)})

    assert subjects(response) == ["P-2026-0002"]


def test_the_access_log_is_filtered_by_period_whole_days_included(persona_client, log):
    response = persona_client("coordinator").get(
        LIST, {"date_from": "2026-02-10", "date_to": "2026-03-09"}
    )

    assert subjects(response) == ["P-2026-0002"]


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        ({"date_from": "2026-02-31"}, 4),
        ({"date_to": "yesterday"}, 4),
        # The end before the start is left out; the start still applies.
        ({"date_from": "2026-03-01", "date_to": "2026-01-01"}, 2),
    ],
)
def test_unreadable_filters_give_a_message_not_an_error(persona_client, log, query, shown):
    response = persona_client("coordinator").get(LIST, query)

    assert response.status_code == 200
    assert "Some filters could not be read; they are left out." in response.content.decode()
    assert len(subjects(response)) == shown


def test_a_user_number_too_large_for_the_database_finds_nobody(persona_client, log):
    response = persona_client("coordinator").get(LIST, {"user": "9" * 30})

    assert response.status_code == 200
    assert subjects(response) == []


def test_the_access_log_shows_50_entries_a_page_and_keeps_the_filters(persona_client, visitor_a):
    for number in range(60):
        access.record(visitor_a, AccessLogEntry.Action.READ_IDENTITY, "P-2026-0001", f"/p/{number}")
    client = persona_client("coordinator")

    first = client.get(LIST, {"person": "P-2026-0001"})
    second = client.get(LIST, {"person": "P-2026-0001", "page": 2})

    assert len(first.context["entries"]) == 50
    assert first.context["entries"][0].page == "/p/59"
    assert "person=P-2026-0001&amp;page=2" in first.content.decode()
    assert len(second.context["entries"]) == 10


@pytest.mark.parametrize("rows", [3, 60])
def test_the_access_log_page_needs_a_few_queries_whatever_its_length(
    persona_client, visitor_a, visitor_b, django_assert_max_num_queries, rows
):
    for number in range(rows):
        user = visitor_a if number % 2 else visitor_b
        access.record(user, AccessLogEntry.Action.READ_IDENTITY, f"P-2026-{number:04d}", "/p/")
    client = persona_client("coordinator")
    client.get(LIST)  # the first request after signing in records the session

    with django_assert_max_num_queries(8):
        response = client.get(LIST, {"date_from": "2020-01-01"})

    assert response.status_code == 200
