"""Subject access (GDPR art. 15, DESIGN.md §4): everything held on one person, as JSON
for machines and a PDF for people, in one zip file that only the requester downloads.

Built by a background job (detainees/tasks.py) with its progress in the `Job` row. Every
record is written as {field: {"label", "value", "display"}}: the value as stored, its
label and its human form in the requester's language; the PDF shows the same data.
"""

import json
import logging
import tempfile
import zipfile
from datetime import date, datetime
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DatabaseError, InterfaceError, OperationalError
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from detainees import services
from detainees.models import LANGUAGES, DetentionSpell, Identity, Person, Vulnerability
from move.accounts import permissions
from move.privacy import access, jobs
from move.privacy.models import AccessLogEntry, Job
from visits.pdf import html_to_pdf

logger = logging.getLogger(__name__)

# Worth another attempt: the database was away for a moment.
RETRYABLE = (OperationalError, InterfaceError)
EXPORTS = "exports"
_STORED = object()


def export_path(job: Job) -> Path:
    """Where a job's zip file lives: under MEDIA_ROOT/private, never served as media."""
    return Path(settings.MEDIA_ROOT) / "private" / EXPORTS / f"{job.code}.zip"


class ExportRefused(Exception):
    """The export cannot be made; the message (no personal data) is shown to the requester."""


def build_export(job: Job, *, last_attempt: bool = True) -> None:
    """Write the job's zip file and mark it ready, or mark it failed with a reason.
    A database error is raised again for the task to retry; until the last attempt the
    job stays waiting. The job is claimed first (move/privacy/jobs.py): a job finished or
    held by another run is left alone, and a run that loses its job stops quietly."""
    if not jobs.claim(job):
        return
    with translation.override(job.language):
        try:
            _build_or_fail(job, last_attempt)
        except jobs.Superseded:
            logger.info("Export %s: taken over by another run, this one stops", job.code)


def _build_or_fail(job: Job, last_attempt: bool) -> None:
    try:
        _build(job)
    except jobs.Superseded:
        raise
    except ExportRefused as refusal:
        _failed(job, str(refusal), final=True)
    except RETRYABLE as error:
        logger.warning("Export %s: %s, to be retried", job.code, type(error).__name__)
        _failed(job, _("The database did not answer."), final=last_attempt)
        raise
    except Exception:
        # The traceback goes to the server's log; the requester gets no detail of it.
        logger.exception("Export %s failed", job.code)
        _failed(job, _("The export could not be made. Try again later."), final=True)


def _build(job: Job) -> None:
    person = _person(job)
    _progress(job, 5, _("Reading the case file"))
    data = {
        "format": "move-subject-access/1",
        "person": person.code,
        "generated_at": timezone.localtime(),
        "language": job.language,
        "case_file": _case_file(person),
    }
    _progress(job, 20, _("Reading the identity"))
    data["identity"] = _identity(job, person)
    _progress(job, 35, _("Reading the family and the detention"))
    data["family"] = _family(person)
    data["detention"] = [_spell(spell) for spell in person.spells.select_related("centre")]
    _progress(job, 50, _("Reading the meetings"))
    data["accompaniments"] = _accompaniments(person)
    _progress(job, 60, _("Reading the referrals and the shares"))
    data["referrals"] = [_referral(referral) for referral in person.referrals.order_by("on")]
    data["shares"] = [_share(share) for share in services.shares_of(person)]
    _progress(job, 70, _("Reading the access log and the history"))
    data["access_log"] = _access_log(person)
    data["history"] = _history(person)
    _progress(job, 80, _("Writing the PDF"))
    pdf = html_to_pdf(
        render_to_string(
            "detainees/person_export_pdf.html", {"data": data, "sections": _sections(data)}
        )
    )
    _progress(job, 95, _("Writing the zip file"))
    _write_zip(job, person.code, _json(data), pdf)


def _person(job: Job) -> Person:
    people = Person.objects.select_related("organisation", "family")
    person = people.filter(code=job.subject).first()
    if person is None:
        raise ExportRefused(_("This case file no longer exists."))
    try:
        # The requester's rights when the job runs, not only when it was asked for.
        permissions.require_change_person(job.owner, person)
    except PermissionDenied as refusal:
        raise ExportRefused(str(refusal)) from None
    return person


def _progress(job: Job, progress: int, step: str) -> None:
    jobs.progress(job, progress, step)


def _failed(job: Job, reason: str, *, final: bool) -> None:
    """Failed for good, or waiting for the task's own retry; either way the job is let
    go, so that the retry (or the owner's "Try again") can claim it."""
    job.status = Job.Status.FAILED if final else Job.Status.PENDING
    job.last_error = reason if final else _("%(reason)s Trying again.") % {"reason": reason}
    job.finished_at = timezone.now() if final else None
    try:
        jobs.save(job, "status", "last_error", "finished_at", release=True)
    except DatabaseError:
        # The database is away, or the job was deleted (the person erased meanwhile).
        logger.warning("Export %s: its status could not be saved", job.code)


# --- What is held ------------------------------------------------------------------------


def _human(value) -> str:
    if value is None or value in ("", []):
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime):
        return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")
    if isinstance(value, date):
        return formats.date_format(value, "DATE_FORMAT")
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value)
    return str(value)


def _entry(label, value, display=None) -> dict:
    if isinstance(value, datetime):
        value = timezone.localtime(value)
    return {
        "label": str(label),
        "value": value,
        "display": _human(value) if display is None else str(display),
    }


def _field(instance, name: str, value=_STORED, display=None) -> dict:
    """One field: its label, its value (as stored unless given) and its human form."""
    field = instance._meta.get_field(name)
    if value is _STORED:
        value = getattr(instance, name)
        if field.choices and display is None:
            display = getattr(instance, f"get_{name}_display")()
    return _entry(field.verbose_name, value, display)


def _record(instance, *names: str, **given) -> dict:
    """Fields by name, in that order; `given` holds (value, display) for those not
    shown as stored."""
    return {
        name: _field(instance, name, *given[name]) if name in given else _field(instance, name)
        for name in names
    }


def _case_file(person: Person) -> dict:
    languages = dict(LANGUAGES)
    vulnerabilities = dict(Vulnerability.choices)
    return _record(
        person,
        "code",
        "organisation",
        "status",
        "sex",
        "birth_year",
        "nationality",
        "languages",
        "vulnerabilities",
        "family",
        "cannot_be_removed",
        "legal_basis",
        "notes",
        "created_at",
        "updated_at",
        "identity_erased_on",
        "reduced_on",
        organisation=(person.organisation.name, None),
        nationality=(person.nationality.code or "", person.nationality.name or None),
        languages=(
            person.languages,
            _human([str(languages.get(code, code)) for code in person.languages]),
        ),
        vulnerabilities=(
            person.vulnerabilities,
            _human([str(vulnerabilities.get(code, code)) for code in person.vulnerabilities]),
        ),
        family=(person.family.code if person.family else "", None),
    )


def _identity(job: Job, person: Person) -> dict | None:
    """The identity in clear: this read is in the access log, as every other one."""
    identity = Identity.objects.filter(person=person).first()
    access.record(job.owner, AccessLogEntry.Action.EXPORT, person.code, "export", f"job {job.code}")
    if identity is None:
        return None
    return _record(identity, *services.IDENTITY_FIELDS, "updated_at")


def _family(person: Person) -> dict | None:
    if person.family is None:
        return None
    return _record(person.family, "code", "adults", "children_ages", "created_at")


def _spell(spell) -> dict:
    return _record(
        spell,
        "centre",
        "start",
        "end",
        "ground",
        "new_order",
        "outcome",
        centre=(spell.centre.name, None),
    )


def _accompaniments(person: Person) -> list[dict]:
    meetings = (
        person.accompaniments.select_related("visit__centre")
        .prefetch_related("topics")
        .order_by("visit__date", "pk")
    )
    records = []
    for meeting in meetings:
        visit = meeting.visit
        record = {
            "visit_date": _entry(_("visit date"), visit.date),
            "centre": _entry(_("centre"), visit.centre.name),
        }
        topics = [theme.name for theme in meeting.topics.all()]
        record |= _record(
            meeting,
            "topics",
            "actions",
            "next_step",
            "next_step_on",
            "created_at",
            topics=(topics, None),
        )
        records.append(record)
    return records


def _referral(referral) -> dict:
    return _record(referral, "kind", "to_whom", "on", "outcome", "notes")


def _share(share: dict) -> dict:
    return {
        "organisation": _entry(_("organisation"), share["name"]),
        "identity": _entry(_("identity shared too"), share["identity"]),
    }


def _access_log(person: Person) -> list[dict]:
    entries = AccessLogEntry.objects.filter(subject=person.code).order_by("at", "pk")
    return [_record(entry, "at", "user_label", "action", "page", "detail") for entry in entries]


def _history(person: Person) -> list[dict]:
    """The changes kept by django-auditlog (case file and spells): earlier values are
    data held on the person too."""
    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import Q

    kinds = ContentType.objects.get_for_models(Person, DetentionSpell)
    spells = [str(pk) for pk in person.spells.values_list("pk", flat=True)]
    entries = LogEntry.objects.filter(
        Q(content_type=kinds[Person], object_pk=str(person.pk))
        | Q(content_type=kinds[DetentionSpell], object_pk__in=spells)
    ).order_by("timestamp", "pk")
    return [
        {
            "at": _entry(_("when"), entry.timestamp),
            "record": _entry(_("record"), str(entry.content_type.model_class()._meta.verbose_name)),
            "action": _entry(_("change"), entry.get_action_display()),
            "changes": _entry(
                _("values (before → after)"),
                {name: list(values) for name, values in entry.changes_dict.items()},
                "; ".join(
                    f"{name}: {before} → {after}"
                    for name, (before, after) in entry.changes_dict.items()
                ),
            ),
        }
        for entry in entries.select_related("content_type")
    ]


def _sections(data: dict) -> list[dict]:
    """The PDF's parts: one record as a list of facts, or several as a table (or as one
    list of facts each, when they hold long texts)."""

    def section(title, records, layout, empty):
        records = [record for record in records if record]
        return {"title": title, "records": records, "layout": layout, "empty": empty}

    return [
        section(_("Case file"), [data["case_file"]], "facts", ""),
        section(_("Identity"), [data["identity"]], "facts", _("No identity is recorded.")),
        section(_("Family"), [data["family"]], "facts", _("No family is recorded.")),
        section(_("Detention"), data["detention"], "table", _("No detention is recorded.")),
        section(_("Meetings"), data["accompaniments"], "facts", _("No meeting is recorded.")),
        section(_("Referrals"), data["referrals"], "facts", _("No referral is recorded.")),
        section(_("Shared with"), data["shares"], "table", _("Shared with no other organisation.")),
        section(_("Access log"), data["access_log"], "table", _("No entry.")),
        section(_("History of changes"), data["history"], "facts", _("No change kept.")),
    ]


# --- The file ----------------------------------------------------------------------------


def _json(data: dict) -> bytes:
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2).encode()


def _write_zip(job: Job, code: str, document: bytes, pdf: bytes) -> None:
    """Written beside its final place, then moved there in one step (jobs.ready): a
    reader never sees half a file, and a failure leaves nothing behind."""
    target = export_path(job)
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(
        dir=target.parent, prefix=".", suffix=".part", delete=False
    ) as handle:
        partial = Path(handle.name)
    try:
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(f"{code}.json", document)
            archive.writestr(f"{code}.pdf", pdf)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    filename = f"{code}-{timezone.localdate():%Y-%m-%d}.zip"
    jobs.ready(job, partial, f"{EXPORTS}/{target.name}", filename)
