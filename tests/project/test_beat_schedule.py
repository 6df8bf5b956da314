"""Beat runs the periodic work at fixed Brussels times that a restart neither delays nor
repeats (issue 15, part 4), and each periodic task's last run is recorded for the health
checks (move/beat.py, issue 14).

The times are computed with Celery's own schedule objects, as beat computes them; a real
`celery beat` is also started twice on one state file, as a container re-created on its
volume or a restarted systemd unit would be.
"""

import os
import re
import shelve
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from types import SimpleNamespace
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
import yaml
from celery.beat import ScheduleEntry
from celery.schedules import crontab
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from move import beat
from move.celery import app

ROOT = Path(__file__).resolve().parents[2]
BRUSSELS = ZoneInfo("Europe/Brussels")
DAY = timedelta(days=1)


def fixed_time_entries() -> dict[str, dict]:
    """The entries that run once a day or less often: every one but recover-jobs."""
    moment = datetime(2026, 5, 12, 12, 0, tzinfo=BRUSSELS)
    return {
        name: entry
        for name, entry in settings.CELERY_BEAT_SCHEDULE.items()
        if beat.next_run_after(entry["schedule"], moment) - moment > timedelta(hours=1)
    }


def runs_between(schedule, start: datetime, end: datetime) -> list[datetime]:
    """The runs beat makes from `start` (a run, or a start with no state) to `end`: each
    one is recorded as the last run when it is sent, as beat does."""
    runs, last = [], start
    while (due := beat.next_run_after(schedule, last)) <= end:
        assert due > last, f"beat would send it again and again at {due}"
        runs.append(due.astimezone(BRUSSELS))
        last = due
    return runs


def wall_clock(entry: dict) -> clock:
    schedule = entry["schedule"]
    assert isinstance(schedule, crontab), "a fixed time of day is a crontab"
    assert len(schedule.hour) == len(schedule.minute) == 1
    return clock(min(schedule.hour), min(schedule.minute))


# --- Fixed times, whenever beat starts ----------------------------------------------------


def test_daily_jobs_are_the_expected_ones():
    assert {
        "apply-retention",
        "clear-expired-sessions",
        "help-desk-reminders",
    } <= set(fixed_time_entries())
    assert "recover-jobs" not in fixed_time_entries()


def test_a_restart_of_beat_does_not_move_the_next_run_of_a_daily_job():
    # Beat started in the morning, then re-created in the evening with its state lost
    # (`docker compose up -d --build` on main: the state file was in /tmp): a fresh beat
    # counts each entry from its own start.
    first_start = datetime(2026, 5, 12, 9, 13, 27, tzinfo=BRUSSELS)
    restart = datetime(2026, 5, 12, 21, 47, 5, tzinfo=BRUSSELS)
    for name, entry in fixed_time_entries().items():
        before = beat.next_run_after(entry["schedule"], first_start).astimezone(BRUSSELS)
        after = beat.next_run_after(entry["schedule"], restart).astimezone(BRUSSELS)
        assert before == after, f"{name}: due {before:%d %H:%M}, after a restart {after:%d %H:%M}"
        assert before.date() == first_start.date() + DAY
        assert before.time() == wall_clock(entry), name


def test_retention_and_the_sessions_run_at_night_and_the_reminders_in_the_morning():
    entries = settings.CELERY_BEAT_SCHEDULE
    assert settings.CELERY_TIMEZONE == "Europe/Brussels"
    for name in ("apply-retention", "clear-expired-sessions"):
        assert clock(0, 0) <= wall_clock(entries[name]) < clock(6, 0), name
    reminders = [name for name, entry in entries.items() if ".remind" in entry["task"]]
    reminders.append("help-desk-reminders")
    for name in reminders:
        assert clock(6, 0) <= wall_clock(entries[name]) < clock(9, 0), name


def test_no_daily_job_is_in_the_hour_that_brussels_skips_or_repeats():
    for name, entry in fixed_time_entries().items():
        assert wall_clock(entry).hour != 2, f"{name} runs between 02:00 and 03:00"


@pytest.mark.parametrize(
    "start, end",
    [
        # Summer time begins on 29 March 2026 (02:00 -> 03:00), ends on 25 October
        # (03:00 -> 02:00).
        (datetime(2026, 3, 26, 12, 0), datetime(2026, 4, 1, 12, 0)),
        (datetime(2026, 10, 22, 12, 0), datetime(2026, 10, 28, 12, 0)),
    ],
)
def test_the_daily_jobs_run_once_a_day_across_the_clock_changes(start, end):
    start, end = start.replace(tzinfo=BRUSSELS), end.replace(tzinfo=BRUSSELS)
    for name, entry in fixed_time_entries().items():
        runs = runs_between(entry["schedule"], start, end)
        days = [run.date() for run in runs]
        assert len(days) == len(set(days)) == (end.date() - start.date()).days, (name, runs)
        assert {run.time() for run in runs} == {wall_clock(entry)}, (name, runs)


def test_a_night_missed_while_beat_was_stopped_is_caught_up_once_at_start():
    entry = settings.CELERY_BEAT_SCHEDULE["apply-retention"]
    last_run = datetime.combine(
        datetime(2026, 5, 11).date(), wall_clock(entry), tzinfo=BRUSSELS
    ).astimezone(UTC)
    started = datetime(2026, 5, 12, 9, 0, tzinfo=BRUSSELS)  # down from 01:00 to 09:00
    schedule = entry["schedule"]
    with mock.patch.object(schedule, "nowfun", lambda: started):
        kept = ScheduleEntry("apply-retention", entry["task"], last_run, schedule=schedule, app=app)
        assert kept.is_due().is_due, "the missed run is sent when beat starts"
        sent = kept._next_instance(last_run_at=started)
        assert not sent.is_due().is_due, "and only once"
    due = beat.next_run_after(schedule, started).astimezone(BRUSSELS)
    assert (due.date(), due.time()) == (started.date() + DAY, wall_clock(entry))


def test_recover_jobs_runs_every_minute():
    entry = settings.CELERY_BEAT_SCHEDULE["recover-jobs"]
    assert entry["task"] == "move.privacy.tasks.recover_jobs"
    moment = datetime(2026, 5, 12, 9, 0, 30, tzinfo=BRUSSELS)
    assert beat.next_run_after(entry["schedule"], moment) - moment == timedelta(seconds=60)


# --- The broker gives back a killed worker's task, never a running one -------------------


def test_the_visibility_timeout_is_longer_than_any_retry_countdown():
    timeout = app.conf.broker_transport_options["visibility_timeout"]
    assert timeout == settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] == 2 * 3600
    assert app.conf.task_acks_late
    app.loader.import_default_modules()
    retried = [task for task in app.tasks.values() if getattr(task, "retry_backoff", False)]
    assert retried, "the tasks that retry with a countdown are found"
    for task in retried:
        # Celery's default: a countdown never longer than 10 minutes.
        assert getattr(task, "retry_backoff_max", 600) < 15 * 60 <= timeout, task.name


def test_a_visibility_timeout_too_short_stops_the_start_up(tmp_path):
    completed = subprocess.run(
        [sys.executable, "-c", "import move.settings"],
        env={**demo_environment(tmp_path), "MOVE_BROKER_VISIBILITY_TIMEOUT": "600"},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert completed.returncode != 0
    assert "MOVE_BROKER_VISIBILITY_TIMEOUT=600 is below the minimum of 900" in completed.stderr


# --- Where beat keeps its state -----------------------------------------------------------


def schedule_path(command: list[str]) -> str:
    flags = [i for i, arg in enumerate(command) if arg in {"--schedule", "-s"}]
    assert flags, f"beat is given no --schedule: {command}"
    return command[flags[0] + 1]


def test_compose_keeps_beats_state_on_a_named_volume():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    service = compose["services"]["beat"]
    folder = str(Path(schedule_path(service["command"])).parent)
    mounts = dict(volume.rsplit(":", 1)[::-1] for volume in service.get("volumes", []))
    assert folder in mounts, f"beat writes {folder}, which is no volume: a re-creation loses it"
    assert mounts[folder] in (compose.get("volumes") or {}), "a named volume"
    # The image's folder belongs to the app's user, so the new volume does too.
    dockerfile = re.sub(r"\\\n", " ", (ROOT / "Dockerfile").read_text())
    assert re.search(
        rf"mkdir -p [^\n]*{folder}\b[^\n]*chown move:move [^\n]*{folder}\b", dockerfile
    )


def test_the_systemd_unit_keeps_beats_state_in_its_state_directory():
    unit = (ROOT / "deploy" / "move-beat.service").read_text()
    state = re.search(r"^StateDirectory=(\S+)$", unit, re.M)
    command = re.search(r"^ExecStart=(.+)$", unit, re.M)[1].split()
    assert command[1:4] == ["-A", "move", "beat"]
    assert state and schedule_path(command).startswith(f"/var/lib/{state[1]}/")


# --- A real beat, started twice on the same state file ------------------------------------


def demo_environment(folder: Path) -> dict[str, str]:
    """Demo settings (no Redis: beat's broker is in memory, nothing leaves the process)."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("MOVE_")
        and key not in {"DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    environment.update(
        MOVE_DEBUG="true",
        MOVE_SQLITE_PATH=str(folder / "demo.sqlite3"),
        MOVE_TIME_ZONE="Europe/Brussels",
    )
    return environment


def run_beat(state_file: Path) -> str:
    """Start `celery beat` on `state_file`, wait until its scheduler ticks, stop it as
    systemd and docker do (SIGTERM); returns its log."""
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "move", "beat", "--loglevel", "DEBUG"]
        + ["--schedule", str(state_file)],
        env=demo_environment(state_file.parent),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    log: list[str] = []
    reader = threading.Thread(target=lambda: log.extend(process.stdout), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and process.poll() is None:
            if any("beat: Ticking with max interval" in line for line in list(log)):
                break
            time.sleep(0.2)
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        reader.join(timeout=10)
        process.stdout.close()
    text = "".join(log)
    assert "beat: Ticking with max interval" in text, text
    assert process.returncode == 0, text
    return text


def stored_entries(state_file: Path) -> dict[str, ScheduleEntry]:
    with shelve.open(str(state_file), flag="r") as store:
        assert store["tz"] == "Europe/Brussels"
        return dict(store["entries"])


def test_a_restarted_beat_keeps_each_entrys_last_run_and_next_time(tmp_path):
    state_file = tmp_path / "celerybeat-schedule"
    run_beat(state_file)
    first = stored_entries(state_file)

    restarted_at = timezone.now()
    run_beat(state_file)
    second = stored_entries(state_file)
    for name in settings.CELERY_BEAT_SCHEDULE:
        # The countdown is not restarted: each last run is the one stored before.
        assert second[name].last_run_at == first[name].last_run_at, name
        assert second[name].total_run_count == first[name].total_run_count == 0, name
    # Even a beat that had lost its state would send the daily jobs at the same times.
    for name in fixed_time_entries():
        schedule = second[name].schedule
        kept = beat.next_run_after(schedule, second[name].last_run_at)
        lost = beat.next_run_after(schedule, restarted_at)
        assert kept == lost, f"{name}: {kept} with its state, {lost} without"
    # Nothing else is scheduled (no "celery.backend_cleanup": no results are kept).
    assert set(first) == set(second) == set(settings.CELERY_BEAT_SCHEDULE)


# --- Each periodic task's last run, for the health checks --------------------------------


@pytest.fixture
def no_recorded_runs():
    keys = [beat.KEY.format(name) for name in settings.CELERY_BEAT_SCHEDULE]
    cache.delete_many(keys)
    yield
    cache.delete_many(keys)


@pytest.mark.django_db
def test_a_periodic_task_that_succeeds_records_its_last_run(no_recorded_runs):
    from move.accounts.tasks import clear_expired_sessions, send_invitation

    assert set(beat.last_runs().values()) == {None}
    before = timezone.now()
    clear_expired_sessions.delay()
    runs = beat.last_runs()
    assert set(runs) == set(settings.CELERY_BEAT_SCHEDULE)
    assert before <= runs["clear-expired-sessions"] <= timezone.now()
    assert {name for name, run in runs.items() if run} == {"clear-expired-sessions"}
    # A task that is not periodic records nothing.
    with mock.patch("move.accounts.tasks.send_invitation.run"):
        send_invitation.delay(1, "http://testserver/")
    assert {name for name, run in beat.last_runs().items() if run} == {"clear-expired-sessions"}


@pytest.mark.django_db
def test_a_periodic_task_that_fails_records_nothing(no_recorded_runs):
    from move.privacy.tasks import apply_retention

    broken = mock.patch("move.privacy.retention.run", side_effect=ValueError("broken rule"))
    with broken, pytest.raises(ValueError):
        apply_retention.delay()
    assert beat.last_runs()["apply-retention"] is None


def test_an_unreachable_cache_does_not_fail_the_task(no_recorded_runs, caplog):
    with mock.patch.object(cache, "set_many", side_effect=ConnectionError("Redis is down")):
        beat.record_periodic_success(sender=SimpleNamespace(name="visits.tasks.not_periodic"))
        beat.record_periodic_success(
            sender=SimpleNamespace(name="move.privacy.tasks.apply_retention")
        )
    assert "could not be recorded" in caplog.text


def test_a_periodic_task_is_late_once_its_next_run_is_past_by_the_grace(no_recorded_runs):
    ran = datetime(2026, 5, 11, 3, 31, tzinfo=BRUSSELS)
    beat.record_run("move.privacy.tasks.apply_retention", when=ran)
    due = datetime(2026, 5, 12, 3, 30, tzinfo=BRUSSELS)

    def status_at(now):
        return {periodic.name: periodic for periodic in beat.periodic_status(now=now)}

    on_time = status_at(due + beat.GRACE)["apply-retention"]
    assert (on_time.last_run, on_time.due, on_time.late) == (ran, due, False)
    assert status_at(due + beat.GRACE + timedelta(seconds=1))["apply-retention"].late
    # Never recorded: not called late, the health check decides.
    assert status_at(due + 10 * DAY)["recover-jobs"].late is False
