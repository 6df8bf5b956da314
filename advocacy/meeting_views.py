"""Meetings with the authorities (issue 12).

Read by visitors, legal, coordinators and advocacy (advocacy.view_point), kept by
coordinators and legal (advocacy.change_point). A meeting the person may not read is
not found (404); a refused action on one they read is a 403 with its reason. Individual
situations are case-file codes only, shown as a link to those who may open the file."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, IntegerField, Min, OuterRef, Subquery
from django.db.models.functions import Coalesce, ExtractYear
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from advocacy import meetings, points
from advocacy.meeting_forms import (
    MeetingEditForm,
    MeetingFilterForm,
    MeetingForm,
    MinutesForm,
    PdfForm,
)
from advocacy.models import AgendaItem, AuthorityMeeting, PointOfAttention, Situation
from advocacy.tasks import make_meeting_pdf
from detainees.models import Person
from move.accounts import permissions
from move.accounts.mixins import PermissionRequiredMixin
from move.privacy import jobs
from move.privacy.models import Job

READ = meetings.READ
KEEP = meetings.KEEP
PAGE_SIZE = 50


class Concurrent(Exception):
    """Someone else saved the meeting since the form was shown: nothing was changed."""


def _count(model, **extra):
    rows = (
        model.objects.filter(meeting=OuterRef("pk"), **extra)
        .order_by()
        .values("meeting")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def _locked(meeting_pk, form):
    current = AuthorityMeeting.objects.select_for_update().values("updated_at").get(pk=meeting_pk)
    if form.concurrent(current["updated_at"]):
        raise Concurrent


class MeetingList(PermissionRequiredMixin, TemplateView):
    """The meetings, newest first, with their number of points and situations and the
    next follow-up due; filtered by year and authority."""

    permission = READ
    template_name = "advocacy/meeting_list.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        visible = AuthorityMeeting.objects.visible_to(user)
        years = list(
            visible.annotate(year=ExtractYear("date"))
            .order_by("-year")
            .values_list("year", flat=True)
            .distinct()
        )
        form = MeetingFilterForm(self.request.GET or None, years)
        filters = form.filters() if form.is_bound else {}
        next_due = (
            AgendaItem.objects.filter(
                meeting=OuterRef("pk"), follow_up_done=False, follow_up_due__isnull=False
            )
            .order_by()
            .values("meeting")
            .annotate(first=Min("follow_up_due"))
            .values("first")
        )
        chosen = (
            visible.filter(**filters)
            .annotate(
                points=_count(AgendaItem),
                situation_count=_count(Situation),
                follow_ups=_count(AgendaItem, follow_up_done=False, follow_up_due__isnull=False),
                next_due=Subquery(next_due),
            )
            .order_by("-date", "-pk")
            .values(
                "key",
                "date",
                "authority",
                "authority_detail",
                "centre__name",
                "status",
                "points",
                "situation_count",
                "follow_ups",
                "next_due",
            )
        )
        page = Paginator(chosen, PAGE_SIZE).get_page(self.request.GET.get("page"))
        rows = list(page.object_list)
        authorities = dict(AuthorityMeeting.Authority.choices)
        statuses = dict(AuthorityMeeting.Status.choices)
        for row in rows:
            row["authority_label"] = authorities.get(row["authority"], row["authority"])
            row["status_label"] = statuses.get(row["status"], row["status"])
        return super().get_context_data(**kwargs) | {
            "form": form,
            "page_obj": page,
            "meetings": rows,
            "filtered": bool(filters),
            "may_keep": permissions.has_perm(user, KEEP),
        }


class MeetingCreate(PermissionRequiredMixin, View):
    """A new meeting (a draft): its agenda starts with the points still open from the
    previous meeting with the same authority (meetings.carry_over)."""

    permission = KEEP
    template_name = "advocacy/meeting_form.html"

    def get(self, request):
        return self.page(MeetingForm(initial={"authority": "immigration_office"}))

    def post(self, request):
        form = MeetingForm(request.POST)
        if not form.is_valid():
            return self.page(form, status=400)
        with transaction.atomic():
            meeting = form.save(commit=False)
            meeting.created_by = request.user
            meeting.save()
            form.save_m2m()
            carried = meetings.carry_over(meeting)
        messages.success(request, _("Meeting of %(date)s added.") % {"date": meeting.date})
        if carried:
            messages.info(
                request,
                _("%(count)s point(s) still open carried over from the previous meeting.")
                % {"count": len(carried)},
            )
        return redirect("advocacy:meeting-update", key=meeting.key)

    def page(self, form, status=200):
        return render(self.request, self.template_name, {"form": form}, status=status)


def readable_codes(user, person_ids) -> set[int]:
    """Of these case files, those the user may open: one query."""
    if not person_ids:
        return set()
    return set(
        Person.objects.visible_to(user).filter(pk__in=person_ids).values_list("pk", flat=True)
    )


class MeetingDetail(LoginRequiredMixin, TemplateView):
    template_name = "advocacy/meeting_detail.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        meeting = get_object_or_404(
            AuthorityMeeting.objects.visible_to(user).select_related("centre"), key=kwargs["key"]
        )
        items = list(
            meeting.items.select_related("point", "follow_up_owner").order_by("position", "pk")
        )
        situations = list(
            meeting.situations.select_related("person")
            .only("pk", "note", "person__code", "person__key", "meeting_id")
            .order_by("pk")
        )
        readable = readable_codes(user, [s.person_id for s in situations])
        for situation in situations:
            situation.readable = situation.person_id in readable
        for item in items:
            item.owner_label = (
                meetings.user_label(item.follow_up_owner) if item.follow_up_owner else ""
            )
        ours = [meetings.user_label(u) for u in meeting.our_attendees.order_by("first_name")]
        language = translation.get_language()[:2]
        return super().get_context_data(**kwargs) | {
            "meeting": meeting,
            "items": items,
            "situations": situations,
            "ours": ours,
            "may_keep": permissions.has_perm(user, KEEP),
            "pdf_form": PdfForm(initial={"language": language if language == "nl" else "fr"}),
        }


class KeptMeetingMixin(LoginRequiredMixin):
    """Pages that change a meeting: found among those the person reads (else 404), then
    the keeping is asked for (else 403)."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.object = get_object_or_404(
            AuthorityMeeting.objects.visible_to(request.user).select_related("centre"),
            key=kwargs["key"],
        )
        permissions.require(request.user, KEEP)
        return super().dispatch(request, *args, **kwargs)


class MeetingUpdate(KeptMeetingMixin, View):
    """The meeting, its agenda and its individual situations, in one form and one
    transaction; a change saved meanwhile by someone else is not overwritten."""

    template_name = "advocacy/meeting_update.html"

    def form(self, data=None):
        meeting = self.object
        items = list(meeting.items.select_related("point").order_by("position", "pk"))
        situations = list(meeting.situations.select_related("person").order_by("pk"))
        present = [item.point_id for item in items]
        offered = (
            PointOfAttention.objects.visible_to(self.request.user)
            .still_open()
            .exclude(pk__in=present)
            .only("pk", "code", "title")
            .order_by("code")
        )
        return MeetingEditForm(
            data,
            instance=meeting,
            user=self.request.user,
            items=items,
            situations=situations,
            offered=list(offered),
        )

    def get(self, request, key):
        return self.page(self.form())

    def post(self, request, key):
        form = self.form(request.POST)
        if not form.is_valid():
            return self.page(form, status=400)
        try:
            with transaction.atomic():
                _locked(self.object.pk, form)
                meeting = form.save()
                self.save_agenda(meeting, form)
                self.save_situations(meeting, form)
                meeting.save(update_fields=["updated_at"])
        except Concurrent:
            return self.page(form, status=400)  # the form says so, with what was typed
        messages.success(request, _("Meeting of %(date)s saved.") % {"date": meeting.date})
        return redirect("advocacy:meeting-detail", key=meeting.key)

    @staticmethod
    def save_agenda(meeting, form):
        data = form.cleaned_data
        kept = []
        for item, order, remove in form.item_fields:
            if data.get(remove):
                item.delete()
            else:
                kept.append((data[order], item.position, item))
        kept.sort(key=lambda row: (row[0], row[1], row[2].pk))
        position = -1
        for position, (_place, _before, item) in enumerate(kept):
            if item.position != position:
                item.position = position
                item.save(update_fields=["position"])
        for point in data["add_points"]:
            position += 1
            AgendaItem.objects.get_or_create(
                meeting=meeting, point=point, defaults={"position": position}
            )

    @staticmethod
    def save_situations(meeting, form):
        wanted = dict(form.cleaned_data["situations"])
        existing = {s.person_id: s for s in meeting.situations.all()}
        for person_id, situation in existing.items():
            if person_id not in wanted:
                situation.delete()
        for person_id, note in wanted.items():
            situation = existing.get(person_id)
            if situation is None:
                Situation.objects.create(meeting=meeting, person_id=person_id, note=note)
            elif situation.note != note:
                situation.note = note
                situation.save(update_fields=["note"])

    def page(self, form, status=200):
        meeting = AuthorityMeeting.objects.get(pk=self.object.pk) if form.is_bound else self.object
        return render(
            self.request,
            self.template_name,
            {"form": form, "meeting": meeting},
            status=status,
        )


def owner_choices() -> list[tuple[int, str]]:
    """The keepers who may own a follow-up, read once for every item of the page."""
    return [(user.pk, meetings.user_label(user)) for user in meetings.keepers()]


class RefusedMove(Exception):
    """A point may not take the status the minutes give it: nothing was changed."""


def _move_points(form, current: dict) -> None:
    """Give each point the status the minutes give it, checked against its locked row
    (`current`: pk -> status); a refused move becomes the field's error."""
    now = timezone.now()
    refused = False
    moves = []
    for item in form.items:
        status = form.cleaned_data.get(f"status_{item.pk}")
        if not status or item.point_id not in current or current[item.point_id] == status:
            continue
        try:
            points.check_move(current[item.point_id], status)
        except ValidationError as error:
            form.add_error(f"status_{item.pk}", error.message_dict["status"])
            refused = True
            continue
        moves.append((item.point_id, status))
    if refused:
        raise RefusedMove
    for point_id, status in moves:
        PointOfAttention.objects.filter(pk=point_id).update(status=status, updated_at=now)


class MeetingMinutes(KeptMeetingMixin, View):
    """Per agenda item the answer and the follow-up; marking the meeting held raises its
    open points. One transaction; a change saved meanwhile is not overwritten."""

    template_name = "advocacy/meeting_minutes.html"

    def form(self, data=None):
        items = list(self.object.items.select_related("point").order_by("position", "pk"))
        return MinutesForm(data, instance=self.object, items=items, owners=owner_choices())

    def get(self, request, key):
        return self.page(self.form())

    def post(self, request, key):
        form = self.form(request.POST)
        if not form.is_valid():
            return self.page(form, status=400)
        try:
            with transaction.atomic():
                _locked(self.object.pk, form)
                meeting = form.save(commit=False)
                held = form.cleaned_data["held"]
                meeting.status = (
                    AuthorityMeeting.Status.HELD if held else AuthorityMeeting.Status.DRAFT
                )
                meeting.save()
                for item in form.items:
                    for name, value in form.item_values(item).items():
                        setattr(item, name, value)
                    item.save()
                if held:
                    # The points are locked before anything moves them; each new status
                    # is checked against the row as it stands now.
                    point_ids = [item.point_id for item in form.items]
                    list(
                        PointOfAttention.objects.select_for_update()
                        .filter(pk__in=point_ids)
                        .order_by("pk")
                        .values_list("pk", flat=True)
                    )
                    meetings.hold(meeting)
                    current = dict(
                        PointOfAttention.objects.filter(pk__in=point_ids).values_list(
                            "pk", "status"
                        )
                    )
                    _move_points(form, current)
        except (Concurrent, RefusedMove):
            return self.page(form, status=400)
        messages.success(request, _("Minutes of %(date)s saved.") % {"date": meeting.date})
        return redirect("advocacy:meeting-detail", key=meeting.key)

    def page(self, form, status=200):
        meeting = AuthorityMeeting.objects.get(pk=self.object.pk) if form.is_bound else self.object
        return render(
            self.request, self.template_name, {"form": form, "meeting": meeting}, status=status
        )


class MeetingPdf(LoginRequiredMixin, View):
    """POST document=agenda|minutes and language=fr|nl: a Job makes the PDF; its page
    shows the progress and the file. Every reader may ask; a bad request is a 400 with
    the reason."""

    http_method_names = ["post"]

    def post(self, request, key):
        meeting = get_object_or_404(
            AuthorityMeeting.objects.visible_to(request.user).select_related("centre"), key=key
        )
        form = PdfForm(request.POST)
        if not form.is_valid():
            return render(
                request,
                "advocacy/meeting_pdf_refused.html",
                {"form": form, "meeting": meeting},
                status=400,
            )
        document, language = form.cleaned_data["document"], form.cleaned_data["language"]
        with transaction.atomic():
            job = Job.objects.create(
                owner=request.user,
                kind=meetings.KINDS[document],
                subject=f"{meeting.date:%Y-%m-%d}",
                language=translation.get_language()[:2],
            )
            jobs.enqueue(job, make_meeting_pdf, job.pk, meeting.pk, document, language)
        return redirect(reverse("privacy:job-detail", kwargs={"code": job.code}))
