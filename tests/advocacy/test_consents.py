"""Consents (issue 12): recorded by the pool's keepers, a signed form stored (checked by
its content) or an oral consent with the volunteer's statement, expiring after it was
given; the signed form downloaded by the keepers only. Renewal reminders, once."""

from datetime import date, timedelta
from io import BytesIO
from pathlib import Path

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from advocacy import witnesses
from advocacy.models import Consent
from move.accounts.permissions import Role
from tests.advocacy.test_witnesses import OTHERS, make_consent, make_witness
from tests.conftest import close_download
from tests.factories import member

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def pdf_bytes():
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def stored_forms(media):
    folder = Path(media) / "private" / "advocacy" / "consents"
    return sorted(folder.iterdir()) if folder.exists() else []


def consent_data(**overrides):
    data = {
        "scopes": ["website", "video"],
        "anonymity": "anonymous",
        "given_on": "2026-03-01",
        "expires_on": "",
        "how": "oral",
        "statement": "She agreed on the phone on 1 March.",
    }
    data.update(overrides)
    return data


@pytest.fixture
def witness(witness_pool):
    return make_witness(keeper=witness_pool)


def add(client, witness, data):
    return client.post(reverse("advocacy:consent-add", kwargs={"key": witness.key}), data)


def test_an_oral_consent_expires_two_years_later_by_default(persona_client, witness, witness_pool):
    client = persona_client("witness_pool")
    assert (
        client.get(reverse("advocacy:consent-add", kwargs={"key": witness.key})).status_code == 200
    )
    response = add(client, witness, consent_data())
    assert response.status_code == 302
    consent = Consent.objects.get()
    assert consent.scopes == "website video"
    assert consent.expires_on == date(2028, 3, 1)
    assert consent.recorded_by == witness_pool
    assert consent.form_file == ""


def test_a_consent_expiring_before_or_when_given_is_refused(persona_client, witness):
    client = persona_client("witness_pool")
    for expires in ("2026-02-01", "2026-03-01"):
        response = add(client, witness, consent_data(expires_on=expires))
        assert response.status_code == 400
        assert "A consent expires after the day it was given." in response.content.decode()
        # What was typed is shown back.
        assert "She agreed on the phone" in response.content.decode()
    assert not Consent.objects.exists()


def test_an_oral_consent_needs_the_statement(persona_client, witness):
    response = add(persona_client("witness_pool"), witness, consent_data(statement="  "))
    assert response.status_code == 400
    assert "Write your statement" in response.content.decode()
    assert not Consent.objects.exists()


def test_a_signed_form_needs_its_file(persona_client, witness, media):
    response = add(persona_client("witness_pool"), witness, consent_data(how="signed_form"))
    assert response.status_code == 400
    assert "Add the signed form" in response.content.decode()
    assert not Consent.objects.exists()


def test_a_file_that_is_not_a_pdf_nor_an_image_is_refused(persona_client, witness, media):
    fake = SimpleUploadedFile("form.pdf", b"<html>not a pdf</html>", "application/pdf")
    data = consent_data(how="signed_form", form_upload=fake)
    response = add(persona_client("witness_pool"), witness, data)
    assert response.status_code == 400
    assert "is not a PDF document" in response.content.decode()
    assert not Consent.objects.exists()
    assert stored_forms(media) == []


def test_no_scope_is_refused(persona_client, witness):
    response = add(persona_client("witness_pool"), witness, consent_data(scopes=[]))
    assert response.status_code == 400
    assert "Choose at least one scope" in response.content.decode()


def test_a_signed_form_is_stored_and_downloaded_by_keepers_only(
    persona_client, client, witness, media, coordinator, request
):
    from tests.conftest import sign_in

    upload = SimpleUploadedFile("scan.pdf", pdf_bytes(), "application/pdf")
    data = consent_data(how="signed_form", form_upload=upload, statement="ignored")
    response = add(persona_client("witness_pool"), witness, data)
    assert response.status_code == 302
    consent = Consent.objects.get()
    assert consent.form_file.startswith("advocacy/consents/")
    assert consent.statement == ""
    assert len(stored_forms(media)) == 1
    url = reverse("advocacy:consent-form", kwargs={"key": consent.key})
    for keeper in ("witness_pool", "coordinator"):
        sign_in(client, request.getfixturevalue(keeper))
        download = client.get(url)
        assert download.status_code == 200
        assert download["X-Content-Type-Options"] == "nosniff"
        assert download["Content-Disposition"].startswith("attachment")
        assert download["Content-Type"] == "application/pdf"
        assert b"".join(download.streaming_content).startswith(b"%PDF-")
        close_download(download)
    for persona in OTHERS:
        sign_in(client, request.getfixturevalue(persona))
        assert client.get(url).status_code == 404, persona


def test_no_consent_for_a_withdrawn_witness(persona_client, witness):
    witness.withdrawn_on = timezone.localdate()
    witness.save()
    response = add(persona_client("witness_pool"), witness, consent_data())
    assert response.status_code == 400
    assert not Consent.objects.exists()


# --- Renewal reminders -------------------------------------------------------------------


def test_reminders_go_once_to_the_keeper_with_no_personal_data(witness, witness_pool):
    today = timezone.localdate()
    expiring = make_consent(witness, today - timedelta(days=700), today + timedelta(days=20))
    assert witnesses.remind_expiring_consents(today) == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [witness_pool.email]
    assert witness.code in message.subject + message.body
    assert witness.name not in message.body and witness.contact not in message.body
    expiring.refresh_from_db()
    assert expiring.renewal_reminded_on == today
    # Idempotent: the next run (same day or later) sends nothing more.
    assert witnesses.remind_expiring_consents(today) == 0
    assert witnesses.remind_expiring_consents(today + timedelta(days=1)) == 0
    assert len(mail.outbox) == 1


def test_no_reminder_when_renewed_far_off_or_withdrawn(witness):
    today = timezone.localdate()
    make_consent(witness, today - timedelta(days=700), today + timedelta(days=20))
    make_consent(witness, today - timedelta(days=1), today + timedelta(days=700))  # renewed
    far = make_witness(1)
    make_consent(far, today - timedelta(days=10), today + timedelta(days=31))
    gone = make_witness(2, withdrawn_on=today - timedelta(days=3))
    make_consent(gone, today - timedelta(days=700), today + timedelta(days=5))
    expired = make_witness(3)
    make_consent(expired, date(2020, 1, 1), today)
    assert witnesses.remind_expiring_consents(today) == 0
    assert mail.outbox == []


def test_without_a_keeper_every_pool_member_is_reminded(coalition, witness_pool):
    other = member(Role.WITNESS_POOL, coalition, email="second-pool@example.org")
    member(Role.WITNESS_POOL, coalition, email="gone@example.org", is_active=False)
    orphan = make_witness(9, keeper=None)
    today = timezone.localdate()
    make_consent(orphan, today - timedelta(days=700), today + timedelta(days=1))
    assert witnesses.remind_expiring_consents(today) == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted([witness_pool.email, other.email])


def test_a_failed_reminder_is_sent_by_the_retry(witness, monkeypatch):
    today = timezone.localdate()
    consent = make_consent(witness, today - timedelta(days=700), today + timedelta(days=3))

    def broken(*args, **kwargs):
        raise OSError("SMTP away")

    monkeypatch.setattr(witnesses.emails, "send", broken)
    with pytest.raises(OSError):
        witnesses.remind_expiring_consents(today)
    consent.refresh_from_db()
    assert consent.renewal_reminded_on is None
    monkeypatch.undo()
    assert witnesses.remind_expiring_consents(today) == 1
