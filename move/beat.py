"""When each periodic task last ran, for the health checks (issue 14).

Beat only sends the periodic tasks (CELERY_BEAT_SCHEDULE); one has run when a worker
finished it. So each time a task named in the schedule succeeds, wherever it ran (a
worker, or inline in the demo), the time is written in the cache under
"beat:last-run:<entry name>", without expiry; last_runs() reads every entry in one round
trip and periodic_status() says which entries are late. A task that fails, a worker
that is down or a beat that stopped sending all show the same way: the last run grows
older than the schedule allows.

The cache is Redis in production, kept on its volume (append-only file): a restart keeps
the times. An emptied cache forgets them: each entry reads None until its next run.
"""

import copy
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from celery.schedules import maybe_schedule
from celery.signals import task_success

logger = logging.getLogger(__name__)

KEY = "beat:last-run:{}"

# How long after its due time an entry may still be running (or queued behind another
# job) before it counts as late.
GRACE = timedelta(minutes=15)


def entries() -> dict[str, str]:
    """{entry name: task name} of CELERY_BEAT_SCHEDULE."""
    from django.conf import settings

    return {name: entry["task"] for name, entry in settings.CELERY_BEAT_SCHEDULE.items()}


def record_run(task_name: str, when: datetime | None = None) -> list[str]:
    """Write `when` (now) as the last run of every entry that runs `task_name`; returns
    their names (none for a task that is not periodic)."""
    from django.core.cache import cache
    from django.utils import timezone

    names = [name for name, task in entries().items() if task == task_name]
    if names:
        when = when or timezone.now()
        cache.set_many({KEY.format(name): when for name in names}, timeout=None)
    return names


def last_runs() -> dict[str, datetime | None]:
    """{entry name: when its task last succeeded, or None} for every periodic entry."""
    from django.core.cache import cache

    names = list(entries())
    found = cache.get_many([KEY.format(name) for name in names])
    return {name: found.get(KEY.format(name)) for name in names}


def next_run_after(schedule, moment: datetime) -> datetime:
    """When `schedule` (an entry's "schedule": seconds, a timedelta, a crontab) is next
    due after a run at `moment`, by Celery's own arithmetic, as beat computes it (crontab
    hours in CELERY_TIMEZONE, daylight saving included)."""
    from move.celery import app

    # In UTC: a timedelta added to a Brussels time would be added to the wall clock, an
    # hour off across a change of the clocks.
    moment = moment.astimezone(UTC)
    schedule = copy.copy(maybe_schedule(schedule, app=app))
    schedule.nowfun = lambda: moment
    return moment + schedule.remaining_estimate(moment)


@dataclass(frozen=True)
class Periodic:
    name: str
    task: str
    last_run: datetime | None  # None: not since the cache was emptied
    due: datetime | None  # the next run after last_run
    late: bool  # due + GRACE has passed without a newer run


def periodic_status(now: datetime | None = None, grace: timedelta = GRACE) -> list[Periodic]:
    """Each periodic entry with its last run and whether it is late. An entry with no
    recorded run is not called late (a new installation, an emptied cache): the health
    check decides what to make of None."""
    from django.conf import settings
    from django.utils import timezone

    now = now or timezone.now()
    runs = last_runs()
    status = []
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        last_run = runs[name]
        due = next_run_after(entry["schedule"], last_run) if last_run else None
        status.append(
            Periodic(name, entry["task"], last_run, due, due is not None and now > due + grace)
        )
    return status


@task_success.connect
def record_periodic_success(sender=None, **kwargs) -> None:
    """A periodic task finished: note the time. Never fails the task: with the cache
    unreachable the run is only not recorded (and the health check says why)."""
    name = getattr(sender, "name", None)
    if not name:
        return
    try:
        record_run(name)
    except Exception:  # noqa: BLE001 - a lost record must not turn a success into an error
        logger.warning("The last run of %s could not be recorded.", name, exc_info=True)
