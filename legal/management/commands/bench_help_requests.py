"""Measure the help desk's queue at scale: `manage.py bench_help_requests --requests 50000`.

Builds requests over six years up to today (in French and Dutch,
most asked by visitors in the application, the older ones closed, a few thousand still
open), each with its thread (question, answer, sometimes a note), a deadline on one in
five (running on the open ones, which sets the queue's order), and the search words of
each; then measures the queue (`legal:request-list`) as the lawyer (the open requests,
nearest deadline first, and a later page), the coordinator (every request), a visitor
(their own), with full-text searches and with filters (median over several requests, CPU
time, SQL queries), each with its ratio to a bare page timed in the same run (signed in,
one query, the base template) and whether it meets the issue's goal (at most 15 ms p50
and twice the bare page). For each case it asks PostgreSQL for the plan of the queue's
query and says which indexes it reads (the queue's, the status one, the search words'
GIN index), or that it scans the table. The rows are built in a scratch database beside
DATABASE_URL's, committed and vacuumed as production's are, then dropped (in a test's
transaction, or on SQLite: in a transaction rolled back): nothing stays in the database.
With -v 2 it also prints each plan, run (EXPLAIN ANALYZE).
`make bench` runs it with production settings (MOVE_DEBUG=false)."""

import itertools
import random
import re
import time
from datetime import timedelta
from html import unescape
from urllib.parse import parse_qs

from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth.models import Permission
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from legal import listing, search
from legal.demo import ASKED_BY, NOTES, TEXTS
from legal.forms import OPEN
from legal.models import (
    Deadline,
    DeadlineRule,
    HelpRequest,
    HelpRequestGroupObjectPermission,
    Message,
    Topic,
)
from move import bench
from move.accounts.models import Membership, Organisation, User
from move.accounts.permissions import Role
from visits.management.commands.bench_reports import VOCABULARY, made_up_word

Channel = HelpRequest.Channel
Kind = HelpRequest.RequesterKind
Status = HelpRequest.Status

# Requests over YEARS years up to today; the newest OPEN_SHARE are still open (new, in
# progress, waiting, answered), and one in LEFT_OPEN of the older ones was never closed.
YEARS, OPEN_SHARE, LEFT_OPEN = 6, 0.05, 100
# One request in DEADLINE_EVERY has a deadline; one in NOTE_EVERY an internal note.
DEADLINE_EVERY, NOTE_EVERY = 5, 3
# Visitors asking in the application (the first one is measured), in two organisations;
# one request in SHARE_EVERY, asked by a colleague of the first one, is shared with their
# organisation (request n is asked by visitor n % VISITORS).
VISITORS, SHARE_EVERY, SHARED = 10, 50, 2
# Two requests in every RARE mention a hunger strike: a search that finds few.
RARE = 1000
RARE_WORDS = {"fr": "Une grève de la faim a commencé.", "nl": "Een hongerstaking is begonnen."}
# Made-up words drawn (Zipf) into each question, so that PostgreSQL's statistics on the
# search words look like real ones (as bench_reports does).
TAIL = 12
CHUNK = 5000
FIRST_NUMBER = 100_000
OPEN_STATUSES = [Status.NEW, Status.IN_PROGRESS, Status.WAITING, Status.ANSWERED]

# The tables the benchmark fills (vacuumed after, when its rows are rolled back).
BUILT = [HelpRequest, Message, Deadline, HelpRequestGroupObjectPermission]

# The later page measured: so many pages down the lawyer's queue (its link to the next
# requests: the queue pages by the last row seen).
PAGES_IN = 30
NEXT_PAGE = re.compile(r'href="\?([^"]*\bafter=[^"]*)"')

# What a plan says about the tables it reads.
INDEX_USED = re.compile(r"(?:Index(?: Only)? Scan(?: Backward)? using|Bitmap Index Scan on) (\S+)")
TABLE_SCANNED = re.compile(r"Seq Scan on (\S+)")


class Command(BaseCommand):
    help = "Time the help desk's queue with many requests (nothing stays in the database)."

    def add_arguments(self, parser):
        parser.add_argument("--requests", type=int, default=50_000)
        # Each run is a request of the page and one of the bare page: a hundred give a
        # steadier median than twenty on this machine, for a second or so a case.
        parser.add_argument("--runs", type=int, default=100)

    def handle(self, *args, requests, runs, **options):
        if requests < 2 * VISITORS:
            raise CommandError(f"--requests must be at least {2 * VISITORS}.")
        self.verbosity = options["verbosity"]
        bench.production_note(self.stdout)
        with (
            bench.workspace(self.stdout, "bench_help_requests", BUILT) as build,
            bench.with_bare_page(),
        ):
            cases = build(self.build, requests)
            self.bare = bench.time_bare_page(self.stdout, cases[0][2], runs)
            self.stdout.write(
                f"{'who':12} {'page':26} {'p50':>8} {'÷ bare, goal':>13} {'CPU':>9} "
                f"{'max':>9} queries {'SQL':>8} {'rows':>6} {'bare':>9}  plan of the queue's query"
            )
            for case in cases:
                self.measure(*case, runs)

    # Building -----------------------------------------------------------------------------

    def build(self, count):
        started = time.perf_counter()
        self.chance = random.Random(2026)
        self.words = [made_up_word(n) for n in range(VOCABULARY)]
        self.weights = list(itertools.accumulate(1 / rank for rank in range(1, VOCABULARY + 1)))
        lawyer, coordinator, visitors, organisations = self.people()
        self.topics = list(Topic.objects.order_by("position", "code"))
        self.rules = list(DeadlineRule.objects.filter(days__isnull=False).order_by("position"))
        if not self.topics or not self.rules:
            raise CommandError("The topics and deadline rules are missing: run migrate first.")
        self.now = timezone.now()
        self.span = timedelta(days=365 * YEARS)
        view = Permission.objects.get(codename="view_helprequest", content_type__app_label="legal")
        before = HelpRequest.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        for offset in range(0, count, CHUNK):
            numbers = range(offset, min(offset + CHUNK, count))
            made = HelpRequest.objects.bulk_create(
                self.request(n, count, lawyer, visitors, organisations) for n in numbers
            )
            Message.objects.bulk_create(
                message for request in made for message in self.thread(request, lawyer)
            )
            Deadline.objects.bulk_create(
                self.deadline(request, lawyer)
                for n, request in zip(numbers, made, strict=True)
                if n % DEADLINE_EVERY == 0
            )
            # What permissions.share() stores, without its three queries a request.
            HelpRequestGroupObjectPermission.objects.bulk_create(
                HelpRequestGroupObjectPermission(
                    group=organisations[0].group, permission=view, content_object=request
                )
                for n, request in zip(numbers, made, strict=True)
                if n % SHARE_EVERY == SHARED and request.organisation_id == organisations[0].pk
            )
        self.built = built = HelpRequest.objects.filter(pk__gt=before)
        search.update_search_vectors(built)
        if connection.vendor == "postgresql":
            # Production has its statistics (autovacuum).
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        open_count = built.exclude(status=Status.CLOSED).count()
        messages = Message.objects.filter(request__in=built).count()
        deadlines = Deadline.objects.filter(request__in=built).count()
        self.stdout.write(
            f"Built {count} requests ({open_count} open), {messages} messages, {deadlines} "
            f"deadlines in {time.perf_counter() - started:.1f} s."
        )
        return self.cases(lawyer, coordinator, visitors[0])

    def people(self):
        coalition = Organisation.objects.create(
            short_name="bench-move", kind="coalition", name_fr="Bench", name_nl="Bench"
        )
        organisations = [
            Organisation.objects.create(
                short_name=f"bench-{letter}",
                kind="founding_member",
                name_fr=f"Bench {letter}",
                name_nl=f"Bench {letter}",
            )
            for letter in "ab"
        ]
        lawyer = User.objects.create_user("bench.lawyer@example.invalid", language="fr")
        coordinator = User.objects.create_user("bench.coordinator@example.invalid")
        Membership.objects.create(user=lawyer, organisation=coalition, role=Role.LEGAL)
        Membership.objects.create(user=coordinator, organisation=coalition, role=Role.COORDINATOR)
        visitors = []
        for n in range(VISITORS):
            organisation = organisations[n % 2]
            visitor = User.objects.create_user(
                f"bench.visitor.{n}@example.invalid", language="fr" if n % 3 else "nl"
            )
            Membership.objects.create(user=visitor, organisation=organisation, role=Role.VISITOR)
            visitor.groups.add(organisation.group)
            visitors.append(visitor)
        # As in real life, the people measured have a second factor (else: sent to set one up).
        for user in (lawyer, coordinator, visitors[0]):
            TOTP.activate(user, generate_totp_secret())
        return lawyer, coordinator, visitors, organisations

    def request(self, n, count, lawyer, visitors, organisations):
        """Request n of `count`, asked in the order of n over the years up to now."""
        chance = self.chance
        asked = self.now - self.span * (count - n) / count
        channel = chance.choices(list(Channel), [55, 24, 15, 6])[0]
        request = HelpRequest(
            # Numbers past the real ones' four digits: no code of the database is taken.
            code=f"H-{asked.year}-{FIRST_NUMBER + n:06d}",
            channel=channel,
            created_at=asked,
            first_answer_due=(asked + timedelta(days=2)).date(),
            topic=self.topics[n % len(self.topics)],
            assignee=lawyer,
        )
        if channel == Channel.APP:
            visitor = visitors[n % VISITORS]
            request.requester_kind, request.requester = Kind.VISITOR, visitor
            request.organisation = organisations[n % VISITORS % 2]
            request.language = visitor.language
        else:
            request.requester_kind = chance.choice([Kind.DETAINEE, Kind.RELATIVE, Kind.LAWYER])
            request.language = chance.choice(["fr", "nl"])
        newest = n >= count * (1 - OPEN_SHARE)
        if newest or n % LEFT_OPEN == 0:
            request.status = chance.choice(OPEN_STATUSES)
        else:
            request.status, request.closed_at = Status.CLOSED, asked + timedelta(days=5)
        if request.status in (Status.ANSWERED, Status.CLOSED):
            request.first_answered_at = asked + timedelta(hours=chance.randint(1, 60))
        if n % DEADLINE_EVERY == 0 and request.status != Status.CLOSED:
            request.next_deadline_at = asked + timedelta(days=chance.randint(3, 30))
        subject, question, answer = chance.choice(TEXTS[request.topic.code][request.language])
        request.subject = subject
        tail = chance.choices(self.words, cum_weights=self.weights, k=TAIL)
        rare = [RARE_WORDS[request.language]] if n % RARE in (0, 1) else []
        opening = ASKED_BY[request.language][request.requester_kind]
        request._texts = (" ".join([opening, question, *rare, *tail]), answer)
        return request

    def thread(self, request, lawyer):
        question, answer = request._texts
        author = request.requester_id or lawyer.pk
        yield Message(
            request=request,
            kind=Message.Kind.QUESTION,
            author_id=author,
            text=question,
            created_at=request.created_at,
        )
        if request.pk % NOTE_EVERY == 0:
            yield Message(
                request=request,
                kind=Message.Kind.NOTE,
                author=lawyer,
                text=self.chance.choice(NOTES[request.language]),
                created_at=request.created_at + timedelta(minutes=30),
            )
        if request.first_answered_at:
            yield Message(
                request=request,
                kind=Message.Kind.ANSWER,
                author=lawyer,
                text=answer,
                created_at=request.first_answered_at,
            )

    def deadline(self, request, lawyer):
        rule = self.rules[request.pk % len(self.rules)]
        due_at = request.next_deadline_at or request.created_at + timedelta(days=rule.days)
        return Deadline(
            request=request,
            rule=rule,
            notified_on=request.created_at.date(),
            due_on=due_at.date(),
            due_at=due_at,
            done=request.next_deadline_at is None,
            created_by=lawyer,
        )

    # Measuring ----------------------------------------------------------------------------

    def cases(self, lawyer, coordinator, visitor):
        """(who, what, user, query, the indexes the queue's query should read)."""
        url = reverse("legal:request-list")
        queue = _indexes_on("next_deadline_at") | _indexes_on("status")
        words = {"help_request_search"}
        topic = next(topic for topic in self.topics if topic.code == "dublin")
        filtered = {"status": Status.IN_PROGRESS, "topic": topic.pk}
        # A common word is met soon along the queue's order: the planner may walk it; rare
        # words are looked up in the GIN index of the words.
        either = words | queue
        later = queue | _indexes_on("created_at")  # past the deadlines: by age
        self.url = url
        return [
            ("lawyer", "queue (open, by deadline)", lawyer, {}, queue),
            ("lawyer", f"queue, {PAGES_IN} pages down", lawyer, self.later_page(lawyer), later),
            ("lawyer", "status and topic", lawyer, filtered, queue),
            ("lawyer", "full text, common word", lawyer, {"q": "recours"}, either),
            ("lawyer", "full text, rare words", lawyer, {"q": "hongerstaking"}, words),
            ("lawyer", "full text, open ones", lawyer, {"q": "beroep", "status": OPEN}, either),
            ("lawyer", "a code", lawyer, {"q": self.a_code()}, _indexes_on("code")),
            ("coordinator", "every request", coordinator, {}, queue),
            ("coordinator", "full text", coordinator, {"q": "asile"}, either),
            ("visitor", "own requests", visitor, {}, _indexes_on("requester_id") | queue),
        ]

    def later_page(self, user) -> dict:
        """The query of the page PAGES_IN pages down the user's queue (or the last one),
        found as a person finds it: following the page's link to the next requests."""
        client = Client()
        client.force_login(user)
        query = {}
        for _page in range(PAGES_IN):
            html = client.get(self.url, query, secure=True).content.decode()
            following = NEXT_PAGE.search(html)
            if following is None:
                break
            query = {name: values[-1] for name, values in parse_qs(unescape(following[1])).items()}
        return query

    def a_code(self) -> str:
        built = self.built.order_by("pk")
        return built.values_list("code", flat=True)[built.count() // 3]

    def measure(self, label, what, user, query, expected, runs):
        timing = bench.time_page(user, self.url, query, runs, f"{label} {what}")
        verdict = bench.verdict(timing, self.bare, bench.LIST_MS, bench.RATIO)
        main = self.main_query(timing.queries)
        rows = self.rows(main)
        self.stdout.write(
            f"{label:12} {what:26} {timing.p50:5.1f} ms {verdict:>13} {timing.cpu:6.1f} ms "
            f"{timing.slowest:6.1f} ms {len(timing.queries):5} {timing.sql:6.1f} ms {rows:>6} "
            f"{(timing.beside or self.bare).p50:6.1f} ms  "
            f"{self.plan(main, expected)}"
        )
        if self.verbosity > 1 and main:
            bench.explain(self.stdout, main)

    def main_query(self, queries) -> str | None:
        """The page of requests: the query on the requests table with its LIMIT."""
        table = HelpRequest._meta.db_table
        limit = f"LIMIT {listing.PAGE_SIZE + 1}"
        found = [q["sql"] for q in queries if f'FROM "{table}"' in q["sql"] and limit in q["sql"]]
        return found[0] if found else None

    def rows(self, sql) -> str:
        """How many requests the page's query gives (at most a page and one)."""
        if not sql or connection.vendor != "postgresql":
            return "?"
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM ({sql}) AS page")
            return str(cursor.fetchone()[0])

    def plan(self, sql, expected) -> str:
        """Which indexes the plan reads, whether one is the expected one, and whether it
        reads the requests table whole (the small ones, shares or topics, may be)."""
        if sql is None:
            raise CommandError("The page ran no query with a LIMIT on the requests table.")
        if connection.vendor != "postgresql":
            return "(plans on PostgreSQL only)"
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN " + sql)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        used = list(dict.fromkeys(INDEX_USED.findall(plan)))
        # The small tables (shares, topics) may be read whole; the requests never.
        table = HelpRequest._meta.db_table
        said = ("on " + ", ".join(used)) if used else "NO INDEX"
        if not set(used) & expected:
            said += f" — NOT ON ITS INDEX ({' or '.join(sorted(expected))})"
        if table in TABLE_SCANNED.findall(plan):
            said += f" — SEQ SCAN of {table}"
        return said


def _indexes_on(column: str) -> set[str]:
    """The names of the indexes of the requests table that start with `column`."""
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, HelpRequest._meta.db_table)
    return {
        name
        for name, about in constraints.items()
        if about["columns"][:1] == [column] and (about["index"] or about["unique"])
    }
