"""Asking the lawyer from a case file's page and from a visit report's page (issue 10):
legal adds the links through the registries of detainees and visits (detainees/panels.py,
visits/panels.py), which never import legal (DESIGN.md §2)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from legal.models import HelpRequest
from tests.conftest import sign_in
from tests.legal.conftest import ask
from visits.models import Visit, VisitReport

pytestmark = pytest.mark.django_db

ASK = "legal:request-ask"


def person_page(person):
    return reverse("detainees:person-detail", kwargs={"key": person.key})


def ask_about(person):
    return reverse(ASK) + f"?person={person.key}"


def report_of(author, centre, status="submitted"):
    visit = Visit.objects.create(centre=centre, date=timezone.localdate(), status="done")
    report = VisitReport.objects.create(
        visit=visit,
        organisation=author.memberships.first().organisation,
        language="fr",
        status=status,
    )
    report.authors.add(author)
    return report


def report_page(report):
    return reverse("visits:report-detail", kwargs={"code": report.code})


# --- The case file's page ------------------------------------------------------------------


def test_the_case_file_page_offers_a_visitor_to_ask_the_lawyer(client, visitor_a, person_a):
    sign_in(client, visitor_a)

    page = client.get(person_page(person_a)).content.decode()

    assert f'href="{ask_about(person_a)}"' in page


def test_the_case_file_page_lists_the_visitors_own_requests_about_it(
    client, visitor_a, person_a, topic
):
    asked = ask(visitor_a, topic, person=person_a, subject="About the transfer")
    ask(visitor_a, topic, subject="About something else")
    sign_in(client, visitor_a)

    page = client.get(person_page(person_a)).content.decode()

    assert asked.code in page and "About the transfer" in page
    assert "About something else" not in page


def test_the_lawyer_sees_the_requests_linked_to_the_case_file_without_the_ask_link(
    client, visitor_a, legal, person_a, topic
):
    asked = ask(visitor_a, topic, person=person_a)
    sign_in(client, legal)

    page = client.get(person_page(person_a)).content.decode()

    assert reverse("legal:request-detail", kwargs={"key": asked.key}) in page
    assert reverse(ASK) not in page


def test_a_coordinator_gets_no_help_desk_panel_on_a_case_file(client, coordinator, person_a):
    sign_in(client, coordinator)

    page = client.get(person_page(person_a)).content.decode()

    assert reverse(ASK) not in page
    assert "Legal help desk" not in page


def test_the_case_file_page_still_costs_few_queries(
    client, visitor_a, legal, person_a, topic, django_assert_max_num_queries
):
    for number in range(6):
        ask(visitor_a, topic, person=person_a, subject=f"Question {number}")
    for person in (visitor_a, legal):
        sign_in(client, person)
        client.get(reverse("home"))
        with django_assert_max_num_queries(8):
            response = client.get(person_page(person_a))
        assert response.content.decode().count("Question ") == 6


def test_asking_from_a_case_file_fills_in_its_code_and_centre(client, visitor_a, person_a, centre):
    sign_in(client, visitor_a)

    form = client.get(ask_about(person_a)).context["form"]

    assert form.initial["case_file"] == person_a.code
    assert form.initial["centre"] == centre.pk


def test_a_case_file_the_visitor_may_not_open_fills_in_nothing(client, visitor_b, person_a):
    sign_in(client, visitor_b)

    response = client.get(ask_about(person_a))

    assert response.status_code == 200
    assert "case_file" not in response.context["form"].initial
    assert person_a.code not in response.content.decode()


def test_a_question_asked_from_a_case_file_is_linked_to_it(client, visitor_a, person_a, topic):
    sign_in(client, visitor_a)
    form = client.get(ask_about(person_a)).context["form"]

    client.post(
        reverse(ASK),
        {
            "topic": topic.pk,
            "subject": "Release?",
            "question": "Can P ask for release?",
            "language": "fr",
            "urgency": "normal",
            "case_file": form.initial["case_file"],
            "centre": form.initial["centre"],
        },
    )

    assert HelpRequest.objects.get().person == person_a


def test_a_malformed_person_key_is_ignored(client, visitor_a):
    sign_in(client, visitor_a)

    response = client.get(reverse(ASK) + "?person=not-a-key&report=nor-this")

    assert response.status_code == 200
    assert set(response.context["form"].initial) == {"language"}


# --- The visit report's page ---------------------------------------------------------------


def test_a_submitted_report_offers_a_visitor_to_ask_the_lawyer(
    client, visitor_b, visitor_a, centre
):
    report = report_of(visitor_a, centre)
    sign_in(client, visitor_b)

    page = client.get(report_page(report)).content.decode()

    assert f"{reverse(ASK)}?report={report.code}" in page


def test_a_draft_offers_no_link(client, visitor_a, centre):
    report = report_of(visitor_a, centre, status="draft")
    sign_in(client, visitor_a)

    page = client.get(report_page(report)).content.decode()

    assert reverse(ASK) not in page


@pytest.mark.parametrize("name", ["legal", "coordinator", "advocacy"])
def test_only_those_who_may_ask_get_the_link_on_a_report(client, request, name, visitor_a, centre):
    report = report_of(visitor_a, centre)
    sign_in(client, request.getfixturevalue(name))

    response = client.get(report_page(report))

    assert response.status_code == 200
    assert reverse(ASK) not in response.content.decode()


def test_asking_from_a_report_fills_in_its_centre(client, visitor_a, centre):
    report = report_of(visitor_a, centre)
    sign_in(client, visitor_a)

    form = client.get(reverse(ASK) + f"?report={report.code}").context["form"]

    assert form.initial["centre"] == centre.pk


def test_a_draft_of_someone_else_fills_in_nothing(client, visitor_a, visitor_b, centre):
    draft = report_of(visitor_a, centre, status="draft")
    sign_in(client, visitor_b)

    form = client.get(reverse(ASK) + f"?report={draft.code}").context["form"]

    assert "centre" not in form.initial
