"""Nothing shown to a signed-in person stays in a browser's or a proxy's cache: every
response to them is `Cache-Control: private, no-store` (issue 9 §5), whatever the page,
its status, or whether the view set caching headers of its own."""

import uuid
from datetime import date

import pytest
from django.urls import reverse
from django.utils.cache import get_max_age

from tests.conftest import sign_in
from tests.detainees.conftest import new_person
from tests.factories import PASSWORD, CentreFactory
from visits.models import Visit, VisitReport

pytestmark = pytest.mark.django_db


def directives(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


def assert_not_stored(response):
    found = directives(response)
    assert {"private", "no-store"} <= found, f"{response.status_code}: {found}"
    assert "public" not in found


@pytest.fixture
def report(visitor_a, org_a):
    visit = Visit.objects.create(centre=CentreFactory(), date=date(2024, 3, 1), status="done")
    made = VisitReport.objects.create(
        visit=visit, organisation=org_a, language="fr", status="submitted", atmosphere="Calme."
    )
    made.authors.add(visitor_a)
    return made


@pytest.fixture
def case_file(visitor_a, org_a):
    return new_person(visitor_a, org_a, CentreFactory(), birth_year=1990, nationality="MA")


def test_every_page_a_signed_in_visitor_reads_is_private_and_not_stored(
    client, visitor_a, report, case_file
):
    sign_in(client, visitor_a)
    pages = {
        "home": reverse("home"),
        "report list": reverse("visits:report-list"),
        "a report": reverse("visits:report-detail", kwargs={"code": report.code}),
        "case-file list": reverse("detainees:person-list"),
        "a case file": reverse("detainees:person-detail", kwargs={"key": case_file.key}),
        "visits": reverse("visits:visit-list"),
    }
    for what, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, what
        assert_not_stored(response)


def test_refusals_and_missing_pages_to_a_signed_in_person_are_not_stored(
    client, partner, visitor_a
):
    sign_in(client, partner)
    refused = client.get(reverse("visits:visit-list"))
    assert refused.status_code == 403
    assert_not_stored(refused)

    missing = client.get(reverse("visits:report-detail", kwargs={"code": uuid.uuid4()}))
    assert missing.status_code == 404
    assert_not_stored(missing)

    nowhere = client.get("/no-such-page/")
    assert nowhere.status_code == 404
    assert_not_stored(nowhere)


def test_a_redirect_and_a_post_answer_to_a_signed_in_person_are_not_stored(client, visitor_a):
    sign_in(client, visitor_a)
    response = client.post(reverse("set_language"), {"language": "fr", "next": "/"})
    assert response.status_code == 302
    assert_not_stored(response)


def test_the_slash_adding_redirect_to_a_signed_in_person_is_not_stored(client, visitor_a):
    # CommonMiddleware answers a 301 (which browsers keep) before any view runs.
    sign_in(client, visitor_a)
    response = client.get(reverse("visits:report-list").rstrip("/"))
    assert response.status_code == 301
    assert_not_stored(response)


def test_pages_that_already_said_never_cache_keep_it(client, visitor_a, case_file):
    sign_in(client, visitor_a)
    response = client.get(reverse("detainees:identity-detail", kwargs={"key": case_file.key}))

    assert response.status_code == 200
    assert_not_stored(response)
    assert {"no-cache", "must-revalidate"} <= directives(response)
    assert get_max_age(response) == 0


def test_the_response_that_signs_in_is_not_stored(client, advocacy):
    response = client.post(
        reverse("account_login"), {"login": advocacy.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert_not_stored(response)


def test_anonymous_pages_are_left_as_their_views_made_them(client, db):
    missing = client.get("/no-such-page/")
    assert missing.status_code == 404
    assert "Cache-Control" not in missing

    login = client.get(reverse("account_login"))
    assert login.status_code == 200
    assert "no-store" in directives(login), "the sign-in form is never stored"
