"""Person.first_met_on and last_met_on, and the MeetingTally rows, are kept by the writes
(detainees/meeting_days.py): after each kind of write they are what a recount of the
meetings and case files finds, for every case file."""

import threading
import time
from collections import Counter
from datetime import date

import pytest
from django.db import connection, connections, transaction
from django.db.models import Max, Min
from django.test.utils import CaptureQueriesContext

from detainees import meeting_days, services
from detainees.models import Accompaniment, Family, MeetingTally, Person
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


COPIED = ["organisation_id", "family_id", "nationality", "vulnerabilities", "first_met_on"]


def tally_recount() -> dict[tuple, int]:
    """(person, year, quarter or 0, centre, the case file's copied fields) -> meetings,
    counted in Python from every meeting."""
    found = Counter()
    rows = Accompaniment.objects.values_list(
        "person_id", "visit__date", "visit__centre_id", *(f"person__{name}" for name in COPIED)
    )
    for person, day, centre, *copied in rows:
        copied[3] = tuple(copied[3])  # the vulnerabilities, a list
        for quarter in ((day.month - 1) // 3 + 1, MeetingTally.WHOLE_YEAR):
            found[(person, day.year, quarter, centre, *copied)] += 1
    return dict(found)


def tallies() -> dict[tuple, int]:
    found = {}
    rows = MeetingTally.objects.values_list(
        "person_id", "year", "quarter", "centre_id", *COPIED, "meetings"
    )
    for person, year, quarter, centre, *copied, meetings in rows:
        copied[3] = tuple(copied[3])
        key = (person, year, quarter, centre, *copied)
        assert key not in found
        found[key] = meetings
    return found


def agrees() -> bool:
    """The meeting days and the tallies are those a recount finds."""
    return kept() == recount() and tallies() == tally_recount()


def done(centre, day, visitor) -> Visit:
    visit = Visit.objects.create(centre=centre, date=day, status=Visit.Status.DONE)
    visit.visitors.add(visitor)
    return visit


@pytest.fixture
def two(visitor_a, org_a, centre):
    return [new_person(visitor_a, org_a, centre, name=None) for _n in range(2)]


def test_every_kind_of_write_keeps_it_equal_to_a_recount(visitor_a, centre, two):
    first, second = two
    assert agrees() and kept()[first.pk] == (None, None)
    march, may, june = (done(centre, date(2024, month, 3), visitor_a) for month in (3, 5, 6))

    services.record_accompaniment(visitor_a, first, Accompaniment(visit=may))
    assert kept()[first.pk] == (date(2024, 5, 3), date(2024, 5, 3))
    services.record_accompaniment(visitor_a, first, Accompaniment(visit=june))
    earlier = services.record_accompaniment(visitor_a, first, Accompaniment(visit=march))
    assert kept()[first.pk] == (date(2024, 3, 3), date(2024, 6, 3)) and agrees()

    # The visit's day corrected: later, then earlier than any other.
    march.date = date(2024, 7, 1)
    march.save()
    assert kept()[first.pk] == (date(2024, 5, 3), date(2024, 7, 1)) and agrees()
    march.date = date(2024, 1, 15)
    march.save()
    assert kept()[first.pk] == (date(2024, 1, 15), date(2024, 6, 3)) and agrees()

    # A visit saved for anything but its day leaves its people alone.
    june.status = Visit.Status.DONE
    with CaptureQueriesContext(connection) as saved:
        june.save()
    assert not [q for q in saved.captured_queries if "detainees_person" in q["sql"]]

    # A meeting moved to another visit, then moved to the other person.
    earlier.visit = june
    Accompaniment.objects.filter(visit=june, person=first).exclude(pk=earlier.pk).delete()
    earlier.save()
    assert kept()[first.pk] == (date(2024, 5, 3), date(2024, 6, 3)) and agrees()
    earlier.person = second
    earlier.save()
    assert kept()[second.pk] == (date(2024, 6, 3), date(2024, 6, 3)) and agrees()
    assert kept()[first.pk] == (date(2024, 5, 3), date(2024, 5, 3))

    # Meetings deleted, one by one and in bulk.
    earlier.delete()
    assert kept()[second.pk] == (None, None) and agrees()
    Accompaniment.objects.filter(person=first).delete()
    assert kept()[first.pk] == (None, None) and agrees()


def test_the_tallies_follow_a_visit_moved_to_another_centre_or_quarter(
    visitor_a, centre, other_centre, two
):
    first, second = two
    visit = done(centre, date(2024, 3, 30), visitor_a)
    visit.date = date(2024, 3, 29)  # no one met there yet: no one to count again
    visit.save()
    for person in two:
        services.record_accompaniment(visitor_a, person, Accompaniment(visit=visit))
    assert agrees() and {key[:4] for key in tallies()} == {
        (person.pk, 2024, quarter, centre.pk) for person in two for quarter in (1, 0)
    }
    visit.centre = other_centre
    visit.save()
    assert agrees() and {key[3] for key in tallies()} == {other_centre.pk}
    visit.date = date(2024, 4, 2)  # the second quarter
    visit.save()
    assert agrees() and {key[2] for key in tallies()} == {2, 0}
    Accompaniment.objects.filter(visit=visit).delete()  # a visit with meetings is protected
    assert agrees() and not tallies()


def test_the_tallies_follow_the_case_files_fields(visitor_a, org_a, centre, two):
    person = two[0]
    for month in (2, 8):
        visit = done(centre, date(2023, month, 1), visitor_a)
        services.record_accompaniment(visitor_a, person, Accompaniment(visit=visit))
    assert agrees() and len(tallies()) == 3  # Q1, Q3, the year
    person.refresh_from_db()
    person.nationality, person.vulnerabilities = "SY", ["medical", "minor"]
    person.save()
    assert agrees() and {key[6:8] for key in tallies()} == {("SY", ("medical", "minor"))}
    family = Family.objects.create(organisation=org_a)
    person.family = family
    person.save()
    assert agrees() and {key[5] for key in tallies()} == {family.pk}
    family.delete()  # the case files' family set to NULL, and the tallies' with them
    assert agrees() and {key[5] for key in tallies()} == {None}


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
    assert agrees() and not MeetingTally.objects.filter(person_id=person.pk).exists()


def test_bulk_writes_are_counted_again_by_refresh(visitor_a, centre, two):
    visit = done(centre, date(2023, 9, 9), visitor_a)
    Accompaniment.objects.bulk_create(Accompaniment(person=p, visit=visit) for p in two)
    assert kept() != recount() and tallies() != tally_recount()  # bulk_create: no signal
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
    assert tallies() == tally_recount() and sum(tallies().values()) == 4  # 2 × (quarter, year)
