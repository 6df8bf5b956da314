"""Subject access of a witness (issue 12): a job writes a ZIP with everything held (JSON
with the contact, consents, testimonies and uses, and a PDF); the contact read is in
the access log; the file goes to its requester while they keep the pool."""

import json
import zipfile
from datetime import date
from pathlib import Path
from unittest import mock

import pytest
from django.urls import reverse

from advocacy import witnesses
from advocacy.models import Testimony, Use
from move.accounts.models import Membership
from move.privacy.models import AccessLogEntry, Job
from tests.advocacy.test_witnesses import SECRET_CONTACT, make_consent, make_witness
from tests.conftest import close_download
from tests.detainees.conftest import centre, person_a  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def witness(witness_pool):
    witness = make_witness(keeper=witness_pool, notes="Prefers e-mail.")
    make_consent(witness, date(2026, 1, 5))
    testimony = Testimony.objects.create(
        witness=witness,
        title="Four months in 127bis",
        text="What I lived there.",
        language="fr",
        recorded_on=date(2026, 1, 10),
        approved_on=date(2026, 1, 20),
        scopes="website",
    )
    Use.objects.create(
        testimony=testimony,
        publication="Coalition website",
        used_on=date(2026, 2, 1),
        scope="website",
        anonymity="first_name",
    )
    return witness


def export_url(witness):
    return reverse("advocacy:witness-export", kwargs={"key": witness.key})


def test_the_export_is_queued_and_reads_back(
    persona_client, witness, witness_pool, media, django_capture_on_commit_callbacks
):
    client = persona_client("witness_pool")
    with (
        mock.patch("advocacy.tasks.export_witness.delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(export_url(witness))
    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("privacy:job-detail", kwargs={"code": job.code})
    assert (job.kind, job.subject, job.owner) == (witnesses.EXPORT_KIND, witness.code, witness_pool)
    delay.assert_called_once_with(job.pk, witness.pk)

    witnesses.export(job.pk, witness.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.READY, job.last_error
    path = Path(media) / "private" / job.file
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        assert sorted(names) == sorted([f"{witness.code}.json", f"{witness.code}.pdf"])
        data = json.loads(archive.read(f"{witness.code}.json"))
        pdf = archive.read(f"{witness.code}.pdf")
    assert pdf.startswith(b"%PDF-")
    assert data["witness"] == witness.code
    assert data["record"]["contact"]["value"] == SECRET_CONTACT
    assert data["record"]["name"]["value"] == witness.name
    assert data["consents"][0]["scopes"]["value"] == ["website", "press"]
    assert data["testimonies"][0]["text"]["value"] == "What I lived there."
    assert data["uses"][0]["publication"]["value"] == "Coalition website"
    # The contact read by the export is logged.
    entry = AccessLogEntry.objects.get(subject=witness.code)
    assert entry.action == AccessLogEntry.Action.EXPORT and entry.user == witness_pool

    # The requester downloads it; a second click while one is waiting follows that one.
    download = client.get(reverse("privacy:job-download", kwargs={"code": job.code}))
    assert download.status_code == 200
    close_download(download)


def test_a_second_click_follows_the_waiting_job(persona_client, witness):
    client = persona_client("coordinator")
    with mock.patch("advocacy.tasks.export_witness.delay"):
        client.post(export_url(witness))
        client.post(export_url(witness))
    assert Job.objects.count() == 1


def test_who_no_longer_keeps_the_pool_gets_nothing(persona_client, witness, witness_pool, media):
    client = persona_client("witness_pool")
    with mock.patch("advocacy.tasks.export_witness.delay"):
        client.post(export_url(witness))
    job = Job.objects.get()
    witnesses.export(job.pk, witness.pk)
    Membership.objects.filter(user=witness_pool).delete()
    download = client.get(reverse("privacy:job-download", kwargs={"code": job.code}))
    assert download.status_code == 404
    # Nor does a job run after the right was lost.
    other = Job.objects.create(owner=witness_pool, kind=witnesses.EXPORT_KIND, subject=witness.code)
    witnesses.export(other.pk, witness.pk)
    other.refresh_from_db()
    assert other.status == Job.Status.FAILED
    assert SECRET_CONTACT not in other.last_error


@pytest.mark.parametrize("persona", ["visitor_a", "legal", "advocacy", "partner"])
def test_nobody_else_exports(persona, persona_client, witness):
    assert persona_client(persona).post(export_url(witness)).status_code == 404
    assert not Job.objects.exists()


def test_the_export_hides_a_case_file_its_requester_may_not_open(
    persona_client,
    witness,
    witness_pool,
    media,
    person_a,  # noqa: F811 (the fixture)
):
    import io

    from pypdf import PdfReader

    witness.person = person_a
    witness.save()
    client = persona_client("witness_pool")  # no detainees.view_person
    with mock.patch("advocacy.tasks.export_witness.delay"):
        client.post(export_url(witness))
    job = Job.objects.get()
    witnesses.export(job.pk, witness.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.READY, job.last_error
    with zipfile.ZipFile(Path(media) / "private" / job.file) as archive:
        raw = archive.read(f"{witness.code}.json").decode()
        pdf = archive.read(f"{witness.code}.pdf")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert person_a.code.startswith("P-")
    assert person_a.code not in raw
    assert person_a.code not in text
    data = json.loads(raw)
    assert data["record"]["person"]["value"] == "Linked to a case file you may not open"
    assert "Linked to a case file you may not open" in " ".join(text.split())
