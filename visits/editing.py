"""Writing a report: start it from a visit, save what was typed (the editor saves by
itself every few seconds), add and remove observations.

Every save names the version of the report it was based on. When someone else saved
in between, nothing is written and the person gets both versions back (`Conflict`):
never a silent overwrite. Drafts are kept out of the history, as they may still hold
personal data the scanner has not cleared; every change after submission is kept
(django-auditlog), and such a change may not bring personal data back in."""

from contextlib import nullcontext
from dataclasses import dataclass

from auditlog.context import disable_auditlog
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from move.accounts import permissions
from visits import reports
from visits.models import Observation, Theme, Visit, VisitReport

# The report's own fields that its editors change: what its readers read as last checked.
REPORT_FIELDS = reports.CHECKED_FIELDS
# What the history of a submitted report keeps.
HISTORY_FIELDS = (*REPORT_FIELDS, "status", "submitted_at", "awaiting_check")
OBSERVATION_FIELDS = ("theme", "centre", "text", "severity", "raise_with_authorities")


class Conflict(Exception):
    """Someone saved the report after the version this save was based on."""

    def __init__(self, current: VisitReport):
        super().__init__("concurrent edit")
        self.current = current


class FindingsRemain(ValidationError):
    """A change to a submitted report would bring personal data into it."""


def require_starter(visit: Visit, by) -> None:
    if not permissions.may_start_report(by, visit):
        raise PermissionDenied(_("Only the visitors who took part in a visit write its report."))


def start_report(visit: Visit, *, by, language: str, organisation) -> VisitReport:
    require_starter(visit, by)
    if visit.status == Visit.Status.CANCELLED:
        raise ValidationError(_("This visit was cancelled: it has no report."))
    if visit.date > timezone.localdate():
        raise ValidationError(_("This visit has not taken place yet."))
    if organisation.pk not in permissions.report_organisations(by):
        raise PermissionDenied(_("You write reports only for your own organisation."))
    with transaction.atomic(), disable_auditlog():
        visit = Visit.objects.select_for_update().get(pk=visit.pk)
        if VisitReport.objects.filter(visit=visit).exists():
            raise ValidationError(_("This visit already has a report."))
        if visit.status != Visit.Status.DONE:
            visit.status = Visit.Status.DONE
            visit.version = F("version") + 1
            visit.save(update_fields=["status", "version"])
        report = VisitReport.objects.create(
            visit=visit, organisation=organisation, language=language
        )
        report.authors.add(by)
    return report


@dataclass
class Changes:
    report: dict  # field name → new value
    observations: dict  # Observation → {field name: new value}

    def __bool__(self):
        return bool(self.report or self.observations)


def changes_from(report: VisitReport, form, formset) -> Changes:
    """What the forms hold that differs from the report: only the fields that are
    valid, so that one bad number never keeps the texts from being saved."""
    report_changes = {
        name: form.cleaned_data[name]
        for name in REPORT_FIELDS
        if name in getattr(form, "cleaned_data", {})
        and form.cleaned_data[name] != getattr(report, name)
    }
    observation_changes = {}
    for item in formset.forms:
        instance = item.instance
        if not instance.pk or instance.report_id != report.pk:
            continue  # an id from elsewhere: refused by the form, ignored here
        data = getattr(item, "cleaned_data", {})
        fields = {
            name: data[name]
            for name in OBSERVATION_FIELDS
            if name in data and data[name] != getattr(instance, name)
        }
        if fields:
            observation_changes[instance] = fields
    return Changes(report_changes, observation_changes)


def save(
    report: VisitReport,
    changes: Changes,
    *,
    by,
    seen_version: int,
    posted_observations: set[int] | None = None,
) -> bool:
    """Write the changes if the report is still at `seen_version`. Returns whether
    anything was written; raises Conflict or FindingsRemain and then writes nothing."""
    reports.require_editor(report, by)
    if not changes:
        # Nothing differs from what is saved: no conflict, whatever version the page had
        # (the answer brings the page the current one), unless the page lacks
        # observations added meanwhile, which it would not show.
        if report.version != seen_version and posted_observations != {
            item.pk for item in report.observations.all()
        }:
            raise Conflict(_reload(report))
        return False
    if report.status != VisitReport.Status.DRAFT:
        _refuse_new_findings(report, changes, by)
    with transaction.atomic(), _history_for(report):
        _bump(report, seen_version)
        _hold_for_check(report, by)
        for name, value in changes.report.items():
            setattr(report, name, value)
        report.last_saved_by = by
        report.save(update_fields=[*changes.report, "last_saved_by", "updated_at"])
        for observation, fields in changes.observations.items():
            for name, value in fields.items():
                setattr(observation, name, value)
            observation.save(update_fields=list(fields))
    return True


def add_observation(report: VisitReport, *, by, seen_version: int) -> Observation:
    reports.require_editor(report, by)
    theme = Theme.objects.filter(active=True, code="other").first() or (
        Theme.objects.filter(active=True).first()
    )
    if theme is None:
        raise ValidationError(_("There is no theme yet: ask a coordinator to add one."))
    with transaction.atomic(), _history_for(report):
        _bump(report, seen_version)
        _hold_for_check(report, by)
        position = report.observations.count()
        observation = Observation.objects.create(
            report=report,
            theme=theme,
            centre=report.visit.centre,
            text="",
            position=position,
        )
        _touch(report, by)
    return observation


def remove_observation(report: VisitReport, observation_pk, *, by, seen_version: int) -> None:
    reports.require_editor(report, by)
    try:
        observation = report.observations.filter(pk=int(observation_pk)).first()
    except (TypeError, ValueError):
        observation = None
    if observation is None:
        raise ValidationError(_("This observation is not part of the report any more."))
    with transaction.atomic(), _history_for(report):
        _bump(report, seen_version)
        _hold_for_check(report, by)
        observation.delete()
        _touch(report, by)


def conflicting_parts(current: VisitReport, form, formset) -> list[dict]:
    """The parts where the saved version and the typed one differ, for showing both."""
    from visits.report_forms import ReportForm

    differences = []
    for name in REPORT_FIELDS:
        theirs = getattr(current, name)
        mine = form.data.get(form.add_prefix(name), "")
        if str(theirs) != str(mine).replace("\r\n", "\n"):
            label = ReportForm.base_fields[name].label or name
            differences.append({"label": label, "theirs": theirs, "mine": mine})
    saved = {item.pk: item for item in current.observations.all()}
    for number, item in enumerate(formset.forms, start=1):
        label = _("Observation %(number)s") % {"number": number}
        mine = item.data.get(item.add_prefix("text"), "")
        theirs = saved.get(item.instance.pk)
        if theirs is None:
            differences.append({"label": label, "theirs": None, "mine": mine})
            continue
        if theirs.text != mine.replace("\r\n", "\n"):
            differences.append({"label": label, "theirs": theirs.text, "mine": mine})
        differences += _setting_differences(label, theirs, item)
    return differences


def _setting_differences(label, theirs, item) -> list[dict]:
    """Theme, centre, severity and the flag of one observation, where they differ."""
    differences = []
    for name in ("theme", "centre", "severity"):
        saved = str(getattr(theirs, f"{name}_id" if name != "severity" else name))
        posted = item.data.get(item.add_prefix(name), "")
        if saved != posted:
            choices = {str(value): str(text) for value, text in item.fields[name].choices}
            shown = str(getattr(theirs, name)) if name != "severity" else choices.get(saved)
            differences.append(
                {
                    "label": f"{label} — {item.fields[name].label}",
                    "theirs": shown,
                    "mine": choices.get(posted, posted),
                }
            )
    posted_flag = bool(item.data.get(item.add_prefix("raise_with_authorities")))
    if posted_flag != theirs.raise_with_authorities:
        differences.append(
            {
                "label": f"{label} — {item.fields['raise_with_authorities'].label}",
                "theirs": _("yes") if theirs.raise_with_authorities else _("no"),
                "mine": _("yes") if posted_flag else _("no"),
            }
        )
    return differences


def _bump(report: VisitReport, seen_version: int) -> None:
    bumped = VisitReport.objects.filter(pk=report.pk, version=seen_version).update(
        version=F("version") + 1
    )
    if not bumped:
        raise Conflict(_reload(report))
    report.version = seen_version + 1


def _hold_for_check(report: VisitReport, by) -> None:
    """A correction of a submitted report by someone the names are not looked for for
    (checks_names_in_report): whatever it is, the report awaits its authors' check, and
    its readers keep the version last checked, taken before the change. Decided on the
    row as saved now, locked by `_bump`, not on `report` as the page loaded it: an
    author may have confirmed since, and the correction must wait again.
    Unconditional, so that nothing tells whether a name was typed."""
    if permissions.checks_names_in_report(by, report):
        return
    row = VisitReport.objects.filter(pk=report.pk).values("status", "awaiting_check").get()
    if row["status"] == VisitReport.Status.DRAFT:
        return
    if row["awaiting_check"]:
        report.awaiting_check = True  # keep the version last checked
        return
    report.checked_content = reports.snapshot(report)
    report.awaiting_check = True
    report.save(update_fields=["awaiting_check", "checked_content"])


def _touch(report: VisitReport, by) -> None:
    report.last_saved_by = by
    report.save(update_fields=["last_saved_by", "updated_at"])


def _reload(report: VisitReport) -> VisitReport:
    return (
        VisitReport.objects.select_related("last_saved_by")
        .prefetch_related(
            Prefetch("observations", Observation.objects.select_related("theme", "centre"))
        )
        .get(pk=report.pk)
    )


def _history_for(report: VisitReport):
    """Changes to a draft stay out of the history; later ones are all kept."""
    if report.status == VisitReport.Status.DRAFT:
        return disable_auditlog()
    return nullcontext()


def _refuse_new_findings(report: VisitReport, changes: Changes, by) -> None:
    """A correction may not bring personal data in. The names of the organisation's
    case files are looked for only when the editor may read them (its visitors): for a
    coordinator the refusal would tell whether a name typed is in the identities, so
    their correction waits for the authors' check instead (`_hold_for_check`)."""
    texts = [(k, v) for k, v in changes.report.items() if k in ("general_conditions", "atmosphere")]
    texts += [
        (f"observation-{item.pk}", fields["text"])
        for item, fields in changes.observations.items()
        if "text" in fields
    ]
    names = permissions.checks_names_in_report(by, report)
    found = [item.finding for item in reports.unresolved_findings(report, texts, known_names=names)]
    if found:
        raise FindingsRemain(
            _(
                "This change would put personal data in a submitted report "
                "(%(found)s): nothing was saved. Remove it and save again."
            ),
            params={"found": ", ".join(sorted({item.text for item in found}))},
        )
