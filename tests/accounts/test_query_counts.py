"""SQL queries per page (DESIGN.md §9): at most 8, and the same number whatever the
number of rows. Each page is measured once warm (the session already tracked), with 1
and then with 20 organisations, memberships and invitations."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from move.accounts.models import Membership
from move.accounts.permissions import Role
from tests.conftest import sign_in
from tests.factories import OrganisationFactory, member

pytestmark = pytest.mark.django_db

BAR = 8
PAGES = ["home", "organisation-list", "organisation-detail", "invitation-list"]


class Rows:
    """Organisations, each with a visitor and a waiting invitation; the coordinator holds
    a role in each, and one organisation (`target`) gathers memberships and invitations."""

    def __init__(self, coordinator, invite):
        self.coordinator = coordinator
        self.invite = invite
        self.target = OrganisationFactory(short_name="Target")
        self.count = 0

    def grow_to(self, total):
        while self.count < total:
            self.count += 1
            organisation = OrganisationFactory(short_name=f"Grown{self.count}")
            Membership.objects.create(
                user=self.coordinator, organisation=organisation, role=Role.ADVOCACY
            )
            member(Role.VISITOR, organisation)
            member(Role.LEGAL, self.target)
            self.invite(email=f"invited{self.count}@example.org", organisation=organisation)
            self.invite(email=f"target{self.count}@example.org", organisation=self.target)

    def url(self, page):
        if page == "home":
            return reverse("home")
        if page == "organisation-detail":
            return reverse("accounts:organisation-detail", args=[self.target.code])
        return reverse(f"accounts:{page}")


@pytest.fixture
def rows(client, coordinator, invite):
    sign_in(client, coordinator)
    client.get("/")  # the first request of a session refreshes its expiry (a write)
    return Rows(coordinator, invite)


def queries(client, url):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context)


@pytest.mark.parametrize("page_name", PAGES)
def test_the_number_of_queries_does_not_grow_with_the_rows(client, rows, page_name):
    rows.grow_to(1)
    with_one = queries(client, rows.url(page_name))
    rows.grow_to(20)
    with_twenty = queries(client, rows.url(page_name))

    assert with_twenty == with_one


def test_every_grown_row_is_on_the_pages(client, rows):
    """The pages measured above do show the rows (not an empty or error page)."""
    rows.grow_to(20)

    home = client.get(rows.url("home")).content.decode()
    organisations = client.get(rows.url("organisation-list")).content.decode()
    detail = client.get(rows.url("organisation-detail")).content.decode()
    invitations = client.get(rows.url("invitation-list")).content.decode()

    assert home.count("Advocacy — Organisation Grown") == 20
    assert "40 invitations are waiting for an answer." in home
    assert organisations.count('href="/organisations/') >= 21
    assert detail.count("End the Lawyer role of") == 20
    assert all(f"target{number}@example.org" in detail for number in range(1, 21))
    assert invitations.count("Withdraw the invitation to") == 40


@pytest.mark.parametrize("page_name", PAGES)
def test_a_page_stays_within_eight_queries(client, rows, page_name, django_assert_max_num_queries):
    rows.grow_to(20)

    with django_assert_max_num_queries(BAR):
        response = client.get(rows.url(page_name))

    assert response.status_code == 200
