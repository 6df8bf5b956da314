"""Personas (DESIGN.md §1) as fixtures. Every persona that must use MFA has a TOTP
authenticator, so that pages answer instead of sending them to set one up."""

import re
import time

import pytest
from django.test import Client

from move.accounts.permissions import Role
from tests.factories import OrganisationFactory, member, with_totp


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters and cached sessions live in the cache (Redis in CI):
    each test starts with none, whatever ran before it."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _figures_helper_closed():
    """The figures' helper thread (figures/concurrent.py) keeps its database connection
    between requests: closed after each test that used it (a live server's dashboard),
    so that no connection is left open on the test database when it is dropped."""
    yield
    from figures import concurrent

    concurrent.close()


def _is_transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    if marker is not None and marker.kwargs.get("transaction"):
        return True
    return bool({"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ())))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A transactional test ends by emptying every table, the rows the data migrations
    seed included: put back once every fixture is torn down (the flush is one of them),
    for the tests after it on this worker, whatever order the files come in."""
    yield
    # After the last test (nextitem None) no test needs them, and the test database may
    # be gone already: the session's fixtures are torn down with the last test.
    if _is_transactional(item) and nextitem is not None:
        from pytest_django.plugin import blocking_manager_key

        with item.config.stash[blocking_manager_key].unblock():
            restore_migration_rows()


INVALID = re.compile(r"INVALID_TEMPLATE_VARIABLE\([^)]*\)")


@pytest.fixture(autouse=True)
def no_invalid_template_variables(monkeypatch):
    """Every HTML page a test client fetches is checked for invalid template variables."""
    request = Client.request

    def checked(self, **kwargs):
        response = request(self, **kwargs)
        if not response.streaming and "html" in response.get("Content-Type", ""):
            found = set(INVALID.findall(response.content.decode()))
            assert not found, f"{kwargs.get('PATH_INFO')} renders {sorted(found)}"
        return response

    monkeypatch.setattr(Client, "request", checked)


@pytest.fixture
def coalition(db):
    return OrganisationFactory(short_name="Move", kind="coalition")


@pytest.fixture
def org_a(db):
    return OrganisationFactory(short_name="JRS")


@pytest.fixture
def org_b(db):
    return OrganisationFactory(short_name="Caritas")


@pytest.fixture
def partner_org(db):
    return OrganisationFactory(short_name="Myria", kind="partner")


@pytest.fixture
def visitor_a(org_a):
    return with_totp(member(Role.VISITOR, org_a, email="visitor.a@example.org"))


@pytest.fixture
def visitor_b(org_b):
    return with_totp(member(Role.VISITOR, org_b, email="visitor.b@example.org"))


@pytest.fixture
def legal(coalition):
    return with_totp(member(Role.LEGAL, coalition, email="legal@example.org"))


@pytest.fixture
def coordinator(coalition):
    return with_totp(member(Role.COORDINATOR, coalition, email="coordinator@example.org"))


@pytest.fixture
def advocacy(coalition):
    return member(Role.ADVOCACY, coalition, email="advocacy@example.org")


@pytest.fixture
def witness_pool(coalition):
    return with_totp(member(Role.WITNESS_POOL, coalition, email="witness@example.org"))


@pytest.fixture
def partner(partner_org):
    return member(Role.PARTNER, partner_org, email="partner@example.org")


PERSONAS = [
    "anonymous",
    "visitor_a",
    "visitor_b",
    "legal",
    "coordinator",
    "advocacy",
    "witness_pool",
    "partner",
]


@pytest.fixture
def persona_client(request, client):
    """`persona_client(name)` → a test client signed in as that persona."""

    def make(name):
        if name != "anonymous":
            sign_in(client, request.getfixturevalue(name))
        return client

    return make


def sign_in(client, user):
    """Sign in as someone who has just confirmed their password: allauth keeps that
    record in the session and asks for the password again, before sensitive changes
    (MFA set-up), when it is missing or old."""
    client.force_login(user, backend="allauth.account.auth_backends.AuthenticationBackend")
    session = client.session
    session["account_authentication_methods"] = [
        {"method": "password", "at": time.time(), "email": user.email, "reauthenticated": True}
    ]
    session["account_authentication_methods_user"] = str(user.pk)
    session.save()
    return client


def close_download(response):
    """A file download holds its file open until the response is closed. Closing it
    sends `request_finished`, which would also close the test's database connection,
    as the test client itself avoids."""
    from django.core.signals import request_finished
    from django.db import close_old_connections

    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)


def pytest_collection_modifyitems(items):
    """Browser tests run last. Playwright's sync API drives an event loop from greenlets;
    database connections opened by later tests in that state were left open and kept
    PostgreSQL from dropping the test database at the end of the session."""
    items.sort(key=lambda item: item.get_closest_marker("e2e") is not None)


def restore_migration_rows() -> None:
    """The rows the data migrations seed (the help desk's topics and deadline rules, the
    bars, the specialities), put back by those migrations' own functions: an earlier
    transactional test may have emptied every table, and the demo builds on them. Their
    search indexes exist already: they are skipped (a vendor that is not PostgreSQL)."""
    import importlib
    from types import SimpleNamespace

    from auditlog.context import disable_auditlog
    from django.apps import apps

    not_postgresql = SimpleNamespace(connection=SimpleNamespace(vendor="other"))
    # As the migrations wrote them: no history ("created") that the migrations never made.
    with disable_auditlog():
        for name in ("0002_topics_rules_search", "0005_bars_specialities_decision_search"):
            importlib.import_module(f"legal.migrations.{name}").seed(apps, not_postgresql)
