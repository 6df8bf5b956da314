from django.shortcuts import redirect
from django.urls import reverse

from move.accounts import permissions, services

# Pages a person without a second factor may still reach: setting one up, leaving,
# choosing a language, the static files.
_ALLOWED_PREFIXES = ("/accounts/2fa/", "/accounts/logout/", "/accounts/reauthenticate/", "/i18n/")


class RequireMFAMiddleware:
    """A person whose roles see personal data must set up TOTP before anything else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            # path_info: without the script prefix, as under a sub-path deployment.
            and not request.path_info.startswith(_ALLOWED_PREFIXES)
            and not request.path_info.startswith("/static/")
            and permissions.requires_mfa(user)
            and not services.has_totp(user)
        ):
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)
