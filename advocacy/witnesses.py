"""The witness pool's work (issue 12): withdrawing a witness, reminding the pool's
keepers of consents about to expire, telling who recorded a use that it must be taken
down, and the subject-access export of a witness.

E-mails hold codes and links only, never a witness's name or contact. The contact is
read in clear by the export alone here, and that read is written to the access log."""

import logging
from datetime import date, timedelta

from django.core.cache import cache
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from advocacy.models import LANGUAGES, SCOPES, Consent, Testimony, Use, Witness
from legal.reminders import site_link
from move.accounts import emails, permissions
from move.privacy import access, jobs
from move.privacy.models import AccessLogEntry, Job

logger = logging.getLogger(__name__)

KEEP = "advocacy.view_witness"
CONTACT = "advocacy.view_witness_contact"
EXPORT_KIND = "witness-export"
REMINDER_DAYS = 30
RENEWAL_EMAIL = "consent-renewal"
TAKE_DOWN_EMAIL = "use-take-down"
# A use's recorder is told once: the mark lives this long in the shared cache.
TOLD_SECONDS = 60 * 60 * 24 * 90


def valid_on(day: date) -> Q:
    """Consents valid on `day` (as Consent.valid_on), as a filter."""
    return Q(given_on__lte=day, expires_on__gt=day) & (
        Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=day)
    )


def keepers():
    """Active people who keep the pool now (asked of permissions.py)."""
    return permissions.holders(KEEP).order_by("email")


def pool_volunteers():
    """The active witness-pool members (told when a witness has no keeper)."""
    return permissions.holders(KEEP, roles={permissions.Role.WITNESS_POOL}).order_by("email")


def coordinators():
    """The active coordinators: told when nobody else keeps the pool."""
    return permissions.holders(KEEP, roles={permissions.Role.COORDINATOR}).order_by("email")


# --- Withdrawal ------------------------------------------------------------------------


def withdraw(witness: Witness, *, by, on: date) -> list[int]:
    """The witness withdraws: on their row and on every consent not yet withdrawn, the
    day is written; every use of their testimonies still online is to be taken down,
    and who recorded it is told (once the change is committed). Idempotent: a second
    call changes nothing more. The ids of the uses newly to take down."""
    from advocacy import tasks

    with transaction.atomic():
        locked = Witness.objects.select_for_update().get(pk=witness.pk)
        if locked.withdrawn_on is None:
            locked.withdrawn_on = on
            locked.save(update_fields=["withdrawn_on", "updated_at"])
        Consent.objects.filter(witness=locked, withdrawn_on__isnull=True).update(withdrawn_on=on)
        online = Use.objects.select_for_update().filter(
            testimony__witness=locked, status=Use.Status.ONLINE
        )
        use_ids = list(online.values_list("pk", flat=True))
        Use.objects.filter(pk__in=use_ids).update(status=Use.Status.TO_TAKE_DOWN)
        for use_pk in use_ids:
            transaction.on_commit(lambda pk=use_pk: tasks.tell_take_down.delay(pk))
    witness.withdrawn_on = locked.withdrawn_on
    logger.info("Witness %s withdrew; %d uses to take down", locked.code, len(use_ids))
    return use_ids


def _told_key(use: Use) -> str:
    return f"advocacy:take-down-told:{use.key}"


def tell_take_down(use_pk) -> None:
    """Tell who recorded the use that it must be taken down: once, in their language,
    with a link to the list of uses and no personal data. When its recorder is gone
    (deleted or switched off), the pool's keepers (the active witness-pool members) are
    told instead. Nothing when the use is no longer to take down."""
    use = Use.objects.select_related("recorded_by", "testimony__witness").filter(pk=use_pk).first()
    if use is None or use.status != Use.Status.TO_TAKE_DOWN:
        return
    recorder = use.recorded_by
    if recorder is not None and recorder.is_active:
        recipients = [recorder]
    else:
        # Nobody left who recorded it: the pool's keepers (its active members) see to it.
        recipients = list(pool_volunteers())
    if not recipients:
        logger.warning("Nobody to tell that use %s must be taken down", use.pk)
        return
    if not cache.add(_told_key(use), 1, TOLD_SECONDS):
        return  # told already
    context = {
        "witness_code": use.testimony.witness.code,
        "used_on": use.used_on,
        "scope": use.scope,
        "link": site_link("advocacy:use-list") + "?status=to_take_down",
    }
    try:
        for recipient in recipients:
            emails.send(TAKE_DOWN_EMAIL, recipient.email, recipient.language, context)
    except BaseException:
        cache.delete(_told_key(use))  # to be sent by the retry
        raise


# --- Renewal reminders -----------------------------------------------------------------


def expiring(today: date):
    """Consents valid today, expiring within REMINDER_DAYS, not yet reminded, of a
    witness still in the pool with no later valid consent."""
    until = today + timedelta(days=REMINDER_DAYS)
    later = Consent.objects.filter(valid_on(today)).filter(
        witness=OuterRef("witness"), expires_on__gt=OuterRef("expires_on")
    )
    return (
        Consent.objects.filter(valid_on(today), expires_on__lte=until)
        .filter(renewal_reminded_on__isnull=True, witness__withdrawn_on__isnull=True)
        .exclude(Exists(later))
        .select_related("witness__keeper")
        .order_by("expires_on", "pk")
    )


def remind_expiring_consents(today) -> int:
    """E-mail each consent about to expire to its witness's keeper (or to every active
    witness-pool member when it has none, or to the active coordinators when there is
    no such member), once: the consent is marked by a conditional update before
    anything is sent, and never when there is nobody to tell. The number of e-mails
    sent."""
    sent, failure = 0, None
    keeping = None  # the ids of who keeps the pool, and the fallbacks, read once
    fallback = None
    for consent in expiring(today):
        if keeping is None:
            keeping = set(keepers().values_list("pk", flat=True))
        keeper = consent.witness.keeper
        if keeper is not None and keeper.pk in keeping:
            recipients = [keeper]
        else:
            if fallback is None:
                # Every active witness-pool member; failing that, the coordinators.
                fallback = list(pool_volunteers()) or list(coordinators())
            recipients = fallback
        if not recipients:
            logger.warning("Nobody to remind of consent %s: left for the next run", consent.pk)
            continue  # never marked reminded with nobody told
        with transaction.atomic():
            claimed = Consent.objects.filter(
                pk=consent.pk, renewal_reminded_on__isnull=True
            ).update(renewal_reminded_on=today)
            if not claimed:
                continue
            context = {
                "witness_code": consent.witness.code,
                "expires_on": consent.expires_on,
                "link": site_link("advocacy:witness-detail", key=consent.witness.key),
            }
            try:
                for recipient in recipients:
                    emails.send(RENEWAL_EMAIL, recipient.email, recipient.language, context)
                    sent += 1
            except Exception as error:
                # The mark is rolled back with the transaction: the retry sends it.
                logger.exception("The renewal reminder of consent %s failed", consent.pk)
                failure = failure or error
                transaction.set_rollback(True)
    if failure is not None:
        raise failure
    return sent


# --- Subject access --------------------------------------------------------------------


def may_take_export(user, job: Job) -> bool:
    """Asked again when the file is downloaded: the requester still keeps the pool."""
    return permissions.has_perm(user, KEEP)


def register_job_kind() -> None:
    from move.privacy.views import register_job_kind as register

    register(EXPORT_KIND, gettext_lazy("Export of everything held on a witness"), may_take_export)


def export(job_pk, witness_pk) -> None:
    """Write the job's ZIP file (JSON + PDF of everything held on the witness, the
    contact included: that read is logged), or mark the job failed with a reason."""
    job = Job.objects.select_related("owner").filter(pk=job_pk).first()
    # Claimed first (move/privacy/jobs.py): a job finished or held by another run is
    # left alone; a run that loses its job stops quietly.
    if job is None or not jobs.claim(job):
        return
    with translation.override(job.language):
        try:
            _export_or_fail(job, witness_pk)
        except jobs.Superseded:
            logger.info("Witness export %s: taken over by another run, this one stops", job.code)


def _export_or_fail(job: Job, witness_pk: int) -> None:
    from detainees import export as case_file_export

    try:
        _build_export(job, witness_pk)
    except jobs.Superseded:
        raise
    except case_file_export.ExportRefused as refusal:
        case_file_export._failed(job, str(refusal), final=True)
    except case_file_export.RETRYABLE:
        case_file_export._failed(job, _("The database did not answer."), final=False)
        raise
    except Exception:
        logger.exception("Witness export %s failed", job.code)
        case_file_export._failed(
            job, _("The export could not be made. Try again later."), final=True
        )


def _person_for(user, witness: Witness) -> tuple:
    """The linked case file as the export shows it: its code only to who may open it."""
    from detainees.models import Person

    if witness.person_id is None:
        return ("", None)
    if Person.objects.visible_to(user).filter(pk=witness.person_id).exists():
        return (witness.person.code, None)
    hidden = _("Linked to a case file you may not open")
    return (hidden, hidden)


def _build_export(job: Job, witness_pk: int) -> None:
    from detainees import export as case_file_export
    from visits.pdf import html_to_pdf

    entry, record = case_file_export._entry, case_file_export._record
    witness = Witness.objects.select_related("keeper", "person").filter(pk=witness_pk).first()
    if witness is None:
        raise case_file_export.ExportRefused(_("This witness no longer exists."))
    if not (permissions.has_perm(job.owner, KEEP) and permissions.has_perm(job.owner, CONTACT)):
        raise case_file_export.ExportRefused(_("You no longer keep the witness pool."))
    case_file_export._progress(job, 10, _("Reading the witness"))
    languages = dict(LANGUAGES)
    scopes = dict(SCOPES)
    access.record(
        job.owner, AccessLogEntry.Action.EXPORT, witness.code, "export", f"job {job.code}"
    )
    data = {
        "format": "move-witness-access/1",
        "witness": witness.code,
        "generated_at": timezone.localtime(),
        "language": job.language,
        "record": record(
            witness,
            "code",
            "relation",
            "languages",
            "name",
            "contact",
            "contact_erased_on",
            "person",
            "keeper",
            "withdrawn_on",
            "notes",
            "created_at",
            "updated_at",
            languages=(
                witness.languages.split(),
                ", ".join(str(languages.get(code, code)) for code in witness.languages.split()),
            ),
            person=_person_for(job.owner, witness),
            keeper=(witness.keeper.email if witness.keeper else "", None),
        ),
    }

    def scope_names(codes: str):
        return (codes.split(), ", ".join(str(scopes.get(code, code)) for code in codes.split()))

    case_file_export._progress(job, 30, _("Reading the consents"))
    data["consents"] = [
        record(
            consent,
            "scopes",
            "anonymity",
            "given_on",
            "how",
            "statement",
            "expires_on",
            "withdrawn_on",
            "created_at",
            scopes=scope_names(consent.scopes),
        )
        for consent in witness.consents.order_by("given_on", "pk")
    ]
    case_file_export._progress(job, 50, _("Reading the testimonies and their uses"))
    testimonies = list(Testimony.objects.filter(witness=witness).order_by("recorded_on", "pk"))
    data["testimonies"] = [
        record(
            testimony,
            "title",
            "text",
            "language",
            "recorded_on",
            "approved_on",
            "scopes",
            scopes=scope_names(testimony.scopes),
        )
        for testimony in testimonies
    ]
    uses = Use.objects.filter(testimony__witness=witness).select_related("testimony")
    data["uses"] = [
        {"testimony": entry(_("testimony"), use.testimony.title)}
        | record(use, "publication", "used_on", "scope", "anonymity", "link", "status")
        for use in uses.order_by("used_on", "pk")
    ]
    data["access_log"] = [
        record(e, "at", "user_label", "action", "page", "detail")
        for e in AccessLogEntry.objects.filter(subject=witness.code).order_by("at", "pk")
    ]
    case_file_export._progress(job, 80, _("Writing the PDF"))

    def section(title, records, layout, empty):
        return {"title": title, "records": [r for r in records if r], "layout": layout,
                "empty": empty}  # fmt: skip

    sections = [
        section(_("Witness"), [data["record"]], "facts", ""),
        section(_("Consents"), data["consents"], "facts", _("No consent is recorded.")),
        section(_("Testimonies"), data["testimonies"], "facts", _("No testimony is recorded.")),
        section(_("Uses"), data["uses"], "table", _("No use is recorded.")),
        section(_("Access log"), data["access_log"], "table", _("No entry.")),
    ]
    pdf = html_to_pdf(
        render_to_string("advocacy/witness_export_pdf.html", {"data": data, "sections": sections})
    )
    case_file_export._progress(job, 95, _("Writing the zip file"))
    case_file_export._write_zip(job, witness.code, case_file_export._json(data), pdf)
