"""`manage.py backup` (`make backup`): one encrypted archive of the database and the
private files in MOVE_BACKUP_DIR, then the retention (move/ops/backup.py). What the
nightly job does, by hand: before an upgrade, or to see why the nightly one fails."""

from django.core.management.base import BaseCommand, CommandError

from move.ops import backup


class Command(BaseCommand):
    help = "Back up the database and the private files into one encrypted archive."

    def add_arguments(self, parser):
        parser.add_argument(
            "--database", default="default", help="The database alias (default: default)."
        )

    def handle(self, *args, database="default", **options):
        try:
            outcome = backup.run(database=database)
        except backup.BackupError as error:
            raise CommandError(str(error)) from None
        directory = backup.backup_dir()
        self.stdout.write(
            f"{directory / outcome.file}: {outcome.size:,} bytes in {outcome.seconds:.1f} s."
        )
        daily, weekly = backup.kept_counts()
        kept = len(backup.archives(directory))
        self.stdout.write(
            f"Kept {kept} archives ({daily} daily, {weekly} weekly); "
            f"deleted {len(outcome.deleted)}: {', '.join(outcome.deleted) or 'none'}."
        )
