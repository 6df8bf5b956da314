"""The coordinators' System page: the checks, the queue, the failed jobs without personal
data, the last backup and the versions, in at most 8 queries."""

from datetime import UTC, datetime

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import timezone

from move.ops import backup, health
from move.privacy.models import Job
from tests.conftest import sign_in

URL = "ops:system"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.MOVE_BACKUP_DIR = tmp_path / "backups"
    settings.MOVE_BACKUP_DIR.mkdir()
    settings.MOVE_HEALTH_MIN_FREE_MB = 1
    health.forget_migrations()


def failed_job(owner, kind, error, subject="P-2026-0042"):
    return Job.objects.create(
        owner=owner,
        kind=kind,
        subject=subject,
        status=Job.Status.FAILED,
        last_error=error,
        finished_at=timezone.now(),
    )


def test_a_coordinator_sees_every_check_and_the_versions(client, coordinator):
    sign_in(client, coordinator)
    response = client.get(reverse(URL))
    assert response.status_code == 200
    page = response.content.decode()
    for label in health.LABELS.values():
        assert str(label) in page
    assert "Every part works." in page
    assert "Django" in page and "Python" in page
    assert "PostgreSQL" in page or "SQLite" in page
    assert "No job has failed." in page
    assert "No backup has been made yet." in page


def test_a_failing_part_is_shown_as_failing(client, coordinator, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    sign_in(client, coordinator)
    page = client.get(reverse(URL)).content.decode()
    assert "Some parts do not work" in page
    assert "Fails" in page


def test_the_version_comes_from_move_version(client, coordinator, monkeypatch):
    sign_in(client, coordinator)
    assert "unknown" in client.get(reverse(URL)).content.decode()
    monkeypatch.setenv("MOVE_VERSION", "a1b2c3d")
    assert "a1b2c3d" in client.get(reverse(URL)).content.decode()


def test_the_last_failed_jobs_show_kind_and_error_but_not_owner_nor_subject(
    client, coordinator, visitor_a
):
    for number in range(12):
        failed_job(
            visitor_a, f"kind-{number:02}", f"Error number {number:02}", f"P-2026-{number:04}"
        )
    sign_in(client, coordinator)
    page = client.get(reverse(URL)).content.decode()
    # The ten newest only.
    assert "Error number 11" in page and "Error number 02" in page
    assert "Error number 01" not in page and "kind-00" not in page
    assert visitor_a.email not in page
    assert "P-2026-0011" not in page


def test_the_last_backup_is_shown(client, coordinator):
    started = datetime(2026, 12, 4, 1, 30, tzinfo=UTC)
    backup.record(
        backup.Outcome(started, started, ok=False, error="pg_dump: could not connect"),
        django_settings.MOVE_BACKUP_DIR,
    )
    sign_in(client, coordinator)
    page = client.get(reverse(URL)).content.decode()
    assert "pg_dump: could not connect" in page
    assert "failed" in page


@pytest.mark.skipif(not django_settings.REDIS_URL, reason="the queue is a Redis list")
def test_the_queue_length_is_read_from_redis(client, coordinator):
    client_redis = health.redis_client()
    client_redis.delete("celery")
    client_redis.rpush("celery", "a", "b", "c")
    try:
        sign_in(client, coordinator)
        page = client.get(reverse(URL)).content.decode()
    finally:
        client_redis.delete("celery")
        client_redis.close()
    assert "Queue “celery”: 3 tasks waiting" in page


def test_the_page_costs_at_most_8_queries(
    client, coordinator, visitor_a, django_assert_max_num_queries
):
    for number in range(12):
        failed_job(visitor_a, "export", f"Error {number}")
    sign_in(client, coordinator)
    client.get(reverse("home"))
    with django_assert_max_num_queries(8):
        response = client.get(reverse(URL))
    assert response.status_code == 200


@pytest.mark.parametrize("persona", ["visitor_a", "legal", "advocacy", "witness_pool", "partner"])
def test_only_coordinators_see_the_system_page(client, persona, request):
    sign_in(client, request.getfixturevalue(persona))
    assert client.get(reverse(URL)).status_code == 403


def test_the_menu_shows_system_to_coordinators_only(client, coordinator, visitor_a):
    sign_in(client, coordinator)
    assert reverse(URL) in client.get(reverse("home")).content.decode()
    client.logout()
    sign_in(client, visitor_a)
    assert reverse(URL) not in client.get(reverse("home")).content.decode()
