"""Measure the case files at scale: `manage.py bench_people --accompaniments 1000000`.

Builds people owned by three organisations with five meetings
each over ten years of visits (INSERT ... SELECT generate_series: a million rows in
seconds, PostgreSQL only), one person met fifty times, a few case files shared between
organisations; then measures the person list (plain, filtered, searched, a later page)
and the detail page of the person met fifty times, as a visitor of one organisation and
as a coordinator (median over several requests, CPU time, SQL queries), each with its
ratio to a bare page timed in the same run (signed in, one query, the base template) and
whether it meets DESIGN §9 (a list at most 15 ms p50 and twice the bare page, the detail
at most 25 ms). The rows are built in a scratch database beside DATABASE_URL's, committed
and vacuumed as production's are, then dropped (in a test's transaction: in a transaction
rolled back): nothing stays in the database. With -v 2 it
also shows the plan PostgreSQL chose for each list query. `make bench` runs it with
production settings (MOVE_DEBUG=false)."""

import time
from datetime import date, timedelta

from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth.models import Permission
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.urls import reverse

from detainees import meeting_days, services
from detainees.models import (
    Accompaniment,
    DetentionSpell,
    Identity,
    Person,
    PersonGroupObjectPermission,
)
from move import bench
from move.accounts.models import Membership, Organisation, User
from move.accounts.permissions import Role
from move.centres.models import Centre
from visits.models import Theme, Visit

# Visits over ten years; each person is met PER_PERSON times, at visits of their
# organisation; one person in SHARE_EVERY of the second organisation is shared with the
# first; one person in DETAINED_EVERY is still held.
FIRST_DAY, DAYS = date(2016, 1, 4), 3650
SPREAD = {"first": FIRST_DAY, "days": DAYS}
PER_PERSON, MEETINGS_PER_VISIT = 5, 50
SHARE_EVERY, DETAINED_EVERY = 150, 10
HEAVY_MEETINGS = 50
STATUSES = ["detained"] + ["released"] * 4 + ["removed"] * 4 + ["transferred_abroad"]
NATIONALITIES = ["MA", "DZ", "AL", "RO", "GE", "GN", "CM", "CD", "AF", "ER", "BR", "TN"]

# The visit number (in bench_visits) of person n's k-th meeting: PER_PERSON consecutive
# visits of their organisation (visit numbers ≡ n mod 3).
MET_AT = "(({n} / 3 * %(per)s + k) %% %(third)s) * 3 + {n} %% 3"

Through = Visit.visitors.through
Topics = Accompaniment.topics.through
# The tables the benchmark fills (vacuumed after, when its rows are rolled back).
BUILT = [Visit, Through, Person, Identity, DetentionSpell, Accompaniment, Topics]
BUILT += [PersonGroupObjectPermission]


class Command(BaseCommand):
    help = "Time the person list and detail with many meetings (nothing stays in the database)."

    def add_arguments(self, parser):
        parser.add_argument("--accompaniments", type=int, default=1_000_000)
        # Each run is a request of the page and one of the bare page: a hundred give a
        # steadier median than twenty on this machine, for a second or so a case.
        parser.add_argument("--runs", type=int, default=100)

    def handle(self, *args, accompaniments, runs, **options):
        if connection.vendor != "postgresql":
            raise CommandError(
                "bench_people builds its rows with PostgreSQL's generate_series: set "
                "DATABASE_URL to a PostgreSQL database (SQLite is not supported)."
            )
        if accompaniments < PER_PERSON * 3 * MEETINGS_PER_VISIT:
            raise CommandError(f"--accompaniments must be at least {PER_PERSON * 150}.")
        self.verbosity = options["verbosity"]
        bench.production_note(self.stdout)
        with (
            bench.workspace(self.stdout, "bench_people", BUILT) as build,
            bench.with_bare_page(),
        ):
            cases = build(self.build, accompaniments)
            self.bare = bench.time_bare_page(self.stdout, cases[0][2], runs)
            self.stdout.write(
                f"{'who':12} {'page':22} {'p50':>8} {'÷ bare, goal':>13} {'CPU':>9} "
                f"{'÷ bare':>6} {'max':>9} queries {'SQL':>8} {'bare':>9}"
            )
            for case in cases:
                self.measure(*case, runs)

    # Building -----------------------------------------------------------------------------

    def build(self, count):
        started = time.perf_counter()
        people = count // PER_PERSON
        # Enough visits of each organisation for the person met HEAVY_MEETINGS times.
        visits = max(count // MEETINGS_PER_VISIT // 3 * 3, HEAVY_MEETINGS * 3)
        organisations, visitors, coordinator = self.organisations()
        centres = [centre.pk for centre in self.centres()]
        themes = list(Theme.objects.values_list("pk", flat=True)) or [
            Theme.objects.create(code=f"bench-{n}", name_fr="B", name_nl="B").pk for n in range(8)
        ]
        with connection.cursor() as cursor:
            self.cursor = cursor
            self.insert_visits(visits, centres, [user.pk for user in visitors])
            self.insert_people(people, [org.pk for org in organisations], visitors, centres, visits)
            self.insert_meetings(people, visits, visitors, themes)
            self.share(organisations)
        heavy = self.heavy_person(organisations[0], visitors[0], centres, themes)
        meeting_days.refresh([heavy.pk])  # its meetings were bulk-created
        # The others' tallies (their meeting days were written with them, insert_people).
        meeting_days.count_tallies(
            Person.objects.filter(organisation__in=organisations).values("pk")
        )
        self.check_meeting_days(organisations)
        with connection.cursor() as cursor:
            # Production has its statistics (autovacuum).
            cursor.execute("ANALYZE")
        made = Accompaniment.objects.filter(person__organisation__in=organisations).count()
        self.stdout.write(
            f"Built {people + 1} people, {made} accompaniments over {visits} visits "
            f"in {time.perf_counter() - started:.1f} s."
        )
        return self.cases(visitors[0], coordinator, heavy, centres[0])

    def check_meeting_days(self, organisations) -> None:
        """The meeting days written with the people are those a recount finds: one pass
        over the meetings (a subquery per person took minutes at 200,000)."""
        person, meeting, visit = Person._meta, Accompaniment._meta, Visit._meta
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                SELECT COUNT(*) FROM {person.db_table} AS p
                LEFT JOIN (
                    SELECT m.person_id, MIN(v.date) AS first, MAX(v.date) AS last
                    FROM {meeting.db_table} AS m JOIN {visit.db_table} AS v ON v.id = m.visit_id
                    GROUP BY m.person_id
                ) AS recount ON recount.person_id = p.id
                WHERE p.organisation_id = ANY(%s)
                  AND (p.first_met_on IS DISTINCT FROM recount.first
                       OR p.last_met_on IS DISTINCT FROM recount.last)
                """,
                [[organisation.pk for organisation in organisations]],
            )
            (wrong,) = cursor.fetchone()
        if wrong:
            raise CommandError(f"{wrong} people's meeting days differ from a recount.")

    def cases(self, visitor, coordinator, heavy, centre):
        listed = reverse("detainees:person-list")
        detail = reverse("detainees:person-detail", kwargs={"key": heavy.key})
        middle = Person.objects.filter(code__startswith="B-").order_by("pk")
        middle = middle.values_list("pk", flat=True)[middle.count() // 2]
        cases = []
        for label, user in (("visitor", visitor), ("coordinator", coordinator)):
            cases += [
                (label, "list", user, listed, {}),
                (label, "list, still held", user, listed, {"status": "detained"}),
                (label, "list, held in a centre", user, listed, {"centre": centre}),
                (label, "list, code search", user, listed, {"code": "0042"}),
                (label, "list, a later page", user, listed, {"after": middle}),
                (label, f"detail, {HEAVY_MEETINGS} meetings", user, detail, {}),
            ]
        return cases

    def organisations(self):
        coalition = Organisation.objects.create(
            short_name="bench-move", kind="coalition", name_fr="Bench", name_nl="Bench"
        )
        organisations, visitors = [], []
        for letter in "abc":
            organisation = Organisation.objects.create(
                short_name=f"bench-{letter}",
                kind="founding_member",
                name_fr=f"Bench {letter}",
                name_nl=f"Bench {letter}",
            )
            visitor = User.objects.create_user(f"bench.visitor.{letter}@example.invalid")
            Membership.objects.create(user=visitor, organisation=organisation, role=Role.VISITOR)
            visitor.groups.add(organisation.group)
            organisations.append(organisation)
            visitors.append(visitor)
        coordinator = User.objects.create_user("bench.coordinator@example.invalid")
        Membership.objects.create(user=coordinator, organisation=coalition, role=Role.COORDINATOR)
        # As in real life, both have a second factor (else: sent to set one up).
        for user in (visitors[0], coordinator):
            TOTP.activate(user, generate_totp_secret())
        return organisations, visitors, coordinator

    def centres(self):
        return list(Centre.objects.filter(kind=Centre.Kind.ADULT_CENTRE).order_by("code")) or [
            Centre.objects.create(
                code=f"bench-{n}", name_fr="B", name_nl="B", kind="adult_centre", town="B"
            )
            for n in range(6)
        ]

    def insert_visits(self, count, centres, visitors):
        """Visit n is made by the visitor of organisation n % 3 (bench_visits maps n to
        the visit's id)."""
        self.cursor.execute(
            "CREATE TEMPORARY TABLE bench_visits (n integer PRIMARY KEY, id bigint) ON COMMIT DROP"
        )
        self.cursor.execute(
            f"""
            WITH made AS (
                INSERT INTO {Visit._meta.db_table} (code, centre_id, date, status, version)
                SELECT gen_random_uuid(), (%(centres)s::bigint[])[1 + i %% %(nc)s],
                       %(first)s::date + (i::bigint * %(days)s / %(count)s)::integer, 'done', 1
                FROM generate_series(0, %(count)s - 1) AS i
                RETURNING id
            )
            INSERT INTO bench_visits SELECT row_number() OVER (ORDER BY id) - 1, id FROM made
            """,
            {"centres": centres, "nc": len(centres), "count": count, **SPREAD},
        )
        self.cursor.execute(
            f"""
            INSERT INTO {Through._meta.db_table} (visit_id, user_id)
            SELECT id, (%(visitors)s::bigint[])[1 + n %% 3] FROM bench_visits
            """,
            {"visitors": visitors},
        )

    def insert_people(self, count, organisations, visitors, centres, visits):
        """Person n belongs to organisation n % 3; one in ten is still held. The days they
        were first and last met are those of their meetings' visits (insert_meetings), as
        the writes of meetings keep them (detainees/meeting_days.py): written with the
        row, as an UPDATE of every row would leave the table twice its size."""
        self.cursor.execute(
            "CREATE TEMPORARY TABLE bench_people (n integer PRIMARY KEY, id bigint) ON COMMIT DROP"
        )
        self.cursor.execute(
            f"""
            WITH made AS (
                INSERT INTO {Person._meta.db_table} (
                    code, key, organisation_id, sex, birth_year, nationality, languages,
                    vulnerabilities, cannot_be_removed, legal_basis, status, notes,
                    created_at, updated_at, created_by_id, version, first_met_on,
                    last_met_on)
                SELECT 'B-' || lpad(i::text, 8, '0'), gen_random_uuid(),
                       (%(organisations)s::bigint[])[1 + i %% 3],
                       CASE WHEN i %% 10 = 0 THEN 'f' ELSE 'm' END, 1960 + i %% 45,
                       (%(nationalities)s::text[])[1 + i %% %(nn)s], '["fr", "ar"]',
                       CASE WHEN i %% 7 = 0 THEN '["medical"]' ELSE '[]' END::jsonb, false,
                       'legitimate_interest', (%(statuses)s::text[])[1 + i %% 10], '',
                       now() - make_interval(mins => %(count)s - i),
                       now() - make_interval(mins => %(count)s - i),
                       (%(visitors)s::bigint[])[1 + i %% 3], 1,
                       (SELECT MIN(met_on.date)
                        FROM generate_series(0, %(per)s - 1) AS k
                        JOIN bench_visits AS met ON met.n = {MET_AT.format(n="i")}
                        JOIN {Visit._meta.db_table} AS met_on ON met_on.id = met.id),
                       (SELECT MAX(met_on.date)
                        FROM generate_series(0, %(per)s - 1) AS k
                        JOIN bench_visits AS met ON met.n = {MET_AT.format(n="i")}
                        JOIN {Visit._meta.db_table} AS met_on ON met_on.id = met.id)
                FROM generate_series(0, %(count)s - 1) AS i
                RETURNING id
            )
            INSERT INTO bench_people SELECT row_number() OVER (ORDER BY id) - 1, id FROM made
            """,
            {
                "organisations": organisations,
                "nationalities": NATIONALITIES,
                "nn": len(NATIONALITIES),
                "statuses": STATUSES,
                "visitors": [user.pk for user in visitors],
                "count": count,
                "per": PER_PERSON,
                "third": visits // 3,
            },
        )
        self.cursor.execute(
            f"""
            INSERT INTO {DetentionSpell._meta.db_table}
                (person_id, centre_id, start, "end", ground, new_order, outcome, key)
            SELECT id, (%(centres)s::bigint[])[1 + n %% %(nc)s], start,
                   CASE WHEN n %% 10 = 0 THEN NULL ELSE start + 90 END,
                   'irregular_stay', true,
                   CASE n %% 10 WHEN 0 THEN '' WHEN 9 THEN 'transferred_abroad'
                        ELSE (CASE WHEN n %% 10 < 5 THEN 'released' ELSE 'removed' END) END,
                   gen_random_uuid()
            FROM (SELECT n, id, %(first)s::date + (n::bigint * %(days)s / %(count)s)::integer
                      AS start FROM bench_people) AS people
            """,
            {"centres": centres, "nc": len(centres), "count": count, **SPREAD},
        )

    def insert_meetings(self, people, visits, visitors, themes):
        """Person n meets their organisation's visitor at PER_PERSON distinct visits made
        by that organisation (visit numbers ≡ n mod 3), with one topic each."""
        third = visits // 3
        self.cursor.execute(
            f"""
            INSERT INTO {Accompaniment._meta.db_table}
                (person_id, visit_id, met_by_id, actions, next_step, created_at, key)
            SELECT p.id, v.id, (%(visitors)s::bigint[])[1 + p.n %% 3],
                   'Expliqué la procédure de recours.', '',
                   (%(first)s::date + (v.n::bigint * %(days)s / %(visits)s)::integer)
                       + interval '18 hours',
                   gen_random_uuid()
            FROM bench_people AS p
            CROSS JOIN generate_series(0, %(per)s - 1) AS k
            JOIN bench_visits AS v ON v.n = {MET_AT.format(n="p.n")}
            """,
            {
                "visitors": [user.pk for user in visitors],
                "visits": visits,
                "per": PER_PERSON,
                "third": third,
                **SPREAD,
            },
        )
        self.cursor.execute(
            f"""
            INSERT INTO {Topics._meta.db_table} (accompaniment_id, theme_id)
            SELECT a.id, (%(themes)s::bigint[])[1 + a.id %% %(nt)s]
            FROM {Accompaniment._meta.db_table} AS a JOIN bench_people AS p ON p.id = a.person_id
            """,
            {"themes": themes, "nt": len(themes)},
        )

    def share(self, organisations):
        """One case file in SHARE_EVERY of the second organisation is shared with the first
        (what services.share_person stores)."""
        permission = Permission.objects.get(
            codename="view_person", content_type__app_label="detainees"
        )
        self.cursor.execute(
            f"""
            INSERT INTO {PersonGroupObjectPermission._meta.db_table}
                (content_object_id, group_id, permission_id)
            SELECT id, %(group)s, %(permission)s FROM bench_people
            WHERE n %% %(every)s = 1
            """,
            {"group": organisations[0].group_id, "permission": permission.pk, "every": SHARE_EVERY},
        )

    def heavy_person(self, organisation, visitor, centres, themes):
        """A person of the first organisation met HEAVY_MEETINGS times over three spells,
        with an identity: the detail page at its heaviest."""
        person = Person.objects.create(
            code="B-HEAVY",
            organisation=organisation,
            created_by=visitor,
            sex="m",
            birth_year=1990,
            nationality="MA",
            languages=["ar", "fr"],
            vulnerabilities=["medical"],
        )
        services._write_identity(
            person, Identity(person=person), {"given_names": "Bench", "surname": "Heavy"}
        )
        ours = Visit.objects.filter(visitors=visitor).order_by("-date")[:HEAVY_MEETINGS]
        ours = list(ours.values_list("pk", "date", "centre_id"))
        start, end = ours[-1][1] - timedelta(days=3), ours[0][1]
        middle = start + (end - start) / 2
        DetentionSpell.objects.bulk_create(
            [
                DetentionSpell(person=person, centre_id=centres[0], start=start, end=middle),
                DetentionSpell(person=person, centre_id=centres[1], start=middle, end=end),
                DetentionSpell(person=person, centre_id=centres[2], start=end, new_order=False),
            ]
        )
        made = Accompaniment.objects.bulk_create(
            Accompaniment(person=person, visit_id=pk, met_by=visitor, actions="Bench.")
            for pk, _day, _centre in ours
        )
        Topics.objects.bulk_create(
            Topics(accompaniment_id=meeting.pk, theme_id=theme)
            for meeting in made
            for theme in themes[:2]
        )
        return person

    # Measuring ----------------------------------------------------------------------------

    def measure(self, label, what, user, url, query, runs):
        timing = bench.time_page(user, url, query, runs, f"{label} {what}")
        detail = what.startswith("detail")
        verdict = bench.verdict(
            timing,
            self.bare,
            bench.DETAIL_MS if detail else bench.LIST_MS,
            None if detail else bench.RATIO,
        )
        self.stdout.write(
            f"{label:12} {what:22} {timing.p50:5.1f} ms {verdict:>13} {timing.cpu:6.1f} ms "
            f"{bench.cpu_ratio(timing, self.bare):>6} "
            f"{timing.slowest:6.1f} ms {len(timing.queries):5} {timing.sql:6.1f} ms "
            f"{(timing.beside or self.bare).p50:6.1f} ms"
        )
        if self.verbosity > 1:
            self.explain(timing.queries)

    def explain(self, queries):
        """The plan of the page's main query: the list's (LIMIT 51) or the meetings'."""
        table = Accompaniment._meta.db_table
        main = [q["sql"] for q in queries if "LIMIT 51" in q["sql"]] or [
            q["sql"] for q in queries if f'FROM "{table}"' in q["sql"]
        ]
        if main:
            bench.explain(self.stdout, main[0])
