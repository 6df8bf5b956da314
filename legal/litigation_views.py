"""Strategic litigation: the cases the coalition supports, joins or follows, each with a
timeline of its hearings, decisions and help requests. Every internal role reads them
(`LitigationCase.objects.visible_to`, else 404); legal alone keeps them
(legal.change_litigation, else 403). A linked help request or decision is shown only to
those who may read it: for the others, nothing, not even its code."""

from dataclasses import dataclass
from datetime import date, datetime, time

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from legal.litigation_forms import CaseFilterForm, CaseForm, HearingForm
from legal.models import Decision, Hearing, HelpRequest, LitigationCase
from move.accounts import permissions
from move.accounts.access_changes import acting
from move.accounts.mixins import PermissionRequiredMixin

READ = "legal.view_jurisprudence"
KEEP = "legal.change_litigation"
PAGE_SIZE = 25


class Concurrent(Exception):
    pass


def save_case(form: CaseForm, *, by) -> LitigationCase:
    """Save the case and its links in one transaction; Concurrent when someone else
    saved it since the form was shown (nothing is then changed)."""
    permissions.require(by, KEEP)
    with transaction.atomic(), acting(by):
        case = form.instance
        if case.pk:
            current = LitigationCase.objects.select_for_update().values("updated_at")
            if form.concurrent(current.get(pk=case.pk)["updated_at"]):
                raise Concurrent
        else:
            case.created_by = by
        case = form.save()
        form.save_links()
    return case


def save_hearing(form: HearingForm, case, *, by) -> Hearing:
    """Save the hearing; Concurrent when someone else saved it since the form was shown
    (nothing is then changed). A moved hearing is reminded of again (its reminder was
    for the old date); otherwise its reminder is left as the database holds it (the
    reminder job may have claimed it meanwhile)."""
    permissions.require(by, KEEP)
    with transaction.atomic(), acting(by):
        hearing = form.instance
        existing = bool(hearing.pk)
        if existing:
            current = Hearing.objects.select_for_update().values("updated_at")
            if form.concurrent(current.get(pk=hearing.pk)["updated_at"]):
                raise Concurrent
        hearing = form.save(commit=False)
        hearing.case = case
        if not existing:
            hearing.save()
            return hearing
        fields = ["starts_at", "place", "note", "updated_at"]
        if form.moved:
            hearing.reminded_at = None
            fields.append("reminded_at")
        hearing.save(update_fields=fields)
    return hearing


# --- The list -----------------------------------------------------------------------


class CaseList(PermissionRequiredMixin, View):
    """The cases, the last changed first, each with its next hearing: one query for the
    rows and one for their count, whatever their number."""

    permission = READ

    def get(self, request):
        form = CaseFilterForm(request.GET or None)
        coming = Hearing.objects.filter(case=OuterRef("pk"), starts_at__gte=timezone.now())
        cases = form.apply(LitigationCase.objects.visible_to(request.user)).annotate(
            next_hearing=Subquery(coming.order_by("starts_at").values("starts_at")[:1])
        )
        cases = cases.only("key", "title", "court", "reference", "our_role", "status", "updated_at")
        page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
        context = {
            "form": form,
            "page_obj": page,
            "cases": page.object_list,
            "keeper": permissions.has_perm(request.user, KEEP),
            "filtered": bool(request.GET.get("status")),
        }
        return render(request, "legal/litigation_list.html", context)


class CaseCreate(PermissionRequiredMixin, View):
    permission = KEEP
    template_name = "legal/litigation_form.html"

    def get(self, request):
        return self.render(CaseForm(user=request.user))

    def post(self, request):
        form = CaseForm(request.POST, user=request.user)
        if form.is_valid():
            case = save_case(form, by=request.user)
            messages.success(request, _("The case was added."))
            return redirect("legal:litigation-detail", key=case.key)
        return self.render(form, status=400)

    def render(self, form, status=200):
        context = {"form": form, "case": None}
        return render(self.request, self.template_name, context, status=status)


# --- One case -----------------------------------------------------------------------


class CaseView(LoginRequiredMixin, View):
    """Found among the cases the person reads (404), then, with `permission`, the
    action asked for (403)."""

    permission: str | None = None

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        cases = LitigationCase.objects.visible_to(request.user)
        self.case = get_object_or_404(cases, key=kwargs["key"])
        if self.permission:
            permissions.require(request.user, self.permission)
        return super().dispatch(request, *args, **kwargs)


@dataclass
class Entry:
    """One line of a case's timeline."""

    kind: str  # "hearing", "decision" or "help_request"
    moment: datetime  # for the order
    item: object
    coming: bool = False

    @property
    def day(self) -> date:
        return timezone.localtime(self.moment).date()


def _moment(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def timeline(case, user) -> list[Entry]:
    """The hearings, the decisions the person reads and the help requests they read,
    in the order of their dates: three queries."""
    now = timezone.now()
    entries = [
        Entry("hearing", hearing.starts_at, hearing, hearing.starts_at >= now)
        for hearing in case.hearings.all()
    ]
    decisions = (
        Decision.objects.visible_to(user)
        .filter(litigation_cases=case)
        .defer("search_vector")
        .order_by("date", "pk")
    )
    entries += [Entry("decision", _moment(d.date), d) for d in decisions]
    requests = (
        HelpRequest.objects.visible_to(user)
        .filter(litigation_cases=case)
        .only("pk", "key", "code", "status", "created_at")
        .order_by("created_at", "pk")
    )
    entries += [Entry("help_request", r.created_at, r) for r in requests]
    return sorted(entries, key=lambda entry: entry.moment)


class CaseDetail(CaseView):
    def get(self, request, key):
        entries = timeline(self.case, request.user)
        coming = [entry for entry in entries if entry.kind == "hearing" and entry.coming]
        context = {
            "case": self.case,
            "entries": entries,
            "next_hearing": coming[0].item if coming else None,
            "keeper": permissions.has_perm(request.user, KEEP),
        }
        return render(request, "legal/litigation_detail.html", context)


class CaseUpdate(CaseView):
    permission = KEEP
    template_name = "legal/litigation_form.html"

    def get(self, request, key):
        return self.render(CaseForm(instance=self.case, user=request.user))

    def post(self, request, key):
        form = CaseForm(request.POST, instance=self.case, user=request.user)
        if form.is_valid():
            try:
                save_case(form, by=request.user)
            except Concurrent:
                pass
            else:
                messages.success(request, _("The case was saved."))
                return redirect("legal:litigation-detail", key=key)
        return self.render(form, status=400)

    def render(self, form, status=200):
        context = {"form": form, "case": self.case}
        return render(self.request, self.template_name, context, status=status)


class HearingAdd(CaseView):
    permission = KEEP
    template_name = "legal/hearing_form.html"

    def get(self, request, key):
        return self.render(HearingForm())

    def post(self, request, key):
        form = HearingForm(request.POST)
        if form.is_valid():
            save_hearing(form, self.case, by=request.user)
            messages.success(request, _("The hearing was added."))
            return redirect("legal:litigation-detail", key=key)
        return self.render(form, status=400)

    def render(self, form, status=200):
        context = {"form": form, "case": self.case, "hearing": None}
        return render(self.request, self.template_name, context, status=status)


class HearingUpdate(LoginRequiredMixin, View):
    """A hearing of a case the person reads (else 404); legal alone changes it (403)."""

    template_name = "legal/hearing_form.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        hearings = Hearing.objects.filter(
            case__in=LitigationCase.objects.visible_to(request.user)
        ).select_related("case")
        self.hearing = get_object_or_404(hearings, key=kwargs["key"])
        permissions.require(request.user, KEEP)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, key):
        return self.render(HearingForm(instance=self.hearing))

    def post(self, request, key):
        form = HearingForm(request.POST, instance=self.hearing)
        if form.is_valid():
            case = self.hearing.case
            try:
                save_hearing(form, case, by=request.user)
            except Concurrent:
                pass  # the form says so, with what was typed
            else:
                messages.success(request, _("The hearing was saved."))
                return redirect("legal:litigation-detail", key=case.key)
        return self.render(form, status=400)

    def render(self, form, status=200):
        context = {"form": form, "case": self.hearing.case, "hearing": self.hearing}
        return render(self.request, self.template_name, context, status=status)
