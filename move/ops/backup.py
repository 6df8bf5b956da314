"""Backups that restore (issue 14): the database and the private files in one dated,
encrypted archive, kept N days and M weeks; `manage.py restore` puts one back
(move/ops/restore.py).

An archive (move/ops/sealed.py seals it with MOVE_BACKUP_PASSPHRASE) is a tar of:

    manifest.json        what it holds: format, when, the database engine, file count
    database.dump        pg_dump's custom format (PostgreSQL), or
    database.sqlite3     a copy made with SQLite's backup API (the demo)
    private/...          MEDIA_ROOT/private: attachments, decisions, documents, but not
                         the files jobs make (EXCLUDED: subject-access and witness exports
                         hold identities and contacts in clear; they are kept a week and
                         can be made again)

Never in it: MOVE_SECRET_KEY, MOVE_ENCRYPTION_KEY and the old keys, which live in the
environment, not in the database nor the files. The identities in the dump stay encrypted
with MOVE_ENCRYPTION_KEY: a restored database needs that key as well as the passphrase,
and the README says to keep both, apart from the archives.

The dump is staged in a folder of its own in the system's temporary folder (TMPDIR), only
its owner may read, deleted as soon as the archive is sealed: never in MOVE_BACKUP_DIR,
which operators copy off the server, nor in MEDIA_ROOT. A run killed half-way leaves it
there; the next run removes it (its name is derived from MOVE_BACKUP_DIR, and the lock
says no run of that folder is going).

The database is dumped first, then the files are read: a file added meanwhile is only
one more (its row is not in the dump); the nightly job runs before the retention purge,
which is what deletes files at night.

Each attempt's outcome (when, the file, its size, how long, the error) is recorded in
MOVE_BACKUP_DIR/status.json, beside the archives it describes, rather than in the
database: a restore would roll a table back to the time of the dump and lose the record
of every backup made since, and a database that is down could not record that its own
backup failed. The System page and the nightly check (move/ops/alerts.py) read it.
"""

import contextlib
import fcntl
import hashlib
import json
import logging
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path

from django.conf import settings
from django.db import connections
from django.utils import timezone

from move.env import env_int, env_secret, env_str
from move.ops import sealed
from move.privacy.files import private_root

logger = logging.getLogger(__name__)

FORMAT = 1
ARCHIVE = re.compile(r"^move-backup-(\d{8}T\d{6}Z)\.enc$")
STAMP = "%Y%m%dT%H%M%SZ"
STATUS = "status.json"
HISTORY = 30  # outcomes kept in the status file
MIN_PASSPHRASE = 20
DUMP = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}
# Folders of MEDIA_ROOT/private left out of the archives: what jobs make (detainees/export.py
# EXPORTS: case-file and witness exports; figures/pdf.py and advocacy/meetings.py
# JOBS_FOLDER: PDFs), kept a week for their owner and made again on request.
EXCLUDED = ("exports", "jobs")
# The staging folder of the versions before, inside MOVE_BACKUP_DIR.
OLD_STAGING = ".move-backup-*"
# What a child process (pg_dump, pg_restore) is not given of our environment.
_WITHHELD = re.compile(r"^(MOVE_|DATABASE_URL$|REDIS_URL$|PG)")
# The parts of a PostgreSQL URL's query string that libpq reads from the environment.
PG_OPTIONS = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "connect_timeout": "PGCONNECT_TIMEOUT",
}


class BackupError(Exception):
    """A backup or a restore that cannot be made; the message says why and what to do."""


# --- Settings ----------------------------------------------------------------------------
# Read from settings when move/settings.py defines them, else from the environment with
# the same names and defaults.


def backup_dir() -> Path:
    configured = getattr(settings, "MOVE_BACKUP_DIR", None) or env_str("MOVE_BACKUP_DIR")
    return Path(configured) if configured else Path(settings.MEDIA_ROOT) / "backups"


def kept_counts() -> tuple[int, int]:
    """(daily, weekly): MOVE_BACKUP_KEEP_DAILY (7, at least 1: the newest archive is
    always kept) and MOVE_BACKUP_KEEP_WEEKLY (4)."""
    daily = getattr(settings, "MOVE_BACKUP_KEEP_DAILY", None)
    weekly = getattr(settings, "MOVE_BACKUP_KEEP_WEEKLY", None)
    if daily is None:
        daily = env_int("MOVE_BACKUP_KEEP_DAILY", 7, minimum=1)
    if weekly is None:
        weekly = env_int("MOVE_BACKUP_KEEP_WEEKLY", 4, minimum=0)
    return max(int(daily), 1), max(int(weekly), 0)


def passphrase(for_backup: bool = True) -> str:
    """MOVE_BACKUP_PASSPHRASE (or the file named by MOVE_BACKUP_PASSPHRASE_FILE). A backup
    refuses one that is short or is one of the application's keys: whoever holds the
    keys (every server, every container) must not be able to open the archives, and an
    archive's passphrase must not open the live data."""
    value = getattr(settings, "MOVE_BACKUP_PASSPHRASE", None) or env_secret(
        "MOVE_BACKUP_PASSPHRASE"
    )
    if not value:
        raise BackupError(
            "MOVE_BACKUP_PASSPHRASE is not set: backups are encrypted with it. Generate one "
            '(python3 -c "import secrets; print(secrets.token_urlsafe(32))"), put it in the '
            "environment (.env) and keep a copy away from the server."
        )
    if not for_backup:
        return value
    keys = [settings.SECRET_KEY, settings.ENCRYPTION_KEY, *settings.ENCRYPTION_OLD_KEYS]
    if value.strip() in {key.strip() for key in keys if key}:
        raise BackupError(
            "MOVE_BACKUP_PASSPHRASE must differ from MOVE_SECRET_KEY, MOVE_ENCRYPTION_KEY and "
            "MOVE_ENCRYPTION_OLD_KEYS: an archive must not open with the application's keys."
        )
    if len(value.strip()) < MIN_PASSPHRASE:
        raise BackupError(
            f"MOVE_BACKUP_PASSPHRASE is too short: it needs at least {MIN_PASSPHRASE} "
            "characters (it is the only protection of an archive copied off the server)."
        )
    return value


# --- Archives and the status file ------------------------------------------------------------


@dataclass(frozen=True)
class Archive:
    path: Path
    made: datetime  # UTC, from the name
    size: int

    @property
    def name(self) -> str:
        return self.path.name


def archives(directory: Path | None = None) -> list[Archive]:
    """The archives in the backup folder, newest first (only files named as ours)."""
    directory = directory or backup_dir()
    if not directory.is_dir():
        return []
    found = []
    for path in directory.iterdir():
        match = ARCHIVE.match(path.name)
        if match and path.is_file():
            made = datetime.strptime(match.group(1), STAMP).replace(tzinfo=UTC)
            found.append(Archive(path, made, path.stat().st_size))
    return sorted(found, key=lambda archive: archive.made, reverse=True)


def archive_name(moment: datetime) -> str:
    return f"move-backup-{moment.astimezone(UTC).strftime(STAMP)}.enc"


@dataclass
class Outcome:
    """One backup attempt, as the status file keeps it."""

    started: datetime
    finished: datetime
    ok: bool
    file: str = ""
    size: int = 0
    seconds: float = 0.0
    error: str = ""
    deleted: list[str] = field(default_factory=list)

    def as_json(self) -> dict:
        data = asdict(self)
        data["started"], data["finished"] = self.started.isoformat(), self.finished.isoformat()
        return data

    @classmethod
    def from_json(cls, data: dict | None) -> "Outcome | None":
        if not data:
            return None
        values = dict(data)
        for name in ("started", "finished"):
            values[name] = datetime.fromisoformat(values[name])
        known = cls.__dataclass_fields__
        return cls(**{key: value for key, value in values.items() if key in known})


@dataclass
class Status:
    """What the System page and the nightly check read: the last attempt, the last
    success, recent attempts (newest first), the archives on disk."""

    directory: Path
    last: Outcome | None
    last_success: Outcome | None
    history: list[Outcome]
    archives: list[Archive]
    alerted: dict


def read_status_file(directory: Path) -> dict:
    try:
        return json.loads((directory / STATUS).read_text())
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as error:
        logger.warning("The backup status file cannot be read: %s", error)
        return {}


def status(directory: Path | None = None) -> Status:
    directory = directory or backup_dir()
    data = read_status_file(directory)
    return Status(
        directory=directory,
        last=Outcome.from_json(data.get("last")),
        last_success=Outcome.from_json(data.get("last_success")),
        history=[Outcome.from_json(item) for item in data.get("history", [])],
        archives=archives(directory),
        alerted=data.get("alerted", {}),
    )


def write_status_file(directory: Path, data: dict) -> None:
    """Replace status.json whole (a temporary file renamed over it)."""
    _write_atomically(directory / STATUS, json.dumps(data, indent=2).encode())


def record(outcome: Outcome, directory: Path | None = None) -> None:
    directory = directory or backup_dir()
    data = read_status_file(directory)
    data["last"] = outcome.as_json()
    if outcome.ok:
        data["last_success"] = outcome.as_json()
    data["history"] = [outcome.as_json(), *data.get("history", [])][:HISTORY]
    write_status_file(directory, data)


# --- Backup ----------------------------------------------------------------------------


def run(now: datetime | None = None, database: str = "default") -> Outcome:
    """Make an archive, then apply the retention; record the outcome either way. Raises
    BackupError (after recording it) when no archive could be made. One at a time: a
    second run while one is going fails at once."""
    started = now or timezone.now()
    began = time.monotonic()
    directory = backup_dir()
    try:
        _prepare(directory)
        with _lock(directory):
            archive = make_archive(directory, connections[database].settings_dict, started)
            deleted = prune(directory)
    except Exception as error:  # noqa: BLE001 - every failure is recorded, then raised
        message = str(error) if isinstance(error, BackupError) else _describe(error)
        outcome = Outcome(
            started, timezone.now(), False, seconds=time.monotonic() - began, error=message
        )
        _try_to_record(outcome, directory)
        logger.error("Backup failed: %s", message)
        if isinstance(error, BackupError):
            raise
        raise BackupError(message) from error
    outcome = Outcome(
        started,
        timezone.now(),
        True,
        file=archive.name,
        size=archive.stat().st_size,
        seconds=time.monotonic() - began,
        deleted=[path.name for path in deleted],
    )
    _try_to_record(outcome, directory)
    logger.info("Backup %s: %s bytes in %.1f s", archive.name, outcome.size, outcome.seconds)
    return outcome


def make_archive(directory: Path, database: dict, now: datetime) -> Path:
    """Dump the database, add the private files, seal it all into
    `directory`/move-backup-<UTC time>.enc, written under a temporary name and renamed
    once complete and on disk. Returns its path."""
    secret = passphrase()
    private = private_root()
    if directory.resolve().is_relative_to(private.resolve()):
        raise BackupError(
            "MOVE_BACKUP_DIR is inside the private files' folder: each backup would hold "
            "the ones before it. Choose a folder outside MEDIA_ROOT/private."
        )
    final = directory / archive_name(now)
    if final.exists():
        raise BackupError(f"{final.name} already exists: one backup a second at most.")
    engine = engine_of(database)
    work = staging_folder("move-backup-", directory)
    try:
        dump = work / DUMP[engine]
        if engine == "postgresql":
            _pg_dump(database, dump)
        else:
            _sqlite_copy(database["NAME"], dump)
        files = list(private_files(private))
        manifest = {
            "format": FORMAT,
            "made": now.isoformat(),
            "engine": engine,
            "database": str(database["NAME"]),
            "files": len(files),
        }
        partial = directory / f".{final.name}.partial"
        try:
            with _exclusive_file(partial) as out:
                with (
                    sealed.SealedWriter(out, secret) as writer,
                    tarfile.open(fileobj=writer, mode="w|", format=tarfile.PAX_FORMAT) as tar,
                ):
                    _add_bytes(tar, "manifest.json", json.dumps(manifest, indent=2).encode())
                    tar.add(dump, arcname=dump.name)
                    for path in files:
                        tar.add(path, arcname=f"private/{path.relative_to(private)}")
                out.flush()
                os.fsync(out.fileno())
            partial.replace(final)
        finally:
            partial.unlink(missing_ok=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    _sync_directory(directory)
    return final


def staging_prefix(kind: str, owner: Path) -> str:
    """The name prefix of the staging folders of `owner` (the backup folder, or the media
    folder a restore fills): another installation's staging in the same temporary folder
    has another prefix and is never touched."""
    digest = hashlib.sha256(str(owner.resolve()).encode()).hexdigest()[:12]
    return f"{kind}{digest}-"


def staging_folder(kind: str, owner: Path) -> Path:
    """A new folder only its owner may open (tempfile.mkdtemp: mode 0700) in the system's
    temporary folder, for plaintext that must not sit in MOVE_BACKUP_DIR (copied off the
    server) nor in MEDIA_ROOT. The caller deletes it in a `finally`."""
    work = Path(tempfile.mkdtemp(prefix=staging_prefix(kind, owner))).resolve()
    for folder in {backup_dir(), Path(settings.MEDIA_ROOT), owner}:
        if work.is_relative_to(folder.resolve()):
            shutil.rmtree(work, ignore_errors=True)
            raise BackupError(
                f"The temporary folder {work.parent} is inside {folder}: set TMPDIR to a "
                "folder outside MOVE_BACKUP_DIR and MEDIA_ROOT."
            )
    return work


def remove_leftover_staging(kind: str, owner: Path) -> None:
    """The staging folders of `owner` that a run killed half-way left in the temporary
    folder (called when no other run can be using them)."""
    for leftover in Path(tempfile.gettempdir()).glob(f"{staging_prefix(kind, owner)}*"):
        if leftover.is_dir() and not leftover.is_symlink():
            shutil.rmtree(leftover, ignore_errors=True)


def _prepare(directory: Path) -> None:
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    if not os.access(directory, os.W_OK):
        raise BackupError(f"The backup folder {directory} is not writable by this user.")


@contextlib.contextmanager
def _lock(directory: Path):
    with (directory / ".lock").open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BackupError("Another backup is being made in this folder.") from None
        try:
            # What a run killed half-way left behind (we hold the lock: it is not running).
            # The plaintext dump of a killed run: in the temporary folder, or, staged by
            # the versions before, in this folder (which is copied off the server).
            remove_leftover_staging("move-backup-", directory)
            for leftover in directory.glob(OLD_STAGING):
                if leftover.is_dir() and not leftover.is_symlink():
                    shutil.rmtree(leftover, ignore_errors=True)
                else:
                    leftover.unlink(missing_ok=True)  # a partial archive
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def engine_of(database: dict) -> str:
    engine = database["ENGINE"]
    if engine == "django.db.backends.postgresql":
        return "postgresql"
    if engine == "django.db.backends.sqlite3":
        return "sqlite"
    raise BackupError(f"Backups support PostgreSQL and SQLite, not {engine}.")


def _pg_env(database: dict) -> dict:
    """The environment of pg_dump and pg_restore: the connection in libpq's variables,
    the password included (never on a command line, which `ps` shows to every user), and
    nothing of the application's own settings."""
    env = {name: value for name, value in os.environ.items() if not _WITHHELD.match(name)}
    values = {
        "PGHOST": database.get("HOST"),
        "PGPORT": database.get("PORT"),
        "PGUSER": database.get("USER"),
        "PGPASSWORD": database.get("PASSWORD"),
        "PGDATABASE": database.get("NAME"),
    }
    for option, variable in PG_OPTIONS.items():
        values[variable] = (database.get("OPTIONS") or {}).get(option)
    env.update({name: str(value) for name, value in values.items() if value not in (None, "")})
    return env


def program(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(
            f"{name} was not found on PATH: install PostgreSQL's client programs (the "
            "package postgresql-client, of the server's major version or newer)."
        )
    return found


def run_pg(arguments: list[str], database: dict, what: str) -> str:
    result = subprocess.run(  # noqa: S603 - fixed arguments, no shell
        arguments, env=_pg_env(database), capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        detail = result.stderr.strip() or f"exit status {result.returncode}"
        raise BackupError(f"{what} failed: {detail}")
    return result.stdout


def _pg_dump(database: dict, target: Path) -> None:
    """A consistent snapshot (pg_dump reads in one transaction), in the custom format:
    compressed, and pg_restore can check it before touching a database."""
    run_pg([program("pg_dump"), "--format=custom", f"--file={target}"], database, "pg_dump")


def _sqlite_copy(name, target: Path) -> None:
    """A consistent copy of a live SQLite database (its backup API, WAL included)."""
    source = sqlite3.connect(f"file:{name}?mode=ro", uri=True)
    copy = sqlite3.connect(target)
    try:
        with copy:
            source.backup(copy)
    finally:
        copy.close()
        source.close()


def private_files(root: Path, excluded: tuple[str, ...] = EXCLUDED):
    """Every regular file under the private folder, in a stable order (links skipped:
    nothing outside the folder goes into the archive), but those of the `excluded` folders
    at its top: the exports and other files jobs make, which hold identities in clear."""
    if not root.is_dir():
        return
    for folder, dirs, files in os.walk(root):
        if Path(folder) == root:
            dirs[:] = [name for name in dirs if name not in excluded]
        dirs.sort()
        for name in sorted(files):
            path = Path(folder) / name
            if path.is_file() and not path.is_symlink():
                yield path


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(data), int(time.time()), 0o600
    tar.addfile(info, BytesIO(data))


@contextlib.contextmanager
def _exclusive_file(path: Path):
    """A new file only its owner reads."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        yield handle


def _write_atomically(path: Path, data: bytes) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with _exclusive_file(temporary) as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        temporary.replace(path)
    finally:
        temporary.unlink(missing_ok=True)


def _sync_directory(directory: Path) -> None:
    """The rename itself on disk (a crash right after would otherwise lose it)."""
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _describe(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"


def _try_to_record(outcome: Outcome, directory: Path) -> None:
    try:
        record(outcome, directory)
    except OSError as error:
        logger.error("The backup's outcome could not be recorded in %s: %s", directory, error)


# --- Retention -------------------------------------------------------------------------


def select_kept(moments: list[datetime], daily: int, weekly: int) -> dict[datetime, str]:
    """{moment: "daily" or "weekly"} of the archives to keep, the way borg prune does:
    the newest archive of each of the `daily` most recent days that have one, then the
    newest of each of the `weekly` most recent ISO weeks, a week whose newest archive is
    already kept as a daily one not counting. With a backup every night that is exactly
    `daily` consecutive days and `weekly` weeks before them. Days and weeks are local
    (TIME_ZONE)."""
    zone = timezone.get_default_timezone()
    newest_first = sorted(moments, reverse=True)
    kept: dict[datetime, str] = {}
    rules = (
        ("daily", daily, lambda moment: moment.astimezone(zone).date()),
        ("weekly", weekly, lambda moment: moment.astimezone(zone).isocalendar()[:2]),
    )
    for rule, count, period_of in rules:
        taken, last_period = 0, None
        for moment in newest_first:
            if taken >= count:
                break
            period = period_of(moment)
            if period == last_period:
                continue
            last_period = period
            if moment not in kept:
                kept[moment] = rule
                taken += 1
    return kept


def prune(directory: Path | None = None) -> list[Path]:
    """Delete the archives the retention does not keep; returns their paths. Only runs
    after a backup succeeded, so that failing backups never eat the good ones."""
    directory = directory or backup_dir()
    daily, weekly = kept_counts()
    found = archives(directory)
    kept = select_kept([archive.made for archive in found], daily, weekly)
    deleted = []
    for archive in found:
        if archive.made not in kept:
            archive.path.unlink(missing_ok=True)
            deleted.append(archive.path)
    return deleted
