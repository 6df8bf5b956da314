"""Sending the newsletter (legal.newsletter.send, the service behind the task
legal.tasks.send_newsletter), with Django's in-memory mail backend and a flaky one:
both PDFs rendered and stored, one delivery per subscribed lawyer, one e-mail each in
their language with the PDF and the unsubscribe headers; run twice, or retried after a
failure half-way, each lawyer still gets one e-mail; a refused recipient is recorded
and the others are sent."""

import datetime
import io
from smtplib import SMTPRecipientsRefused, SMTPServerDisconnected

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.utils import translation
from django.utils.translation import gettext
from pypdf import PdfReader

from legal import newsletter as services
from legal.models import Delivery, Lawyer, Newsletter
from move.privacy.models import Job
from tests.legal.test_newsletter import complete_newsletter, make_lawyer

pytestmark = pytest.mark.django_db


class FlakyBackend(EmailBackend):
    """The in-memory backend, with a mail server that refuses some recipients and whose
    connection drops after so many messages (once)."""

    refused: set = set()
    drop_after: int | None = None
    opened = 0

    def open(self):
        FlakyBackend.opened += 1
        return super().open()

    def send_messages(self, messages):
        for message in messages:
            if FlakyBackend.drop_after is not None and len(mail.outbox) >= self.drop_after:
                FlakyBackend.drop_after = None
                raise SMTPServerDisconnected("Connection unexpectedly closed")
            [recipient] = message.to
            if recipient in self.refused:
                raise SMTPRecipientsRefused({recipient: (550, b"5.1.1 Mailbox unknown")})
        return super().send_messages(messages)


@pytest.fixture
def flaky(settings):
    settings.EMAIL_BACKEND = f"{__name__}.FlakyBackend"
    FlakyBackend.refused, FlakyBackend.drop_after, FlakyBackend.opened = set(), None, 0
    yield FlakyBackend
    FlakyBackend.refused, FlakyBackend.drop_after = set(), None


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def lawyers(db):
    return {
        "fr": make_lawyer("fr"),
        "nl": make_lawyer("nl"),
        "nl2": make_lawyer("nl"),
        "unsubscribed": make_lawyer("fr", unsubscribed_on=datetime.date(2022, 1, 1)),
        "never": make_lawyer("nl", subscribed=False),
    }


@pytest.fixture
def sending(legal):
    """A complete newsletter, published by legal: its job waiting for the worker."""
    newsletter = complete_newsletter()
    # Its progress is written in the language of the person who published (English here).
    job = Job.objects.create(owner=legal, kind="newsletter", subject=newsletter.slug, language="en")
    Newsletter.objects.filter(pk=newsletter.pk).update(
        status=Newsletter.Status.SENDING, job=job, published_by=legal
    )
    newsletter.refresh_from_db()
    return newsletter


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def by_recipient() -> dict:
    received = {}
    for message in mail.outbox:
        [recipient] = message.to
        assert recipient not in received, f"{recipient} got the newsletter twice"
        received[recipient] = message
    return received


def test_send_publishes_both_pdfs_and_mails_each_subscribed_lawyer_in_their_language(
    sending, lawyers, media, flaky
):
    result = services.send(sending.pk)

    sending.refresh_from_db()
    assert result == {"sent": 3, "failed": 0, "total": 3}
    assert sending.status == Newsletter.Status.PUBLISHED
    assert sending.published_at is not None
    for language in ("fr", "nl"):
        stored = media / "private" / "newsletters" / f"2022-q1-{language}.pdf"
        assert sending.pdf_path(language) == f"newsletters/2022-q1-{language}.pdf"
        text = pdf_text(stored.read_bytes())
        assert getattr(sending, f"editorial_{language}")[:30] in text
    assert not [p for p in (media / "private" / "newsletters").iterdir() if p.name.startswith(".")]

    received = by_recipient()
    assert set(received) == {lawyers[name].email for name in ("fr", "nl", "nl2")}
    french, dutch = received[lawyers["fr"].email], received[lawyers["nl"].email]
    with translation.override("fr"):
        assert (
            gettext("Legal newsletter %(year)s, quarter %(quarter)s")
            % {
                "year": 2022,
                "quarter": 1,
            }
            in french.subject
        )
    assert sending.title_fr in french.subject
    assert sending.title_nl in dutch.subject
    for lawyer, message in ((lawyers["fr"], french), (lawyers["nl"], dutch)):
        token = services.unsubscribe_token(lawyer)
        assert message.extra_headers["List-Unsubscribe"].endswith(
            f"/newsletter/unsubscribe/{token}/>"
        )
        assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert token in message.body
        assert "/newsletter/2022-q1/" in message.body
        [(filename, content, mimetype)] = message.attachments
        assert mimetype == "application/pdf"
        assert filename.endswith(f"-{lawyer.newsletter_language}.pdf")
        editorial = getattr(sending, f"editorial_{lawyer.newsletter_language}")
        assert editorial[:30] in pdf_text(content)
    assert Delivery.objects.filter(status=Delivery.Status.SENT).count() == 3
    assert flaky.opened == 1  # one connection for the batch

    job = Job.objects.get(pk=sending.job_id)
    assert (job.status, job.progress) == (Job.Status.READY, 100)
    assert "3 e-mails sent" in job.step


def test_send_run_twice_mails_each_lawyer_once(sending, lawyers, media, flaky):
    services.send(sending.pk)
    again = services.send(sending.pk)

    assert again == {"sent": 0, "failed": 0, "total": 3}
    assert len(mail.outbox) == 3
    assert len(by_recipient()) == 3


def test_a_refused_recipient_is_recorded_and_the_others_are_sent(sending, lawyers, media, flaky):
    flaky.refused = {lawyers["nl"].email}

    result = services.send(sending.pk)

    assert result == {"sent": 2, "failed": 1, "total": 3}
    failed = Delivery.objects.get(lawyer=lawyers["nl"])
    assert failed.status == Delivery.Status.FAILED
    assert failed.last_error == "550 5.1.1 Mailbox unknown"
    assert len(mail.outbox) == 2
    assert "1 refused" in Job.objects.get(pk=sending.job_id).step


def test_a_connection_lost_half_way_is_raised_and_the_retry_sends_only_the_rest(
    sending, lawyers, media, flaky
):
    flaky.drop_after = 2

    with pytest.raises(SMTPServerDisconnected):
        services.send(sending.pk)

    assert len(mail.outbox) == 2
    assert Delivery.objects.filter(status=Delivery.Status.SENT).count() == 2
    assert Delivery.objects.filter(status=Delivery.Status.PENDING).count() == 1
    job = Job.objects.get(pk=sending.job_id)
    assert job.status == Job.Status.PROCESSING
    assert "trying again" in job.step

    assert services.send(sending.pk) == {"sent": 1, "failed": 0, "total": 3}
    assert len(by_recipient()) == 3
    assert Job.objects.get(pk=sending.job_id).status == Job.Status.READY


def test_retrying_the_refused_ones_sends_them_only(sending, lawyers, media, flaky, legal):
    flaky.refused = {lawyers["nl"].email}
    services.send(sending.pk)
    flaky.refused = set()

    assert services.retry_failed(legal, sending) == 1
    assert services.send(sending.pk) == {"sent": 1, "failed": 0, "total": 3}
    assert len(by_recipient()) == 3


def test_a_lawyer_who_unsubscribed_before_the_retry_is_not_mailed(sending, lawyers, media, flaky):
    flaky.drop_after = 0
    with pytest.raises(SMTPServerDisconnected):
        services.send(sending.pk)
    services.unsubscribe(lawyers["nl2"])

    services.send(sending.pk)

    assert lawyers["nl2"].email not in by_recipient()
    assert Delivery.objects.get(lawyer=lawyers["nl2"]).status == Delivery.Status.FAILED


def test_a_new_subscriber_gets_the_retry_but_nobody_twice(sending, lawyers, media, flaky):
    flaky.drop_after = 1
    with pytest.raises(SMTPServerDisconnected):
        services.send(sending.pk)
    late = make_lawyer("nl")

    services.send(sending.pk)

    assert set(by_recipient()) == {
        lawyers["fr"].email,
        lawyers["nl"].email,
        lawyers["nl2"].email,
        late.email,
    }


def test_a_draft_or_a_missing_newsletter_is_not_sent(lawyers, media, flaky):
    draft = complete_newsletter()
    assert services.send(draft.pk)["sent"] == 0
    assert services.send(987654)["sent"] == 0
    assert mail.outbox == []
    assert Newsletter.objects.get(pk=draft.pk).status == Newsletter.Status.DRAFT


def test_the_task_calls_the_service(sending, lawyers, media, flaky):
    from legal.tasks import send_newsletter

    assert send_newsletter.delay(sending.pk).get()["sent"] == 3
    assert Lawyer.objects.subscribed().count() == 3
