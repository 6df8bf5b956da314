"""Counting the compared year while the year is counted: the dashboard's two sets of
figures, side by side on two cores.

`beside(function)` runs `function` in this process's helper thread, on the helper's own
database connection, and gives back a future; `.result()` waits for it. The helper keeps
its connection between requests (a new one starts with cold caches: it took a third
longer to plan and run the figures' queries), checks that it still answers before each
use, and closes it after an error.

It runs `function` in the calling thread instead, when its result is asked for, when
another thread could not read what this one sees or must not share the work:

- inside a transaction (the other connection would not see its writes: tests, scripts);
- on SQLite (the demo: one writer, and nothing to gain);
- while the helper is busy with another request's figures (a threaded server), rather
  than wait for it.

Measured at 1,000,000 meetings (`make bench`): the two years' figures took 515 ms one
after the other and 357 ms side by side on a 2-core machine."""

import os
import threading
from concurrent.futures import Future, ThreadPoolExecutor

from django.db import DEFAULT_DB_ALIAS, connections

_guard = threading.Lock()
_busy = threading.Lock()
_helper: ThreadPoolExecutor | None = None
_helper_pid: int | None = None


def beside(function) -> "Future | _Later":
    """`function()`'s future, computed in the helper thread when it can be (see above);
    otherwise computed by the first `.result()`."""
    connection = connections[DEFAULT_DB_ALIAS]
    shared = connection.vendor == "postgresql" and not connection.in_atomic_block
    if shared and _busy.acquire(blocking=False):
        try:
            return _executor().submit(_on_own_connection, function)
        except Exception:
            _busy.release()
            raise
    return _Later(function)


def close() -> None:
    """Close the helper's connection, if it has one (the tests, before their database
    is dropped)."""
    with _guard:
        helper = _helper if _helper_pid == os.getpid() else None
    if helper is not None:
        helper.submit(connections.close_all).result()


def _executor() -> ThreadPoolExecutor:
    """This process's helper (a forked process starts its own: threads do not follow a
    fork; the pid check stands in case a fork bypassed os.register_at_fork)."""
    global _helper, _helper_pid
    with _guard:
        if _helper is None or _helper_pid != os.getpid():
            _helper = ThreadPoolExecutor(max_workers=1, thread_name_prefix="figures")
            _helper_pid = os.getpid()
        return _helper


def _forget_after_fork() -> None:
    """A forked child (a Celery or gunicorn worker) starts without the parent's helper
    and with locks of its own: one held by a parent's thread at the fork would stay
    held in the child forever."""
    global _guard, _busy, _helper, _helper_pid
    _guard, _busy, _helper, _helper_pid = threading.Lock(), threading.Lock(), None, None


os.register_at_fork(after_in_child=_forget_after_fork)


def _on_own_connection(function):
    connection = connections[DEFAULT_DB_ALIAS]
    try:
        if connection.connection is not None and not connection.is_usable():
            connection.close()  # the server went away since the last request
        return function()
    except Exception:
        connection.close()
        raise
    finally:
        _busy.release()


class _Later:
    """`function()` computed in the calling thread when its result is asked for: after
    the caller's own work, in the order a plain call would have taken."""

    def __init__(self, function):
        self.function = function

    def result(self):
        return self.function()
