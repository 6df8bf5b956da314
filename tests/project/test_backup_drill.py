"""The drill (issue 14): the demo seeded, backed up by the nightly job, restored into a new
PostgreSQL database by `manage.py restore` as a person would, then read by a fresh
application process on it: every table counted equal, the identities decrypted with the
same MOVE_ENCRYPTION_KEY and equal to the originals, the access log intact (and still
append-only), the private files identical, an identity page served to a visitor (its
read logged), the migrations up to date. The restored database is dropped at the end.

Committed data, as pg_dump sees only that: a transactional test, without rollback.
Each phase is timed and the archive's size noted (printed with `pytest -s`).
"""

import hashlib
import json
import os
import subprocess
import sys
import time
from io import StringIO
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from psycopg import sql

from move.ops import tasks
from tests.conftest import restore_migration_rows

ROOT = Path(__file__).resolve().parents[2]
PASSPHRASE = "the-passphrase-of-the-backup-drill-0123"
IDENTITY_FIELDS = ("surname", "given_names", "date_of_birth", "office_number", "contacts", "notes")
MARK = "DRILL-RESULT:"

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="the drill restores a PostgreSQL database (DATABASE_URL)",
    ),
]


def snapshot() -> dict:
    """What must survive a backup, read through the application: run here on the
    original and in a new process on the restored database."""
    from detainees.models import Identity
    from move.privacy.files import private_root
    from move.privacy.models import AccessLogEntry

    with connection.cursor() as cursor:
        tables = {}
        for table in sorted(connection.introspection.table_names()):
            cursor.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table)))
            tables[table] = cursor.fetchone()[0]
    identities = {
        identity.person.code: {name: getattr(identity, name) for name in IDENTITY_FIELDS}
        for identity in Identity.objects.select_related("person")
    }
    log = AccessLogEntry.objects.order_by("pk").values_list(
        "pk", "at", "user_id", "user_label", "action", "subject", "page", "detail"
    )
    root = private_root()
    files = {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }
    return {
        "tables": tables,
        "identities": identities,
        "access_log": [[str(value) for value in row] for row in log],
        "files": files,
    }


def the_restored_application_works() -> dict:
    """In the process on the restored database: the snapshot, then what only a working
    application does (a page, its access log line, the migrations, the log's trigger)."""
    from django.core.management import call_command
    from django.db import DatabaseError, transaction
    from django.test import Client
    from django.urls import reverse
    from django.utils.html import escape

    from detainees.models import Identity
    from move.accounts import permissions
    from move.privacy.models import AccessLogEntry

    seen = snapshot()
    call_command("migrate", "--check", verbosity=0)  # SystemExit(1) if one is missing
    visitor = None
    for identity in Identity.objects.select_related("person").exclude(surname="").order_by("pk"):
        person = identity.person
        readers = permissions.holders("detainees.view_identity").filter(
            memberships__organisation=person.organisation_id
        )
        visitor = next(
            (user for user in readers if permissions.may_read_identity(user, person)), None
        )
        if visitor:
            break
    assert visitor, "the demo has an identity that a visitor may read"
    client = Client()
    client.force_login(visitor, backend="allauth.account.auth_backends.AuthenticationBackend")
    last = AccessLogEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    page = client.get(reverse("detainees:identity-detail", kwargs={"key": person.key}))
    logged = AccessLogEntry.objects.filter(pk__gt=last).values_list("action", "subject", "user_id")
    seen["page"] = {
        "status": page.status_code,
        "shows_the_surname": escape(identity.surname) in page.content.decode(),
        "logged": [list(row) for row in logged],
        "expected": ["read_identity", person.code, visitor.pk],
    }
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("UPDATE privacy_accesslogentry SET detail = 'rewritten'")
        seen["log_append_only"] = False
    except DatabaseError:
        seen["log_append_only"] = True
    return seen


def database_url(name: str) -> str:
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    return f"postgres://{credentials}@{host}/{name}"


def server():
    db = connection.settings_dict
    return psycopg.connect(
        dbname="postgres",
        user=db["USER"] or None,
        password=db["PASSWORD"] or None,
        host=db["HOST"] or None,
        port=db["PORT"] or None,
        autocommit=True,
    )


def manage(env: dict, *arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )


def test_a_nightly_backup_restores_into_a_working_application(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MOVE_BACKUP_DIR = tmp_path / "backups"
    settings.MOVE_BACKUP_PASSPHRASE = PASSPHRASE
    restore_migration_rows()
    call_command("seed_demo", "--force", stdout=StringIO())
    original = snapshot()
    assert original["identities"] and original["access_log"] and original["files"]

    began = time.perf_counter()
    made = tasks.nightly_backup()
    backed_up = time.perf_counter() - began
    archive = settings.MOVE_BACKUP_DIR / made["file"]

    name = f"{connection.settings_dict['NAME']}_drill"
    with server() as admin:
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        env = {
            **os.environ,
            "DATABASE_URL": database_url(name),
            "MOVE_MEDIA_ROOT": str(tmp_path / "restored-media"),
            "MOVE_BACKUP_PASSPHRASE": PASSPHRASE,
            "MOVE_ENCRYPTION_KEY": settings.ENCRYPTION_KEY,
            "MOVE_REQUIRE_MFA": "false",
        }
        began = time.perf_counter()
        restored = manage(env, "restore", str(archive))
        assert restored.returncode == 0, restored.stderr
        print(
            f"\nDrill: backup {backed_up:.1f} s, archive {made['size']:,} bytes, restore "
            f"{time.perf_counter() - began:.1f} s (with the command's start)"
        )
        assert "Restored the backup of" in restored.stdout

        code = (
            "import json; from tests.project.test_backup_drill import "
            f"the_restored_application_works as check; print({MARK!r} + json.dumps(check()))"
        )
        checked = manage(env, "shell", "-c", code)
        assert checked.returncode == 0, checked.stderr
        line = next(line for line in checked.stdout.splitlines() if line.startswith(MARK))
        seen = json.loads(line.removeprefix(MARK))
    finally:
        with server() as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )

    assert seen["tables"] == original["tables"]
    assert seen["identities"] == original["identities"]
    assert seen["access_log"] == original["access_log"]
    assert seen["files"] == original["files"]
    page = seen["page"]
    assert page["status"] == 200
    assert page["shows_the_surname"]
    assert page["logged"] == [page["expected"]]
    assert seen["log_append_only"]
