"""Person.first_met_on and last_met_on are kept by the writes (detainees/meeting_days.py):
after each kind of write they are what a recount of the meetings finds, for every case
file."""

import threading
import time
from datetime import date

import pytest
from django.db import connection, connections, transaction
from django.db.models import Max, Min
from django.test.utils import CaptureQueriesContext

from detainees import meeting_days, services
from detainees.models import Accompaniment, Person
from tests.detainees.conftest import new_person
from visits.models import Visit

pytestmark = pytest.mark.django_db


def recount() -> dict[int, tuple]:
    """Each case file's (first, last) meeting day, counted from the meetings."""
    days = Person.objects.annotate(
        first=Min("accompaniments__visit__date"), last=Max("accompaniments__visit__date")
    )
    return {pk: (first, last) for pk, first, last in days.values_list("pk", "first", "last")}


def kept() -> dict[int, tuple]:
    days = Person.objects.values_list("pk", "first_met_on", "last_met_on")
    return {pk: (first, last) for pk, first, last in days}


def done(centre, day, visitor) -> Visit:
    visit = Visit.objects.create(centre=centre, date=day, status=Visit.Status.DONE)
    visit.visitors.add(visitor)
    return visit


@pytest.fixture
def two(visitor_a, org_a, centre):
    return [new_person(visitor_a, org_a, centre, name=None) for _n in range(2)]


def test_every_kind_of_write_keeps_it_equal_to_a_recount(visitor_a, centre, two):
    first, second = two
    assert kept() == recount() and kept()[first.pk] == (None, None)
    march, may, june = (done(centre, date(2024, month, 3), visitor_a) for month in (3, 5, 6))

    services.record_accompaniment(visitor_a, first, Accompaniment(visit=may))
    assert kept()[first.pk] == (date(2024, 5, 3), date(2024, 5, 3))
    services.record_accompaniment(visitor_a, first, Accompaniment(visit=june))
    earlier = services.record_accompaniment(visitor_a, first, Accompaniment(visit=march))
    assert kept()[first.pk] == (date(2024, 3, 3), date(2024, 6, 3)) and kept() == recount()

    # The visit's day corrected: later, then earlier than any other.
    march.date = date(2024, 7, 1)
    march.save()
    assert kept()[first.pk] == (date(2024, 5, 3), date(2024, 7, 1)) and kept() == recount()
    march.date = date(2024, 1, 15)
    march.save()
    assert kept()[first.pk] == (date(2024, 1, 15), date(2024, 6, 3)) and kept() == recount()

    # A visit saved for anything but its day leaves its people alone.
    june.status = Visit.Status.DONE
    with CaptureQueriesContext(connection) as saved:
        june.save()
    assert not [q for q in saved.captured_queries if "detainees_person" in q["sql"]]

    # A meeting moved to another visit, then moved to the other person.
    earlier.visit = june
    Accompaniment.objects.filter(visit=june, person=first).exclude(pk=earlier.pk).delete()
    earlier.save()
    assert kept()[first.pk] == (date(2024, 5, 3), date(2024, 6, 3)) and kept() == recount()
    earlier.person = second
    earlier.save()
    assert kept()[second.pk] == (date(2024, 6, 3), date(2024, 6, 3)) and kept() == recount()
    assert kept()[first.pk] == (date(2024, 5, 3), date(2024, 5, 3))

    # Meetings deleted, one by one and in bulk.
    earlier.delete()
    assert kept()[second.pk] == (None, None) and kept() == recount()
    Accompaniment.objects.filter(person=first).delete()
    assert kept()[first.pk] == (None, None) and kept() == recount()


def test_a_case_file_saved_after_a_meeting_was_recorded_keeps_the_meeting(visitor_a, centre, two):
    """The form's copy of the file, read before the meeting, does not write it back."""
    person = two[0]
    read_before = Person.objects.get(pk=person.pk)
    services.record_accompaniment(
        visitor_a, person, Accompaniment(visit=done(centre, date(2024, 2, 1), visitor_a))
    )
    read_before.notes = "Changed."
    read_before.save()
    assert kept()[person.pk] == (date(2024, 2, 1), date(2024, 2, 1))


def test_a_case_file_erased_with_its_meetings_is_not_counted_again(
    visitor_a, centre, two, django_assert_max_num_queries
):
    person = two[0]
    for month in (1, 2, 3):
        visit = done(centre, date(2024, month, 1), visitor_a)
        services.record_accompaniment(visitor_a, person, Accompaniment(visit=visit))
    with django_assert_max_num_queries(30) as deleted:
        person.delete()
    assert not [q for q in deleted.captured_queries if "_met_on" in q["sql"]]
    assert kept() == recount()


def test_bulk_writes_are_counted_again_by_refresh(visitor_a, centre, two):
    visit = done(centre, date(2023, 9, 9), visitor_a)
    Accompaniment.objects.bulk_create(Accompaniment(person=p, visit=visit) for p in two)
    assert kept() != recount()  # bulk_create sends no signal
    assert meeting_days.refresh([person.pk for person in two]) == 2
    assert kept() == recount() and kept()[two[1].pk] == (date(2023, 9, 9), date(2023, 9, 9))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL's")
@pytest.mark.django_db(transaction=True)
def test_two_meetings_recorded_at_once_are_both_counted(visitor_a, org_a, centre):
    """Two visitors record a meeting with the same person at the same time: the second
    recount waits for the first transaction and counts its meeting too. (An UPDATE that
    waits for the row would count from its older snapshot: the later meeting lost.)"""
    person = new_person(visitor_a, org_a, centre, name=None)
    early, late = (done(centre, date(2024, month, 1), visitor_a) for month in (1, 6))
    failures = []

    def second_visitor():
        try:
            with transaction.atomic():
                Accompaniment.objects.create(person=person, visit=early, met_by=visitor_a)
        except Exception as error:  # noqa: BLE001 - reported by the test below
            failures.append(error)
        finally:
            connections.close_all()

    with transaction.atomic():
        Accompaniment.objects.create(person=person, visit=late, met_by=visitor_a)
        other = threading.Thread(target=second_visitor)
        other.start()
        waiting = 0
        for _attempt in range(200):  # until the other transaction waits for our lock
            with connection.cursor() as cursor:
                # The activity is read once per transaction unless its snapshot is cleared.
                cursor.execute("SELECT pg_stat_clear_snapshot()")
                cursor.execute(
                    "SELECT COUNT(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                    "AND datname = current_database()"
                )
                (waiting,) = cursor.fetchone()
            if waiting:
                break
            time.sleep(0.05)
        assert waiting == 1, failures
    other.join(timeout=10)
    assert not other.is_alive() and not failures
    assert kept()[person.pk] == recount()[person.pk] == (date(2024, 1, 1), date(2024, 6, 1))
