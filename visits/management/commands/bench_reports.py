"""Measure the report list at scale: `manage.py bench_reports --reports 100000`.

Builds the reports inside a transaction, measures the list page as a coordinator and
as a partner (median over several requests, and its SQL queries), then rolls
everything back: nothing stays in the database."""

import statistics
import time
from datetime import date, timedelta

from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.core.signals import request_started
from django.db import connection, reset_queries, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from move.accounts import permissions
from move.accounts.models import Membership, Organisation, User
from move.accounts.permissions import Role
from move.centres.models import Centre
from visits.models import Observation, Theme, Visit, VisitReport


class Rollback(Exception):
    pass


class Command(BaseCommand):
    help = "Time the visit report list with many reports (everything is rolled back)."

    def add_arguments(self, parser):
        parser.add_argument("--reports", type=int, default=100_000)
        parser.add_argument("--runs", type=int, default=20)

    def handle(self, *args, reports, runs, **options):
        if "testserver" not in settings.ALLOWED_HOSTS:
            settings.ALLOWED_HOSTS.append("testserver")
        try:
            with transaction.atomic():
                people = self.build(reports)
                for label, user in people.items():
                    self.measure(label, user, runs)
                raise Rollback
        except Rollback:
            self.stdout.write("Rolled back: the database is as it was.")

    def build(self, count):
        started = time.perf_counter()
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
                code="bench", name_fr="B", name_nl="B", kind="adult_centre", town="B"
            )
        ]
        theme = Theme.objects.first() or Theme.objects.create(
            code="bench", name_fr="B", name_nl="B"
        )
        start = date(2000, 1, 1)
        for offset in range(0, count, 5000):
            size = min(5000, count - offset)
            visits = Visit.objects.bulk_create(
                Visit(
                    centre=centres[n % len(centres)],
                    date=start + timedelta(days=(offset + n) // 12),
                    status="done",
                )
                for n in range(size)
            )
            made = VisitReport.objects.bulk_create(
                VisitReport(
                    visit=visit,
                    organisation=coalition,
                    language="fr",
                    status="shared" if n % 20 == 0 else "submitted",
                    general_conditions="Conditions de mesure.",
                )
                for n, visit in enumerate(visits)
            )
            Observation.objects.bulk_create(
                Observation(report=report, theme=theme, centre=centres[0], text="Mesure.")
                for report in made
            )
            for report in made[::20]:
                permissions.share(report, partner_org, "view_visitreport")
        self.stdout.write(f"Built {count} reports in {time.perf_counter() - started:.1f} s.")
        return {"coordinator": coordinator, "partner": partner}

    def measure(self, label, user, runs):
        client = Client()
        client.force_login(user)
        url = reverse("visits:report-list")
        client.get(url)  # warm
        timings = []
        for _run in range(runs):
            began = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - began) * 1000)
            if response.status_code != 200:
                raise CommandError(f"{label}: HTTP {response.status_code}")
        request_started.disconnect(reset_queries)  # or each request empties the log
        connection.queries_log.clear()  # full after the build: it keeps 9,000 at most
        try:
            with CaptureQueriesContext(connection) as queries:
                client.get(url)
        finally:
            request_started.connect(reset_queries)
        last_page = client.get(url + "?after=2000-01-02_1")
        self.stdout.write(
            f"{label:12} list p50 {statistics.median(timings):7.1f} ms, "
            f"max {max(timings):7.1f} ms, {len(queries)} queries, "
            f"page after a cursor: HTTP {last_page.status_code}"
        )
