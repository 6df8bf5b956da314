"""The weekly coverage grid shows a window of weeks around today (issue 9 §6), moved a
window at a time, or a whole year; and the demo's visits make today's week green
whatever the day the demo is loaded."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from move.accounts.models import User
from tests.conftest import sign_in
from tests.factories import CentreFactory
from visits import coverage
from visits.models import Visit

pytestmark = pytest.mark.django_db

URL = reverse("visits:coverage")


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


# --- The window of weeks ------------------------------------------------------------------


def test_the_page_shows_a_window_of_weeks_with_the_current_one(client, coordinator):
    sign_in(client, coordinator)
    today = timezone.localdate()

    response = client.get(URL)

    weeks = response.context["weeks"]
    assert len(weeks) == coverage.WINDOW_WEEKS == 13
    assert weeks[coverage.WEEKS_BEFORE].monday == monday(today)
    assert [week.current for week in weeks].count(True) == 1
    assert response.context["current_index"] == coverage.WEEKS_BEFORE
    html = response.content.decode()
    assert html.count('aria-current="date"') == 1
    first = monday(today) - timedelta(weeks=8)
    assert f'href="?from={(first - timedelta(weeks=13)).isoformat()}"' in html
    assert f'href="?from={(first + timedelta(weeks=13)).isoformat()}"' in html


def test_earlier_and_later_weeks_move_the_window_without_the_current_week(client, coordinator):
    sign_in(client, coordinator)
    centre = CentreFactory()
    Visit.objects.create(centre=centre, date=date(2023, 3, 15), status="done")

    response = client.get(URL, {"from": "2023-03-08"})  # a Wednesday: its week's Monday

    weeks = response.context["weeks"]
    assert weeks[0].monday == date(2023, 3, 6) and len(weeks) == 13
    assert response.context["current_index"] is None
    row = next(row for row in response.context["rows"] if row.centre == centre)
    assert row.cells[1] == "done" and row.cells[0] == "gap"
    assert 'aria-current="date"' not in response.content.decode()


@pytest.mark.parametrize("value", ["", "abc", "1700-01-01", "2026-02-30"])
def test_a_strange_start_shows_the_window_of_today(client, coordinator, value):
    sign_in(client, coordinator)

    response = client.get(URL, {"from": value})

    assert response.status_code == 200
    assert response.context["current_index"] == coverage.WEEKS_BEFORE


def test_a_whole_year_is_still_shown_on_demand(client, coordinator):
    sign_in(client, coordinator)

    response = client.get(URL, {"year": "2026"})

    assert response.context["whole_year"] is True
    assert len(response.context["weeks"]) == 53
    assert '<option value="2026" selected>' in response.content.decode()


def test_the_window_crosses_the_new_year_by_iso_weeks():
    centre = CentreFactory()
    Visit.objects.create(centre=centre, date=date(2026, 12, 31), status="done")  # week 53
    Visit.objects.create(centre=centre, date=date(2027, 1, 5), status="planned")  # week 1
    Visit.objects.create(centre=centre, date=date(2027, 1, 12), status="cancelled")
    today = date(2027, 1, 6)

    weeks = coverage.weeks_from(date(2026, 12, 21), 4, today)
    (row,) = coverage.grid(weeks, today)

    assert [(week.year, week.number) for week in weeks] == [
        (2026, 52),
        (2026, 53),
        (2027, 1),
        (2027, 2),
    ]
    assert row.cells == ["gap", "done", "planned", "open"]
    assert [week.current for week in weeks] == [False, False, True, False]


def test_the_grid_costs_the_same_few_queries_whatever_the_centres_and_visits(client, coordinator):
    sign_in(client, coordinator)
    client.get(URL)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(URL).status_code == 200
        return len(queries)

    CentreFactory()
    few = count()
    today = timezone.localdate()
    for days in range(-60, 30, 3):
        Visit.objects.create(centre=CentreFactory(), date=today + timedelta(days=days))
    assert count() == few <= 8


# --- The demo lives whatever the day it is loaded ----------------------------------------


@pytest.fixture
def demo_places(db):
    from move.accounts.demo import VISITORS
    from tests.factories import OrganisationFactory, member

    for code in ("127bis", "caricole", "bruges", "merksplas", "vottem", "holsbeek"):
        CentreFactory(code=code)
    CentreFactory(code="units", kind="family_unit")
    CentreFactory(code="houses", kind="return_house")
    jrs = OrganisationFactory(short_name="JRS")
    for email, *_rest in VISITORS[:4]:
        member("visitor", jrs, email=email)
    member("visitor", jrs, email="visitor.jrs@move.test")
    return list(User.objects.order_by("email"))


def live(today):
    return sorted(
        (
            visit.centre.code,
            visit.date,
            visit.status,
            tuple(sorted(u.email for u in visit.visitors.all())),
        )
        for visit in Visit.objects.prefetch_related("visitors").select_related("centre")
    )


@pytest.mark.parametrize("today", [date(2027, 1, 4), date(2027, 6, 16), date(2026, 12, 5)])
def test_the_demo_makes_the_week_of_the_day_it_is_loaded_green(demo_places, today):
    from visits.demo import seed_live_visits

    seed_live_visits(today, demo_places)

    weeks = coverage.weeks_from(coverage.default_start(today), coverage.WINDOW_WEEKS, today)
    rows = coverage.grid(weeks, today)
    now = coverage.WEEKS_BEFORE
    adult = [row for row in rows if row.centre.kind == "adult_centre"]
    assert [row.cells[now] for row in adult] == ["done"] * 6
    past = [cell for row in adult for cell in row.cells[:now]]
    assert past.count("done") / len(past) >= 0.8  # the weeks before are covered too
    ahead = [cell for row in rows for cell in row.cells[now + 1 : now + 5]]
    assert ahead.count("planned") >= 10 and "done" not in ahead
    assert Visit.objects.filter(date__gte=today - timedelta(weeks=8)).count() >= 50
    assert not Visit.objects.filter(date__lt=date(2024, 1, 1)).exists()
    mine = Visit.objects.filter(visitors__email="visitor.jrs@move.test")
    assert mine.filter(date__range=(monday(today), today)).exists()
    assert mine.filter(date__gt=today, status="planned").exists()


def test_the_demo_of_a_given_day_is_always_the_same_and_loads_once(demo_places):
    from visits.demo import seed_live_visits

    today = date(2027, 3, 10)
    seed_live_visits(today, demo_places)
    first = live(today)
    seed_live_visits(today, demo_places)  # loaded already: nothing changes
    assert live(today) == first
    Visit.objects.all().delete()
    seed_live_visits(today, demo_places)
    assert live(today) == first


# --- The visitor's week on the home page ------------------------------------------------


def test_the_home_page_shows_a_visitor_their_week(client, visitor_a, visitor_b, coordinator):
    from visits.models import VisitReport

    today = timezone.localdate()
    centre = CentreFactory(name_fr="Centre de transit Caricole")
    ahead = Visit.objects.create(centre=centre, date=today + timedelta(days=3))
    done = Visit.objects.create(centre=centre, date=today - timedelta(days=1), status="done")
    drafted = Visit.objects.create(centre=centre, date=today - timedelta(days=2), status="done")
    others = Visit.objects.create(centre=centre, date=today + timedelta(days=4))
    for visit in (ahead, done, drafted):
        visit.visitors.add(visitor_a)
    others.visitors.add(visitor_b)
    draft = VisitReport.objects.create(
        visit=drafted, organisation=visitor_a.memberships.get().organisation, language="fr"
    )
    draft.authors.add(visitor_a)
    sign_in(client, visitor_a)

    html = client.get("/").content.decode()

    week = html.split("Your week")[1].split("Centres still without a visit")[0]
    assert week.count("Centre de transit Caricole") == 3
    assert reverse("visits:report-update", args=[draft.code]) in week
    assert reverse("visits:report-start", args=[done.code]) in week
    assert reverse("visits:report-start", args=[drafted.code]) not in week
    sign_in(client, coordinator)
    assert "Your week" not in client.get("/").content.decode()


def test_the_visitors_home_page_costs_the_same_few_queries_whatever_their_visits(client, visitor_a):
    from visits.models import VisitReport

    sign_in(client, visitor_a)
    client.get("/")

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/").status_code == 200
        return len(queries)

    few = count()
    today = timezone.localdate()
    organisation = visitor_a.memberships.get().organisation
    for days in range(-14, 28, 2):
        visit = Visit.objects.create(
            centre=CentreFactory(),
            date=today + timedelta(days=days),
            status="done" if days <= 0 else "planned",
        )
        visit.visitors.add(visitor_a)
        if days < -6:
            VisitReport.objects.create(
                visit=visit, organisation=organisation, language="fr"
            ).authors.add(visitor_a)
    assert count() == few <= 8
