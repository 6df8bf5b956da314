"""The morning reminder job end to end (issue 10, quality bars): queued on Redis, run by a
real Celery worker (celery's test worker, in a thread of this process, with the project's
app), e-mailed through a real SMTP server (aiosmtpd), twice in a row: each reminder is
sent once.

Without Redis the test skips, except in CI (CI=true) where it fails: a CI run that
silently skips the worker would prove nothing."""

import email
import os
import socket
import threading
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import timezone

from legal import services
from legal.models import HelpRequest, ReminderSent, Topic
from move.accounts.permissions import Role
from move.celery import app
from tests.factories import member

pytestmark = pytest.mark.django_db(transaction=True)  # the worker's thread reads the rows

TASK = "legal.tasks.send_reminders"
WAIT = 30  # seconds, for one run of the task


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


@pytest.fixture
def redis_broker():
    """The broker of the settings (REDIS_URL), answering."""
    import redis

    url = django_settings.REDIS_URL
    reason = None
    if not url:
        reason = "REDIS_URL is not set: the reminder job needs Redis to run on a real worker."
    else:
        try:
            redis.Redis.from_url(url, socket_connect_timeout=2).ping()
        except redis.RedisError as error:
            reason = f"Redis does not answer at {url} ({error})."
    if reason:
        if _in_ci():
            pytest.fail(f"{reason} CI=true: the worker test must run in CI.", pytrace=False)
        pytest.skip(reason)
    return url


class Inbox:
    """What the SMTP server received."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content)
        self.messages.append((envelope.rcpt_tos, message))
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on localhost, which the e-mail settings point to."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = controller.hostname, controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield inbox
    controller.stop()


class Runs:
    """The runs of the reminder task the worker finished: (state, returned value)."""

    def __init__(self):
        self.done = []
        self.changed = threading.Condition()

    def __call__(self, sender=None, retval=None, state=None, **kwargs):
        if getattr(sender, "name", None) == TASK:
            with self.changed:
                self.done.append((state, retval))
                self.changed.notify_all()

    def wait_for(self, count: int) -> list:
        with self.changed:
            finished = self.changed.wait_for(lambda: len(self.done) >= count, timeout=WAIT)
        assert finished, f"The worker ran {len(self.done)} of {count} tasks in {WAIT} s."
        return self.done


@pytest.fixture
def worker(redis_broker):
    """The project's Celery app, not eager, with a worker consuming its Redis queue."""
    runs = Runs()
    task_postrun.connect(runs, weak=False)
    app.conf.task_always_eager = False
    app.control.purge()  # nothing left over from another run
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=WAIT):
            yield runs
    finally:
        app.conf.task_always_eager = django_settings.CELERY_TASK_ALWAYS_EAGER
        task_postrun.disconnect(runs)


@pytest.fixture
def people(coalition, org_a):
    """Two lawyers and a visitor, made before the worker starts (the e-mails telling
    them of their new access are sent inline, not through the worker)."""
    return {
        "lawyer": member(Role.LEGAL, coalition, email="legal@example.org", language="fr"),
        "other_lawyer": member(Role.LEGAL, coalition, email="advocaat@example.org", language="nl"),
        "visitor": member(Role.VISITOR, org_a, email="visitor@example.org"),
    }


def reminders_received(inbox) -> dict[str, str]:
    """Recipient → body of the reminders (the e-mails holding the queue's address)."""
    queue = reverse("legal:request-list")
    bodies = {}
    for recipients, message in inbox.messages:
        body = message.get_payload(decode=True).decode()
        if queue in body:
            [recipient] = recipients
            assert recipient not in bodies, f"{recipient} was reminded twice"
            bodies[recipient] = body
    return bodies


def test_the_reminder_job_run_twice_by_a_worker_sends_each_reminder_once(
    people, smtp_server, worker
):
    from legal import tasks

    lawyer, other_lawyer = people["lawyer"], people["other_lawyer"]
    topic, _created = Topic.objects.get_or_create(
        code="detention", defaults={"name_fr": "Détention", "name_nl": "Detentie"}
    )
    # Unassigned: to both lawyers. Recorded by the lawyer: to her alone.
    asked = services.ask(
        people["visitor"], topic=topic, subject="Release?", question="Can he ask?", language="fr"
    )
    recorded = services.record(
        lawyer,
        channel=HelpRequest.Channel.PHONE,
        requester_kind=HelpRequest.RequesterKind.RELATIVE,
        topic=topic,
        subject="A call",
        question="When?",
        language="nl",
    )
    today = timezone.localdate()
    HelpRequest.objects.filter(pk__in=[asked.pk, recorded.pk]).update(
        first_answer_due=today - timedelta(days=1)
    )

    tasks.send_reminders.delay()
    tasks.send_reminders.delay()

    assert worker.wait_for(2) == [("SUCCESS", 2), ("SUCCESS", 0)]
    received = reminders_received(smtp_server)
    assert set(received) == {lawyer.email, other_lawyer.email}
    assert asked.code in received[lawyer.email]
    assert recorded.code in received[lawyer.email]
    assert asked.code in received[other_lawyer.email]
    assert recorded.code not in received[other_lawyer.email]
    assert sorted(
        ReminderSent.objects.values_list("request__code", "recipient__email", "on")
    ) == sorted(
        [
            (asked.code, lawyer.email, today),
            (asked.code, other_lawyer.email, today),
            (recorded.code, lawyer.email, today),
        ]
    )
