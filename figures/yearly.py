"""The yearly and quarterly figures (issue 13), counted from the records each time they
are asked for: nothing here is stored, cached or typed in.

The database does the counting (COUNT, COUNT(DISTINCT), conditional counts with FILTER),
grouped so that one query makes one table or several, never one query per row, per
centre or per person: the number of queries does not grow with the records.

Queries. Each is a cached property of `_Records`, run at most once per call; the key
figures and the tables share them. On PostgreSQL they run in one transaction opened by
`SET LOCAL jit = off` (see `_counting`): one query more.

  key_figures()         10 queries (11 on PostgreSQL)
    met                 the period's meetings, in one pass: per centre and family (people
                        met there, meetings, families), and per group of people with the
                        same meetings in adult centres, met before or not, nationality,
                        owner and vulnerabilities: people accompanied, new and returning,
                        meetings per person, families, nationalities, vulnerabilities,
                        people per organisation
    centres             every centre with its official figure of the year (CentreYear)
    visits              done visits per centre, per quarter, and the ISO weeks covered
    visitors            the distinct visitors of the done visits
    reports             reports per organisation and quarter: written, shared
    help                help requests per channel, asker, topic and hours to a first
                        answer: the three legal tables, the service level, its median
    newsletters         newsletters published, lawyers they reached
    points              points of attention raised, discussed, answered, resolved
    authority           meetings with the authorities held, per authority
    exchanges           exchange meetings held
  figures() adds 5 queries (the coalition's variant: 15, 16 on PostgreSQL), and 2 more
  for the full one (17, 18 on PostgreSQL):
    observations        observations per theme and quarter, and those to raise
    themes, topics      the rows of two tables (reference data, a few rows each)
    detentions          detentions ended, per centre, outcome and length in days
    uses                uses of testimonies, per scope and testimony
    contributions       (full) visits and visitors per organisation of the visitors
    organisations       (full) the rows of the organisations' table

Medians and percentiles are read from grouped counts (how many detentions lasted n days,
how many requests were first answered after n hours), which gives PERCENTILE_CONT's
answer on PostgreSQL and on the demo's SQLite alike, from a few hundred rows.

`make bench` (figures/management/commands/bench_figures.py) times them at 1,000,000
meetings, 200,000 detention spells and 100,000 reports.
"""

import json
import math
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cached_property

from django.db import connection, transaction
from django.db.models import (
    Count,
    DateField,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
)
from django.db.models.functions import Coalesce, ExtractQuarter, TruncDate, TruncWeek
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext, pgettext
from django_countries import countries

from advocacy.models import SCOPES, AuthorityMeeting, ExchangeMeeting, PointOfAttention, Use
from detainees.models import DetentionSpell, MeetingTally, Vulnerability
from figures.tables import COUNT, FRACTION, NUMBER, Figures, Table
from legal.models import Delivery, HelpRequest, Newsletter, Topic
from legal.services import FIRST_ANSWER_WORKING_DAYS
from move.accounts import permissions
from move.accounts.models import Organisation
from move.centres.models import Centre, CentreYear
from visits.models import Observation, Theme, Visit, VisitReport

# The coalition's goal: to accompany at least a tenth of the people held in the adult centres.
REACH_TARGET = 0.10
ADULT = Centre.Kind.ADULT_CENTRE
FAMILY_KINDS = (Centre.Kind.FAMILY_UNIT, Centre.Kind.RETURN_HOUSE)
WRITTEN = (VisitReport.Status.SUBMITTED, VisitReport.Status.SHARED)
# The marks of the legal maxima counted from the detention order (detainees/clock.py).
MONTH_MARKS = (2, 4, 5)
TOP_NATIONALITIES = 10
# Meetings per person: 1, 2, 3, then MOST_MEETINGS or more in one row.
MOST_MEETINGS = 4
OUTCOMES = ("released", "removed", "transferred_abroad", "new_order", "other")
TOTAL = "total"


# --- The period ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    year: int
    quarter: int | None = None

    def __post_init__(self):
        if self.quarter is not None and self.quarter not in (1, 2, 3, 4):
            raise ValueError(f"A quarter is 1 to 4, not {self.quarter!r}.")

    @property
    def quarters(self) -> tuple[int, ...]:
        return (self.quarter,) if self.quarter else (1, 2, 3, 4)

    @property
    def start(self) -> date:
        return date(self.year, 3 * self.quarters[0] - 2, 1)

    @property
    def end(self) -> date:
        last = 3 * self.quarters[-1]
        return date(self.year + last // 12, last % 12 + 1, 1) - timedelta(days=1)

    @property
    def days(self) -> tuple[date, date]:
        return self.start, self.end

    @property
    def moments(self) -> tuple[datetime, datetime]:
        """From the first moment of the period to the first moment after it, local time:
        a range on a timestamp column that its index serves."""
        return _midnight(self.start), _midnight(self.end + timedelta(days=1))

    @property
    def weeks(self) -> tuple[date, date]:
        """The Monday and the Sunday of the ISO weeks whose Thursday falls in the period:
        for a year, the weeks of visits/services.coverage (52 or 53)."""
        first = self.start + timedelta(days=(3 - self.start.weekday()) % 7)
        last = self.end - timedelta(days=(self.end.weekday() - 3) % 7)
        return first - timedelta(days=3), last + timedelta(days=3)


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


# --- Expressions that PostgreSQL and SQLite write differently -------------------------------


class DaysBetween(Func):
    """Whole days from the second date to the first."""

    arity = 2
    arg_joiner = " - "
    template = "(%(expressions)s)"  # PostgreSQL: date - date is a number of days
    output_field = IntegerField()

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(
            compiler,
            connection,
            template="CAST(julianday(%(expressions)s) AS INTEGER)",
            arg_joiner=") - julianday(",
            **extra,
        )


class HoursBetween(Func):
    """Whole hours from the second moment to the first (None when either is None)."""

    arity = 2
    arg_joiner = " - "
    template = "CAST(FLOOR(EXTRACT(EPOCH FROM (%(expressions)s)) / 3600) AS INTEGER)"
    output_field = IntegerField()

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(
            compiler,
            connection,
            template="CAST((julianday(%(expressions)s)) * 24 AS INTEGER)",
            arg_joiner=") - julianday(",
            **extra,
        )


class AddMonths(Func):
    """A date so many months later, date to date, the last day of a shorter month when the
    day does not exist (as detainees.clock.add_months) on PostgreSQL. SQLite's date()
    runs over into the next month instead (31 December + 2 months = 3 March): the
    demo's database may count a mark passed a day or three late at a month's end."""

    arity = 1
    output_field = DateField()

    def __init__(self, expression, months: int):
        self.months = int(months)
        super().__init__(expression)

    def as_sql(self, compiler, connection, **extra):
        template = f"CAST(%(expressions)s + make_interval(months => {self.months}) AS DATE)"
        return super().as_sql(compiler, connection, template=template, **extra)

    def as_sqlite(self, compiler, connection, **extra):
        template = f"date(%(expressions)s, '+{self.months} months')"
        return super().as_sql(compiler, connection, template=template, **extra)


def percentile(histogram: dict, share: float) -> float | None:
    """The value below which `share` of the counted items fall, interpolated between the
    two nearest as PostgreSQL's PERCENTILE_CONT does, from {value: how many}."""
    count = sum(histogram.values())
    if not count:
        return None
    position = share * (count - 1)
    below, above = math.floor(position), math.ceil(position)
    values = _nth_values(histogram, {below, above})
    return values[below] + (values[above] - values[below]) * (position - below)


def _nth_values(histogram: dict, wanted: set[int]) -> dict[int, float]:
    found, seen = {}, 0
    for value in sorted(histogram):
        for index in wanted:
            if seen <= index < seen + histogram[value]:
                found[index] = value
        seen += histogram[value]
    return found


# --- The queries ----------------------------------------------------------------------------


class _Records:
    """The counts of one period, each query run once, when first needed."""

    def __init__(self, period: Period):
        self.period = period
        self.today = timezone.localdate()

    @cached_property
    def met(self) -> dict[str, list[dict]]:
        """The period's meetings counted two ways in one query, from its MeetingTally rows
        (each person's meetings per centre, with their case file's fields, see _met_sql):

        - "centre": per centre and family (the family is read in family units and
          return houses only): people met there and meetings;
        - "person": per group of people with the same meetings in adult centres, met in a
          family unit or return house or not, met before the period or not, nationality,
          owner and vulnerabilities: how many people, and their meetings.

        One row per group, however many people. A person was met before the period
        when their first meeting (Person.first_met_on) is earlier than its first day."""
        sql, params = _met_sql(self.period, self.centres)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        found = {"centre": [], "person": []}
        for what, centre, family, adult, in_family, before, *rest in rows:
            nationality, organisation, vulnerabilities, people, meetings = rest
            if what == "centre":
                row = {"centre": centre, "family": family}
            else:
                row = {
                    "adult": int(adult),
                    "in_family": bool(in_family),
                    "met_before": bool(before),
                    "nationality": nationality or "",
                    "organisation": organisation,
                    "vulnerabilities": _listed(vulnerabilities),
                }
            found[what].append({**row, "people": people, "meetings": int(meetings)})
        return found

    @property
    def people(self) -> list[dict]:
        """The groups of the people met in the period (each person once)."""
        return self.met["person"]

    @cached_property
    def by_centre(self) -> dict[int, dict]:
        """People met, meetings and families met (in family units and return houses)
        per centre."""
        found: dict[int, dict] = {}
        for row in self.met["centre"]:
            counts = {"people": 0, "meetings": 0, "families": set()}
            centre = found.setdefault(row["centre"], counts)
            centre["people"] += row["people"]
            centre["meetings"] += row["meetings"]
            if row["family"] is not None:
                centre["families"].add(row["family"])
        return found

    @property
    def families(self) -> set[int]:
        """The families met in a family unit or a return house."""
        return {family for centre in self.by_centre.values() for family in centre["families"]}

    @cached_property
    def visits(self) -> dict[int, dict]:
        """Done visits per centre: in the period and in each quarter, and the ISO weeks
        (of the period's weeks) with at least one."""
        start, end = self.period.days
        monday, sunday = self.period.weeks
        in_period = Q(date__range=(start, end))
        counts = {
            "visits": Count("pk", filter=in_period),
            "weeks": Count(
                TruncWeek("date"), distinct=True, filter=Q(date__range=(monday, sunday))
            ),
        }
        for quarter in self.period.quarters:
            counts[f"q{quarter}"] = Count("pk", filter=in_period & Q(date__quarter=quarter))
        rows = (
            Visit.objects.filter(
                status=Visit.Status.DONE, date__range=(min(start, monday), max(end, sunday))
            )
            .values("centre_id")
            .annotate(**counts)
            .order_by()
        )
        return {row["centre_id"]: row for row in rows}

    @cached_property
    def visitors(self) -> int:
        return _done_visitors(self.period).aggregate(n=Count("user_id", distinct=True))["n"]

    @cached_property
    def centres(self) -> list[Centre]:
        """Every centre, in name order, with `detained`: its official figure of the year."""
        detained = CentreYear.objects.filter(centre=OuterRef("pk"), year=self.period.year)
        detained = detained.order_by()  # not by centre: that joins the centres again
        return list(
            Centre.objects.in_name_order().annotate(
                detained=Subquery(detained.values("people_detained")[:1])
            )
        )

    @cached_property
    def reports(self) -> list[dict]:
        """Reports of the period's visits per organisation and quarter of the visit."""
        return list(
            VisitReport.objects.filter(visit_date__range=self.period.days)
            .values("organisation_id", quarter=ExtractQuarter("visit_date"))
            .annotate(
                written=Count("pk", filter=Q(status__in=WRITTEN)),
                shared=Count("pk", filter=Q(status=VisitReport.Status.SHARED)),
            )
            .order_by()
        )

    @cached_property
    def observations(self) -> list[dict]:
        """Observations of the reports written, per theme and quarter of the visit.

        On PostgreSQL, report by report through the index of the observations' report: a
        LATERAL subquery that OFFSET 0 keeps from being flattened into a join. Left to
        itself the planner read every observation ever written to keep a year's tenth of
        them (a hash join: 65 ms at 200,000 observations against 45 ms report by report,
        on the same machine)."""
        if connection.vendor != "postgresql":
            return list(
                Observation.objects.filter(
                    report__visit_date__range=self.period.days, report__status__in=WRITTEN
                )
                .values("theme_id", quarter=ExtractQuarter("report__visit_date"))
                .annotate(
                    observations=Count("pk"),
                    raise_=Count("pk", filter=Q(raise_with_authorities=True)),
                )
                .order_by()
            )
        report, observation = VisitReport._meta, Observation._meta
        column = {
            name: observation.get_field(name).column
            for name in ("theme", "raise_with_authorities", "report")
        }
        date, status = (report.get_field(name).column for name in ("visit_date", "status"))
        sql = f"""
            SELECT o.theme_id, EXTRACT(QUARTER FROM r.{date})::integer AS quarter,
                   COUNT(*) AS observations, COUNT(*) FILTER (WHERE o.raise_) AS raise_
            FROM {report.db_table} AS r
            CROSS JOIN LATERAL (
                SELECT {column["theme"]} AS theme_id, {column["raise_with_authorities"]} AS raise_
                FROM {observation.db_table} WHERE {column["report"]} = r.{report.pk.column}
                OFFSET 0
            ) AS o
            WHERE r.{status} = ANY(%s) AND r.{date} BETWEEN %s AND %s
            GROUP BY 1, 2
        """
        with connection.cursor() as cursor:
            cursor.execute(sql, [list(WRITTEN), *self.period.days])
            names = [column.name for column in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    @cached_property
    def help(self) -> list[dict]:
        """Help requests asked in the period per channel, asker, topic and whole hours to
        the first answer; with how many were answered, how many are judged by the service
        level (answered, or their first answer due before today) and how many of those
        were answered by the day it was due."""
        answered = Q(first_answered_at__isnull=False)
        due = Q(first_answer_due__isnull=False)
        since, until = self.period.moments
        return list(
            HelpRequest.objects.filter(created_at__gte=since, created_at__lt=until)
            .alias(answered_on=TruncDate("first_answered_at"))
            .values(
                "channel",
                "requester_kind",
                "topic_id",
                hours=HoursBetween("first_answered_at", "created_at"),
            )
            .annotate(
                requests=Count("pk"),
                answered=Count("pk", filter=answered),
                judged=Count("pk", filter=due & (answered | Q(first_answer_due__lt=self.today))),
                within=Count(
                    "pk", filter=answered & due & Q(answered_on__lte=F("first_answer_due"))
                ),
            )
            .order_by()
        )

    @cached_property
    def newsletters(self) -> dict:
        since, until = self.period.moments
        sent = Q(deliveries__status=Delivery.Status.SENT)
        return Newsletter.objects.filter(
            status=Newsletter.Status.PUBLISHED, published_at__gte=since, published_at__lt=until
        ).aggregate(
            newsletters=Count("pk", distinct=True),
            lawyers=Count("deliveries__lawyer", distinct=True, filter=sent),
            deliveries=Count("deliveries", filter=sent),
        )

    @cached_property
    def points(self) -> dict:
        days = self.period.days
        held = Q(
            agenda_items__meeting__status=AuthorityMeeting.Status.HELD,
            agenda_items__meeting__date__range=days,
        )
        return PointOfAttention.objects.aggregate(
            raised=Count("pk", distinct=True, filter=Q(first_raised_on__range=days)),
            discussed=Count("pk", distinct=True, filter=held),
            answered=Count("pk", distinct=True, filter=held & Q(agenda_items__answer__gt="")),
            resolved=Count(
                "pk", distinct=True, filter=held & Q(status=PointOfAttention.Status.RESOLVED)
            ),
        )

    @cached_property
    def authority(self) -> dict[str, int]:
        rows = (
            AuthorityMeeting.objects.filter(
                status=AuthorityMeeting.Status.HELD, date__range=self.period.days
            )
            .values_list("authority")
            .annotate(n=Count("pk"))
            .order_by()
        )
        return dict(rows)

    @cached_property
    def exchanges(self) -> int:
        return ExchangeMeeting.objects.filter(date__range=self.period.days).count()

    @cached_property
    def detentions(self) -> list[dict]:
        """Detentions that ended in the period, per centre where they ended, outcome and
        length in days, counted from the detention order (the first spell of the order:
        a transfer continues it) as the legal maximum is; with how many passed each mark.
        A spell that ended by a transfer to another centre did not end the detention."""
        order = DetentionSpell.objects.filter(
            person=OuterRef("person"), new_order=True, start__lte=OuterRef("start")
        ).order_by("-start", "-pk")
        ended = DetentionSpell.objects.filter(end__range=self.period.days).exclude(
            outcome=DetentionSpell.Outcome.TRANSFERRED
        )
        # Two parts of one query: the spells that carried their order, and the few that
        # continued one after a transfer, whose order is looked up (only theirs: in one
        # part, its cost was counted for every spell, which made the plan parallel).
        carried = _lengths(ended.filter(new_order=True), F("start"))
        continued = _lengths(
            ended.filter(new_order=False),
            Coalesce(Subquery(order.values("start")[:1]), F("start")),
        )
        return list(carried.union(continued, all=True))

    @cached_property
    def uses(self) -> list[tuple[str, int, int]]:
        """(scope, testimony, uses) of the testimonies used in the period."""
        return list(
            Use.objects.filter(used_on__range=self.period.days)
            .values_list("scope", "testimony_id")
            .annotate(n=Count("pk"))
            .order_by()
        )

    @cached_property
    def contributions(self) -> dict[int, dict]:
        """Done visits and visitors per organisation of the visitors (a visit made by
        visitors of two organisations counts for both)."""
        rows = (
            _done_visitors(self.period)
            .filter(user__memberships__role=permissions.Role.VISITOR)
            .values(organisation=F("user__memberships__organisation_id"))
            .annotate(
                visits=Count("visit_id", distinct=True), visitors=Count("user_id", distinct=True)
            )
            .order_by()
        )
        return {row["organisation"]: row for row in rows}

    @cached_property
    def organisations(self) -> list[Organisation]:
        return list(
            Organisation.objects.exclude(kind=Organisation.Kind.PARTNER).order_by("short_name")
        )

    @cached_property
    def themes(self) -> list[Theme]:
        return list(Theme.objects.order_by("position", "code"))

    @cached_property
    def topics(self) -> list[Topic]:
        return list(Topic.objects.order_by("position", "code"))

    # Key figures ------------------------------------------------------------------------

    def key(self) -> dict:
        adult = [row for row in self.people if row["adult"]]
        people_adult = sum(row["people"] for row in adult)
        returning = sum(row["people"] for row in adult if row["met_before"])
        detained = self.detained_adult_centres
        reports = self.reports
        authority = sum(self.authority.values())
        return {
            "people_accompanied_adult_centres": people_adult,
            "detained_adult_centres": detained,
            "reach_ratio": people_adult / detained if detained else None,
            "reach_target": REACH_TARGET,
            "families_accompanied": len(self.families),
            "people_accompanied": sum(row["people"] for row in self.people),
            "people_new": people_adult - returning,
            "people_returning": returning,
            "meetings": sum(row["adult"] * row["people"] for row in adult),
            "visits_done": sum(row["visits"] for row in self.visits.values()),
            "visitors_active": self.visitors,
            "reports_written": sum(row["written"] for row in reports),
            "reports_shared": sum(row["shared"] for row in reports),
            "help_requests": sum(row["requests"] for row in self.help),
            "newsletters_sent": self.newsletters["newsletters"],
            "lawyers_reached": self.newsletters["lawyers"],
            "points_raised": self.points["raised"],
            "authority_meetings": authority,
            "exchange_meetings": self.exchanges,
        }

    @property
    def detained_adult_centres(self) -> int | None:
        known = [c.detained for c in self.centres if c.kind == ADULT and c.detained is not None]
        return sum(known) if known else None


def _met_sql(period: Period, centres) -> tuple[str, list]:
    """The SQL of _Records.met, and its parameters (in the order of their placeholders).

    It reads the period's MeetingTally rows alone: each person's meetings per centre,
    counted by the writes of meetings, visits and case files (detainees/meeting_days.py),
    beside the case file's fields that the figures group by. Counting the year's meetings
    at each reading, visit by visit, then looking up each person's case file, took 220
    ms at 1,000,000 meetings. A person met in the period was met before it too when their
    first meeting (Person.first_met_on, copied onto the tallies) is earlier."""
    tally = MeetingTally._meta
    names = ("person", "centre", "meetings", "year", "quarter", *MeetingTally.COPIED)
    column = {name: tally.get_field(name).column for name in names}
    # Which centres are adult ones, family units or return houses: from the centres'
    # query, instead of a join.
    in_adult, adult_ids = _among(c.pk for c in centres if c.kind == ADULT)
    in_family, family_ids = _among(c.pk for c in centres if c.kind in FAMILY_KINDS)
    person = ", ".join(
        f"t.{column[name]}" for name in ("first_met_on", "nationality", "organisation")
    )
    read = ", ".join(
        column[name] for name in ("person", "centre", "meetings", *MeetingTally.COPIED)
    )
    sql = f"""
        WITH t AS NOT MATERIALIZED (
            SELECT {read} FROM {tally.db_table}
            WHERE {column["year"]} = %s AND {column["quarter"]} = %s
        )
        SELECT 'centre', t.{column["centre"]},
               CASE WHEN t.{column["centre"]} IN {in_family} THEN t.{column["family"]} END,
               NULL, NULL, NULL, NULL, NULL, NULL, COUNT(*), SUM(t.{column["meetings"]})
        FROM t
        GROUP BY 1, 2, 3
        UNION ALL
        SELECT 'person', NULL, NULL, per_person.adult, per_person.in_family,
               COALESCE(per_person.{column["first_met_on"]} < %s, FALSE),
               per_person.{column["nationality"]}, per_person.{column["organisation"]},
               per_person.{column["vulnerabilities"]}, COUNT(*), SUM(per_person.met)
        FROM (
            SELECT t.{column["person"]}, {person}, t.{column["vulnerabilities"]},
                   SUM(t.{column["meetings"]}) AS met,
                   SUM(CASE WHEN t.{column["centre"]} IN {in_adult}
                            THEN t.{column["meetings"]} ELSE 0 END) AS adult,
                   MAX(CASE WHEN t.{column["centre"]} IN {in_family} THEN 1 ELSE 0 END)
                       AS in_family
            FROM t
            GROUP BY t.{column["person"]}, {person}, t.{column["vulnerabilities"]}
        ) AS per_person
        GROUP BY 4, 5, 6, 7, 8, 9
    """
    params = [period.year, period.quarter or MeetingTally.WHOLE_YEAR, *family_ids, period.start]
    return sql, [*params, *adult_ids, *family_ids]


def _among(values) -> tuple[str, list]:
    """An SQL list of placeholders for `values`, never empty (NULL matches nothing)."""
    values = list(values)
    return ("(" + ", ".join(["%s"] * len(values)) + ")", values) if values else ("(NULL)", [])


def _lengths(spells, order_start):
    """`spells` per centre, outcome and length in days from `order_start`, with how many
    passed each mark."""
    marks = {
        f"passed_{months}": Count("pk", filter=Q(end__gte=AddMonths(F("order_start"), months)))
        for months in MONTH_MARKS
    }
    return (
        spells.alias(order_start=ExpressionWrapper(order_start, output_field=DateField()))
        .values("centre_id", "outcome", days=DaysBetween("end", "order_start"))
        .annotate(detentions=Count("pk"), **marks)
        .order_by()
    )


def _listed(value) -> list[str]:
    """A JSON list as the cursor gives it: parsed (PostgreSQL) or as text (SQLite)."""
    if isinstance(value, str):
        value = json.loads(value)
    return list(value or [])


def _done_visitors(period: Period):
    """The (visit, visitor) rows of the done visits of the period."""
    Through = Visit.visitors.through
    return Through.objects.filter(
        visit__status=Visit.Status.DONE, visit__date__range=period.days
    ).order_by()


# --- The contract ---------------------------------------------------------------------------


def key_figures(year: int, quarter: int | None = None) -> dict:
    """The figures of the activity report's box for a year or one of its quarters:
    counted now, from the records (10 queries, 11 on PostgreSQL)."""
    with _counting():
        return _Records(Period(year, quarter)).key()


@contextmanager
def _counting():
    """Where the figures' queries run. On PostgreSQL, in a transaction without JIT
    compilation: their cost estimates, over a year of meetings, cross jit_above_cost,
    and compiling took longer than running them (0.4 s of JIT for a 60 ms query at
    100,000 meetings). SET LOCAL ends with the transaction."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
        yield


def figures(
    year: int, quarter: int | None = None, *, variant: str, language: str | None = None
) -> Figures:
    """Every table of the year (or quarter) for `variant`, labelled in `language` (the
    active language when None). The coalition's variant leaves out each organisation's
    contribution; the published one has its small cells suppressed."""
    if variant not in (
        permissions.FIGURES_FULL,
        permissions.FIGURES_COALITION,
        permissions.FIGURES_PUBLISHED,
    ):
        raise ValueError(f"Unknown variant of the figures: {variant!r}")
    language = language or translation.get_language() or "fr"
    with translation.override(language), _counting():
        records = _Records(Period(year, quarter))
        result = Figures(year, quarter, variant, language, key=records.key())
        builder = _Builder(records, result)
        builder.people()
        builder.visits()
        builder.reports()
        builder.detention()
        builder.legal()
        builder.advocacy()
        if variant == permissions.FIGURES_FULL:
            # Each organisation's contribution is internal: neither the coalition's nor the
            # published variant (partners, exports for publication) carries it.
            builder.organisations()
    if variant == permissions.FIGURES_PUBLISHED:
        from figures.suppression import suppress

        _declare_coincident_totals(result)
        suppress(result)
    return result


def _declare_coincident_totals(result: Figures) -> None:
    """A total of distinct people is not the sum of its rows in general (a person met in
    two centres counts once), so it is not declared as one. But when, in this year's
    records, it happens to equal that sum, a reader can subtract all the same: it is
    declared, so that the suppression protects the cells it would give away. (Where it
    does not equal the sum, what it tells is only a bound.)"""
    declared = {(total, frozenset(parts)) for total, parts in result.sums}
    for table in result.tables:
        counts = [key for key, _label, kind in table.columns if kind == COUNT]
        if table.total_row:
            rows = [row for row, _label in table.rows if row != table.total_row]
            for column in counts:
                total = (table.key, table.total_row, column)
                parts = [(table.key, row, column) for row in rows]
                if (total, frozenset(parts)) not in declared and _adds_up(table, total, parts):
                    result.sums.append((total, parts))
        if table.total_column and table.total_column in counts:
            columns = [c for c in counts if c != table.total_column]
            for row, _label in table.rows:
                total = (table.key, row, table.total_column)
                parts = [(table.key, row, column) for column in columns]
                if (total, frozenset(parts)) not in declared and _adds_up(table, total, parts):
                    result.sums.append((total, parts))


def _adds_up(table: Table, total, parts) -> bool:
    values = [table.cells.get(cell[1:]) for cell in parts]
    value = table.cells.get(total[1:])
    return bool(parts) and value is not None and None not in values and sum(values) == value


# --- The tables -----------------------------------------------------------------------------


class _Builder:
    """Writes the tables of one Figures from the records' counts, with every sum that
    holds between their cells."""

    def __init__(self, records: _Records, result: Figures):
        self.records = records
        self.result = result
        self.period = records.period

    def add(self, table: Table) -> Table:
        self.result.tables.append(table)
        return table

    def same(self, cell, other) -> None:
        """Two cells, in two tables, that hold the same count."""
        self.result.sums.append((cell, [other]))

    def column_sums(self, table: Table, columns) -> None:
        """The total row of each of `columns` is the sum of the other rows."""
        for column in columns:
            parts = [(table.key, row, column) for row, _label in table.rows if row != TOTAL]
            self.result.sums.append(((table.key, TOTAL, column), parts))

    def row_sums(self, table: Table, columns) -> None:
        """The total column of each row is the sum of `columns`."""
        for row, _label in table.rows:
            parts = [(table.key, row, column) for column in columns]
            self.result.sums.append(((table.key, row, TOTAL), parts))

    def quarter_columns(self) -> list[tuple[str, str, str]]:
        return [(f"q{q}", _quarter_label(q), COUNT) for q in self.period.quarters]

    # People -------------------------------------------------------------------------------

    def people(self) -> None:
        self.people_by_centre()
        self.families()
        self.new_and_returning()
        self.meetings_per_person()

    def adult_centres(self) -> list[Centre]:
        """The adult centres open in the period, with people met or an official figure."""
        by_centre = self.records.by_centre
        return [
            centre
            for centre in self.records.centres
            if centre.kind == ADULT
            and (centre.active or centre.pk in by_centre or centre.detained is not None)
        ]

    def people_by_centre(self) -> None:
        centres = self.adult_centres()
        key = self.result.key
        table = self.add(
            Table(
                key="people_by_centre",
                title=gettext("People accompanied in the adult centres"),
                section="people",
                row_header=gettext("Centre"),
                rows=[*_centre_rows(centres), (TOTAL, gettext("Total"))],
                columns=[
                    ("people", gettext("People accompanied"), COUNT),
                    ("detained", gettext("People detained (official figure)"), NUMBER),
                    ("reach", gettext("Reach"), FRACTION),
                    ("target", gettext("Target"), FRACTION),
                ],
                total_row=TOTAL,
                chart="barh",
                note=self.reach_note(),
            )
        )
        for centre in centres:
            people = self.records.by_centre.get(centre.pk, {}).get("people", 0)
            self.reach_row(table, centre.code, people, centre.detained)
        self.reach_row(
            table, TOTAL, key["people_accompanied_adult_centres"], key["detained_adult_centres"]
        )
        known = [(table.key, c.code, "detained") for c in centres if c.detained is not None]
        if known:
            self.result.sums.append(((table.key, TOTAL, "detained"), known))

    def reach_note(self) -> str:
        counted = gettext(
            "Distinct people met at least once at a visit of the centre in the period; a "
            "person met in two centres counts once in the total."
        )
        if self.period.quarter:
            reach = gettext(
                "Reach: the people accompanied in the quarter out of the people detained "
                "there during the whole year (official figure); the coalition's target is "
                "at least %(target)s of them over the year."
            )
        else:
            reach = gettext(
                "Reach: the people accompanied out of the people detained there during the "
                "year (official figure); the coalition's target is at least %(target)s."
            )
        return f"{counted} {reach % {'target': f'{REACH_TARGET:.0%}'}}"

    def reach_row(self, table: Table, row: str, people: int, detained: int | None) -> None:
        table.cells[row, "people"] = people
        table.cells[row, "detained"] = detained
        table.cells[row, "reach"] = people / detained if detained else None
        table.cells[row, "target"] = REACH_TARGET
        table.made_of[row, "reach"] = (table.key, row, "people")

    def families(self) -> None:
        by_centre = self.records.by_centre
        centres = [
            c
            for c in self.records.centres
            if c.kind in FAMILY_KINDS and (c.active or c.pk in by_centre)
        ]
        table = self.add(
            Table(
                key="families_by_centre",
                title=gettext("Families accompanied in family units and return houses"),
                section="people",
                row_header=gettext("Centre"),
                rows=[*_centre_rows(centres), (TOTAL, gettext("Total"))],
                columns=[
                    ("families", gettext("Families"), COUNT),
                    ("people", gettext("People"), COUNT),
                ],
                total_row=TOTAL,
                chart="barh",
                note=gettext(
                    "Distinct families one of whose members was met at a visit of the "
                    "centre in the period, and the people met; a family met in two places "
                    "counts once in the total."
                ),
            )
        )
        for centre in centres:
            found = by_centre.get(centre.pk, {"families": (), "people": 0})
            table.cells[centre.code, "families"] = len(found["families"])
            table.cells[centre.code, "people"] = found["people"]
        table.cells[TOTAL, "families"] = self.result.key["families_accompanied"]
        table.cells[TOTAL, "people"] = sum(
            row["people"] for row in self.records.people if row["in_family"]
        )

    def new_and_returning(self) -> None:
        key = self.result.key
        table = self.add(
            Table(
                key="people_new_returning",
                title=gettext("New and returning people"),
                section="people",
                row_header=gettext("People"),
                rows=[
                    ("new", gettext("Met for the first time")),
                    ("returning", gettext("Met before the period too")),
                    (TOTAL, gettext("Total")),
                ],
                columns=[("people", gettext("People accompanied"), COUNT)],
                total_row=TOTAL,
                chart="bar",
                note=gettext(
                    "People accompanied in the adult centres in the period: returning when "
                    "they had already been met, in any centre, before the period began."
                ),
            )
        )
        table.cells["new", "people"] = key["people_new"]
        table.cells["returning", "people"] = key["people_returning"]
        table.cells[TOTAL, "people"] = key["people_accompanied_adult_centres"]
        self.column_sums(table, ["people"])
        self.same(("people_by_centre", TOTAL, "people"), (table.key, TOTAL, "people"))

    def meetings_per_person(self) -> None:
        rows = [(str(n), str(n)) for n in range(1, MOST_MEETINGS)]
        rows.append((f"{MOST_MEETINGS}_or_more", gettext("%(n)s or more") % {"n": MOST_MEETINGS}))
        table = self.add(
            Table(
                key="meetings_per_person",
                title=gettext("Meetings per person"),
                section="people",
                row_header=gettext("Meetings in the period"),
                rows=[*rows, (TOTAL, gettext("Total"))],
                columns=[
                    ("people", gettext("People"), COUNT),
                    ("meetings", gettext("Meetings"), COUNT),
                    ("per_person", gettext("Meetings per person"), NUMBER),
                ],
                total_row=TOTAL,
                chart="bar",
                note=gettext(
                    "People accompanied in the adult centres, by how many times they were "
                    "met there in the period (one meeting per person and visit)."
                ),
            )
        )
        for row, _label in rows:
            table.cells[row, "people"] = table.cells[row, "meetings"] = 0
        for group in self.records.people:
            if group["adult"]:
                row = rows[min(group["adult"], MOST_MEETINGS) - 1][0]
                table.cells[row, "people"] += group["people"]
                table.cells[row, "meetings"] += group["adult"] * group["people"]
        key = self.result.key
        people, meetings = key["people_accompanied_adult_centres"], key["meetings"]
        table.cells[TOTAL, "people"], table.cells[TOTAL, "meetings"] = people, meetings
        table.cells[TOTAL, "per_person"] = meetings / people if people else None
        table.made_of[TOTAL, "per_person"] = [
            (table.key, TOTAL, "people"),
            (table.key, TOTAL, "meetings"),
        ]
        if self.result.variant == permissions.FIGURES_PUBLISHED:
            # Row n's meetings are n times its people (rows "1", "2", "3"): a published
            # meetings cell would give a suppressed people cell back, and the total of
            # meetings weighs the rows' people. Not published (not applicable), nor summed.
            for row, _label in rows:
                table.cells[row, "meetings"] = table.cells[row, "per_person"] = None
            self.column_sums(table, ["people"])
        else:
            self.column_sums(table, ["people", "meetings"])
        self.same(("people_by_centre", TOTAL, "people"), (table.key, TOTAL, "people"))

    # Visits -------------------------------------------------------------------------------

    def visited_centres(self) -> list[Centre]:
        visits = self.records.visits
        return [c for c in self.records.centres if c.active or c.pk in visits]

    def visits(self) -> None:
        centres = self.visited_centres()
        monday, sunday = self.period.weeks
        table = self.add(
            Table(
                key="visits_by_centre",
                title=gettext("Visits and weeks covered"),
                section="visits",
                row_header=gettext("Centre"),
                rows=[*_centre_rows(centres), (TOTAL, gettext("Total"))],
                columns=[
                    ("visits", gettext("Visits done"), COUNT),
                    ("weeks_covered", gettext("Weeks with a visit"), COUNT),
                    ("weeks", gettext("Weeks open"), NUMBER),
                    ("coverage", gettext("Weeks covered"), FRACTION),
                ],
                total_row=TOTAL,
                chart="barh",
                note=gettext(
                    "Visits done on days of the period. A centre-week is covered when the "
                    "centre had at least one visit done that ISO week; the weeks are those "
                    "whose Thursday falls in the period (%(monday)s to %(sunday)s), counted "
                    "while the centre was open."
                )
                % {"monday": monday.isoformat(), "sunday": sunday.isoformat()},
            )
        )
        for row, centre in [*((c.code, c) for c in centres), (TOTAL, None)]:
            if centre is None:
                found = {
                    name: sum(table.cells[c.code, name] for c in centres)
                    for name in ("visits", "weeks_covered", "weeks")
                }
            else:
                counts = self.records.visits.get(centre.pk, {})
                found = {
                    "visits": counts.get("visits", 0),
                    "weeks_covered": counts.get("weeks", 0),
                    "weeks": _weeks_open(centre, monday, sunday),
                }
            for name, value in found.items():
                table.cells[row, name] = value
            weeks = found["weeks"]
            table.cells[row, "coverage"] = found["weeks_covered"] / weeks if weeks else None
            table.made_of[row, "coverage"] = (table.key, row, "weeks_covered")
        self.column_sums(table, ["visits", "weeks_covered", "weeks"])
        if self.period.quarter is None:
            self.visits_by_quarter(centres)

    def visits_by_quarter(self, centres) -> None:
        quarters = self.quarter_columns()
        table = self.add(
            Table(
                key="visits_by_quarter",
                title=gettext("Visits done per quarter"),
                section="visits",
                row_header=gettext("Centre"),
                rows=[*_centre_rows(centres), (TOTAL, gettext("Total"))],
                columns=[*quarters, (TOTAL, gettext("Year"), COUNT)],
                total_row=TOTAL,
                total_column=TOTAL,
                chart="bar",
                note=gettext("Visits done, by the quarter of their day."),
            )
        )
        names = [column for column, _label, _kind in quarters]
        for centre in centres:
            counts = self.records.visits.get(centre.pk, {})
            for name in names:
                table.cells[centre.code, name] = counts.get(name, 0)
            table.cells[centre.code, TOTAL] = counts.get("visits", 0)
            self.same(("visits_by_centre", centre.code, "visits"), (table.key, centre.code, TOTAL))
        for name in [*names, TOTAL]:
            table.cells[TOTAL, name] = sum(table.cells[c.code, name] for c in centres)
        self.column_sums(table, [*names, TOTAL])
        self.row_sums(table, names)
        self.same(("visits_by_centre", TOTAL, "visits"), (table.key, TOTAL, TOTAL))

    # Reports ------------------------------------------------------------------------------

    def reports(self) -> None:
        quarters = self.period.quarters
        table = self.add(
            Table(
                key="reports_by_quarter",
                title=gettext("Visit reports"),
                section="reports",
                row_header=gettext("Quarter"),
                rows=[*((f"q{q}", _quarter_label(q)) for q in quarters), (TOTAL, gettext("Total"))],
                columns=[
                    ("written", gettext("Reports written"), COUNT),
                    ("shared", gettext("Shared with partners"), COUNT),
                    ("observations", gettext("Observations"), COUNT),
                    ("raise", gettext("To raise with the authorities"), COUNT),
                ],
                total_row=TOTAL,
                chart="bar",
                note=gettext(
                    "Reports submitted (shared or not) of the visits of the period, by the "
                    "quarter of the visit; drafts are not counted. Observations of those "
                    "reports, and those flagged to raise with the authorities."
                ),
            )
        )
        for quarter in quarters:
            row = f"q{quarter}"
            reports = [r for r in self.records.reports if r["quarter"] == quarter]
            observed = [o for o in self.records.observations if o["quarter"] == quarter]
            table.cells[row, "written"] = sum(r["written"] for r in reports)
            table.cells[row, "shared"] = sum(r["shared"] for r in reports)
            table.cells[row, "observations"] = sum(o["observations"] for o in observed)
            table.cells[row, "raise"] = sum(o["raise_"] for o in observed)
        columns = ["written", "shared", "observations", "raise"]
        for column in columns:
            table.cells[TOTAL, column] = sum(table.cells[f"q{q}", column] for q in quarters)
        self.column_sums(table, columns)
        self.observations_by_theme()

    def observations_by_theme(self) -> None:
        observations = self.records.observations
        used = {row["theme_id"] for row in observations}
        themes = [t for t in self.records.themes if t.active or t.pk in used]
        quarters = self.quarter_columns()
        names = [name for name, _label, _kind in quarters]
        table = self.add(
            Table(
                key="observations_by_theme",
                title=gettext("Observations per theme"),
                section="reports",
                row_header=gettext("Theme"),
                rows=[*((t.code, _name(t)) for t in themes), (TOTAL, gettext("Total"))],
                columns=[
                    *quarters,
                    (TOTAL, gettext("Total"), COUNT),
                    ("raise", gettext("To raise with the authorities"), COUNT),
                ],
                total_row=TOTAL,
                total_column=TOTAL,
                chart="line" if len(names) > 1 else "barh",
                note=gettext(
                    "Observations of the reports written, by theme and quarter of the "
                    "visit; the last column counts those flagged to raise with the "
                    "authorities."
                ),
            )
        )
        for theme in themes:
            mine = [row for row in observations if row["theme_id"] == theme.pk]
            for quarter, name in zip(self.period.quarters, names, strict=True):
                found = sum(row["observations"] for row in mine if row["quarter"] == quarter)
                table.cells[theme.code, name] = found
            table.cells[theme.code, TOTAL] = sum(row["observations"] for row in mine)
            table.cells[theme.code, "raise"] = sum(row["raise_"] for row in mine)
        for name in [*names, TOTAL, "raise"]:
            table.cells[TOTAL, name] = sum(table.cells[t.code, name] for t in themes)
        self.column_sums(table, [*names, TOTAL, "raise"])
        self.row_sums(table, names)
        reports = "reports_by_quarter"
        self.same((reports, TOTAL, "observations"), (table.key, TOTAL, TOTAL))
        self.same((reports, TOTAL, "raise"), (table.key, TOTAL, "raise"))
        for name in names:
            self.same((reports, name, "observations"), (table.key, TOTAL, name))

    # Detention ----------------------------------------------------------------------------

    def detention(self) -> None:
        self.detention_lengths()
        self.detention_outcomes()
        self.vulnerabilities()
        self.nationalities()

    def detention_lengths(self) -> None:
        rows = self.records.detentions
        centres = [c for c in self.records.centres if any(r["centre_id"] == c.pk for r in rows)]
        marks = [f"passed_{months}" for months in MONTH_MARKS]
        table = self.add(
            Table(
                key="detention_lengths",
                title=gettext("Length of the detentions that ended"),
                section="detention",
                row_header=gettext("Centre where it ended"),
                rows=[*_centre_rows(centres), (TOTAL, gettext("Total"))],
                columns=[
                    ("detentions", gettext("Detentions ended"), COUNT),
                    ("median_days", gettext("Median length (days)"), NUMBER),
                    ("p90_days", gettext("90th percentile (days)"), NUMBER),
                    *(
                        (mark, gettext("Past %(n)s months") % {"n": months}, COUNT)
                        for mark, months in zip(marks, MONTH_MARKS, strict=True)
                    ),
                ],
                total_row=TOTAL,
                chart="barh",
                note=gettext(
                    "Detentions of the people accompanied that ended in the period (released, "
                    "removed, transferred abroad, a new order or another end; a transfer to "
                    "another centre continues the detention). Their length counts from the "
                    "detention order, as the legal maximum does; a mark is passed when the "
                    "detention lasted until that date or beyond."
                ),
            )
        )
        for row, mine in [
            *((c.code, [r for r in rows if r["centre_id"] == c.pk]) for c in centres),
            (TOTAL, rows),
        ]:
            histogram: dict[int, int] = {}
            for found in mine:
                histogram[found["days"]] = histogram.get(found["days"], 0) + found["detentions"]
            table.cells[row, "detentions"] = sum(histogram.values())
            table.cells[row, "median_days"] = percentile(histogram, 0.5)
            table.cells[row, "p90_days"] = percentile(histogram, 0.9)
            for mark in marks:
                table.cells[row, mark] = sum(found[mark] for found in mine)
            for number in ("median_days", "p90_days"):
                table.made_of[row, number] = (table.key, row, "detentions")
        self.column_sums(table, ["detentions", *marks])

    def detention_outcomes(self) -> None:
        labels = dict(DetentionSpell.Outcome.choices)
        table = self.add(
            Table(
                key="detention_outcomes",
                title=gettext("How the detentions ended"),
                section="detention",
                row_header=gettext("Outcome"),
                rows=[*((o, str(labels[o])) for o in OUTCOMES), (TOTAL, gettext("Total"))],
                columns=[("detentions", gettext("Detentions ended"), COUNT)],
                total_row=TOTAL,
                chart="barh",
                note=gettext("The detentions of the previous table, by how they ended."),
            )
        )
        for outcome in OUTCOMES:
            table.cells[outcome, "detentions"] = 0
        for found in self.records.detentions:
            outcome = found["outcome"] if found["outcome"] in OUTCOMES else "other"
            table.cells[outcome, "detentions"] += found["detentions"]
        table.cells[TOTAL, "detentions"] = sum(table.cells[o, "detentions"] for o in OUTCOMES)
        self.column_sums(table, ["detentions"])
        self.same(("detention_lengths", TOTAL, "detentions"), (table.key, TOTAL, "detentions"))

    def vulnerabilities(self) -> None:
        codes = list(Vulnerability.values)
        table = self.add(
            Table(
                key="vulnerabilities",
                title=gettext("Vulnerabilities noted"),
                section="detention",
                row_header=gettext("Vulnerability"),
                rows=[
                    *((code, str(Vulnerability(code).label)) for code in codes),
                    ("any", gettext("At least one")),
                ],
                columns=[
                    ("people", gettext("People"), COUNT),
                    ("share", gettext("Share of the people accompanied"), FRACTION),
                ],
                chart="barh",
                note=gettext(
                    "People accompanied in the period (in every centre) whose case file "
                    "notes the vulnerability; a person may have several."
                ),
            )
        )
        everyone = self.result.key["people_accompanied"]
        for row in [*codes, "any"]:
            people = sum(
                group["people"]
                for group in self.records.people
                if (row in group["vulnerabilities"] if row != "any" else group["vulnerabilities"])
            )
            table.cells[row, "people"] = people
            table.cells[row, "share"] = people / everyone if everyone else None
            # The denominator is the nationalities' total (every person accompanied).
            table.made_of[row, "share"] = [
                (table.key, row, "people"),
                ("nationalities", TOTAL, "people"),
            ]

    def nationalities(self) -> None:
        people: dict[str, int] = {}
        for group in self.records.people:
            people[group["nationality"]] = people.get(group["nationality"], 0) + group["people"]
        unknown = people.pop("", 0)
        ranked = sorted(people, key=lambda code: (-people[code], code))
        top, rest = ranked[:TOP_NATIONALITIES], ranked[TOP_NATIONALITIES:]
        table = self.add(
            Table(
                key="nationalities",
                title=gettext("Nationalities"),
                section="detention",
                row_header=gettext("Nationality"),
                rows=[
                    *((code, str(countries.name(code) or code)) for code in top),
                    ("other", gettext("Other nationalities")),
                    ("unknown", gettext("Not known")),
                    (TOTAL, gettext("Total")),
                ],
                columns=[("people", gettext("People accompanied"), COUNT)],
                total_row=TOTAL,
                chart="barh",
                note=gettext(
                    "People accompanied in the period (in every centre): the %(n)s most "
                    "frequent nationalities, then the others together."
                )
                % {"n": TOP_NATIONALITIES},
            )
        )
        for code in top:
            table.cells[code, "people"] = people[code]
        table.cells["other", "people"] = sum(people[code] for code in rest)
        table.cells["unknown", "people"] = unknown
        table.cells[TOTAL, "people"] = self.result.key["people_accompanied"]
        self.column_sums(table, ["people"])

    # Legal --------------------------------------------------------------------------------

    def legal(self) -> None:
        self.help_by_channel()
        kinds = HelpRequest.RequesterKind
        self.help_breakdown(
            "help_by_requester",
            gettext("Help requests by who asked"),
            gettext("Asked by"),
            "requester_kind",
            [(kind.value, str(kind.label)) for kind in kinds],
        )
        used = {row["topic_id"] for row in self.records.help}
        topics = [t for t in self.records.topics if t.active or t.pk in used]
        self.help_breakdown(
            "help_by_topic",
            gettext("Help requests by topic"),
            gettext("Topic"),
            "topic_id",
            [(topic.pk, topic.code, _name(topic)) for topic in topics],
        )
        self.newsletter()

    def help_by_channel(self) -> None:
        channels = HelpRequest.Channel
        counts = ["requests", "answered", "judged", "within"]
        table = self.add(
            Table(
                key="help_by_channel",
                title=gettext("Help requests and first answers"),
                section="legal",
                row_header=gettext("Channel"),
                rows=[*((c.value, str(c.label)) for c in channels), (TOTAL, gettext("Total"))],
                columns=[
                    ("requests", gettext("Requests"), COUNT),
                    ("answered", gettext("Answered"), COUNT),
                    ("judged", gettext("First answer due"), COUNT),
                    ("within", gettext("Answered in time"), COUNT),
                    ("share_within", gettext("Share answered in time"), FRACTION),
                    ("median_hours", gettext("Median time to a first answer (hours)"), NUMBER),
                ],
                total_row=TOTAL,
                chart="bar",
                note=gettext(
                    "Requests asked in the period. The service level is a first answer "
                    "within %(days)s working days of the request; the share answered in "
                    "time is taken over the requests answered or whose first answer was due "
                    "before today."
                )
                % {"days": FIRST_ANSWER_WORKING_DAYS},
            )
        )
        for row in [*channels.values, TOTAL]:
            mine = [r for r in self.records.help if row in (TOTAL, r["channel"])]
            for count in counts:
                table.cells[row, count] = sum(r[count] for r in mine)
            judged, within = table.cells[row, "judged"], table.cells[row, "within"]
            table.cells[row, "share_within"] = within / judged if judged else None
            # Made of its numerator and its denominator: either hidden hides the share
            # (a published share times a published denominator gives the numerator back).
            table.made_of[row, "share_within"] = [
                (table.key, row, "within"),
                (table.key, row, "judged"),
            ]
            hours = {}
            for r in mine:
                if r["hours"] is not None and r["answered"]:
                    hours[r["hours"]] = hours.get(r["hours"], 0) + r["answered"]
            table.cells[row, "median_hours"] = percentile(hours, 0.5)
            table.made_of[row, "median_hours"] = (table.key, row, "answered")
        self.column_sums(table, counts)

    def help_breakdown(self, key, title, header, field, choices) -> None:
        """One count of requests per choice of `field` ((value, label) or (value, row
        key, label)), with its total."""
        choices = [choice if len(choice) == 3 else (choice[0], *choice) for choice in choices]
        table = self.add(
            Table(
                key=key,
                title=title,
                section="legal",
                row_header=header,
                rows=[*((row, label) for _v, row, label in choices), (TOTAL, gettext("Total"))],
                columns=[("requests", gettext("Requests"), COUNT)],
                total_row=TOTAL,
                chart="barh",
                note=gettext("Help requests asked in the period."),
            )
        )
        for value, row, _label in choices:
            table.cells[row, "requests"] = sum(
                r["requests"] for r in self.records.help if r[field] == value
            )
        table.cells[TOTAL, "requests"] = self.result.key["help_requests"]
        self.column_sums(table, ["requests"])
        self.same(("help_by_channel", TOTAL, "requests"), (key, TOTAL, "requests"))

    def newsletter(self) -> None:
        found = self.records.newsletters
        table = self.add(
            Table(
                key="newsletter",
                title=gettext("Newsletter for lawyers"),
                section="legal",
                row_header=gettext("Newsletter"),
                rows=[
                    ("newsletters", gettext("Newsletters sent")),
                    ("lawyers", gettext("Lawyers reached")),
                    ("deliveries", gettext("E-mails delivered")),
                ],
                columns=[("count", gettext("Number"), COUNT)],
                note=gettext(
                    "Newsletters published in the period, the distinct lawyers they were "
                    "e-mailed to, and the e-mails sent."
                ),
            )
        )
        for row in ("newsletters", "lawyers", "deliveries"):
            table.cells[row, "count"] = found[row]

    # Advocacy -----------------------------------------------------------------------------

    def advocacy(self) -> None:
        self.points()
        self.meetings()
        self.testimonies()

    def points(self) -> None:
        found = self.records.points
        table = self.add(
            Table(
                key="points_of_attention",
                title=gettext("Points of attention"),
                section="advocacy",
                row_header=gettext("Points of attention"),
                rows=[
                    ("raised", gettext("Raised for the first time")),
                    ("discussed", gettext("On the agenda of a meeting held")),
                    ("answered", gettext("Answered by the authorities")),
                    ("resolved", gettext("Resolved since")),
                ],
                columns=[("points", gettext("Points"), COUNT)],
                chart="barh",
                note=gettext(
                    "Points first raised with the authorities in the period; points on the "
                    "agenda of a meeting held in the period, those the authority answered "
                    "there, and those of them resolved today. A point may be in several rows."
                ),
            )
        )
        for row in ("raised", "discussed", "answered", "resolved"):
            table.cells[row, "points"] = found[row]

    def meetings(self) -> None:
        authorities = AuthorityMeeting.Authority
        table = self.add(
            Table(
                key="meetings",
                title=gettext("Meetings held"),
                section="advocacy",
                row_header=gettext("Meeting"),
                rows=[
                    *((a.value, str(a.label)) for a in authorities),
                    ("exchange", gettext("Exchange meetings with the partners")),
                    (TOTAL, gettext("Total")),
                ],
                columns=[("meetings", gettext("Meetings"), COUNT)],
                total_row=TOTAL,
                chart="barh",
                note=gettext(
                    "Meetings with the authorities held in the period, by authority, and "
                    "the exchange meetings of the visitors, the advocacy team and the partners."
                ),
            )
        )
        for authority in authorities.values:
            table.cells[authority, "meetings"] = self.records.authority.get(authority, 0)
        table.cells["exchange", "meetings"] = self.records.exchanges
        table.cells[TOTAL, "meetings"] = sum(
            table.cells[row, "meetings"] for row, _label in table.rows[:-1]
        )
        self.column_sums(table, ["meetings"])

    def testimonies(self) -> None:
        uses = self.records.uses
        table = self.add(
            Table(
                key="testimony_uses",
                title=gettext("Testimonies used"),
                section="advocacy",
                row_header=gettext("Where"),
                rows=[*((code, str(label)) for code, label in SCOPES), (TOTAL, gettext("Total"))],
                columns=[
                    ("uses", gettext("Uses"), COUNT),
                    ("testimonies", gettext("Testimonies"), COUNT),
                ],
                total_row=TOTAL,
                chart="barh",
                note=gettext(
                    "Uses of testimonies recorded in the period, with the consent of their "
                    "witness, and the distinct testimonies used; a testimony used in two "
                    "places counts once in the total."
                ),
            )
        )
        for row in [*(code for code, _label in SCOPES), TOTAL]:
            mine = [use for use in uses if row in (TOTAL, use[0])]
            table.cells[row, "uses"] = sum(n for _scope, _testimony, n in mine)
            table.cells[row, "testimonies"] = len({testimony for _s, testimony, _n in mine})
        self.column_sums(table, ["uses"])

    # Organisations ------------------------------------------------------------------------

    def organisations(self) -> None:
        records = self.records
        people: dict[int, int] = {}
        for group in records.people:
            owner = group["organisation"]
            people[owner] = people.get(owner, 0) + group["people"]
        reports: dict[int, int] = {}
        for row in records.reports:
            reports[row["organisation_id"]] = (
                reports.get(row["organisation_id"], 0) + row["written"]
            )
        contributing = {*people, *reports, *records.contributions}
        organisations = [
            o
            for o in records.organisations
            if o.kind != Organisation.Kind.COALITION or o.pk in contributing
        ]
        rows = _organisation_rows(organisations)
        table = self.add(
            Table(
                key="contributions",
                title=gettext("Each organisation's contribution"),
                section="organisations",
                row_header=gettext("Organisation"),
                rows=[*((row, label) for _o, row, label in rows), (TOTAL, gettext("Total"))],
                columns=[
                    ("people", gettext("People accompanied"), COUNT),
                    ("visits", gettext("Visits done"), COUNT),
                    ("visitors", gettext("Visitors"), COUNT),
                    ("reports", gettext("Reports written"), COUNT),
                ],
                total_row=TOTAL,
                chart="bar",
                note=gettext(
                    "People accompanied in the period whose case file the organisation "
                    "keeps; done visits its visitors took part in (a visit made by two "
                    "organisations counts for both, once in the total); its visitors who "
                    "took part in one; reports written by it."
                ),
            )
        )
        for organisation, row, _label in rows:
            visits = records.contributions.get(organisation.pk, {})
            table.cells[row, "people"] = people.get(organisation.pk, 0)
            table.cells[row, "visits"] = visits.get("visits", 0)
            table.cells[row, "visitors"] = visits.get("visitors", 0)
            table.cells[row, "reports"] = reports.get(organisation.pk, 0)
        key = self.result.key
        table.cells[TOTAL, "people"] = key["people_accompanied"]
        table.cells[TOTAL, "visits"] = key["visits_done"]
        table.cells[TOTAL, "visitors"] = key["visitors_active"]
        table.cells[TOTAL, "reports"] = key["reports_written"]
        self.column_sums(table, ["people", "reports"])
        self.same(("nationalities", TOTAL, "people"), (table.key, TOTAL, "people"))
        self.same(("reports_by_quarter", TOTAL, "written"), (table.key, TOTAL, "reports"))
        self.same(("visits_by_centre", TOTAL, "visits"), (table.key, TOTAL, "visits"))


# --- Labels ---------------------------------------------------------------------------------


def _quarter_label(quarter: int) -> str:
    return pgettext("quarter of a year", "Q%(quarter)s") % {"quarter": quarter}


def _name(record) -> str:
    """A translated name, in French where the reader's language has none."""
    return str(record.name or getattr(record, "name_fr", "") or record.code)


def _centre_rows(centres) -> list[tuple[str, str]]:
    return [(centre.code, _name(centre)) for centre in centres]


def _organisation_rows(organisations) -> list[tuple[Organisation, str, str]]:
    """(organisation, row key, label): the key is the short name made ASCII, unique."""
    rows, keys = [], set()
    for organisation in organisations:
        key = slugify(organisation.short_name) or f"organisation-{organisation.pk}"
        if key in keys or key == TOTAL:
            key = f"{key}-{organisation.pk}"
        keys.add(key)
        rows.append((organisation, key, organisation.short_name))
    return rows


def _weeks_open(centre: Centre, monday: date, sunday: date) -> int:
    """The weeks from `monday` to `sunday` during which the centre was open a day or more."""
    first, last = monday, sunday
    if centre.opened_on and centre.opened_on > first:
        first = centre.opened_on - timedelta(days=centre.opened_on.weekday())
    if centre.closed_on and centre.closed_on < last:
        last = centre.closed_on + timedelta(days=6 - centre.closed_on.weekday())
    return max(0, ((last - first).days + 1) // 7)
