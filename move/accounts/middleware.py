import time

from django.shortcuts import redirect
from django.urls import reverse

from move.accounts import permissions, services

# Pages a person without a second factor may still reach: setting one up, leaving,
# choosing a language, the static files.
_ALLOWED_PREFIXES = ("/accounts/2fa/", "/accounts/logout/", "/accounts/reauthenticate/", "/i18n/")

# Session keys. MFA_READY holds the pk of the user whose TOTP was seen, so that the
# check costs no query on later requests; removing the authenticator drops it.
MFA_READY = "move_mfa_ready"
LAST_SEEN = "move_last_seen"


def mfa_ready(request) -> bool:
    user = request.user
    if request.session.get(MFA_READY) == user.pk:
        return True
    if services.has_totp(user):
        request.session[MFA_READY] = user.pk
        return True
    return False


def forget_mfa(sender, request=None, user=None, **kwargs):
    """Signal receiver (allauth's authenticator_removed): this session checks again, and
    the person's other sessions, which remember the factor as set up, are ended."""
    from allauth.usersessions.models import UserSession

    if request is None or not hasattr(request, "session"):
        return
    request.session.pop(MFA_READY, None)
    user = user or request.user
    others = UserSession.objects.filter(user=user).exclude(session_key=request.session.session_key)
    for other in others:
        other.end()


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
            and not mfa_ready(request)
        ):
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)


class SessionUpkeepMiddleware:
    """Two chores of a signed-in session, done rarely so that pages stay within their
    query budget:
    - it ends after MOVE_SESSION_IDLE_MINUTES without a request (SESSION_COOKIE_AGE):
      the expiry is pushed back at most once a minute, not written on every request;
    - it is listed under "your open sessions" (allauth usersessions) from its first
      request, whichever way the person signed in (allauth's forms record their own;
      accepting an invitation or a test's force_login do not)."""

    REFRESH_SECONDS = 60

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            session = request.session
            now = int(time.time())
            if now - session.get(LAST_SEEN, 0) >= self.REFRESH_SECONDS:
                if LAST_SEEN not in session:
                    _record(request)
                session[LAST_SEEN] = now  # marks the session modified: saved, expiry reset
        return self.get_response(request)


def _record(request) -> None:
    from allauth.usersessions.models import UserSession

    if not request.session.session_key:
        request.session.save()
    UserSession.objects.create_from_request(request)


class ClearBrowserDataOnLogoutMiddleware:
    """Signing out also empties what this site kept in the browser (the report editor
    keeps unsaved text there until the server has it): a shared computer in an NGO
    office keeps nothing of the person who left."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method == "POST" and request.path == reverse("account_logout"):
            response["Clear-Site-Data"] = '"storage"'
        return response
