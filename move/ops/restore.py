"""Putting a backup back (issue 14): `manage.py restore ARCHIVE`, and the drill test.

The archive (move/ops/backup.py) is decrypted, every record's tag checked, and unpacked
into a staging folder beside the private folder first: a wrong passphrase or a damaged
or altered archive changes nothing. Then the database is restored in one transaction
(pg_restore --single-transaction; SQLite's backup API), and the staged private folder is
renamed into place.

"Empty", which a restore requires unless --force: no table (nor view) in the
database's public schema (where Django puts everything; SQLite: no table but its own),
and no file in the private folder. --force drops the public schema with all it holds
and replaces the private folder.
"""

import contextlib
import json
import shutil
import sqlite3
import tarfile
import tempfile
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
    run_pg,
)
from move.privacy.files import private_root


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
    has_files = next(private_files(private), None) is not None
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
    with tempfile.TemporaryDirectory(prefix=".move-restore-", dir=private.parent) as work:
        staging = Path(work)
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
            run_pg([program("pg_restore"), "--list", str(dump)], database, "pg_restore --list")
        _disconnect(database)
        if present:
            say(f"Replacing the {len(present)} tables of {database['NAME']} (--force)...")
            _empty_database(database, engine)
        say("Restoring the database...")
        if engine == "postgresql":
            _pg_restore(database, dump)
        else:
            _sqlite_restore(dump, Path(database["NAME"]))
        say("Putting the private files back...")
        files = _put_back(staging / "private", private, staging / "replaced")
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


def _empty_database(database: dict, engine: str) -> None:
    """--force: drop what the database holds. PostgreSQL: the public schema with
    everything in it, created again empty (the database's owner may do so)."""
    if engine == "sqlite":
        return  # the backup API overwrites the whole file
    try:
        with psycopg.connect(**_psycopg_params(database)) as db:
            db.execute("DROP SCHEMA public CASCADE")
            db.execute("CREATE SCHEMA public")
    except psycopg.Error as error:
        raise BackupError(
            f"The database could not be emptied ({error}). Drop and create it "
            "(dropdb, createdb) and restore without --force."
        ) from None


def _pg_restore(database: dict, dump: Path) -> None:
    """All or nothing (one transaction). Owners and grants are those of the target's
    user: the archive may come from another server with other roles."""
    run_pg(
        [
            program("pg_restore"),
            "--no-owner",
            "--no-privileges",
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


def _put_back(staged: Path, private: Path, aside: Path) -> int:
    """The archive's private folder in place of the current one (renamed, not copied:
    the staging folder is beside it). What was there (--force) is deleted after."""
    if not staged.is_dir():
        staged.mkdir()
    count = sum(1 for _path in private_files(staged))
    if private.exists():
        private.rename(aside)
    staged.rename(private)
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
