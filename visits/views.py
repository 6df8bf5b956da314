from datetime import timedelta

from django.contrib import messages
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import CreateView, DetailView, ListView, TemplateView, UpdateView

from move.accounts import permissions
from move.accounts.mixins import PermissionRequiredMixin, VisibleObjectMixin
from move.accounts.views import SaveVersionedMixin
from visits import listing, services
from visits.forms import ReportFilterForm, VisitForm
from visits.models import Visit, VisitReport


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
            .select_related("centre")
            .prefetch_related("visitors")
            .order_by("date", "centre__code")
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "can_plan": permissions.has_perm(self.request.user, "visits.plan_visit")
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
        # Partners read shared reports without the visitors' names.
        return super().get_context_data(**kwargs) | {
            "show_authors": permissions.has_perm(self.request.user, "visits.view_submitted_report")
        }
