"""Who changes a visit and who reaches its report (issue 9 §4): its own visitors and the
coordinators change a visit; another visitor only joins it while it is planned; nobody
takes someone else off it but a coordinator, and nobody once it has a report; a report
one may not read is never reached, not even through a redirect."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from move.accounts.permissions import Role
from tests.conftest import sign_in
from tests.factories import CentreFactory, member, with_totp
from visits import services
from visits.models import Visit, VisitReport

pytestmark = pytest.mark.django_db

LIST = reverse("visits:visit-list")


@pytest.fixture
def colleague_a(org_a):
    """Another visitor of visitor_a's organisation."""
    return with_totp(member(Role.VISITOR, org_a, email="colleague.a@example.org"))


def planned(*visitors, days=7, status="planned"):
    visit = Visit.objects.create(
        centre=CentreFactory(), date=timezone.localdate() + timedelta(days=days), status=status
    )
    visit.visitors.add(*visitors)
    return visit


def with_report(visit, author, status="draft"):
    visit.status = "done"
    visit.save()
    report = VisitReport.objects.create(
        visit=visit,
        organisation=author.memberships.get().organisation,
        language="fr",
        status=status,
    )
    report.authors.add(author)
    return report


def edit(client, visit, visitors, **changes):
    data = {
        "centre": visit.centre.pk,
        "date": visit.date.isoformat(),
        "status": visit.status,
        "visitors": [person.pk for person in visitors],
        "version": visit.version,
    } | changes
    return client.post(reverse("visits:visit-update", args=[visit.code]), data)


def going(visit):
    return set(visit.visitors.all())


# --- Changing a visit --------------------------------------------------------------------


def test_a_visitor_who_does_not_go_cannot_change_nor_empty_a_visit(client, visitor_a, visitor_b):
    visit = planned(visitor_a)
    sign_in(client, visitor_b)

    assert client.get(reverse("visits:visit-update", args=[visit.code])).status_code == 403
    response = edit(client, visit, [visitor_b])

    assert response.status_code == 403
    assert going(visit) == {visitor_a}


def test_a_visitor_cannot_take_a_colleague_off_the_visit(client, visitor_a, colleague_a):
    visit = planned(visitor_a, colleague_a)
    sign_in(client, visitor_a)

    response = edit(client, visit, [visitor_a])

    assert response.status_code == 302
    assert going(visit) == {visitor_a, colleague_a}


def test_the_colleague_is_shown_ticked_and_greyed_to_a_visitor(client, visitor_a, colleague_a):
    visit = planned(visitor_a, colleague_a)
    sign_in(client, visitor_a)

    html = client.get(reverse("visits:visit-update", args=[visit.code])).content.decode()

    colleague_box = html.split(f'value="{colleague_a.pk}"')[1].split(">")[0]
    own_box = html.split(f'value="{visitor_a.pk}"')[1].split(">")[0]
    assert "disabled" in colleague_box and "checked" in colleague_box
    assert "disabled" not in own_box and "checked" in own_box
    assert "only a coordinator takes someone else off" in html


def test_a_visitor_takes_themself_off_and_adds_someone(client, visitor_a, colleague_a, visitor_b):
    visit = planned(visitor_a, colleague_a)
    sign_in(client, visitor_a)

    response = edit(client, visit, [colleague_a, visitor_b])

    assert response.status_code == 302
    assert going(visit) == {colleague_a, visitor_b}


def test_a_coordinator_takes_a_visitor_off_a_planned_visit(
    client, coordinator, visitor_a, visitor_b
):
    visit = planned(visitor_a, visitor_b)
    sign_in(client, coordinator)

    assert edit(client, visit, [visitor_b]).status_code == 302
    assert going(visit) == {visitor_b}


@pytest.mark.parametrize("persona", ["coordinator", "visitor_a"])
def test_a_visit_with_a_report_keeps_its_visitors(
    client, request, visitor_a, colleague_a, visitor_b, persona
):
    visit = planned(visitor_a, colleague_a, days=-1)
    with_report(visit, visitor_a)
    sign_in(client, request.getfixturevalue(persona))

    response = edit(client, Visit.objects.get(pk=visit.pk), [visitor_b])

    assert response.status_code == 302  # the others may be added, nobody removed
    assert going(visit) == {visitor_a, colleague_a, visitor_b}


def test_nobody_empties_the_visitors_of_a_visit(client, visitor_a):
    visit = planned(visitor_a)
    sign_in(client, visitor_a)

    response = edit(client, visit, [])

    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    assert going(visit) == {visitor_a}


def test_the_reported_attack_fails_edit_then_start_the_report(client, visitor_a, visitor_b):
    """Another organisation's visitor takes the visitors off, then writes the report."""
    visit = planned(visitor_a, days=-1, status="done")
    sign_in(client, visitor_b)

    assert edit(client, visit, [visitor_b]).status_code == 403
    start = client.post(reverse("visits:report-start", args=[visit.code]), {"language": "fr"})

    assert start.status_code == 403
    assert not VisitReport.objects.exists()
    assert going(visit) == {visitor_a}


# --- Joining a visit ---------------------------------------------------------------------


def join(client, visit):
    return client.post(reverse("visits:visit-update", args=[visit.code]), {"join": "1"})


def test_a_visitor_joins_a_planned_visit(client, visitor_a, visitor_b):
    visit = planned(visitor_a)
    sign_in(client, visitor_b)

    response = join(client, visit)

    assert response.status_code == 302
    assert going(visit) == {visitor_a, visitor_b}
    visit.refresh_from_db()
    assert visit.version == 2  # a form opened before does not write over the join


@pytest.mark.parametrize("case", ["done", "cancelled", "reported", "already going"])
def test_joining_is_refused_unless_the_visit_is_planned_without_a_report(
    client, visitor_a, visitor_b, case
):
    visit = planned(visitor_a, status="cancelled" if case == "cancelled" else "planned")
    if case == "done":
        Visit.objects.filter(pk=visit.pk).update(status="done")
    if case == "reported":
        with_report(visit, visitor_a)
        Visit.objects.filter(pk=visit.pk).update(status="planned")
    if case == "already going":
        visit.visitors.add(visitor_b)
    sign_in(client, visitor_b)

    assert join(client, visit).status_code == 403
    assert visitor_b not in going(visit) or case == "already going"


@pytest.mark.parametrize("persona", ["legal", "advocacy", "coordinator"])
def test_only_visitors_join(client, request, visitor_a, persona):
    visit = planned(visitor_a)
    sign_in(client, request.getfixturevalue(persona))

    assert join(client, visit).status_code == 403
    assert going(visit) == {visitor_a}


@pytest.mark.parametrize("persona", ["partner", "witness_pool"])
def test_those_who_do_not_see_visits_do_not_find_one_to_join(client, request, visitor_a, persona):
    visit = planned(visitor_a)
    sign_in(client, request.getfixturevalue(persona))

    assert join(client, visit).status_code == 404


def test_a_join_reads_the_visit_again_under_lock(visitor_a, visitor_b):
    """A report started between reading the visit and joining it is seen."""
    visit = planned(visitor_a, days=0)
    read_before = (
        Visit.objects.select_related("report").prefetch_related("visitors").get(pk=visit.pk)
    )
    VisitReport.objects.create(
        visit=visit, organisation=visitor_a.memberships.get().organisation, language="fr"
    )

    with pytest.raises(PermissionDenied):
        services.join(read_before, by=visitor_b)
    assert going(visit) == {visitor_a}


def test_the_visit_list_offers_to_edit_ones_own_visits_and_to_join_the_others(
    client, visitor_a, visitor_b
):
    own = planned(visitor_b, days=3)
    other = planned(visitor_a, days=4)
    sign_in(client, visitor_b)

    html = client.get(LIST).content.decode()

    assert reverse("visits:visit-update", args=[own.code]) in html
    row = html.split(str(other.centre.name))[1].split("</tr>")[0]
    assert 'name="join"' in row
    assert f'href="{reverse("visits:visit-update", args=[other.code])}"' not in html


# --- The report of a visit ---------------------------------------------------------------


def test_the_start_page_does_not_lead_to_another_organisations_draft(client, visitor_a, visitor_b):
    visit = planned(visitor_a, visitor_b, days=-1)
    draft = with_report(visit, visitor_a)
    sign_in(client, visitor_b)

    response = client.get(reverse("visits:report-start", args=[visit.code]))

    assert response.status_code == 404
    assert str(draft.code) not in response.content.decode()
    assert "Location" not in response


@pytest.mark.parametrize(
    ("status", "page"), [("draft", "visits:report-update"), ("submitted", "visits:report-detail")]
)
def test_the_start_page_leads_to_the_report_one_may_read(client, visitor_a, status, page):
    visit = planned(visitor_a, days=-1)
    report = with_report(visit, visitor_a, status=status)
    sign_in(client, visitor_a)

    response = client.get(reverse("visits:report-start", args=[visit.code]))

    assert response.status_code == 302
    assert response["Location"] == reverse(page, args=[report.code])


def test_a_submitted_report_of_another_organisation_is_reached_to_be_read(
    client, visitor_a, visitor_b
):
    visit = planned(visitor_a, days=-1)
    report = with_report(visit, visitor_a, status="submitted")
    sign_in(client, visitor_b)

    response = client.get(reverse("visits:report-start", args=[visit.code]))

    assert response["Location"] == reverse("visits:report-detail", args=[report.code])


def test_the_visit_list_shows_a_draft_it_may_not_open_without_a_link(client, visitor_a, visitor_b):
    mine = with_report(planned(visitor_a, days=-2), visitor_a)
    theirs = with_report(planned(visitor_b, days=-1), visitor_b)
    submitted = with_report(planned(visitor_b, days=-3), visitor_b, status="submitted")
    sign_in(client, visitor_a)

    html = client.get(LIST).content.decode()

    assert reverse("visits:report-detail", args=[mine.code]) in html
    assert reverse("visits:report-detail", args=[submitted.code]) in html
    assert str(theirs.code) not in html
    assert html.count(">Draft<") == 2  # both drafts' status shown, one as a link


def test_the_visit_list_costs_the_same_few_queries_for_a_visitor(client, visitor_a, visitor_b):
    sign_in(client, visitor_a)
    client.get("/")

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(LIST).status_code == 200
        return len(queries)

    with_report(planned(visitor_a, days=-1), visitor_a)
    few = count()
    for days in range(2, 20):
        author = visitor_a if days % 2 else visitor_b
        with_report(
            planned(author, days=-days), author, status=["draft", "submitted"][days % 3 == 0]
        )
        planned(visitor_b, days=days)
    assert count() == few <= 8


def test_the_visit_form_is_cheap(client, coordinator, visitor_a, visitor_b):
    visit = planned(visitor_a, visitor_b)
    sign_in(client, coordinator)
    client.get("/")

    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("visits:visit-update", args=[visit.code])).status_code == 200

    assert len(queries) <= 8


# --- Report counts -----------------------------------------------------------------------


def test_families_and_minors_cannot_outnumber_the_people_met():
    assert services.count_errors(3, families=3, minors_claimed=0) == {}
    errors = services.count_errors(2, families=3, minors_claimed=5)
    assert set(errors) == {"families", "minors_claimed"}
    assert "more families than people met" in str(errors["families"])
    assert services.count_errors(None, families=9) == {}  # people met not valid: no verdict
    assert services.count_errors(1, families=None, minors_claimed=1) == {}


def test_the_report_form_refuses_more_families_or_minors_than_people_met():
    from visits.report_forms import ReportForm

    report = VisitReport(version=1)
    data = {"language": "fr", "version": 1, "people_met": 2, "people_new": 0}
    data |= {"families": 3, "minors_claimed": 5}
    form = ReportForm(data=data, instance=report)

    assert not form.is_valid()
    assert form.errors["families"] == ["There cannot be more families than people met."]
    assert form.errors["minors_claimed"] == [
        "There cannot be more people who say they are minors than people met."
    ]
    assert "at most the number of people met" in str(form["families"].help_text)

    form = ReportForm(data=data | {"families": 2, "minors_claimed": 2}, instance=report)
    assert form.is_valid(), form.errors
