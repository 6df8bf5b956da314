"""Views declare what they need; the rule itself lives in permissions.py."""

from django.contrib.auth.mixins import LoginRequiredMixin

from move.accounts import permissions


class PermissionRequiredMixin(LoginRequiredMixin):
    """For lists and create pages: refused action → 403 with the reason."""

    permission: str = ""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            permissions.require(request.user, self.permission)
        return super().dispatch(request, *args, **kwargs)


class VisibleObjectMixin(LoginRequiredMixin):
    """For one object: found only among what the user may see (else 404), then the
    action's permission, if any, is checked (else 403)."""

    permission: str | None = None

    def get_queryset(self):
        return self.model.objects.visible_to(self.request.user)

    def get_object(self, queryset=None):
        obj = super().get_object(queryset)
        if self.permission:
            permissions.require(self.request.user, self.permission)
        return obj
