"""Backups (issue 14, move/ops): sealed with a passphrase that is none of the application's
keys, refused whole when altered, kept N days and M weeks, restored only into an empty
database unless told, and the coordinators told when one fails or the last is too old.
The whole round trip on PostgreSQL is the drill (test_backup_drill.py)."""

import fcntl
import io
import json
import sqlite3
import subprocess
import tarfile
import tempfile
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone
from psycopg import sql

from detainees import services
from detainees.models import Person
from move.ops import alerts, backup, restore, sealed, tasks

PASSPHRASE = "a-backup-passphrase-only-for-the-tests"
BRUSSELS = ZoneInfo("Europe/Brussels")
SQLITE = "django.db.backends.sqlite3"


@pytest.fixture
def backups(settings, tmp_path, monkeypatch):
    """The backup folder and the private files in tmp_path, the passphrase set, and a
    cheap scrypt (the real cost is for the drill)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MOVE_BACKUP_DIR = tmp_path / "backups"
    settings.MOVE_BACKUP_PASSPHRASE = PASSPHRASE
    settings.MOVE_BACKUP_KEEP_DAILY = 7
    settings.MOVE_BACKUP_KEEP_WEEKLY = 4
    monkeypatch.delenv("MOVE_BACKUP_PASSPHRASE", raising=False)
    monkeypatch.setattr(sealed, "SCRYPT", {"n": 2**10, "r": 8, "p": 1})
    return settings.MOVE_BACKUP_DIR


@pytest.fixture
def no_passphrase(settings, monkeypatch):
    settings.MOVE_BACKUP_PASSPHRASE = None
    monkeypatch.delenv("MOVE_BACKUP_PASSPHRASE", raising=False)


def sealed_bytes(data: bytes, passphrase: str = PASSPHRASE) -> bytes:
    out = io.BytesIO()
    with sealed.SealedWriter(out, passphrase) as writer:
        writer.write(data)
    return out.getvalue()


def opened(blob: bytes, passphrase: str = PASSPHRASE) -> bytes:
    reader = sealed.SealedReader(io.BytesIO(blob), passphrase)
    data = reader.read()
    reader.drain()
    return data


def records(blob: bytes) -> list[tuple[int, int]]:
    """(offset, length) of each record of a sealed blob, its length prefix included."""
    (header,) = sealed._LENGTH.unpack_from(blob, len(sealed.MAGIC))
    offset, found = len(sealed.MAGIC) + 4 + header, []
    while offset < len(blob):
        (size,) = sealed._LENGTH.unpack_from(blob, offset)
        found.append((offset, 4 + size))
        offset += 4 + size
    return found


def sqlite_database(path: Path, rows: int = 3) -> dict:
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE visit (id INTEGER PRIMARY KEY, centre TEXT)")
        db.executemany(
            "INSERT INTO visit (centre) VALUES (?)", [(f"centre {n}",) for n in range(rows)]
        )
    return {"ENGINE": SQLITE, "NAME": str(path)}


def sqlite_rows(path: Path) -> list:
    with sqlite3.connect(path) as db:
        return db.execute("SELECT id, centre FROM visit ORDER BY id").fetchall()


def private_file(settings, name: str, content: bytes) -> Path:
    path = Path(settings.MEDIA_ROOT) / "private" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path


def sqlite_archive(tmp_path, settings, moment=None) -> Path:
    """An archive of a small SQLite database and one private file."""
    private_file(settings, "legal/decisions/a.pdf", b"%PDF decision")
    database = sqlite_database(tmp_path / "source.sqlite3")
    directory = Path(settings.MOVE_BACKUP_DIR)
    directory.mkdir(parents=True, exist_ok=True)
    return backup.make_archive(directory, database, moment or timezone.now())


def unpacked(path: Path, tmp_path: Path, passphrase: str = PASSPHRASE) -> Path:
    target = tmp_path / "unpacked"
    target.mkdir()
    restore._unpack(path, passphrase, target)
    return target


def only_archives_and_status(directory: Path) -> bool:
    """The backup folder (copied off the server) holds archives, its status and its lock:
    no plaintext, no staging folder."""
    names = {path.name for path in directory.iterdir()}
    return all(backup.ARCHIVE.match(name) for name in names - {backup.STATUS, ".lock"})


def no_staging_left(kind: str, owner: Path) -> bool:
    prefix = backup.staging_prefix(kind, owner)
    return not [path for path in Path(tempfile.gettempdir()).glob(f"{prefix}*")]


def outcome(ok: bool, finished: datetime, error: str = "") -> backup.Outcome:
    return backup.Outcome(finished - timedelta(minutes=1), finished, ok, error=error)


# --- The sealed format ---------------------------------------------------------------------


def test_an_archive_opens_with_its_passphrase_chunk_after_chunk():
    data = bytes(range(256)) * (3 * sealed.CHUNK // 256) + b"tail"
    blob = sealed_bytes(data)
    assert len(records(blob)) == 4
    assert opened(blob) == data


def test_a_wrong_passphrase_is_refused_with_a_clear_message():
    blob = sealed_bytes(b"the database")
    with pytest.raises(sealed.WrongPassphrase, match="The passphrase does not open this archive"):
        opened(blob, "another-passphrase-altogether")


@pytest.mark.parametrize("which", ["first", "middle", "last"])
def test_a_changed_byte_in_any_record_is_refused(which):
    blob = bytearray(sealed_bytes(b"x" * (2 * sealed.CHUNK + 10)))
    offset, length = records(bytes(blob))[["first", "middle", "last"].index(which)]
    blob[offset + length // 2] ^= 0x01
    with pytest.raises(sealed.Damaged, match="damaged or was altered"):
        opened(bytes(blob))


def test_an_archive_cut_short_or_extended_or_reordered_is_refused():
    blob = sealed_bytes(b"y" * (2 * sealed.CHUNK + 10))
    (first, first_length), (second, second_length), (last, _length) = records(blob)
    cut_at_a_record = blob[:last]
    cut_inside_a_record = blob[: last + 10]
    extended = blob + blob[first : first + first_length]
    swapped = (
        blob[:first]
        + blob[second : second + second_length]
        + blob[first : first + first_length]
        + blob[last:]
    )
    for altered in (cut_at_a_record, cut_inside_a_record, extended, swapped):
        with pytest.raises(sealed.Damaged):
            opened(altered)


def test_a_changed_header_is_refused():
    blob = sealed_bytes(b"z" * 100)
    n = sealed.SCRYPT["n"]
    altered = blob.replace(f'"n": {n}'.encode(), f'"n": {n // 2:<{len(str(n))}}'.encode(), 1)
    assert altered != blob and len(altered) == len(blob)
    with pytest.raises(sealed.SealError):
        opened(altered)
    with pytest.raises(sealed.SealError, match="not a Move backup archive"):
        opened(b"PK\x03\x04 a zip file")


# --- The passphrase ------------------------------------------------------------------------


def test_a_backup_without_a_passphrase_is_refused(backups, no_passphrase):
    with pytest.raises(backup.BackupError, match="MOVE_BACKUP_PASSPHRASE is not set"):
        backup.passphrase()


@pytest.mark.parametrize("key", ["SECRET_KEY", "ENCRYPTION_KEY", "ENCRYPTION_OLD_KEYS"])
def test_the_passphrase_may_not_be_one_of_the_applications_keys(backups, settings, key):
    reused = "an-application-key-that-is-long-enough-0123456789"
    setattr(settings, key, [reused] if key == "ENCRYPTION_OLD_KEYS" else reused)
    settings.MOVE_BACKUP_PASSPHRASE = reused
    with pytest.raises(backup.BackupError, match="must differ from MOVE_SECRET_KEY"):
        backup.passphrase()


def test_a_short_passphrase_is_refused(backups, settings):
    settings.MOVE_BACKUP_PASSPHRASE = "short"
    with pytest.raises(backup.BackupError, match="too short"):
        backup.passphrase()


def test_the_passphrase_may_come_from_a_file(backups, settings, monkeypatch, tmp_path):
    settings.MOVE_BACKUP_PASSPHRASE = None
    (tmp_path / "secret").write_text(PASSPHRASE + "\n")
    monkeypatch.setenv("MOVE_BACKUP_PASSPHRASE_FILE", str(tmp_path / "secret"))
    assert backup.passphrase() == PASSPHRASE


# --- Making an archive ---------------------------------------------------------------------


@pytest.mark.django_db
def test_a_backup_is_one_dated_archive_and_its_outcome_is_recorded(backups, settings):
    private_file(settings, "legal/attachments/letter.pdf", b"%PDF letter")
    moment = datetime(2026, 4, 15, 1, 30, tzinfo=BRUSSELS)
    made = backup.run(now=moment)
    assert made.ok
    assert made.file == "move-backup-20260414T233000Z.enc"
    archive = backups / made.file
    assert made.size == archive.stat().st_size > 0
    assert archive.stat().st_mode & 0o077 == 0  # only its owner reads it
    assert not [path for path in backups.iterdir() if path.name.startswith(".move-backup")]
    content = unpacked(archive, backups.parent)
    manifest = json.loads((content / "manifest.json").read_text())
    assert manifest["engine"] == "postgresql"
    assert manifest["files"] == 1
    assert (content / "database.dump").read_bytes()[:5] == b"PGDMP"
    assert (content / "private/legal/attachments/letter.pdf").read_bytes() == b"%PDF letter"
    recorded = backup.status()
    assert recorded.last == recorded.last_success
    assert recorded.last.file == made.file and recorded.last.size == made.size
    assert [item.name for item in recorded.archives] == [made.file]


@pytest.mark.django_db
def test_a_failed_backup_is_recorded_with_its_error_and_deletes_nothing(backups, no_passphrase):
    backups.mkdir()
    old = [backups / backup.archive_name(timezone.now() - timedelta(days=n)) for n in range(30)]
    for path in old:
        path.write_bytes(b"an old archive")
    with pytest.raises(backup.BackupError, match="MOVE_BACKUP_PASSPHRASE is not set"):
        backup.run()
    assert all(path.exists() for path in old)
    recorded = backup.status()
    assert recorded.last.ok is False
    assert "MOVE_BACKUP_PASSPHRASE is not set" in recorded.last.error
    assert recorded.last_success is None


@pytest.mark.django_db
def test_the_dump_is_staged_outside_the_backup_folder_and_removed(backups, settings, monkeypatch):
    staged = []
    dump = backup._pg_dump

    def watched(database, target):
        staged.append(target.parent)
        assert oct(target.parent.stat().st_mode & 0o777) == oct(0o700)
        dump(database, target)

    monkeypatch.setattr(backup, "_pg_dump", watched)
    made = backup.run()
    (work,) = staged
    assert not work.is_relative_to(backups.resolve())
    assert not work.is_relative_to(Path(settings.MEDIA_ROOT).resolve())
    assert not work.exists()
    assert only_archives_and_status(backups)
    assert [path.name for path in backups.iterdir() if path.suffix == ".enc"] == [made.file]


@pytest.mark.django_db
def test_a_failing_backup_leaves_no_plaintext_behind(backups, monkeypatch):
    def half_a_dump(database, target):
        target.write_bytes(b"PGDMP half a dump")
        raise backup.BackupError("pg_dump failed: disk full")

    monkeypatch.setattr(backup, "_pg_dump", half_a_dump)
    with pytest.raises(backup.BackupError, match="disk full"):
        backup.run()
    assert only_archives_and_status(backups)
    assert no_staging_left("move-backup-", backups)


@pytest.mark.django_db
def test_a_backup_removes_the_plaintext_a_killed_run_left(backups):
    backups.mkdir()
    old_staging = backups / ".move-backup-k1ll3d"  # where the versions before staged it
    old_staging.mkdir()
    (old_staging / "database.dump").write_bytes(b"PGDMP in clear")
    (backups / ".move-backup-20260101T000000Z.enc.partial").write_bytes(b"half sealed")
    killed = Path(tempfile.mkdtemp(prefix=backup.staging_prefix("move-backup-", backups)))
    (killed / "database.dump").write_bytes(b"PGDMP in clear")
    backup.run()
    assert not old_staging.exists() and not killed.exists()
    assert only_archives_and_status(backups)


def test_pg_dump_failing_is_reported_with_its_message(backups, settings):
    settings.MOVE_BACKUP_DIR.mkdir()
    database = {**connection.settings_dict, "NAME": "move_no_such_database"}
    with pytest.raises(backup.BackupError, match="pg_dump failed: .*move_no_such_database"):
        backup.make_archive(settings.MOVE_BACKUP_DIR, database, timezone.now())
    assert not list(settings.MOVE_BACKUP_DIR.iterdir())


def test_the_database_password_is_never_on_a_command_line(backups, monkeypatch, tmp_path):
    seen = {}

    def fake_run(arguments, env, **kwargs):
        seen.update(arguments=arguments, env=env)
        Path(arguments[-1].removeprefix("--file=")).write_bytes(b"PGDMP")
        return subprocess.CompletedProcess(arguments, 0, "", "")

    monkeypatch.setattr(backup.subprocess, "run", fake_run)
    monkeypatch.setenv("MOVE_ENCRYPTION_KEY", "not-for-pg-dump")
    database = {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "move",
        "USER": "move",
        "PASSWORD": "the-database-password",
        "HOST": "postgres",
        "PORT": 5432,
        "OPTIONS": {"sslmode": "require"},
    }
    (tmp_path / "backups").mkdir()
    backup.make_archive(tmp_path / "backups", database, timezone.now())
    assert "the-database-password" not in " ".join(seen["arguments"])
    env = seen["env"]
    assert env["PGPASSWORD"] == "the-database-password"
    assert (env["PGHOST"], env["PGPORT"], env["PGUSER"]) == ("postgres", "5432", "move")
    assert (env["PGDATABASE"], env["PGSSLMODE"]) == ("move", "require")
    assert not [name for name in env if name.startswith("MOVE_")]


def test_a_second_backup_while_one_runs_is_refused(backups):
    backups.mkdir()
    with (backups / ".lock").open("a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        with pytest.raises(backup.BackupError, match="Another backup is being made"):
            backup.run()


def test_the_backup_folder_may_not_be_inside_the_private_files(backups, settings):
    settings.MOVE_BACKUP_DIR = Path(settings.MEDIA_ROOT) / "private" / "backups"
    settings.MOVE_BACKUP_DIR.mkdir(parents=True)
    with pytest.raises(backup.BackupError, match="inside the private files' folder"):
        backup.make_archive(settings.MOVE_BACKUP_DIR, connection.settings_dict, timezone.now())


@pytest.mark.django_db(transaction=True)
def test_the_archive_holds_no_key_and_no_identity_in_clear(backups, settings, visitor_a, org_a):
    settings.ENCRYPTION_KEY = "the-encryption-key-of-this-test-0123456789abcdefghijkl"
    settings.ENCRYPTION_OLD_KEYS = ["an-old-encryption-key-of-this-test-0123456789abcd"]
    services.create_person(
        visitor_a,
        Person(organisation=org_a),
        identity={"surname": "Vandermeulen", "given_names": "Ilse", "notes": "Needs a doctor"},
    )
    private_file(settings, "exports/export.zip", b"PK an export of Vandermeulen")
    private_file(settings, "jobs/figures.pdf", b"%PDF made by a job")
    made = backup.run()
    content = unpacked(backups / made.file, backups.parent)
    assert not (content / "private/exports").exists()  # made again on request
    assert not (content / "private/jobs").exists()
    plain_sql = subprocess.run(
        ["pg_restore", "--file=-", str(content / "database.dump")],
        capture_output=True,
        check=True,
    ).stdout
    assert b"COPY public.detainees_identity" in plain_sql
    everything = [plain_sql] + [path.read_bytes() for path in content.rglob("*") if path.is_file()]
    secrets = [
        settings.ENCRYPTION_KEY,
        *settings.ENCRYPTION_OLD_KEYS,
        settings.SECRET_KEY,
        PASSPHRASE,
    ]
    for secret in secrets:
        assert not any(secret.encode() in blob for blob in everything), secret
    assert not any(b"Vandermeulen" in blob for blob in everything)
    assert (backups / made.file).read_bytes().find(b"PGDMP") == -1  # sealed, not a tar


# --- Retention ----------------------------------------------------------------------------


def nightly(end: datetime, nights: int) -> list[datetime]:
    return [end - timedelta(days=n) for n in range(nights)]


def kept_days(directory: Path) -> list[str]:
    return sorted(
        item.made.astimezone(BRUSSELS).strftime("%Y-%m-%d %H:%M")
        for item in backup.archives(directory)
    )


def test_retention_keeps_exactly_seven_days_and_four_weeks_before_them(backups):
    backups.mkdir()
    end = datetime(2026, 4, 15, 1, 30, tzinfo=BRUSSELS)  # a Wednesday, after the clock change
    for moment in nightly(end, 60):
        (backups / backup.archive_name(moment)).write_bytes(b"archive")
    (backups / "notes.txt").write_text("not an archive: left alone")
    deleted = backup.prune()
    assert len(deleted) == 60 - 11
    days = [f"2026-04-{day:02} 01:30" for day in range(9, 16)]
    sundays = ["2026-03-15 01:30", "2026-03-22 01:30", "2026-03-29 01:30", "2026-04-05 01:30"]
    assert kept_days(backups) == sundays + days
    assert (backups / "notes.txt").exists()


@pytest.mark.parametrize("daily, weekly", [(1, 0), (3, 2), (7, 4), (14, 8)])
def test_retention_keeps_the_configured_numbers(backups, settings, daily, weekly):
    settings.MOVE_BACKUP_KEEP_DAILY, settings.MOVE_BACKUP_KEEP_WEEKLY = daily, weekly
    backups.mkdir()
    for moment in nightly(datetime(2026, 6, 30, 1, 30, tzinfo=BRUSSELS), 120):
        (backups / backup.archive_name(moment)).write_bytes(b"archive")
    backup.prune()
    kept = backup.archives(backups)
    assert len(kept) == daily + weekly
    newest = [item.made for item in kept[:daily]]
    assert newest == nightly(datetime(2026, 6, 30, 1, 30, tzinfo=BRUSSELS), daily)
    weeks = {item.made.astimezone(BRUSSELS).isocalendar()[:2] for item in kept[daily:]}
    assert len(weeks) == weekly


def test_several_backups_a_day_keep_the_newest_of_each_day(backups):
    backups.mkdir()
    moments = [
        datetime(2026, 4, 15, 1, 30, tzinfo=BRUSSELS),
        datetime(2026, 4, 15, 14, 0, tzinfo=BRUSSELS),  # by hand, before an upgrade
        datetime(2026, 4, 14, 1, 30, tzinfo=BRUSSELS),
        datetime(2026, 4, 14, 9, 0, tzinfo=BRUSSELS),
    ]
    for moment in moments:
        (backups / backup.archive_name(moment)).write_bytes(b"archive")
    backup.prune()
    assert kept_days(backups) == ["2026-04-14 09:00", "2026-04-15 14:00"]


# --- Restore --------------------------------------------------------------------------------


def test_a_sqlite_database_and_the_private_files_are_restored(backups, settings, tmp_path):
    archive = sqlite_archive(tmp_path, settings)
    settings.MEDIA_ROOT = tmp_path / "new-server"
    target = {"ENGINE": SQLITE, "NAME": str(tmp_path / "restored.sqlite3")}
    done = restore.restore(archive, target, PASSPHRASE)
    assert sqlite_rows(tmp_path / "restored.sqlite3") == sqlite_rows(tmp_path / "source.sqlite3")
    restored_file = tmp_path / "new-server/private/legal/decisions/a.pdf"
    assert restored_file.read_bytes() == b"%PDF decision"
    assert (done.files, done.tables, done.replaced) == (1, 1, False)


def test_restore_refuses_a_wrong_passphrase_and_changes_nothing(backups, settings, tmp_path):
    archive = sqlite_archive(tmp_path, settings)
    settings.MEDIA_ROOT = tmp_path / "new-server"
    target = {"ENGINE": SQLITE, "NAME": str(tmp_path / "restored.sqlite3")}
    with pytest.raises(backup.BackupError, match="The passphrase does not open this archive"):
        restore.restore(archive, target, "not-the-passphrase-of-this-archive")
    assert not (tmp_path / "restored.sqlite3").exists()
    assert not (tmp_path / "new-server/private").exists()


def test_restore_refuses_a_tampered_archive_and_changes_nothing(backups, settings, tmp_path):
    archive = sqlite_archive(tmp_path, settings)
    blob = bytearray(archive.read_bytes())
    blob[-40] ^= 0x01
    archive.write_bytes(bytes(blob))
    settings.MEDIA_ROOT = tmp_path / "new-server"
    target = {"ENGINE": SQLITE, "NAME": str(tmp_path / "restored.sqlite3")}
    with pytest.raises(backup.BackupError, match="damaged or was altered"):
        restore.restore(archive, target, PASSPHRASE)
    assert not (tmp_path / "restored.sqlite3").exists()
    assert not list((tmp_path / "new-server").rglob("*.pdf"))


@pytest.mark.django_db
def test_restore_refuses_a_database_that_has_tables(backups, settings, tmp_path):
    archive = sqlite_archive(tmp_path, settings)
    settings.MEDIA_ROOT = tmp_path / "new-server"
    tables = len(connection.introspection.table_names())
    message = f"Not restoring: the database {connection.settings_dict['NAME']} has {tables} tables"
    with pytest.raises(backup.BackupError, match=message):
        restore.restore(archive, connection.settings_dict, PASSPHRASE)
    with pytest.raises(CommandError, match="add --force to replace what is there"):
        call_command("restore", str(archive))


def test_restore_refuses_a_private_folder_that_has_files_unless_forced(backups, settings, tmp_path):
    archive = sqlite_archive(tmp_path, settings)
    settings.MEDIA_ROOT = tmp_path / "new-server"
    stray = private_file(settings, "legal/attachments/stray.pdf", b"%PDF not from the backup")
    target = {"ENGINE": SQLITE, "NAME": str(tmp_path / "restored.sqlite3")}
    with pytest.raises(backup.BackupError, match="the private folder .* has files"):
        restore.restore(archive, target, PASSPHRASE)
    assert stray.exists()
    restore.restore(archive, target, PASSPHRASE, force=True)
    assert not stray.exists()
    assert (tmp_path / "new-server/private/legal/decisions/a.pdf").exists()


def test_force_replaces_a_sqlite_database_that_has_tables(backups, settings, tmp_path):
    archive = sqlite_archive(tmp_path, settings)
    settings.MEDIA_ROOT = tmp_path / "new-server"
    target_path = tmp_path / "restored.sqlite3"
    with sqlite3.connect(target_path) as db:
        db.execute("CREATE TABLE newer (id INTEGER)")
    target = {"ENGINE": SQLITE, "NAME": str(target_path)}
    with pytest.raises(backup.BackupError, match="has 1 tables"):
        restore.restore(archive, target, PASSPHRASE)
    done = restore.restore(archive, target, PASSPHRASE, force=True)
    assert done.replaced
    assert restore.contents(target) == ["visit"]
    assert sqlite_rows(target_path) == sqlite_rows(tmp_path / "source.sqlite3")


@pytest.mark.django_db
def test_an_archive_of_another_kind_of_database_is_refused(backups, settings, tmp_path):
    made = backup.run()
    settings.MEDIA_ROOT = tmp_path / "new-server"
    target = {"ENGINE": SQLITE, "NAME": str(tmp_path / "restored.sqlite3")}
    with pytest.raises(backup.BackupError, match="holds a postgresql database; the target is"):
        restore.restore(backups / made.file, target, PASSPHRASE)
    assert not (tmp_path / "restored.sqlite3").exists()


@pytest.fixture
def another_database():
    """A second PostgreSQL database beside the test database, dropped at the end."""
    name = f"{connection.settings_dict['NAME']}_restored"
    db = connection.settings_dict
    params = {
        "user": db["USER"] or None,
        "password": db["PASSWORD"] or None,
        "host": db["HOST"] or None,
        "port": db["PORT"] or None,
    }
    drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        admin.execute(drop)
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield {**db, "NAME": name}
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        admin.execute(drop)


def pg_rows(database: dict) -> dict:
    with psycopg.connect(**restore._psycopg_params(database)) as db:
        return {
            table: db.execute(
                sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))
            ).fetchone()[0]
            for table in restore.contents(database)
        }


def with_damaged_dump(archive: Path, work: Path) -> Path:
    """The archive again, sealed with the same passphrase, its dump's last data blocks
    damaged: the table of contents (what pg_restore --list checks) whole, the restore
    failing half-way."""
    restore._unpack(archive, PASSPHRASE, work)
    dump = bytearray((work / "database.dump").read_bytes())
    dump[-3000:-100] = bytes(2900)
    target = work / "damaged.enc"
    with (
        target.open("wb") as out,
        sealed.SealedWriter(out, PASSPHRASE) as writer,
        tarfile.open(fileobj=writer, mode="w|", format=tarfile.PAX_FORMAT) as tar,
    ):
        tar.add(work / "manifest.json", arcname="manifest.json")
        backup._add_bytes(tar, "database.dump", bytes(dump))
    return target


@pytest.mark.django_db
def test_a_forced_restore_that_fails_half_way_leaves_the_database_as_it_was(
    backups, settings, tmp_path, another_database
):
    archive = backups / backup.run().file
    settings.MEDIA_ROOT = tmp_path / "new-server"
    restore.restore(archive, another_database, PASSPHRASE)
    with psycopg.connect(**restore._psycopg_params(another_database)) as db:
        db.execute("INSERT INTO django_migrations (app, name, applied) VALUES ('x', 'y', now())")
    before = pg_rows(another_database)
    assert before["django_migrations"] > 1
    (tmp_path / "damaged").mkdir()
    damaged = with_damaged_dump(archive, tmp_path / "damaged")
    with pytest.raises(backup.BackupError, match="pg_restore failed"):
        restore.restore(damaged, another_database, PASSPHRASE, force=True)
    assert pg_rows(another_database) == before
    assert no_staging_left(restore.STAGING, Path(settings.MEDIA_ROOT))
    done = restore.restore(archive, another_database, PASSPHRASE, force=True)
    assert done.replaced
    after = pg_rows(another_database)
    assert after == {**before, "django_migrations": before["django_migrations"] - 1}


@pytest.mark.django_db
def test_a_forced_restore_refuses_tables_the_archive_does_not_have(
    backups, settings, tmp_path, another_database
):
    archive = backups / backup.run().file
    settings.MEDIA_ROOT = tmp_path / "new-server"
    restore.restore(archive, another_database, PASSPHRASE)
    with psycopg.connect(**restore._psycopg_params(another_database)) as db:
        db.execute("CREATE TABLE a_newer_version (id integer)")
    with pytest.raises(backup.BackupError, match="1 tables the archive does not have"):
        restore.restore(archive, another_database, PASSPHRASE, force=True)
    assert "a_newer_version" in restore.contents(another_database)


def test_restore_stages_the_plaintext_outside_the_media_folder(
    backups, settings, tmp_path, monkeypatch
):
    archive = sqlite_archive(tmp_path, settings)
    settings.MEDIA_ROOT = media = tmp_path / "new-server"
    media.mkdir()
    old_staging = media / ".move-restore-k1ll3d"  # where the versions before staged it
    old_staging.mkdir()
    (old_staging / "database.sqlite3").write_bytes(b"SQLite in clear")
    killed = Path(tempfile.mkdtemp(prefix=backup.staging_prefix(restore.STAGING, media)))
    (killed / "database.sqlite3").write_bytes(b"SQLite in clear")
    staged = []
    unpack = restore._unpack

    def watched(path, secret, staging):
        staged.append(staging)
        assert oct(staging.stat().st_mode & 0o777) == oct(0o700)
        return unpack(path, secret, staging)

    monkeypatch.setattr(restore, "_unpack", watched)
    target = {"ENGINE": SQLITE, "NAME": str(tmp_path / "restored.sqlite3")}
    restore.restore(archive, target, PASSPHRASE)
    (work,) = staged
    assert not work.is_relative_to(media.resolve()) and not work.exists()
    assert not old_staging.exists() and not killed.exists()
    assert sorted(path.name for path in media.iterdir()) == ["private"]


def test_the_archive_is_a_tar_of_a_manifest_the_database_and_the_files(backups, settings, tmp_path):
    archive = sqlite_archive(tmp_path, settings)
    with archive.open("rb") as source:
        reader = sealed.SealedReader(source, PASSPHRASE)
        with tarfile.open(fileobj=reader, mode="r|") as tar:
            names = [member.name for member in tar]
    assert names == ["manifest.json", "database.sqlite3", "private/legal/decisions/a.pdf"]


# --- Telling the coordinators --------------------------------------------------------------


@pytest.mark.django_db
def test_the_nightly_backup_tells_the_coordinators_when_it_fails(
    backups, no_passphrase, coordinator, visitor_a, mailoutbox
):
    with pytest.raises(backup.BackupError):
        tasks.nightly_backup()
    assert [message.to for message in mailoutbox] == [[coordinator.email]]
    assert mailoutbox[0].subject == "Move: the backup failed"
    assert "MOVE_BACKUP_PASSPHRASE is not set" in mailoutbox[0].body
    assert tasks.check_backups() == 0  # the morning check: already told
    with pytest.raises(backup.BackupError):
        tasks.nightly_backup()  # the next night fails again: told again
    assert len(mailoutbox) == 2


@pytest.mark.django_db
def test_a_backup_folder_that_cannot_be_written_is_told_too(
    backups, settings, coordinator, mailoutbox, tmp_path
):
    settings.MOVE_BACKUP_DIR = tmp_path / "a-file"
    settings.MOVE_BACKUP_DIR.write_text("not a folder")
    with pytest.raises(backup.BackupError):
        tasks.nightly_backup()
    assert len(mailoutbox) == 1
    assert "FileExistsError" in mailoutbox[0].body


@pytest.mark.django_db
def test_a_nightly_backup_that_succeeds_tells_nobody(backups, coordinator, mailoutbox):
    done = tasks.nightly_backup()
    assert (backups / done["file"]).exists()
    assert mailoutbox == []


@pytest.mark.django_db
def test_the_coordinators_are_told_once_a_day_when_the_last_backup_is_two_days_old(
    backups, coordinator, mailoutbox
):
    now = timezone.now()
    backups.mkdir()
    backup.record(outcome(True, now - timedelta(days=2, hours=1)))
    assert tasks.check_backups() == 1
    assert mailoutbox[0].subject == "Move: no backup for more than 2 days"
    assert "The last backup that succeeded was made on" in mailoutbox[0].body
    # Later the same day in Brussels (an hour later crossed midnight when the test ran
    # between 23:00 and midnight there, and the new day was rightly told again).
    end_of_day = timezone.localtime(now).replace(hour=23, minute=59, second=59)
    assert alerts.check_and_tell(now=min(now + timedelta(hours=1), end_of_day)) == 0
    assert alerts.check_and_tell(now=now + timedelta(days=1)) == 1


@pytest.mark.django_db
def test_nothing_is_told_while_the_last_backup_is_recent(backups, coordinator, mailoutbox):
    backups.mkdir()
    backup.record(outcome(True, timezone.now() - timedelta(days=1, hours=23)))
    assert tasks.check_backups() == 0
    assert mailoutbox == []


@pytest.mark.django_db
def test_a_server_that_never_made_a_backup_is_told_two_days_after_its_installation(
    backups, coordinator, mailoutbox, monkeypatch
):
    monkeypatch.setattr(alerts, "installed_at", lambda: timezone.now() - timedelta(days=1))
    assert tasks.check_backups() == 0
    monkeypatch.setattr(alerts, "installed_at", lambda: timezone.now() - timedelta(days=3))
    assert tasks.check_backups() == 1
    assert "No backup has succeeded since Move was installed" in mailoutbox[0].body


@pytest.mark.django_db
def test_only_the_coordinators_are_told(
    backups, coordinator, legal, visitor_a, advocacy, witness_pool, partner, mailoutbox
):
    backups.mkdir()
    backup.record(outcome(False, timezone.now(), error="pg_dump failed: disk full"))
    assert tasks.check_backups() == 1
    assert mailoutbox[0].to == [coordinator.email]
    assert "pg_dump failed: disk full" in mailoutbox[0].body
