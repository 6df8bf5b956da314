"""The life of a visit report: draft → submitted → shared. A report is submitted and
shared only when the PII scanner finds nothing left unresolved in it; each finding is
fixed by editing the text or dismissed with a reason, which is recorded."""

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from move.accounts import permissions
from move.accounts.models import Organisation
from move.centres.models import Centre
from move.privacy import pii, registry
from visits.models import (
    FindingDismissal,
    Observation,
    Theme,
    VisitReport,
    VisitReportGroupObjectPermission,
)


@dataclass(frozen=True)
class ReportFinding:
    part: str  # "general_conditions", "atmosphere" or "observation-<pk>"
    finding: pii.Finding


def parts(report: VisitReport) -> list[tuple[str, str]]:
    texts = [
        ("general_conditions", report.general_conditions),
        ("atmosphere", report.atmosphere),
    ]
    texts += [(f"observation-{item.pk}", item.text) for item in report.observations.all()]
    return texts


def unresolved_findings(report: VisitReport, texts=None, known_names=True) -> list[ReportFinding]:
    """What the scanner finds in the report's parts (or in `texts`, (part, text) pairs
    about to be saved) that nobody dismissed; `known_names=False` leaves out the names
    of the organisation's case files."""
    names = registry.known_names(report.organisation) if known_names else []
    dismissed = {(item.kind, item.text) for item in report.dismissals.all()}
    return [
        ReportFinding(part, finding)
        for part, text in (parts(report) if texts is None else texts)
        for finding in pii.scan(text, known_names=names, language=report.language)
        if (finding.kind, finding.text) not in dismissed
    ]


def dismiss(report: VisitReport, *, kind: str, text: str, reason: str, by) -> FindingDismissal:
    require_editor(report, by)
    if not reason.strip():
        raise ValidationError(_("Say why this is not personal data."))
    if len(reason) > 500:
        raise ValidationError(_("This is too long to be recorded: shorten the reason."))
    # Only what the scanner found in the report now: a made-up dismissal would let
    # personal data through later.
    found = {(item.finding.kind, item.finding.text) for item in unresolved_findings(report)}
    if (kind, text) not in found:
        raise ValidationError(_("This is not among the findings of the report any more."))
    dismissal, _created = FindingDismissal.objects.get_or_create(
        report=report,
        kind=kind,
        text=text,
        defaults={"reason": reason.strip(), "dismissed_by": by},
    )
    return dismissal


@transaction.atomic
def submit(report: VisitReport, *, by) -> VisitReport:
    require_editor(report, by)
    current = _locked(report)
    if current.status != VisitReport.Status.DRAFT:
        raise ValidationError(_("Only a draft can be submitted."))
    observations = enumerate(current.observations.all(), start=1)
    empty = [number for number, item in observations if not item.text.strip()]
    if empty:
        raise ValidationError(
            _("Observation %(number)s has no text: write it or remove the observation."),
            params={"number": empty[0]},
        )
    _refuse_unresolved(current)
    current.status = VisitReport.Status.SUBMITTED
    current.submitted_at = timezone.now()
    return _save_step(report, current, ["status", "submitted_at"])


@transaction.atomic
def share(report: VisitReport, *, by, organisations=None) -> VisitReport:
    """Share with partner organisations: those chosen, or all active partners when no
    choice is given. Only active partner organisations ever receive a report."""
    require_sharer(report, by)
    current = _locked(report)
    if current.status == VisitReport.Status.DRAFT:
        raise ValidationError(_("Submit the report before sharing it."))
    _refuse_unresolved(current)
    partners = Organisation.objects.filter(kind=Organisation.Kind.PARTNER, active=True)
    if organisations is not None:
        partners = partners.filter(pk__in=[organisation.pk for organisation in organisations])
    chosen = list(partners)
    if not chosen:
        raise ValidationError(_("Choose at least one active partner organisation."))
    for organisation in chosen:
        permissions.share(report, organisation, "view_visitreport")
    current.status = VisitReport.Status.SHARED
    return _save_step(report, current, ["status"])


def _locked(report: VisitReport) -> VisitReport:
    """The report as saved now, locked to the end of the transaction: what is checked
    (status, texts) is what the step applies to, whatever another request does."""
    return (
        VisitReport.objects.select_for_update(of=("self",))
        .select_related("organisation")
        .get(pk=report.pk)
    )


def _save_step(report: VisitReport, current: VisitReport, fields: list[str]) -> VisitReport:
    # A new version: an editor still open on the previous one gets both versions shown
    # instead of writing over the step.
    current.version += 1
    current.save(update_fields=[*fields, "version", "updated_at"])
    for name in (*fields, "version", "updated_at"):
        setattr(report, name, getattr(current, name))
    return report


def _refuse_unresolved(report: VisitReport) -> None:
    remaining = unresolved_findings(report)
    if remaining:
        message = ngettext(
            "%(count)s piece of personal data remains: fix it or dismiss it first.",
            "%(count)s pieces of personal data remain: fix or dismiss each first.",
            len(remaining),
        )
        raise ValidationError(message, params={"count": len(remaining)})


def require_sharer(report: VisitReport, by) -> None:
    if not permissions.may_share_report(by, report):
        raise PermissionDenied(_("Only its authors and the coordinators share a report."))


def require_editor(report: VisitReport, by) -> None:
    if not permissions.may_edit_report(by, report):
        raise PermissionDenied(
            _("Only its authors, or a coordinator once submitted, change a report.")
        )


def partners_for(report: VisitReport):
    """The active partner organisations, each marked `shared` if it reads the report."""
    shares = VisitReportGroupObjectPermission.objects.filter(
        content_object=report,
        permission__codename="view_visitreport",
        group=OuterRef("group"),
    )
    return Organisation.objects.filter(kind=Organisation.Kind.PARTNER, active=True).annotate(
        shared=Exists(shares)
    )


def history(report: VisitReport) -> list[dict]:
    """The recorded changes of a report and of its observations, newest first; only
    changes after submission are recorded (drafts may still hold personal data).
    Themes and centres named in the changes are read once, not once per change."""
    from auditlog.models import LogEntry

    kinds = ContentType.objects.get_for_models(VisitReport, Observation)
    entries = list(
        LogEntry.objects.filter(
            Q(content_type=kinds[VisitReport], object_pk=str(report.pk))
            | Q(content_type=kinds[Observation], additional_data__report=report.pk)
        )
        .select_related("actor")
        .order_by("-timestamp", "-pk")
    )
    names = _names_of_references(entry.changes_dict for entry in entries)
    models_by_kind = {kinds[VisitReport].pk: VisitReport, kinds[Observation].pk: Observation}
    return [
        {
            "entry": entry,
            "what": models_by_kind[entry.content_type_id]._meta.verbose_name,
            "changes": [
                _change(models_by_kind[entry.content_type_id], field, values, names)
                for field, values in entry.changes_dict.items()
            ],
        }
        for entry in entries
    ]


_REFERENCES = {"theme": Theme, "centre": Centre}


def _names_of_references(changes) -> dict:
    wanted: dict[str, set] = {}
    for change in changes:
        for field, values in change.items():
            if field in _REFERENCES:
                wanted.setdefault(field, set()).update(v for v in values if v not in (None, "None"))
    return {
        (field, str(pk)): str(item)
        for field, pks in wanted.items()
        for pk, item in _REFERENCES[field].objects.in_bulk(list(pks)).items()
    }


def _change(model, field: str, values, names) -> dict:
    try:
        model_field = model._meta.get_field(field)
    except FieldDoesNotExist:
        model_field = None
    label = getattr(model_field, "verbose_name", field)
    choices = dict(getattr(model_field, "flatchoices", None) or ())

    def shown(value):
        if value in (None, "None", ""):
            return "—"
        return names.get((field, str(value))) or choices.get(value) or str(value)

    old, new = (list(values) + [None, None])[:2]
    return {"label": label, "old": shown(old), "new": shown(new)}
