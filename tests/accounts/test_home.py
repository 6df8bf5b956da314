"""The home page (each person's roles, what they can do, waiting invitations) and the
language switcher."""

import re

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from move.accounts import services
from move.accounts.permissions import Role
from tests.conftest import PERSONAS, sign_in
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

HOME = reverse("home")
SIGNED_IN = [persona for persona in PERSONAS if persona != "anonymous"]
ROLES = {
    "visitor_a": ["Visitor — Organisation JRS"],
    "visitor_b": ["Visitor — Organisation Caritas"],
    "legal": ["Lawyer — Organisation Move"],
    "coordinator": ["Coordinator — Organisation Move"],
    "advocacy": ["Advocacy — Organisation Move"],
    "witness_pool": ["Witness pool — Organisation Move"],
    "partner": ["Partner — Organisation Myria"],
}
COORDINATOR_LINKS = [reverse("accounts:organisation-list"), reverse("accounts:invitation-list")]


def page(response):
    return response.content.decode()


def navigation(response):
    return re.search(r"<nav .*?</nav>", page(response), re.S)[0]


@pytest.mark.parametrize("persona", SIGNED_IN)
def test_each_persona_sees_their_roles(client, request, persona):
    sign_in(client, request.getfixturevalue(persona))

    response = client.get(HOME)

    assert response.status_code == 200
    roles = re.search(
        r'<section [^>]*aria-labelledby="roles-title">.*?</section>', page(response), re.S
    )[0]
    assert re.findall(r"<li>(.*?)</li>", roles) == [escape(text) for text in ROLES[persona]]


def test_a_person_with_several_roles_sees_each_of_them(client, coordinator, visitor_a, org_b):
    services.add_membership(
        email=visitor_a.email, organisation=org_b, role=Role.LEGAL, by=coordinator
    )
    sign_in(client, visitor_a)

    text = page(client.get(HOME))

    assert escape("Lawyer — Organisation Caritas") in text
    assert "Visitor — Organisation JRS" in text


def test_a_person_without_a_role_is_told_so(client):
    sign_in(client, UserFactory())

    text = page(client.get(HOME))

    assert "You have no role in any organisation yet." in text


def test_the_home_page_says_whether_two_factor_authentication_is_on(client, visitor_a, advocacy):
    sign_in(client, visitor_a)
    assert "Two-factor authentication is on." in page(client.get(HOME))
    sign_in(client, advocacy)
    assert "Two-factor authentication is off." in page(client.get(HOME))


def test_the_coordinator_sees_how_many_invitations_are_waiting(client, coordinator, invite):
    invite(email="one@example.org")
    invite(email="two@example.org")
    withdrawn, _ = invite(email="withdrawn@example.org")
    services.revoke_invitation(withdrawn, by=coordinator)
    expired, _ = invite(email="expired@example.org")
    type(expired).objects.filter(pk=expired.pk).update(expires_at=timezone.now())
    _accepted, token = invite(email="accepted@example.org")
    services.accept_invitation(
        token, first_name="A", last_name="B", password="a-long-pass-phrase-42"
    )
    sign_in(client, coordinator)

    response = client.get(HOME)

    assert response.context["pending_invitations"] == 2
    assert "2 invitations are waiting for an answer." in page(response)


def test_the_coordinator_sees_when_no_invitation_is_waiting(client, coordinator):
    sign_in(client, coordinator)

    assert "0 invitations are waiting for an answer." in page(client.get(HOME))


@pytest.mark.parametrize("persona", [p for p in SIGNED_IN if p != "coordinator"])
def test_only_the_coordinator_sees_the_coordinator_links(client, request, persona):
    sign_in(client, request.getfixturevalue(persona))

    response = client.get(HOME)

    nav = navigation(response)
    for link in COORDINATOR_LINKS + [reverse("admin:index")]:
        assert f'href="{link}"' not in nav
    assert ">Organisations<" not in nav
    assert ">Invitations<" not in nav
    assert "pending_invitations" not in response.context
    assert "waiting for an answer" not in page(response)


def test_the_coordinator_sees_the_coordinator_links(client, coordinator):
    sign_in(client, coordinator)

    nav = navigation(client.get(HOME))

    for link in COORDINATOR_LINKS + [reverse("admin:index")]:
        assert f'href="{link}"' in nav


def test_an_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get(HOME)

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


# --- Language ------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["anonymous", "advocacy", "visitor_a"])
def test_choosing_dutch_sets_the_cookie_and_the_next_page_is_in_dutch(client, request, persona):
    if persona != "anonymous":
        sign_in(client, request.getfixturevalue(persona))
    target = reverse("account_login") if persona == "anonymous" else HOME
    assert '<html lang="en">' in page(client.get(target))

    response = client.post(reverse("set_language"), {"language": "nl", "next": target})

    assert (response.status_code, response.url) == (302, target)
    assert response.cookies[django_settings.LANGUAGE_COOKIE_NAME].value == "nl"
    assert '<html lang="nl">' in page(client.get(target))


def test_an_unknown_language_changes_nothing(client, advocacy):
    sign_in(client, advocacy)

    response = client.post(reverse("set_language"), {"language": "xx", "next": HOME})

    assert response.status_code == 302
    assert django_settings.LANGUAGE_COOKIE_NAME not in response.cookies
    assert '<html lang="en">' in page(client.get(HOME))


def test_the_language_switcher_does_not_send_people_to_another_site(client, advocacy):
    sign_in(client, advocacy)

    response = client.post(
        reverse("set_language"), {"language": "fr", "next": "https://evil.example/"}
    )

    assert response.url == "/"
