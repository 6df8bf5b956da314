"""Health checks (issue 14): what /healthz answers, the System page shows and the
compose file's health checks run (`manage.py healthcheck`).

Each check answers ok or not with a short detail that names a part, never a record:
/healthz is read without signing in. A check that raises is a failed check whose detail
is the error's class, not its message (a driver's message can quote a connection string).

- database: reachable (SELECT 1) and migrated (no unapplied migration). Building the
  migration plan reads every migration file, so its answer is kept a minute per process.
- redis: a PING with a one-second timeout, on a connection of its own: the cache
  (move/cache.py) answers from its fallback while Redis is down, which would hide it.
- worker: a worker wrote its heartbeat (WORKER_KEY, every HEARTBEAT_SECONDS from a thread
  started when it is ready) less than WORKER_MAX_AGE ago. A recorded time keeps /healthz
  fast: a broadcast ping would wait a second for answers on each call.
- beat: every periodic entry ran within its period (move/beat.py). An entry never
  recorded is not late, but none recorded at all means beat or the workers never ran one
  since the cache was emptied: "recover-jobs" runs every minute.
- disk: free space on the volume of MEDIA_ROOT above MOVE_HEALTH_MIN_FREE_MB.

Without a broker (the demo, the tests), tasks run inline: there is no worker nor beat to
check, and those two checks say so and pass.
"""

import logging
import os
import shutil
import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from celery.signals import heartbeat_sent, worker_ready, worker_shutdown
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

logger = logging.getLogger(__name__)

WORKER_KEY = "move:health:workers"  # a Redis hash: worker host name → time of its last beat
HEARTBEAT_SECONDS = 20
WORKER_MAX_AGE = 60
FORGET_WORKER_AFTER = 24 * 60 * 60  # a worker silent this long is dropped from the hash
MIGRATIONS_CACHE_SECONDS = 60
REDIS_TIMEOUT = 1

COMPONENTS = {
    # What each process's health check asks (manage.py healthcheck --component ...).
    "web": ("database", "redis", "disk"),
    "worker": ("database", "redis", "worker", "disk"),
    "beat": ("redis", "beat"),
}


LABELS = {
    "database": gettext_lazy("Database"),
    "redis": gettext_lazy("Redis (cache and queue)"),
    "worker": gettext_lazy("Background worker"),
    "beat": gettext_lazy("Periodic tasks (beat)"),
    "disk": gettext_lazy("Free disk space"),
}


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str

    @property
    def label(self):
        return LABELS.get(self.name, self.name)

    def as_json(self) -> dict:
        return {"ok": self.ok, "detail": self.detail}


def inline_tasks() -> bool:
    """No worker and no beat: tasks run in the process that sends them."""
    return bool(settings.CELERY_TASK_ALWAYS_EAGER) or not settings.REDIS_URL


def redis_client():
    import redis

    return redis.Redis.from_url(
        settings.REDIS_URL,
        socket_connect_timeout=REDIS_TIMEOUT,
        socket_timeout=REDIS_TIMEOUT,
    )


# --- The checks --------------------------------------------------------------------------

_migrated: dict[str, tuple[float, bool]] = {}  # alias → (monotonic time, migrated)


def unapplied_migrations(alias: str = "default") -> bool:
    """Whether migrations are waiting, known for MIGRATIONS_CACHE_SECONDS per process."""
    from django.db import connections
    from django.db.migrations.executor import MigrationExecutor

    now = time.monotonic()
    known = _migrated.get(alias)
    if known and now - known[0] < MIGRATIONS_CACHE_SECONDS:
        return not known[1]
    executor = MigrationExecutor(connections[alias])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    _migrated[alias] = (now, not plan)
    return bool(plan)


def forget_migrations() -> None:
    """Forget the kept answer (tests, and after `migrate`)."""
    _migrated.clear()


def check_database() -> Check:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    if unapplied_migrations():
        return Check("database", False, _("reachable, but migrations are not applied"))
    return Check("database", True, _("reachable and migrated"))


def check_redis() -> Check:
    if not settings.REDIS_URL:
        return Check("redis", True, _("not used: tasks run inline"))
    client = redis_client()
    try:
        client.ping()
    finally:
        client.close()
    return Check("redis", True, _("answers"))


def check_worker(now: float | None = None, hostname: str | None = None) -> Check:
    """Any worker heard of within WORKER_MAX_AGE, or the one named `hostname` (a worker
    container's own health check)."""
    if inline_tasks():
        return Check("worker", True, _("not used: tasks run inline"))
    client = redis_client()
    try:
        beats = client.hgetall(WORKER_KEY)
    finally:
        client.close()
    if hostname:
        beats = {name: value for name, value in beats.items() if name.decode() == hostname}
    now = now or time.time()
    ages = [now - float(value) for value in beats.values()]
    if not ages:
        return Check("worker", False, _("no worker has ever reported"))
    age = min(ages)
    if age > WORKER_MAX_AGE:
        return Check("worker", False, _("no worker heard of for %(seconds)d s") % {"seconds": age})
    alive = sum(1 for value in ages if value <= WORKER_MAX_AGE)
    return Check("worker", True, _("%(count)d worker(s) heard of") % {"count": alive})


def check_beat() -> Check:
    from move import beat

    if inline_tasks():
        return Check("beat", True, _("not used: tasks run inline"))
    entries = beat.periodic_status()
    late = [entry.name for entry in entries if entry.late]
    if late:
        return Check("beat", False, _("late: %(names)s") % {"names": ", ".join(late)})
    if entries and all(entry.last_run is None for entry in entries):
        return Check("beat", False, _("no periodic task has run yet"))
    return Check("beat", True, _("every periodic task ran within its period"))


def min_free_bytes() -> int:
    configured = getattr(settings, "MOVE_HEALTH_MIN_FREE_MB", None)
    if configured is None:
        configured = os.environ.get("MOVE_HEALTH_MIN_FREE_MB", "500")
    return int(configured) * 1024 * 1024


def disk_usage(path: Path):
    """shutil.disk_usage of `path`, or of its nearest existing parent (a volume not yet
    written to)."""
    path = Path(path)
    while not path.exists() and path != path.parent:
        path = path.parent
    return shutil.disk_usage(path)


def check_disk() -> Check:
    free = disk_usage(settings.MEDIA_ROOT).free
    needed = min_free_bytes()
    values = {"free": free // (1024 * 1024), "needed": needed // (1024 * 1024)}
    if free < needed:
        return Check("disk", False, _("%(free)d MB free, below %(needed)d MB") % values)
    return Check("disk", True, _("%(free)d MB free") % values)


CHECKS = {
    "database": check_database,
    "redis": check_redis,
    "worker": check_worker,
    "beat": check_beat,
    "disk": check_disk,
}


def run(names=None, **options) -> list[Check]:
    """The checks named (all by default), in order; one that raises has failed.
    `options` go to the checks that take them (check_worker's hostname)."""
    results = []
    for name in names or CHECKS:
        try:
            check = CHECKS[name]
            taken = {key: value for key, value in options.items() if key in _parameters(check)}
            results.append(check(**taken))
        except Exception as error:  # noqa: BLE001 - any failure is the answer, not a 500
            logger.warning("Health check %s failed: %s", name, type(error).__name__)
            results.append(Check(name, False, _("failed: %(error)s") % {"error": _kind(error)}))
    return results


def _parameters(function) -> set[str]:
    return set(function.__code__.co_varnames[: function.__code__.co_argcount])


def _kind(error: BaseException) -> str:
    return type(error).__name__


def as_json(results: list[Check]) -> dict:
    return {
        "status": "ok" if all(check.ok for check in results) else "fail",
        "checks": {check.name: check.as_json() for check in results},
    }


# --- Worker heartbeats -------------------------------------------------------------------

_stop = threading.Event()


def record_heartbeat(hostname: str, when: float | None = None) -> None:
    """Write this worker's time in WORKER_KEY; drop workers silent for a day. Never
    raises: a lost heartbeat shows as a stale one."""
    when = when or time.time()
    try:
        client = redis_client()
        try:
            client.hset(WORKER_KEY, hostname, when)
            stale = [
                name
                for name, value in client.hgetall(WORKER_KEY).items()
                if when - float(value) > FORGET_WORKER_AFTER
            ]
            if stale:
                client.hdel(WORKER_KEY, *stale)
        finally:
            client.close()
    except Exception:  # noqa: BLE001
        logger.warning("The worker's heartbeat could not be recorded.", exc_info=True)


def _hostname(sender) -> str:
    return getattr(sender, "hostname", None) or socket.gethostname()


@worker_ready.connect
def start_heartbeat(sender=None, **kwargs) -> None:
    """A worker is ready: record its heartbeat now, then every HEARTBEAT_SECONDS from a
    daemon thread until it shuts down."""
    if not settings.REDIS_URL:
        return
    hostname = _hostname(sender)
    record_heartbeat(hostname)
    _stop.clear()

    def beat():
        while not _stop.wait(HEARTBEAT_SECONDS):
            record_heartbeat(hostname)

    threading.Thread(target=beat, name="move-health-heartbeat", daemon=True).start()


@worker_shutdown.connect
def stop_heartbeat(sender=None, **kwargs) -> None:
    _stop.set()


@heartbeat_sent.connect
def event_heartbeat(sender=None, **kwargs) -> None:
    """Workers started with events (-E) also send Celery's own heartbeats: record them."""
    consumer = getattr(getattr(sender, "eventer", None), "hostname", None)
    if consumer and settings.REDIS_URL:
        record_heartbeat(consumer)
