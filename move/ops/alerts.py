"""Telling the coordinators when the backups stop (issue 14).

Nobody reads a server's logs in a coalition without an operations team: a backup that
failed, or none for more than two days, is e-mailed to the coordinators, in their
language. `check_and_tell` runs after each nightly backup and again each morning (so
that a night when the backup did not run at all is noticed too); it e-mails once per
failed attempt and once a day while the backups are too old, whichever task finds it
first, and nothing while all is well. What was told is noted in the backup status file.

"Too old" counts from the last backup that succeeded or, when none ever did, from the
installation (the first migration applied): a new server is not reported before it
had the chance to make its first backups.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from move.accounts import emails, permissions
from move.ops import backup

logger = logging.getLogger(__name__)

STALE_AFTER = timedelta(days=2)
# Who is told: the coordinators (the only role that manages the organisations).
TOLD = "accounts.manage_organisations"


@dataclass(frozen=True)
class Problem:
    kind: str  # "failed" or "stale"
    key: str  # the same problem has the same key: told once
    when: datetime | None  # the failed attempt; the last success (None: never)
    error: str = ""


def installed_at() -> datetime | None:
    """When the first migration was applied to this database."""
    recorder = MigrationRecorder(connection)
    if not recorder.has_table():
        return None
    return recorder.migration_qs.order_by("applied").values_list("applied", flat=True).first()


def problems(now: datetime | None = None, state: backup.Status | None = None) -> list[Problem]:
    """What is wrong with the backups now: the last attempt failed; the last success
    (or, with none, the installation) is older than STALE_AFTER."""
    now = now or timezone.now()
    state = state or backup.status()
    found = []
    if state.last is not None and not state.last.ok:
        key = f"failed:{state.last.started.isoformat()}"
        found.append(Problem("failed", key, state.last.started, state.last.error))
    last_success = state.last_success.finished if state.last_success else None
    since = last_success or installed_at()
    if since is not None and now - since > STALE_AFTER:
        day = timezone.localdate(now).isoformat()
        found.append(Problem("stale", f"stale:{day}", last_success))
    return found


def check_and_tell(now: datetime | None = None, failure: str = "") -> int:
    """E-mail the coordinators the problems not told yet; returns how many e-mails were
    sent. `failure`: the error of a backup that could not even record its outcome (its
    folder not writable), told as a failed attempt."""
    now = now or timezone.now()
    state = backup.status()
    found = problems(now, state)
    if failure and not any(problem.kind == "failed" for problem in found):
        key = f"failed:{timezone.localdate(now).isoformat()}"
        found.insert(0, Problem("failed", key, now, failure))
    told = dict(state.alerted)
    if all(told.get(problem.kind) == problem.key for problem in found):
        return 0
    sent = _tell(found, state)
    told.update({problem.kind: problem.key for problem in found})
    _note_told(told)
    return sent


def _tell(found: list[Problem], state: backup.Status) -> int:
    failed = next((problem for problem in found if problem.kind == "failed"), None)
    stale = next((problem for problem in found if problem.kind == "stale"), None)
    context = {
        "failed": failed,
        "stale": stale,
        "last_success": state.last_success.finished if state.last_success else None,
        "days": STALE_AFTER.days,
        "site": settings.MOVE_SITE_URL,
    }
    sent = 0
    for person in permissions.holders(TOLD).order_by("email"):
        emails.send("backup-problem", person.email, person.language, context)
        sent += 1
    if not sent:
        logger.error("Backups need attention and no coordinator can be told: %s", found)
    return sent


def _note_told(told: dict) -> None:
    directory = backup.backup_dir()
    try:
        data = backup.read_status_file(directory)
        data["alerted"] = told
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        backup.write_status_file(directory, data)
    except OSError as error:
        logger.error("What was told about the backups cannot be noted: %s", error)
