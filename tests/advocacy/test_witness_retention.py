"""Retention of the witness pool (issue 12): the contact (name and contact) is erased
MOVE_RETENTION_WITNESS_CONTACT_MONTHS (3) months after the witness withdrew, or after
their last consent expired without renewal; the code and the rest are kept."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command

from advocacy import retention
from advocacy.models import Witness
from move.privacy import retention as registry
from move.privacy.models import AccessLogEntry
from tests.advocacy.test_witnesses import SECRET_CONTACT, make_consent, make_witness

pytestmark = pytest.mark.django_db

TODAY = date(2026, 6, 15)


@pytest.fixture(autouse=True)
def registered():
    retention.register()  # advocacy/apps.py does it at start-up


def due_codes(today=TODAY):
    return [w.code for w in retention.contact_due(today)]


def report(today=TODAY, dry_run=False):
    return next(r for r in registry.run(today, dry_run) if r.name == retention.CONTACT_RULE)


def test_withdrawn_three_months_ago_is_due_not_later_ones():
    due = make_witness(1, withdrawn_on=date(2026, 3, 15))
    make_witness(2, withdrawn_on=date(2026, 3, 16))
    make_witness(3)  # never withdrew, no consent yet: kept
    assert due_codes() == [due.code]


def test_the_last_consent_expired_three_months_ago_is_due_unless_renewed():
    lapsed = make_witness(1)
    make_consent(lapsed, date(2024, 1, 1), date(2026, 3, 1))
    renewed = make_witness(2)
    make_consent(renewed, date(2024, 1, 1), date(2026, 3, 1))
    make_consent(renewed, date(2026, 2, 1), date(2028, 2, 1))
    recent = make_witness(3)
    make_consent(recent, date(2024, 4, 1), date(2026, 4, 1))
    assert due_codes() == [lapsed.code]


def test_the_months_come_from_the_settings(settings):
    witness = make_witness(1, withdrawn_on=date(2026, 1, 10))
    settings.MOVE_RETENTION_WITNESS_CONTACT_MONTHS = 6
    assert due_codes() == []
    settings.MOVE_RETENTION_WITNESS_CONTACT_MONTHS = 5
    assert due_codes() == [witness.code]


def test_applying_erases_the_contact_and_keeps_the_code():
    witness = make_witness(1, withdrawn_on=date(2026, 1, 10))
    make_consent(witness, date(2025, 1, 1), withdrawn_on=date(2026, 1, 10))
    done = report()
    assert done.done == [witness.code]
    witness.refresh_from_db()
    assert witness.code.startswith("W-")
    assert witness.name == "" and witness.contact == ""
    assert witness.contact_erased_on == TODAY
    assert witness.consents.count() == 1
    entry = AccessLogEntry.objects.get(subject=witness.code)
    assert entry.action == AccessLogEntry.Action.RETENTION
    # Once erased, no longer due.
    assert report().due == []
    assert AccessLogEntry.objects.filter(subject=witness.code).count() == 1


def test_the_dry_run_lists_the_codes_and_erases_nothing():
    witness = make_witness(1, withdrawn_on=date(2026, 1, 10))
    out = StringIO()
    call_command("retention", "--dry-run", "--today", TODAY.isoformat(), stdout=out)
    assert f"{retention.CONTACT_RULE}: would erase 1" in out.getvalue()
    assert f"  {witness.code}" in out.getvalue()
    assert "Secret" not in out.getvalue() and SECRET_CONTACT not in out.getvalue()
    witness.refresh_from_db()
    assert witness.contact == SECRET_CONTACT
    assert not AccessLogEntry.objects.filter(subject=witness.code).exists()


def test_a_consent_renewed_meanwhile_keeps_the_contact():
    witness = make_witness(1)
    make_consent(witness, date(2024, 1, 1), date(2026, 3, 1))
    assert due_codes() == [witness.code]
    make_consent(witness, date(2026, 6, 1), date(2028, 6, 1))
    assert retention.erase_contact(Witness.objects.get(pk=witness.pk), TODAY) is False
    witness.refresh_from_db()
    assert witness.contact == SECRET_CONTACT


def _created_on(witness, day):
    from datetime import datetime, time

    from django.utils import timezone

    moment = timezone.make_aware(datetime.combine(day, time(12)))
    Witness.objects.filter(pk=witness.pk).update(created_at=moment)


def test_a_witness_who_never_consented_is_due_three_months_after_being_recorded():
    due = make_witness(1)
    _created_on(due, date(2026, 3, 15))
    recent = make_witness(2)
    _created_on(recent, date(2026, 3, 16))
    consented = make_witness(3)
    _created_on(consented, date(2026, 1, 1))
    make_consent(consented, date(2026, 1, 1), date(2028, 1, 1))
    assert due_codes() == [due.code]
    assert report().done == [due.code]
    due.refresh_from_db()
    assert due.name == "" and due.contact == ""


def test_erasing_the_contact_deletes_the_exports_made_of_the_witness(
    settings, tmp_path, witness_pool
):
    from move.privacy.models import Job

    settings.MEDIA_ROOT = tmp_path
    witness = make_witness(1, withdrawn_on=date(2026, 1, 10))
    owner = witness_pool
    relative = "jobs/witness-export.zip"
    path = tmp_path / "private" / relative
    path.parent.mkdir(parents=True)
    path.write_bytes(b"PK secret contact")
    Job.objects.create(owner=owner, kind="witness-export", subject=witness.code, file=relative)
    assert report().done == [witness.code]
    assert not Job.objects.filter(subject=witness.code).exists()
    assert not path.exists()
