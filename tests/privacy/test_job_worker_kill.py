"""A worker killed with SIGKILL half-way through a job (issue 15): a real Celery worker
process, started by the test against Redis and the test database, builds a subject-access
export slowly, and is killed in the middle of it. A second worker, idle meanwhile, does
not get the job back by itself; the recovery (move.privacy.tasks.recover_jobs, every
minute in production, every 2 s here) queues it again: the job completes within two
minutes of the kill, once (one run after the kill, one file, two attempts counted), and
its owner downloads the file.

Without Redis the test skips, except in CI (CI=true) where it fails: a CI run that
silently skips the worker would prove nothing."""

import os
import signal
import socket
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.urls import reverse

from detainees import services
from detainees.models import Person
from move.celery import app
from move.privacy.models import Job
from move.privacy.tasks import recover_jobs
from tests.conftest import close_download, sign_in

pytestmark = pytest.mark.django_db(transaction=True)  # the worker processes read the rows

ROOT = Path(__file__).resolve().parents[2]
DEADLINE = 120  # seconds from the kill to the job done, as the issue asks
STALE_SECONDS = 3  # instead of MOVE_JOB_STALE_MINUTES
STEP_SECONDS = 1.5  # the first worker's pause after each step of the export

# The worker: the project's app and its real `worker` command, in a process of its own.
# Before it starts, each step of the export is followed by a pause of
# MOVE_TEST_STEP_SECONDS (so that it can be killed half-way), and tasks are not run
# inline as the test settings ask (recover_jobs must queue the job, not run it).
WORKER = """
import os, sys, time

import django

django.setup()

from detainees import export
from move.celery import app

pause = float(os.environ["MOVE_TEST_STEP_SECONDS"])
step = export._progress


def slow(job, percent, text):
    step(job, percent, text)
    time.sleep(pause)


export._progress = slow
app.conf.task_always_eager = False
app.worker_main([
    "worker", "--pool=solo", "--queues=" + sys.argv[2], "--loglevel=INFO", "--without-gossip",
    "--without-mingle", "--without-heartbeat", "--hostname=" + sys.argv[1] + "@%h",
])
"""


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


@pytest.fixture
def redis_broker():
    """The broker of the settings (REDIS_URL), answering, with no message left over."""
    import redis

    url = django_settings.REDIS_URL
    reason = None
    if not url:
        reason = "REDIS_URL is not set: the worker test needs Redis to run a real worker."
    else:
        try:
            redis.Redis.from_url(url, socket_connect_timeout=2).ping()
        except redis.RedisError as error:
            reason = f"Redis does not answer at {url} ({error})."
    if reason:
        if _in_ci():
            pytest.fail(f"{reason} CI=true: the worker test must run in CI.", pytrace=False)
        pytest.skip(reason)
    client = redis.Redis.from_url(url)

    def forget_messages():
        app.control.purge()
        # What a killed worker had taken and not acknowledged (kombu's Redis transport).
        client.delete("unacked", "unacked_index", "unacked_mutex")

    forget_messages()
    app.conf.task_always_eager = False
    yield url
    app.conf.task_always_eager = django_settings.CELERY_TASK_ALWAYS_EAGER
    forget_messages()
    client.close()


def _database_url() -> str:
    """The test database, for the worker processes."""
    db = connection.settings_dict
    password = f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else ""
    user = quote(db.get("USER") or "", safe="")
    where = f"{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"
    return f"postgres://{user}{password}@{where}"


class Workers:
    """The worker processes started by the test, their output in files."""

    def __init__(self, folder: Path, media: Path):
        self.folder, self.media = folder, media
        self.started: list[subprocess.Popen] = []

    def start(self, name: str, step_seconds: float, queue: str = "celery") -> subprocess.Popen:
        env = os.environ | {
            "DJANGO_SETTINGS_MODULE": "move.settings",
            "DATABASE_URL": _database_url(),
            "REDIS_URL": django_settings.REDIS_URL,
            "MOVE_MEDIA_ROOT": str(self.media),
            "MOVE_TEST_STEP_SECONDS": str(step_seconds),
        }
        with (self.folder / f"{name}.log").open("w") as log:
            process = subprocess.Popen(
                [sys.executable, "-c", WORKER, name, queue],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self.started.append(process)
        return process

    def log(self, name: str) -> str:
        return (self.folder / f"{name}.log").read_text(errors="replace")

    def stop_all(self) -> None:
        for process in self.started:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)  # warm shutdown
        for process in self.started:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture
def workers(redis_broker, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    started = Workers(tmp_path, settings.MEDIA_ROOT)
    yield started
    started.stop_all()


def wait_for(condition, timeout: float, every: float = 0.2, then=None):
    """condition() until it is true (returned) or `timeout` seconds have passed (None);
    `then()` between two tries."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = condition()
        if value:
            return value
        if then is not None:
            then()
        time.sleep(every)
    return None


def test_a_job_whose_worker_is_killed_half_way_completes_once_within_two_minutes(
    client, visitor_a, org_a, workers
):
    person = services.create_person(
        visitor_a,
        Person(organisation=org_a, birth_year=1990, sex="f"),
        identity={"given_names": "Amina", "surname": "Benali"},
    )
    first = workers.start("first", STEP_SECONDS)
    # The second worker starts meanwhile (starting takes seconds), on a queue of its
    # own until the first one holds the job.
    workers.start("second", 0, queue="standby")
    sign_in(client, visitor_a)

    response = client.post(reverse("detainees:person-export", kwargs={"key": person.key}))
    job = Job.objects.get()
    assert response["Location"] == reverse("privacy:job-detail", kwargs={"code": job.code})

    def reached(percent):
        return lambda: Job.objects.filter(pk=job.pk, progress__gte=percent).exists()

    # Once the first worker holds the job, the second one takes the job queue too (and
    # stays idle: the job is not given back to it when the first dies, only by the
    # recovery).
    assert wait_for(reached(5), timeout=90), workers.log("first")
    second = f"second@{socket.gethostname()}"
    assert wait_for(
        lambda: app.control.add_consumer("celery", destination=[second], reply=True),
        timeout=60,
        every=0.5,
    ), workers.log("second")
    assert wait_for(reached(50), timeout=60), workers.log("first")
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    killed_at = time.monotonic()
    job.refresh_from_db()
    assert (job.status, job.attempts) == (Job.Status.PROCESSING, 1)

    def ready():
        return Job.objects.filter(pk=job.pk, status=Job.Status.READY).first()

    def recover():  # as beat does every minute
        recover_jobs.delay(stale_seconds=STALE_SECONDS)

    done = wait_for(ready, timeout=DEADLINE, every=2, then=recover)
    took = time.monotonic() - killed_at
    assert done is not None, (
        f"Not done {DEADLINE} s after the kill: {Job.objects.get(pk=job.pk).__dict__}\n"
        + workers.log("second")
    )
    print(f"\nThe job was done {took:.1f} s after its worker was killed.")

    # Once: queued again once, run once after the kill, one file.
    assert done.attempts == 2 and done.progress == 100 and done.last_error == ""
    assert workers.log("second").count("detainees.tasks.export_person[") == 2  # got, done
    exports = Path(django_settings.MEDIA_ROOT) / "private" / "exports"
    assert sorted(path.name for path in exports.iterdir()) == [f"{job.code}.zip"]
    with zipfile.ZipFile(exports / f"{job.code}.zip") as archive:
        assert sorted(archive.namelist()) == [f"{person.code}.json", f"{person.code}.pdf"]

    download = client.get(reverse("privacy:job-download", kwargs={"code": job.code}))
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"PK")
    close_download(download)
