"""Fixtures for the accounts tests: a private cache for the rate limits and shortcuts
to invite people."""

import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from move.accounts import services
from move.accounts.permissions import Role
from tests.factories import member, with_totp


@pytest.fixture(autouse=True)
def locmem_cache(settings):
    """Login rate limits and used TOTP codes live in the cache: an empty one per test."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "move-accounts-tests",
        }
    }
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def invite(coordinator, org_a, django_capture_on_commit_callbacks):
    """`invite(email=..., organisation=..., role=..., language=...)` → (invitation, token),
    sent by the coordinator through the service; the token is read from the e-mail."""

    def make(email="new.person@example.org", organisation=None, role=Role.VISITOR, language="fr"):
        with django_capture_on_commit_callbacks(execute=True):
            invitation = services.invite(
                email=email,
                organisation=organisation or org_a,
                role=role,
                language=language,
                by=coordinator,
                site_url="http://testserver/",
            )
        invitation.refresh_from_db()
        return invitation, token_in(mail.outbox[-1].body)

    return make


def token_in(body: str) -> str:
    """The token of the invitation link in an e-mail's text."""
    prefix = "http://testserver" + reverse("accounts:invitation-accept", args=["TOKEN"])
    before, after = prefix.split("TOKEN")
    match = re.search(re.escape(before) + r"([^/\s]+)" + re.escape(after), body)
    assert match, body
    return match.group(1)


@pytest.fixture
def second_coordinator(org_b):
    return with_totp(member(Role.COORDINATOR, org_b, email="coordinator.b@example.org"))
