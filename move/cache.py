"""The shared cache on Redis, which a Redis outage does not turn into 500s (issue 15 §2).

Everything Move keeps in this cache can be read again from the database (reference-row
versions, the PII scanner's list of names, drawn charts, the copy of each session of
the cached_db engine), so while Redis cannot be reached:
- a read is a miss (`get` gives the default, `has_key` False, `get_many` nothing): the
  caller reads the database, as after an expiry;
- a write is dropped, with a log line, and its key remembered: once Redis answers again,
  this process first deletes those keys there, so that nothing written before the
  outage and changed during it is read back stale (a session signed out during the
  outage, a version of the reference rows, the list of names);
- `add` answers True (as if this caller were first: a mark that was not kept repeats a
  piece of work, it never skips one), `incr` raises RedisUnavailable (a counter cannot
  be faked);
- allauth's rate-limit counters (and their locks) and its used TOTP codes are not a
  cache: any use raises RedisUnavailable (move/outage.py), so that no sign-in goes
  unchecked.
A failed connection marks Redis down for a few seconds in this process (move/outage.py):
the next calls answer from the fallback at once, without trying to connect again."""

import logging
import threading

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache

from move import outage

logger = logging.getLogger(__name__)

# Keys remembered per process while writes are dropped: beyond, the outage is long and
# busy enough that a few stale entries are the lesser evil; said once in the log.
MAX_DROPPED = 10_000

_dropped_lock = threading.Lock()
_dropped: dict[str, set[str]] = {}  # server → keys (as stored) written during an outage


class ResilientRedisCache(RedisCache):
    """Django's RedisCache, answering from a fallback while Redis is unreachable."""

    # --- reads ---

    def get(self, key, default=None, version=None):
        return self._guarded(
            [key], lambda: RedisCache.get(self, key, default, version), lambda: default
        )

    def get_many(self, keys, version=None):
        keys = list(keys)
        return self._guarded(keys, lambda: RedisCache.get_many(self, keys, version), dict)

    def has_key(self, key, version=None):
        return self._guarded([key], lambda: RedisCache.has_key(self, key, version), lambda: False)

    # --- writes ---

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._guarded(
            [key],
            lambda: RedisCache.set(self, key, value, timeout, version),
            lambda: None,
            written=[(key, version)],
        )

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded(
            [key],
            lambda: RedisCache.add(self, key, value, timeout, version),
            lambda: True,
            written=[(key, version)],
        )

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded(
            [key],
            lambda: RedisCache.touch(self, key, timeout, version),
            lambda: False,
            written=[(key, version)],
        )

    def delete(self, key, version=None):
        return self._guarded(
            [key],
            lambda: RedisCache.delete(self, key, version),
            lambda: False,
            written=[(key, version)],
        )

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        data = dict(data)
        return self._guarded(
            list(data),
            lambda: RedisCache.set_many(self, data, timeout, version),
            lambda: list(data),  # the keys not stored: all of them
            written=[(key, version) for key in data],
        )

    def delete_many(self, keys, version=None):
        keys = list(keys)
        self._guarded(
            keys,
            lambda: RedisCache.delete_many(self, keys, version),
            lambda: None,
            written=[(key, version) for key in keys],
        )

    def incr(self, key, delta=1, version=None):
        return self._guarded([key], lambda: RedisCache.incr(self, key, delta, version), _no_counter)

    def clear(self):
        return self._guarded([], lambda: RedisCache.clear(self), lambda: False)

    # --- Redis reachable or not ---

    def ping(self) -> bool:
        """Whether Redis answers now (move.outage.require_redis)."""
        return self._guarded(
            [], lambda: bool(self._cache.get_client(write=True).ping()), lambda: False
        )

    def _guarded(self, keys, call, fallback, written=()):
        if not outage.redis_down():
            try:
                self._forget_dropped()
                result = call()
            except outage.REDIS_ERRORS as error:
                outage.mark_down(error)
            else:
                if outage.was_down():
                    outage.mark_up()
                return result
        if any(outage.is_protection_key(key) for key in keys):
            raise outage.RedisUnavailable(outage.reason_for_key(keys[0]))
        self._remember_dropped(written)
        return fallback()

    def _remember_dropped(self, written) -> None:
        if not written:
            return
        made = [self.make_and_validate_key(key, version=version) for key, version in written]
        with _dropped_lock:
            kept = _dropped.setdefault(self._server, set())
            if len(kept) >= MAX_DROPPED:
                return
            kept.update(made)
            if len(kept) >= MAX_DROPPED:
                logger.error(
                    "Redis is still down after %d cache writes were dropped: later ones "
                    "are not remembered, and may be read stale once it is back.",
                    MAX_DROPPED,
                )
        logger.debug("Redis is down: %d cache write(s) dropped.", len(made))

    def _forget_dropped(self) -> None:
        """Redis answers again: first delete what was written while it did not, so that
        the values it kept from before are not read back."""
        if not _dropped.get(self._server):
            return  # the usual case, without taking the lock
        with _dropped_lock:
            keys = _dropped.pop(self._server, None)
        if not keys:
            return
        try:
            self._cache.delete_many(list(keys))
        except BaseException:
            with _dropped_lock:
                _dropped.setdefault(self._server, set()).update(keys)
            raise
        logger.warning("Redis is back: %d entries written during the outage deleted.", len(keys))

    @property
    def _server(self) -> str:
        return self._servers[0]


def _no_counter():
    raise outage.RedisUnavailable(outage.SERVICE)
