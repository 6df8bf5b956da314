"""Putting a backup back (issue 14): `manage.py restore ARCHIVE`, and the drill test.

The archive (move/ops/backup.py) is decrypted, every record's tag checked, and unpacked
into a staging folder first: a wrong passphrase or a damaged or altered archive changes
nothing. The staging folder holds the database in clear: it is a new folder only its
owner may open in the system's temporary folder (TMPDIR), never in MEDIA_ROOT, deleted
when the restore ends however it ends; the next restore removes what a killed one left.
Then the database is restored in one transaction (pg_restore --single-transaction;
SQLite's backup API), and the staged private folder is moved into place.

"Empty", which a restore requires unless --force: no table (nor view) in the
database's public schema (where Django puts everything; SQLite: no table but its own),
and no file in the private folder. --force replaces both, all or nothing for the
database: pg_restore --clean --if-exists drops each object of the archive and creates it
again inside the same transaction as the data, so a restore that fails half-way (a
damaged dump, a full disk) leaves the database as it was. pg_restore only drops what the
archive holds: a target with tables the archive does not have (a newer version's) is
refused, to be dropped and created again (dropdb, createdb) instead.
"""

import contextlib
import json
import re
import shutil
import sqlite3
import tarfile
from dataclasses import dataclass
from pathlib import Path

import psycopg
from django.db import connections

from move.ops import sealed
from move.ops.backup import (
    DUMP,
    FORMAT,
    PG_OPTIONS,
    BackupError,
    engine_of,
    private_files,
    program,
    remove_leftover_staging,
    run_pg,
    staging_folder,
)
from move.privacy.files import private_root

STAGING = "move-restore-"
# The staging folder of the versions before, beside the private folder (in MEDIA_ROOT).
OLD_STAGING = ".move-restore-*"


@dataclass
class Restored:
    manifest: dict
    files: int
    tables: int
    key_opens_data: bool | None  # None: nothing encrypted to check (no canary)
    replaced: bool  # --force replaced a non-empty database or private folder


def contents(database: dict) -> list[str]:
    """The tables already in the database: for PostgreSQL every table (and view) of the
    public schema, where Django puts everything; for SQLite every table but SQLite's own.
    Empty means a restore may go ahead without --force."""
    if engine_of(database) == "sqlite":
        path = Path(database["NAME"])
        if not path.exists() or path.stat().st_size == 0:
            return []
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
            rows = db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' ORDER BY name"
            ).fetchall()
        return [name for (name,) in rows]
    try:
        with psycopg.connect(**_psycopg_params(database)) as db:
            rows = db.execute(
                "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'f') "
                "ORDER BY c.relname"
            ).fetchall()
    except psycopg.OperationalError as error:
        raise BackupError(
            f"The database {database['NAME']} cannot be reached: {error}".strip()
        ) from None
    return [name for (name,) in rows]


def restore(path: Path, database: dict, secret: str, force: bool = False, out=None) -> Restored:
    """Put an archive back: the database of `database` (Django's settings of a
    connection) and MEDIA_ROOT/private. Refuses a database with tables or a private
    folder with files unless `force` (then both are replaced). The archive is decrypted
    and every tag checked into a staging folder first: a wrong passphrase or a damaged
    archive changes nothing."""

    def say(message: str) -> None:
        if out is not None:
            out(message)

    engine = engine_of(database)
    present = contents(database)
    private = private_root()
    has_files = next(private_files(private, excluded=()), None) is not None
    if (present or has_files) and not force:
        what = []
        if present:
            what.append(f"the database {database['NAME']} has {len(present)} tables")
        if has_files:
            what.append(f"the private folder {private} has files")
        raise BackupError(
            f"Not restoring: {' and '.join(what)}. Restore into an empty database (createdb) "
            "and an empty private folder, or add --force to replace what is there."
        )
    private.parent.mkdir(parents=True, exist_ok=True)
    _remove_leftovers(private.parent)
    staging = staging_folder(STAGING, private.parent)
    try:
        say(f"Decrypting and checking {path.name}...")
        manifest = _unpack(path, secret, staging)
        if manifest.get("engine") != engine:
            raise BackupError(
                f"This archive holds a {manifest.get('engine')} database; the target is "
                f"{engine}: restore it into a database of the same kind."
            )
        dump = staging / DUMP[engine]
        if not dump.is_file():
            raise BackupError("The archive holds no database dump.")
        if engine == "postgresql":
            listed = run_pg(
                [program("pg_restore"), "--list", str(dump)], database, "pg_restore --list"
            )
            _refuse_tables_not_in(listed, present, database)
        _disconnect(database)
        if present:
            say(f"Replacing the {len(present)} tables of {database['NAME']} (--force)...")
        say("Restoring the database...")
        if engine == "postgresql":
            _pg_restore(database, dump, clean=bool(present))
        else:
            _sqlite_restore(dump, Path(database["NAME"]))
        say("Putting the private files back...")
        files = _put_back(staging / "private", private)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    tables = len(contents(database))
    return Restored(manifest, files, tables, _key_opens(database), bool(present or has_files))


def _disconnect(database: dict) -> None:
    """Close this process's connections to the target: a connection left open would keep
    the tables that --force drops (PostgreSQL) or the file it replaces (SQLite)."""
    for connection in connections.all(initialized_only=True):
        if str(connection.settings_dict["NAME"]) == str(database["NAME"]):
            connection.close()


def _unpack(path: Path, secret: str, staging: Path) -> dict:
    """Decrypt and extract the archive into `staging`, every record's tag checked, to the
    end; returns its manifest."""
    try:
        with path.open("rb") as source:
            reader = sealed.SealedReader(source, secret)
            with tarfile.open(fileobj=reader, mode="r|") as tar:
                # "data": no absolute paths, no "..", no links out, no devices.
                tar.extractall(staging, filter="data")
            reader.drain()
    except FileNotFoundError:
        raise BackupError(f"{path} does not exist.") from None
    except sealed.SealError as error:
        raise BackupError(str(error)) from None
    except tarfile.TarError as error:
        raise BackupError(f"The archive's content is not readable: {error}") from None
    try:
        manifest = json.loads((staging / "manifest.json").read_text())
    except (OSError, ValueError):
        raise BackupError(
            "The archive has no readable manifest: it is not a Move backup."
        ) from None
    if manifest.get("format") != FORMAT:
        raise BackupError(
            f"This archive's content has format {manifest.get('format')}; this version of "
            f"Move restores format {FORMAT}."
        )
    return manifest


def _psycopg_params(database: dict) -> dict:
    params = {
        "dbname": database["NAME"],
        "user": database.get("USER") or None,
        "password": database.get("PASSWORD") or None,
        "host": database.get("HOST") or None,
        "port": database.get("PORT") or None,
        "autocommit": True,
    }
    options = database.get("OPTIONS") or {}
    params.update({key: value for key, value in options.items() if key in PG_OPTIONS})
    return {key: value for key, value in params.items() if value is not None}


def _remove_leftovers(media: Path) -> None:
    """What a restore killed half-way left: its staging folder in the temporary folder,
    or, from the versions before, beside the private folder (the database in clear)."""
    remove_leftover_staging(STAGING, media)
    for leftover in media.glob(OLD_STAGING):
        if leftover.is_dir() and not leftover.is_symlink():
            shutil.rmtree(leftover, ignore_errors=True)


def _refuse_tables_not_in(listed: str, present: list[str], database: dict) -> None:
    """--force over a database with tables the archive lacks (a newer version's): the
    restore drops and recreates only the archive's objects, so they would stay beside the
    older data (and `migrate` would then stumble on them)."""
    in_dump = set(
        re.findall(
            r"^\d+; \d+ \d+ (?:TABLE|VIEW|MATERIALIZED VIEW) public (\S+)(?: |$)",
            listed,
            re.MULTILINE,
        )
    )
    extra = sorted(set(present) - in_dump)
    if extra:
        shown = ", ".join(extra[:5]) + (", ..." if len(extra) > 5 else "")
        raise BackupError(
            f"Not restoring: the database {database['NAME']} has {len(extra)} tables the "
            f"archive does not have ({shown}). Drop and create it (dropdb, createdb) and "
            "restore without --force."
        )


def _pg_restore(database: dict, dump: Path, clean: bool = False) -> None:
    """All or nothing (one transaction): with `clean` (--force), each object of the
    archive is dropped and created again in that same transaction, so a restore that fails
    half-way leaves the database as it was. Owners and grants are those of the target's
    user: the archive may come from another server with other roles."""
    run_pg(
        [
            program("pg_restore"),
            "--no-owner",
            "--no-privileges",
            *(["--clean", "--if-exists"] if clean else []),
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={database['NAME']}",
            str(dump),
        ],
        database,
        "pg_restore",
    )


def _sqlite_restore(dump: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(f"file:{dump}?mode=ro", uri=True)
    copy = sqlite3.connect(target)
    try:
        with copy:
            source.backup(copy)
    finally:
        copy.close()
        source.close()


def _put_back(staged: Path, private: Path) -> int:
    """The archive's private folder in place of the current one: moved beside it first
    (the staging folder may be on another disk), then swapped by renaming. What was there
    (--force) is deleted after."""
    if not staged.is_dir():
        staged.mkdir()
    count = sum(1 for _path in private_files(staged, excluded=()))
    incoming = private.parent / ".move-restore-incoming"
    aside = private.parent / ".move-restore-replaced"
    for leftover in (incoming, aside):
        shutil.rmtree(leftover, ignore_errors=True)
    shutil.move(staged, incoming)
    if private.exists():
        private.rename(aside)
    incoming.rename(private)
    shutil.rmtree(aside, ignore_errors=True)
    return count


def _key_opens(database: dict) -> bool | None:
    """Whether MOVE_ENCRYPTION_KEY (or an old key) opens the restored data, read from
    the key canary (move/privacy/crypto.py). None when there is none to read."""
    from move.privacy import crypto
    from move.privacy.models import KeyCanary

    table = KeyCanary._meta.db_table
    try:
        if engine_of(database) == "sqlite":
            with contextlib.closing(sqlite3.connect(database["NAME"])) as db:
                row = db.execute(f"SELECT token FROM {table} WHERE id = 1").fetchone()
        else:
            with psycopg.connect(**_psycopg_params(database)) as db:
                row = db.execute(f"SELECT token FROM {table} WHERE id = 1").fetchone()
    except Exception:  # noqa: BLE001 - no such table (an old archive): nothing to check
        return None
    if row is None:
        return None
    try:
        return crypto.decrypt(row[0]) == KeyCanary.VALUE
    except crypto.UnreadableData:
        return False
