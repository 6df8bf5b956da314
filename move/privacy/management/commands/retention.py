"""Apply the retention rules now, or with --dry-run say what they would erase."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from move.privacy import retention


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--today {value!r} is not a date (YYYY-MM-DD).") from None


class Command(BaseCommand):
    help = (
        "Apply the retention rules of every app (the daily job does it too). With "
        "--dry-run, only list what each rule would erase, by code."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="List what would be erased; change nothing."
        )
        parser.add_argument("--today", help="Apply the rules as on this day (YYYY-MM-DD).")

    def handle(self, *args, dry_run=False, today=None, **options):
        reports = retention.run(today=_day(today) if today else None, dry_run=dry_run)
        for report in reports:
            self.write_report(report)
        if not reports:
            self.stdout.write("No retention rule is registered.")
        failed = sum(len(report.failed) for report in reports)
        if failed:
            raise CommandError(f"{failed} record(s) could not be erased: see the log.")

    def write_report(self, report: retention.Report) -> None:
        verb = "would erase" if report.dry_run else "erased"
        self.stdout.write(f"{report.name}: {verb} {report.count} — {report.rule.description}")
        for code in report.due if report.dry_run else report.done:
            self.stdout.write(f"  {code}")
        for code in report.failed:
            self.stdout.write(self.style.ERROR(f"  {code} failed"))
