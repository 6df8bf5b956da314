"""Planning visits and the weekly coverage of the centres."""

from datetime import date, timedelta

import pytest
from django import forms
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from tests.conftest import sign_in
from tests.factories import CentreFactory
from visits import services
from visits.models import Visit, VisitReport

pytestmark = pytest.mark.django_db

PLAN = reverse("visits:visit-create")


def plan_data(centre, visitors, **changes):
    return {
        "centre": centre.pk,
        "date": (timezone.localdate() + timedelta(days=7)).isoformat(),
        "status": "planned",
        "visitors": [person.pk for person in visitors],
    } | changes


def test_a_visitor_plans_a_visit_with_a_colleague(client, visitor_a, visitor_b):
    centre = CentreFactory()
    sign_in(client, visitor_a)

    response = client.post(PLAN, plan_data(centre, [visitor_a, visitor_b]))

    assert response.status_code == 302
    visit = Visit.objects.get()
    assert (visit.centre, visit.status, visit.planned_by) == (centre, "planned", visitor_a)
    assert set(visit.visitors.all()) == {visitor_a, visitor_b}


def test_a_visit_in_the_future_cannot_be_done_yet(client, visitor_a):
    centre = CentreFactory()
    sign_in(client, visitor_a)

    response = client.post(PLAN, plan_data(centre, [visitor_a], status="done"))

    assert response.status_code == 200
    assert "A visit in the future cannot be done yet." in response.content.decode()
    assert not Visit.objects.exists()


@pytest.mark.parametrize("tampered", ["centre", "visitors", "status"])
def test_tampered_choices_are_refused_and_nothing_is_saved(client, visitor_a, legal, tampered):
    centre = CentreFactory()
    closed = CentreFactory(active=False)
    sign_in(client, visitor_a)
    data = plan_data(centre, [visitor_a])
    data[tampered] = {"centre": closed.pk, "visitors": [legal.pk], "status": "lost"}[tampered]

    response = client.post(PLAN, data)

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Visit.objects.exists()


def test_what_was_typed_is_shown_again_after_a_refusal(client, visitor_a):
    centre = CentreFactory()
    sign_in(client, visitor_a)
    day = (timezone.localdate() + timedelta(days=3)).isoformat()

    response = client.post(PLAN, plan_data(centre, [visitor_a], date=day, status="done"))

    assert f'value="{day}"' in response.content.decode()


@pytest.mark.parametrize("persona", ["legal", "advocacy", "partner", "witness_pool"])
def test_only_visitors_and_coordinators_plan_visits(client, request, visitor_a, persona):
    centre = CentreFactory()
    sign_in(client, request.getfixturevalue(persona))

    response = client.post(PLAN, plan_data(centre, [visitor_a]))

    assert response.status_code == 403
    assert not Visit.objects.exists()


def test_a_visit_is_marked_done_after_it_took_place(client, coordinator, visitor_a):
    visit = Visit.objects.create(centre=CentreFactory(), date=timezone.localdate())
    visit.visitors.add(visitor_a)
    sign_in(client, coordinator)
    url = reverse("visits:visit-update", args=[visit.code])

    response = client.post(
        url,
        plan_data(visit.centre, [visitor_a], date=visit.date.isoformat(), status="done")
        | {"version": 1},
    )

    assert response.status_code == 302
    visit.refresh_from_db()
    assert (visit.status, visit.version) == ("done", 2)


def test_a_visit_changed_meanwhile_is_not_overwritten(client, coordinator, visitor_a):
    visit = Visit.objects.create(centre=CentreFactory(), date=timezone.localdate())
    Visit.objects.filter(pk=visit.pk).update(status="cancelled", version=2)
    sign_in(client, coordinator)

    response = client.post(
        reverse("visits:visit-update", args=[visit.code]),
        plan_data(visit.centre, [visitor_a], date=visit.date.isoformat(), status="done")
        | {"version": 1},
    )

    assert response.status_code == 200
    assert "Someone else saved this record" in response.content.decode()
    visit.refresh_from_db()
    assert visit.status == "cancelled"


def test_the_coverage_tells_visited_planned_gap_and_not_yet_planned():
    visited, planned, missed = CentreFactory(), CentreFactory(), CentreFactory()
    today = date(2026, 3, 18)  # a Wednesday of ISO week 12
    Visit.objects.create(centre=visited, date=date(2026, 3, 16), status="done")
    Visit.objects.create(centre=planned, date=date(2026, 3, 20), status="planned")
    Visit.objects.create(centre=missed, date=date(2026, 3, 17), status="cancelled")

    rows = {row.centre: row.cells for row in services.coverage(2026, today)}

    assert rows[visited][11] == "done"
    assert rows[planned][11] == "planned"
    assert rows[missed][11] == "gap"  # a cancelled visit leaves the week uncovered
    assert rows[missed][10] == "gap"  # a week gone by without any visit
    assert rows[missed][12] == "open"  # next week: nothing planned yet
    assert len(rows[visited]) == 53  # 2026 has 53 ISO weeks


def test_the_home_page_names_the_centres_without_a_visit_this_week(client, coordinator):
    covered, uncovered = (
        CentreFactory(name_fr="Centre couvert"),
        CentreFactory(name_fr="Centre oublié"),
    )
    Visit.objects.create(centre=covered, date=timezone.localdate())
    sign_in(client, coordinator)

    html = client.get("/").content.decode()

    this_week = html.split("This week:")[1].split("Next week:")[0]
    assert "Centre oublié" in this_week
    assert "Centre couvert" not in this_week
    assert uncovered.name in html


def test_the_witness_pool_does_not_see_the_planning(client, witness_pool):
    CentreFactory()
    sign_in(client, witness_pool)

    assert "Centres still without a visit" not in client.get("/").content.decode()


@pytest.mark.parametrize("url", [reverse("visits:visit-list"), reverse("visits:coverage"), "/"])
def test_the_visit_pages_cost_the_same_few_queries_whatever_the_rows(
    client, coordinator, visitor_a, url
):
    sign_in(client, coordinator)
    client.get("/")

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    Visit.objects.create(centre=CentreFactory(), date=timezone.localdate()).visitors.add(visitor_a)
    few = count()
    for days in range(1, 30):
        visit = Visit.objects.create(
            centre=CentreFactory(), date=timezone.localdate() + timedelta(days=days)
        )
        visit.visitors.add(visitor_a, coordinator)
    assert count() == few <= 8


@pytest.mark.parametrize("value", ["", "abc", "1700", "2026"])
def test_a_strange_year_in_the_address_shows_a_year_that_exists(client, coordinator, value):
    sign_in(client, coordinator)

    response = client.get(reverse("visits:coverage"), {"year": value})

    assert response.status_code == 200
    assert response.context["year"] in range(2000, 2101)


def test_the_demo_visits_cover_almost_every_adult_centre_almost_every_week(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=None)
    first = Visit.objects.count()
    call_command("seed_demo", stdout=None)

    assert Visit.objects.count() == first  # a second run adds nothing
    today = date(2024, 1, 1)
    for year in (2022, 2023):
        rows = services.coverage(year, today)
        adult = [row for row in rows if row.centre.kind == "adult_centre"]
        cells = [cell for row in adult for cell in row.cells]
        covered = cells.count("done") / len(cells)
        assert 0.88 <= covered < 1.0, covered  # almost, not all: gaps exist
    assert not Visit.objects.filter(visitors=None).exists()


@pytest.mark.parametrize(
    "change", [{"status": "cancelled"}, {"date": "2099-01-01"}, {"status": "planned"}]
)
def test_a_visit_with_a_report_stays_done_on_its_day(client, visitor_a, change):
    visit = Visit.objects.create(centre=CentreFactory(), date=timezone.localdate(), status="done")
    visit.visitors.add(visitor_a)
    VisitReport.objects.create(
        visit=visit, organisation=visitor_a.memberships.get().organisation, language="fr"
    )
    sign_in(client, visitor_a)

    response = client.post(
        reverse("visits:visit-update", args=[visit.code]),
        plan_data(visit.centre, [visitor_a], date=visit.date.isoformat(), status="done")
        | {"version": 1}
        | change,
    )

    assert response.status_code == 200
    assert "This visit has a report" in response.content.decode()
    visit.refresh_from_db()
    assert (visit.status, visit.date) == ("done", timezone.localdate())


def test_the_year_asked_for_is_the_year_chosen_in_the_list(client, coordinator):
    sign_in(client, coordinator)

    html = client.get(reverse("visits:coverage"), {"year": "2010"}).content.decode()

    assert '<option value="2010" selected>' in html


def test_the_visitors_are_check_boxes_not_a_list_that_needs_ctrl(client, visitor_a, visitor_b):
    sign_in(client, visitor_a)

    html = client.get(PLAN).content.decode()

    assert '<select name="visitors"' not in html and "Ctrl" not in html
    assert html.count('type="checkbox" name="visitors"') == 2
    own = html.split(f'value="{visitor_a.pk}"')[1].split(">")[0]
    assert "checked" in own  # the visitor who plans goes, unless they untick themself


def test_english_dates_are_day_first_in_one_format():
    day = date(2026, 12, 5)
    with translation.override("en"):
        assert date_format(day) == "5 December 2026"
        assert date_format(day, "SHORT_DATE_FORMAT") == "05/12/2026"
        assert forms.DateField().clean("05/12/2026") == day  # typed day first, read so
    with translation.override("fr"):
        assert date_format(day, "SHORT_DATE_FORMAT") == "05/12/2026"


def test_the_visit_list_in_english_writes_dates_day_first(client, coordinator):
    day = timezone.localdate() + timedelta(days=12)
    visit = Visit.objects.create(centre=CentreFactory(name_fr="Vottem"), date=day)
    sign_in(client, coordinator)

    html = client.get(reverse("visits:visit-list"), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert f"{visit.centre.name}, {day:%d/%m/%Y}</span>" in html
