"""Middleware of the whole project (the accounts' own are in move/accounts/middleware.py)."""

import logging
import re

from django.contrib.auth import SESSION_KEY
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.utils.html import escape

from move import outage

logger = logging.getLogger(__name__)


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


class RedisOutageMiddleware:
    """Redis unreachable where a view needed it (move/outage.py): a 503 page in the
    person's language saying what cannot be done now, with Retry-After, instead of a 500.
    A task that could not be queued after the view's changes were committed is told
    apart: a job saved by the request waits for the recovery of jobs (and its page is
    linked), any other change is saved and not to be sent again. Last in MIDDLEWARE: the
    first asked about a view's exception, with the language, the user and the session
    already set."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        outage.begin_request()
        try:
            return self.get_response(request)
        finally:
            outage.end_request()

    def process_exception(self, request, exception):
        if isinstance(exception, outage.REDIS_ERRORS + outage.BROKER_ERRORS):
            outage.mark_down(exception)
        elif not isinstance(exception, outage.RedisUnavailable):
            return None
        reason, jobs = outage.reason_for(exception), []
        if isinstance(exception, outage.BROKER_ERRORS) and outage.raised_after_commit(exception):
            jobs = outage.jobs_saved()
            reason = outage.JOB_WAITING if jobs else outage.SAVED_NOT_QUEUED
        logger.warning("%s %s answered 503: %s", request.method, request.path, exception)
        return unavailable(request, reason, jobs)


# Never written back into the 503 page's form: passwords, one-time codes, tokens.
_SECRET_FIELD = re.compile(r"password|csrfmiddlewaretoken|token|secret|otp|^code$", re.I)


def unavailable(request, reason: outage.Reason, jobs=()) -> HttpResponse:
    """The 503 page: what is unavailable and why; for a form sent (unless a sign-in),
    what was typed, kept in the page to be sent again with one button; the pages of the
    `jobs` (codes) that wait for the background service."""
    posted = request.method == "POST"
    kept = []
    if posted and reason.keeps_form:
        kept = [
            (name, value)
            for name, values in request.POST.lists()
            if not _SECRET_FIELD.search(name)
            for value in values
        ]
    context = {
        "reason": reason,
        "posted": posted,
        "kept": kept,
        "files_lost": posted and bool(request.FILES),
        "jobs": list(jobs),
    }
    try:
        response = render(request, "503.html", context, status=503)
    except Exception:  # the page itself failed: still a 503 that says why, not a 500
        logger.exception("The 503 page could not be rendered")
        response = HttpResponse(
            f"<!DOCTYPE html><title>503</title><h1>{escape(reason.title)}</h1>"
            f"<p>{escape(reason.explanation)}</p>",
            status=503,
        )
    response["Retry-After"] = str(outage.RETRY_AFTER_SECONDS)
    patch_cache_control(response, private=True, no_store=True)
    return response
