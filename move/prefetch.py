"""Keys of the shared cache read with the session, in the same round trip to Redis.

Every list page asks the cache for the version of the reference rows it shows
(visits/listing.py, KeptRows): a round trip of its own after the session's, a quarter of
a millisecond (`make bench`). A KeptRows registers its key here; the session engine
(move/sessions.py) reads the registered keys together with the session (one MGET) and
keeps what it found for the rest of the request, where KeptRows takes it instead of
asking again. Nothing is kept outside a request (signals at its edges): a session read
by a task or a command keeps nothing that a later read of the rows in the same thread
could take for current. A version replaced during the request is dropped here
(`forget`), so that the request reads the new one."""

import threading

from django.core.signals import request_finished, request_started
from django.dispatch import receiver

_keys: list[str] = []
# .found: the values read with this request's session; None outside a request.
_local = threading.local()


def register(key: str) -> None:
    if key not in _keys:
        _keys.append(key)


def registered() -> tuple[str, ...]:
    return tuple(_keys)


def keep(found: dict) -> None:
    """What the session's round trip found of the registered keys (the missing ones
    are absent), kept for the rest of the request; outside a request, nothing."""
    kept = getattr(_local, "found", None)
    if kept is not None:
        kept.update(found)


def get(key: str):
    """The value read with the session, or None (not read, missing, or outside a
    request)."""
    found = getattr(_local, "found", None)
    return None if found is None else found.get(key)


def forget(key: str) -> None:
    found = getattr(_local, "found", None)
    if found is not None:
        found.pop(key, None)


@receiver(request_started, dispatch_uid="move.prefetch.started")
def _started(sender, **kwargs) -> None:
    _local.found = {}


@receiver(request_finished, dispatch_uid="move.prefetch.finished")
def _finished(sender, **kwargs) -> None:
    _local.found = None
