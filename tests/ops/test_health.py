"""/healthz tells the truth about each part: each one is made to fail in turn."""

import time
from types import SimpleNamespace

import pytest
from django.conf import settings as django_settings
from django.db import OperationalError, connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from move import beat
from move.ops import health

needs_redis = pytest.mark.skipif(
    not django_settings.REDIS_URL, reason="the worker and beat checks read Redis"
)


@pytest.fixture(autouse=True)
def _fresh(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.MOVE_HEALTH_MIN_FREE_MB = 1
    health.forget_migrations()
    if django_settings.REDIS_URL:
        client = health.redis_client()
        client.delete(health.WORKER_KEY)
        client.close()
    yield
    health.forget_migrations()


@pytest.fixture
def with_broker(settings):
    """As in production: a worker and beat, not tasks run inline."""
    settings.CELERY_TASK_ALWAYS_EAGER = False


def get(client):
    response = client.get(reverse("healthz"))
    return response, response.json()


def record_every_periodic_run(when=None):
    for task in set(beat.entries().values()):
        beat.record_run(task, when)


@pytest.mark.django_db
def test_every_part_working_answers_200_without_signing_in(client):
    response, body = get(client)
    assert response.status_code == 200
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "redis", "worker", "beat", "disk"}
    assert all(check["ok"] for check in body["checks"].values())
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Type"] == "application/json"


@pytest.mark.django_db
def test_an_unreachable_database_answers_503(client, monkeypatch):
    def refused(*args, **kwargs):
        raise OperationalError("connection to server at postgres://secret@db failed")

    monkeypatch.setattr(connection, "cursor", refused)
    response, body = get(client)
    assert response.status_code == 503
    assert body["status"] == "fail"
    assert body["checks"]["database"]["ok"] is False
    # The driver's message (which can quote a connection string) is not repeated.
    assert "secret" not in response.content.decode()
    assert body["checks"]["redis"]["ok"] is True


@pytest.mark.django_db
def test_unapplied_migrations_answer_503(client, monkeypatch):
    monkeypatch.setattr(MigrationExecutor, "migration_plan", lambda self, targets: [("x", False)])
    response, body = get(client)
    assert response.status_code == 503
    assert body["checks"]["database"] == {
        "ok": False,
        "detail": "reachable, but migrations are not applied",
    }


@pytest.mark.django_db
def test_the_migration_plan_is_built_once_a_minute_per_process(client, monkeypatch):
    built = []
    plan = MigrationExecutor.migration_plan

    def counting(self, targets, **kwargs):
        built.append(1)
        return plan(self, targets, **kwargs)

    monkeypatch.setattr(MigrationExecutor, "migration_plan", counting)
    get(client)
    get(client)
    assert len(built) == 1
    now = time.monotonic()
    monkeypatch.setattr(time, "monotonic", lambda: now + health.MIGRATIONS_CACHE_SECONDS + 1)
    get(client)
    assert len(built) == 2


@pytest.mark.django_db
def test_a_redis_that_refuses_connections_answers_503(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    started = time.monotonic()
    response, body = get(client)
    assert response.status_code == 503
    assert body["checks"]["redis"]["ok"] is False
    assert body["checks"]["redis"]["detail"].startswith("failed: ")
    assert time.monotonic() - started < 5


@needs_redis
@pytest.mark.django_db
def test_no_worker_ever_heard_of_answers_503(client, with_broker):
    record_every_periodic_run()
    response, body = get(client)
    assert response.status_code == 503
    assert body["checks"]["worker"] == {"ok": False, "detail": "no worker has ever reported"}
    assert body["checks"]["beat"]["ok"] is True


@needs_redis
@pytest.mark.django_db
def test_a_worker_silent_for_more_than_a_minute_answers_503(client, with_broker):
    record_every_periodic_run()
    health.record_heartbeat("celery@old", time.time() - health.WORKER_MAX_AGE - 30)
    response, body = get(client)
    assert response.status_code == 503
    assert body["checks"]["worker"]["ok"] is False
    assert "no worker heard of for" in body["checks"]["worker"]["detail"]


@needs_redis
@pytest.mark.django_db
def test_a_ready_worker_records_its_heartbeat_and_answers_200(client, with_broker):
    record_every_periodic_run()
    health.start_heartbeat(sender=SimpleNamespace(hostname="celery@test"))
    try:
        response, body = get(client)
    finally:
        health.stop_heartbeat()
    assert response.status_code == 200, body
    assert body["checks"]["worker"] == {"ok": True, "detail": "1 worker(s) heard of"}


@needs_redis
@pytest.mark.django_db
def test_a_periodic_task_late_for_its_period_answers_503(client, with_broker):
    from django.utils import timezone

    health.record_heartbeat("celery@test")
    record_every_periodic_run()
    beat.record_run("move.privacy.tasks.recover_jobs", timezone.now() - timezone.timedelta(hours=1))
    response, body = get(client)
    assert response.status_code == 503
    assert body["checks"]["beat"] == {"ok": False, "detail": "late: recover-jobs"}


@needs_redis
@pytest.mark.django_db
def test_no_periodic_task_ever_run_answers_503(client, with_broker):
    health.record_heartbeat("celery@test")
    response, body = get(client)
    assert response.status_code == 503
    assert body["checks"]["beat"] == {"ok": False, "detail": "no periodic task has run yet"}


@pytest.mark.django_db
def test_free_disk_below_the_threshold_answers_503(client, settings, monkeypatch):
    settings.MOVE_HEALTH_MIN_FREE_MB = 500
    monkeypatch.setattr(
        health.shutil,
        "disk_usage",
        lambda path: SimpleNamespace(total=10**10, used=10**10 - 100 * 2**20, free=100 * 2**20),
    )
    response, body = get(client)
    assert response.status_code == 503
    assert body["checks"]["disk"] == {"ok": False, "detail": "100 MB free, below 500 MB"}


@pytest.mark.django_db
def test_a_media_root_not_yet_created_is_measured_on_its_parent(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "not" / "yet"
    (check,) = health.run(["disk"])
    assert check.ok


@pytest.mark.django_db
def test_healthz_refuses_a_post(client):
    assert client.post(reverse("healthz")).status_code == 405


@needs_redis
@pytest.mark.django_db
def test_the_worker_healthcheck_command_checks_its_own_worker(with_broker, capsys):
    from django.core.management import call_command

    health.record_heartbeat("celery@here")
    call_command("healthcheck", "--component", "worker", "--hostname", "celery@here")
    assert '"status": "ok"' in capsys.readouterr().out
    with pytest.raises(SystemExit) as exit_:
        call_command("healthcheck", "--component", "worker", "--hostname", "celery@elsewhere")
    assert exit_.value.code == 1


@needs_redis
@pytest.mark.django_db
def test_the_beat_healthcheck_command_fails_when_no_periodic_task_ran(with_broker, capsys):
    from django.core.management import call_command

    with pytest.raises(SystemExit):
        call_command("healthcheck", "--component", "beat")
    record_every_periodic_run()
    call_command("healthcheck", "--component", "beat")
    assert set(__import__("json").loads(capsys.readouterr().out.splitlines()[-1])["checks"]) == {
        "redis",
        "beat",
    }
