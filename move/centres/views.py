from django.contrib import messages
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import CreateView, DetailView, ListView, UpdateView

from move.accounts import permissions
from move.accounts.mixins import PermissionRequiredMixin, VisibleObjectMixin
from move.accounts.views import SaveVersionedMixin
from move.centres.forms import CentreForm, CentreYearForm
from move.centres.models import Centre, CentreYear


class CentreList(PermissionRequiredMixin, ListView):
    permission = "centres.view_centre"
    template_name = "centres/centre_list.html"

    def get_queryset(self):
        return (
            Centre.objects.visible_to(self.request.user).in_name_order().prefetch_related("years")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_change"] = permissions.has_perm(self.request.user, "centres.change_centre")
        return context


class CentreDetail(VisibleObjectMixin, DetailView):
    model = Centre
    slug_field = slug_url_kwarg = "code"
    template_name = "centres/centre_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["years"] = self.object.years.all()
        context["can_change"] = permissions.has_perm(self.request.user, "centres.change_centre")
        return context


class CentreSaved:
    def get_success_url(self):
        messages.success(self.request, _("Centre saved."))
        centre = getattr(self.object, "centre", self.object)
        return reverse("centres:centre-detail", args=[centre.code])


class CentreCreate(PermissionRequiredMixin, CentreSaved, SaveVersionedMixin, CreateView):
    permission = "centres.change_centre"
    model = Centre
    form_class = CentreForm
    template_name = "centres/centre_form.html"


class CentreUpdate(VisibleObjectMixin, CentreSaved, SaveVersionedMixin, UpdateView):
    permission = "centres.change_centre"
    model = Centre
    form_class = CentreForm
    slug_field = slug_url_kwarg = "code"
    template_name = "centres/centre_form.html"


class CentreYearCreate(PermissionRequiredMixin, CentreSaved, SaveVersionedMixin, CreateView):
    permission = "centres.change_centre"
    model = CentreYear
    form_class = CentreYearForm
    template_name = "centres/centreyear_form.html"

    def dispatch(self, request, *args, **kwargs):
        visible = Centre.objects.visible_to(request.user) if request.user.is_authenticated else None
        self.centre = (
            get_object_or_404(visible, code=kwargs["code"]) if visible is not None else None
        )
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"centre": self.centre}

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"centre": self.centre}


class CentreYearUpdate(VisibleObjectMixin, CentreSaved, SaveVersionedMixin, UpdateView):
    permission = "centres.change_centre"
    model = CentreYear
    form_class = CentreYearForm
    slug_field = slug_url_kwarg = "code"
    template_name = "centres/centreyear_form.html"

    def get_queryset(self):
        return CentreYear.objects.filter(
            centre__in=Centre.objects.visible_to(self.request.user)
        ).select_related("centre")

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"centre": self.object.centre}
