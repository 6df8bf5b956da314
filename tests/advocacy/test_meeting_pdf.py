"""The agenda and the minutes of a meeting as PDFs in French and Dutch (a Job), read
back with pypdf: labels in the language asked for, the points as written, codes only."""

import datetime
import io

import pytest
from pypdf import PdfReader

from advocacy import meetings
from advocacy.models import AgendaItem, AuthorityMeeting, PointOfAttention, Situation
from detainees.models import Person
from move.privacy.models import Job
from move.privacy.views import job_path
from visits.models import Theme

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def held(org_a):
    theme = Theme.objects.create(code="health", name_fr="Santé", name_nl="Gezondheid")
    meeting = AuthorityMeeting.objects.create(
        date=datetime.date(2026, 3, 10),
        authority="immigration_office",
        status="held",
        their_attendees="Head of the directorate",
    )
    point = PointOfAttention.objects.create(
        title="Toegang tot een arts", description="Wachttijden", theme=theme
    )
    AgendaItem.objects.create(
        meeting=meeting, point=point, answer="Een arts elke dag", follow_up="Opvolgen"
    )
    person = Person.objects.create(code="P-2026-0042", organisation=org_a)
    Situation.objects.create(meeting=meeting, person=person, note="Vrijlating gevraagd")
    return meeting


def run(owner, meeting, document, language):
    job = Job.objects.create(owner=owner, kind=meetings.KINDS[document], subject="x", language="en")
    meetings.make_pdf(job.pk, meeting.pk, document, language)
    job.refresh_from_db()
    return job


def text_of(job) -> str:
    data = job_path(job).read_bytes()
    assert data.startswith(b"%PDF")
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_dutch_agenda(media, coordinator, held):
    job = run(coordinator, held, "agenda", "nl")
    assert (job.status, job.progress, job.last_error) == (Job.Status.READY, 100, "")
    assert job.filename == "meeting-2026-03-10-agenda-nl.pdf"
    assert job.file.startswith("jobs/") and (media / "private" / job.file).is_file()
    text = text_of(job)
    assert "Datum" in text  # a Dutch heading
    assert "Toegang tot een arts" in text and "Wachttijden" in text  # as written
    assert "P-2026-0042" in text
    assert "Een arts elke dag" not in text  # the agenda holds no answers


def test_minutes_hold_answers_and_codes_only(media, legal, held):
    job = run(legal, held, "minutes", "fr")
    assert job.status == Job.Status.READY
    text = text_of(job)
    assert "Een arts elke dag" in text and "Opvolgen" in text
    assert "P-2026-0042" in text and "Vrijlating gevraagd" in text


def test_a_reader_no_longer_allowed_gets_a_failed_job(media, partner, held):
    job = run(partner, held, "agenda", "fr")
    assert job.status == Job.Status.FAILED
    assert job.last_error and not job.file


def test_a_failure_is_readable(media, coordinator, held, monkeypatch):
    def broken(html):
        raise RuntimeError("pango")

    monkeypatch.setattr("visits.pdf.html_to_pdf", broken)
    job = run(coordinator, held, "agenda", "nl")
    assert job.status == Job.Status.FAILED
    assert job.last_error == "The PDF could not be made. Try again later."
    assert job.finished_at is not None


def test_the_task_calls_make_pdf(media, coordinator, held):
    from advocacy.tasks import make_meeting_pdf

    job = Job.objects.create(owner=coordinator, kind="meeting-minutes", subject="x")
    make_meeting_pdf.run(job.pk, held.pk, "minutes", "nl")
    job.refresh_from_db()
    assert job.status == Job.Status.READY
