from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
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
from visits import coverage, editing, linkers, listing, pdf, reports, services
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
            # Whether the person may open the visit's report: a draft of another
            # organisation shows its status without a link (no code to follow).
            .annotate(
                report_readable=Exists(
                    VisitReport.objects.visible_to(self.request.user).filter(visit=OuterRef("pk"))
                )
            )
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
            visit.may_change = permissions.may_change_visit(user, visit)
            visit.may_join = permissions.may_join_visit(user, visit)
        return context | {"can_plan": permissions.has_perm(user, "visits.plan_visit")}


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

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"user": self.request.user}

    def form_valid(self, form):
        form.instance.planned_by = self.request.user
        return super().form_valid(form)


class VisitUpdate(VisibleObjectMixin, VisitSaved, SaveVersionedMixin, UpdateView):
    """Its own visitors and the coordinators change a visit (else 403). Another visitor
    joins a planned visit: a POST with `join`, the button of the visit list."""

    permission = "visits.plan_visit"
    model = Visit
    form_class = VisitForm
    slug_field = slug_url_kwarg = "code"
    template_name = "visits/visit_form.html"

    def get_queryset(self):
        visits = super().get_queryset().select_related("centre", "report")
        return visits.prefetch_related("visitors")

    def get_object(self, queryset=None):
        visit = super().get_object(queryset)
        if "join" not in self.request.POST:
            permissions.require_change_visit(self.request.user, visit)
        return visit

    def post(self, request, *args, **kwargs):
        if "join" not in request.POST:
            return super().post(request, *args, **kwargs)
        visit = self.get_object()
        services.join(visit, by=request.user)
        messages.success(
            request,
            _("You joined the visit of %(date)s to %(centre)s.")
            % {"date": date_format(visit.date, "SHORT_DATE_FORMAT"), "centre": visit.centre.name},
        )
        return redirect("visits:visit-list")

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"user": self.request.user}

    def get_context_data(self, **kwargs):
        # What other apps show of this visit (the people met: detainees).
        return super().get_context_data(**kwargs, panels=visit_panels(self.request, self.object))


class Coverage(PermissionRequiredMixin, TemplateView):
    permission = "visits.view_visit"
    template_name = "visits/coverage.html"

    def get_context_data(self, **kwargs):
        """A window of weeks around today (or starting at `from`), or a whole `year`."""
        today = timezone.localdate()
        whole_year = "year" in self.request.GET
        if whole_year:
            year = _year(self.request.GET.get("year"), today.year)
            weeks = coverage.weeks_of_year(year, today)
            start = weeks[0].monday
        else:
            start = coverage.parse_start(self.request.GET.get("from"), today)
            weeks = coverage.weeks_from(start, coverage.WINDOW_WEEKS, today)
            year = weeks[len(weeks) // 2].year  # the year offered for a whole-year view
        shift = timedelta(weeks=coverage.WINDOW_WEEKS)
        return super().get_context_data(**kwargs) | {
            "whole_year": whole_year,
            "year": year,
            "weeks": weeks,
            "rows": coverage.grid(weeks, today),
            "years": sorted({*range(today.year - 3, today.year + 2), year}),
            "earlier": (start - shift).isoformat(),
            "later": (start + shift).isoformat(),
            "current_index": next((n for n, week in enumerate(weeks) if week.current), None),
        }


def _year(value, default: int) -> int:
    """The year asked for, or this one when the address carries something else."""
    try:
        year = int(value)
    except (TypeError, ValueError):
        return default
    return year if 2000 <= year <= 2100 else default


def home_gaps(request) -> dict:
    """For the home page: centres not yet covered this week and next week and, for a
    visitor, their own week: visits ahead, reports to write, drafts in progress."""
    today = timezone.localdate()
    context = {"gaps": services.gaps(today)}
    user = request.user
    if permissions.has_perm(user, "visits.write_report"):
        context["mine"] = _my_week(user, today)
    return context


HOME_DAYS_BACK, HOME_DAYS_AHEAD, HOME_ROWS = 14, 28, 5


def _my_week(user, today) -> dict:
    """Two queries: the person's visits around today (with their reports) and the
    drafts they write."""
    visits = list(
        Visit.objects.visible_to(user)
        .filter(
            visitors=user,
            date__gte=today - timedelta(days=HOME_DAYS_BACK),
            date__lte=today + timedelta(days=HOME_DAYS_AHEAD),
        )
        .exclude(status=Visit.Status.CANCELLED)
        .select_related("centre", "report")
        .order_by("date", "centre__code")
    )
    drafts = list(
        VisitReport.objects.visible_to(user)
        .filter(authors=user, status=VisitReport.Status.DRAFT)
        .select_related("centre")
        .order_by("-visit_date")[:HOME_ROWS]
    )
    return {
        "ahead": [visit for visit in visits if visit.date > today][:HOME_ROWS],
        "to_write": [
            visit
            for visit in reversed(visits)
            if visit.date <= today and getattr(visit, "report", None) is None
        ][:HOME_ROWS],
        "drafts": drafts,
    }


class ReportList(PermissionRequiredMixin, TemplateView):
    """Reports the person may read, newest visit first, filtered; pages follow each other
    by the last row seen (no OFFSET that grows with the page number)."""

    permission = "visits.read_reports"
    template_name = "visits/report_list.html"
    page_size = 50

    def get_context_data(self, **kwargs):
        form = ReportFilterForm(self.request.GET or None, user=self.request.user)
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
            "reports": page.reports,
            "following": following,
        }


class ReportDetail(VisibleObjectMixin, DetailView):
    model = VisitReport
    slug_field = slug_url_kwarg = "code"
    template_name = "visits/report_detail.html"
    context_object_name = "report"

    def get_queryset(self):
        # With the reader's authorship: the edit, share and check rules ask no query.
        return permissions.with_authorship(
            super()
            .get_queryset()
            .select_related("visit__centre", "organisation")
            # The themes joined to the observations: one query for both.
            .prefetch_related(
                Prefetch("observations", Observation.objects.select_related("theme")), "authors"
            ),
            self.request.user,
        )

    def get_context_data(self, **kwargs):
        user, report = self.request.user, self.object
        # Partners read shared reports without the visitors' names, and the version last
        # checked while a correction awaits the authors' check.
        shown, observations = reports.readable_version(report, user)
        internal = permissions.has_perm(user, "visits.view_submitted_report")
        texts = [shown.general_conditions, shown.atmosphere, *(o.text for o in observations)]
        # Case-file codes link to the file for those who may open it; partners get no
        # link, so they never learn whether a code exists.
        found = linkers.links(user, texts) if internal else {}
        for observation in observations:
            observation.text_html = linkers.linked(observation.text, found)
        may_edit = permissions.may_edit_report(user, report)
        return super().get_context_data(**kwargs) | {
            "shown": shown,
            "observations": observations,
            "general_conditions_html": linkers.linked(shown.general_conditions, found),
            "atmosphere_html": linkers.linked(shown.atmosphere, found),
            "show_authors": internal,
            "may_edit": may_edit,
            "may_confirm": report.awaiting_check and permissions.may_confirm_report(user, report),
            "awaiting_check": report.awaiting_check and may_edit,
            "may_share": report.status != VisitReport.Status.DRAFT
            and permissions.may_share_report(user, report),
            "may_see_history": permissions.has_perm(user, "visits.view_report_history"),
            "shares": (
                reports.current_shares(report)
                if internal and report.status == VisitReport.Status.SHARED
                else []
            ),
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
        existing = _visit_report(request.user, self.visit)
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


def _visit_report(user, visit) -> VisitReport | None:
    """The report of the visit, if any, when the person may read it; 404 when it exists
    but they may not (never a redirect that would show its code)."""
    readable = permissions.with_authorship(VisitReport.objects.visible_to(user), user)
    report = readable.filter(visit=visit).first()
    if report is None and VisitReport.objects.filter(visit=visit).exists():
        raise Http404
    return report


def _report_url(user, report) -> str:
    """The report's editor for an author of a draft, else the report (read by the person:
    callers find it among those they may read)."""
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

    def after_action(self, problem=None, saved=False):
        """Back to the editor: the refreshed form (htmx) or the page itself. `saved`:
        what was typed is saved and only the action was refused, which then is said
        once on the editor's page, after a redirect (no form left at the action's
        address)."""
        if saved and problem is not None and not self.request.htmx:
            messages.error(self.request, problem)
            return redirect("visits:report-update", code=self.report.code)
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
    user = request.user
    findings = _findings_by_part(report, user)
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
        "awaiting_check": report.awaiting_check,
        "may_confirm": report.awaiting_check and permissions.may_confirm_report(user, report),
        "saved_at": None,
        "field_errors": [],
    }


def _findings_by_part(report, user) -> dict[str, list]:
    """The findings shown to `user`: without the known names for those who may not read
    them (reports.findings_for), so that the editor answers a coordinator the same
    whatever the word typed."""
    grouped: dict[str, list] = {}
    texts = dict(reports.parts(report))
    for number, item in enumerate(reports.findings_for(report, user), start=1):
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
                return self.after_action(error.messages[0], saved=True)
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
                return self.after_action(error.messages[0], saved=True)
        return self.after_action(problem)


class ReportSubmit(ReportEditorMixin, View):
    """Submit a draft, or confirm a corrected report awaiting its authors' check (the
    same button of the editor: the full check, then its readers read it as it is)."""

    def post(self, request, code):
        _form, _formset, problem = self.save_typed()
        if problem is not None:
            # Nothing was saved (a conflict, a field to correct): the page keeps the text.
            form, formset = self.forms(request.POST)
            form.is_valid()
            formset.is_valid()
            return self.render_editor(form, formset, problem, status=self.problem_status)
        confirming = self.report.status != VisitReport.Status.DRAFT
        try:
            if confirming:
                reports.confirm(self.report, by=request.user)
            else:
                reports.submit(self.report, by=request.user)
        except ValidationError as error:
            # What was typed is saved: one message, on the editor, which marks what to fix.
            messages.error(request, error.messages[0])
            return redirect("visits:report-update", code=self.report.code)
        if confirming:
            messages.success(request, _("Report checked: its readers now read it as corrected."))
        else:
            messages.success(
                request, _("Report submitted: every member of the coalition can read it.")
            )
        return redirect("visits:report-detail", code=self.report.code)


# --- Sharing, history, PDF ---------------------------------------------------------------


class SharerMixin(LoginRequiredMixin):
    """A page of a report's shares: the report readable (else 404), its sharing allowed
    to the person (else 403)."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.report = _readable_report(request.user, kwargs["code"])
        reports.require_sharer(self.report, request.user)
        return super().dispatch(request, *args, **kwargs)


class ReportShare(SharerMixin, FormView):
    """Share a submitted report with partner organisations (none ticked at first), and
    see with whom it is shared, by whom and since when."""

    template_name = "visits/report_share.html"
    form_class = ShareForm

    def get_form_kwargs(self):
        partners = reports.partners_for(self.report).filter(shared=False)
        return super().get_form_kwargs() | {"partners": partners}

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
        report, user = self.report, self.request.user
        # A coordinator is told of no known name (reports.findings_for), and a report
        # awaiting its authors' check is not counted at all: it is shared once checked.
        count = 0 if report.awaiting_check else len(reports.findings_for(report, user))
        return super().get_context_data(**kwargs) | {
            "report": report,
            "shares": reports.current_shares(report),
            "finding_count": count,
        }


class ReportShareRevoke(SharerMixin, View):
    """Stop sharing a report with one partner organisation: its members lose access at
    once (their next request is a 404)."""

    def post(self, request, code):
        organisation = Organisation.objects.filter(
            kind=Organisation.Kind.PARTNER, pk=_int(request.POST.get("organisation"))
        ).first()
        try:
            if organisation is None:
                raise ValidationError(_("This report is not shared with that organisation."))
            reports.revoke_share(self.report, organisation, by=request.user)
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(
                request,
                _("%(name)s no longer reads this report.") % {"name": organisation.name},
            )
        return redirect("visits:report-share", code=self.report.code)


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


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
        return super().get_context_data(**kwargs) | {
            "entries": reports.history(self.object),
            "shares": reports.share_records(self.object),
        }


class ReportPdf(VisibleObjectMixin, DetailView):
    model = VisitReport
    slug_field = slug_url_kwarg = "code"

    def get_queryset(self):
        return permissions.with_authorship(
            super()
            .get_queryset()
            .select_related("visit__centre", "organisation")
            .prefetch_related("observations__theme", "observations__centre", "authors"),
            self.request.user,
        )

    def render_to_response(self, context):
        report = self.object
        # The version last checked for those who read no unchecked correction.
        shown, observations = reports.readable_version(report, self.request.user, centres=True)
        document = pdf.render_report(
            shown,
            observations=observations,
            language=self.request.LANGUAGE_CODE,
            show_authors=permissions.has_perm(self.request.user, "visits.view_submitted_report"),
        )
        response = HttpResponse(document, content_type="application/pdf")
        name = f"report-{report.visit.centre.code}-{report.visit.date:%Y-%m-%d}.pdf"
        response["Content-Disposition"] = f'inline; filename="{name}"'
        response["Cache-Control"] = "private, no-store"
        return response
