"""The exchange meetings (issue 12): ten a year, the visitors, the advocacy team and the
partners (Myria, Nansen) around focus themes. Every internal role reads them all, a
partner those their organisation attended (`ExchangeMeeting.objects.visible_to`), and
of this app nothing else: the points raised are shown only to readers of points.
Coordinators and advocacy keep them. A meeting a person may not read is 404; an action
they may not take on one they read is 403."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce, ExtractYear
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from advocacy.exchange_forms import ExchangeFilterForm, ExchangeForm
from advocacy.models import ExchangeMeeting, PointOfAttention
from move.accounts import permissions
from move.accounts.mixins import PermissionRequiredMixin
from visits import listing
from visits.models import Theme

READ = "advocacy.view_exchange_meeting"
KEEP = "advocacy.change_exchange_meeting"
POINTS = "advocacy.view_point"
PAGE_SIZE = 50


class Concurrent(Exception):
    """Someone else saved the meeting since the form was shown: nothing was changed."""


def save_exchange(form, *, by) -> ExchangeMeeting:
    """Save the meeting; Concurrent when someone else saved it since the form was shown
    (checked under the row's lock)."""
    with transaction.atomic():
        if form.instance.pk:
            current = ExchangeMeeting.objects.select_for_update().values("updated_at")
            if form.concurrent(current.get(pk=form.instance.pk)["updated_at"]):
                raise Concurrent
        else:
            form.instance.created_by = by
        return form.save()


def _points_count():
    through = ExchangeMeeting.points.through.objects.filter(exchangemeeting_id=OuterRef("pk"))
    counted = through.order_by().values("exchangemeeting_id").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


class ExchangeList(PermissionRequiredMixin, TemplateView):
    """The meetings a person reads, newest first, PAGE_SIZE a page, filtered by year and
    focus theme, with how many were held each year, counted from the records."""

    permission = READ
    template_name = "advocacy/exchange_list.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        # The partners' rule joins the organisations: the rows are read by their pks.
        visible = ExchangeMeeting.objects.filter(
            pk__in=ExchangeMeeting.objects.visible_to(user).values("pk")
        )
        yearly = list(
            visible.annotate(year=ExtractYear("date"))
            .order_by()
            .values("year")
            .annotate(meetings=Count("pk"))
            .order_by("-year")
        )
        themes = list(Theme.objects.filter(active=True))
        form = ExchangeFilterForm(self.request.GET or None, [row["year"] for row in yearly], themes)
        chosen = form.apply(visible).order_by("-date", "-pk")
        reads_points = permissions.has_perm(user, POINTS)
        if reads_points:
            chosen = chosen.annotate(points_count=_points_count())
        listed = ["pk", "key", "date"] + (["points_count"] if reads_points else [])
        page = Paginator(chosen.values(*listed), PAGE_SIZE).get_page(self.request.GET.get("page"))
        rows = list(page.object_list)
        self.label_rows(rows, {theme.pk: theme for theme in themes})
        return super().get_context_data(**kwargs) | {
            "form": form,
            "page_obj": page,
            "meetings": rows,
            "yearly": yearly,
            "chosen_year": form.chosen_year(),
            "filtered": form.filtered,
            "reads_points": reads_points,
            "may_keep": permissions.has_perm(user, KEEP),
        }

    @staticmethod
    def label_rows(rows, themes) -> None:
        """Each row's focus themes (the active ones already read, others in one more
        query) and the short names of the organisations present."""
        if not rows:
            return
        pks = [row["pk"] for row in rows]
        links = list(
            ExchangeMeeting.themes.through.objects.filter(exchangemeeting_id__in=pks).values_list(
                "exchangemeeting_id", "theme_id"
            )
        )
        themes = listing.by_pk(themes, Theme, {theme for _m, theme in links})
        present = ExchangeMeeting.organisations.through.objects.filter(
            exchangemeeting_id__in=pks
        ).values_list("exchangemeeting_id", "organisation__short_name")
        themes_of, organisations_of = {}, {}
        for meeting, theme in links:
            themes_of.setdefault(meeting, []).append(str(themes[theme]))
        for meeting, name in present:
            organisations_of.setdefault(meeting, []).append(name)
        for row in rows:
            row["themes"] = sorted(themes_of.get(row["pk"], []))
            row["organisations"] = sorted(organisations_of.get(row["pk"], []))


class ExchangeCreate(PermissionRequiredMixin, View):
    permission = KEEP
    template_name = "advocacy/exchange_form.html"

    def get(self, request):
        return self.page(ExchangeForm(user=request.user))

    def post(self, request):
        form = ExchangeForm(request.POST, user=request.user)
        if not form.is_valid():
            return self.page(form, status=400)
        meeting = save_exchange(form, by=request.user)
        messages.success(
            request, _("Exchange meeting of %(date)s added.") % {"date": date_format(meeting.date)}
        )
        return redirect("advocacy:exchange-detail", key=meeting.key)

    def page(self, form, status=200):
        return render(
            self.request, self.template_name, {"form": form, "meeting": None}, status=status
        )


def find(user, key) -> ExchangeMeeting:
    return get_object_or_404(
        ExchangeMeeting.objects.filter(
            pk__in=ExchangeMeeting.objects.visible_to(user).values("pk")
        ),
        key=key,
    )


class ExchangeDetail(LoginRequiredMixin, TemplateView):
    template_name = "advocacy/exchange_detail.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        meeting = find(user, kwargs["key"])
        reads_points = permissions.has_perm(user, POINTS)
        raised = []
        if reads_points:
            raised = list(
                PointOfAttention.objects.visible_to(user)
                .filter(exchange_meetings=meeting)
                .order_by("code")
                .values("key", "code", "title", "status")
            )
            labels = dict(PointOfAttention.Status.choices)
            for point in raised:
                point["status_label"] = labels.get(point["status"], point["status"])
        return super().get_context_data(**kwargs) | {
            "meeting": meeting,
            "themes": [str(theme) for theme in meeting.themes.all()],
            "organisations": [str(org) for org in meeting.organisations.order_by("short_name")],
            "reads_points": reads_points,
            "points": raised,
            "may_keep": permissions.has_perm(user, KEEP),
        }


class ExchangeUpdate(LoginRequiredMixin, View):
    template_name = "advocacy/exchange_form.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.object = find(request.user, kwargs["key"])
        permissions.require(request.user, KEEP)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, key):
        return self.page(ExchangeForm(instance=self.object, user=request.user))

    def post(self, request, key):
        form = ExchangeForm(request.POST, instance=self.object, user=request.user)
        if not form.is_valid():
            return self.page(form, status=400)
        try:
            meeting = save_exchange(form, by=request.user)
        except Concurrent:
            return self.page(form, status=400)  # the form says so, with what was typed
        messages.success(
            request, _("Exchange meeting of %(date)s saved.") % {"date": date_format(meeting.date)}
        )
        return redirect("advocacy:exchange-detail", key=meeting.key)

    def page(self, form, status=200):
        meeting = ExchangeMeeting.objects.get(pk=self.object.pk) if form.is_bound else self.object
        return render(
            self.request, self.template_name, {"form": form, "meeting": meeting}, status=status
        )
