"""`manage.py restore ARCHIVE`: put a backup back (move/ops/restore.py), into the database
of DATABASE_URL and MEDIA_ROOT/private.

The passphrase is MOVE_BACKUP_PASSPHRASE (or MOVE_BACKUP_PASSPHRASE_FILE), asked for
when it is not set and the command runs in a terminal. The archive is decrypted and
checked whole before anything is touched. A database with any table in its public schema
(SQLite: any table), or a private folder with any file, is refused unless --force, which
replaces both. The encryption key is then tried on the restored data: the identities
need the MOVE_ENCRYPTION_KEY of the installation the backup came from."""

import getpass
import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from move.ops import backup, restore


class Command(BaseCommand):
    help = "Restore an encrypted backup archive into an empty database and private folder."

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path, help="The archive (move-backup-….enc).")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Replace a database that has tables and a private folder that has files.",
        )
        parser.add_argument(
            "--database", default="default", help="The database alias (default: default)."
        )

    def handle(self, *args, archive, force=False, database="default", **options):
        began = time.monotonic()
        try:
            secret = backup.passphrase(for_backup=False)
        except backup.BackupError:
            if not sys.stdin.isatty():
                raise CommandError(
                    "Set MOVE_BACKUP_PASSPHRASE to the passphrase the archive was made with."
                ) from None
            secret = getpass.getpass("Backup passphrase: ")
        try:
            restored = restore.restore(
                archive,
                connections[database].settings_dict,
                secret,
                force=force,
                out=self.stdout.write,
            )
        except backup.BackupError as error:
            raise CommandError(str(error)) from None
        made = restored.manifest.get("made", "?")
        self.stdout.write(
            f"Restored the backup of {made}: {restored.tables} tables, {restored.files} private "
            f"files, in {time.monotonic() - began:.1f} s."
        )
        if restored.key_opens_data is False:
            raise CommandError(
                "Restored, but MOVE_ENCRYPTION_KEY does not open the restored data: set it "
                "(or MOVE_ENCRYPTION_OLD_KEYS) to the key of the installation the backup came "
                "from, or the identities stay unreadable and web and worker refuse to start."
            )
        self.stdout.write(
            "Next: `manage.py migrate` (if this version is newer than the backup's), then "
            "start web, worker and beat."
        )
