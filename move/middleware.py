"""Middleware of the whole project (the accounts' own are in move/accounts/middleware.py)."""

from django.utils.cache import patch_cache_control


class PrivateNoStoreMiddleware:
    """Every response to a signed-in person is `Cache-Control: private, no-store`: case
    files, reports and lists hold personal data, and a browser shared in an office must
    not keep them (nor a proxy between) once the person has signed out.

    Asked before and after the view, so that the response that signs someone in or out
    is covered too. Anonymous pages keep whatever caching their views chose."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        signed_in = _signed_in(request)
        response = self.get_response(request)
        if signed_in or _signed_in(request):
            patch_cache_control(response, private=True, no_store=True)
        return response


def _signed_in(request) -> bool:
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)
