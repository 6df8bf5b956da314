"""Sentry, when MOVE_SENTRY_DSN is set, hears where the code failed, never what people typed.

The requests go through Django's whole stack with Sentry initialised as settings.py does it
(move.sentry.options), but with a transport that keeps the envelopes in memory: nothing
leaves the machine. What would be sent is read as the bytes Sentry would send.
"""

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
import sentry_sdk
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client, RequestFactory
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from sentry_sdk.transport import Transport

import move.sentry
import move.urls
from move.accounts.models import User
from move.sentry import options, scrub
from tests.project.test_settings import PRODUCTION as PRODUCTION_SETTINGS

ROOT = Path(__file__).resolve().parents[2]
DSN = "http://public@127.0.0.1:9/1"  # never contacted: the transport keeps the envelopes

# What people typed, each where it could leak from.
REPORT_TEXT = "Bruises on the left forearm, says guard Vanderstraeten hit him"  # the form
NATIONAL_NUMBER = "85.07.30-033.61"  # a local variable, a chained exception's message
SEARCH_WORDS = "Hryhorenko"  # the query string, a log line's value, an SQL parameter
COOKIE = "Kovalchuk"  # a cookie
USER_EMAIL = "oksana.melnyk@example.org"  # the user and the context set on the scope
SECRETS = ("Vanderstraeten", NATIONAL_NUMBER, SEARCH_WORDS, COOKIE, "melnyk")

logger = logging.getLogger("move.tests.sentry")


class ReportUnreadableError(Exception):
    pass


@csrf_exempt  # also posted to outside the test client, which skips the CSRF check
def failing_report_view(request, code):
    words = request.GET["q"]
    text = request.POST.get("text", "")
    national_number = NATIONAL_NUMBER
    logger.warning("Searching for %s", words)  # would be a breadcrumb
    User.objects.filter(email=words).exists()  # would be an SQL breadcrumb or span
    sentry_sdk.set_user({"email": USER_EMAIL})  # what an integration could add
    sentry_sdk.set_context("report", {"text": text})
    sentry_sdk.set_tag("search", words)
    sentry_sdk.set_extra("national_number", national_number)
    try:
        {}[national_number]
    except KeyError as error:
        raise ReportUnreadableError(f"could not render {code}: {text}") from error


urlpatterns = [
    path("sentry-probe/reports/<str:code>/", failing_report_view),
    *move.urls.urlpatterns,
]
URL = f"/sentry-probe/reports/R-1/?q={SEARCH_WORDS}"


class InMemoryTransport(Transport):
    def __init__(self, options=None):
        super().__init__(options)
        self.envelopes = []

    def capture_envelope(self, envelope):
        self.envelopes.append(envelope)

    def sent(self) -> str:
        """Every envelope as the bytes Sentry would send."""
        return "\n".join(envelope.serialize().decode() for envelope in self.envelopes)

    def items(self, kind: str) -> list[dict]:
        return [
            item.payload.json
            for envelope in self.envelopes
            for item in envelope.items
            if item.type == kind
        ]


def _init(traces_sample_rate: float = 0.0) -> InMemoryTransport:
    transport = InMemoryTransport()
    sentry_sdk.init(
        **options(
            DSN,
            environment="test",
            release="a1b2c3d",
            traces_sample_rate=traces_sample_rate,
        ),
        transport=transport,
    )
    return transport


@pytest.fixture
def sentry():
    """Sentry on for one test, then off again, its scopes as they were."""
    with sentry_sdk.isolation_scope(), sentry_sdk.new_scope():
        yield _init
    client = sentry_sdk.get_client()
    client.close()
    sentry_sdk.get_global_scope().set_client(None)


def _assert_nothing_typed(sent: str):
    for secret in SECRETS:
        assert secret.lower() not in sent.lower(), f"{secret!r} would be sent to Sentry"


def _post_failing_report(client: Client):
    client.cookies["note"] = COOKIE
    return client.post(
        URL,
        {"text": REPORT_TEXT},
        HTTP_REFERER=f"https://move.example.org/people/?q={SEARCH_WORDS}",
    )


def _serve(environ: dict) -> None:
    """What gunicorn does: call the WSGI application (where Sentry's Django integration
    opens a scope per request, reads the request and starts a transaction), then close the
    answer. The connection to the test database is not closed at each end, as the test
    client does not close it either."""
    signals = (request_started, request_finished)
    for signal in signals:
        signal.disconnect(close_old_connections)
    try:
        WSGIHandler()(environ, lambda status, headers, exc_info=None: None).close()
    finally:
        for signal in signals:
            signal.connect(close_old_connections)


def _failing_report_environ() -> dict:
    return (
        RequestFactory()
        .post(
            URL,
            {"text": REPORT_TEXT},
            HTTP_COOKIE=f"note={COOKIE}",
            HTTP_REFERER=f"https://move.example.org/people/?q={SEARCH_WORDS}",
        )
        .environ
    )


@pytest.mark.urls(__name__)
@pytest.mark.django_db
def test_a_server_error_reaches_sentry_with_its_type_and_where_in_the_code(sentry):
    transport = sentry()
    response = _post_failing_report(Client(raise_request_exception=False))
    assert response.status_code == 500
    (event,) = transport.items("event")
    types = [exception["type"] for exception in event["exception"]["values"]]
    assert types == ["KeyError", "ReportUnreadableError"]
    frames = [
        frame
        for exception in event["exception"]["values"]
        for frame in exception["stacktrace"]["frames"]
    ]
    assert {"function": "failing_report_view", "filename": "tests/ops/test_sentry.py"}.items() <= (
        frames[-1].items()
    )
    assert event["transaction"] == "/sentry-probe/reports/{code}/"
    assert event["release"] == "a1b2c3d" and event["environment"] == "test"


@pytest.mark.urls(__name__)
@pytest.mark.django_db
def test_what_people_typed_never_reaches_sentry(sentry):
    transport = sentry()
    _post_failing_report(Client(raise_request_exception=False))
    (event,) = transport.items("event")  # something was sent, or this test proves nothing
    sent = transport.sent()
    assert "ReportUnreadableError" in sent and "failing_report_view" in sent
    _assert_nothing_typed(sent)
    assert '"value"' not in sent and '"vars"' not in sent
    assert not {"user", "extra", "tags", "breadcrumbs"} & set(event)
    assert set(event["contexts"]) <= {"trace", "runtime", "response"}


@pytest.mark.urls(__name__)
@pytest.mark.django_db
def test_a_request_served_by_gunicorn_reaches_sentry_as_its_method_and_path(sentry):
    """Served as in production, Sentry reads the request (query string, form, cookies,
    headers): only its method and address without the query string are sent."""
    transport = sentry()
    _serve(_failing_report_environ())
    (event,) = transport.items("event")
    assert event["request"] == {
        "method": "POST",
        "url": "http://testserver/sentry-probe/reports/R-1/",
    }
    assert event["exception"]["values"][-1]["type"] == "ReportUnreadableError"
    _assert_nothing_typed(transport.sent())


@pytest.mark.urls(__name__)
@pytest.mark.django_db
def test_a_traced_request_sends_its_timings_without_the_sql_or_the_query_string(sentry):
    transport = sentry(traces_sample_rate=1.0)
    _serve(_failing_report_environ())
    (transaction,) = transport.items("transaction")
    assert transaction["transaction"] == "/sentry-probe/reports/{code}/"
    spans = {span["op"]: span for span in transaction["spans"]}
    assert "description" not in spans["db"]  # the query was timed, its SQL left out
    assert spans["event.django"]["description"]  # the code's names are kept
    assert not any("data" in span for span in transaction["spans"])
    assert transport.items("event")
    _assert_nothing_typed(transport.sent())


@pytest.mark.urls(__name__)
@pytest.mark.django_db
def test_what_people_typed_was_in_the_event_until_it_was_scrubbed(sentry, monkeypatch):
    """The tests above prove something: the request hands Sentry what people typed
    (in the exception's message, the scope's user, tags, extra and context), and
    `scrub` takes it out."""
    before = []

    def recording(event, hint=None):
        before.append(json.dumps(event, default=str))
        return scrub(event, hint)

    monkeypatch.setattr(move.sentry, "scrub", recording)
    transport = sentry()
    _serve(_failing_report_environ())
    assert before and transport.items("event")
    for secret in ("Vanderstraeten", NATIONAL_NUMBER, SEARCH_WORDS, "melnyk"):
        assert secret in before[0]
    _assert_nothing_typed(transport.sent())


def test_scrub_keeps_nothing_it_does_not_know():
    """What Sentry's own options already keep back is taken out again, should an
    integration or a new version of the SDK add it."""
    frame = {"filename": "visits/views.py", "function": "report_detail", "lineno": 12}
    event = {
        "event_id": "e1",
        "level": "error",
        "exception": {
            "values": [
                {
                    "type": "ValueError",
                    "value": REPORT_TEXT,
                    "mechanism": {"type": "django", "handled": False, "data": {"q": SEARCH_WORDS}},
                    "stacktrace": {"frames": [{**frame, "vars": {"text": REPORT_TEXT}}]},
                }
            ]
        },
        "threads": {"values": [{"id": 1, "name": COOKIE, "stacktrace": {"frames": [frame]}}]},
        "request": {
            "method": "GET",
            "url": f"https://move.example.org/people/?q={SEARCH_WORDS}#{COOKIE}",
            "query_string": f"q={SEARCH_WORDS}",
            "data": {"text": REPORT_TEXT},
            "cookies": {"note": COOKIE},
            "headers": {"Referer": f"https://move.example.org/?q={SEARCH_WORDS}"},
            "env": {"REMOTE_ADDR": "203.0.113.7"},
        },
        "logentry": {"message": "Export %s failed", "params": [NATIONAL_NUMBER]},
        "message": REPORT_TEXT,
        "breadcrumbs": {"values": [{"message": SEARCH_WORDS}]},
        "spans": [
            {"op": "db", "description": f"... '{SEARCH_WORDS}'", "span_id": "s1"},
            {"op": "http.client", "description": f"GET /?q={SEARCH_WORDS}", "span_id": "s2"},
            {"op": "template.render", "description": "visits/report_detail.html"},
        ],
        "contexts": {"trace": {"trace_id": "t1", "data": {"q": SEARCH_WORDS}}, "os": {"x": COOKIE}},
        "a_field_of_a_future_sdk": REPORT_TEXT,
    }
    scrubbed = scrub(event)
    _assert_nothing_typed(json.dumps(scrubbed))
    assert scrubbed["exception"]["values"][0]["type"] == "ValueError"
    assert scrubbed["exception"]["values"][0]["stacktrace"]["frames"] == [frame]
    assert scrubbed["threads"]["values"][0]["stacktrace"]["frames"] == [frame]
    assert scrubbed["request"] == {"method": "GET", "url": "https://move.example.org/people/"}
    assert scrubbed["logentry"] == {"message": "Export %s failed"}
    assert scrubbed["spans"][2]["description"] == "visits/report_detail.html"
    assert scrubbed["contexts"] == {"trace": {"trace_id": "t1"}}
    assert set(scrubbed) == {
        "event_id",
        "level",
        "exception",
        "threads",
        "request",
        "logentry",
        "spans",
        "contexts",
    }


def test_an_error_logged_keeps_its_message_template_not_its_values(sentry):
    transport = sentry()
    logging.getLogger("move.privacy.jobs").error(
        "Export %s failed for %s", "E-7", SEARCH_WORDS, extra={"text": REPORT_TEXT}
    )
    (event,) = transport.items("event")
    assert event["logentry"] == {"message": "Export %s failed for %s"}
    assert event["logger"] == "move.privacy.jobs"
    _assert_nothing_typed(transport.sent())


def test_a_breadcrumb_is_never_kept(sentry):
    transport = sentry()
    sentry_sdk.add_breadcrumb(category="query", message=f"SELECT ... '{SEARCH_WORDS}'")
    sentry_sdk.capture_exception(ValueError(SEARCH_WORDS))
    (event,) = transport.items("event")
    assert "breadcrumbs" not in event
    _assert_nothing_typed(transport.sent())


def test_the_options_keep_personal_data_back(sentry):
    sentry()
    chosen = sentry_sdk.get_client().options
    assert chosen["send_default_pii"] is None  # deprecated: unset means False
    collected = chosen["data_collection"]
    assert collected["user_info"] is False and collected["http_bodies"] == []
    for category in ("cookies", "url_query_params"):
        assert collected[category]["mode"] == "off"
    assert collected["http_headers"]["request"]["mode"] == "off"
    assert collected["database_query_data"] is False
    assert collected["stack_frame_variables"] is False
    assert chosen["max_request_body_size"] == "never"
    assert chosen["include_local_variables"] is False
    assert chosen["max_breadcrumbs"] == 0
    assert chosen["traces_sample_rate"] is None  # 0: no tracing at all


# --- settings.py: a start-up with and without MOVE_SENTRY_DSN --------------------------

# The production-like environment of tests/project/test_settings.py (never contacted).
PRODUCTION = {
    **PRODUCTION_SETTINGS,
    "MOVE_ADMINS": "it@move.example.org",
    "MOVE_VERSION": "a1b2c3d",
}
START_UP = """
import json, sys
from django.conf import settings
settings.DEBUG
loaded = "sentry_sdk" in sys.modules
chosen = sys.modules["sentry_sdk"].get_client().options if loaded else {}
print(json.dumps({
    "loaded": loaded,
    "initialised": loaded and sys.modules["sentry_sdk"].is_initialized(),
    "options": {key: chosen.get(key) for key in (
        "dsn", "environment", "release", "traces_sample_rate", "max_request_body_size",
        "include_local_variables", "max_breadcrumbs")},
    "user_info": chosen.get("data_collection", {}).get("user_info"),
    "mail_handlers": settings.LOGGING["loggers"]["django.request"]["handlers"],
}))
"""


def _start_up(tmp_path, **env: str) -> subprocess.CompletedProcess:
    clean = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("MOVE_", "SENTRY_"))
        and key not in {"DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    clean |= {"DJANGO_SETTINGS_MODULE": "move.settings", "MOVE_MEDIA_ROOT": str(tmp_path)}
    return subprocess.run(
        [sys.executable, "-c", START_UP],
        env={**clean, **PRODUCTION, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _started(tmp_path, **env: str) -> dict:
    completed = _start_up(tmp_path, **env)
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout)


def test_without_a_dsn_sentry_is_not_loaded_and_the_admins_are_mailed(tmp_path):
    started = _started(tmp_path)
    assert started["loaded"] is False and started["initialised"] is False
    assert started["mail_handlers"] == ["admins"]


def test_with_a_dsn_sentry_reports_the_errors_instead_of_the_mail(tmp_path):
    started = _started(
        tmp_path,
        MOVE_SENTRY_DSN=DSN,
        MOVE_SENTRY_ENVIRONMENT="staging",
        MOVE_SENTRY_TRACES_SAMPLE_RATE="0.25",
    )
    assert started["initialised"] is True
    assert started["options"] == {
        "dsn": DSN,
        "environment": "staging",
        "release": "a1b2c3d",
        "traces_sample_rate": 0.25,
        "max_request_body_size": "never",
        "include_local_variables": False,
        "max_breadcrumbs": 0,
    }
    assert started["user_info"] is False
    assert started["mail_handlers"] == []


def test_the_environment_is_production_unless_told(tmp_path):
    started = _started(tmp_path, MOVE_SENTRY_DSN=DSN)
    assert started["options"]["environment"] == "production"
    assert started["options"]["traces_sample_rate"] is None


def test_a_sample_rate_outside_0_to_1_stops_the_start_up(tmp_path):
    completed = _start_up(tmp_path, MOVE_SENTRY_DSN=DSN, MOVE_SENTRY_TRACES_SAMPLE_RATE="25")
    assert completed.returncode != 0
    assert "MOVE_SENTRY_TRACES_SAMPLE_RATE=25.0 is not between 0.0 and 1.0" in completed.stderr


def test_a_bad_dsn_stops_the_start_up_naming_the_variable(tmp_path):
    completed = _start_up(tmp_path, MOVE_SENTRY_DSN="sentry.example.org")
    assert completed.returncode != 0
    assert "ImproperlyConfigured: MOVE_SENTRY_DSN is not a Sentry DSN" in completed.stderr
