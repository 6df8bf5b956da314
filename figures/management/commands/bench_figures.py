"""Measure the yearly figures at scale: `manage.py bench_figures`.

Builds, in a scratch database of its own beside DATABASE_URL's (its name and
"_bench_figures", migrated first, dropped at the end: nothing is written to DATABASE_URL's
database), bench_people's case files (1,000,000 accompaniments of 200,000 people over ten
years of visits, one detention spell each: 200,000 spells), then 100,000 visit reports
over the same ten years, each of its own visit, with one to three observations (one in
twenty shared, one in fifty a draft). The rows are committed and vacuumed, as production
has them: the dashboard counts the compared year on a second connection
(figures/concurrent.py), which would not see rows left uncommitted. Then it times, as
production runs them (no cache: every call counts again), the key figures of a year,
every table of the year (figures.yearly.figures, the full variant), the dashboard of the
year as a coordinator (two years of figures, the charts, the page) and, when
figures/pdf.py can render one, the statistics PDF of the year with the memory it took;
each beside a bare page (signed in, one query, the base template) timed in the same run,
and against the issue's goals (key figures and dashboard ≤ 500 ms, the PDF ≤ 6 s and ≤
300 MB). With -v 2 it also shows the time of each query of figures(), with -v 3 the plan
PostgreSQL chose for it. `make bench` runs it with production settings
(MOVE_DEBUG=false)."""

import io
import os
import pickle
import resource
import statistics
import time
from functools import partial
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from detainees.management.commands import bench_people
from detainees.models import Accompaniment, DetentionSpell
from figures import concurrent, yearly
from move import bench
from move.accounts.models import Organisation
from move.accounts.permissions import FIGURES_FULL
from move.centres.models import Centre, CentreYear
from visits.models import Observation, Theme, Visit, VisitReport

# The goals of issue 13: key figures and the dashboard of a year, the yearly PDF.
FIGURES_MS, PDF_S, PDF_MB = 500.0, 6.0, 300.0
YEAR = 2022  # inside bench_people's ten years of visits (2016 to 2025)
SHARED_EVERY, DRAFT_EVERY = 20, 50


class Command(BaseCommand):
    help = "Time the yearly figures with many records (in a scratch database, dropped after)."

    def add_arguments(self, parser):
        parser.add_argument("--accompaniments", type=int, default=1_000_000)
        parser.add_argument("--reports", type=int, default=100_000)
        parser.add_argument("--year", type=int, default=YEAR)
        parser.add_argument("--runs", type=int, default=10)
        parser.add_argument("--no-pdf", action="store_true", help="Do not time the PDF.")

    def handle(self, *args, accompaniments, reports, year, runs, no_pdf, **options):
        if connection.vendor != "postgresql":
            raise CommandError(
                "bench_figures builds its rows with PostgreSQL's generate_series: set "
                "DATABASE_URL to a PostgreSQL database (SQLite is not supported)."
            )
        self.verbosity = options["verbosity"]
        bench.production_note(self.stdout)
        with bench.scratch_database(self.stdout, "bench_figures"), bench.with_bare_page():
            with transaction.atomic():
                coordinator = self.build(accompaniments, reports, year)
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")  # as autovacuum leaves production's tables
            try:
                self.bare = bench.time_bare_page(self.stdout, coordinator, runs)
                self.measure(year, coordinator, runs, pdf=not no_pdf)
            finally:
                concurrent.close()  # the helper's connection, before the database is dropped

    # Building -----------------------------------------------------------------------------

    def build(self, accompaniments: int, reports: int, year: int):
        people = bench_people.Command(stdout=self.stdout, stderr=self.stderr)
        people.verbosity = 0
        cases = people.build(accompaniments)
        coordinator = next(user for label, _what, user, *_ in cases if label == "coordinator")
        started = time.perf_counter()
        organisations = list(
            Organisation.objects.filter(short_name__in=["bench-a", "bench-b", "bench-c"])
            .order_by("short_name")
            .values_list("pk", flat=True)
        )
        centres = list(
            Centre.objects.filter(kind=Centre.Kind.ADULT_CENTRE)
            .order_by("code")
            .values_list("pk", flat=True)
        )
        themes = list(Theme.objects.values_list("pk", flat=True))
        with connection.cursor() as cursor:
            self.insert_reports(cursor, reports, centres, organisations, themes)
            self.official_figures(year, centres)
            cursor.execute("ANALYZE")  # production has its statistics (autovacuum)
        self.stdout.write(
            f"Built {reports} reports with "
            f"{Observation.objects.filter(report__organisation__in=organisations).count()} "
            f"observations in {time.perf_counter() - started:.1f} s; in all "
            f"{Accompaniment.objects.count()} accompaniments, "
            f"{DetentionSpell.objects.count()} spells, {VisitReport.objects.count()} reports."
        )
        return coordinator

    def insert_reports(self, cursor, count, centres, organisations, themes) -> None:
        """Report n: of its own done visit over bench_people's ten years, by organisation
        n % 3, shared one in SHARED_EVERY, a draft one in DRAFT_EVERY, with 1 + n % 3
        observations, one in five to raise with the authorities."""
        cursor.execute(
            "CREATE TEMPORARY TABLE bench_reports (n integer PRIMARY KEY, visit bigint,"
            " report bigint) ON COMMIT DROP"
        )
        cursor.execute(
            f"""
            WITH made AS (
                INSERT INTO {Visit._meta.db_table} (code, centre_id, date, status, version)
                SELECT gen_random_uuid(), (%(centres)s::bigint[])[1 + i %% %(nc)s],
                       %(first)s::date + (i::bigint * %(days)s / %(count)s)::integer, 'done', 1
                FROM generate_series(0, %(count)s - 1) AS i
                RETURNING id
            )
            INSERT INTO bench_reports (n, visit)
            SELECT row_number() OVER (ORDER BY id) - 1, id FROM made
            """,
            {"centres": centres, "nc": len(centres), "count": count, **bench_people.SPREAD},
        )
        report = VisitReport._meta.db_table
        cursor.execute(
            f"""
            WITH made AS (
                INSERT INTO {report} (
                    code, visit_id, organisation_id, language, status, general_conditions,
                    atmosphere, people_met, people_new, families, minors_claimed, created_at,
                    updated_at, submitted_at, version, awaiting_check, visit_date, centre_id)
                SELECT gen_random_uuid(), v.id, (%(organisations)s::bigint[])[1 + b.n %% 3],
                       'fr',
                       CASE WHEN b.n %% %(shared)s = 0 THEN 'shared'
                            WHEN b.n %% %(draft)s = 1 THEN 'draft' ELSE 'submitted' END,
                       'Bench.', '', 3, 1, 0, 0, now(), now(),
                       CASE WHEN b.n %% %(draft)s = 1 THEN NULL
                            ELSE v.date + time '18:00' END,
                       1, false, v.date, v.centre_id
                FROM bench_reports AS b JOIN {Visit._meta.db_table} AS v ON v.id = b.visit
                RETURNING id, visit_id
            )
            UPDATE bench_reports SET report = made.id FROM made WHERE made.visit_id = visit
            """,
            {"organisations": organisations, "shared": SHARED_EVERY, "draft": DRAFT_EVERY},
        )
        cursor.execute(
            f"""
            INSERT INTO {Observation._meta.db_table}
                (report_id, theme_id, centre_id, text, severity, raise_with_authorities,
                 position)
            SELECT b.report, (%(themes)s::bigint[])[1 + (b.n + k) %% %(nt)s], r.centre_id,
                   'Bench.', 'medium', (b.n + k) %% 5 = 0, k
            FROM bench_reports AS b JOIN {report} AS r ON r.id = b.report
            CROSS JOIN LATERAL generate_series(0, b.n %% 3) AS k
            """,
            {"themes": themes, "nt": len(themes)},
        )

    def official_figures(self, year: int, centres) -> None:
        """The number detained in each adult centre in the years timed, where missing."""
        for when in (year - 1, year):
            for centre in centres:
                CentreYear.objects.get_or_create(
                    centre_id=centre,
                    year=when,
                    defaults={"people_detained": 8000, "people_detained_source": "Bench."},
                )

    # Measuring ----------------------------------------------------------------------------

    def measure(self, year: int, coordinator, runs: int, pdf: bool) -> None:
        for when in (year, year - 1, year, year - 1):  # the first reads of new rows are slower
            yearly.figures(when, variant=FIGURES_FULL)
        key = self.time_call(lambda: yearly.key_figures(year), runs)
        self.line(f"key_figures({year})", key, FIGURES_MS)
        tables = self.time_call(lambda: yearly.figures(year, variant=FIGURES_FULL), runs)
        self.line(f"figures({year}, FULL)", tables, FIGURES_MS)
        if self.verbosity > 1:
            self.show_queries(tables["queries"])
        url = reverse("figures:dashboard", kwargs={"year": year})
        page = bench.time_page(coordinator, url, {}, runs, "dashboard")
        self.line(
            f"dashboard {year} (with {year - 1})",
            {"p50": page.p50, "cpu": page.cpu, "queries": page.queries},
            FIGURES_MS,
        )
        self.stdout.write(
            f"  (the queries of the request's connection; {year - 1}'s ran beside them on "
            "the helper thread's: figures/concurrent.py)"
        )
        found = yearly.key_figures(year)
        self.stdout.write(
            "Counted: "
            + ", ".join(
                f"{name} {found[name]}"
                for name in ("people_accompanied_adult_centres", "meetings", "reports_written")
            )
        )
        if pdf:
            self.time_pdf(year)

    def time_call(self, function, runs: int) -> dict:
        """The median over `runs` calls after a warm one, and the queries of one call."""
        function()
        timings, cpu = [], []
        for _run in range(runs):
            began, began_cpu = time.perf_counter(), time.process_time()
            function()
            timings.append((time.perf_counter() - began) * 1000)
            cpu.append((time.process_time() - began_cpu) * 1000)
        durations = []
        with (
            CaptureQueriesContext(connection) as captured,
            connection.execute_wrapper(partial(bench._timed, durations)),
        ):
            function()
        queries = list(captured.captured_queries)
        if len(durations) == len(queries):  # to the microsecond, where they pair up
            for query, seconds in zip(queries, durations, strict=True):
                query["time"] = f"{seconds:.6f}"
        return {
            "p50": statistics.median(timings),
            "cpu": statistics.median(cpu),
            "queries": queries,
        }

    def show_queries(self, queries) -> None:
        """Each query of one call with its time; with -v 3, the plan of each SELECT."""
        for query in queries:
            self.stdout.write(f"{float(query['time']) * 1000:8.1f} ms  {query['sql'][:110]}")
        if self.verbosity > 2:
            for query in queries:
                if query["sql"].lstrip().startswith(("SELECT", "WITH")):
                    bench.explain(self.stdout, query["sql"])

    def line(self, what: str, timing: dict, limit_ms: float) -> None:
        ratio = timing["p50"] / self.bare.p50
        verdict = "ok" if timing["p50"] <= limit_ms else "OVER"
        sql = sum(float(query["time"]) for query in timing["queries"]) * 1000
        self.stdout.write(
            f"{what:28} p50 {timing['p50']:7.1f} ms  x{ratio:5.1f} the bare page  "
            f"(goal {limit_ms:.0f} ms: {verdict}), CPU {timing['cpu']:6.1f} ms, "
            f"{len(timing['queries'])} queries ({sql:.0f} ms of SQL in one call)"
        )

    def time_pdf(self, year: int) -> None:
        """The yearly PDF in French, rendered in a child process (forked: it reads the
        figures, not the database) so that its peak memory is its own, its charts drawn
        (not read from the cache)."""
        try:
            from figures import pdf
        except ImportError:
            self.stdout.write("PDF: figures/pdf.py is not there yet, not timed.")
            return
        if not hasattr(pdf, "render"):
            self.stdout.write("PDF: figures/pdf.py has no render(), not timed.")
            return
        began = time.perf_counter()
        tables = yearly.figures(year, variant=FIGURES_FULL, language="fr")
        counted = (time.perf_counter() - began) * 1000
        result = _in_child(lambda: _render(pdf, tables))
        verdict = "ok" if result["seconds"] <= PDF_S and result["peak_mb"] <= PDF_MB else "OVER"
        self.stdout.write(
            f"PDF {year} (fr, {result['pages']} pages, {result['bytes'] // 1024} KB, "
            "every chart drawn): "
            f"{result['seconds']:.2f} s to render after {counted:.0f} ms of figures, "
            f"peak memory of the process {result['peak_mb']:.0f} MB ({result['before_mb']:.0f} "
            f"MB before it began; goal {PDF_S:.0f} s and {PDF_MB:.0f} MB: {verdict})"
        )


def _render(pdf, tables) -> dict:
    """In the child: the PDF with every chart drawn, none taken from the cache (the
    dashboard's charts, drawn beside the compared year, are not the PDF's)."""
    from django.core.cache.backends.dummy import DummyCache

    from figures import charts

    charts.cache = DummyCache("bench", {})
    before = _rss_mb()
    began = time.perf_counter()
    made = pdf.render(tables, "fr")
    seconds = time.perf_counter() - began
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux
    return {
        "seconds": seconds,
        "bytes": len(made),
        "pages": _pages(made),
        "peak_mb": peak,
        "before_mb": before,
    }


def _pages(made: bytes) -> str:
    try:
        from pypdf import PdfReader
    except ImportError:  # a development tool: not installed in production
        return "?"
    return str(len(PdfReader(io.BytesIO(made)).pages))


def _rss_mb() -> float:
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def _in_child(function) -> dict:
    """`function()`'s result, computed in a forked child whose database connection is
    never used (it leaves with os._exit, which closes nothing)."""
    reading, writing = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - the child
        os.close(reading)
        try:
            payload = pickle.dumps(("ok", function()))
        except BaseException as error:  # noqa: BLE001 - reported by the parent
            payload = pickle.dumps(("error", repr(error)))
        with os.fdopen(writing, "wb") as out:
            out.write(payload)
        os._exit(0)
    os.close(writing)
    with os.fdopen(reading, "rb") as received:
        status, value = pickle.loads(received.read())
    os.waitpid(child, 0)
    if status != "ok":
        raise CommandError(f"The PDF failed: {value}")
    return value
