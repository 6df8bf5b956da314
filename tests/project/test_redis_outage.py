"""Redis unreachable (issue 15 §2): the application run as production runs it (gunicorn,
MOVE_DEBUG=false, PostgreSQL) with a REDIS_URL that refuses every connection. A visitor
who was signed in before the outage keeps reading and saving their draft; starting a job
and signing in, which cannot be done safely without Redis, answer a 503 page in the
person's language that says so (the job waits, and is queued again once Redis is back);
no answer is a 500.

Then the parts one by one, in this process: the cache that answers from the database
(move/cache.py), the rate limits that refuse to be skipped, the 503 page
(move/middleware.py, templates/503.html) and the reference rows read again while their
version cannot be read."""

import datetime
import html
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path
from unittest import mock

import kombu.exceptions
import pytest
import redis
import requests
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends import cached_db
from django.core import mail
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCacheClient
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import Promise

from detainees import export_views
from detainees.tasks import export_person
from move import cache as move_cache
from move import outage
from move.accounts.permissions import Role
from move.middleware import RedisOutageMiddleware, unavailable
from move.privacy import jobs
from move.privacy.models import Job
from move.sessions import SessionStore
from tests.conftest import sign_in
from tests.detainees.conftest import new_person
from tests.factories import PASSWORD, CentreFactory, OrganisationFactory, member, with_totp
from visits import listing
from visits.listing import KeptRows, Reference
from visits.models import Visit, VisitReport

ROOT = Path(__file__).resolve().parents[2]
REFUSED = "redis://127.0.0.1:1/6"  # nothing listens on port 1: every connection is refused
SIGN_IN_UNAVAILABLE = "Signing in is unavailable for a few minutes"
JOB_WAITING = "Recorded: it will start once the background service is back"

# Only the static files differ from production: hashing and compressing them
# (collectstatic, 15 s) has nothing to do with Redis.
SERVER_SETTINGS = """
from move.settings import *  # noqa: F403

STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def database_url() -> str:
    """The test database, for the server to read what the test wrote."""
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return (
        f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
        f"/{db['NAME']}"
    )


@pytest.fixture(scope="module")
def server(django_db_setup, django_db_blocker, tmp_path_factory):
    """gunicorn with production settings, the test database and a Redis that refuses."""
    here = tmp_path_factory.mktemp("redis-outage")
    (here / "outage_settings.py").write_text(SERVER_SETTINGS)
    with django_db_blocker.unblock():
        url = database_url()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("MOVE_")
        and key not in {"DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env |= {
        "DJANGO_SETTINGS_MODULE": "outage_settings",
        "PYTHONPATH": os.pathsep.join([str(here), str(ROOT)]),
        "MOVE_DEBUG": "false",
        "MOVE_SECURE": "false",  # plain HTTP on 127.0.0.1 (TLS ends at the proxy)
        "MOVE_REQUIRE_MFA": "true",
        # The keys of this test run: the sessions it signs and the identities it encrypts.
        "MOVE_SECRET_KEY": settings.SECRET_KEY,
        "MOVE_ENCRYPTION_KEY": settings.ENCRYPTION_KEY,
        "MOVE_ALLOWED_HOSTS": "127.0.0.1",
        "MOVE_LANGUAGE_CODE": "en",
        "MOVE_LOG_LEVEL": "WARNING",
        "MOVE_MEDIA_ROOT": str(here / "media"),
        "MOVE_STATIC_ROOT": str(here / "static"),
        "DATABASE_URL": url,
        "REDIS_URL": REFUSED,
    }
    port = free_port()
    log_path = here / "gunicorn.log"
    log = log_path.open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "move.wsgi", "--bind", f"127.0.0.1:{port}"]
        + ["--workers", "2", "--timeout", "30", "--access-logfile", "-"],
        env=env,
        cwd=here,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                requests.get(base + "/accounts/login/", timeout=10)
                break
            except requests.RequestException:
                assert process.poll() is None, log_path.read_text()
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.2)
        yield base, log_path
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()


class Browser:
    """One person's browser against the server: its cookies, every answer kept."""

    def __init__(self, base: str, language: str = "en"):
        self.base = base
        self.session = requests.Session()
        self.session.headers["Accept-Language"] = language
        self.answers: list[tuple[str, str, int, float]] = []

    def go(self, method: str, path: str, **kwargs) -> requests.Response:
        started = time.monotonic()
        response = self.session.request(
            method, self.base + path, allow_redirects=False, timeout=30, **kwargs
        )
        self.answers.append((method, path, response.status_code, time.monotonic() - started))
        return response

    def post_form(self, path: str, data: dict, page: str | None = None, **kwargs):
        """POST as the form on `page` (or on `path` itself) would, CSRF token included."""
        page = page if page is not None else self.go("GET", path).text
        return self.go("POST", path, data={"csrfmiddlewaretoken": csrf(page), **data}, **kwargs)


def csrf(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def form_fields(html: str, form_id: str) -> dict[str, str]:
    sys.path.insert(0, str(ROOT / "scripts" / "load"))
    from browser import form_fields as read

    return read(html, form_id)


@pytest.fixture
def people(transactional_db):
    """A visitor of an organisation, signed in before the outage (their session is in
    the database), with yesterday's visit and its draft report, and a case file."""
    organisation = OrganisationFactory(short_name="JRS")
    visitor = with_totp(member(Role.VISITOR, organisation, email="visitor.outage@example.org"))
    centre = CentreFactory()
    visit = Visit.objects.create(
        centre=centre, date=timezone.localdate() - datetime.timedelta(days=1), status="done"
    )
    visit.visitors.add(visitor)
    draft = VisitReport.objects.create(
        visit=visit, organisation=organisation, language="en", general_conditions="Calm."
    )
    draft.authors.add(visitor)
    person = new_person(visitor, organisation, centre)
    from django.test import Client

    client = sign_in(Client(), visitor)
    client.get("/")  # the session records that the second factor was seen
    return {
        "visitor": visitor,
        "draft": draft,
        "person": person,
        "session": client.cookies[settings.SESSION_COOKIE_NAME].value,
    }


def no_server_errors(browser: Browser, log_path: Path) -> None:
    errors = [answer for answer in browser.answers if answer[2] >= 500 and answer[2] != 503]
    log = log_path.read_text()
    assert not errors, f"{errors}\n{log[-4000:]}"
    assert "Traceback" not in log, log[-4000:]
    slow = [answer for answer in browser.answers if answer[3] > 5]
    assert not slow, f"answers that waited for Redis: {slow}"


def test_a_signed_in_visitor_reads_and_saves_a_draft_while_redis_refuses(server, people):
    base, log_path = server
    browser = Browser(base)
    browser.session.cookies.set(settings.SESSION_COOKIE_NAME, people["session"])
    draft, person = people["draft"], people["person"]

    for path in [
        "/",
        reverse("visits:report-list"),
        reverse("visits:report-detail", kwargs={"code": draft.code}),
        reverse("detainees:person-list"),
        reverse("detainees:person-detail", kwargs={"key": person.key}),
    ]:
        answer = browser.go("GET", path)
        assert answer.status_code == 200, (path, answer.status_code, answer.text[:500])
    assert people["visitor"].email in answer.text  # still signed in, as themselves

    editor = reverse("visits:report-update", kwargs={"code": draft.code})
    page = browser.go("GET", editor)
    assert page.status_code == 200
    fields = form_fields(page.text, "report-form")
    for number in range(3):  # several autosaves, as the editor sends them
        fields["general_conditions"] = f"Typed while Redis was down, save {number}."
        answer = browser.go(
            "POST",
            reverse("visits:report-autosave", kwargs={"code": draft.code}),
            data=fields,
            headers={"HX-Request": "true", "X-CSRFToken": csrf(page.text)},
        )
        assert answer.status_code == 200, answer.text[:500]
        fields["version"] = re.search(r'name="version"[^>]*value="(\d+)"', answer.text).group(1)
    draft.refresh_from_db()
    assert draft.general_conditions == "Typed while Redis was down, save 2."
    assert browser.go("GET", editor).status_code == 200

    no_server_errors(browser, log_path)


def test_starting_a_job_while_redis_refuses_answers_503_and_the_job_waits(server, people):
    base, log_path = server
    browser = Browser(base)
    browser.session.cookies.set(settings.SESSION_COOKIE_NAME, people["session"])
    person = people["person"]

    export = reverse("detainees:person-export", kwargs={"key": person.key})
    answer = browser.post_form(export, {})
    assert answer.status_code == 503, answer.text[:500]
    assert JOB_WAITING in answer.text
    assert int(answer.headers["Retry-After"]) > 0
    assert "no-store" in answer.headers["Cache-Control"]
    job = Job.objects.get(subject=person.code)
    assert job.status == Job.Status.PENDING
    job_page = reverse("privacy:job-detail", kwargs={"code": job.code})
    assert f'href="{job_page}"' in answer.text
    assert browser.go("GET", job_page).status_code == 200
    # A second click follows the job waiting: no second export beside it.
    again = browser.post_form(export, {})
    assert again.status_code == 302 and again.headers["Location"].endswith(job_page)
    assert Job.objects.filter(subject=person.code).count() == 1
    # The person is still signed in and the case file still reads.
    detail = browser.go("GET", reverse("detainees:person-detail", kwargs={"key": person.key}))
    assert detail.status_code == 200
    no_server_errors(browser, log_path)

    # Not stuck: once Redis is back, the recovery of jobs (every minute) finds it silent
    # and queues it again.
    later = timezone.now() + jobs.stale_after() + datetime.timedelta(seconds=1)
    with mock.patch.object(export_person, "delay") as queued:
        assert jobs.recover(now=later)["requeued"] == 1
    queued.assert_called_once_with(job.pk)


def test_signing_in_while_redis_refuses_answers_503_in_the_persons_language(server, people):
    base, log_path = server
    for language in ["en", "fr", "nl"]:
        browser = Browser(base, language)
        login = reverse("account_login")
        page = browser.go("GET", login)
        assert page.status_code == 200  # the sign-in page itself needs no Redis

        answer = browser.post_form(
            login, {"login": people["visitor"].email, "password": PASSWORD}, page=page.text
        )
        # Not let in unchecked (the failed-attempt limits cannot be counted), not refused
        # as "too many attempts" either: told that signing in is unavailable for now.
        assert answer.status_code == 503, answer.text[:500]
        assert f'<html lang="{language}">' in answer.text
        with translation.override(language):  # as the catalogues have it (English: msgid)
            expected = translation.gettext(SIGN_IN_UNAVAILABLE)
        assert expected in html.unescape(answer.text), language
        assert PASSWORD not in answer.text
        assert int(answer.headers["Retry-After"]) > 0
        assert browser.go("GET", "/").status_code == 302  # not signed in

        no_server_errors(browser, log_path)


# --- In this process: the parts --------------------------------------------------------


@pytest.fixture
def clean_outage():
    """No outage remembered before or after: the next test sees Redis as it is."""
    outage.reset()
    move_cache._dropped.clear()
    yield
    outage.reset()
    move_cache._dropped.clear()


@pytest.fixture
def refusing(settings, clean_outage):
    """The project's cache on a Redis that refuses every connection."""
    settings.CACHES = {
        "default": {
            **settings.CACHES["default"],
            "BACKEND": "move.cache.ResilientRedisCache",
            "LOCATION": REFUSED,
        }
    }
    yield caches["default"]


@pytest.fixture
def flaky(settings, clean_outage, monkeypatch):
    """The project's cache on the test run's Redis, which `down()` makes unreachable and
    `up()` (a few seconds later) reachable again."""
    settings.CACHES = {**settings.CACHES}  # caches built again from the test run's Redis
    assert settings.CACHES["default"]["BACKEND"] == "move.cache.ResilientRedisCache"
    real = RedisCacheClient.get_client
    attempts = []

    def refused(self, key=None, *, write=False):
        attempts.append(key)
        raise redis.exceptions.ConnectionError("Error 111 connecting. Connection refused.")

    class Switch:
        def down(self):
            monkeypatch.setattr(RedisCacheClient, "get_client", refused)

        def up(self):
            monkeypatch.setattr(RedisCacheClient, "get_client", real)
            monkeypatch.setattr(outage, "_down_until", 0.0)  # DOWN_SECONDS have passed

    switch = Switch()
    switch.attempts = attempts
    return switch


def test_reads_miss_and_writes_are_dropped_while_redis_refuses(refusing):
    cache.set("greeting", "hello")  # no error: dropped
    assert cache.get("greeting", "missed") == "missed"
    assert cache.get_many(["greeting"]) == {}
    assert "greeting" not in cache
    assert cache.get_or_set("greeting", "computed") == "computed"
    assert cache.add("mark", 1) is True  # as if first: work is repeated, never skipped
    assert cache.delete("greeting") is False
    cache.set_many({"a": 1})
    cache.delete_many(["a"])
    with pytest.raises(outage.RedisUnavailable):
        cache.incr("counter")  # a counter cannot be faked
    assert outage.redis_down()


def test_an_unreachable_redis_is_tried_once_then_left_alone_for_a_few_seconds(flaky, monkeypatch):
    flaky.down()
    for _ in range(10):  # a page's several cache calls
        cache.get("anything")
        cache.set("anything", 1)
    assert len(flaky.attempts) == 1
    monkeypatch.setattr(outage, "_down_until", 0.0)  # DOWN_SECONDS later
    cache.get("anything")
    assert len(flaky.attempts) == 2


def test_a_dead_redis_costs_a_page_at_most_a_second(settings):
    options = settings.CACHES["default"]["OPTIONS"]
    assert options["socket_connect_timeout"] <= 1
    assert options["socket_timeout"] <= 1
    assert 1 <= outage.DOWN_SECONDS <= 30


def test_a_session_kept_in_the_database_loads_while_redis_refuses(refusing, client, visitor_a, db):
    assert settings.SESSION_ENGINE == "move.sessions"
    assert issubclass(SessionStore, cached_db.SessionStore)
    sign_in(client, visitor_a)  # saved in the database, its cached copy dropped
    assert client.get("/").status_code == 200
    response = client.get(reverse("visits:report-list"))
    assert response.status_code == 200
    assert response.wsgi_request.user == visitor_a
    store = SessionStore(client.session.session_key)
    assert store.load()["_auth_user_id"] == str(visitor_a.pk)


def test_a_session_ended_during_the_outage_does_not_come_back_with_redis(flaky, db):
    store = SessionStore()
    store["note"] = "before"
    store.save()  # with Redis up: in the database and in the cache
    key = store.session_key
    assert cache.get(SessionStore.cache_key_prefix + key)["note"] == "before"

    flaky.down()
    SessionStore(key).delete()  # signed out: gone from the database, the cache unreachable
    assert SessionStore(key).load() == {}

    flaky.up()
    # The copy Redis kept from before is deleted before anything is read from it.
    assert SessionStore(key).load() == {}
    assert cache.get(SessionStore.cache_key_prefix + key) is None


def test_a_value_changed_during_the_outage_is_not_read_stale_afterwards(flaky):
    cache.set("names", ["before"])
    flaky.down()
    cache.set("names", ["changed"])  # dropped
    assert cache.get("names") is None
    flaky.up()
    assert cache.get("names") is None  # read again from the database by its owner
    assert not outage.was_down()


def test_a_rate_limit_counter_that_cannot_be_read_raises_instead_of_passing(refusing, rf):
    from allauth.core.internal import ratelimit

    request = rf.post("/accounts/login/")
    with pytest.raises(outage.RedisUnavailable) as raised:
        ratelimit.consume(request, app="allauth.account", action="login_failed", key="x@y.z")
    assert raised.value.reason is outage.SIGN_IN
    with pytest.raises(outage.RedisUnavailable) as raised:
        ratelimit.consume(request, app="allauth.account", action="reset_password", key="x")
    assert raised.value.reason is outage.ACCOUNT


def test_a_used_totp_code_that_cannot_be_recorded_is_not_taken_again(refusing, visitor_a):
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import (
        TOTP,
        format_hotp_value,
        hotp_value,
        yield_hotp_counters_from_time,
    )
    from allauth.mfa.utils import decrypt

    totp = TOTP(Authenticator.objects.get(user=visitor_a, type=Authenticator.Type.TOTP))
    secret = decrypt(totp.instance.data["secret"])
    counters = list(yield_hotp_counters_from_time())  # the tolerance window around now
    code = format_hotp_value(hotp_value(secret, counters[len(counters) // 2]))
    with pytest.raises(outage.RedisUnavailable):
        totp.validate_code(code)  # its replay could not be refused: not accepted either


def test_signing_in_while_redis_refuses_is_neither_let_through_nor_called_too_many(
    refusing, client, visitor_a
):
    response = client.post(
        reverse("account_login"), {"login": visitor_a.email, "password": PASSWORD}
    )
    assert response.status_code == 503
    content = response.content.decode()
    assert str(outage.SIGN_IN.title) in content
    assert "Too many" not in content
    assert PASSWORD not in content
    assert SESSION_KEY not in client.session
    assert response["Retry-After"] == str(outage.RETRY_AFTER_SECONDS)


def test_a_password_reset_while_redis_refuses_answers_503(refusing, client, visitor_a):
    response = client.post(reverse("account_reset_password"), {"email": visitor_a.email})
    assert response.status_code == 503
    assert str(outage.ACCOUNT.title) in response.content.decode()
    assert not mail.outbox


def test_starting_an_export_when_the_broker_refuses_answers_503_without_a_job(
    client, visitor_a, org_a, monkeypatch, clean_outage
):
    person = new_person(visitor_a, org_a, CentreFactory())

    def refused(*args, **kwargs):
        raise kombu.exceptions.OperationalError("Error 111 connecting. Connection refused.")

    monkeypatch.setattr(export_views.export_person, "delay_on_commit", refused)
    sign_in(client, visitor_a)
    response = client.post(reverse("detainees:person-export", kwargs={"key": person.key}))
    assert response.status_code == 503
    content = response.content.decode()
    assert str(outage.BACKGROUND.title) in content
    assert "Send again" in content  # the same form, to be sent again later
    assert not Job.objects.filter(subject=person.code).exists()


def test_a_job_saved_before_its_task_could_not_be_queued_waits_with_its_page_linked(
    rf, visitor_a, transactional_db, clean_outage
):
    def queue_the_task():
        raise kombu.exceptions.OperationalError("Error 111 connecting. Connection refused.")

    request = rf.post("/people/export/")
    request.user = visitor_a
    outage.begin_request()
    try:
        with pytest.raises(kombu.exceptions.OperationalError) as raised, transaction.atomic():
            job = Job.objects.create(owner=visitor_a, kind="k", subject="s")
            transaction.on_commit(queue_the_task)  # as jobs.enqueue, with delay_on_commit
        response = RedisOutageMiddleware(None).process_exception(request, raised.value)
    finally:
        outage.end_request()
    content = response.content.decode()
    assert response.status_code == 503
    assert str(outage.JOB_WAITING.title) in content
    assert reverse("privacy:job-detail", kwargs={"code": job.code}) in content
    assert "Send again" not in content  # it is recorded: sent again, it would be twice
    assert Job.objects.filter(pk=job.pk, status=Job.Status.PENDING).exists()


def test_the_503_page_keeps_what_was_typed_but_never_a_password(rf, visitor_a):
    request = rf.post(
        "/legal/requests/new/",
        {"summary": "Hearing on <Monday>", "password": "secret-1", "otp_code": "123456"},
    )
    request.user = visitor_a
    response = unavailable(request, outage.BACKGROUND)
    content = response.content.decode()
    assert response.status_code == 503
    assert 'name="summary" value="Hearing on &lt;Monday&gt;"' in content
    assert "secret-1" not in content and "123456" not in content
    assert "no-store" in response["Cache-Control"]
    assert 'action="/legal/requests/new/"' in content


def test_the_redis_errors_a_view_lets_through_answer_503_not_500(rf, visitor_a, clean_outage):
    middleware = RedisOutageMiddleware(lambda request: None)
    for error, reason in [
        (redis.exceptions.ConnectionError("refused"), outage.SERVICE),
        (redis.exceptions.TimeoutError("timed out"), outage.SERVICE),
        # A Redis that answers but refuses to write (its disk full, out of memory).
        (redis.exceptions.ResponseError("MISCONF Redis is configured to save"), outage.SERVICE),
        (redis.exceptions.ReadOnlyError("READONLY You can't write"), outage.SERVICE),
        (kombu.exceptions.OperationalError("refused"), outage.BACKGROUND),
        (outage.RedisUnavailable(outage.SIGN_IN), outage.SIGN_IN),
    ]:
        request = rf.get("/")
        request.user = visitor_a
        response = middleware.process_exception(request, error)
        assert response.status_code == 503, error
        assert str(reason.title) in response.content.decode()
    assert middleware.process_exception(rf.get("/"), ValueError("a bug")) is None


def test_a_task_lost_once_a_change_was_saved_says_it_is_saved_and_offers_no_resend(
    rf, visitor_a, transactional_db, clean_outage
):
    def queue_the_email():
        raise kombu.exceptions.OperationalError("Error 111 connecting. Connection refused.")

    with pytest.raises(kombu.exceptions.OperationalError) as raised, transaction.atomic():
        transaction.on_commit(queue_the_email)  # as Celery's delay_on_commit
    request = rf.post("/accounts/invitations/new/", {"email": "new@example.org"})
    request.user = visitor_a
    response = RedisOutageMiddleware(None).process_exception(request, raised.value)
    content = response.content.decode()
    assert response.status_code == 503
    assert str(outage.SAVED_NOT_QUEUED.title) in content
    assert "Send again" not in content and "new@example.org" not in content


def test_the_503_page_says_everything_through_translations():
    template = (ROOT / "templates" / "503.html").read_text()
    text = re.sub(r"{%.*?%}|{{.*?}}|<[^>]+>", "", template)
    assert not re.search(r"[A-Za-z]", text), f"untranslated text in 503.html: {text!r}"
    assert "{% load i18n %}" in template
    reasons = [outage.SIGN_IN, outage.ACCOUNT, outage.BACKGROUND, outage.JOB_WAITING]
    reasons += [outage.SAVED_NOT_QUEUED]
    for reason in reasons + [outage.SERVICE]:
        assert isinstance(reason.title, Promise) and isinstance(reason.explanation, Promise)


def test_the_503_page_is_in_the_persons_language(rf, visitor_a):
    request = rf.get("/")
    request.user = visitor_a
    with translation.override("nl"):
        content = unavailable(request, outage.SERVICE).content.decode()
    assert '<html lang="nl">' in content


def test_reference_rows_are_read_again_while_their_version_cannot_be_read(refusing, db):
    reads = []

    def read():
        reads.append(1)
        return Reference([], [], [], read_at=time.monotonic())

    rows = KeptRows("tests:outage-rows", read, ())
    rows.get()
    rows.get()
    assert len(reads) == 2  # no version to trust: read each time, never a stale copy
    listing._request.versions = {}  # within one request: once
    try:
        rows.get()
        rows.get()
    finally:
        listing._request.versions = None
    assert len(reads) == 3
    rows.changed()  # a save while Redis is down: no error


def test_reference_rows_are_kept_while_redis_answers(clean_outage, db):
    reads = []

    def read():
        reads.append(1)
        return Reference([], [], [], read_at=time.monotonic())

    rows = KeptRows("tests:kept-rows", read, ())
    rows.get()
    rows.get()
    assert len(reads) == 1
    rows.changed()
    rows.get()
    assert len(reads) == 2


def test_require_redis_refuses_before_anything_is_written(refusing):
    with pytest.raises(outage.RedisUnavailable) as raised:
        outage.require_redis()
    assert raised.value.reason is outage.BACKGROUND


def test_require_redis_passes_when_redis_answers(clean_outage):
    outage.require_redis()


def test_an_invitation_while_redis_refuses_is_refused_before_anything_is_saved(
    refusing, coordinator, org_a
):
    """Its e-mail leaves through Redis: saved unsent, it would block a second invitation."""
    from move.accounts import services
    from move.accounts.models import Invitation

    with pytest.raises(outage.RedisUnavailable):
        services.invite(
            email="new.visitor@example.org",
            organisation=org_a,
            role=Role.VISITOR,
            language="fr",
            by=coordinator,
            site_url="https://move.example.org/",
        )
    assert not Invitation.objects.filter(email="new.visitor@example.org").exists()
