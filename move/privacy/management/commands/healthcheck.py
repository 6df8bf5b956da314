"""`manage.py healthcheck --component web|worker|beat`: the checks of /healthz that
concern one process, for the compose file's health checks (docker-compose.yml). Prints
the JSON of /healthz and exits 1 when a check fails."""

import json
import socket

from django.core.management.base import BaseCommand

from move.ops import health


class Command(BaseCommand):
    help = "Run the health checks of one component; exit 1 if one fails."

    def add_arguments(self, parser):
        parser.add_argument("--component", choices=sorted(health.COMPONENTS), default=None)
        parser.add_argument(
            "--hostname",
            default=None,
            help="For the worker: the worker whose heartbeat counts "
            "(default celery@<this host>); 'any' for any worker.",
        )

    def handle(self, *args, component=None, hostname=None, **options):
        names = health.COMPONENTS[component] if component else None
        if component == "worker" and hostname is None:
            hostname = f"celery@{socket.gethostname()}"
        if hostname == "any":
            hostname = None
        body = health.as_json(health.run(names, hostname=hostname))
        self.stdout.write(json.dumps(body))
        if body["status"] != "ok":
            raise SystemExit(1)
