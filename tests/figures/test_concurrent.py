"""figures/concurrent.py: the compared year counted beside the year, in the helper thread
on its own connection, when that connection can read what the request reads; in the
calling thread otherwise. The figures are the same either way."""

import os
import threading
import time
from datetime import date

import pytest
from django.db import connection

from detainees import services
from detainees.models import Accompaniment
from figures import concurrent, yearly
from move.accounts.permissions import FIGURES_FULL
from tests.detainees.conftest import centre, new_person
from visits.models import Visit

__all__ = ["centre"]  # a fixture

postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the helper thread runs on PostgreSQL only"
)


def backend() -> tuple[int, int]:
    """(thread, PostgreSQL backend) of the connection of the thread that runs it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return threading.get_ident(), cursor.fetchone()[0]


@pytest.mark.django_db
def test_inside_a_transaction_it_runs_in_the_calling_thread_when_asked():
    """The helper's connection would not see the transaction's rows (the tests' own)."""
    calls = []
    later = concurrent.beside(lambda: calls.append(threading.get_ident()) or "done")
    assert calls == []  # not yet: after the caller's own work, as a plain call would
    assert later.result() == "done" and calls == [threading.get_ident()]


@pytest.mark.django_db
def test_an_error_is_raised_by_result():
    later = concurrent.beside(lambda: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        later.result()


@postgresql
@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_it_runs_in_the_helper_on_a_connection_it_keeps():
    here = backend()
    first = concurrent.beside(backend).result()
    second = concurrent.beside(backend).result()
    assert first[0] != here[0] and first[1] != here[1]  # another thread, another backend
    assert second == first  # the same thread and connection, kept between requests

    with pytest.raises(ZeroDivisionError):
        concurrent.beside(lambda: 1 / 0).result()
    third = concurrent.beside(backend).result()
    assert third[0] == first[0] and third[1] != first[1]  # closed after the error

    with connection.cursor() as cursor:  # the server ends the helper's connection
        cursor.execute("SELECT pg_terminate_backend(%s)", [third[1]])
    fourth = concurrent.beside(backend).result()  # checked before use, opened again
    assert fourth[0] == first[0] and fourth[1] not in (first[1], third[1])

    concurrent.close()
    # The server ends the backend a moment after the client has closed: wait for it.
    remaining = 1
    for _attempt in range(100):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT COUNT(*) FROM pg_stat_activity WHERE pid = %s AND datname = "
                "current_database()",
                [fourth[1]],
            )
            remaining = cursor.fetchone()[0]
        if not remaining:
            break
        time.sleep(0.05)
    assert remaining == 0


@postgresql
@pytest.mark.django_db(transaction=True)
def test_while_the_helper_is_busy_another_caller_counts_in_its_own_thread():
    started, release = threading.Event(), threading.Event()

    def busy():
        started.set()
        release.wait(10)
        return threading.get_ident()

    held = concurrent.beside(busy)
    assert started.wait(10)
    try:
        other = concurrent.beside(threading.get_ident)
        assert other.result() == threading.get_ident()
    finally:
        release.set()
    assert held.result() != threading.get_ident()


@postgresql
@pytest.mark.django_db(transaction=True)
def test_the_figures_counted_beside_are_those_counted_here(visitor_a, org_a, centre):
    for month, name in ((3, None), (5, None), (11, None)):
        person = new_person(visitor_a, org_a, centre, name=name, nationality="SY")
        visit = Visit.objects.create(centre=centre, date=date(2022, month, 2), status="done")
        visit.visitors.add(visitor_a)
        services.record_accompaniment(visitor_a, person, Accompaniment(visit=visit))
    here = yearly.figures(2022, variant=FIGURES_FULL, language="fr")
    there = concurrent.beside(
        lambda: (threading.get_ident(), yearly.figures(2022, variant=FIGURES_FULL, language="fr"))
    ).result()
    assert there[0] != threading.get_ident()
    assert there[1].key == here.key and here.key["people_accompanied"] == 3
    assert [table.cells for table in there[1].tables] == [table.cells for table in here.tables]


def test_a_forked_child_starts_without_the_parents_helper_and_locks():
    """A lock that a parent's thread holds at a fork (a gunicorn or Celery worker is a
    forked child) would stay held in the child, and its helper never be used: the child
    starts with locks of its own (os.register_at_fork)."""
    assert concurrent._busy.acquire(blocking=False)  # held, as by a parent's thread
    try:
        reading, writing = os.pipe()
        child = os.fork()
        if child == 0:  # pragma: no cover - the child
            free = concurrent._busy.acquire(blocking=False) and concurrent._helper is None
            os.write(writing, b"1" if free else b"0")
            os._exit(0)
        os.close(writing)
        answer = os.read(reading, 1)
        os.waitpid(child, 0)
    finally:
        concurrent._busy.release()
    assert answer == b"1"
