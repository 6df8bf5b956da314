"""Open sessions (allauth usersessions): a person sees where they are signed in and can
end every other session."""

import pytest
from allauth.usersessions.models import UserSession
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse

from tests.conftest import sign_in

pytestmark = pytest.mark.django_db

SESSIONS = reverse("usersessions_list")


def browser(user, user_agent):
    """A separate browser, signed in as `user`, that has opened one page."""
    client = Client(HTTP_USER_AGENT=user_agent)
    sign_in(client, user)
    assert client.get("/").status_code == 200
    return client


@pytest.mark.parametrize("persona", ["coordinator", "advocacy"])
def test_a_person_lists_their_sessions_and_ends_the_others(request, persona):
    user = request.getfixturevalue(persona)
    laptop = browser(user, "Laptop browser")
    phone = browser(user, "Phone browser")

    listing = laptop.get(SESSIONS)

    assert listing.status_code == 200
    assert listing.context["session_count"] == 2
    text = listing.content.decode()
    assert "Laptop browser" in text
    assert "Phone browser" in text

    ended = laptop.post(SESSIONS)

    assert (ended.status_code, ended.url) == (302, SESSIONS)
    assert list(UserSession.objects.filter(user=user).values_list("user_agent", flat=True)) == [
        "Laptop browser"
    ]
    assert laptop.get("/").status_code == 200
    assert SESSION_KEY not in phone.session
    signed_out = phone.get("/")
    assert signed_out.status_code == 302
    assert signed_out.url.startswith(reverse("account_login"))


def test_a_person_sees_and_ends_only_their_own_sessions(visitor_a, visitor_b):
    mine = browser(visitor_a, "Visitor A browser")
    theirs = browser(visitor_b, "Visitor B browser")

    listing = mine.get(SESSIONS)

    assert listing.context["session_count"] == 1
    assert "Visitor B browser" not in listing.content.decode()
    mine.post(SESSIONS)
    assert theirs.get("/").status_code == 200
    assert UserSession.objects.filter(user=visitor_b).count() == 1


def test_an_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get(SESSIONS)

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
