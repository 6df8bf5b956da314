"""The encryption key: rotated without losing anything (old keys decrypt until
`rotate_encryption_key` has re-encrypted everything), and never used when it does not
open what is stored: the web and worker processes and `check --database default` refuse
it; the settings refuse a short one."""

import importlib
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from celery.signals import worker_init
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError, SystemCheckError
from django.db import IntegrityError, connection, connections
from django.test import override_settings

from detainees import services
from detainees.models import Identity, Person
from move.privacy import checks, crypto
from move.privacy.models import KeyCanary

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
NEW_KEY = "the-new-encryption-key-after-rotation-0123456789abcdefghij"
ENCRYPTED = ("surname", "given_names", "notes")


@pytest.fixture
def old_key():
    return settings.ENCRYPTION_KEY


@pytest.fixture
def person(visitor_a, org_a):
    return services.create_person(
        visitor_a,
        Person(organisation=org_a),
        identity={"surname": "Benali", "given_names": "Amina", "notes": "Asks for a doctor"},
    )


@pytest.fixture
def secrets(visitor_a):
    """visitor_a's second-factor secrets (TOTP from the persona, recovery codes here), in
    clear, by authenticator type."""
    RecoveryCodes.activate(visitor_a)
    keys = {"totp": "secret", "recovery_codes": "seed"}
    return {
        auth.type: crypto.decrypt(auth.data[keys[auth.type]])
        for auth in Authenticator.objects.filter(user=visitor_a)
    }


@pytest.fixture
def no_disconnect(monkeypatch):
    """The start-up checks close their connection; the test's transaction needs it."""
    monkeypatch.setattr(connections, "close_all", lambda: None)


def tokens(person) -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT surname, given_names, notes FROM detainees_identity WHERE person_id = %s",
            [person.pk],
        )
        return dict(zip(ENCRYPTED, cursor.fetchone(), strict=True))


def name_index(person) -> str:
    return Identity.objects.values_list("name_index", flat=True).get(person=person)


def mfa_tokens(user) -> list[str]:
    return [
        auth.data.get("secret") or auth.data["seed"]
        for auth in Authenticator.objects.filter(user=user)
    ]


def rotate(*args) -> str:
    out = io.StringIO()
    call_command("rotate_encryption_key", *args, stdout=out)
    return out.getvalue()


# --- Rotation ----------------------------------------------------------------------------


def test_an_old_key_still_reads_what_it_encrypted(person, old_key):
    with override_settings(ENCRYPTION_KEY=NEW_KEY, ENCRYPTION_OLD_KEYS=[old_key]):
        assert Identity.objects.get(person=person).surname == "Benali"
        assert not any(crypto.is_current(token) for token in tokens(person).values())


def test_new_values_are_encrypted_with_the_current_key_only(person, old_key):
    with override_settings(ENCRYPTION_KEY=NEW_KEY, ENCRYPTION_OLD_KEYS=[old_key]):
        services.save_identity(person.created_by, person, {"notes": "Transferred"}, page="/test/")
        assert crypto.is_current(tokens(person)["notes"])


def test_rotation_re_encrypts_everything_with_the_current_key(person, visitor_a, secrets, old_key):
    crypto.verify_keys()  # the canary, under the old key
    index_before = name_index(person)

    with override_settings(ENCRYPTION_KEY=NEW_KEY, ENCRYPTION_OLD_KEYS=[old_key]):
        output = rotate()
        assert "detainees.Identity.surname: 1 of 1 re-encrypted" in output
        assert "second factor (totp): 1 of 1 re-encrypted" in output
        assert "key canary: 1 of 1 re-encrypted" in output
        assert "identity name index: 1 of 1 recomputed" in output
        stored = [*tokens(person).values(), *mfa_tokens(visitor_a)]
        stored.append(KeyCanary.objects.get().token)
        assert all(crypto.is_current(token) for token in stored)

    with override_settings(ENCRYPTION_KEY=NEW_KEY, ENCRYPTION_OLD_KEYS=[]):
        identity = Identity.objects.get(person=person)
        assert (identity.surname, identity.given_names, identity.notes) == (
            "Benali",
            "Amina",
            "Asks for a doctor",
        )
        assert {
            auth.type: crypto.decrypt(auth.data.get("secret") or auth.data["seed"])
            for auth in Authenticator.objects.filter(user=visitor_a)
        } == secrets
        crypto.verify_keys()
        assert name_index(person) == crypto.blind_index("Amina Benali") != index_before
        assert services.likely_duplicates(visitor_a, full_name="amina benali") == [person]


def test_a_dry_run_counts_and_changes_nothing(person, visitor_a, old_key):
    before = tokens(person)

    with override_settings(ENCRYPTION_KEY=NEW_KEY, ENCRYPTION_OLD_KEYS=[old_key]):
        output = rotate("--dry-run")

    assert "detainees.Identity.notes: 1 of 1 to re-encrypt" in output
    assert "identity name index: 1 of 1 to recompute" in output
    assert tokens(person) == before
    assert not KeyCanary.objects.exists()


def test_a_second_rotation_leaves_everything_alone(person, old_key):
    with override_settings(ENCRYPTION_KEY=NEW_KEY, ENCRYPTION_OLD_KEYS=[old_key]):
        rotate("--batch-size", "1")
        after_first = tokens(person)
        output = rotate()

    assert "detainees.Identity.surname: 0 of 1 re-encrypted" in output
    assert tokens(person) == after_first


def test_rotation_goes_through_every_batch(visitor_a, org_a, old_key):
    people = [
        services.create_person(
            visitor_a, Person(organisation=org_a), identity={"surname": f"Name {number}"}
        )
        for number in range(5)
    ]
    with override_settings(ENCRYPTION_KEY=NEW_KEY, ENCRYPTION_OLD_KEYS=[old_key]):
        assert "detainees.Identity.surname: 5 of 5 re-encrypted" in rotate("--batch-size", "2")
        assert all(crypto.is_current(tokens(person)["surname"]) for person in people)


def test_rotation_stops_on_a_value_no_key_opens(person):
    with (
        override_settings(ENCRYPTION_KEY=NEW_KEY, ENCRYPTION_OLD_KEYS=[]),
        pytest.raises(CommandError, match="cannot be read"),
    ):
        rotate()


# --- A key that does not open the data ---------------------------------------------------


def test_verify_keys_writes_the_canary_then_refuses_another_key():
    crypto.verify_keys()
    canary = KeyCanary.objects.get()
    assert crypto.decrypt(canary.token) == KeyCanary.VALUE

    crypto.verify_keys()  # the same key: fine
    with (
        override_settings(ENCRYPTION_KEY=NEW_KEY, ENCRYPTION_OLD_KEYS=[]),
        pytest.raises(crypto.UnreadableData),
    ):
        crypto.verify_keys()


def test_check_database_refuses_a_key_that_does_not_open_the_data(old_key):
    crypto.verify_keys()
    call_command("check", databases=["default"])  # no error under the right key

    with (
        override_settings(ENCRYPTION_KEY=NEW_KEY, ENCRYPTION_OLD_KEYS=[]),
        pytest.raises(SystemCheckError, match="privacy.E001"),
    ):
        call_command("check", databases=["default"])
    with override_settings(ENCRYPTION_KEY=NEW_KEY, ENCRYPTION_OLD_KEYS=[old_key]):
        call_command("check", databases=["default"])  # the old key still opens it


def test_the_check_needs_the_database():
    """`check --deploy` and the like, without a database, do not touch it."""
    assert checks.encryption_key_opens_the_data(databases=None) == []
    assert not KeyCanary.objects.exists()


def test_the_start_up_check_waits_for_the_migrations(monkeypatch):
    from django.db import connection

    monkeypatch.setattr(connection.introspection, "table_names", lambda *args: [])
    assert checks.verify_keys_at_start() is False


def test_an_unreachable_database_stops_the_start_instead_of_skipping_the_check(monkeypatch):
    from django.db import OperationalError

    def unreachable():
        raise OperationalError("connection refused")

    monkeypatch.setattr(crypto, "verify_keys", unreachable)
    with pytest.raises(OperationalError):
        checks.verify_keys_at_start()


def test_two_processes_writing_the_first_canary_at_once_both_check_it(monkeypatch):
    calls = []
    verify = crypto.verify_keys

    def raced():
        calls.append(1)
        if len(calls) == 1:
            verify()  # "the other process" wrote it
            raise IntegrityError("UNIQUE constraint failed: privacy_keycanary.id")
        verify()

    monkeypatch.setattr(crypto, "verify_keys", raced)
    assert checks.verify_keys_at_start() is True
    assert len(calls) == 2


def test_the_web_process_does_not_start_with_a_wrong_key(no_disconnect):
    import move.wsgi

    importlib.reload(move.wsgi)  # under the right key: starts, writes the canary
    assert KeyCanary.objects.exists()
    with (
        override_settings(ENCRYPTION_KEY=NEW_KEY, ENCRYPTION_OLD_KEYS=[]),
        pytest.raises(crypto.UnreadableData),
    ):
        importlib.reload(move.wsgi)


def test_the_worker_does_not_start_with_a_wrong_key(no_disconnect):
    from move.celery import refuse_a_key_that_does_not_open_the_data as on_worker_init

    assert on_worker_init in worker_init._live_receivers(None)
    on_worker_init()
    with (
        override_settings(ENCRYPTION_KEY=NEW_KEY, ENCRYPTION_OLD_KEYS=[]),
        pytest.raises(SystemExit, match="does not start"),
    ):
        on_worker_init()


# --- The settings ------------------------------------------------------------------------


def start(**env) -> subprocess.CompletedProcess:
    """A production start-up in a clean environment with `env`."""
    clean = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("MOVE_") and key not in {"DATABASE_URL", "REDIS_URL"}
    }
    production = {
        "MOVE_DEBUG": "false",
        "MOVE_SECRET_KEY": "production-like-secret-key-" + "k7Qz9" * 10,
        "MOVE_ALLOWED_HOSTS": "move.example.org",
        "DJANGO_SETTINGS_MODULE": "move.settings",
        # Production refuses to start without them; nothing here connects to either.
        "DATABASE_URL": "postgres://move@127.0.0.1:1/move",
        "REDIS_URL": "redis://127.0.0.1:1/0",
    }
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env={**clean, **production, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


LONG_KEY = "a-production-encryption-key-of-enough-length-0123456789"


@pytest.mark.parametrize(
    ("variable", "env"),
    [
        ("MOVE_ENCRYPTION_KEY", {"MOVE_ENCRYPTION_KEY": "short"}),
        (
            "MOVE_ENCRYPTION_OLD_KEYS",
            {"MOVE_ENCRYPTION_KEY": LONG_KEY, "MOVE_ENCRYPTION_OLD_KEYS": f"{NEW_KEY},short"},
        ),
    ],
)
def test_production_refuses_a_short_key(variable, env, tmp_path):
    completed = start(MOVE_SQLITE_PATH=str(tmp_path / "db.sqlite3"), **env)

    assert completed.returncode != 0
    assert f"ImproperlyConfigured: {variable} is too short" in completed.stderr


def test_production_starts_with_long_keys(tmp_path):
    completed = start(
        MOVE_SQLITE_PATH=str(tmp_path / "db.sqlite3"),
        MOVE_ENCRYPTION_KEY=LONG_KEY,
        MOVE_ENCRYPTION_OLD_KEYS=NEW_KEY,
    )
    assert completed.returncode == 0, completed.stderr
