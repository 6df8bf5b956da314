"""The session engine: Django's cached_db (read through Redis, kept in the database),
whose read of the session also reads the keys registered in move/prefetch.py, in the
same round trip (one MGET instead of a GET now and another later in the request)."""

from django.contrib.sessions.backends import cached_db
from django.core.cache import caches

from move import prefetch


class SessionStore(cached_db.SessionStore):
    def load(self):
        wanted = prefetch.registered() if self._cache is caches["default"] else ()
        if not wanted:
            return super().load()
        key = self.cache_key
        try:
            found = self._cache.get_many([key, *wanted])
        except Exception:  # as cached_db: a key the backend refuses is a miss
            found = {}
        prefetch.keep({name: found[name] for name in wanted if name in found})
        data = found.get(key)
        if data is None:
            return super().load()  # from the database, put back in the cache
        return data
