"""The points of attention (issue 12): the register with its filters, a page per point
with its observations and its history across meetings, the form, and raising the
observations of a report as a point (new, or added to an open one).

Who may do what is asked of move/accounts/permissions.py and the querysets'
`visible_to`: a point (or report) a person may not read is 404, an action they may not
take on one they read is 403."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from advocacy import points
from advocacy.models import AgendaItem, ExchangeMeeting, PointOfAttention
from advocacy.point_forms import PointFilterForm, PointForm, RaiseForm
from move.accounts import permissions
from move.accounts.mixins import PermissionRequiredMixin
from move.centres.models import Centre
from visits import listing
from visits.models import Observation, Theme, VisitReport

READ = "advocacy.view_point"
KEEP = "advocacy.change_point"
PAGE_SIZE = 50
LISTED = [
    "pk",
    "key",
    "code",
    "title",
    "status",
    "theme_id",
    "first_raised_on",
    "created_at",
    "owner__first_name",
    "owner__last_name",
    "owner__email",
]


class Concurrent(Exception):
    """Someone else saved the point since the form was shown: nothing was changed."""


def save_point(form, *, by) -> PointOfAttention:
    """Save the point; Concurrent when someone else saved it since the form was shown
    (checked under the row's lock, with the status moved from the locked row's)."""
    with transaction.atomic():
        if form.instance.pk:
            current = PointOfAttention.objects.select_for_update().values("updated_at", "status")
            current = current.get(pk=form.instance.pk)
            if form.concurrent(current["updated_at"]):
                raise Concurrent
            points.check_move(current["status"], form.cleaned_data["status"])
        else:
            form.instance.created_by = by
        return form.save()


def status_labels() -> dict:
    return dict(PointOfAttention.Status.choices)


# --- The register -------------------------------------------------------------------------


class PointList(PermissionRequiredMixin, TemplateView):
    """The points, newest first, PAGE_SIZE a page, filtered by status, theme, centre,
    raised since and words of the title. Rows are plain values; their themes and centres
    are those the filters read."""

    permission = READ
    template_name = "advocacy/point_list.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        themes = list(Theme.objects.filter(active=True))
        centres = list(Centre.objects.all())
        form = PointFilterForm(self.request.GET or None, themes, centres)
        chosen = form.apply(PointOfAttention.objects.visible_to(user)).order_by(
            "-created_at", "-pk"
        )
        page = Paginator(chosen.values(*LISTED), PAGE_SIZE).get_page(self.request.GET.get("page"))
        rows = list(page.object_list)
        self.label_rows(rows, themes, centres)
        return super().get_context_data(**kwargs) | {
            "form": form,
            "page_obj": page,
            "points": rows,
            "filtered": form.filtered,
            "may_keep": permissions.has_perm(user, KEEP),
        }

    @staticmethod
    def label_rows(rows, themes, centres) -> None:
        """Each row's theme, centres, status and owner, from the rows already read (an
        inactive theme in one more query)."""
        themes = listing.by_pk({t.pk: t for t in themes}, Theme, {row["theme_id"] for row in rows})
        centres_of: dict[int, list] = {}
        if rows:
            links = PointOfAttention.centres.through.objects.filter(
                pointofattention_id__in=[row["pk"] for row in rows]
            ).values_list("pointofattention_id", "centre_id")
            links = list(links)
            known = {centre.pk: centre for centre in centres}
            for point, centre in links:
                centres_of.setdefault(point, []).append(str(known[centre]))
        labels = status_labels()
        for row in rows:
            row["theme"] = str(themes[row["theme_id"]])
            row["status_label"] = labels.get(row["status"], row["status"])
            row["centres"] = sorted(centres_of.get(row["pk"], []))
            name = f"{row['owner__first_name']} {row['owner__last_name']}".strip()
            row["owner"] = name or row["owner__email"] or ""


# --- Creating and changing a point --------------------------------------------------------


class PointCreate(PermissionRequiredMixin, View):
    permission = KEEP
    template_name = "advocacy/point_form.html"

    def get(self, request):
        initial = {}
        if permissions.has_perm(request.user, KEEP):
            initial["owner"] = request.user.pk
        return self.page(PointForm(initial=initial))

    def post(self, request):
        form = PointForm(request.POST)
        if not form.is_valid():
            return self.page(form, status=400)
        point = save_point(form, by=request.user)
        messages.success(request, _("Point %(code)s added.") % {"code": point.code})
        return redirect("advocacy:point-detail", key=point.key)

    def page(self, form, status=200):
        return render(
            self.request, self.template_name, {"form": form, "point": None}, status=status
        )


class PointObjectMixin(LoginRequiredMixin):
    """One point, found among those the person reads (else 404)."""

    def find(self, key):
        return get_object_or_404(
            PointOfAttention.objects.visible_to(self.request.user).select_related(
                "theme", "owner", "created_by"
            ),
            key=key,
        )


class PointUpdate(PointObjectMixin, View):
    template_name = "advocacy/point_form.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.object = self.find(kwargs["key"])
        permissions.require(request.user, KEEP)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, key):
        return self.page(PointForm(instance=self.object))

    def post(self, request, key):
        form = PointForm(request.POST, instance=self.object)
        if not form.is_valid():
            return self.page(form, status=400)
        try:
            point = save_point(form, by=request.user)
        except Concurrent:
            return self.page(form, status=400)  # the form says so, with what was typed
        except ValidationError as error:
            form.add_error(None, error)  # the status moved meanwhile
            return self.page(form, status=400)
        messages.success(request, _("Point %(code)s saved.") % {"code": point.code})
        return redirect("advocacy:point-detail", key=point.key)

    def page(self, form, status=200):
        # The point as saved, not as typed, for the title.
        point = PointOfAttention.objects.get(pk=self.object.pk) if form.is_bound else self.object
        return render(
            self.request, self.template_name, {"form": form, "point": point}, status=status
        )


# --- A point ------------------------------------------------------------------------------


class PointDetail(PointObjectMixin, TemplateView):
    """The point, its observations (a link and the text for the reports the reader
    reads), its history across meetings with the authorities and the exchange meetings
    where it was raised."""

    template_name = "advocacy/point_detail.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        point = self.find(kwargs["key"])
        return super().get_context_data(**kwargs) | {
            "point": point,
            "centres": [str(centre) for centre in point.centres.all()],
            "observations": self.observations(point, user),
            "history": list(
                AgendaItem.objects.filter(point=point)
                .select_related("meeting", "follow_up_owner")
                .order_by("meeting__date", "meeting__pk")
            ),
            "exchanges": list(
                ExchangeMeeting.objects.visible_to(user)
                .filter(points=point)
                .order_by("-date", "-pk")
                .values("key", "date")
            ),
            "may_keep": permissions.has_perm(user, KEEP),
        }

    @staticmethod
    def observations(point, user) -> list:
        """In one query, with whether the reader reads each one's report and wrote it
        (so that the rule on corrections awaiting the authors' check asks nothing)."""
        readable = VisitReport.objects.visible_to(user).filter(pk=OuterRef("report_id"))
        written = VisitReport.authors.through.objects.filter(
            visitreport_id=OuterRef("report_id"), user_id=user.pk
        )
        found = list(
            point.observations.select_related("report", "theme", "centre")
            .annotate(readable=Exists(readable), written=Exists(written))
            .order_by("-report__visit_date", "pk")
        )
        for observation in found:
            report = observation.report
            report._author_pk, report._is_author = user.pk, observation.written
            observation.text_shown = observation.readable and (
                not report.awaiting_check or permissions.reads_unchecked_corrections(user, report)
            )
        return found


# --- Raising observations of a report -----------------------------------------------------


class PointRaise(LoginRequiredMixin, View):
    """GET: the report's observations (those flagged, or the one asked for, ticked) and
    the choice of a new point or an open one; POST: one transaction, then the point."""

    template_name = "advocacy/point_raise.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.report = points.raisable_report(request.user, kwargs["code"])
        if self.report is None:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, code):
        observations = self.observations()
        asked = request.GET.get("observation")
        ticked = [
            o.pk
            for o in observations
            if (str(o.position) == asked if asked is not None else o.raise_with_authorities)
        ]
        first = next((o for o in observations if o.pk in ticked), None)
        initial = {"observations": ticked, "choice": RaiseForm.NEW}
        if first is not None:
            initial |= {
                "title": str(first.theme),
                "description": first.text if first.text_shown else "",
                "theme": first.theme_id,
            }
        return self.page(self.form(observations, first, initial=initial))

    def post(self, request, code):
        observations = self.observations()
        form = self.form(observations, None, data=request.POST)
        if not form.is_valid():
            return self.page(form, status=400)
        chosen = form.chosen_observations()
        try:
            if form.cleaned_data["choice"] == RaiseForm.EXISTING:
                point = points.raise_observations(
                    self.report, chosen, by=request.user, point=form.chosen_point()
                )
            else:
                point = points.raise_observations(
                    self.report,
                    chosen,
                    by=request.user,
                    title=form.cleaned_data["title"],
                    description=form.cleaned_data["description"],
                    theme=form.chosen_theme(),
                )
        except ValidationError as error:
            form.add_error(None, error)
            return self.page(form, status=400)
        messages.success(
            request,
            _("The observations feed the point %(code)s “%(title)s”.")
            % {"code": point.code, "title": point.title},
        )
        return redirect("advocacy:point-detail", key=point.key)

    def observations(self) -> list:
        """The report's observations; their texts are shown (and copied into a new point)
        only while no correction awaits the authors' check."""
        found = list(
            Observation.objects.filter(report=self.report)
            .select_related("theme", "centre")
            .order_by("position", "pk")
        )
        feeds = points.points_of_observations(self.request.user, [o.pk for o in found])
        for number, observation in enumerate(found, start=1):
            observation.number = number
            observation.text_shown = not self.report.awaiting_check
            observation.label = _("Observation %(number)s: %(theme)s, %(centre)s") % {
                "number": number,
                "theme": observation.theme,
                "centre": observation.centre,
            }
            observation.feeds = feeds.get(observation.pk, [])
        return found

    def form(self, observations, first, **kwargs):
        theme_id = first.theme_id if first else None
        return RaiseForm(
            observations=observations,
            open_points=points.open_points(self.request.user, theme_id),
            themes=list(Theme.objects.filter(active=True)),
            **kwargs,
        )

    def page(self, form, status=200):
        return render(
            self.request,
            self.template_name,
            {
                "form": form,
                "report": self.report,
                "observations": form.observation_rows,
                "boxes": list(zip(form["observations"], form.observation_rows, strict=True)),
                "new_fields": [form["title"], form["description"], form["theme"]],
            },
            status=status,
        )
