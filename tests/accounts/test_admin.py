"""The administration site: coordinators only, no way round the rules of the pages."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from move.accounts.admin import UserAdminForm
from move.accounts.models import Membership, Organisation, User
from move.accounts.permissions import Role
from tests.conftest import sign_in
from tests.factories import CentreYearFactory, OrganisationFactory, member

pytestmark = pytest.mark.django_db


def user_change(client, user, **changes):
    data = {
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "language": user.language,
        "is_active": "on" if user.is_active else "",
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
    } | changes
    data = {key: value for key, value in data.items() if value != ""}
    return client.post(reverse("admin:accounts_user_change", args=[user.pk]), data)


def test_a_coordinator_cannot_change_a_superusers_e_mail_address(client, coordinator):
    boss = User.objects.create_superuser("boss@example.org", "a-long-enough-password")
    sign_in(client, coordinator)

    user_change(client, boss, email="coordinator.own@example.org")

    boss.refresh_from_db()
    assert boss.email == "boss@example.org"


def test_a_coordinator_cannot_switch_themselves_off(client, coordinator, visitor_a):
    sign_in(client, coordinator)

    user_change(client, coordinator, is_active="")

    coordinator.refresh_from_db()
    assert coordinator.is_active


def test_a_coordinator_edits_an_ordinary_persons_e_mail_in_lower_case(client, coordinator):
    # A role that reads no personal data (see test_account_changes for the others).
    someone = member(Role.ADVOCACY)
    sign_in(client, coordinator)

    response = user_change(client, someone, email="Jan.Peeters@Example.org")

    assert response.status_code == 302
    someone.refresh_from_db()
    assert someone.email == "jan.peeters@example.org"


def test_the_last_coordinator_cannot_be_switched_off(coordinator):
    form = UserAdminForm(
        instance=coordinator,
        data={"email": coordinator.email, "language": "fr", "first_name": "", "last_name": ""},
    )

    assert not form.is_valid()
    assert "This is the last coordinator: appoint another one first." in form.errors["is_active"]


def test_a_coordinator_can_be_switched_off_when_another_remains(coordinator, coalition):
    member(Role.COORDINATOR, coalition)
    form = UserAdminForm(
        instance=coordinator,
        data={"email": coordinator.email, "language": "fr", "first_name": "", "last_name": ""},
    )

    assert form.is_valid(), form.errors


@pytest.mark.parametrize(
    "wanted, landing",
    [("/admin/accounts/user/", "/admin/accounts/user/"), ("//evil.example", "/admin/")],
)
def test_a_signed_in_coordinator_is_sent_on_from_the_admin_sign_in(
    client, coordinator, wanted, landing
):
    sign_in(client, coordinator)

    response = client.get(reverse("admin:login"), {"next": wanted})

    assert (response.status_code, response.url) == (302, landing)


def test_an_anonymous_visit_to_the_admin_goes_through_the_sign_in_of_the_app(client):
    response = client.get(reverse("admin:login"), {"next": "/admin/"})

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_an_edit_in_the_admin_moves_the_version_on(client, coordinator):
    organisation = OrganisationFactory()
    sign_in(client, coordinator)

    response = client.post(
        reverse("admin:accounts_organisation_change", args=[organisation.pk]),
        {
            "name_fr": "Nouveau nom",
            "name_nl": "Nieuwe naam",
            "short_name": organisation.short_name,
            "kind": organisation.kind,
            "active": "on",
        },
    )

    assert response.status_code == 302
    organisation.refresh_from_db()
    assert (organisation.name_fr, organisation.version) == ("Nouveau nom", 2)


def test_the_admin_pages_of_a_person_and_a_centre_do_not_grow_with_their_rows(client, coordinator):
    person = member(Role.VISITOR)
    figures = CentreYearFactory()
    sign_in(client, coordinator)
    pages = [
        reverse("admin:accounts_user_change", args=[person.pk]),
        reverse("admin:centres_centre_change", args=[figures.centre.pk]),
    ]

    def counts():
        result = []
        for url in pages:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            result.append(len(queries))
        return result

    counts()  # warm: the session's first request and the content types cache
    few = counts()
    for year in range(2000, 2010):
        CentreYearFactory(centre=figures.centre, year=year)
        Membership.objects.create(user=person, organisation=OrganisationFactory(), role="visitor")
    assert counts() == few
    assert Organisation.objects.count() > 10
