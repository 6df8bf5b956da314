"""/healthz for the machines, the System page for the coordinators (issue 14)."""

import os
import platform

import django
from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from django.views.generic import TemplateView

from move.accounts.mixins import PermissionRequiredMixin
from move.ops import backup, health
from move.privacy.models import Job

FAILED_JOBS = 10
QUEUES = ("celery",)  # the Redis lists Celery's workers read (the default queue)


@require_safe
def healthz(request):
    """No sign-in and no data: each part ok or not with a short detail; 200 when all
    are, else 503. Never cached, by a browser or a proxy."""
    results = health.run()
    body = health.as_json(results)
    response = JsonResponse(body, status=200 if body["status"] == "ok" else 503)
    add_never_cache_headers(response)
    return response


def queue_lengths() -> list[tuple[str, int | None]]:
    """(queue, tasks waiting) for each queue; None when Redis does not answer, an empty
    list without a broker (tasks run inline)."""
    if not settings.REDIS_URL:
        return []
    try:
        client = health.redis_client()
        try:
            return [(name, client.llen(name)) for name in QUEUES]
        finally:
            client.close()
    except Exception:  # noqa: BLE001 - the redis check above says why
        return [(name, None) for name in QUEUES]


def database_version() -> str:
    if connection.vendor == "postgresql":
        number = connection.pg_version  # read at connection time, not a query
        major, minor = divmod(number, 10000)
        return f"PostgreSQL {major}.{minor}"
    if connection.vendor == "sqlite":
        import sqlite3

        return f"SQLite {sqlite3.sqlite_version}"
    return connection.vendor


def versions() -> list[tuple[str, str]]:
    return [
        (_("Move"), os.environ.get("MOVE_VERSION", "").strip() or _("unknown")),
        ("Python", platform.python_version()),
        ("Django", django.get_version()),
        (_("Database"), database_version()),
    ]


class SystemView(PermissionRequiredMixin, TemplateView):
    """The coordinators' view of the parts: the checks of /healthz, the queues, the jobs
    that failed (their kind and error only: the error is written without personal data,
    and the owner and subject are not shown), the last backup, the versions."""

    permission = "ops.view_system"
    template_name = "ops/system.html"

    def get_context_data(self, **kwargs):
        results = health.run()
        failed = (
            Job.objects.filter(status=Job.Status.FAILED)
            .order_by("-finished_at", "-created_at")
            .only("kind", "created_at", "finished_at", "last_error")[:FAILED_JOBS]
        )
        try:
            backups = backup.status()
        except Exception:  # noqa: BLE001 - an unreadable status file is shown as unknown
            backups = None
        return super().get_context_data(
            checks=results,
            all_ok=all(check.ok for check in results),
            queues=queue_lengths(),
            failed_jobs=list(failed),
            backup_status=backups,
            versions=versions(),
            **kwargs,
        )
