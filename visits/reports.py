"""The life of a visit report: draft → submitted → shared. A report is submitted and
shared only when the PII scanner finds nothing left unresolved in it; each finding is
fixed by editing the text or dismissed with a reason, which is recorded."""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from move.accounts import permissions
from move.accounts.models import Organisation
from move.privacy import pii, registry
from visits.models import FindingDismissal, VisitReport


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


def unresolved_findings(report: VisitReport) -> list[ReportFinding]:
    names = registry.known_names(report.organisation)
    dismissed = set(report.dismissals.values_list("kind", "text"))
    return [
        ReportFinding(part, finding)
        for part, text in parts(report)
        for finding in pii.scan(text, known_names=names, language=report.language)
        if (finding.kind, finding.text) not in dismissed
    ]


def dismiss(report: VisitReport, *, kind: str, text: str, reason: str, by) -> FindingDismissal:
    _require_editor(report, by)
    if not reason.strip():
        raise ValidationError(_("Say why this is not personal data."))
    if len(reason) > 500 or len(text) > 300:
        raise ValidationError(_("This is too long to be recorded: shorten the reason."))
    dismissal, _created = FindingDismissal.objects.get_or_create(
        report=report,
        kind=kind,
        text=text,
        defaults={"reason": reason.strip(), "dismissed_by": by},
    )
    return dismissal


@transaction.atomic
def submit(report: VisitReport, *, by) -> VisitReport:
    _require_editor(report, by)
    if report.status != VisitReport.Status.DRAFT:
        raise ValidationError(_("Only a draft can be submitted."))
    _refuse_unresolved(report)
    report.status = VisitReport.Status.SUBMITTED
    report.submitted_at = timezone.now()
    report.save(update_fields=["status", "submitted_at", "updated_at"])
    return report


@transaction.atomic
def share(report: VisitReport, *, by, organisations=None) -> VisitReport:
    """Share with partner organisations: those chosen, or all active partners when no
    choice is given. Only active partner organisations ever receive a report."""
    if not permissions.may_share_report(by, report):
        raise PermissionDenied(_("Only its authors and the coordinators share a report."))
    if report.status == VisitReport.Status.DRAFT:
        raise ValidationError(_("Submit the report before sharing it."))
    _refuse_unresolved(report)
    partners = Organisation.objects.filter(kind=Organisation.Kind.PARTNER, active=True)
    if organisations is not None:
        partners = partners.filter(pk__in=[organisation.pk for organisation in organisations])
    chosen = list(partners)
    if not chosen:
        raise ValidationError(_("Choose at least one active partner organisation."))
    for organisation in chosen:
        permissions.share(report, organisation, "view_visitreport")
    report.status = VisitReport.Status.SHARED
    report.save(update_fields=["status", "updated_at"])
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


def _require_editor(report: VisitReport, by) -> None:
    if not permissions.may_edit_report(by, report):
        raise PermissionDenied(
            _("Only its authors, or a coordinator once submitted, change a report.")
        )
