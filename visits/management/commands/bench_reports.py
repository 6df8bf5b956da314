"""Measure the report list at scale: `manage.py bench_reports --reports 100000`.

Builds the reports (in French and Dutch, with observations across
the themes, one in twenty shared with a partner), measures the list page as a
coordinator and as a partner, with and without search words and filters (median over
several requests, and its SQL queries) and, in the same run, a bare page (signed in, one
query, the base template) to give each case's ratio to it and whether it meets DESIGN §9
(at most 15 ms p50 and twice the bare page). The rows are built in a scratch database
beside DATABASE_URL's, committed and vacuumed as production's are, then dropped (in a
test's transaction, or on SQLite: in a transaction rolled back): nothing stays in the
database. With -v 2 it also shows the plan PostgreSQL chose for each page's list query.
`make bench` runs it with production settings (MOVE_DEBUG=false)."""

import itertools
import random
import statistics
import time
from datetime import date, timedelta

from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth.models import Permission
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.urls import reverse

from move import bench
from move.accounts.models import Membership, Organisation, User
from move.accounts.permissions import Role
from move.centres.models import Centre
from visits import search
from visits.demo import PHRASES
from visits.forms import ReportFilterForm
from visits.models import (
    Observation,
    Theme,
    Visit,
    VisitReport,
    VisitReportGroupObjectPermission,
)

# Two reports in every RARE mention a hunger strike: a search that finds few reports.
RARE = 1000
RARE_WORDS = {"fr": "Une grève de la faim a commencé.", "nl": "Een hongerstaking is begonnen."}

# Real reports use thousands of words, most of them rarely: each report here also gets
# TAIL words drawn (Zipf) from made-up ones, so that PostgreSQL's statistics on the
# search words look like real ones. With the demo phrases alone, every word is common
# and a word found in no report is estimated to be in 1% of them.
TAIL, VOCABULARY = 12, 20_000
SYLLABLES = [consonant + vowel for consonant in "bdfgklmnprstvz" for vowel in "aeiou"]

# The tables the benchmark fills (vacuumed after, when its rows are rolled back).
BUILT = [Visit, VisitReport, Observation, VisitReportGroupObjectPermission]


class Command(BaseCommand):
    help = "Time the visit report list with many reports (nothing stays in the database)."

    def add_arguments(self, parser):
        parser.add_argument("--reports", type=int, default=100_000)
        # Each run is a request of the page and one of the bare page: a hundred give a
        # steadier median than twenty on this machine, for a second or so a case.
        parser.add_argument("--runs", type=int, default=100)

    def handle(self, *args, reports, runs, **options):
        self.verbosity = options["verbosity"]
        bench.production_note(self.stdout)
        with (
            bench.workspace(self.stdout, "bench_reports", BUILT) as build,
            bench.with_bare_page(),
        ):
            people, filters = build(self.build, reports)
            self.bare = bench.time_bare_page(self.stdout, people["coordinator"], runs)
            cases = [
                ("coordinator", "list", {}),
                ("partner", "list", {}),
                ("coordinator", "search", {"q": "isolement"}),
                ("coordinator", "rare words", {"q": "hongerstaking"}),
                ("coordinator", "absent words", {"q": "onvindbaar"}),
                ("coordinator", "filters", filters),
                ("coordinator", "filters and words", {**filters, "q": "overbrenging"}),
                ("partner", "search", {"q": "arts"}),
            ]
            for label, what, query in cases:
                self.measure(label, what, people[label], query, runs)

    def build(self, count):
        started = time.perf_counter()
        self.chance = random.Random(2026)
        self.words = [made_up_word(n) for n in range(VOCABULARY)]
        self.weights = list(itertools.accumulate(1 / rank for rank in range(1, VOCABULARY + 1)))
        coalition = Organisation.objects.create(
            short_name="bench-move", kind="coalition", name_fr="Bench", name_nl="Bench"
        )
        partner_org = Organisation.objects.create(
            short_name="bench-partner", kind="partner", name_fr="Bench P", name_nl="Bench P"
        )
        coordinator = User.objects.create_user("bench.coordinator@example.invalid")
        partner = User.objects.create_user("bench.partner@example.invalid")
        Membership.objects.create(user=coordinator, organisation=coalition, role=Role.COORDINATOR)
        Membership.objects.create(user=partner, organisation=partner_org, role=Role.PARTNER)
        partner.groups.add(partner_org.group)
        # As in real life, the coordinator has a second factor (else: sent to set one up).
        TOTP.activate(coordinator, generate_totp_secret())
        centres = list(Centre.objects.all()) or [
            Centre.objects.create(
                code=f"bench-{n}", name_fr="B", name_nl="B", kind="adult_centre", town="B"
            )
            for n in range(6)
        ]
        themes = list(Theme.objects.all()) or [
            Theme.objects.create(code=f"bench-{n}", name_fr="B", name_nl="B") for n in range(8)
        ]
        start = date(2000, 1, 1)
        for offset in range(0, count, 5000):
            numbers = range(offset, min(offset + 5000, count))
            visits = Visit.objects.bulk_create(
                Visit(
                    centre=centres[n % len(centres)], date=start + timedelta(n // 12), status="done"
                )
                for n in numbers
            )
            made = VisitReport.objects.bulk_create(
                self.report(n, visit, coalition) for n, visit in zip(numbers, visits, strict=True)
            )
            Observation.objects.bulk_create(
                self.observation(report, themes, position)
                for report in made
                for position in range(self.chance.randint(1, 3))
            )
            # What permissions.share() stores, without its three queries a report.
            VisitReportGroupObjectPermission.objects.bulk_create(
                VisitReportGroupObjectPermission(
                    group=partner_org.group, permission=self.view_report, content_object=report
                )
                for report in made
                if report.status == "shared"
            )
        search.update_search_vectors(VisitReport.objects.filter(organisation=coalition))
        if connection.vendor == "postgresql":
            # Production has its statistics (autovacuum).
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self.stdout.write(f"Built {count} reports in {time.perf_counter() - started:.1f} s.")
        middle = start + timedelta(count // 24)
        filters = {
            "centre": centres[0].pk,
            "theme": themes[0].pk,
            "date_from": (middle - timedelta(days=3650)).isoformat(),
            "date_to": middle.isoformat(),
        }
        return {"coordinator": coordinator, "partner": partner}, filters

    @property
    def view_report(self):
        if not hasattr(self, "_view_report"):
            self._view_report = Permission.objects.get(
                codename="view_visitreport", content_type__app_label="visits"
            )
        return self._view_report

    def report(self, n, visit, organisation):
        language = self.chance.choice(["fr", "nl"])
        words = PHRASES[language]
        atmosphere = self.chance.choice(words["atmosphere"])
        if n % RARE in (0, 1):
            atmosphere += " " + RARE_WORDS[language]
        tail = self.chance.choices(self.words, cum_weights=self.weights, k=TAIL)
        return VisitReport(
            visit=visit,
            visit_date=visit.date,
            centre_id=visit.centre_id,
            organisation=organisation,
            language=language,
            status="shared" if n % 20 == 0 else "submitted",
            general_conditions=" ".join([self.chance.choice(words["conditions"]), *tail]),
            atmosphere=atmosphere,
        )

    def observation(self, report, themes, position):
        return Observation(
            report=report,
            theme=self.chance.choice(themes),
            centre_id=report.centre_id,
            text=self.chance.choice(PHRASES[report.language]["observations"]),
            raise_with_authorities=self.chance.random() < 0.2,
            position=position,
        )

    def measure(self, label, what, user, query, runs):
        url = reverse("visits:report-list")
        timing = bench.time_page(user, url, query, runs, label)
        client = Client()
        client.force_login(user)
        after = client.get(url, {**query, "after": "2000-01-02_1"}, secure=True)
        matching = ReportFilterForm(query).apply(VisitReport.objects.visible_to(user)).count()
        data = self.time_data(user, query, runs)
        self.stdout.write(
            f"{label:12} {what:17} p50 {timing.p50:5.1f} ms "
            f"{bench.verdict(timing, self.bare, bench.LIST_MS, bench.RATIO)} "
            f"(CPU {timing.cpu:5.1f} ms {bench.cpu_ratio(timing, self.bare)}), "
            f"{bench.bare_beside(timing, self.bare)}, "
            f"max {timing.slowest:6.1f} ms, "
            f"{len(timing.queries)} queries ({timing.sql:4.1f} ms), {matching:6} matching, "
            f"page after a cursor: HTTP {after.status_code}; "
            f"the page's data alone p50 {data:4.1f} ms"
        )
        if self.verbosity > 1:
            self.explain(timing.queries)

    def time_data(self, user, query, runs) -> float:
        """The list itself, without HTTP, session or template: the filter form checked
        and one page of 50 rows read (what `report_page` does for the view)."""
        from move.accounts import permissions
        from visits import listing

        timings = []
        for _run in range(runs):
            permissions.forget(user)  # the memberships are read again, as in a request
            began = time.perf_counter()
            page = listing.report_page(user, ReportFilterForm(query), None, 50)
            timings.append((time.perf_counter() - began) * 1000)
            if not page.reports and query == {}:
                raise CommandError("The list came back empty.")
        return statistics.median(timings)

    def explain(self, queries):
        """The plan of the list query: the one that reads visits_visitreport."""
        listed = [query["sql"] for query in queries if "LIMIT 51" in query["sql"]]
        if listed:
            bench.explain(self.stdout, listed[0])


def made_up_word(n: int) -> str:
    n = n * 7919 % len(SYLLABLES) ** 3  # scattered: not all starting with "ba"
    return "".join(SYLLABLES[n // len(SYLLABLES) ** k % len(SYLLABLES)] for k in range(3))
