"""Logs as JSON lines on stdout in production (issue 14), and one line per request.

A line per request says what a server needs to follow its load and its errors: the
method, the path, the status, how long it took and who asked (the account's number, never
its e-mail address). Never the query string: a search carries the words typed, which can
be a person's name. The lines go to stdout, which Docker and systemd keep and rotate.
"""

import json
import logging
import time
import traceback
from datetime import UTC, datetime

from django.utils.functional import empty

REQUEST_LOGGER = "move.request"
# The attributes a log record always has: anything else was given with `extra=`.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, the `extra=` fields, and the
    traceback of an exception."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                line[key] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        return json.dumps(line, default=str, ensure_ascii=False)


def user_id(request) -> int | None:
    """The signed-in account's number, if this request already knew it: reading the user
    here would cost the queries a page that did not need it (a static file, /healthz)
    did not make."""
    user = getattr(request, "user", None)
    wrapped = getattr(user, "_wrapped", None)
    if user is None or wrapped is empty:
        return None
    if wrapped is not None:
        user = wrapped
    return user.pk if getattr(user, "is_authenticated", False) else None


class RequestLogMiddleware:
    """Outermost: times the whole answer, redirects and refusals included."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.logger = logging.getLogger(REQUEST_LOGGER)

    def __call__(self, request):
        started = time.monotonic()
        response = self.get_response(request)
        if self.logger.isEnabledFor(logging.INFO):
            duration = round((time.monotonic() - started) * 1000, 1)
            self.logger.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path,  # without the query string
                    "status": response.status_code,
                    "duration_ms": duration,
                    "user_id": user_id(request),
                },
            )
        return response


class AdminErrorMail(logging.Handler):
    """A server error (500) e-mailed to MOVE_ADMINS, when there is no Sentry to tell: the
    method and path (never the query string, the form or the cookies, which carry what
    people typed) and where in the code it failed (each frame's file, line and function,
    without the exception's message or any value, which can hold a report's text). The
    whole traceback is in the JSON log on the server. Nothing is sent without ADMINS."""

    def __init__(self):
        super().__init__(level=logging.ERROR)

    def emit(self, record: logging.LogRecord) -> None:
        from django.core.mail import mail_admins

        if getattr(record, "status_code", 500) != 500:
            # A 503 is an answer the code chose (/healthz telling what is down, the page
            # shown while Redis is out): the health checks and the System page tell those,
            # and a mail per poll would bury the one that matters.
            return
        request = getattr(record, "request", None)
        method, path = getattr(request, "method", ""), getattr(request, "path", "")
        lines = [f"{method} {path}".strip(), f"status {getattr(record, 'status_code', '')}"]
        if record.exc_info and record.exc_info[0] is not None:
            kind, _error, frames = record.exc_info
            lines.append(f"{kind.__module__}.{kind.__qualname__}")
            lines += [
                f"  {frame.filename}:{frame.lineno} in {frame.name}"
                for frame in traceback.extract_tb(frames)
            ]
        try:
            mail_admins(f"Server error: {method} {path}".strip(), "\n".join(lines))
        except Exception:  # noqa: BLE001 - a log handler never raises (logging.Handler)
            self.handleError(record)
