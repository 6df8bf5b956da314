"""The administration site, for coordinators. Access comes from permissions.py (not from
is_staff), and signing in goes through allauth so that MFA cannot be bypassed."""

from functools import update_wrapper

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext_lazy as _

from move.accounts import permissions


class MoveAdminSite(admin.AdminSite):
    site_header = _("Move administration")
    site_title = _("Move administration")
    index_title = _("Administration")

    def has_permission(self, request):
        return request.user.is_active and permissions.has_perm(request.user, "accounts.use_admin")

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)

        def refuse_or_serve(request, *args, **kwargs):
            # A signed-in person without the right is refused (403), not sent to log in again.
            if request.user.is_authenticated and not self.has_permission(request):
                permissions.require(request.user, "accounts.use_admin")
            return inner(request, *args, **kwargs)

        return update_wrapper(refuse_or_serve, inner)

    def login(self, request, extra_context=None):
        """Sign-in goes through allauth (and its second factor); a signed-in person
        coming back here is sent on, not round in circles."""
        from django.contrib.auth.views import redirect_to_login
        from django.shortcuts import redirect
        from django.urls import reverse
        from django.utils.http import url_has_allowed_host_and_scheme

        wanted = request.GET.get("next", "")
        if not url_has_allowed_host_and_scheme(
            wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            wanted = reverse("admin:index")
        if request.user.is_authenticated:
            return redirect(wanted)
        return redirect_to_login(wanted)


class MoveAdminConfig(AdminConfig):
    default_site = "move.accounts.adminsite.MoveAdminSite"


class RoleAdminMixin:
    """Each model admin names the Move permission that lets a person use it."""

    permission = "accounts.use_admin"
    read_only = False
    can_delete = True

    def _allowed(self, request):
        return permissions.has_perm(request.user, self.permission)

    def has_module_permission(self, request):
        return self._allowed(request)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request) and not self.read_only

    def has_add_permission(self, request, obj=None):
        return self._allowed(request) and not self.read_only

    def has_delete_permission(self, request, obj=None):
        return self._allowed(request) and not self.read_only and self.can_delete

    # The pages' forms detect concurrent edits with `version`: a change made here must
    # move it on too, or a form opened before it would overwrite it silently.
    def save_model(self, request, obj, form, change):
        _bump_version(obj, change)
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        for inline_form in formset.forms:
            if inline_form.has_changed():
                _bump_version(inline_form.instance, inline_form.instance.pk is not None)
        super().save_formset(request, form, formset, change)


def _bump_version(obj, change) -> None:
    if change and hasattr(obj, "version"):
        obj.version += 1
