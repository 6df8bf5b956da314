"""Jobs survive a worker that dies half-way (issue 15, move/privacy/jobs.py): a job records
the task that does it, its worker stamps a heartbeat at each step, a job silent too long
is queued again (attempts counted) or failed with a reason and a "Try again" button, and
a worker that was only slow loses the job: its late writes are refused, so the job ends
with one file and one e-mail each. The same with a real worker killed with SIGKILL:
tests/privacy/test_job_worker_kill.py."""

import threading
import zipfile
from datetime import timedelta
from unittest import mock

import pytest
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from detainees import export, services
from detainees import tasks as detainee_tasks
from detainees.models import Person
from move.privacy import jobs
from move.privacy.models import Job
from move.privacy.tasks import recover_jobs
from tests.conftest import sign_in

TASK = "detainees.tasks.export_person"


@pytest.fixture
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT / "private"


@pytest.fixture
def person(visitor_a, org_a):
    """A case file of org_a with an identity: what a subject-access export reads."""
    return services.create_person(
        visitor_a,
        Person(organisation=org_a, birth_year=1990, sex="f"),
        identity={"given_names": "Amina", "surname": "Benali"},
    )


@pytest.fixture
def queued(monkeypatch):
    """The export tasks sent to the broker, instead of running them."""
    sent = []
    monkeypatch.setattr(detainee_tasks.export_person, "delay", lambda *args: sent.append(args))
    return sent


def export_job(owner, person, language="en") -> Job:
    """A subject-access export started as the page starts it."""
    job = Job.objects.create(
        owner=owner, kind="subject_access", subject=person.code, language=language
    )
    return jobs.enqueue(job, detainee_tasks.export_person, job.pk)


def silent_for(job: Job, minutes: int) -> Job:
    """The job's worker last heard of `minutes` ago."""
    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(minutes=minutes))
    job.refresh_from_db()
    return job


def files_in(private_media) -> list[str]:
    folder = private_media / "exports"
    return sorted(path.name for path in folder.iterdir()) if folder.exists() else []


# --- Starting and claiming --------------------------------------------------------------


@pytest.mark.django_db
def test_a_job_records_its_task_and_is_queued_once_committed(
    visitor_a, person, queued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        job = export_job(visitor_a, person)
        assert queued == []  # not before the row is committed

    job.refresh_from_db()
    assert (job.task, job.arguments, job.attempts) == (TASK, [job.pk], 1)
    assert job.status == Job.Status.PENDING and job.heartbeat_at is not None
    assert len(callbacks) == 1 and queued == [(job.pk,)]


@pytest.mark.django_db
def test_each_step_of_the_work_is_a_heartbeat(visitor_a, person, private_media, monkeypatch):
    job = export_job(visitor_a, person)
    beats = []
    progress = jobs.progress

    def seen(job, percent, step):
        progress(job, percent, step)
        beats.append(Job.objects.get(pk=job.pk).heartbeat_at)

    monkeypatch.setattr(jobs, "progress", seen)
    export.build_export(job)

    assert len(beats) >= 5 and beats == sorted(beats)
    job.refresh_from_db()
    assert job.status == Job.Status.READY and job.run is None
    assert job.heartbeat_at >= beats[-1]


@pytest.mark.django_db
def test_a_second_delivery_of_a_job_being_done_does_nothing(visitor_a, person, private_media):
    job = export_job(visitor_a, person)
    assert jobs.claim(job)  # a worker is on it

    export.build_export(Job.objects.get(pk=job.pk))  # the same message, delivered again

    job.refresh_from_db()
    assert job.status == Job.Status.PROCESSING and job.progress == 0
    assert files_in(private_media) == []


@pytest.mark.django_db
def test_a_job_already_ready_is_left_alone(visitor_a, person, private_media):
    job = export_job(visitor_a, person)
    export.build_export(job)
    ready = Job.objects.get(pk=job.pk)

    assert not jobs.claim(ready)
    export.build_export(ready)

    assert Job.objects.get(pk=job.pk).finished_at == ready.finished_at
    assert files_in(private_media) == [f"{job.code}.zip"]


# --- Recovering -------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_silent_job_is_queued_again_with_its_arguments_in_its_language(
    visitor_a, person, queued, django_capture_on_commit_callbacks
):
    job = export_job(visitor_a, person, language="nl")
    assert jobs.claim(job)
    jobs.progress(job, 50, "Reading the meetings")
    silent_for(job, minutes=jobs.STALE_MINUTES + 1)

    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.recover() == {"requeued": 1, "failed": 0}

    job.refresh_from_db()
    assert (job.status, job.attempts, job.progress, job.run) == (Job.Status.PENDING, 2, 0, None)
    with translation.override("nl"):
        assert job.step == gettext("Interrupted, starting again")
    assert queued == [(job.pk,)]


@pytest.mark.django_db
def test_a_job_heard_of_lately_or_finished_is_not_touched(
    visitor_a, person, private_media, queued, django_capture_on_commit_callbacks
):
    working = export_job(visitor_a, person)
    jobs.claim(working)
    silent_for(working, minutes=jobs.STALE_MINUTES - 1)
    done = export_job(visitor_a, person)
    export.build_export(done)
    silent_for(done, minutes=60)

    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.recover() == {"requeued": 0, "failed": 0}

    assert Job.objects.get(pk=working.pk).status == Job.Status.PROCESSING
    assert Job.objects.get(pk=done.pk).status == Job.Status.READY
    assert queued == []


@pytest.mark.django_db
def test_a_job_no_worker_took_up_is_queued_again_from_its_creation(
    visitor_a, person, queued, django_capture_on_commit_callbacks
):
    """A job made before heartbeats existed counts from its creation."""
    job = export_job(visitor_a, person)
    Job.objects.filter(pk=job.pk).update(
        heartbeat_at=None, created_at=timezone.now() - timedelta(hours=1)
    )

    with django_capture_on_commit_callbacks(execute=True):
        recover_jobs.delay()

    assert Job.objects.get(pk=job.pk).attempts == 2
    assert queued == [(job.pk,)]


@pytest.mark.django_db
def test_recovering_twice_queues_a_job_once(
    visitor_a, person, queued, django_capture_on_commit_callbacks
):
    job = export_job(visitor_a, person)
    silent_for(job, minutes=60)

    with django_capture_on_commit_callbacks(execute=True):
        first, second = jobs.recover(), jobs.recover()

    assert (first["requeued"], second["requeued"]) == (1, 0)
    assert queued == [(job.pk,)] and Job.objects.get(pk=job.pk).attempts == 2


@pytest.mark.django_db
def test_the_recovered_job_is_done_once_and_its_file_downloaded(
    client, visitor_a, person, private_media, django_capture_on_commit_callbacks
):
    """Eager here (the tasks run inline): the queued-again export runs to the end."""
    job = export_job(visitor_a, person)
    jobs.claim(job)
    jobs.progress(job, 80, "Writing the PDF")  # then the worker died
    silent_for(job, minutes=60)

    with django_capture_on_commit_callbacks(execute=True):
        jobs.recover()

    job.refresh_from_db()
    assert (job.status, job.attempts, job.progress) == (Job.Status.READY, 2, 100)
    assert files_in(private_media) == [f"{job.code}.zip"]
    sign_in(client, visitor_a)
    download = client.get(reverse("privacy:job-download", args=[job.code]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"PK")


@pytest.mark.django_db
def test_after_the_last_attempt_the_job_fails_with_a_reason(
    visitor_a, person, queued, settings, django_capture_on_commit_callbacks
):
    settings.MOVE_JOB_MAX_ATTEMPTS = 2
    job = export_job(visitor_a, person)
    for _attempt in range(2):
        jobs.claim(job)
        silent_for(job, minutes=60)
        with django_capture_on_commit_callbacks(execute=True):
            jobs.recover()
        job.refresh_from_db()

    assert job.status == Job.Status.FAILED and job.finished_at is not None
    assert job.last_error == (
        "The work stopped 2 times before it was done (the server may have restarted or run "
        "out of memory)."
    )
    assert queued == [(job.pk,)]  # once, after the first attempt


@pytest.mark.django_db
def test_a_job_without_a_known_task_fails_instead_of_waiting_for_ever(visitor_a):
    job = Job.objects.create(owner=visitor_a, kind="subject_access", subject="P-2026-0001")
    Job.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(hours=1))

    assert jobs.recover() == {"requeued": 0, "failed": 1}

    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    with translation.override(job.language):  # written in the job's language
        reason = gettext("The work was interrupted and cannot be started again by itself.")
    assert job.last_error == reason
    assert not jobs.may_retry(job)


@pytest.mark.django_db(transaction=True)
def test_a_job_locked_by_another_recovery_is_skipped(visitor_a, person):
    """Two recoveries at once: the second skips what the first holds (SKIP LOCKED)."""
    if connection.vendor != "postgresql":
        pytest.skip("SKIP LOCKED is PostgreSQL's.")
    job = export_job(visitor_a, person)
    silent_for(job, minutes=60)
    locked, release = threading.Event(), threading.Event()

    def first_recovery():
        from django.db import connections

        try:
            with transaction.atomic():
                Job.objects.select_for_update().get(pk=job.pk)
                locked.set()
                release.wait(10)
        finally:
            connections.close_all()

    holder = threading.Thread(target=first_recovery)
    holder.start()
    try:
        assert locked.wait(10)
        with mock.patch.object(detainee_tasks.export_person, "delay"):
            assert jobs.recover() == {"requeued": 0, "failed": 0}
    finally:
        release.set()
        holder.join()
    assert Job.objects.get(pk=job.pk).attempts == 1


# --- A worker that was only slow ----------------------------------------------------------


@pytest.mark.django_db
def test_a_late_worker_loses_its_job_and_the_job_ends_with_one_file(
    visitor_a, person, private_media, queued, django_capture_on_commit_callbacks
):
    slow = export_job(visitor_a, person)
    assert jobs.claim(slow)
    jobs.progress(slow, 50, "Reading the meetings")
    silent_for(slow, minutes=60)
    with django_capture_on_commit_callbacks(execute=True):
        jobs.recover()

    export.build_export(Job.objects.get(pk=slow.pk))  # the run queued again
    finished = Job.objects.get(pk=slow.pk)
    assert finished.status == Job.Status.READY

    # The slow worker wakes up: its writes are refused, its file is not placed.
    with pytest.raises(jobs.Superseded):
        jobs.progress(slow, 80, "Writing the PDF")
    with pytest.raises(jobs.Superseded):
        export._write_zip(slow, person.code, b"{}", b"%PDF-late")

    assert files_in(private_media) == [f"{slow.code}.zip"]
    with zipfile.ZipFile(export.export_path(finished)) as archive:
        assert archive.read(f"{person.code}.pdf") != b"%PDF-late"
    assert Job.objects.get(pk=slow.pk).filename == finished.filename
    assert Job.objects.get(pk=slow.pk).finished_at == finished.finished_at


@pytest.mark.django_db
def test_a_late_worker_stops_quietly(visitor_a, person, private_media, monkeypatch):
    """The work itself catches the refusal: no failure is written over the other run's."""
    job = export_job(visitor_a, person)
    progress = export._progress

    def overtaken(job, percent, step):
        if percent >= 50:  # another run took the job meanwhile
            Job.objects.filter(pk=job.pk).update(run=None, status=Job.Status.PENDING)
        progress(job, percent, step)

    monkeypatch.setattr(export, "_progress", overtaken)
    export.build_export(job)

    job.refresh_from_db()
    assert job.status == Job.Status.PENDING and job.last_error == ""
    assert files_in(private_media) == []


# --- The page ---------------------------------------------------------------------------


def detail(job):
    return reverse("privacy:job-detail", args=[job.code])


def retry(job):
    return reverse("privacy:job-retry", args=[job.code])


@pytest.mark.django_db
def test_the_page_says_when_the_worker_went_silent(client, visitor_a, person):
    job = export_job(visitor_a, person)
    jobs.claim(job)
    jobs.progress(job, 80, "Writing the PDF")
    silent_for(job, minutes=jobs.STALE_MINUTES + 1)
    sign_in(client, visitor_a)

    page = client.get(detail(job)).content.decode()

    assert "No news from the worker since" in page
    assert "starts again by itself" in page
    assert 'hx-trigger="every 2s"' in page


@pytest.mark.django_db
def test_the_page_says_the_job_is_starting_again(client, visitor_a, person, queued):
    job = export_job(visitor_a, person)
    jobs.claim(job)
    silent_for(job, minutes=60)
    jobs.recover()
    sign_in(client, visitor_a)

    page = client.get(detail(job), headers={"HX-Request": "true"}).content.decode()

    assert "Waiting — Interrupted, starting again" in page
    assert "attempt 2 of 3" in page
    assert 'hx-trigger="every 2s"' in page


@pytest.mark.django_db
def test_a_failed_job_is_tried_again_by_its_owner_once(
    client, visitor_a, person, queued, django_capture_on_commit_callbacks
):
    job = export_job(visitor_a, person)
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.FAILED, attempts=3, last_error="The work stopped 3 times."
    )
    sign_in(client, visitor_a)
    page = client.get(detail(job)).content.decode()
    assert f'action="{retry(job)}"' in page and "Try again" in page

    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(retry(job))
        second = client.post(retry(job))

    assert first.status_code == second.status_code == 302
    assert first["Location"] == detail(job)
    job.refresh_from_db()
    assert (job.status, job.attempts, job.last_error) == (Job.Status.PENDING, 1, "")
    assert queued == [(job.pk,)]
    assert "The job starts again." in client.get(detail(job)).content.decode()


@pytest.mark.django_db
def test_a_ready_job_is_not_started_again(client, visitor_a, person, private_media, queued):
    job = export_job(visitor_a, person)
    export.build_export(job)
    sign_in(client, visitor_a)

    assert client.post(retry(job)).status_code == 302

    assert Job.objects.get(pk=job.pk).status == Job.Status.READY
    assert queued == []


@pytest.mark.django_db
def test_nobody_else_tries_a_job_again(client, visitor_b, visitor_a, person, queued):
    job = export_job(visitor_a, person)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.FAILED)
    sign_in(client, visitor_b)

    assert client.post(retry(job)).status_code == 404
    assert Job.objects.get(pk=job.pk).status == Job.Status.FAILED
    assert queued == []


# --- The newsletter: nobody gets it twice --------------------------------------------------


class Killed(BaseException):
    """What SIGKILL leaves: the run stops where it is, nothing caught, nothing written."""


@pytest.mark.django_db
def test_a_newsletter_run_killed_half_way_is_finished_once_by_the_next(
    legal, private_media, monkeypatch, django_capture_on_commit_callbacks
):
    from django.core import mail

    from legal import newsletter
    from legal.models import Delivery, Newsletter
    from legal.tasks import send_newsletter
    from tests.legal.test_newsletter import complete_newsletter, make_lawyer

    lawyers = [make_lawyer("fr"), make_lawyer("nl"), make_lawyer("nl")]
    draft = complete_newsletter()
    with django_capture_on_commit_callbacks(execute=False):
        job = newsletter.publish(legal, draft, "en")
    assert (job.task, job.arguments) == ("legal.tasks.send_newsletter", [draft.pk])
    deliver_one = newsletter._deliver_one
    calls = []

    def killed_after_two(*args):
        calls.append(args)
        if len(calls) == 3:
            raise Killed
        return deliver_one(*args)

    monkeypatch.setattr(newsletter, "_deliver_one", killed_after_two)
    with pytest.raises(Killed):
        newsletter.send(draft.pk)
    monkeypatch.setattr(newsletter, "_deliver_one", deliver_one)
    assert len(mail.outbox) == 2

    # The same message delivered again while the job is held: nothing is sent.
    assert newsletter.send(draft.pk)["sent"] == 0
    assert len(mail.outbox) == 2

    silent_for(job, minutes=60)
    with django_capture_on_commit_callbacks(execute=True):  # eager: the task runs inline
        assert jobs.recover()["requeued"] == 1

    received = sorted(message.to[0] for message in mail.outbox)
    assert received == sorted(lawyer.email for lawyer in lawyers)
    assert Delivery.objects.filter(status=Delivery.Status.SENT).count() == 3
    job.refresh_from_db()
    assert (job.status, job.attempts) == (Job.Status.READY, 2)
    assert Newsletter.objects.get(pk=draft.pk).status == Newsletter.Status.PUBLISHED
    assert send_newsletter.name == job.task
