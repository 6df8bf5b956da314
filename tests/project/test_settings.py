"""Settings from the environment: typed readers that refuse bad values with a message
naming the variable, production refusing to start without its secrets, `check --deploy`
passing with production values, and Celery/cache following REDIS_URL.

Whole start-ups run in a subprocess with a clean environment (no MOVE_*, DATABASE_URL or
REDIS_URL from the test run), so that they see only what each test sets.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from move.env import env_bool, env_choice, env_int, env_list, env_secret, env_str

ROOT = Path(__file__).resolve().parents[2]
VARIABLE = "MOVE_PROBE_VALUE"
# Besides MOVE_*: what the test run sets that a production start-up would not have
# (DJANGO_ALLOW_ASYNC_UNSAFE, from pyproject.toml, is itself a `check --deploy` warning).
NOT_INHERITED = {"DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE", "DJANGO_SETTINGS_MODULE"}

PRODUCTION = {
    "MOVE_DEBUG": "false",
    "MOVE_SECRET_KEY": "production-like-secret-key-" + "k7Qz9" * 10,
    "MOVE_ENCRYPTION_KEY": "production-like-encryption-key-of-forty-chars",
    "MOVE_ALLOWED_HOSTS": "move.example.org",
    # Never contacted: reading the settings (and `check --deploy`) connects to nothing.
    "DATABASE_URL": "postgres://move:password@postgres.invalid:5432/move",
    "REDIS_URL": "redis://redis.invalid:6379/0",
}

# Any Move process starts like this: read one setting, which imports them all.
READ_DEBUG = (
    "import django; import os; "
    "os.environ.setdefault('DJANGO_SETTINGS_MODULE','move.settings'); "
    "from django.conf import settings; settings.DEBUG"
)


@pytest.fixture
def run(tmp_path):
    """Run Python (`-c code` or a script with arguments) with a clean environment + `env`."""

    def run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
        clean = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith("MOVE_") and key not in NOT_INHERITED
        }
        clean["MOVE_SQLITE_PATH"] = str(tmp_path / "db.sqlite3")
        clean["MOVE_STATIC_ROOT"] = str(tmp_path / "static")
        clean["MOVE_MEDIA_ROOT"] = str(tmp_path / "media")
        clean["DJANGO_SETTINGS_MODULE"] = "move.settings"
        return subprocess.run(
            [sys.executable, *args],
            env={**clean, **env},
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )

    return run


@pytest.fixture
def settings_of(run):
    """The values of some settings (and Celery's configuration) under `env`."""

    def settings_of(env: dict[str, str]) -> dict:
        code = (
            "import json; from django.conf import settings; from move.celery import app; "
            "print(json.dumps({"
            "'eager': settings.CELERY_TASK_ALWAYS_EAGER, "
            "'celery_eager': app.conf.task_always_eager, "
            "'broker': app.conf.broker_url, "
            "'cache': settings.CACHES['default']['BACKEND'], "
            "'cache_location': settings.CACHES['default'].get('LOCATION'), "
            "'session_engine': settings.SESSION_ENGINE, "
            "'secret_key': settings.SECRET_KEY, "
            "'encryption_key': settings.ENCRYPTION_KEY, "
            "'database': settings.DATABASES['default']['ENGINE'], "
            "'database_options': {k: v for k, v in settings.DATABASES['default']"
            ".get('OPTIONS', {}).items()}}))"
        )
        completed = run("-c", code, env=env)
        assert completed.returncode == 0, completed.stderr
        return json.loads(completed.stdout)

    return settings_of


# --- The typed readers ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("true", True), ("1", True), ("YES", True), ("on", True), ("false", False), ("0", False)]
    + [("No", False), ("off", False), (" true ", True)],
)
def test_env_bool_reads_the_usual_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv(VARIABLE, raw)
    assert env_bool(VARIABLE, not expected) is expected


@pytest.mark.parametrize("raw", [None, "", "   "])
def test_unset_or_empty_means_the_default(monkeypatch, raw):
    if raw is None:
        monkeypatch.delenv(VARIABLE, raising=False)
    else:
        monkeypatch.setenv(VARIABLE, raw)
    assert env_bool(VARIABLE, True) is True
    assert env_int(VARIABLE, 7) == 7
    assert env_str(VARIABLE, "fallback") == "fallback"
    assert env_list(VARIABLE, ["a"]) == ["a"]
    assert env_choice(VARIABLE, ["fr", "nl"], "nl") == "nl"
    assert env_secret(VARIABLE, "default") == "default"


def test_env_bool_refuses_anything_else(monkeypatch):
    monkeypatch.setenv(VARIABLE, "maybe")
    with pytest.raises(ImproperlyConfigured, match=f"{VARIABLE}='maybe' is not a boolean"):
        env_bool(VARIABLE, False)


def test_env_int(monkeypatch):
    monkeypatch.setenv(VARIABLE, " 42 ")
    assert env_int(VARIABLE, 1) == 42
    monkeypatch.setenv(VARIABLE, "forty")
    with pytest.raises(ImproperlyConfigured, match=f"{VARIABLE}='forty' is not a whole number"):
        env_int(VARIABLE, 1)
    monkeypatch.setenv(VARIABLE, "0")
    with pytest.raises(ImproperlyConfigured, match=f"{VARIABLE}=0 is below the minimum of 1"):
        env_int(VARIABLE, 5, minimum=1)


def test_env_str_strips(monkeypatch):
    monkeypatch.setenv(VARIABLE, "  value  ")
    assert env_str(VARIABLE) == "value"


def test_env_list(monkeypatch):
    monkeypatch.setenv(VARIABLE, " a.example.org, ,b.example.org ,")
    assert env_list(VARIABLE) == ["a.example.org", "b.example.org"]
    monkeypatch.delenv(VARIABLE)
    default = ["x"]
    result = env_list(VARIABLE, default)
    result.append("y")
    assert default == ["x"], "the default must not be shared with the caller"
    assert env_list(VARIABLE) == []


def test_env_choice(monkeypatch):
    monkeypatch.setenv(VARIABLE, "nl")
    assert env_choice(VARIABLE, ["fr", "nl", "en"], "fr") == "nl"
    monkeypatch.setenv(VARIABLE, "de")
    with pytest.raises(ImproperlyConfigured, match=f"{VARIABLE}='de' must be one of: fr, nl, en"):
        env_choice(VARIABLE, ["fr", "nl", "en"], "fr")


def test_env_secret_reads_the_variable_or_the_file_it_names(monkeypatch, tmp_path):
    monkeypatch.setenv(VARIABLE, "from-variable")
    monkeypatch.delenv(f"{VARIABLE}_FILE", raising=False)
    assert env_secret(VARIABLE) == "from-variable"

    secret = tmp_path / "secret"
    secret.write_text("from-file\n")
    monkeypatch.setenv(f"{VARIABLE}_FILE", str(secret))
    assert env_secret(VARIABLE) == "from-file", "NAME_FILE wins, without its newline"

    monkeypatch.setenv(f"{VARIABLE}_FILE", str(tmp_path / "missing"))
    with pytest.raises(ImproperlyConfigured, match=f"{VARIABLE}_FILE=.* is not a readable file"):
        env_secret(VARIABLE)

    monkeypatch.setenv(f"{VARIABLE}_FILE", str(tmp_path))  # a directory
    with pytest.raises(ImproperlyConfigured, match=f"{VARIABLE}_FILE="):
        env_secret(VARIABLE)


# --- Whole start-ups --------------------------------------------------------------------


def test_a_bad_boolean_stops_the_start_up_naming_the_variable(run):
    completed = run("-c", READ_DEBUG, env={"MOVE_DEBUG": "maybe"})
    assert completed.returncode != 0
    assert "ImproperlyConfigured: MOVE_DEBUG='maybe' is not a boolean" in completed.stderr


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("MOVE_SESSION_IDLE_MINUTES", "0", "is below the minimum of 1"),
        ("MOVE_EMAIL_PORT", "smtp", "is not a whole number"),
        ("MOVE_LANGUAGE_CODE", "de", "must be one of: fr, nl, en"),
        ("MOVE_SECRET_KEY_FILE", "/nonexistent/secret", "is not a readable file"),
    ],
)
def test_a_bad_value_stops_the_start_up_naming_the_variable(run, variable, value, message):
    completed = run("-c", READ_DEBUG, env={**PRODUCTION, variable: value})
    assert completed.returncode != 0
    assert f"ImproperlyConfigured: {variable}=" in completed.stderr
    assert message in completed.stderr


@pytest.mark.parametrize("missing", ["MOVE_SECRET_KEY", "MOVE_ENCRYPTION_KEY"])
def test_production_refuses_to_start_without_its_keys(run, missing):
    completed = run("-c", READ_DEBUG, env={**PRODUCTION, missing: ""})
    assert completed.returncode != 0
    assert f"{missing} is required when MOVE_DEBUG is false" in completed.stderr


def test_the_demo_starts_without_keys(settings_of):
    values = settings_of({"MOVE_DEBUG": "true"})
    assert values["secret_key"].startswith("insecure-demo-key")
    assert values["database"] == "django.db.backends.sqlite3"


def test_keys_can_come_from_files(settings_of, tmp_path):
    (tmp_path / "secret_key").write_text("s" * 64 + "\n")
    (tmp_path / "encryption_key").write_text("e" * 40 + "\n")
    values = settings_of(
        {
            **PRODUCTION,
            "MOVE_SECRET_KEY": "",
            "MOVE_ENCRYPTION_KEY": "",
            "MOVE_SECRET_KEY_FILE": str(tmp_path / "secret_key"),
            "MOVE_ENCRYPTION_KEY_FILE": str(tmp_path / "encryption_key"),
        }
    )
    assert values["secret_key"] == "s" * 64
    assert values["encryption_key"] == "e" * 40


def test_check_deploy_passes_with_production_settings(run):
    completed = run("manage.py", "check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "no issues" in completed.stdout


def test_check_deploy_fails_without_https(run):
    completed = run(
        "manage.py",
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env={**PRODUCTION, "MOVE_SECURE": "false"},
    )
    assert completed.returncode != 0
    assert "security.W004" in completed.stderr  # no HSTS
    assert "security.W008" in completed.stderr  # no redirect to HTTPS


@pytest.mark.parametrize("missing", ["DATABASE_URL", "REDIS_URL"])
def test_production_refuses_to_start_without_postgresql_and_redis(run, missing):
    completed = run("-c", READ_DEBUG, env={**PRODUCTION, missing: ""})
    assert completed.returncode != 0
    assert f"ImproperlyConfigured: {missing} is required when MOVE_DEBUG is false" in (
        completed.stderr
    )


def test_production_refuses_an_sqlite_database(run, tmp_path):
    url = f"sqlite:///{tmp_path / 'production.sqlite3'}"
    completed = run("-c", READ_DEBUG, env={**PRODUCTION, "DATABASE_URL": url})
    assert completed.returncode != 0
    assert "ImproperlyConfigured: DATABASE_URL must name a PostgreSQL database" in (
        completed.stderr
    )
    assert "not sqlite://" in completed.stderr


def test_production_error_does_not_print_the_database_password(run):
    url = "mysql://move:s3cret-password@db.invalid/move"
    completed = run("-c", READ_DEBUG, env={**PRODUCTION, "DATABASE_URL": url})
    assert "DATABASE_URL must name a PostgreSQL database" in completed.stderr
    assert "s3cret-password" not in completed.stderr


def test_production_with_postgresql_and_redis_starts(settings_of):
    values = settings_of(PRODUCTION)
    assert values["database"] == "django.db.backends.postgresql"
    assert values["cache"] == "move.cache.ResilientRedisCache"
    assert values["eager"] is False


def test_the_demo_sqlite_holds_parallel_clients(settings_of):
    """WAL, a busy timeout and immediate transactions (tests/project/test_demo_parallel.py
    runs a server on them)."""
    values = settings_of({"MOVE_DEBUG": "true"})
    assert values["database"] == "django.db.backends.sqlite3"
    options = values["database_options"]
    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] >= 10
    assert "journal_mode=WAL" in options["init_command"]


def test_without_redis_the_demo_runs_tasks_inline(settings_of):
    values = settings_of({"MOVE_DEBUG": "true"})
    assert values["eager"] is True
    assert values["celery_eager"] is True
    assert values["broker"] == "memory://"
    assert values["cache"] == "django.core.cache.backends.locmem.LocMemCache"
    assert values["session_engine"] == "django.contrib.sessions.backends.db"


def test_with_redis_the_cache_and_broker_use_it(settings_of):
    url = "redis://redis.invalid:6379/3"  # never contacted: reading settings connects nothing
    values = settings_of({**PRODUCTION, "REDIS_URL": url})
    assert values["eager"] is False
    assert values["celery_eager"] is False
    assert values["broker"] == url
    assert values["cache"] == "move.cache.ResilientRedisCache"
    assert values["cache_location"] == url
    # Django's cached_db, reading the reference rows' versions with the session.
    assert values["session_engine"] == "move.sessions"


def test_manage_py_with_no_configuration_at_all_is_the_demo(run):
    done = run(
        "manage.py",
        "shell",
        "-c",
        "from django.conf import settings; print(settings.DEBUG)",
        env={},
    )

    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "True"


def test_manage_py_with_a_database_but_no_move_debug_never_falls_back_to_the_demo(run):
    done = run("manage.py", "check", env={"DATABASE_URL": "postgres://nobody@127.0.0.1:1/none"})

    assert done.returncode != 0
    assert "MOVE_SECRET_KEY is required" in done.stderr
