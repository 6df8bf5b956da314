"""The figures' pages: the dashboard of a year (or quarter) and its exports.

CONTRACT STUB (lead): access is decided here through permissions.require_figures; the
rendering is the pages helper's to write (figures/charts.py, templates/figures/)."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views import View

from move.accounts import permissions

FIRST_YEAR = 2000
FORMATS = ("csv", "xlsx", "pdf")


def checked_year(year: int) -> int:
    """A year the figures can be asked for: from FIRST_YEAR to this year, else 404."""
    if not FIRST_YEAR <= year <= timezone.localdate().year:
        raise Http404
    return year


class Index(LoginRequiredMixin, View):
    """The figures of the last whole year."""

    def get(self, request):
        permissions.require_figures(request.user)
        return redirect("figures:dashboard", year=timezone.localdate().year - 1)


class Dashboard(LoginRequiredMixin, View):
    def get(self, request, year):
        permissions.require_figures(request.user, request.GET.get("publication") == "1")
        checked_year(year)
        return HttpResponse("stub")


class Export(LoginRequiredMixin, View):
    def get(self, request, year, format):
        permissions.require_figures(request.user, request.GET.get("publication") == "1")
        checked_year(year)
        if format not in FORMATS:
            raise Http404
        return HttpResponse("stub", content_type="text/csv")
