"""Error reports to Sentry, only when MOVE_SENTRY_DSN is set (issue 14).

The rule is the admins' e-mail's (move.logging.AdminErrorMail): a report says on which
page and where in the code it failed, never what people typed. The exception's type and
each frame's file, function and line (and the source lines around it, which are code) are
sent; the exception's message, the frames' variables, the query string, the form, the
cookies and headers, the user, the log messages' values and the SQL are not: any of them
can hold a report's text, a name or a national number.

Sentry's own options already keep most of it back (no personal data, no request body, no
local variables, no breadcrumbs); `scrub` then keeps only what it knows to be safe in each
event, so that what a new version of the SDK or an integration adds is left out rather
than sent. settings.py imports this module only when a DSN is set.
"""

import logging
from urllib.parse import urlsplit, urlunsplit

import sentry_sdk
from django.core.exceptions import ImproperlyConfigured
from sentry_sdk.integrations.celery import CeleryIntegration
from sentry_sdk.integrations.django import DjangoIntegration
from sentry_sdk.integrations.logging import LoggingIntegration
from sentry_sdk.utils import BadDsn

# What an event keeps as it is: identifiers, times, names of the code and of the release.
_KEPT = {
    "event_id",
    "timestamp",
    "start_timestamp",
    "type",
    "level",
    "platform",
    "logger",
    "transaction",
    "transaction_info",
    "server_name",
    "release",
    "environment",
    "dist",
    "sdk",
    "modules",
    "fingerprint",
    "measurements",
}
# A frame: where in the code, never its variables.
_FRAME = {
    "filename",
    "abs_path",
    "module",
    "function",
    "lineno",
    "colno",
    "in_app",
    "platform",
    "pre_context",
    "context_line",
    "post_context",
}
_MECHANISM = {"type", "handled", "synthetic", "exception_id", "parent_id", "is_exception_group"}
_TRACE = {"trace_id", "span_id", "parent_span_id", "op", "status", "origin"}
_SPAN = _TRACE | {"start_timestamp", "timestamp", "same_process_as_parent", "exclusive_time"}
# Spans whose description names code (a middleware, a view, a template), not a query.
_CODE_SPANS = ("middleware.", "view.", "template.", "event.django", "function")


def options(dsn: str, *, environment: str, release: str | None, traces_sample_rate: float) -> dict:
    """The arguments of `sentry_sdk.init` (the tests add their own transport)."""
    return {
        "dsn": dsn,
        "environment": environment,
        "release": release,
        # Nothing about the person or from what they sent, category by category (what
        # sentry-sdk 2.x has in place of `send_default_pii`, which it deprecates; left
        # unset, that is False).
        "data_collection": {
            "user_info": False,
            "cookies": {"mode": "off"},
            "http_headers": {"request": {"mode": "off"}},
            "http_bodies": [],
            "url_query_params": {"mode": "off"},
            "graphql": {"document": False, "variables": False},
            "gen_ai": {"inputs": False, "outputs": False},
            "database_query_data": False,
            "queues": False,
            "stack_frame_variables": False,
        },
        "max_request_body_size": "never",
        "include_local_variables": False,
        # Breadcrumbs would carry log messages and SQL, which can hold search words.
        "max_breadcrumbs": 0,
        "before_breadcrumb": lambda crumb, hint: None,
        # 0 turns tracing off, instead of sampling nothing but following a caller's
        # `sentry-trace` header that asks for a trace.
        "traces_sample_rate": traces_sample_rate or None,
        "auto_session_tracking": False,
        "enable_logs": False,
        "enable_metrics": False,
        "integrations": [
            DjangoIntegration(transaction_style="url"),
            CeleryIntegration(),
            # An ERROR log line becomes an event (its message's template, not its
            # values); nothing below it is recorded.
            LoggingIntegration(level=None, event_level=logging.ERROR, sentry_logs_level=None),
        ],
        "before_send": scrub,
        "before_send_transaction": scrub,
    }


def init_sentry(
    dsn: str, *, environment: str, release: str | None, traces_sample_rate: float
) -> None:
    chosen = options(
        dsn, environment=environment, release=release, traces_sample_rate=traces_sample_rate
    )
    try:
        sentry_sdk.init(**chosen)
    except BadDsn as error:
        # Not the value itself: its key is half a secret.
        raise ImproperlyConfigured(
            f"MOVE_SENTRY_DSN is not a Sentry DSN ({error}): copy it from the Sentry "
            "project's settings, Client Keys (DSN)."
        ) from None


def scrub(event: dict, hint: dict | None = None) -> dict:
    """What of `event` may leave the server (the module's docstring says why)."""
    kept = {key: value for key, value in event.items() if key in _KEPT}
    if "exception" in event:
        kept["exception"] = {"values": [_exception(e) for e in _values(event["exception"])]}
    if "threads" in event:
        kept["threads"] = {"values": [_thread(t) for t in _values(event["threads"])]}
    if "stacktrace" in event:
        kept["stacktrace"] = _stacktrace(event["stacktrace"])
    if isinstance(event.get("logentry"), dict):
        # The template ("Export %s failed") is code; its values are data.
        kept["logentry"] = {"message": str(event["logentry"].get("message", ""))}
    if isinstance(event.get("request"), dict):
        kept["request"] = _request(event["request"])
    if "contexts" in event:
        kept["contexts"] = _contexts(event["contexts"])
    if "spans" in event:
        kept["spans"] = [_span(span) for span in event["spans"] if isinstance(span, dict)]
    return kept


def _values(container) -> list[dict]:
    values = container.get("values", []) if isinstance(container, dict) else container
    return [value for value in values or [] if isinstance(value, dict)]


def _exception(exception: dict) -> dict:
    """Its type and where it was raised: the message (`value`) is left out."""
    kept = {key: exception[key] for key in ("type", "module", "thread_id") if key in exception}
    if isinstance(exception.get("mechanism"), dict):
        mechanism = exception["mechanism"]
        kept["mechanism"] = {key: mechanism[key] for key in _MECHANISM if key in mechanism}
    if "stacktrace" in exception:
        kept["stacktrace"] = _stacktrace(exception["stacktrace"])
    return kept


def _thread(thread: dict) -> dict:
    kept = {key: thread[key] for key in ("id", "current", "crashed", "main") if key in thread}
    if "stacktrace" in thread:
        kept["stacktrace"] = _stacktrace(thread["stacktrace"])
    return kept


def _stacktrace(stacktrace) -> dict:
    frames = stacktrace.get("frames", []) if isinstance(stacktrace, dict) else []
    return {
        "frames": [
            {key: frame[key] for key in _FRAME if key in frame}
            for frame in frames
            if isinstance(frame, dict)
        ]
    }


def _request(request: dict) -> dict:
    """The method and the page's address without its query string or fragment."""
    kept = {}
    if isinstance(request.get("method"), str):
        kept["method"] = request["method"]
    if isinstance(request.get("url"), str):
        scheme, host, path, _query, _fragment = urlsplit(request["url"])
        kept["url"] = urlunsplit((scheme, host, path, "", ""))
    return kept


def _contexts(contexts) -> dict:
    if not isinstance(contexts, dict):
        return {}
    kept = {}
    if isinstance(contexts.get("trace"), dict):
        kept["trace"] = {key: contexts["trace"][key] for key in _TRACE if key in contexts["trace"]}
    if isinstance(contexts.get("runtime"), dict):
        kept["runtime"] = contexts["runtime"]
    if isinstance(contexts.get("response"), dict) and "status_code" in contexts["response"]:
        kept["response"] = {"status_code": contexts["response"]["status_code"]}
    return kept


def _span(span: dict) -> dict:
    kept = {key: span[key] for key in _SPAN if key in span}
    if str(span.get("op", "")).startswith(_CODE_SPANS) and "description" in span:
        kept["description"] = span["description"]
    return kept
