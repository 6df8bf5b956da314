"""The newsletter end to end (issue 11, quality bars): published, queued on Redis, run
by a real Celery worker (celery's test worker, in a thread of this process, with the
project's app), e-mailed through a real SMTP server (aiosmtpd) behind Django's SMTP
backend. The messages the server received are read back: one per subscribed lawyer, in
their language, the PDF attached (its text read with pypdf), the unsubscribe headers of
RFC 8058. A second test breaks the connection after N e-mails: Celery retries the task,
and each lawyer still has exactly one message.

Without Redis the tests skip, except in CI (CI=true) where they fail: a CI run that
silently skips the worker would prove nothing."""

import email
import email.policy
import io
import threading

import pytest
from aiosmtpd.controller import Controller
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.conf import settings as django_settings
from pypdf import PdfReader

from legal import newsletter as services
from legal.models import Delivery, Newsletter
from move.celery import app
from tests.legal.test_newsletter import complete_newsletter, make_lawyer
from tests.legal.test_reminder_worker import _free_port, redis_broker  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)  # the worker's thread reads the rows

TASK = "legal.tasks.send_newsletter"
WAIT = 60  # seconds, for the task to succeed (retries included)


class Inbox:
    """What the SMTP server received: (recipients, parsed message)."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((envelope.rcpt_tos, message))
        return "250 Message accepted for delivery"

    def by_recipient(self) -> dict:
        received = {}
        for recipients, message in self.messages:
            [recipient] = recipients
            assert recipient not in received, f"{recipient} received the newsletter twice"
            received[recipient] = message
        return received


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
    """The runs of the newsletter task the worker finished: (state, returned value)."""

    def __init__(self):
        self.done = []
        self.changed = threading.Condition()

    def __call__(self, sender=None, retval=None, state=None, **kwargs):
        if getattr(sender, "name", None) == TASK:
            with self.changed:
                self.done.append((state, retval))
                self.changed.notify_all()

    def wait_for_success(self) -> list:
        with self.changed:
            finished = self.changed.wait_for(
                lambda: any(state == "SUCCESS" for state, _value in self.done), timeout=WAIT
            )
        assert finished, f"The worker did not finish the task in {WAIT} s: {self.done}"
        return self.done


@pytest.fixture
def worker(redis_broker, settings, tmp_path):  # noqa: F811
    """The project's Celery app, not eager, with a worker consuming its Redis queue."""
    settings.MEDIA_ROOT = tmp_path
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
def lawyers(db):
    """Made before the worker starts."""
    return {
        "fr": [make_lawyer("fr") for _n in range(3)],
        "nl": [make_lawyer("nl") for _n in range(3)],
        "unsubscribed": make_lawyer("nl", subscribed=False),
    }


@pytest.fixture
def ready(legal):
    """A complete newsletter (two decisions, a news item), published by legal: the job
    made and the newsletter marked as being sent, as the "publish and send" page does."""
    newsletter = complete_newsletter(decisions=2, news=1)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("legal.tasks.send_newsletter.delay", lambda pk: None)
        services.publish(legal, newsletter, "fr")
    newsletter.refresh_from_db()
    assert newsletter.status == Newsletter.Status.SENDING
    return newsletter


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def check_received(inbox, newsletter, lawyers):
    received = inbox.by_recipient()
    subscribed = {lawyer.email: lawyer for lawyer in lawyers["fr"] + lawyers["nl"]}
    assert set(received) == set(subscribed)
    assert lawyers["unsubscribed"].email not in received
    decisions = [row.decision for row in newsletter.chosen_decisions.select_related("decision")]
    for address, message in received.items():
        language = subscribed[address].newsletter_language
        other = "nl" if language == "fr" else "fr"
        assert getattr(newsletter, f"title_{language}") in message["Subject"]
        body = message.get_body(preferencelist=("plain",)).get_content()
        assert "/newsletter/2022-q1/" in body
        token = services.unsubscribe_token(subscribed[address])
        assert message["List-Unsubscribe"].strip() == (
            f"<{django_settings.MOVE_SITE_URL.rstrip('/')}/newsletter/unsubscribe/{token}/>"
        )
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        [attachment] = list(message.iter_attachments())
        assert attachment.get_content_type() == "application/pdf"
        text = pdf_text(attachment.get_content())
        assert getattr(newsletter, f"editorial_{language}")[:40] in text
        assert getattr(newsletter, f"editorial_{other}")[:40] not in text
        for decision in decisions:
            assert getattr(decision, f"title_{language}") in text
            assert getattr(decision, f"title_{other}") not in text
    return received


def test_a_worker_sends_the_newsletter_once_to_each_subscribed_lawyer(
    lawyers, ready, smtp_server, worker
):
    from legal.tasks import send_newsletter

    send_newsletter.delay(ready.pk)
    assert worker.wait_for_success()[-1] == ("SUCCESS", {"sent": 6, "failed": 0, "total": 6})

    check_received(smtp_server, ready, lawyers)
    ready.refresh_from_db()
    assert ready.status == Newsletter.Status.PUBLISHED
    assert ready.job.status == "ready"

    # Queued again (a second click, a duplicated message): nobody gets it twice.
    send_newsletter.delay(ready.pk)
    worker.done.clear()
    assert worker.wait_for_success()[-1][1] == {"sent": 0, "failed": 0, "total": 6}
    assert len(smtp_server.messages) == 6


def test_a_task_broken_half_way_is_retried_and_sends_each_lawyer_one_message(
    lawyers, ready, smtp_server, worker, monkeypatch
):
    from legal.tasks import send_newsletter

    made = services.message
    count = {"messages": 0, "broken": False}

    def breaking(*args, **kwargs):
        email_message = made(*args, **kwargs)
        count["messages"] += 1
        if count["messages"] == 4 and not count["broken"]:
            count["broken"] = True

            def lost(*args, **kwargs):
                raise ConnectionResetError("the mail server went away")

            email_message.send = lost
        return email_message

    monkeypatch.setattr(services, "message", breaking)

    send_newsletter.delay(ready.pk)
    runs = worker.wait_for_success()

    assert [state for state, _value in runs] == ["RETRY", "SUCCESS"]
    assert runs[-1][1] == {"sent": 3, "failed": 0, "total": 6}
    check_received(smtp_server, ready, lawyers)
    assert Delivery.objects.filter(status=Delivery.Status.SENT).count() == 6
    assert sorted(Delivery.objects.values_list("attempts", flat=True)) == [1] * 6
