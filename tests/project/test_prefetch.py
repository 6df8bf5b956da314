"""The session engine (move/sessions.py) reads the reference rows' versions with the
session, in one round trip to Redis (move/prefetch.py): a list page asks Redis once for
both; a version replaced by another process is read at the next request; one replaced
during the request is not taken from the session's read; nothing is kept outside a
request; a session missing from Redis is read from the database and put back."""

import os

import pytest
import redis
from django.core.cache import cache
from django.urls import reverse

from move import prefetch
from move.sessions import SessionStore
from tests.conftest import sign_in
from tests.factories import CentreFactory
from visits import listing
from visits.models import Theme

pytestmark = pytest.mark.django_db

LIST = reverse("visits:report-list")
READS = {"GET", "MGET", "EXISTS"}


@pytest.fixture(autouse=True)
def _redis_sessions(settings):
    if settings.SESSION_ENGINE != "move.sessions":
        reason = "the sessions are read through Redis only with REDIS_URL set"
        if os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}:
            pytest.fail(f"{reason}; CI=true: this test must run in CI.", pytrace=False)
        pytest.skip(reason)


@pytest.fixture
def commands(monkeypatch):
    """The Redis commands sent, with their arguments."""
    sent = []
    execute = redis.Redis.execute_command

    def recording(self, *args, **options):
        sent.append(args)
        return execute(self, *args, **options)

    monkeypatch.setattr(redis.Redis, "execute_command", recording)
    return sent


def version_key() -> str:
    return cache.make_and_validate_key(listing.VERSION_KEY)


def test_a_list_page_reads_the_session_and_the_version_in_one_round_trip(
    client, coordinator, commands
):
    CentreFactory()
    sign_in(client, coordinator)
    assert client.get(LIST).status_code == 200  # the rows read and kept
    commands.clear()

    assert client.get(LIST).status_code == 200

    reads = [args for args in commands if args[0] in READS]
    assert len(reads) == 1, reads
    assert reads[0][0] == "MGET"
    assert version_key() in reads[0] and any("sessions" in str(key) for key in reads[0])


def test_a_version_replaced_by_another_process_is_read_at_the_next_request(client, coordinator):
    Theme.objects.create(code="health-test", name_fr="Santé", name_nl="Gezondheid")
    sign_in(client, coordinator)
    assert ">Santé</option>" in client.get(LIST, HTTP_ACCEPT_LANGUAGE="fr").text
    # Another process renames the theme (here without a signal) and replaces the version.
    Theme.objects.filter(code="health-test").update(name_fr="Soins de santé")
    assert ">Santé</option>" in client.get(LIST, HTTP_ACCEPT_LANGUAGE="fr").text  # kept
    cache.set(listing.VERSION_KEY, "replaced elsewhere", None)

    assert ">Soins de santé</option>" in client.get(LIST, HTTP_ACCEPT_LANGUAGE="fr").text


def test_a_version_replaced_during_the_request_is_not_taken_from_the_session():
    prefetch._started(None)  # as at the start of a request
    try:
        prefetch.keep({listing.VERSION_KEY: "read with the session"})
        assert prefetch.get(listing.VERSION_KEY) == "read with the session"

        listing._kept_rows.changed(sender=Theme)

        assert prefetch.get(listing.VERSION_KEY) is None
        assert cache.get(listing.VERSION_KEY) not in (None, "read with the session")
    finally:
        prefetch._finished(None)


def test_a_session_read_outside_a_request_keeps_nothing(client, coordinator):
    """A task or a command that reads a session: a later read of the rows in the same
    thread, outside any request, must not take the version read then for current."""
    sign_in(client, coordinator)
    store = SessionStore(client.cookies["sessionid"].value)
    cache.set(listing.VERSION_KEY, "when the session was read", None)

    assert store.load()["_auth_user_id"] == str(coordinator.pk)

    assert prefetch.get(listing.VERSION_KEY) is None


def test_nothing_read_with_a_session_outlives_its_request(client, coordinator):
    sign_in(client, coordinator)
    client.get(LIST)
    assert listing.VERSION_KEY in prefetch.registered()
    assert prefetch.get(listing.VERSION_KEY) is None


def test_a_session_missing_from_redis_is_read_from_the_database_and_put_back(client, coordinator):
    sign_in(client, coordinator)
    session_key = client.cookies["sessionid"].value
    cache.delete(f"django.contrib.sessions.cached_db{session_key}")

    page = client.get(LIST)

    assert page.status_code == 200 and page.wsgi_request.user == coordinator
    assert cache.get(f"django.contrib.sessions.cached_db{session_key}") is not None
