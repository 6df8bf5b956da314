"""Redis unreachable (issue 15 §2): what keeps working, and what says plainly that it
cannot be done now.

Redis holds three things for Move, and each fails its own way:
- the cache (reference-row versions, the PII scanner's list of names, drawn charts, a
  copy of each session): a read that cannot reach it is a miss and a write is dropped
  (move/cache.py), so pages read the database instead and sessions, kept in the database
  (SESSION_ENGINE cached_db), sign nobody out;
- allauth's rate-limit counters (failed sign-ins, password resets and changes) and its
  record of TOTP codes already used: a counter that cannot be read can neither be
  skipped (a guesser would try unlimited passwords during an outage) nor be taken as
  "too many attempts" (a false accusation): the action raises RedisUnavailable;
- Celery's queue: a task that cannot be queued is not started. When it was to be queued
  once the view's transaction committed (delay_on_commit), what the view wrote is saved:
  a job stays waiting, and move.privacy.jobs.recover queues it again once Redis is back
  (its heartbeat has gone silent), so the page says it will start by itself; an e-mail
  after a change is said to be lost and the change saved, so that nobody sends the form
  twice. Raised before the commit, nothing was saved: the form can be sent again.
RedisUnavailable and the errors of redis-py and kombu that mean "cannot reach the
server" become a 503 page in the person's language (move/middleware.RedisOutageMiddleware,
templates/503.html), with Retry-After, never a 500.

An unreachable Redis is remembered as down for DOWN_SECONDS in each process: the cache
answers from its fallback at once, instead of paying the connection timeout (move/cache.py
sets one second) for each of the several cache calls of a page."""

import logging
import threading
import time
from dataclasses import dataclass

import kombu.exceptions
import redis.exceptions
from django.db.models.signals import post_save
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

# How long a process takes Redis as down after a failed connection, before trying again.
DOWN_SECONDS = 5
# What the 503 answer tells browsers and proxies: come back in a minute.
RETRY_AFTER_SECONDS = 60

# redis-py's "the server cannot be reached or did not answer in time" (BusyLoadingError,
# a Redis still loading its data after a restart, is a ConnectionError), and every other
# error of a Redis that answers but refuses to serve (MISCONF when its disk is full, OOM,
# READONLY after a fail-over): all RedisError. Each is an outage for the user, not a 500.
REDIS_ERRORS = (redis.exceptions.RedisError,)
# Celery could not hand a task to the broker.
BROKER_ERRORS = (kombu.exceptions.OperationalError,)


@dataclass(frozen=True)
class Reason:
    """What the 503 page says: its title and why. `keeps_form`: the page keeps what was
    typed, to be sent again (not for signing in or an account change: their passwords are
    never written back into a page)."""

    title: Promise
    explanation: Promise
    keeps_form: bool = True
    back_to_form: bool = True  # else only "back to the home page": nothing to redo


SIGN_IN = Reason(
    _("Signing in is unavailable for a few minutes"),
    _(
        "Move cannot check the limit on sign-in attempts that protects your account, so "
        "nobody can sign in for now. People already signed in can go on working. Try "
        "again in a few minutes."
    ),
    keeps_form=False,
)
ACCOUNT = Reason(
    _("This account change is unavailable for a few minutes"),
    _(
        "Move cannot check the limit on attempts that protects accounts, so nothing was "
        "changed. Try again in a few minutes."
    ),
    keeps_form=False,
)
BACKGROUND = Reason(
    _("This cannot be started for a few minutes"),
    _(
        "The service that does long work in the background (exports, PDF files, e-mails) "
        "cannot be reached, so nothing was started. Everything already saved is safe."
    ),
)
JOB_WAITING = Reason(
    _("Recorded: it will start once the background service is back"),
    _(
        "The service that does long work in the background (exports, PDF files, e-mails) "
        "cannot be reached right now. What you asked for is recorded and starts by itself "
        "once the service is back, usually within minutes; its page shows when it is "
        "ready. There is no need to send the form again."
    ),
    keeps_form=False,
    back_to_form=False,
)
SAVED_NOT_QUEUED = Reason(
    _("Saved, but what follows could not be started"),
    _(
        "Your change is saved. What should follow it in the background (an e-mail, a "
        "file) could not be started, because the service that does it cannot be reached. "
        "There is no need to send the form again; if what should have followed is "
        "urgent, tell the coordinators."
    ),
    keeps_form=False,
    back_to_form=False,
)
SERVICE = Reason(
    _("This is unavailable for a few minutes"),
    _("A service Move relies on cannot be reached. Everything already saved is safe."),
)

# allauth's rate-limited actions (ACCOUNT_RATE_LIMITS and allauth's own defaults) that
# are part of signing in; the others (password reset and change, re-authentication)
# are account changes.
SIGN_IN_ACTIONS = {
    "login",
    "login_failed",
    "login_failed_account_ip",
    "request_login_code",
    "webauthn_login",
}
RATE_LIMIT_PREFIX = "allauth:rl:"  # allauth.core.internal.ratelimit.get_cache_key
# Keys that protect accounts rather than cache anything: the rate-limit counters (and
# their locks), and the TOTP codes already used (allauth.mfa.totp.internal.auth: a code
# is refused a second time within its window).
PROTECTION_PREFIXES = (RATE_LIMIT_PREFIX, "allauth.mfa.totp.used")


class RedisUnavailable(Exception):
    """Something that cannot be done safely without Redis was asked while it is down."""

    def __init__(self, reason: Reason = SERVICE):
        super().__init__(str(reason.title))
        self.reason = reason


def is_protection_key(key) -> bool:
    """Whether a cache key protects accounts (PROTECTION_PREFIXES): without Redis, its
    use raises RedisUnavailable instead of being answered from a fallback."""
    return isinstance(key, str) and key.startswith(PROTECTION_PREFIXES)


def reason_for_key(key: str) -> Reason:
    """The reason to give for a protection that cannot be checked: for a rate-limit
    counter (allauth:rl:<app>:<action>:<rate>:<source>), signing in or another account
    action; for a used TOTP code, an account action (signing in stops at its limit
    before the code is checked)."""
    parts = key.split(":") if key.startswith(RATE_LIMIT_PREFIX) else []
    action = parts[3] if len(parts) > 3 else ""
    return SIGN_IN if action in SIGN_IN_ACTIONS else ACCOUNT


def reason_for(error: BaseException) -> Reason:
    if isinstance(error, RedisUnavailable):
        return error.reason
    if isinstance(error, BROKER_ERRORS):
        return BACKGROUND
    return SERVICE


def raised_after_commit(error: BaseException) -> bool:
    """Whether `error` came out of a transaction.on_commit callback (Celery's
    delay_on_commit): what the view wrote is then saved, whatever failed after it."""
    traceback = error.__traceback__
    while traceback is not None:
        if traceback.tb_frame.f_code.co_name == "run_and_clear_commit_hooks":
            return True
        traceback = traceback.tb_next
    return False


# --- Down, per process -----------------------------------------------------------------

_lock = threading.Lock()
_down_until = 0.0  # time.monotonic() until which Redis is taken as down
_down_since: float | None = None  # when this outage was first seen, for the log


def redis_down() -> bool:
    """Whether this process saw Redis unreachable less than DOWN_SECONDS ago."""
    return time.monotonic() < _down_until


def mark_down(error: BaseException) -> None:
    """Redis did not answer: take it as down for DOWN_SECONDS. Logged once an outage."""
    global _down_until, _down_since
    with _lock:
        now = time.monotonic()
        first = _down_since is None
        if first:
            _down_since = now
        _down_until = now + DOWN_SECONDS
    if first:
        logger.error(
            "Redis cannot be reached (%s): pages read the database, signing in and "
            "background work answer 503 until it is back.",
            error,
        )


def mark_up() -> None:
    """Redis answered again after an outage."""
    global _down_until, _down_since
    with _lock:
        since, _down_since, _down_until = _down_since, None, 0.0
    if since is not None:
        logger.warning("Redis answers again, after %.0f s.", time.monotonic() - since)


def was_down() -> bool:
    """Whether an outage was seen and Redis has not answered since (even if the
    DOWN_SECONDS pause is over and the next call will try again)."""
    return _down_since is not None


def reset() -> None:
    """Forget any outage (for tests)."""
    global _down_until, _down_since
    with _lock:
        _down_until, _down_since = 0.0, None


def require_redis(reason: Reason = BACKGROUND) -> None:
    """For a view about to queue a task: raise RedisUnavailable before anything is
    written when Redis does not answer (a job row, an invitation whose e-mail would
    never leave). Costs one PING. Nothing to check when there is no Redis (the demo
    runs tasks inline)."""
    from django.conf import settings
    from django.core.cache import cache

    if not settings.REDIS_URL:
        return
    if redis_down():
        raise RedisUnavailable(reason)
    ping = getattr(cache, "ping", None)
    if ping is not None and not ping():
        raise RedisUnavailable(reason)


# --- The jobs a request saved ----------------------------------------------------------

_request = threading.local()


def begin_request() -> None:
    _request.jobs = []


def end_request() -> None:
    _request.jobs = None


def _job_saved(sender, instance, **kwargs) -> None:
    jobs = getattr(_request, "jobs", None)
    if jobs is not None and instance.code not in jobs:
        jobs.append(instance.code)


post_save.connect(_job_saved, sender="privacy.Job", dispatch_uid="move.outage.job_saved")


def jobs_saved() -> list:
    """The codes of the jobs this request saved (created or started again)."""
    return list(getattr(_request, "jobs", None) or [])
