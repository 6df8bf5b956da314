"""The pages of a long job (DESIGN.md §6): its owner follows its progress and downloads
its file; nobody else learns that it exists."""

import re

import pytest
from django.urls import reverse

from move.accounts.permissions import Role
from move.privacy.models import AccessLogEntry, Job
from tests.conftest import sign_in
from tests.factories import member, with_totp

pytestmark = pytest.mark.django_db


@pytest.fixture
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT / "private"


def make_job(owner, **fields) -> Job:
    return Job.objects.create(owner=owner, kind="person_export", subject="P-2026-0042", **fields)


def ready_job(owner, private_media) -> Job:
    path = private_media / "exports" / "P-2026-0042.zip"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"PK-everything-held")
    return make_job(
        owner,
        status=Job.Status.READY,
        progress=100,
        file="exports/P-2026-0042.zip",
        filename="P-2026-0042.zip",
    )


def detail(job):
    return reverse("privacy:job-detail", args=[job.code])


def download(job):
    return reverse("privacy:job-download", args=[job.code])


def test_the_owner_follows_a_job_in_progress_and_the_page_polls_itself(client, visitor_a):
    job = make_job(visitor_a, status=Job.Status.PROCESSING, progress=40, step="Rendering the PDF")
    sign_in(client, visitor_a)

    response = client.get(detail(job))

    assert response.status_code == 200
    page = response.content.decode()
    assert '<progress id="job-progress" max="100" value="40">' in page
    assert "In progress" in page
    assert "Rendering the PDF" in page
    assert 'hx-trigger="every 2s"' in page
    assert f'hx-get="{detail(job)}"' in page
    assert download(job) not in page


def test_the_polled_fragment_is_the_status_alone(client, visitor_a):
    job = make_job(visitor_a, status=Job.Status.PENDING)
    sign_in(client, visitor_a)

    response = client.get(detail(job), headers={"HX-Request": "true"})

    page = response.content.decode()
    assert page.lstrip().startswith('<div id="job-status"')
    assert "<html" not in page
    assert "Waiting" in page


def test_a_ready_job_stops_polling_and_offers_its_file(client, visitor_a, private_media):
    job = ready_job(visitor_a, private_media)
    sign_in(client, visitor_a)

    page = client.get(detail(job)).content.decode()

    assert "hx-trigger" not in page
    assert f'href="{download(job)}"' in page
    assert "Ready" in page


def test_a_failed_job_says_why_and_stops_polling(client, visitor_a):
    job = make_job(visitor_a, status=Job.Status.FAILED, last_error="The PDF could not be made.")
    sign_in(client, visitor_a)

    page = client.get(detail(job)).content.decode()

    assert "The PDF could not be made." in page
    assert "hx-trigger" not in page


def test_the_job_page_has_no_inline_script_nor_style(client, visitor_a):
    job = make_job(visitor_a)
    sign_in(client, visitor_a)

    page = client.get(detail(job)).content.decode()

    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)
    assert " style=" not in page


def test_the_owner_downloads_the_file_and_the_download_is_logged(client, visitor_a, private_media):
    job = ready_job(visitor_a, private_media)
    sign_in(client, visitor_a)

    response = client.get(download(job))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"PK-everything-held"
    assert response["Content-Disposition"] == 'attachment; filename="P-2026-0042.zip"'
    entry = AccessLogEntry.objects.get()
    assert (entry.user, entry.action, entry.subject, entry.page) == (
        visitor_a,
        AccessLogEntry.Action.DOWNLOAD,
        "P-2026-0042",
        download(job),
    )


@pytest.mark.parametrize("status", [Job.Status.PENDING, Job.Status.PROCESSING, Job.Status.FAILED])
def test_nothing_is_downloaded_before_the_job_is_ready(client, visitor_a, status):
    job = make_job(visitor_a, status=status, file="exports/P-2026-0042.zip")
    sign_in(client, visitor_a)

    assert client.get(download(job)).status_code == 404
    assert not AccessLogEntry.objects.exists()


@pytest.mark.parametrize("file", ["exports/gone.zip", "../../outside.txt"])
def test_a_missing_or_misplaced_file_is_not_served(client, visitor_a, private_media, file):
    outside = private_media.parent.parent / "outside.txt"
    outside.parent.mkdir(parents=True, exist_ok=True)
    outside.write_text("not yours")
    job = make_job(visitor_a, status=Job.Status.READY, file=file, filename="x.zip")
    sign_in(client, visitor_a)

    assert client.get(download(job)).status_code == 404


@pytest.mark.parametrize(
    "persona", ["visitor_b", "legal", "coordinator", "advocacy", "witness_pool", "partner"]
)
def test_nobody_but_the_owner_sees_a_job_or_its_file(
    persona_client, visitor_a, private_media, persona
):
    job = ready_job(visitor_a, private_media)
    client = persona_client(persona)

    assert client.get(detail(job)).status_code == 404
    assert client.get(download(job)).status_code == 404
    assert not AccessLogEntry.objects.exists()


def test_a_colleague_of_the_owner_does_not_see_the_job_either(client, org_a, visitor_a):
    colleague = with_totp(member(Role.VISITOR, org_a, email="colleague@example.org"))
    job = make_job(visitor_a)
    sign_in(client, colleague)

    assert client.get(detail(job)).status_code == 404


def test_someone_signed_out_is_sent_to_sign_in(client, visitor_a, private_media):
    job = ready_job(visitor_a, private_media)

    for url in (detail(job), download(job)):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login"))


def test_the_job_page_needs_a_few_queries(client, visitor_a, django_assert_max_num_queries):
    job = make_job(visitor_a, status=Job.Status.PROCESSING)
    sign_in(client, visitor_a)
    client.get(detail(job))  # the first request after signing in records the session

    with django_assert_max_num_queries(8):
        assert client.get(detail(job)).status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get(detail(job), headers={"HX-Request": "true"}).status_code == 200
