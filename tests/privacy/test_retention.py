"""The retention registry and the case files' rules (DESIGN.md §4): what is due, the dry
run, the erasure reaching history and generated files, and the daily job."""

from datetime import date, datetime, time, timedelta
from io import StringIO
from pathlib import Path

import pytest
from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.utils import timezone

from detainees.clock import add_months
from detainees.models import (
    Accompaniment,
    DetentionSpell,
    Family,
    Identity,
    Person,
    Referral,
)
from detainees.retention import IDENTITY_RULE, REDUCTION_RULE
from move.privacy import retention
from move.privacy.models import AccessLogEntry, Job
from tests.factories import CentreFactory
from visits.models import Theme, Visit

pytestmark = pytest.mark.django_db

TODAY = date(2026, 3, 15)


# --- Helpers (also used by the other privacy and erasure tests) ---------------------------


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT / "private"


@pytest.fixture
def centre(db):
    return CentreFactory()


_numbers = iter(range(1, 10_000))


def make_person(organisation, status=Person.Status.RELEASED, opened=None, **fields) -> Person:
    """A case file with a fixed code; `opened` backdates its creation."""
    person = Person.objects.create(
        code=f"P-2020-{next(_numbers):04d}", organisation=organisation, status=status, **fields
    )
    if opened:
        moment = timezone.make_aware(datetime.combine(opened, time(9)))
        Person.objects.filter(pk=person.pk).update(created_at=moment)
    return person


def give_identity(person) -> Identity:
    return Identity.objects.create(
        person=person, given_names="Amina", surname="Benali", office_number="OE 1234567"
    )


def detention(person, centre, end, start=None, outcome="released") -> DetentionSpell:
    start = start or (end - timedelta(days=40) if end else TODAY - timedelta(days=40))
    return DetentionSpell.objects.create(
        person=person, centre=centre, start=start, end=end, outcome=outcome if end else ""
    )


def left_months_ago(organisation, centre, months, today=TODAY, **fields) -> Person:
    """Someone released `months` months before `today`, with an identity."""
    person = make_person(organisation, opened=add_months(today, -months - 2), **fields)
    detention(person, centre, end=add_months(today, -months))
    give_identity(person)
    return person


def generated_file(private_media: Path, person, owner, name="export.json") -> tuple[Job, Path]:
    path = private_media / "exports" / f"{person.code}-{name}"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('{"surname": "Benali"}')
    job = Job.objects.create(
        owner=owner,
        kind="person_export",
        subject=person.code,
        status=Job.Status.READY,
        progress=100,
        file=str(path.relative_to(private_media)),
        filename=name,
    )
    return job, path


def report_of(reports, name) -> retention.Report:
    return next(report for report in reports if report.name == name)


def history_of(obj):
    return LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_pk=str(obj.pk)
    )


# --- The identity rule --------------------------------------------------------------------


def test_a_dry_run_lists_the_identities_due_and_changes_nothing(org_a, centre):
    due = left_months_ago(org_a, centre, 13)
    left_months_ago(org_a, centre, 11)

    reports = retention.run(today=TODAY, dry_run=True)

    identities = report_of(reports, IDENTITY_RULE)
    assert identities.due == [due.code]
    assert identities.count == 1
    assert identities.done == []
    assert Identity.objects.count() == 2
    assert not AccessLogEntry.objects.exists()
    assert Person.objects.get(pk=due.pk).identity_erased_on is None


@pytest.mark.parametrize(("months", "erased"), [(12, True), (11, False), (13, True)])
def test_an_identity_is_erased_twelve_months_after_the_detention_ended(
    org_a, centre, months, erased
):
    person = left_months_ago(org_a, centre, months)

    retention.run(today=TODAY)

    person.refresh_from_db()
    assert Identity.objects.filter(person=person).exists() is not erased
    assert person.identity_erased_on == (TODAY if erased else None)
    # The case file itself stays: only the reduction rule (5 years) touches it.
    assert person.spells.count() == 1


def test_an_erased_identity_is_written_to_the_access_log_as_done_by_the_system(org_a, centre):
    person = left_months_ago(org_a, centre, 12)

    retention.run(today=TODAY)

    entry = AccessLogEntry.objects.get()
    assert (entry.action, entry.subject, entry.user, entry.user_label) == (
        AccessLogEntry.Action.RETENTION,
        person.code,
        None,
        "system",
    )
    assert "Benali" not in str(entry.__dict__)


def test_a_person_detained_now_keeps_everything_however_old_the_file(org_a, centre):
    person = make_person(org_a, status=Person.Status.DETAINED, opened=date(2015, 1, 1), notes="x")
    detention(person, centre, end=date(2016, 1, 1), start=date(2015, 10, 1))
    detention(person, centre, end=None, start=date(2016, 2, 1))
    give_identity(person)

    reports = retention.run(today=TODAY)

    assert all(report.due == [] for report in reports)
    person.refresh_from_db()
    assert Identity.objects.filter(person=person).exists()
    assert (person.notes, person.reduced_on, person.identity_erased_on) == ("x", None, None)


@pytest.mark.parametrize(("months", "erased"), [(13, True), (11, False)])
def test_a_file_without_detention_loses_its_identity_twelve_months_after_it_was_opened(
    org_a, months, erased
):
    person = make_person(org_a, status=Person.Status.UNKNOWN, opened=add_months(TODAY, -months))
    give_identity(person)

    retention.run(today=TODAY)

    assert Identity.objects.filter(person=person).exists() is not erased


def test_the_delay_before_erasing_an_identity_comes_from_the_settings(settings, org_a, centre):
    settings.MOVE_RETENTION_IDENTITY_MONTHS = 3
    person = left_months_ago(org_a, centre, 4)

    reports = retention.run(today=TODAY, dry_run=True)

    assert report_of(reports, IDENTITY_RULE).due == [person.code]
    assert "3 months" in str(report_of(reports, IDENTITY_RULE).rule.description)


def test_running_the_rules_twice_erases_nothing_the_second_time(org_a, centre):
    left_months_ago(org_a, centre, 14)

    first = retention.run(today=TODAY)
    second = retention.run(today=TODAY)

    assert report_of(first, IDENTITY_RULE).count == 1
    assert second and all(report.count == 0 for report in second)
    assert AccessLogEntry.objects.count() == 1


def test_erasing_an_identity_deletes_the_files_generated_about_the_person(
    org_a, centre, visitor_a, private_media
):
    person = left_months_ago(org_a, centre, 12)
    other = left_months_ago(org_a, centre, 2)
    job, path = generated_file(private_media, person, visitor_a)
    kept_job, kept_path = generated_file(private_media, other, visitor_a)

    retention.run(today=TODAY)

    assert not path.exists()
    assert not Job.objects.filter(pk=job.pk).exists()
    assert kept_path.exists()
    assert Job.objects.filter(pk=kept_job.pk).exists()


# --- The reduction rule -------------------------------------------------------------------


@pytest.fixture
def gone_long_ago(org_a, centre, visitor_a):
    """Released 5 years and a day before TODAY, with everything a case file holds."""
    family = Family.objects.create(code="F-2020-0001", organisation=org_a, children_ages=[4])
    person = make_person(
        org_a,
        opened=date(2020, 9, 1),
        sex="f",
        birth_year=1990,
        nationality="MA",
        languages=["ar", "fr"],
        vulnerabilities=["medical"],
        family=family,
        notes="Sister lives in Antwerp, calls on Sundays",
    )
    detention(person, centre, start=date(2020, 12, 1), end=date(2021, 3, 14))
    give_identity(person)
    visit = Visit.objects.create(centre=centre, date=date(2021, 1, 10), status=Visit.Status.DONE)
    theme = Theme.objects.create(code="health-r", name_fr="Santé", name_nl="Gezondheid")
    meeting = Accompaniment.objects.create(
        person=person,
        visit=visit,
        met_by=visitor_a,
        actions="Call her lawyer Maître Dupont",
        next_step="Bring the medical file",
        next_step_on=date(2021, 1, 17),
    )
    meeting.topics.add(theme)
    Referral.objects.create(
        person=person,
        kind=Referral.Kind.LAWYER,
        to_whom="Maître Dupont, rue Haute 1",
        outcome=Referral.Outcome.TAKEN_UP,
        notes="Appeal filed",
    )
    return person


def test_a_case_file_gone_five_years_is_reduced_to_the_figures(gone_long_ago, centre):
    person = gone_long_ago

    report = report_of(retention.run(today=TODAY), REDUCTION_RULE)

    assert report.done == [person.code]
    person.refresh_from_db()
    assert person.notes == ""
    assert (person.reduced_on, person.identity_erased_on) == (TODAY, TODAY)
    assert not Identity.objects.filter(person=person).exists()
    # What the figures count is kept.
    assert (person.code, person.sex, person.birth_year, str(person.nationality)) == (
        person.code,
        "f",
        1990,
        "MA",
    )
    assert (person.languages, person.vulnerabilities, person.status) == (
        ["ar", "fr"],
        ["medical"],
        Person.Status.RELEASED,
    )
    assert person.family.children_ages == [4]
    spell = person.spells.get()
    assert (spell.centre, spell.start, spell.end, spell.outcome) == (
        centre,
        date(2020, 12, 1),
        date(2021, 3, 14),
        "released",
    )
    meeting = person.accompaniments.get()
    assert [theme.code for theme in meeting.topics.all()] == ["health-r"]
    assert meeting.visit.date == date(2021, 1, 10)
    assert (meeting.actions, meeting.next_step, meeting.next_step_on) == ("", "", None)
    referral = person.referrals.get()
    assert (referral.kind, referral.outcome) == (Referral.Kind.LAWYER, Referral.Outcome.TAKEN_UP)
    assert (referral.to_whom, referral.notes) == ("", "")
    entry = AccessLogEntry.objects.get(subject=person.code)
    assert (entry.action, entry.user_label) == (AccessLogEntry.Action.RETENTION, "system")


def test_a_case_file_gone_less_than_five_years_is_kept_whole(gone_long_ago):
    report = report_of(retention.run(today=date(2026, 3, 13)), REDUCTION_RULE)

    assert report.due == []
    gone_long_ago.refresh_from_db()
    assert gone_long_ago.notes.startswith("Sister")
    assert gone_long_ago.reduced_on is None


def test_reducing_a_case_file_erases_the_history_that_holds_the_old_texts(gone_long_ago):
    person = gone_long_ago
    person.notes = "Brother Youssef in Liège"
    person.save()  # the history (auditlog) now holds both versions of the notes
    spell = person.spells.get()
    assert history_of(person).count() == 2
    assert history_of(spell).count() == 1

    retention.run(today=TODAY)

    assert not history_of(person).exists()
    assert not LogEntry.objects.filter(changes_text__contains="Youssef").exists()
    assert not LogEntry.objects.filter(changes__icontains="Youssef").exists()
    # The detentions are figures: their history stays.
    assert history_of(spell).count() == 1


def test_reducing_a_case_file_deletes_its_generated_files(gone_long_ago, visitor_a, private_media):
    job, path = generated_file(private_media, gone_long_ago, visitor_a)

    retention.run(today=TODAY)

    assert not path.exists()
    assert not Job.objects.filter(pk=job.pk).exists()


def test_a_reduced_case_file_is_not_reduced_again(gone_long_ago):
    retention.run(today=TODAY)

    report = report_of(retention.run(today=TODAY + timedelta(days=1)), REDUCTION_RULE)

    assert report.due == []
    assert AccessLogEntry.objects.filter(subject=gone_long_ago.code).count() == 1


# --- The registry -------------------------------------------------------------------------


def _rule(name, items, apply):
    return retention.Rule(
        name=name,
        description="test rule",
        candidates=lambda today: items,
        apply=apply,
        label=lambda item: item,
    )


def test_registering_the_same_rule_twice_keeps_one(monkeypatch):
    monkeypatch.setattr(retention, "_rules", dict(retention._rules))
    rule = _rule("tests.twice", [], lambda item, today: True)

    retention.register(rule)
    retention.register(rule)

    assert [r.name for r in retention.rules()].count("tests.twice") == 1


def test_a_record_that_fails_is_reported_and_the_others_are_still_erased(monkeypatch, caplog):
    monkeypatch.setattr(retention, "_rules", {})
    erased = []

    def apply(item, today):
        if item == "P-2020-0002":
            raise RuntimeError("disk full")
        erased.append(item)

    retention.register(_rule("tests.failing", ["P-2020-0001", "P-2020-0002", "P-2020-0003"], apply))

    (report,) = retention.run(today=TODAY)

    assert erased == ["P-2020-0001", "P-2020-0003"]
    assert report.done == ["P-2020-0001", "P-2020-0003"]
    assert report.failed == ["P-2020-0002"]
    assert "P-2020-0002" in caplog.text


def test_a_failing_record_leaves_no_half_erasure(monkeypatch, org_a, centre):
    """Each record is erased in its own transaction: a failure after the identity was
    deleted puts it back."""
    person = left_months_ago(org_a, centre, 12)

    def broken_log(*args):
        raise RuntimeError("the access log is unreachable")

    monkeypatch.setattr("detainees.retention.access.record", broken_log)

    report = report_of(retention.run(today=TODAY), IDENTITY_RULE)

    assert report.failed == [person.code]
    assert Identity.objects.filter(person=person).exists()
    person.refresh_from_db()
    assert person.identity_erased_on is None


# --- The command and the daily job --------------------------------------------------------


def test_the_command_dry_run_lists_the_codes_and_erases_nothing(org_a, centre):
    person = left_months_ago(org_a, centre, 12)
    out = StringIO()

    call_command("retention", "--dry-run", "--today", TODAY.isoformat(), stdout=out)

    assert f"{IDENTITY_RULE}: would erase 1" in out.getvalue()
    assert person.code in out.getvalue()
    assert f"{REDUCTION_RULE}: would erase 0" in out.getvalue()
    assert Identity.objects.filter(person=person).exists()


def test_the_command_applies_the_rules_without_dry_run(org_a, centre):
    person = left_months_ago(org_a, centre, 12)
    out = StringIO()

    call_command("retention", "--today", TODAY.isoformat(), stdout=out)

    assert f"{IDENTITY_RULE}: erased 1" in out.getvalue()
    assert not Identity.objects.filter(person=person).exists()


def test_the_command_refuses_a_day_that_is_not_a_date():
    with pytest.raises(CommandError, match="not a date"):
        call_command("retention", "--dry-run", "--today", "2026-02-30")


def test_the_daily_task_applies_the_rules_as_of_today(org_a, centre):
    from move.privacy.tasks import apply_retention

    today = timezone.localdate()
    person = left_months_ago(org_a, centre, 12, today=today)

    result = apply_retention.delay().get()

    # Every registered rule ran (later apps add theirs); only the identity was due.
    assert result[IDENTITY_RULE] == 1
    assert sum(result.values()) == 1
    assert {REDUCTION_RULE, "privacy.jobs", "legal.help-contact"} <= set(result)
    assert not Identity.objects.filter(person=person).exists()


def test_the_beat_schedule_runs_the_retention_task_daily():
    from move.celery import app

    app.loader.import_default_modules()
    (entry,) = [
        entry
        for entry in settings.CELERY_BEAT_SCHEDULE.values()
        if entry["task"] == "move.privacy.tasks.apply_retention"
    ]
    from celery.schedules import crontab

    assert entry["task"] in app.tasks
    # At a fixed time of the night in Brussels, not "24 h after beat started".
    assert entry["schedule"] == crontab(hour=3, minute=30)


def test_export_files_are_deleted_a_week_after_they_were_ready(visitor_a, private_media):
    import datetime as dt

    from move.privacy.models import Job

    def ready(days_ago, name):
        (private_media / name).parent.mkdir(parents=True, exist_ok=True)
        (private_media / name).write_bytes(b"PK")
        finished = timezone.now() - dt.timedelta(days=days_ago)
        return Job.objects.create(
            owner=visitor_a,
            kind="subject_access",
            subject="P-2026-0001",
            status="ready",
            file=name,
            finished_at=finished,
        )

    old, recent = ready(8, "exports/old.zip"), ready(6, "exports/recent.zip")
    (report,) = [
        item for item in retention.run(today=timezone.localdate()) if item.name == "privacy.jobs"
    ]
    assert report.count == 1
    assert not Job.objects.filter(pk=old.pk).exists() and not (private_media / old.file).exists()
    assert Job.objects.filter(pk=recent.pk).exists() and (private_media / recent.file).exists()
