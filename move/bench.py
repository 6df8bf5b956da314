"""What the benchmark commands share (`make bench`): build rows in a scratch database
dropped after (or in a transaction that is always rolled back), time a page the way a
browser asks for it, and compare it with a bare page timed in the same run.

The bare page (signed in, one query, the base template) is only reachable while a
benchmark runs: `with_bare_page()` puts this module's URLconf, which adds it in front of
the project's, in place of ROOT_URLCONF. It goes through the whole middleware stack, as
the real pages do."""

import statistics
import time
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache, partial

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.management.base import CommandError
from django.core.signals import request_started
from django.db import connection, reset_queries, transaction
from django.http import HttpResponse
from django.template import engines
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import include, path, reverse

# The goals of DESIGN.md §9, in the same run: a list at most LIST_MS and RATIO times the
# bare page (p50), a case file's detail at most DETAIL_MS.
LIST_MS, RATIO, DETAIL_MS = 15.0, 2.0, 25.0


class _Rollback(Exception):
    pass


@contextmanager
def rolled_back(stdout, models):
    """Everything done inside is undone; then the tables of `models` are vacuumed on
    PostgreSQL (rolled-back rows stay as dead ones until then, and slowed the next runs'
    query planning)."""
    if "testserver" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS.append("testserver")
    try:
        with transaction.atomic():
            yield
            raise _Rollback
    except _Rollback:
        stdout.write("Rolled back: the database is as it was.")
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM {', '.join(model._meta.db_table for model in models)}")


@contextmanager
def scratch_database(stdout, suffix: str):
    """A PostgreSQL database of the benchmark's own beside DATABASE_URL's (its name and
    `_` + suffix), migrated, used by every connection of the process opened from then on
    (another thread's too) until the end, then dropped: for a benchmark whose rows must be
    committed to be read as production reads them (by a second connection, vacuumed).
    Nothing is written to DATABASE_URL's database. A connection kept open in another
    thread must be closed by the caller before the end (DROP DATABASE would refuse)."""
    from django.contrib.contenttypes.models import ContentType
    from django.core.management import call_command
    from django.db import connections

    if "testserver" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS.append("testserver")
    original = connection.settings_dict["NAME"]
    scratch = f"{original}_{suffix}"
    quoted = connection.ops.quote_name(scratch)
    connections.close_all()
    with connection._nodb_cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {quoted}")  # left by an interrupted run
        cursor.execute(f"CREATE DATABASE {quoted}")
    _use_database(scratch)
    ContentType.objects.clear_cache()  # the ids of the other database's
    try:
        started = time.perf_counter()
        call_command("migrate", verbosity=0, interactive=False)
        stdout.write(
            f"Scratch database {scratch} migrated in {time.perf_counter() - started:.1f} s."
        )
        yield
    finally:
        connections.close_all()
        _use_database(original)
        ContentType.objects.clear_cache()
        with connection._nodb_cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {quoted}")
        stdout.write(f"Dropped {scratch}: DATABASE_URL's database was not written to.")


@contextmanager
def workspace(stdout, suffix: str, models):
    """Where a benchmark builds its rows, as a function to call with the builder and its
    arguments. On PostgreSQL, a scratch database (`scratch_database`): the rows are
    committed, then vacuumed and analysed, as autovacuum leaves production's tables, so
    that a page reads them as production does (index-only scans that skip the heap, hint
    bits set, dead rows of earlier runs gone). At 100,000 reports, the query of the
    partner's search ran in 4.8 ms on rows left uncommitted in the benchmark's own
    transaction and in 2.0 ms on the same rows committed (EXPLAIN ANALYZE). Inside a
    transaction (the tests) or on SQLite: built in a transaction that is rolled back
    (`rolled_back`)."""
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with scratch_database(stdout, suffix):
            yield _committed_and_vacuumed
    else:
        with rolled_back(stdout, models):
            yield _built


def _built(build, *args):
    return build(*args)


def _committed_and_vacuumed(build, *args):
    with transaction.atomic():
        made = build(*args)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return made


def _use_database(name: str) -> None:
    """Every connection opened from now on, in any thread, goes to `name` (the settings'
    dictionary is the one each thread's connection is made from)."""
    connection.settings_dict["NAME"] = name
    settings.DATABASES[connection.alias]["NAME"] = name


@dataclass
class Timing:
    p50: float  # ms on the clock
    cpu: float  # ms of this process's CPU: tells a slow page from a busy machine
    slowest: float
    queries: list  # the queries of one request, with their times
    # The bare page, timed in turn with this page (a request of each, `runs` times).
    beside: "Timing | None" = None

    @property
    def sql(self) -> float:
        """The time of the page's queries seen from here, in one request (ms)."""
        return sum(float(query["time"]) for query in self.queries) * 1000


def time_page(user, url, query, runs, what="") -> Timing:
    """`runs` requests after a warm one, then one more whose queries are kept. Over
    HTTPS, as production answers only that (MOVE_SECURE). While the bare page is there
    (`with_bare_page`), each request of the page follows one of the bare page by the same
    person, timed too (`Timing.beside`): the ratio then compares two pages timed at the
    same moments. This machine's speed drifts within a run (the bare page once took
    3.9 ms at the start of a run and 7.9 ms at the start of the next), so a bare page
    timed once, before every page, gave ratios that moved with the drift."""
    client = Client()
    client.force_login(user)
    bare = reverse("bench-bare") if __name__ == settings.ROOT_URLCONF else None
    if bare == url:
        bare = None
    client.get(url, query, secure=True)  # warm
    timings, cpu, bare_timings, bare_cpu = [], [], [], []
    for _run in range(runs):
        if bare:
            began, began_cpu = time.perf_counter(), time.process_time()
            response = client.get(bare, secure=True)
            bare_timings.append((time.perf_counter() - began) * 1000)
            bare_cpu.append((time.process_time() - began_cpu) * 1000)
            if response.status_code != 200:
                raise CommandError(f"bare page beside {what}: HTTP {response.status_code}")
        began, began_cpu = time.perf_counter(), time.process_time()
        response = client.get(url, query, secure=True)
        timings.append((time.perf_counter() - began) * 1000)
        cpu.append((time.process_time() - began_cpu) * 1000)
        if response.status_code != 200:
            raise CommandError(f"{what}: HTTP {response.status_code}")
    request_started.disconnect(reset_queries)  # or each request empties the log
    connection.queries_log.clear()  # full after a build: it keeps 9,000 at most
    durations = []  # to the microsecond: the debug cursor keeps whole milliseconds
    try:
        with (
            CaptureQueriesContext(connection) as captured,  # a debug cursor, DEBUG or not
            connection.execute_wrapper(partial(_timed, durations)),
        ):
            client.get(url, query, secure=True)
        queries = list(captured.captured_queries)
    finally:
        request_started.connect(reset_queries)
    if len(durations) == len(queries):
        for captured_query, seconds in zip(queries, durations, strict=True):
            captured_query["time"] = f"{seconds:.6f}"
    beside = None
    if bare_timings:
        beside = Timing(
            statistics.median(bare_timings), statistics.median(bare_cpu), max(bare_timings), []
        )
    return Timing(statistics.median(timings), statistics.median(cpu), max(timings), queries, beside)


def _timed(durations, execute, sql, params, many, context):
    began = time.perf_counter()
    try:
        return execute(sql, params, many, context)
    finally:
        durations.append(time.perf_counter() - began)


def explain(stdout, sql: str) -> None:
    """The plan of one query, run (EXPLAIN ANALYZE, PostgreSQL)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN ANALYZE " + sql)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    stdout.write(f"{sql}\n{plan}\n")


# The bare page ------------------------------------------------------------------------------


@cache
def _bare_template():
    return engines["django"].from_string(
        "{% extends 'base.html' %}{% block title %}Bench{% endblock %}"
        "{% block main %}<h1>Bench</h1><p>{{ centres }}</p>{% endblock %}"
    )


@login_required
def bare_page(request):
    """Signed in, one query of its own, the base template (with its context processors)."""
    from move.centres.models import Centre

    context = {"centres": Centre.objects.count()}
    return HttpResponse(_bare_template().render(context, request))


urlpatterns = [
    path("bench/bare/", bare_page, name="bench-bare"),
    path("", include(settings.ROOT_URLCONF)),
]


@contextmanager
def with_bare_page():
    """The project's URLs, and the bare page at /bench/bare/."""
    with override_settings(ROOT_URLCONF=__name__):
        yield


def time_bare_page(stdout, user, runs) -> Timing:
    """The bare page's timing, printed: a first reading of the machine's speed (each page
    is then compared with the bare page timed in turn with it)."""
    timing = time_page(user, reverse("bench-bare"), {}, runs, "bare page")
    stdout.write(
        f"Bare page (signed in, {len(timing.queries)} queries, the base template): "
        f"p50 {timing.p50:.1f} ms (CPU {timing.cpu:.1f} ms)"
    )
    return timing


def verdict(timing: Timing, bare: Timing, limit_ms: float, ratio: float | None) -> str:
    """'x1.4 ok' or 'x2.3 OVER': the page's ratio to the bare page (the one timed in turn
    with it, else `bare`), and whether it meets its goals (`ratio` None: only the time
    counts)."""
    times = timing.p50 / (timing.beside or bare).p50
    met = timing.p50 <= limit_ms and (ratio is None or times <= ratio)
    return f"x{times:3.1f} {'ok' if met else 'OVER'}"


def cpu_ratio(timing: Timing, bare: Timing) -> str:
    """The page's CPU time to the bare page's: what the page itself costs this process,
    steadier than the clock on a machine that does other work meanwhile."""
    return f"x{timing.cpu / (timing.beside or bare).cpu:3.1f}"


def bare_beside(timing: Timing, bare: Timing) -> str:
    """The p50 of the bare page the page was compared with, for its line."""
    return f"bare {(timing.beside or bare).p50:4.1f} ms"


def production_note(stdout) -> None:
    """Say under which settings the figures were made."""
    storage = settings.STORAGES["staticfiles"]["BACKEND"].rsplit(".", 1)[-1]
    cached = any("cached.Loader" in str(loader) for loader in engines["django"].engine.loaders)
    stdout.write(
        f"Settings: DEBUG={settings.DEBUG}, cached templates={cached}, static={storage}, "
        f"cache={settings.CACHES['default']['BACKEND'].rsplit('.', 1)[-1]}"
    )
    if settings.DEBUG:
        stdout.write(
            "Not production: run with MOVE_DEBUG=false (make bench) for figures that count."
        )
