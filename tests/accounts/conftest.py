"""Fixtures for the accounts tests: a private cache for the rate limits and shortcuts
to invite people."""

import pytest
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
def invite(coordinator, org_a):
    """`invite(email=..., organisation=..., role=..., language=...)` → (invitation, token),
    sent by the coordinator through the service (the e-mail leaves on commit)."""

    def make(email="new.person@example.org", organisation=None, role=Role.VISITOR, language="fr"):
        tokens = []

        def accept_url(token):
            tokens.append(token)
            return "http://testserver" + reverse("accounts:invitation-accept", args=[token])

        invitation = services.invite(
            email=email,
            organisation=organisation or org_a,
            role=role,
            language=language,
            by=coordinator,
            accept_url=accept_url,
        )
        return invitation, tokens[0]

    return make


@pytest.fixture
def second_coordinator(org_b):
    return with_totp(member(Role.COORDINATOR, org_b, email="coordinator.b@example.org"))
