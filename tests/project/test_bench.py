"""What the benchmark commands share (move/bench.py): where they build their rows, and how
a page is compared with the bare page."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from move import bench
from tests.factories import UserFactory
from visits.models import Visit, VisitReport


def _timing(p50, cpu, beside=None):
    return bench.Timing(p50=p50, cpu=cpu, slowest=p50, queries=[], beside=beside)


def test_a_page_is_compared_with_the_bare_page_timed_in_turn_with_it():
    # The bare page timed first (8 ms) would make this page look twice as fast as the
    # one timed in turn with it (4 ms) says.
    first_bare = _timing(8.0, 7.0)
    page = _timing(10.0, 9.0, beside=_timing(4.0, 3.5))

    assert bench.verdict(page, first_bare, bench.LIST_MS, bench.RATIO) == "x2.5 OVER"
    assert bench.cpu_ratio(page, first_bare) == "x2.6"
    assert bench.bare_beside(page, first_bare) == "bare  4.0 ms"
    # Without a bare page beside it, the first one counts.
    alone = _timing(10.0, 9.0)
    assert bench.verdict(alone, first_bare, bench.LIST_MS, bench.RATIO) == "x1.2 ok"
    assert bench.bare_beside(alone, first_bare) == "bare  8.0 ms"


@pytest.mark.django_db
def test_time_page_times_the_bare_page_in_turn_while_it_is_there():
    user = UserFactory()
    with bench.with_bare_page():
        timing = bench.time_page(user, "/bench/bare/?x", {}, 3, "bare itself")
        page = bench.time_page(user, "/", {}, 3, "home")
        bare = bench.time_bare_page(StringIO(), user, 3)

    assert page.beside is not None and page.beside.p50 > 0 and page.beside.cpu >= 0
    assert timing.beside is not None  # another address than the bare page's own
    assert bare.beside is None  # the bare page is not compared with itself
    assert bench.time_page(user, "/", {}, 1, "no bare page").beside is None


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a scratch database: PostgreSQL")
def test_outside_a_transaction_the_rows_are_built_in_a_scratch_database_then_dropped(
    transactional_db,
):
    out = StringIO()

    call_command("bench_reports", reports=30, runs=1, stdout=out)

    text = out.getvalue()
    scratch = f"{connection.settings_dict['NAME']}_bench_reports"
    assert f"Scratch database {scratch} migrated" in text
    assert "Built 30 reports" in text
    assert re.search(r"coordinator  list .* bare +\d+\.\d ms", text)
    assert f"Dropped {scratch}" in text
    assert "Rolled back" not in text
    # Nothing was written to the test database, and the scratch one is gone.
    assert not VisitReport.objects.exists() and not Visit.objects.exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [scratch])
        assert cursor.fetchone() is None
