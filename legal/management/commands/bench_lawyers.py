"""Measure the lawyer directory at scale: `manage.py bench_lawyers --lawyers 5000`.

Builds lawyers over every bar (each speaking one to three
languages, with two or three specialities, covering one or two centres and a region,
one in three taking legal-aid cases, most subscribed), then measures the list
(`legal:lawyer-list`) as a visitor: plain, filtered as a visitor in a centre filters it
(a language, a centre and a speciality: the two quick links), a search by name, and a
later page; and as the lawyer, who keeps the directory (the subscribed ones). Each case
is printed with its median time, CPU time, slowest run and SQL queries, beside a bare
page timed in the same run (signed in, one query, the base template), and whether it
meets the issue's goal (at most 15 ms p50 and twice the bare page). The rows are built in
a scratch database beside DATABASE_URL's, committed and vacuumed as production's are, then
dropped (in a test's transaction, or on SQLite: in a transaction rolled back): nothing
stays in the database. With -v 2 it also prints the plan of the
page's query, run (EXPLAIN ANALYZE). `make bench` runs it with production settings
(MOVE_DEBUG=false)."""

import random
import time

from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.urls import reverse

from legal.directory_views import PAGE_SIZE
from legal.library import REGIONS, SPOKEN_LANGUAGES
from legal.models import Bar, Lawyer, Speciality
from move import bench
from move.accounts.models import Membership, Organisation, User
from move.accounts.permissions import Role
from move.centres.models import Centre

CHUNK = 2000
# The six adult centres at least (the demo's, or made up when the database has fewer).
CENTRES = 6
# What the lawyers speak: Dutch and French mostly (weights of SPOKEN_LANGUAGES).
LANGUAGE_WEIGHTS = [40, 40, 25, 4, 6, 4, 3, 2, 2]
FIRST_NAMES = ["An", "Bram", "Claire", "Dirk", "Els", "Fatima", "Hugo", "Inge", "Jan", "Karim"]
LAST_NAMES = ["Peeters", "Janssens", "Dubois", "Maes", "Lambert", "Wouters", "Claes", "Mertens"]
BUILT = [Lawyer, Lawyer.specialities.through, Lawyer.centres.through]


class Command(BaseCommand):
    help = "Time the lawyer directory with many lawyers (nothing stays in the database)."

    def add_arguments(self, parser):
        parser.add_argument("--lawyers", type=int, default=5000)
        # Each run is a request of the page and one of the bare page: a hundred give a
        # steadier median than twenty on this machine, for a second or so a case.
        parser.add_argument("--runs", type=int, default=100)

    def handle(self, *args, lawyers, runs, **options):
        if lawyers < 10:
            raise CommandError("--lawyers must be at least 10.")
        self.verbosity = options["verbosity"]
        bench.production_note(self.stdout)
        with (
            bench.workspace(self.stdout, "bench_lawyers", BUILT) as build,
            bench.with_bare_page(),
        ):
            cases = build(self.build, lawyers)
            self.bare = bench.time_bare_page(self.stdout, cases[0][2], runs)
            self.stdout.write(
                f"{'who':8} {'page':34} {'p50':>8} {'÷ bare, goal':>13} {'CPU':>9} "
                f"{'max':>9} queries {'SQL':>8} {'bare':>9}"
            )
            for case in cases:
                self.measure(*case, runs)

    # Building -----------------------------------------------------------------------

    def build(self, count):
        started = time.perf_counter()
        chance = random.Random(2026)
        bars = list(Bar.objects.all())
        specialities = list(Speciality.objects.all())
        if not bars or not specialities:
            raise CommandError("The bars and specialities are missing: run migrate first.")
        centres = self.centres()
        visitor, lawyer = self.people()
        before = Lawyer.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        languages = [code for code, _label in SPOKEN_LANGUAGES]
        regions = [code for code, _label in REGIONS]
        for offset in range(0, count, CHUNK):
            made = Lawyer.objects.bulk_create(
                self.lawyer(n, chance, bars, languages, regions)
                for n in range(offset, min(offset + CHUNK, count))
            )
            Lawyer.specialities.through.objects.bulk_create(
                Lawyer.specialities.through(lawyer=made_one, speciality=speciality)
                for made_one in made
                for speciality in chance.sample(specialities, chance.randint(2, 3))
            )
            Lawyer.centres.through.objects.bulk_create(
                Lawyer.centres.through(lawyer=made_one, centre=centre)
                for made_one in made
                for centre in chance.sample(centres, chance.randint(1, 2))
            )
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        built = Lawyer.objects.filter(pk__gt=before)
        self.stdout.write(
            f"Built {built.count()} lawyers over {len(bars)} bars and {len(centres)} centres "
            f"({built.subscribed().count()} subscribed) in {time.perf_counter() - started:.1f} s."
        )
        return self.cases(visitor, lawyer, centres[0], chance.choice(LAST_NAMES))

    def centres(self) -> list[Centre]:
        centres = list(Centre.objects.filter(active=True))
        if len(centres) < CENTRES:
            centres += [
                Centre.objects.create(
                    code=f"bench-{n}",
                    name_fr=f"Centre {n}",
                    name_nl=f"Centrum {n}",
                    kind=Centre.Kind.ADULT_CENTRE,
                    town="Merksplas",
                )
                for n in range(CENTRES - len(centres))
            ]
        return centres

    def people(self):
        coalition = Organisation.objects.create(
            short_name="bench-directory", kind="coalition", name_fr="Bench", name_nl="Bench"
        )
        visitor = User.objects.create_user("bench.directory.visitor@example.invalid")
        lawyer = User.objects.create_user("bench.directory.lawyer@example.invalid")
        Membership.objects.create(user=visitor, organisation=coalition, role=Role.VISITOR)
        Membership.objects.create(user=lawyer, organisation=coalition, role=Role.LEGAL)
        # As in real life, they have a second factor (else: sent to set one up).
        for user in (visitor, lawyer):
            TOTP.activate(user, generate_totp_secret())
        return visitor, lawyer

    def lawyer(self, n, chance, bars, languages, regions) -> Lawyer:
        spoken = set(chance.choices(languages, LANGUAGE_WEIGHTS, k=chance.randint(1, 3)))
        subscribed = chance.random() < 0.8
        name = f"{chance.choice(FIRST_NAMES)} {chance.choice(LAST_NAMES)} {n:05d}"
        return Lawyer(
            name=name,
            firm=f"Cabinet {chance.choice(LAST_NAMES)}" if n % 2 else "",
            bar=bars[n % len(bars)],
            email=f"bench.lawyer.{n}@example.invalid",
            phone=f"+32470{n % 1_000_000:06d}",
            languages=" ".join(code for code in languages if code in spoken),
            regions=chance.choice(regions),
            legal_aid=n % 3 == 0,
            subscribed=subscribed,
            subscription_basis=Lawyer.Basis.CONSENT if subscribed else "",
            newsletter_language=chance.choice(["fr", "nl"]),
        )

    # Measuring ----------------------------------------------------------------------

    def cases(self, visitor, lawyer, centre, surname):
        """(who, what, user, query)."""
        self.url = reverse("legal:lawyer-list")
        near = {"centre": centre.code, "speciality": "detention", "language": "nl"}
        return [
            ("visitor", "directory", visitor, {}),
            ("visitor", "Dutch, detention, one centre", visitor, near),
            ("visitor", f"name search ({surname})", visitor, {"q": surname}),
            ("visitor", "page 10", visitor, {"page": "10"}),
            ("lawyer", "subscribed, legal aid", lawyer, {"subscribed": "yes", "legal_aid": "yes"}),
        ]

    def measure(self, label, what, user, query, runs):
        timing = bench.time_page(user, self.url, query, runs, f"{label} {what}")
        verdict = bench.verdict(timing, self.bare, bench.LIST_MS, bench.RATIO)
        self.stdout.write(
            f"{label:8} {what:34} {timing.p50:5.1f} ms {verdict:>13} {timing.cpu:6.1f} ms "
            f"{timing.slowest:6.1f} ms {len(timing.queries):5} {timing.sql:6.1f} ms "
            f"{(timing.beside or self.bare).p50:6.1f} ms"
        )
        main = self.main_query(timing.queries)
        if self.verbosity > 1 and main:
            bench.explain(self.stdout, main)

    def main_query(self, queries) -> str | None:
        """The page of lawyers: the query on the lawyers' table with its LIMIT."""
        table = Lawyer._meta.db_table
        found = [
            q["sql"]
            for q in queries
            if f'FROM "{table}"' in q["sql"] and f"LIMIT {PAGE_SIZE + 1}" in q["sql"]
        ]
        return found[0] if found else None
