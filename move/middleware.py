"""Middleware of the whole project (the accounts' own are in move/accounts/middleware.py)."""

from django.contrib.auth import SESSION_KEY
from django.utils.cache import patch_cache_control


class PrivateNoStoreMiddleware:
    """Every response to a signed-in person is `Cache-Control: private, no-store`: case
    files, reports and lists hold personal data, and a browser shared in an office must
    not keep them (nor a proxy between) once the person has signed out.

    Asked before and after the view, so that the response that signs someone in or out
    is covered too. It sits right after the session middleware, outside the locale and
    common middlewares, so that their redirects (a 301 to add a slash, which browsers
    keep) are covered as well; before the view, "signed in" is read from the session.
    Anonymous pages keep whatever caching their views chose."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        signed_in = session is not None and SESSION_KEY in session
        response = self.get_response(request)
        if signed_in or _signed_in(request):
            patch_cache_control(response, private=True, no_store=True)
        return response


def _signed_in(request) -> bool:
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)
