"""Jobs that survive a worker killed half-way (issue 15), and the files they make.

A worker may die in the middle of a job (out of memory, a host restart): SIGKILL leaves
no trace but the job row, "In progress" for ever, and the broker gives the message back
only after its visibility timeout. So a job looks after itself:

- `enqueue(job, task, *args)` records the task and its arguments on the job and queues
  it once the transaction is committed; every job is started through it.
- The work `claim`s its job first (a conditional UPDATE that sets a new `run` token), and
  every later write (`progress`, `save`, `ready`) is made only WHERE the row still holds
  that token, stamping `heartbeat_at`. A finished job is never claimed again; a second
  delivery of the same message finds the job held and does nothing.
- `recover` (the task move.privacy.tasks.recover_jobs, every minute) finds the unfinished
  jobs silent for MOVE_JOB_STALE_MINUTES and queues them again, `attempts` counted, in
  their own language "Interrupted, starting again"; after MOVE_JOB_MAX_ATTEMPTS it marks
  them failed with a reason, and the job page offers "Try again" (`retry`).
- A worker that was only slow, not dead, loses the job when it is queued again: its next
  write is refused (`Superseded`) and it stops, so a job ends with one file and one
  e-mail each, whoever finishes it. Files are named after the job, so a run that starts
  over overwrites its own file and never makes a second one.

Files made by jobs (subject-access exports hold identities in clear) are kept a week for
their owner to download, then deleted by the retention job with their rows.
"""

import functools
import logging
import uuid
from datetime import date, datetime, time, timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.functional import lazy
from django.utils.translation import gettext as _

from move.privacy import retention
from move.privacy.files import delete_file, private_root  # noqa: F401 (used by others)
from move.privacy.models import Job

logger = logging.getLogger(__name__)

KEPT_DAYS = 7

# Defaults of the settings of the same names (move/settings.py may set them).
STALE_MINUTES = 5
MAX_ATTEMPTS = 3

UNFINISHED = (Job.Status.PENDING, Job.Status.PROCESSING)


class Superseded(Exception):
    """This run no longer holds its job: the job was finished, deleted, or queued again
    because this run was silent too long. The run stops and writes nothing more."""


def stale_after() -> timedelta:
    """How long an unfinished job may stay silent before it is queued again: longer
    than the longest step between two heartbeats of any job (a PDF being drawn)."""
    return timedelta(minutes=getattr(settings, "MOVE_JOB_STALE_MINUTES", STALE_MINUTES))


def max_attempts() -> int:
    return max(1, int(getattr(settings, "MOVE_JOB_MAX_ATTEMPTS", MAX_ATTEMPTS)))


# --- Starting a job ---------------------------------------------------------------------


def enqueue(job: Job, task, *args, step: str | None = None) -> Job:
    """Record `task` (a Celery task) and its arguments on the job, set it waiting as a
    first attempt, and queue the task once the transaction is committed (never before:
    a worker must find the row). A job already saved is started again the same way (a
    run still holding it loses it); `step`: what its page says meanwhile."""
    job.task, job.arguments = task.name, list(args)
    job.status, job.run, job.attempts = Job.Status.PENDING, None, 1
    job.progress, job.last_error, job.finished_at = 0, "", None
    job.heartbeat_at = timezone.now()
    fields = ["task", "arguments", "status", "run", "attempts", "progress", "last_error"]
    fields += ["finished_at", "heartbeat_at"]
    if step is not None:
        job.step = step[:200]
        fields.append("step")
    if job.pk is None:
        job.save()
    else:
        job.save(update_fields=fields)
    task.delay_on_commit(*args)
    return job


def retry(job: Job) -> bool:
    """Start a failed job again, as its owner asked ("Try again"): its recorded task with
    its recorded arguments, attempts counted anew. False when it is not failed (any
    more: a double click queues it once) or records no task that still exists."""
    task = task_named(job.task)
    if task is None:
        return False
    with translation.override(job.language), transaction.atomic():
        started = Job.objects.filter(pk=job.pk, status=Job.Status.FAILED).update(
            status=Job.Status.PENDING,
            run=None,
            attempts=1,
            progress=0,
            step=_("Starting again"),
            last_error="",
            finished_at=None,
            heartbeat_at=timezone.now(),
        )
        if started:
            task.delay_on_commit(*job.arguments)
    return bool(started)


def may_retry(job: Job) -> bool:
    return job.status == Job.Status.FAILED and task_named(job.task) is not None


def task_named(name: str):
    """The registered Celery task of that name, or None."""
    if not name:
        return None
    from move.celery import app

    task = app.tasks.get(name)
    if task is None:
        # Outside a worker the tasks' modules may not be imported yet (autodiscovery).
        app.loader.import_default_modules()
        task = app.tasks.get(name)
    return task


# --- Doing a job ------------------------------------------------------------------------


def claim(job: Job) -> bool:
    """Take the job for this run: True if it was unfinished and held by no other run.
    The job (as given, updated) then holds this run's token, which its later writes
    require. A finished job, or one another run holds, is left alone: False."""
    token, now = uuid.uuid4(), timezone.now()
    taken = Job.objects.filter(pk=job.pk, status__in=UNFINISHED, run=None).update(
        run=token, status=Job.Status.PROCESSING, heartbeat_at=now
    )
    if taken:
        job.run, job.status, job.heartbeat_at = token, Job.Status.PROCESSING, now
    return bool(taken)


def save(job: Job, *fields: str, release: bool = False) -> None:
    """Write these fields of the job, and its heartbeat, if this run still holds it;
    `release`: and let it go (finished, or waiting for the task's own retry).
    Superseded if the job is no longer this run's."""
    now = timezone.now()
    values = {name: getattr(job, name) for name in fields} | {"heartbeat_at": now}
    if release:
        values["run"] = None
    held = Job.objects.filter(pk=job.pk, run=job.run)
    if job.run is None:  # not claimed: it may still write to a job nobody holds, unfinished
        held = held.filter(status__in=UNFINISHED)
    written = held.update(**values)
    if not written:
        raise Superseded(f"job {job.pk}, run {job.run}")
    job.heartbeat_at = now
    if release:
        job.run = None


def progress(job: Job, percent: int, step: str) -> None:
    """A step of the job: shown on its page, and a sign that its worker is alive."""
    job.status, job.progress, job.step = Job.Status.PROCESSING, percent, step[:200]
    save(job, "status", "progress", "step")


def heartbeat(job: Job) -> None:
    """A sign of life between steps; Superseded if this run lost the job."""
    save(job)


def ready(job: Job, partial: Path, file: str, filename: str) -> None:
    """Put the job's finished file in place and mark the job ready. `partial` was written
    beside its place (private folder / `file`), so that a reader never gets half a file;
    `file` is named after the job, so that a run that started over replaces its own file.
    A run that lost its job places nothing; if the job was deleted meanwhile (the person
    erased), its file does not outlive it."""
    target = private_root() / file
    try:
        heartbeat(job)
        partial.replace(target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    job.file, job.filename = file, filename
    job.status, job.progress, job.step = Job.Status.READY, 100, _("Ready")
    job.last_error, job.finished_at = "", timezone.now()
    fields = ["file", "filename", "status", "progress", "step", "last_error", "finished_at"]
    try:
        save(job, *fields, release=True)
    except Superseded:
        if not Job.objects.filter(pk=job.pk).exists():
            target.unlink(missing_ok=True)
        # Otherwise the run now holding the job writes the same file: left to it.
        raise
    except BaseException:
        target.unlink(missing_ok=True)
        raise


# --- Recovering the jobs of a dead worker -------------------------------------------------


def silent(job: Job, now: datetime | None = None) -> bool:
    """Unfinished and not heard of for longer than a step may take: its worker may be
    dead (recover will queue it again)."""
    if job.done:
        return False
    last = job.heartbeat_at or job.created_at
    return last is not None and last < (now or timezone.now()) - stale_after()


def recover(now: datetime | None = None, stale: timedelta | None = None) -> dict[str, int]:
    """Queue again the unfinished jobs silent for longer than `stale` (or fail them after
    the last attempt). Safe to run twice at once: the jobs are locked as they are read
    (SKIP LOCKED), and one made young again by the other run is no longer silent.
    Returns how many jobs were queued again and how many failed."""
    now = now or timezone.now()
    cutoff = now - (stale or stale_after())
    last = max_attempts()
    counts = {"requeued": 0, "failed": 0}
    with transaction.atomic():
        silent_jobs = (
            Job.objects.select_for_update(skip_locked=True)
            .filter(status__in=UNFINISHED)
            .filter(
                Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, created_at__lt=cutoff)
            )
            .order_by("pk")
        )
        for job in silent_jobs:
            task = task_named(job.task)
            with translation.override(job.language):
                if task is not None and job.attempts < last:
                    _queue_again(job, task, now)
                    counts["requeued"] += 1
                else:
                    _give_up(job, task, now)
                    counts["failed"] += 1
    return counts


def _queue_again(job: Job, task, now: datetime) -> None:
    # The run that held the job (if any) loses it: its next write is refused.
    job.status, job.run, job.attempts = Job.Status.PENDING, None, job.attempts + 1
    job.progress, job.step, job.heartbeat_at = 0, _("Interrupted, starting again"), now
    job.save(update_fields=["status", "run", "attempts", "progress", "step", "heartbeat_at"])
    logger.warning(
        "Job %s (%s) was silent: queued again (attempt %s)", job.pk, job.task, job.attempts
    )
    # A broker that does not answer is logged; the job, young again, is tried next time.
    transaction.on_commit(functools.partial(task.delay, *job.arguments), robust=True)


def _give_up(job: Job, task, now: datetime) -> None:
    if task is None:
        reason = _("The work was interrupted and cannot be started again by itself.")
    elif job.status == Job.Status.PENDING:
        reason = _("No worker took up this job: the background service may be stopped.")
    else:
        reason = _(
            "The work stopped %(count)s times before it was done (the server may have "
            "restarted or run out of memory)."
        ) % {"count": job.attempts}
    job.status, job.run, job.finished_at = Job.Status.FAILED, None, now
    job.last_error, job.heartbeat_at = reason, now
    job.save(update_fields=["status", "run", "finished_at", "last_error", "heartbeat_at"])
    logger.error("Job %s (%s) failed after %s attempts", job.pk, job.task, job.attempts)


# --- Files kept a week ------------------------------------------------------------------


def expired(today: date):
    cutoff = timezone.make_aware(datetime.combine(today - timedelta(days=KEPT_DAYS), time.min))
    return Job.objects.filter(finished_at__lt=cutoff).order_by("pk")


def forget(job: Job, today: date) -> bool:
    delete_file(job.file)
    job.delete()
    return True


def _description() -> str:
    return _("Files made by jobs (exports), %(days)s days after they were ready") % {
        "days": KEPT_DAYS
    }


def register() -> None:
    retention.register(
        retention.Rule(
            name="privacy.jobs",
            description=lazy(_description, str)(),
            candidates=expired,
            apply=forget,
            label=lambda job: f"{job.kind} {job.subject}",
        )
    )
