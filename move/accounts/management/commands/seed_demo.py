"""Demo data (DESIGN.md §8): organisations, centres with their official figures, one
user per persona. Idempotent: running it twice changes nothing the second time."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from move.accounts import access_changes, demo


class Command(BaseCommand):
    help = "Load Move's demo data (refuses when MOVE_DEBUG is off unless --force)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Run even with DEBUG off.")

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo creates accounts with a known password: it refuses to run when "
                "MOVE_DEBUG is off. Use --force if this really is a demonstration server."
            )
        # Recorded on the access changes page, but nobody is e-mailed for demo data.
        with transaction.atomic(), access_changes.without_notifications():
            summary = demo.seed()
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
        self.stdout.write(
            f"{summary['organisations']} organisations, {summary['centres']} centres, "
            f"{summary['users']} accounts (password: MOVE_DEMO_PASSWORD, default demo-move-2026):"
        )
        for email, role, organisation in summary["accounts"]:
            self.stdout.write(f"  {email:28} {role:13} {organisation}")
