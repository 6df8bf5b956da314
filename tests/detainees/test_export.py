"""Subject access: everything held on one person, as JSON and PDF in one zip, built by a
background job whose progress and failures are in its Job row; the page that starts it,
for the owning organisation's visitors only."""

import json
import re
import zipfile
import zlib

import pytest
from django.db import OperationalError
from django.urls import reverse

from detainees import export, services, tasks
from detainees.models import Accompaniment, Referral
from move.privacy.models import AccessLogEntry, Job
from tests.conftest import sign_in
from tests.detainees.conftest import held_since, new_person
from visits.models import Theme

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT / "private"


@pytest.fixture
def held(person_a, visitor_a, visit_a, org_b):
    """person_a with something in every part of the export."""
    services.save_identity(
        visitor_a,
        person_a,
        {"office_number": "OE 8.123.456", "notes": "Brother in Liège"},
        page="/test/",
    )
    theme = Theme.objects.create(code="health-x", name_fr="Santé", name_nl="Gezondheid")
    services.record_accompaniment(
        visitor_a,
        person_a,
        Accompaniment(visit=visit_a, actions="Call the lawyer", next_step="See the doctor"),
        topics=[theme],
    )
    Referral.objects.create(
        person=person_a, kind=Referral.Kind.OUTSIDE, to_whom="Medimmigrant", on=held_since(3)
    )
    services.share_person(visitor_a, person_a, org_b, with_identity=True, page="/test/")
    services.read_identity(visitor_a, person_a, page="/test/identity/")
    return person_a


def new_job(owner, person, language="en"):
    return Job.objects.create(
        owner=owner, kind="subject_access", subject=person.code, language=language
    )


def contents(job) -> tuple[dict, bytes]:
    job.refresh_from_db()
    with zipfile.ZipFile(export.export_path(job)) as archive:
        assert sorted(archive.namelist()) == [f"{job.subject}.json", f"{job.subject}.pdf"]
        document = json.loads(archive.read(f"{job.subject}.json").decode("utf-8"))
        return document, archive.read(f"{job.subject}.pdf")


def values(records, field):
    return [record[field]["value"] for record in records]


def pdf_objects(pdf: bytes) -> bytes:
    """The PDF's objects, inflated (WeasyPrint compresses them, metadata included)."""
    streams = re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S)
    inflated = []
    for stream in streams:
        try:
            inflated.append(zlib.decompress(stream))
        except zlib.error:
            continue
    return b"".join(inflated)


# --- What the export holds ---------------------------------------------------------------


def test_the_json_holds_everything_held_on_the_person(held, visitor_a, org_b, centre):
    job = new_job(visitor_a, held)
    export.build_export(job)
    document, _pdf = contents(job)

    assert document["person"] == held.code
    case_file = document["case_file"]
    assert case_file["sex"] == {"label": "sex", "value": "f", "display": "Female"}
    assert case_file["nationality"]["display"] == "Morocco"
    assert case_file["organisation"]["value"] == held.organisation.name
    identity = document["identity"]
    assert identity["surname"]["value"] == "Benali"
    assert identity["given_names"]["value"] == "Amina"
    assert identity["office_number"]["value"] == "OE 8.123.456"
    assert identity["notes"]["value"] == "Brother in Liège"
    assert values(document["detention"], "centre") == [centre.name]
    assert values(document["detention"], "start") == [held_since(30).isoformat()]
    [meeting] = document["accompaniments"]
    assert meeting["visit_date"]["value"] == held_since(7).isoformat()
    assert meeting["centre"]["value"] == centre.name
    assert meeting["topics"]["value"] == ["Santé"]
    assert meeting["actions"]["value"] == "Call the lawyer"
    assert meeting["next_step"]["value"] == "See the doctor"
    [referral] = document["referrals"]
    assert referral["to_whom"]["value"] == "Medimmigrant"
    assert referral["kind"]["display"] == "An outside organisation"
    assert document["shares"] == [
        {
            "organisation": {
                "label": "organisation",
                "value": org_b.short_name,
                "display": org_b.short_name,
            },
            "identity": {"label": "identity shared too", "value": True, "display": "yes"},
        }
    ]
    actions = values(document["access_log"], "action")
    # Created with a name (person_a), completed, shared, read, exported.
    assert actions == ["change_identity", "change_identity", "share", "read_identity", "export"]
    assert set(values(document["access_log"], "user_label")) == {visitor_a.email}


def test_the_pdf_is_a_pdf_named_after_the_code(held, visitor_a):
    job = new_job(visitor_a, held)
    export.build_export(job)
    _document, pdf = contents(job)

    assert pdf.startswith(b"%PDF")
    assert f"/Title (Everything held on {held.code})".encode() in pdf_objects(pdf)


def test_the_pdf_shows_the_same_data_as_the_json(held, visitor_a, monkeypatch):
    rendered = []
    monkeypatch.setattr(export, "html_to_pdf", lambda html: rendered.append(html) or b"%PDF")
    export.build_export(new_job(visitor_a, held))

    [html] = rendered
    for text in ("Benali", "OE 8.123.456", "Call the lawyer", "Medimmigrant", "Santé"):
        assert text in html
    assert "Read the identity" in html  # the access log, with its labels


def test_labels_and_dates_are_in_the_requesters_language(held, visitor_a):
    job = new_job(visitor_a, held, language="nl")
    export.build_export(job)
    document, _pdf = contents(job)

    assert document["language"] == "nl"
    assert document["case_file"]["nationality"]["display"] == "Marokko"


def test_a_person_without_identity_exports_none(visitor_a, org_a):
    person = new_person(visitor_a, org_a, name=None)
    job = new_job(visitor_a, person)
    export.build_export(job)

    document, _pdf = contents(job)
    assert document["identity"] is None
    assert document["detention"] == [] and document["accompaniments"] == []


# --- The job -----------------------------------------------------------------------------


def test_progress_rises_to_100_and_the_job_is_ready(held, visitor_a, monkeypatch):
    seen = []
    progress = export._progress
    monkeypatch.setattr(
        export,
        "_progress",
        lambda job, value, step: seen.append((value, step)) or progress(job, value, step),
    )
    job = new_job(visitor_a, held)
    export.build_export(job)

    job.refresh_from_db()
    assert [value for value, _step in seen] == sorted({value for value, _step in seen})
    assert all(step for _value, step in seen)
    assert (job.status, job.progress, job.step) == (Job.Status.READY, 100, "Ready")
    assert job.finished_at is not None and job.last_error == ""
    assert job.file == f"exports/{job.code}.zip"
    assert job.filename.startswith(held.code) and job.filename.endswith(".zip")


def test_the_file_is_kept_in_the_private_folder_and_nothing_else_is_left(
    held, visitor_a, private_media
):
    job = new_job(visitor_a, held)
    export.build_export(job)

    assert [path.name for path in (private_media / "exports").iterdir()] == [f"{job.code}.zip"]


def test_the_export_read_is_in_the_access_log(held, visitor_a):
    job = new_job(visitor_a, held)
    export.build_export(job)

    entry = AccessLogEntry.objects.get(subject=held.code, action=AccessLogEntry.Action.EXPORT)
    assert entry.user == visitor_a
    assert entry.page == "export"
    assert str(job.code) in entry.detail


def test_a_failure_marks_the_job_failed_without_personal_data(
    held, visitor_a, monkeypatch, private_media
):
    def broken(html):
        raise RuntimeError("Benali could not be drawn")

    monkeypatch.setattr(export, "html_to_pdf", broken)
    job = new_job(visitor_a, held)
    export.build_export(job)  # not raised: trying again would fail the same way

    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.last_error and "Benali" not in job.last_error
    assert job.finished_at is not None and job.file == ""
    assert list((private_media / "exports").glob("*")) == []


def test_a_database_error_is_raised_for_a_retry_and_the_job_waits(held, visitor_a, monkeypatch):
    def away(html):
        raise OperationalError("server closed the connection")

    monkeypatch.setattr(export, "html_to_pdf", away)
    job = new_job(visitor_a, held)
    with pytest.raises(OperationalError):
        export.build_export(job, last_attempt=False)
    job.refresh_from_db()
    assert job.status == Job.Status.PENDING and "Trying again" in job.last_error

    with pytest.raises(OperationalError):
        export.build_export(job, last_attempt=True)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED


def test_the_export_of_an_erased_person_fails_with_a_reason(visitor_a):
    job = Job.objects.create(
        owner=visitor_a, kind="subject_access", subject="P-1999-0001", language="nl"
    )
    export.build_export(job)

    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    # Said in the requester's language, as the job page shows it.
    assert job.last_error == "Dit dossier bestaat niet meer."


def test_a_requester_who_lost_the_right_gets_no_export(held, visitor_b):
    job = new_job(visitor_b, held)
    export.build_export(job)

    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and job.file == ""
    assert not AccessLogEntry.objects.filter(action=AccessLogEntry.Action.EXPORT).exists()


def test_a_job_deleted_while_the_file_was_written_leaves_no_file(
    held, visitor_a, monkeypatch, private_media
):
    """The person was erased meanwhile, and with them their jobs."""
    job = new_job(visitor_a, held)
    write = export._write_zip

    def erased_meanwhile(job, *args):
        Job.objects.filter(pk=job.pk).delete()
        write(job, *args)

    monkeypatch.setattr(export, "_write_zip", erased_meanwhile)
    export.build_export(job)

    assert list((private_media / "exports").glob("*")) == []


def test_the_task_builds_the_export(held, visitor_a):
    job = new_job(visitor_a, held)
    tasks.export_person.delay(job.pk)

    job.refresh_from_db()
    assert job.status == Job.Status.READY
    assert export.export_path(job).is_file()


def test_the_task_returns_quietly_when_the_job_is_gone(monkeypatch):
    monkeypatch.setattr(export, "build_export", lambda *args, **kwargs: pytest.fail("built"))
    assert tasks.export_person.delay(987654).get() is None


@pytest.mark.parametrize("status", [Job.Status.READY, Job.Status.FAILED])
def test_the_task_does_nothing_for_a_finished_job(held, visitor_a, status, monkeypatch):
    monkeypatch.setattr(export, "build_export", lambda *args, **kwargs: pytest.fail("built"))
    job = new_job(visitor_a, held)
    Job.objects.filter(pk=job.pk).update(status=status)

    tasks.export_person.delay(job.pk)

    assert Job.objects.get(pk=job.pk).status == status


# --- The page ----------------------------------------------------------------------------


def export_url(person):
    return reverse("detainees:person-export", kwargs={"key": person.key})


@pytest.fixture
def queued(monkeypatch):
    """The job ids queued, instead of running them."""
    ids = []
    monkeypatch.setattr(tasks.export_person, "delay_on_commit", ids.append)
    return ids


def test_the_page_says_what_the_export_holds(
    client, visitor_a, person_a, django_assert_max_num_queries
):
    for _earlier in range(3):
        new_job(visitor_a, person_a)
    sign_in(client, visitor_a)
    client.get(reverse("home"))  # the session's first request records it
    with django_assert_max_num_queries(8):
        response = client.get(export_url(person_a))

    assert response.status_code == 200
    page = response.content.decode()
    assert person_a.code in page and "access log" in page
    assert 'method="post"' in page
    assert "Benali" not in page


def test_the_owner_starts_an_export_and_follows_it(client, visitor_a, person_a, queued):
    sign_in(client, visitor_a)
    response = client.post(export_url(person_a))

    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("privacy:job-detail", kwargs={"code": job.code})
    assert (job.owner, job.kind, job.subject, job.language) == (
        visitor_a,
        "subject_access",
        person_a.code,
        "en",
    )
    assert queued == [job.pk]


def test_a_second_click_follows_the_export_on_its_way(client, visitor_a, person_a, queued):
    sign_in(client, visitor_a)
    first = client.post(export_url(person_a))
    second = client.post(export_url(person_a))

    assert first["Location"] == second["Location"]
    assert Job.objects.count() == 1 and len(queued) == 1


def test_the_page_lists_ones_earlier_exports(client, visitor_a, person_a):
    job = new_job(visitor_a, person_a)
    sign_in(client, visitor_a)

    page = client.get(export_url(person_a)).content.decode()
    assert reverse("privacy:job-detail", kwargs={"code": job.code}) in page


def test_the_export_runs_once_the_request_is_committed(
    client, visitor_a, person_a, django_capture_on_commit_callbacks
):
    sign_in(client, visitor_a)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(export_url(person_a))

    job = Job.objects.get()
    assert job.status == Job.Status.READY
    assert export.export_path(job).is_file()


def test_another_organisation_does_not_find_the_export_page(client, visitor_b, person_a, queued):
    sign_in(client, visitor_b)
    assert client.get(export_url(person_a)).status_code == 404
    assert client.post(export_url(person_a)).status_code == 404
    assert not Job.objects.exists() and queued == []


def test_an_organisation_the_file_is_shared_with_cannot_export_it(
    client, visitor_a, visitor_b, org_b, person_a, queued
):
    services.share_person(visitor_a, person_a, org_b, with_identity=True, page="/test/")
    sign_in(client, visitor_b)
    assert client.get(export_url(person_a)).status_code == 403
    assert client.post(export_url(person_a)).status_code == 403
    assert not Job.objects.exists()


def test_a_coordinator_cannot_export(client, coordinator, person_a, queued):
    sign_in(client, coordinator)
    assert client.get(export_url(person_a)).status_code == 403
    assert client.post(export_url(person_a)).status_code == 403
    assert not Job.objects.exists()


@pytest.mark.parametrize("persona", ["partner", "legal", "advocacy", "witness_pool"])
def test_other_roles_do_not_find_the_export_page(persona, persona_client, person_a, queued):
    client = persona_client(persona)
    assert client.get(export_url(person_a)).status_code == 404
    assert client.post(export_url(person_a)).status_code == 404
    assert not Job.objects.exists()


def test_anonymous_is_sent_to_sign_in(client, person_a, queued):
    for response in (client.get(export_url(person_a)), client.post(export_url(person_a))):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    assert not Job.objects.exists()


def test_an_unknown_key_finds_nothing(client, visitor_a, person_a):
    sign_in(client, visitor_a)
    url = reverse("detainees:person-export", kwargs={"key": "00000000-0000-0000-0000-000000000000"})
    assert client.get(url).status_code == 404


def test_someone_who_left_the_organisation_no_longer_downloads_an_export(
    client, visitor_a, held, settings, tmp_path
):
    from django.urls import reverse

    from move.accounts.models import Membership
    from tests.conftest import close_download, sign_in

    settings.MEDIA_ROOT = tmp_path
    job = new_job(visitor_a, held)
    export.build_export(job)
    job.refresh_from_db()
    download = reverse("privacy:job-download", kwargs={"code": job.code})
    sign_in(client, visitor_a)
    response = client.get(download)
    assert response.status_code == 200
    close_download(response)
    Membership.objects.filter(user=visitor_a).delete()
    assert client.get(download).status_code == 404


def test_the_export_holds_the_history_of_changes_with_earlier_values(
    visitor_a, person_a, private_media
):
    """django-auditlog keeps earlier values of the case file: they are held too."""
    person_a.notes = "Première version"
    person_a.save()
    person_a.notes = "Deuxième version"
    person_a.save()
    job = new_job(visitor_a, person_a)
    export.build_export(job)
    document, pdf = contents(job)
    changes = [entry["changes"]["display"] for entry in document["history"]]
    assert any("Première version → Deuxième version" in change for change in changes)
