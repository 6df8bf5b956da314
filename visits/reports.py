"""The life of a visit report: draft → submitted → shared. A report is submitted and
shared only when the PII scanner finds nothing left unresolved in it; each finding is
fixed by editing the text or dismissed with a reason, which is recorded.

The names held in an organisation's identities are looked for only for those who may
read them (its visitors): for anyone else, a finding, a count or a refusal would tell
whether a word typed is a name there. A correction by such a person (a coordinator)
therefore puts the report in "awaiting the authors' check", unconditionally; its readers
other than its editors (partners first) keep reading the version last checked
(`checked_content`) until an author runs the full check and confirms (`confirm`)."""

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import BooleanField, Exists, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from move.accounts import access_changes, permissions
from move.accounts.models import Organisation
from move.centres.models import Centre
from move.privacy import pii, registry
from visits import search
from visits.models import (
    FindingDismissal,
    Observation,
    ReportShare,
    Theme,
    VisitReport,
    VisitReportGroupObjectPermission,
)

# What the readers of a report read, kept as last checked while a correction awaits
# the authors' check.
CHECKED_FIELDS = (
    "language",
    "general_conditions",
    "atmosphere",
    "people_met",
    "people_new",
    "families",
    "minors_claimed",
)
CHECKED_OBSERVATION_FIELDS = ("theme_id", "centre_id", "text", "severity", "raise_with_authorities")


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


def findings_for(report: VisitReport, user) -> list[ReportFinding]:
    """The findings `user` may be told of: the known names only for those who may read
    them, so that nothing shown to anyone else depends on the identities held."""
    return unresolved_findings(report, known_names=permissions.checks_names_in_report(user, report))


def dismiss(report: VisitReport, *, kind: str, text: str, reason: str, by) -> FindingDismissal:
    require_editor(report, by)
    if not reason.strip():
        raise ValidationError(_("Say why this is not personal data."))
    if len(reason) > 500:
        raise ValidationError(_("This is too long to be recorded: shorten the reason."))
    # Only what the scanner found in the report now, as shown to this person: a made-up
    # dismissal would let personal data through later, and the answer to one must not
    # tell a coordinator whether a word is a known name.
    found = {(item.finding.kind, item.finding.text) for item in findings_for(report, by)}
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
    _refuse_empty_observations(current)
    _refuse_unresolved(current)
    current.status = VisitReport.Status.SUBMITTED
    current.submitted_at = timezone.now()
    return _save_step(report, current, ["status", "submitted_at"])


@transaction.atomic
def confirm(report: VisitReport, *, by) -> VisitReport:
    """An author's check of a corrected report: the full check (known names included)
    finds nothing left, and its readers read it as it is now."""
    if not permissions.may_confirm_report(by, report):
        raise PermissionDenied(
            _(
                "Only its authors confirm a corrected report: they may see the names "
                "it is checked for."
            )
        )
    current = _locked(report)
    if not current.awaiting_check:
        raise ValidationError(_("This report does not await a check."))
    _refuse_empty_observations(current)
    _refuse_unresolved(current)
    current.awaiting_check = False
    current.checked_content = None
    _save_step(report, current, ["awaiting_check", "checked_content"])
    # Its words were kept out of the search while unchecked (visits/search.py).
    search.update_search_vector(current)
    return report


def share(report: VisitReport, *, by, organisations=None) -> VisitReport:
    """Share with partner organisations: those chosen, or all active partners when no
    choice is given. Only active partner organisations ever receive a report.

    Sharing always runs the full check, the names of the organisation's case files
    included: a case file may have been opened after the authors' last check. Those who
    may not read the names (a coordinator) are not told of them: when only the names'
    check finds something, the report is put in "awaiting the authors' check" (kept so,
    whatever happens to the refusal) and the share is refused with the message given
    for any report awaiting that check, never with a count or a kind. That "held"
    differs from "shared" tells nothing of the identities to its sharer: the words of
    a report they may share are its authors' (any correction of theirs already puts the
    report in "awaiting the authors' check", and then every share is refused before the
    names are looked for), and they may not dismiss a name they are not shown."""
    require_sharer(report, by)
    with transaction.atomic(), access_changes.acting(by):
        current = _locked(report)
        if current.status == VisitReport.Status.DRAFT:
            raise ValidationError(_("Submit the report before sharing it."))
        if current.awaiting_check:
            raise ValidationError(AWAITING_SHARE)
        reads_names = permissions.checks_names_in_report(by, current)
        # What its sharer may be told of: refused with the count, as for its authors.
        _refuse_unresolved(current, known_names=reads_names)
        held = not reads_names and bool(unresolved_findings(current))
        if held:
            _hold(report, current)
        else:
            _grant(report, current, by, organisations)
    if held:
        # Raised once the hold is committed (or kept in the caller's transaction), so
        # that the refusal does not undo it.
        raise ValidationError(AWAITING_SHARE)
    return report


def _hold(report: VisitReport, current: VisitReport) -> None:
    """Put a report in "awaiting the authors' check": its readers (partners first) keep
    reading it as it is now (it was not awaiting: what it holds is what they read)."""
    current.checked_content = snapshot(current)
    current.awaiting_check = True
    _save_step(report, current, ["awaiting_check", "checked_content"])
    report.checked_content = current.checked_content


def _grant(report: VisitReport, current: VisitReport, by, organisations) -> None:
    partners = Organisation.objects.filter(kind=Organisation.Kind.PARTNER, active=True)
    if organisations is not None:
        partners = partners.filter(pk__in=[organisation.pk for organisation in organisations])
    chosen = list(partners)
    if not chosen:
        raise ValidationError(_("Choose at least one active partner organisation."))
    recorded = set(
        current.shares.filter(revoked_at__isnull=True).values_list("organisation_id", flat=True)
    )
    for organisation in chosen:
        permissions.share(report, organisation, "view_visitreport")
        if organisation.pk not in recorded:
            ReportShare.objects.create(report=current, organisation=organisation, shared_by=by)
    current.status = VisitReport.Status.SHARED
    _save_step(report, current, ["status"])


AWAITING_SHARE = gettext_lazy(
    "This report awaits its authors' check: it can be shared once they have confirmed it."
)


@transaction.atomic
def revoke_share(report: VisitReport, organisation, *, by) -> VisitReport:
    """Stop sharing with one partner: its members lose access at once. A report shared
    with nobody any more is back to "submitted"."""
    require_sharer(report, by)
    with access_changes.acting(by):
        return _revoke(report, organisation, by)


def _revoke(report: VisitReport, organisation, by) -> VisitReport:
    current = _locked(report)
    grants = VisitReportGroupObjectPermission.objects.filter(
        content_object=current, permission__codename="view_visitreport"
    )
    record = current.shares.filter(organisation=organisation, revoked_at__isnull=True).first()
    if record is None and not grants.filter(group_id=organisation.group_id).exists():
        raise ValidationError(
            _("This report is not shared with %(name)s."), params={"name": organisation.name}
        )
    permissions.unshare(current, organisation, "view_visitreport")
    if record is None:  # a share made before shares were recorded
        record = ReportShare(report=current, organisation=organisation, shared_by=None)
    record.revoked_by, record.revoked_at = by, timezone.now()
    record.save()
    if current.status == VisitReport.Status.SHARED and not grants.exists():
        current.status = VisitReport.Status.SUBMITTED
        return _save_step(report, current, ["status"])
    return report


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


def _refuse_empty_observations(report: VisitReport) -> None:
    observations = enumerate(report.observations.all(), start=1)
    empty = [number for number, item in observations if not item.text.strip()]
    if empty:
        raise ValidationError(
            _("Observation %(number)s has no text: write it or remove the observation."),
            params={"number": empty[0]},
        )


def _refuse_unresolved(report: VisitReport, known_names=True) -> None:
    remaining = unresolved_findings(report, known_names=known_names)
    if remaining:
        message = ngettext(
            "One piece of personal data remains: fix it or dismiss it first.",
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


def current_shares(report: VisitReport) -> list[Organisation]:
    """The partner organisations that read the report now, each with who shared it and
    when (`shared_at`, `shared_by_name`; None for a share made before they were
    recorded): one query."""
    record = ReportShare.objects.filter(
        report=report, organisation=OuterRef("pk"), revoked_at__isnull=True
    ).order_by("-shared_at", "-pk")
    shared = partners_for(report).filter(shared=True).order_by("name")
    rows = list(
        shared.annotate(
            shared_at=Subquery(record.values("shared_at")[:1]),
            shared_by_first=Subquery(record.values("shared_by__first_name")[:1]),
            shared_by_last=Subquery(record.values("shared_by__last_name")[:1]),
            shared_by_email=Subquery(record.values("shared_by__email")[:1]),
        )
    )
    for row in rows:
        full = f"{row.shared_by_first or ''} {row.shared_by_last or ''}".strip()
        row.shared_by_name = full or row.shared_by_email
    return rows


def share_records(report: VisitReport) -> list[ReportShare]:
    """Every share of the report, current and revoked, newest first (its history)."""
    return list(
        report.shares.select_related("organisation", "shared_by", "revoked_by").order_by(
            "-shared_at", "-pk"
        )
    )


# --- What readers read while a correction awaits the authors' check ----------------------


def snapshot(report: VisitReport) -> dict:
    """The report's content as saved now (read from the database, not from `report`)."""
    content = VisitReport.objects.filter(pk=report.pk).values(*CHECKED_FIELDS).get()
    content["observations"] = list(
        Observation.objects.filter(report_id=report.pk)
        .order_by("position", "pk")
        .values(*CHECKED_OBSERVATION_FIELDS)
    )
    return content


_NOTHING_CHECKED = {
    name: VisitReport._meta.get_field(name).get_default() for name in CHECKED_FIELDS
} | {"observations": []}


def readable_version(report: VisitReport, user, *, centres=False):
    """(report, observations) as `user` reads them: as they are for its editors and
    while no correction awaits the authors' check; else the version last checked,
    rebuilt from `checked_content` (themes, and centres if asked, in one query each),
    or, should there be none, no text at all.
    `report` comes with its observations (and their themes) prefetched."""
    if not report.awaiting_check or permissions.reads_unchecked_corrections(user, report):
        return report, list(report.observations.all())
    # No version last checked (never expected): nothing unchecked is shown, only the
    # figures' defaults and no text, rather than the text awaiting the check.
    content = report.checked_content or _NOTHING_CHECKED | {"language": report.language}
    shown = VisitReport.from_db(
        report._state.db,
        [field.attname for field in VisitReport._meta.concrete_fields],
        [getattr(report, field.attname) for field in VisitReport._meta.concrete_fields],
    )
    for name in CHECKED_FIELDS:
        setattr(shown, name, content[name])
    shown.visit, shown.organisation = report.visit, report.organisation
    items = content["observations"]
    themes = Theme.objects.in_bulk({item["theme_id"] for item in items})
    places = Centre.objects.in_bulk({item["centre_id"] for item in items}) if centres else {}
    observations = []
    for position, item in enumerate(items):
        observation = Observation(report=shown, position=position, **item)
        observation.theme = themes[item["theme_id"]]
        if centres:
            observation.centre = places[item["centre_id"]]
        observations.append(observation)
    return shown, observations


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
        if isinstance(model_field, BooleanField):
            return _("yes") if str(value) == "True" else _("no")
        return names.get((field, str(value))) or choices.get(value) or str(value)

    old, new = (list(values) + [None, None])[:2]
    return {"label": label, "old": shown(old), "new": shown(new)}
