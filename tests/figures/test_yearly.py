"""The yearly figures' definitions (figures/yearly.py), each proved on a small world built
for it; every sum the figures declare holds; the number of queries is pinned and does not
grow with the records."""

import datetime
import statistics
from datetime import date, timedelta

import pytest
from django.utils import timezone

from advocacy.models import AuthorityMeeting, ExchangeMeeting
from detainees.models import Accompaniment, DetentionSpell, Family, Person
from figures import yearly
from figures.tables import COUNT, FRACTION, NUMBER, SECTIONS
from legal.models import HelpRequest, Topic
from move.accounts.permissions import FIGURES_COALITION, FIGURES_FULL, FIGURES_PUBLISHED, Role
from move.centres.models import Centre
from tests.factories import CentreFactory, CentreYearFactory, OrganisationFactory, member
from visits.models import Observation, Theme, Visit, VisitReport

pytestmark = pytest.mark.django_db

ADULT, FAMILY_UNIT = Centre.Kind.ADULT_CENTRE, Centre.Kind.FAMILY_UNIT
RETURN_HOUSE = Centre.Kind.RETURN_HOUSE

# What key_figures() and figures() ask the database: the counting queries of
# figures/yearly.py, the SET LOCAL that turns PostgreSQL's JIT off, and the SAVEPOINT and
# RELEASE of their transaction (inside a test's transaction; BEGIN and COMMIT outside one
# are not queries).
KEY_QUERIES = 10 + 1 + 2
FULL_QUERIES = 17 + 1 + 2
COALITION_QUERIES = 15 + 1 + 2


# --- A small world ------------------------------------------------------------------------


class World:
    """Centres, organisations and visitors; records added by the tests."""

    def __init__(self):
        self.org = OrganisationFactory(short_name="JRS")
        self.other_org = OrganisationFactory(short_name="CIRÉ")
        self.visitor = member(Role.VISITOR, self.org)
        self.other_visitor = member(Role.VISITOR, self.other_org)
        self.adult = CentreFactory(code="vottem", kind=ADULT)
        self.other_adult = CentreFactory(code="merksplas", kind=ADULT)
        self.family_unit = CentreFactory(code="127bis-familles", kind=FAMILY_UNIT)
        self.return_house = CentreFactory(code="tubize", kind=RETURN_HOUSE)
        self.themes = [
            Theme.objects.create(code=code, name_fr=code, name_nl=code, position=n)
            for n, code in enumerate(["medical-care", "isolation"])
        ]
        self.people = 0

    def visit(self, centre, day, status=Visit.Status.DONE, visitors=None) -> Visit:
        visit = Visit.objects.create(centre=centre, date=day, status=status)
        visit.visitors.set(visitors if visitors is not None else [self.visitor])
        return visit

    def person(self, organisation=None, **fields) -> Person:
        self.people += 1
        return Person.objects.create(
            code=f"T-{self.people:05d}", organisation=organisation or self.org, **fields
        )

    def meet(self, person, *visits) -> None:
        for visit in visits:  # one by one, as the pages record them (first_met_on)
            Accompaniment.objects.create(person=person, visit=visit, met_by=self.visitor)

    def report(self, visit, status=VisitReport.Status.SUBMITTED, organisation=None, **fields):
        return VisitReport.objects.create(
            visit=visit, organisation=organisation or self.org, language="fr", status=status
        )

    def observe(self, report, theme, raise_with_authorities=False) -> Observation:
        return Observation.objects.create(
            report=report,
            theme=theme,
            centre=report.centre,
            text="Observation.",
            raise_with_authorities=raise_with_authorities,
        )

    def ask(self, moment, **fields) -> HelpRequest:
        fields.setdefault("topic", Topic.objects.get(code="detention"))
        return HelpRequest.objects.create(created_at=moment, subject="Question", **fields)

    def spell(self, person, start, end, outcome, centre=None, new_order=True):
        return DetentionSpell.objects.create(
            person=person,
            centre=centre or self.adult,
            start=start,
            end=end,
            outcome=outcome,
            new_order=new_order,
        )

    def populate(self, copies=1) -> None:
        """A bit of everything in 2022, `copies` times over: what the sums and the query
        counts are checked on."""
        for n in range(copies):
            day = date(2022, 1, 10) + timedelta(days=40 * n)
            first = self.visit(self.adult, day, visitors=[self.visitor, self.other_visitor])
            second = self.visit(self.other_adult, day + timedelta(days=100))
            family_visit = self.visit(self.family_unit, day + timedelta(days=3))
            house_visit = self.visit(self.return_house, day + timedelta(days=5))
            self.visit(self.adult, day + timedelta(days=7), status=Visit.Status.PLANNED)
            family = Family.objects.create(organisation=self.org)
            people = [
                self.person(nationality=nationality, vulnerabilities=vulnerabilities)
                for nationality, vulnerabilities in [
                    ("MA", ["medical"]),
                    ("MA", []),
                    ("AL", ["medical", "psychological"]),
                    ("", []),
                ]
            ]
            self.meet(people[0], first, second)
            self.meet(people[1], first)
            self.meet(people[2], second)
            self.meet(self.person(self.other_org, nationality="GE"), first)
            parents = [self.person(family=family, nationality="AF") for _n in range(2)]
            for parent in parents:
                self.meet(parent, family_visit, house_visit)
            report = self.report(first)
            self.observe(report, self.themes[0], raise_with_authorities=True)
            self.observe(report, self.themes[1])
            shared = self.report(second, VisitReport.Status.SHARED, self.other_org)
            self.observe(shared, self.themes[1])
            self.report(family_visit, VisitReport.Status.DRAFT)
            self.spell(people[0], day - timedelta(days=70), day + timedelta(days=30), "released")
            self.spell(people[1], day - timedelta(days=10), day + timedelta(days=5), "removed")
            moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))
            self.ask(moment, first_answer_due=day + timedelta(days=2), first_answered_at=moment)
            self.ask(moment, channel=HelpRequest.Channel.PHONE, first_answer_due=day)
            ExchangeMeeting.objects.create(date=day)
            AuthorityMeeting.objects.create(
                date=day, authority="immigration_office", status=AuthorityMeeting.Status.HELD
            )


@pytest.fixture
def world(db):
    return World()


def value(figures, cell):
    table, row, column = cell
    return figures.table(table).value(row, column)


# --- People -------------------------------------------------------------------------------


def test_a_person_met_twice_in_the_year_counts_once(world):
    person = world.person()
    world.meet(person, world.visit(world.adult, date(2022, 3, 1)))
    world.meet(person, world.visit(world.other_adult, date(2022, 9, 1)))
    key = yearly.key_figures(2022)
    assert key["people_accompanied_adult_centres"] == 1
    assert key["meetings"] == 2
    tables = yearly.figures(2022, variant=FIGURES_FULL)
    people = tables.table("people_by_centre")
    assert people.value("vottem", "people") == people.value("merksplas", "people") == 1
    assert people.value("total", "people") == 1  # not the sum of the centres
    assert tables.table("meetings_per_person").value("2", "people") == 1


def test_a_person_met_in_a_family_unit_is_not_counted_in_the_adult_centres(world):
    family = Family.objects.create(organisation=world.org)
    parent = world.person(family=family)
    other_parent = world.person(family=family)
    unit = world.visit(world.family_unit, date(2022, 5, 2))
    world.meet(parent, unit)
    world.meet(other_parent, unit, world.visit(world.return_house, date(2022, 6, 2)))
    key = yearly.key_figures(2022)
    assert key["people_accompanied_adult_centres"] == 0
    assert key["families_accompanied"] == 1
    assert key["people_accompanied"] == 2
    families = yearly.figures(2022, variant=FIGURES_FULL).table("families_by_centre")
    assert families.value("127bis-familles", "families") == 1
    assert families.value("127bis-familles", "people") == 2
    assert families.value("tubize", "families") == 1
    assert families.value("total", "families") == 1
    assert families.value("total", "people") == 2


def test_a_person_met_in_2021_and_2022_is_returning_in_2022_and_new_in_2021(world):
    person = world.person()
    world.meet(person, world.visit(world.adult, date(2021, 11, 3)))
    world.meet(person, world.visit(world.adult, date(2022, 2, 3)))
    world.meet(world.person(), world.visit(world.adult, date(2022, 2, 10)))
    key = yearly.key_figures(2022)
    assert (key["people_new"], key["people_returning"]) == (1, 1)
    earlier = yearly.key_figures(2021)
    assert (earlier["people_new"], earlier["people_returning"]) == (1, 0)
    # Met before in a family unit: returning in an adult centre all the same.
    other = world.person()
    world.meet(other, world.visit(world.family_unit, date(2021, 12, 30)))
    world.meet(other, world.visit(world.adult, date(2022, 1, 4)))
    assert yearly.key_figures(2022)["people_returning"] == 2


def test_a_meeting_after_the_period_does_not_make_a_person_returning(world):
    person = world.person()
    world.meet(person, world.visit(world.adult, date(2022, 2, 3)))
    world.meet(person, world.visit(world.adult, date(2023, 2, 3)))
    key = yearly.key_figures(2022)
    assert (key["people_new"], key["people_returning"]) == (1, 0)
    assert yearly.key_figures(2023)["people_returning"] == 1


def test_the_reach_ratio_is_the_people_out_of_the_people_detained_in_the_adult_centres(world):
    for n in range(3):
        world.meet(world.person(), world.visit(world.adult, date(2022, 4, 1 + n)))
    assert yearly.key_figures(2022)["detained_adult_centres"] is None
    assert yearly.key_figures(2022)["reach_ratio"] is None
    CentreYearFactory(centre=world.adult, year=2022, people_detained=20)
    CentreYearFactory(centre=world.other_adult, year=2022, people_detained=10)
    CentreYearFactory(centre=world.family_unit, year=2022, people_detained=500)
    CentreYearFactory(centre=world.adult, year=2021, people_detained=900)
    key = yearly.key_figures(2022)
    assert key["detained_adult_centres"] == 30
    assert key["reach_ratio"] == pytest.approx(3 / 30)
    assert key["reach_target"] == 0.10
    people = yearly.figures(2022, variant=FIGURES_FULL).table("people_by_centre")
    assert people.value("vottem", "reach") == pytest.approx(3 / 20)
    assert people.value("merksplas", "reach") == 0
    assert people.made_of["vottem", "reach"] == ("people_by_centre", "vottem", "people")
    assert people.value("total", "target") == 0.10


# --- Visits and reports -------------------------------------------------------------------


def test_visitors_are_the_distinct_people_of_the_done_visits(world):
    world.visit(world.adult, date(2022, 1, 5), visitors=[world.visitor, world.other_visitor])
    world.visit(world.adult, date(2022, 1, 12), visitors=[world.visitor])
    late = member(Role.VISITOR, world.org)
    world.visit(world.adult, date(2022, 1, 19), Visit.Status.CANCELLED, visitors=[late])
    world.visit(world.adult, date(2022, 1, 26), Visit.Status.PLANNED, visitors=[late])
    key = yearly.key_figures(2022)
    assert key["visitors_active"] == 2
    assert key["visits_done"] == 2


def test_a_draft_report_is_not_written_and_a_shared_one_is(world):
    world.report(world.visit(world.adult, date(2022, 1, 5)), VisitReport.Status.DRAFT)
    world.report(world.visit(world.adult, date(2022, 1, 12)), VisitReport.Status.SUBMITTED)
    world.report(world.visit(world.adult, date(2022, 1, 19)), VisitReport.Status.SHARED)
    world.report(world.visit(world.adult, date(2021, 12, 29)), VisitReport.Status.SUBMITTED)
    key = yearly.key_figures(2022)
    assert (key["reports_written"], key["reports_shared"]) == (2, 1)


def test_observations_are_counted_per_theme_and_quarter_of_written_reports_only(world):
    medical, isolation = world.themes
    march = world.report(world.visit(world.adult, date(2022, 3, 31)))
    world.observe(march, medical, raise_with_authorities=True)
    april = world.report(world.visit(world.adult, date(2022, 4, 1)))
    world.observe(april, medical)
    world.observe(april, isolation, raise_with_authorities=True)
    draft = world.report(world.visit(world.adult, date(2022, 5, 1)), VisitReport.Status.DRAFT)
    world.observe(draft, isolation, raise_with_authorities=True)
    tables = yearly.figures(2022, variant=FIGURES_FULL)
    themes = tables.table("observations_by_theme")
    assert (themes.value("medical-care", "q1"), themes.value("medical-care", "q2")) == (1, 1)
    assert themes.value("isolation", "total") == 1
    assert themes.value("total", "raise") == 2
    reports = tables.table("reports_by_quarter")
    assert [reports.value(q, "written") for q in ("q1", "q2", "q3", "q4")] == [1, 1, 0, 0]
    assert reports.value("q2", "raise") == 1


def test_centre_weeks_covered_count_weeks_with_a_done_visit(world):
    monday = date(2022, 1, 3)  # ISO week 1 of 2022
    world.visit(world.adult, monday)
    world.visit(world.adult, monday + timedelta(days=2))  # the same week
    world.visit(world.adult, monday + timedelta(days=7))
    world.visit(world.adult, monday + timedelta(days=14), Visit.Status.PLANNED)
    world.other_adult.opened_on = date(2022, 12, 1)  # open in the last five weeks only
    world.other_adult.save()
    visits = yearly.figures(2022, variant=FIGURES_FULL).table("visits_by_centre")
    assert visits.value("vottem", "visits") == 3
    assert visits.value("vottem", "weeks_covered") == 2
    assert visits.value("vottem", "weeks") == 52
    assert visits.value("vottem", "coverage") == pytest.approx(2 / 52)
    assert visits.value("merksplas", "weeks") == 5


# --- Periods ------------------------------------------------------------------------------


def test_quarter_boundaries_follow_the_days_and_the_local_time(world):
    world.meet(world.person(), world.visit(world.adult, date(2022, 3, 31)))
    world.meet(world.person(), world.visit(world.adult, date(2022, 4, 1)))
    world.meet(world.person(), world.visit(world.adult, date(2022, 12, 31)))
    brussels = timezone.get_default_timezone()
    world.ask(datetime.datetime(2022, 3, 31, 23, 30, tzinfo=brussels))  # 21:30 UTC
    world.ask(datetime.datetime(2022, 4, 1, 0, 30, tzinfo=brussels))  # 22:30 UTC, 31 March
    ExchangeMeeting.objects.create(date=date(2022, 6, 30))
    ExchangeMeeting.objects.create(date=date(2022, 7, 1))
    people = [yearly.key_figures(2022, q)["people_accompanied_adult_centres"] for q in (1, 2, 3, 4)]
    assert people == [1, 1, 0, 1]
    assert [yearly.key_figures(2022, q)["help_requests"] for q in (1, 2)] == [1, 1]
    assert [yearly.key_figures(2022, q)["exchange_meetings"] for q in (2, 3)] == [1, 1]
    assert yearly.key_figures(2022)["people_accompanied_adult_centres"] == 3
    assert yearly.Period(2022, 4).end == date(2022, 12, 31)
    assert yearly.Period(2022, 1).weeks == (date(2022, 1, 3), date(2022, 4, 3))


def test_a_quarter_is_one_to_four():
    with pytest.raises(ValueError):
        yearly.Period(2022, 5)


# --- Detention ----------------------------------------------------------------------------


def test_a_detention_is_measured_from_its_order_and_passes_the_month_marks(world):
    first, second, third = world.person(), world.person(), world.person()
    # 2 months and 1 day, of which the last ones after a transfer: one detention.
    world.spell(first, date(2022, 1, 10), date(2022, 2, 1), "transferred")
    world.spell(first, date(2022, 2, 1), date(2022, 3, 11), "removed", world.other_adult, False)
    # A day short of four months.
    world.spell(second, date(2022, 1, 31), date(2022, 5, 30), "released")
    # Five months exactly (31 December + 5 months is 31 May).
    world.spell(third, date(2021, 12, 31), date(2022, 5, 31), "transferred_abroad")
    world.spell(world.person(), date(2022, 11, 1), None, "")  # still held: not ended
    tables = yearly.figures(2022, variant=FIGURES_FULL)
    lengths = tables.table("detention_lengths")
    days = [(date(2022, 3, 11) - date(2022, 1, 10)).days, 119, 151]
    assert lengths.value("total", "detentions") == 3
    assert lengths.value("total", "median_days") == statistics.median(days)
    assert lengths.value("total", "passed_2") == 3
    assert lengths.value("total", "passed_4") == 1
    assert lengths.value("total", "passed_5") == 1
    assert lengths.value("merksplas", "detentions") == 1  # where it ended
    outcomes = tables.table("detention_outcomes")
    assert outcomes.value("removed", "detentions") == 1
    assert outcomes.value("transferred_abroad", "detentions") == 1


def test_percentiles_are_those_of_postgresql_percentile_cont():
    values = [3, 1, 4, 1, 5, 9, 2, 6]
    histogram = {v: values.count(v) for v in values}
    assert yearly.percentile(histogram, 0.5) == statistics.median(values)
    ordered = sorted(values)
    position = 0.9 * (len(values) - 1)
    low = ordered[int(position)]
    expected = low + (ordered[int(position) + 1] - low) * (position - int(position))
    assert yearly.percentile(histogram, 0.9) == pytest.approx(expected)
    assert yearly.percentile({}, 0.5) is None


def test_nationalities_keep_the_ten_most_frequent_and_gather_the_others(world):
    visit = world.visit(world.adult, date(2022, 2, 2))
    codes = ["MA", "DZ", "AL", "RO", "GE", "GN", "SN", "CM", "CD", "ER", "SO", "AF"]
    for rank, code in enumerate(codes):
        for _n in range(len(codes) - rank):
            world.meet(world.person(nationality=code), visit)
    world.meet(world.person(), visit)
    nationalities = yearly.figures(2022, variant=FIGURES_FULL).table("nationalities")
    assert [row for row, _label in nationalities.rows][:10] == codes[:10]
    assert nationalities.value("other", "people") == 2 + 1
    assert nationalities.value("unknown", "people") == 1
    assert nationalities.value("total", "people") == sum(range(1, 13)) + 1


# --- Legal and advocacy -------------------------------------------------------------------


def test_the_service_level_counts_first_answers_by_their_due_day(world):
    asked = timezone.make_aware(datetime.datetime(2022, 3, 1, 9))
    due = date(2022, 3, 3)
    world.ask(asked, first_answer_due=due, first_answered_at=asked + timedelta(hours=5))
    world.ask(asked, first_answer_due=due, first_answered_at=asked + timedelta(days=2, hours=14))
    world.ask(asked, first_answer_due=due, first_answered_at=asked + timedelta(days=5))
    world.ask(asked, first_answer_due=due)  # never answered, due long ago
    channel = yearly.figures(2022, variant=FIGURES_FULL).table("help_by_channel")
    assert channel.value("app", "requests") == 4
    assert channel.value("app", "answered") == 3
    assert channel.value("app", "judged") == 4
    assert channel.value("app", "within") == 2
    assert channel.value("app", "share_within") == 0.5
    assert channel.value("app", "median_hours") == 62  # 5, 62 and 120 hours
    assert channel.made_of["app", "median_hours"] == ("help_by_channel", "app", "answered")


def test_meetings_are_those_held_in_the_period(world):
    ExchangeMeeting.objects.create(date=date(2022, 2, 1))
    ExchangeMeeting.objects.create(date=date(2023, 2, 1))
    AuthorityMeeting.objects.create(date=date(2022, 3, 1), authority="centre", status="held")
    AuthorityMeeting.objects.create(date=date(2022, 6, 1), authority="centre", status="draft")
    key = yearly.key_figures(2022)
    assert (key["exchange_meetings"], key["authority_meetings"]) == (1, 1)
    meetings = yearly.figures(2022, variant=FIGURES_FULL).table("meetings")
    assert meetings.value("total", "meetings") == 2


# --- The shape ----------------------------------------------------------------------------


def test_every_declared_sum_holds(world):
    world.populate(copies=3)
    for variant in (FIGURES_FULL, FIGURES_COALITION):
        for quarter in (None, 1, 2):
            figures = yearly.figures(2022, quarter, variant=variant)
            assert figures.sums
            for total, parts in figures.sums:
                assert value(figures, total) == sum(value(figures, part) for part in parts), (
                    total,
                    parts,
                )


def test_the_sums_are_not_trivial(world):
    """The populated world gives non-zero totals to most sums: the test above proves
    something."""
    world.populate(copies=2)
    figures = yearly.figures(2022, variant=FIGURES_FULL)
    nonzero = [total for total, _parts in figures.sums if value(figures, total)]
    assert len(nonzero) > len(figures.sums) * 2 // 3


def test_no_sum_is_declared_over_distinct_people_of_several_centres(world):
    world.populate()
    figures = yearly.figures(2022, variant=FIGURES_FULL)
    totals = {total for total, _parts in figures.sums}
    assert ("people_by_centre", "total", "people") not in {
        total for total, parts in figures.sums if len(parts) > 1
    }
    assert ("families_by_centre", "total", "families") not in totals
    assert ("contributions", "total", "visits") not in {
        total for total, parts in figures.sums if len(parts) > 1
    }


def test_every_fraction_and_number_made_of_a_count_says_which(world):
    world.populate()
    figures = yearly.figures(2022, variant=FIGURES_FULL)
    free = {("people_by_centre", "detained"), ("people_by_centre", "target")}
    free |= {("visits_by_centre", "weeks")}  # the calendar's weeks, not a count of records
    for table in figures.tables:
        for column, _label, kind in table.columns:
            if kind == COUNT or (table.key, column) in free:
                continue
            for row, _label in table.rows:
                if table.value(row, column) is None:
                    continue
                made_of = table.made_of[row, column]
                sources = [made_of] if isinstance(made_of[0], str) else made_of
                for source in sources:
                    kind = figures.table(source[0]).kind(source[2])
                    assert kind == COUNT, (table.key, row, column)


def test_a_ratio_is_made_of_its_numerator_and_its_count_denominator(world):
    world.populate()
    figures = yearly.figures(2022, variant=FIGURES_FULL)
    channel = figures.table("help_by_channel")
    assert channel.made_of["app", "share_within"] == [
        ("help_by_channel", "app", "within"),
        ("help_by_channel", "app", "judged"),
    ]
    assert figures.table("vulnerabilities").made_of["any", "share"] == [
        ("vulnerabilities", "any", "people"),
        ("nationalities", "total", "people"),
    ]
    assert figures.table("meetings_per_person").made_of["total", "per_person"] == [
        ("meetings_per_person", "total", "people"),
        ("meetings_per_person", "total", "meetings"),
    ]


def test_the_published_meetings_per_person_give_no_meetings_per_row(world):
    world.populate()
    published = yearly.figures(2022, variant=FIGURES_PUBLISHED)
    table = published.table("meetings_per_person")
    for row, _label in table.rows:
        if row != table.total_row:
            assert table.cells[row, "meetings"] is None and table.cells[row, "per_person"] is None
    full = yearly.figures(2022, variant=FIGURES_FULL).table("meetings_per_person")
    assert table.value("total", "meetings") in (None, full.value("total", "meetings"))
    assert not any(
        total == ("meetings_per_person", "total", "meetings") for total, _parts in published.sums
    )


def test_only_the_full_variant_has_each_organisations_contribution(world):
    world.populate()
    for variant in (FIGURES_COALITION, FIGURES_PUBLISHED):
        keys = [table.key for table in yearly.figures(2022, variant=variant).tables]
        assert "contributions" not in keys
    assert "contributions" in [t.key for t in yearly.figures(2022, variant=FIGURES_FULL).tables]


def test_tables_have_stable_ascii_keys_whatever_the_language(world):
    world.populate()
    shapes = []
    for language in ("fr", "nl", "en"):
        figures = yearly.figures(2022, variant=FIGURES_FULL, language=language)
        assert figures.language == language
        shapes.append(
            [
                (t.key, [r for r, _l in t.rows], [c for c, _l, _k in t.columns])
                for t in figures.tables
            ]
        )
    assert shapes[0] == shapes[1] == shapes[2]
    for key, rows, columns in shapes[0]:
        for name in [key, *rows, *columns]:
            assert name.isascii() and name == name.strip() and name, name


def test_the_tables_are_in_known_sections_with_known_kinds_and_charts(world):
    world.populate()
    figures = yearly.figures(2022, variant=FIGURES_FULL)
    assert len({table.key for table in figures.tables}) == len(figures.tables)
    for table in figures.tables:
        assert table.section in SECTIONS
        assert table.chart in (None, "bar", "barh", "line")
        assert table.title and table.note and table.row_header
        assert {kind for _c, _l, kind in table.columns} <= {COUNT, FRACTION, NUMBER}
        if table.total_row:
            assert table.rows[-1][0] == table.total_row
        for (row, column), found in table.cells.items():
            assert row in {r for r, _l in table.rows} and table.kind(column)
            if table.kind(column) == COUNT:
                assert isinstance(found, int) and found >= 0


def test_the_coalition_reads_no_organisation_and_the_full_variant_does(world):
    world.populate()
    full = yearly.figures(2022, variant=FIGURES_FULL)
    coalition = yearly.figures(2022, variant=FIGURES_COALITION)
    assert "organisations" in {table.section for table in full.tables}
    assert "organisations" not in {table.section for table in coalition.tables}
    assert all(total[0] != "contributions" for total, _parts in coalition.sums)
    contributions = full.table("contributions")
    assert (
        contributions.value("jrs", "people") + contributions.value("cire", "people")
        == (full.key["people_accompanied"])
    )
    assert full.key == coalition.key == yearly.key_figures(2022)


def test_an_unknown_variant_is_refused(world):
    with pytest.raises(ValueError):
        yearly.figures(2022, variant="everything")


def test_the_key_figures_have_the_contract_keys(world):
    world.populate()
    key = yearly.key_figures(2022)
    contract = {
        "people_accompanied_adult_centres",
        "detained_adult_centres",
        "reach_ratio",
        "families_accompanied",
        "reports_written",
        "help_requests",
        "exchange_meetings",
        "visitors_active",
        "reach_target",
        "visits_done",
        "reports_shared",
        "people_new",
        "people_returning",
        "meetings",
        "points_raised",
        "authority_meetings",
        "newsletters_sent",
        "lawyers_reached",
    }
    assert contract <= set(key)
    assert key["people_accompanied_adult_centres"] == 4
    assert key["families_accompanied"] == 1
    assert key["help_requests"] == 2


# --- Queries ------------------------------------------------------------------------------


def test_the_key_figures_take_a_fixed_number_of_queries(world, django_assert_num_queries):
    world.populate()
    with django_assert_num_queries(KEY_QUERIES):
        small = yearly.key_figures(2022)
    world.populate(copies=2)
    with django_assert_num_queries(KEY_QUERIES):
        large = yearly.key_figures(2022)
    assert large["people_accompanied"] == 3 * small["people_accompanied"]


@pytest.mark.parametrize(
    ("variant", "queries"),
    [(FIGURES_FULL, FULL_QUERIES), (FIGURES_COALITION, COALITION_QUERIES)],
)
def test_the_figures_take_a_fixed_number_of_queries(
    world, django_assert_num_queries, variant, queries
):
    world.populate()
    with django_assert_num_queries(queries):
        yearly.figures(2022, variant=variant)
    world.populate(copies=2)
    with django_assert_num_queries(queries):
        yearly.figures(2022, variant=variant)
    with django_assert_num_queries(queries):
        yearly.figures(2022, 3, variant=variant)
