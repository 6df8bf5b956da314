"""The quarterly newsletter's services (issue 11): create, publish and send, retry the
refused deliveries, unsubscribe, and remind legal when a quarter ends without one.

Sending (`send`, run by the task legal.tasks.send_newsletter, acknowledged late and
retried) is idempotent: the PDFs are rendered once, one Delivery row per lawyer is
created (unique), and each e-mail is sent while its row is locked (SELECT … FOR UPDATE
SKIP LOCKED), then the row marked sent in the same transaction. A second run, or a retry
after a worker was killed, finds the sent rows and sends only those still pending; a run
at the same time skips the rows the other one holds. A refusal of one recipient by the
mail server marks that row failed with the reason and goes on; a connection that fails
is raised, so that the task is retried and sends what is left.
"""

import logging
import time
from datetime import date, timedelta
from smtplib import SMTPDataError, SMTPRecipientsRefused

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Q, Value
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from legal import newsletter_pdf
from legal.models import Decision, Delivery, Lawyer, Newsletter, NewsletterDecision, QuarterReminder
from legal.reminders import site_link
from move.accounts import emails, permissions
from move.accounts.models import User
from move.privacy import jobs
from move.privacy.models import Job

logger = logging.getLogger(__name__)

JOB_KIND = "newsletter"
UNSUBSCRIBE_SALT = "legal.newsletter.unsubscribe"
PUBLISHER = "legal.publish_newsletter"
# Reminded from the day after a quarter ends, during so many days.
REMIND_DAYS = 45
# The job's progress: rendering takes the first part, the e-mails the rest.
RENDERED = 20
HEARTBEAT_SECONDS = 30


def register() -> None:
    """The newsletter's job, shown on privacy:job-detail; it makes no file to download."""
    from move.privacy.views import register_job_kind

    register_job_kind(JOB_KIND, gettext_lazy("Publishing and sending the newsletter"))


# --- Quarters --------------------------------------------------------------------------


def quarter_of(day: date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    """The first and the last day of a quarter."""
    first = date(year, 3 * quarter - 2, 1)
    following = date(year + (quarter == 4), 1 if quarter == 4 else 3 * quarter + 1, 1)
    return first, following - timedelta(days=1)


def previous_quarter(year: int, quarter: int) -> tuple[int, int]:
    return (year - 1, 4) if quarter == 1 else (year, quarter - 1)


# --- Writing ---------------------------------------------------------------------------


def decisions_of_quarter(year: int, quarter: int):
    """The public decisions dated in the quarter, oldest first: suggested for it."""
    first, last = quarter_bounds(year, quarter)
    return Decision.objects.public().filter(date__range=(first, last)).order_by("date", "pk")


def create(user, *, year: int, quarter: int, **texts) -> Newsletter:
    """A draft for the quarter with the quarter's public decisions already chosen
    (legal removes or reorders them). One a quarter: a second is refused."""
    permissions.require(user, PUBLISHER)
    if Newsletter.objects.filter(year=year, quarter=quarter).exists():
        raise ValidationError(already_exists(year, quarter), code="unique")
    try:
        with transaction.atomic():
            newsletter = Newsletter.objects.create(year=year, quarter=quarter, **texts)
            NewsletterDecision.objects.bulk_create(
                NewsletterDecision(newsletter=newsletter, decision_id=pk, position=position)
                for position, pk in enumerate(
                    decisions_of_quarter(year, quarter).values_list("pk", flat=True), start=1
                )
            )
    except IntegrityError:  # created by someone else meanwhile
        raise ValidationError(already_exists(year, quarter), code="unique") from None
    return newsletter


def already_exists(year: int, quarter: int) -> str:
    return _("There is already a newsletter for quarter %(quarter)s of %(year)s.") % {
        "quarter": quarter,
        "year": year,
    }


def require_editable(newsletter: Newsletter) -> None:
    if newsletter.status == Newsletter.Status.SENDING:
        raise PermissionDenied(_("This newsletter is being sent: it can no longer be changed."))
    if newsletter.status == Newsletter.Status.PUBLISHED:
        raise PermissionDenied(_("This newsletter is published: it can no longer be changed."))


# --- Publishing ------------------------------------------------------------------------


class PublishRefused(Exception):
    """The newsletter cannot be published; `problems` says why (shown to legal)."""

    def __init__(self, problems: list[str]):
        super().__init__(" ".join(problems))
        self.problems = problems


def publish(user, newsletter: Newsletter, language: str) -> Job:
    """Start "publish and send": a Job owned by `user`, the newsletter marked as being
    sent, the task queued once the transaction is committed."""
    from legal.tasks import send_newsletter

    permissions.require(user, PUBLISHER)
    with transaction.atomic():
        locked = Newsletter.objects.select_for_update().get(pk=newsletter.pk)
        if locked.status != Newsletter.Status.DRAFT:
            raise PublishRefused([_("This newsletter was already published.")])
        problems = newsletter_pdf.missing(locked)
        if problems:
            raise PublishRefused(problems)
        job = Job.objects.create(
            owner=user,
            kind=JOB_KIND,
            subject=locked.slug,
            # The progress is written in the language of the person who publishes.
            language=language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE,
            step=_("Waiting for a worker"),
        )
        Newsletter.objects.filter(pk=locked.pk).update(
            status=Newsletter.Status.SENDING, job=job, published_by=user
        )
        jobs.enqueue(job, send_newsletter, locked.pk)
    return job


def retry_failed(user, newsletter: Newsletter) -> int:
    """Put the refused deliveries back to be sent, and queue the task; how many. The
    newsletter's job is started again for it (a run still sending loses it and stops:
    the new one sends every delivery left)."""
    from legal.tasks import send_newsletter

    permissions.require(user, PUBLISHER)
    with transaction.atomic():
        count = newsletter.deliveries.filter(status=Delivery.Status.FAILED).update(
            status=Delivery.Status.PENDING, last_error=""
        )
        if count:
            job = Job.objects.filter(pk=newsletter.job_id).first()
            if job is None:
                send_newsletter.delay_on_commit(newsletter.pk)
            else:
                with translation.override(job.language):
                    job.step = _("Sending the refused e-mails again")
                jobs.enqueue(job, send_newsletter, newsletter.pk, step=job.step)
    return count


# --- Sending ---------------------------------------------------------------------------

# The mail server refused this one recipient or this one message: recorded, not retried.
REFUSED = (SMTPRecipientsRefused,)


def send(newsletter_pk: int) -> dict:
    """CONTRACT: render and store both PDFs (once), create one delivery per subscribed
    lawyer, e-mail those still pending. Returns what this run did.

    The newsletter's job is claimed first (move/privacy/jobs.py): a run after the job
    finished, or while another run holds it, sends nothing; a run that loses its job
    (queued again because it was silent) stops at its next step. An error lets the job
    go for the task's retry."""
    newsletter = Newsletter.objects.select_related("job").filter(pk=newsletter_pk).first()
    if newsletter is None or newsletter.status == Newsletter.Status.DRAFT:
        return {"sent": 0, "failed": 0, "total": 0}
    job = newsletter.job
    if job is not None and not jobs.claim(job):
        return {"sent": 0, "failed": 0, "total": newsletter.deliveries.count()}
    with translation.override(job.language if job else settings.LANGUAGE_CODE):
        try:
            result = _publish_and_deliver(newsletter, job)
        except jobs.Superseded:
            logger.info("Newsletter %s: taken over by another run, this one stops", newsletter.pk)
            return {"sent": 0, "failed": 0, "total": newsletter.deliveries.count()}
    return result


def _publish_and_deliver(newsletter: Newsletter, job: Job | None) -> dict:
    try:
        if newsletter.status == Newsletter.Status.SENDING or not all(
            newsletter_pdf.stored_path(newsletter, code) for code in newsletter_pdf.LANGUAGES
        ):
            _progress(job, 5, _("Making the PDFs in French and in Dutch"))
            _publish_files(newsletter)
        total = create_deliveries(newsletter)
        _progress(job, RENDERED, _("Sending the e-mails"))
    except jobs.Superseded:
        raise
    except Exception:
        _try_again_later(job, _("Interrupted: trying again."))
        raise
    try:
        result = deliver(newsletter, job, total)
    except jobs.Superseded:
        raise
    except Exception:
        _try_again_later(job, _("The mail server did not answer: trying again."))
        raise
    _finish(job, result)
    return result


def _publish_files(newsletter: Newsletter) -> None:
    fields = newsletter_pdf.render_and_store(newsletter)
    fields["status"] = Newsletter.Status.PUBLISHED
    if newsletter.published_at is None:
        fields["published_at"] = timezone.now()
    for name, value in fields.items():
        setattr(newsletter, name, value)
    newsletter.save(update_fields=[*fields, "updated_at"])


def create_deliveries(newsletter: Newsletter) -> int:
    """One row per subscribed lawyer (a row already there stays as it is); the total."""
    lawyers = Lawyer.objects.subscribed().values_list("pk", "email", "newsletter_language")
    Delivery.objects.bulk_create(
        (
            Delivery(newsletter=newsletter, lawyer_id=pk, email=email, language=language)
            for pk, email, language in lawyers
        ),
        ignore_conflicts=True,
        batch_size=1000,
    )
    return newsletter.deliveries.count()


def deliver(newsletter: Newsletter, job: Job | None, total: int) -> dict:
    """E-mail each pending delivery once, on one SMTP connection."""
    pending = list(
        newsletter.deliveries.filter(status=Delivery.Status.PENDING)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    done = total - len(pending)
    result = {"sent": 0, "failed": 0, "total": total}
    if not pending:
        return result
    attachments = {
        code: newsletter_pdf.stored_path(newsletter, code).read_bytes()
        for code in newsletter_pdf.LANGUAGES
    }
    every = max(1, total // 50)
    # The progress is also the job's heartbeat (move/privacy/jobs.py): written at least
    # every HEARTBEAT_SECONDS when the mail server is slow, so that a live run is never
    # taken for a dead one.
    told = time.monotonic()
    connection = get_connection()
    connection.open()
    try:
        for number, pk in enumerate(pending, start=1):
            outcome = _deliver_one(newsletter, pk, attachments, connection)
            if outcome:
                result[outcome] += 1
            if number % every == 0 or time.monotonic() - told > HEARTBEAT_SECONDS:
                _sent_progress(job, done + number, total)
                told = time.monotonic()
    finally:
        connection.close()
    return result


def _deliver_one(newsletter, pk, attachments, connection) -> str | None:
    """Send one delivery while its row is locked; "sent", "failed", or None when another
    run holds it or has sent it."""
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("lawyer")
            .filter(pk=pk, status=Delivery.Status.PENDING)
            .first()
        )
        if delivery is None:
            return None
        delivery.attempts += 1
        lawyer = delivery.lawyer
        if not lawyer.subscribed or lawyer.unsubscribed_on:
            delivery.status = Delivery.Status.FAILED
            delivery.last_error = _("Unsubscribed before the e-mail was sent.")
        else:
            try:
                message(newsletter, delivery, attachments, connection).send()
            except REFUSED as error:
                delivery.status, delivery.last_error = Delivery.Status.FAILED, reason(error)
            except SMTPDataError as error:
                if error.smtp_code < 500:  # a temporary refusal: the task tries again
                    raise
                delivery.status, delivery.last_error = Delivery.Status.FAILED, reason(error)
            else:
                delivery.status, delivery.sent_at = Delivery.Status.SENT, timezone.now()
                delivery.last_error = ""
        delivery.save(update_fields=["status", "attempts", "last_error", "sent_at"])
        return "sent" if delivery.status == Delivery.Status.SENT else "failed"


def reason(error) -> str:
    """What the mail server answered, readable."""
    if isinstance(error, SMTPRecipientsRefused):
        answers = [
            f"{code} {text.decode(errors='replace') if isinstance(text, bytes) else text}"
            for code, text in error.recipients.values()
        ]
        return "; ".join(answers)[:1000]
    code = getattr(error, "smtp_code", "")
    text = getattr(error, "smtp_error", b"")
    if isinstance(text, bytes):
        text = text.decode(errors="replace")
    return f"{code} {text}".strip()[:1000] or type(error).__name__


def unsubscribe_link(lawyer) -> str:
    return site_link("newsletter:unsubscribe", token=unsubscribe_token(lawyer))


def message(newsletter, delivery, attachments, connection) -> EmailMultiAlternatives:
    """The e-mail to one lawyer, in their language, the PDF attached, with the one-click
    unsubscribe of RFC 8058 (List-Unsubscribe and List-Unsubscribe-Post)."""
    language = delivery.language if delivery.language in newsletter_pdf.LANGUAGES else "fr"
    unsubscribe = unsubscribe_link(delivery.lawyer)
    context = {
        "title": newsletter_pdf.text_of(newsletter, "title", language),
        "quarter": newsletter.quarter,
        "year": newsletter.year,
        "link": site_link("newsletter:detail", year=newsletter.year, quarter=newsletter.quarter),
        "unsubscribe": unsubscribe,
    }
    with translation.override(language):
        subject = render_to_string("emails/newsletter-subject.txt", context).strip()
        body = render_to_string("emails/newsletter-body.txt", context)
        filename = _("move-legal-newsletter-%(year)s-q%(quarter)s-%(language)s.pdf") % {
            "year": newsletter.year,
            "quarter": newsletter.quarter,
            "language": language,
        }
    email = EmailMultiAlternatives(
        subject,
        body,
        settings.DEFAULT_FROM_EMAIL,
        [delivery.email],
        connection=connection,
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    email.attach(filename, attachments[language], "application/pdf")
    return email


def _progress(job: Job | None, progress: int | None, step: str, *, release=False) -> None:
    """A step of the sending, if this run still holds the job (jobs.Superseded if not)."""
    if job is None:
        return
    job.status, job.step = Job.Status.PROCESSING, step
    fields = ["status", "step"]
    if progress is not None:
        job.progress = progress
        fields.append("progress")
    jobs.save(job, *fields, release=release)


def _try_again_later(job: Job | None, step: str) -> None:
    """Let the job go for the task's retry, saying so."""
    try:
        _progress(job, None, step, release=True)
    except jobs.Superseded:
        pass  # another run holds it already
    except Exception:  # the database may be what failed: the retry will say where it is
        logger.exception("The newsletter's job %s could not be updated", job and job.pk)


def _sent_progress(job: Job | None, done: int, total: int) -> None:
    progress = RENDERED + (100 - RENDERED) * done // max(total, 1)
    _progress(
        job,
        min(progress, 99),
        _("%(done)s of %(total)s e-mails sent") % {"done": done, "total": total},
    )


def _finish(job: Job | None, result: dict) -> None:
    if job is None:
        return
    counts = job_counts(job)
    job.status, job.progress, job.finished_at = Job.Status.READY, 100, timezone.now()
    job.last_error = ""
    job.step = _("Published; %(sent)s e-mails sent, %(failed)s refused") % counts
    jobs.save(job, "status", "progress", "finished_at", "last_error", "step", release=True)


def job_counts(job: Job) -> dict:
    newsletter = Newsletter.objects.filter(job=job).first()
    if newsletter is None:
        return {"sent": 0, "failed": 0}
    return delivery_counts(newsletter)


def delivery_counts(newsletter: Newsletter) -> dict:
    from django.db.models import Count

    counts = newsletter.deliveries.aggregate(
        sent=Count("pk", filter=Q(status=Delivery.Status.SENT)),
        failed=Count("pk", filter=Q(status=Delivery.Status.FAILED)),
        pending=Count("pk", filter=Q(status=Delivery.Status.PENDING)),
    )
    return counts


# --- Unsubscribing ---------------------------------------------------------------------


def unsubscribe_token(lawyer) -> str:
    """CONTRACT: the signed token of the lawyer's one-click unsubscribe link."""
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign(lawyer.key.hex)


def lawyer_from_token(token: str) -> Lawyer | None:
    """The lawyer a token was made for; None when it was tampered with or is unknown."""
    try:
        key = signing.Signer(salt=UNSUBSCRIBE_SALT).unsign(token)
    except signing.BadSignature:
        return None
    return (
        Lawyer.objects.filter(key=key).only("pk", "email", "subscribed", "unsubscribed_on").first()
    )


def unsubscribe(lawyer: Lawyer, today: date | None = None) -> bool:
    """Stop the newsletter for the lawyer; False when it was stopped already (the day it
    first was is kept). One conditional update: two clicks at once change it once."""
    today = today or timezone.localdate()
    changed = (
        Lawyer.objects.filter(pk=lawyer.pk)
        .filter(Q(subscribed=True) | Q(unsubscribed_on__isnull=True))
        .update(subscribed=False, unsubscribed_on=Coalesce("unsubscribed_on", Value(today)))
    )
    return bool(changed)


# --- The reminder ----------------------------------------------------------------------


def publishers() -> list[User]:
    """Active people who may publish the newsletter now (asked of permissions.py)."""
    return list(permissions.holders(PUBLISHER).order_by("email"))


def remind_quarter_end(today) -> int:
    """From the day after a quarter ends, for REMIND_DAYS days: when it has no newsletter
    published (or being sent), e-mail each person who may publish one, once each."""
    year, quarter = previous_quarter(*quarter_of(today))
    _first, last = quarter_bounds(year, quarter)
    if not last < today <= last + timedelta(days=REMIND_DAYS):
        return 0
    done = Newsletter.objects.filter(year=year, quarter=quarter).exclude(
        status=Newsletter.Status.DRAFT
    )
    if done.exists():
        return 0
    draft = Newsletter.objects.filter(year=year, quarter=quarter).first()
    link = (
        site_link("legal:newsletter-update", key=draft.key)
        if draft
        else site_link("legal:newsletter-create")
    )
    sent = 0
    for person in publishers():
        with transaction.atomic():
            _row, created = QuarterReminder.objects.get_or_create(
                year=year, quarter=quarter, recipient=person
            )
            if created:
                emails.send(
                    "newsletter-due",
                    person.email,
                    person.language,
                    {"year": year, "quarter": quarter, "link": link, "draft": draft is not None},
                )
                sent += 1
    return sent
