from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import (
    CreateView,
    DetailView,
    FormView,
    ListView,
    TemplateView,
    UpdateView,
)

from move.accounts import permissions
from move.accounts.mixins import PermissionRequiredMixin, VisibleObjectMixin
from move.accounts.models import Organisation
from move.accounts.views import SaveVersionedMixin
from move.privacy import pii
from visits import editing, listing, pdf, reports, services
from visits.forms import ReportFilterForm, VisitForm
from visits.models import Observation, Visit, VisitReport
from visits.panels import visit_panels
from visits.report_forms import ObservationFormSet, ReportForm, ShareForm, StartReportForm


class VisitList(PermissionRequiredMixin, ListView):
    """From four weeks back to eight weeks ahead: what is planned and what was done."""

    permission = "visits.view_visit"
    template_name = "visits/visit_list.html"
    paginate_by = 100

    def get_queryset(self):
        today = timezone.localdate()
        return (
            Visit.objects.visible_to(self.request.user)
            .filter(date__range=(today - timedelta(weeks=4), today + timedelta(weeks=8)))
            .select_related("centre", "report")
            .prefetch_related("visitors")
            .order_by("date", "centre__code")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, today = self.request.user, timezone.localdate()
        writes = permissions.has_perm(user, "visits.write_report")
        for visit in context["object_list"]:
            visit.report_or_none = getattr(visit, "report", None)
            visit.may_write = (
                writes
                and visit.report_or_none is None
                and visit.status != Visit.Status.CANCELLED
                and visit.date <= today
                and any(person.pk == user.pk for person in visit.visitors.all())
            )
        return context | {
            "can_plan": permissions.has_perm(user, "visits.plan_visit"),
            "can_read_reports": permissions.has_perm(user, "visits.read_reports"),
        }


class VisitSaved:
    def get_success_url(self):
        messages.success(self.request, _("Visit saved."))
        return reverse("visits:visit-list")


class VisitCreate(PermissionRequiredMixin, VisitSaved, SaveVersionedMixin, CreateView):
    permission = "visits.plan_visit"
    model = Visit
    form_class = VisitForm
    template_name = "visits/visit_form.html"

    def get_initial(self):
        initial = {"date": timezone.localdate() + timedelta(days=7)}
        if permissions.has_role(self.request.user, "visitor"):
            initial["visitors"] = [self.request.user.pk]
        return initial

    def form_valid(self, form):
        form.instance.planned_by = self.request.user
        return super().form_valid(form)


class VisitUpdate(VisibleObjectMixin, VisitSaved, SaveVersionedMixin, UpdateView):
    permission = "visits.plan_visit"
    model = Visit
    form_class = VisitForm
    slug_field = slug_url_kwarg = "code"
    template_name = "visits/visit_form.html"

    def get_context_data(self, **kwargs):
        # What other apps show of this visit (the people met: detainees).
        return super().get_context_data(**kwargs, panels=visit_panels(self.request, self.object))


class Coverage(PermissionRequiredMixin, TemplateView):
    permission = "visits.view_visit"
    template_name = "visits/coverage.html"

    def get_context_data(self, **kwargs):
        today = timezone.localdate()
        year = _year(self.request.GET.get("year"), today.year)
        return super().get_context_data(**kwargs) | {
            "year": year,
            "weeks": range(1, services.weeks_in(year) + 1),
            "rows": services.coverage(year, today),
            "years": sorted({*range(today.year - 3, today.year + 2), year}),
        }


def _year(value, default: int) -> int:
    """The year asked for, or this one when the address carries something else."""
    try:
        year = int(value)
    except (TypeError, ValueError):
        return default
    return year if 2000 <= year <= 2100 else default


def home_gaps(request) -> dict:
    """For the home page: centres not yet covered this week and next week."""
    return {"gaps": services.gaps(timezone.localdate())}


class ReportList(PermissionRequiredMixin, TemplateView):
    """Reports the person may read, newest visit first, filtered; pages follow each other
    by the last row seen (no OFFSET that grows with the page number)."""

    permission = "visits.read_reports"
    template_name = "visits/report_list.html"
    page_size = 50

    def get_context_data(self, **kwargs):
        form = ReportFilterForm(self.request.GET or None)
        page = listing.report_page(
            self.request.user, form, self.request.GET.get("after"), self.page_size
        )
        following = None
        if page.following:
            query = self.request.GET.copy()
            query["after"] = page.following
            following = query.urlencode()
        return super().get_context_data(**kwargs) | {
            "form": form,
            # Each select's options, read once (a comprehension: list() would COUNT first).
            "select_fields": [
                (form[name], [choice for choice in form.fields[name].choices])
                for name in ("centre", "theme", "organisation", "status")
            ],
            "date_fields": [form["date_from"], form["date_to"]],
            "reports": page.reports,
            "following": following,
        }


class ReportDetail(VisibleObjectMixin, DetailView):
    model = VisitReport
    slug_field = slug_url_kwarg = "code"
    template_name = "visits/report_detail.html"
    context_object_name = "report"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("visit__centre", "organisation")
            .prefetch_related("observations__theme", "authors")
        )

    def get_context_data(self, **kwargs):
        user, report = self.request.user, self.object
        # Partners read shared reports without the visitors' names.
        return super().get_context_data(**kwargs) | {
            "show_authors": permissions.has_perm(user, "visits.view_submitted_report"),
            "may_edit": permissions.may_edit_report(user, report),
            "may_share": report.status != VisitReport.Status.DRAFT
            and permissions.may_share_report(user, report),
            "may_see_history": permissions.has_perm(user, "visits.view_report_history"),
        }


# --- Writing a report ------------------------------------------------------------------


class ReportStart(LoginRequiredMixin, FormView):
    """Start the report of a visit one took part in; its language and organisation."""

    template_name = "visits/report_start.html"
    form_class = StartReportForm

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.visit = get_object_or_404(
            Visit.objects.visible_to(request.user).select_related("centre"),
            code=kwargs["code"],
        )
        existing = VisitReport.objects.filter(visit=self.visit).first()
        if existing is not None:
            return redirect(_report_url(request.user, existing))
        editing.require_starter(self.visit, request.user)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        organisations = Organisation.objects.filter(
            pk__in=permissions.report_organisations(self.request.user)
        )
        return super().get_form_kwargs() | {"organisations": organisations}

    def get_initial(self):
        language = self.request.LANGUAGE_CODE
        return {"language": language if language in ("fr", "nl") else "fr"}

    def form_valid(self, form):
        try:
            report = editing.start_report(self.visit, by=self.request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        return redirect("visits:report-update", code=report.code)

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"visit": self.visit}


def _report_url(user, report) -> str:
    if permissions.may_edit_report(user, report) and report.status == VisitReport.Status.DRAFT:
        return reverse("visits:report-update", kwargs={"code": report.code})
    return reverse("visits:report-detail", kwargs={"code": report.code})


class ReportEditorMixin(LoginRequiredMixin):
    """The report is looked for among those the person may read (else 404); changing
    it needs the edit right (else 403). Every request carries the whole form, so each
    action first saves what was typed."""

    template_name = "visits/report_form.html"
    fragment = "visits/report_editor.html"
    partial = False  # whether the valid fields are saved when others are not

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.report = self.get_report()
        reports.require_editor(self.report, request.user)
        return super().dispatch(request, *args, **kwargs)

    def get_report(self):
        return _readable_report(
            self.request.user,
            self.kwargs["code"],
            Prefetch("observations", Observation.objects.select_related("theme", "centre")),
            "dismissals",
        )

    def forms(self, data=None):
        # The prefetched observations: the findings are read from the same objects.
        form = ReportForm(data, instance=self.report)
        formset = ObservationFormSet(data, queryset=self.report.observations.all(), prefix="obs")
        return form, formset

    def save_typed(self):
        """Save what the request carries. Returns (form, formset, problem) where
        problem is None, a Conflict or a validation error message."""
        form, formset = self.forms(self.request.POST)
        valid = all([form.is_valid(), formset.is_valid()])
        seen = _seen_version(self.request.POST)
        self.problem_status = 400
        if seen is None:
            return form, formset, _("This page is out of date: reload it.")
        if not valid and not self.partial:
            # Saving, submitting and the buttons write all or nothing; only the
            # autosave keeps the valid parts of a draft (the page keeps the rest).
            return form, formset, _("Nothing was saved: correct the fields marked below.")
        self.problem_status = 409
        changes = editing.changes_from(self.report, form, formset)
        try:
            editing.save(
                self.report,
                changes,
                by=self.request.user,
                seen_version=seen,
                posted_observations={item.instance.pk for item in formset.forms},
            )
        except editing.Conflict as conflict:
            return form, formset, conflict
        except editing.FindingsRemain as error:
            return form, formset, error.messages[0]
        return form, formset, None

    def render_editor(self, form, formset, problem=None, status=200, fragment=False):
        context = editor_context(self.request, self.report, form, formset, problem)
        template = self.fragment if fragment else self.template_name
        return render(self.request, template, context, status=status)

    def after_action(self, problem=None):
        """Back to the editor: the refreshed form (htmx) or the page itself."""
        if problem is not None:
            form, formset = self.forms(self.request.POST)
            form.is_valid()
            formset.is_valid()
            return self.render_editor(form, formset, problem, fragment=bool(self.request.htmx))
        if self.request.htmx:
            self.report = self.get_report()  # with the observations as they are now
            form, formset = self.forms()
            return self.render_editor(form, formset, fragment=True)
        return redirect("visits:report-update", code=self.report.code)


def _readable_report(user, code, *prefetch) -> VisitReport:
    """A report the person may read (else 404), annotated with their authorship so
    that the edit and share rules need no query of their own."""
    readable = permissions.with_authorship(VisitReport.objects.visible_to(user), user)
    return get_object_or_404(
        readable.select_related("visit__centre", "organisation").prefetch_related(*prefetch),
        code=code,
    )


def _seen_version(data) -> int | None:
    """The version the person saw: the one they accepted after a conflict, if any."""
    for name in ("accept_version", "version"):
        try:
            return int(data[name])
        except (KeyError, ValueError):
            continue
    return None


def editor_context(request, report, form, formset, problem=None) -> dict:
    conflict = problem if isinstance(problem, editing.Conflict) else None
    findings = _findings_by_part(report)
    rows = [
        (
            item,
            findings.get(f"observation-{item.instance.pk}", []),
            number,
            f"observation-{item.instance.pk}",
        )
        for number, item in enumerate(formset.forms, start=1)
    ]
    return {
        "report": report,
        "form": form,
        "formset": formset,
        "observation_rows": rows,
        "findings_general": findings.get("general_conditions", []),
        "findings_atmosphere": findings.get("atmosphere", []),
        "finding_count": sum(len(items) for items in findings.values()),
        "conflict": conflict,
        "differences": (
            editing.conflicting_parts(conflict.current, form, formset) if conflict else []
        ),
        "problem": None if conflict else problem,
        "autosave": report.status == VisitReport.Status.DRAFT,
        "saved_at": None,
        "field_errors": [],
    }


def _findings_by_part(report) -> dict[str, list]:
    grouped: dict[str, list] = {}
    texts = dict(reports.parts(report))
    for number, item in enumerate(reports.unresolved_findings(report), start=1):
        text = texts[item.part]
        finding = item.finding
        grouped.setdefault(item.part, []).append(
            {
                "number": number,
                "kind": finding.kind,
                "kind_label": pii.kind_label(finding.kind),
                "text": finding.text,
                "start": finding.start,
                "end": finding.end,
                "before": text[max(0, finding.start - 40) : finding.start],
                "after": text[finding.end : finding.end + 40],
            }
        )
    return grouped


class ReportUpdate(ReportEditorMixin, View):
    def get(self, request, code):
        form, formset = self.forms()
        return self.render_editor(form, formset)

    def post(self, request, code):
        form, formset, problem = self.save_typed()
        if problem is not None:
            return self.render_editor(form, formset, problem, status=self.problem_status)
        messages.success(request, _("Report saved."))
        return redirect("visits:report-update", code=self.report.code)


class ReportAutosave(ReportEditorMixin, View):
    """What the editor sends every few seconds and on leaving a field (htmx), or when
    the page is closed (a beacon). Answers with the save status and the findings."""

    partial = True

    def post(self, request, code):
        form, formset, problem = self.save_typed()
        if isinstance(problem, editing.Conflict):
            # Both versions, in place of the form; saving stops until the person chooses.
            response = self.render_editor(form, formset, problem, fragment=True)
            response["HX-Retarget"] = "#report-form-wrapper"
            response["HX-Reswap"] = "innerHTML"
            return response
        context = editor_context(request, self.report, form, formset, problem)
        context["saved_at"] = timezone.localtime() if problem is None else None
        context["field_errors"] = _field_errors(form, formset)
        return render(request, "visits/report_autosave.html", context)


def _field_errors(form, formset) -> list[str]:
    errors = [
        f"{form.fields[name].label}: {message}"
        for name, messages_ in form.errors.items()
        if name in form.fields
        for message in messages_
    ]
    for number, item in enumerate(formset.forms, start=1):
        for name, messages_ in item.errors.items():
            label = _("Observation %(number)s") % {"number": number}
            errors += [f"{label}, {item.fields[name].label}: {m}" for m in messages_]
    return errors


class ReportObservations(ReportEditorMixin, View):
    """Add an observation, or remove one (after saving what was typed)."""

    def post(self, request, code):
        _form, _formset, problem = self.save_typed()
        if problem is None:
            try:
                if "remove_observation" in request.POST:
                    editing.remove_observation(
                        self.report,
                        request.POST["remove_observation"],
                        by=request.user,
                        seen_version=self.report.version,
                    )
                else:
                    editing.add_observation(
                        self.report, by=request.user, seen_version=self.report.version
                    )
            except editing.Conflict as conflict:
                problem = conflict
            except ValidationError as error:
                problem = error.messages[0]
        return self.after_action(problem)


class FindingDismiss(ReportEditorMixin, View):
    """Dismiss one finding of the scanner, with the reason (after saving the text)."""

    def post(self, request, code):
        _form, _formset, problem = self.save_typed()
        number = request.POST.get("dismiss", "")
        if problem is None:
            try:
                reports.dismiss(
                    self.report,
                    kind=request.POST.get(f"kind-{number}", ""),
                    text=request.POST.get(f"text-{number}", ""),
                    reason=request.POST.get(f"reason-{number}", ""),
                    by=request.user,
                )
            except ValidationError as error:
                problem = error.messages[0]
        return self.after_action(problem)


class ReportSubmit(ReportEditorMixin, View):
    def post(self, request, code):
        _form, _formset, problem = self.save_typed()
        if problem is None:
            try:
                reports.submit(self.report, by=request.user)
            except ValidationError as error:
                problem = error.messages[0]
        if problem is not None:
            form, formset = self.forms(request.POST)
            form.is_valid()
            formset.is_valid()
            return self.render_editor(form, formset, problem, status=self.problem_status)
        messages.success(request, _("Report submitted: every member of the coalition can read it."))
        return redirect("visits:report-detail", code=self.report.code)


# --- Sharing, history, PDF ---------------------------------------------------------------


class ReportShare(LoginRequiredMixin, FormView):
    """Share a submitted report with partner organisations (Myria, Nansen by default)."""

    template_name = "visits/report_share.html"
    form_class = ShareForm

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.report = _readable_report(request.user, kwargs["code"])
        reports.require_sharer(self.report, request.user)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"partners": reports.partners_for(self.report)}

    def form_valid(self, form):
        try:
            reports.share(
                self.report, by=self.request.user, organisations=form.cleaned_data["organisations"]
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Report shared."))
        return redirect("visits:report-detail", code=self.report.code)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        return context | {
            "report": self.report,
            "shared_with": [item for item in context["form"].rows if item.shared],
            "finding_count": len(reports.unresolved_findings(self.report)),
        }


class ReportHistory(VisibleObjectMixin, DetailView):
    """Every change made to a report after its submission (django-auditlog)."""

    permission = "visits.view_report_history"
    model = VisitReport
    slug_field = slug_url_kwarg = "code"
    template_name = "visits/report_history.html"
    context_object_name = "report"

    def get_queryset(self):
        return super().get_queryset().select_related("visit__centre")

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"entries": reports.history(self.object)}


class ReportPdf(VisibleObjectMixin, DetailView):
    model = VisitReport
    slug_field = slug_url_kwarg = "code"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("visit__centre", "organisation")
            .prefetch_related("observations__theme", "observations__centre", "authors")
        )

    def render_to_response(self, context):
        report = self.object
        document = pdf.render_report(
            report,
            language=self.request.LANGUAGE_CODE,
            show_authors=permissions.has_perm(self.request.user, "visits.view_submitted_report"),
        )
        response = HttpResponse(document, content_type="application/pdf")
        name = f"report-{report.visit.centre.code}-{report.visit.date:%Y-%m-%d}.pdf"
        response["Content-Disposition"] = f'inline; filename="{name}"'
        response["Cache-Control"] = "private, no-store"
        return response
