"""The statistics PDF (figures/pdf.py): started as a Job for whoever may read the figures,
in the variant they may read, once per click; built in French or Dutch from the records,
read back with pypdf; the partner's copy holds no small count; its file is its owner's."""

import io
import re

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from pypdf import PdfReader

from figures import pdf, tasks
from figures.tables import COUNT, FRACTION, NUMBER, Figures, Table
from figures.views import SUPPRESSED
from move.accounts.permissions import (
    FIGURES_COALITION,
    FIGURES_FULL,
    FIGURES_PUBLISHED,
    Role,
)
from move.privacy.models import Job
from move.privacy.views import job_path
from tests.conftest import close_download
from tests.factories import member, with_totp

pytestmark = pytest.mark.django_db

KEY = {
    "people_accompanied_adult_centres": 628,
    "detained_adult_centres": 4285,
    "reach_ratio": 628 / 4285,
    "families_accompanied": 37,
    "reports_written": 301,
    "help_requests": 172,
    "exchange_meetings": 10,
    "visitors_active": 17,
}


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def queued(monkeypatch):
    """The tasks queued, as (args), instead of running them."""
    calls = []
    monkeypatch.setattr(tasks.make_figures_pdf, "delay", lambda *args: calls.append(args))
    return calls


@pytest.fixture
def start(queued, django_capture_on_commit_callbacks):
    """pdf.start, its transaction's on-commit callbacks run as a commit would."""

    def started(*args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return pdf.start(*args, **kwargs)

    return started


@pytest.fixture
def registered():
    pdf.register()  # as FiguresConfig.ready does


def people_table(section="people", values=(412, 216), chart="bar") -> Table:
    rows = [("caricole", "Caricole"), ("vottem", "Vottem"), ("total", "Total")]
    table = Table(
        key=f"people_{section}",
        title="People accompanied per centre",
        section=section,
        row_header="Centre",
        rows=rows,
        columns=[
            ("people", "People", COUNT),
            ("reach", "Reach", FRACTION),
            ("median", "Median days", NUMBER),
        ],
        total_row="total",
        chart=chart,
        note="Each person once per centre.",
    )
    for (row, _label), value in zip(rows, (*values, sum(values)), strict=True):
        table.cells[(row, "people")] = value
        table.cells[(row, "reach")] = value / 4285
        table.cells[(row, "median")] = 31.5
    return table


def by_hand(variant=FIGURES_FULL, tables=None, quarter=None) -> Figures:
    return Figures(
        year=2022,
        quarter=quarter,
        variant=variant,
        language="fr",
        key=dict(KEY),
        tables=tables if tables is not None else [people_table()],
    )


def text_of(data: bytes) -> str:
    """The PDF's text, every space (the thin and no-break ones too) made one space."""
    assert data.startswith(b"%PDF")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return re.sub(r"[ \u00a0\u202f]+", " ", text)


# --- start() ------------------------------------------------------------------------------


def test_start_creates_one_job_and_queues_one_task_on_commit(
    coordinator, queued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = pdf.start(coordinator, 2022, None, "nl", publication=False)
        assert queued == []  # not before the commit
    assert len(callbacks) == 1
    callbacks[0]()
    assert queued == [(job.pk, 2022, None, "nl", FIGURES_FULL)]
    assert (job.owner, job.kind, job.subject, job.language, job.status) == (
        coordinator,
        "figures-pdf",
        "2022",
        "nl",
        Job.Status.PENDING,
    )
    assert Job.objects.count() == 1
    # Recorded, for move/privacy/jobs.py to queue it again if its worker dies.
    job.refresh_from_db()
    assert (job.task, job.arguments) == (
        "figures.tasks.make_figures_pdf",
        [job.pk, 2022, None, "nl", FIGURES_FULL],
    )


def test_a_second_start_returns_the_same_job(
    coordinator, queued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = pdf.start(coordinator, 2022, 3, "fr", publication=False)
        again = pdf.start(coordinator, 2022, 3, "fr", publication=False)
    assert again == first and first.subject == "2022-Q3"
    assert len(queued) == 1
    # Another language, another variant or the whole year: another job each.
    with django_capture_on_commit_callbacks(execute=True):
        others = {
            pdf.start(coordinator, 2022, 3, "nl", publication=False),
            pdf.start(coordinator, 2022, 3, "fr", publication=True),
            pdf.start(coordinator, 2022, None, "fr", publication=False),
        }
    assert len(others | {first}) == 4 and len(queued) == 4


def test_a_finished_job_is_not_returned_again(coordinator, queued):
    first = pdf.start(coordinator, 2022, None, "fr", publication=False)
    Job.objects.filter(pk=first.pk).update(status=Job.Status.READY)
    assert pdf.start(coordinator, 2022, None, "fr", publication=False) != first


def test_another_persons_job_is_not_theirs(coordinator, coalition, queued):
    colleague = member(Role.COORDINATOR, coalition)
    assert pdf.start(colleague, 2022, None, "fr", False) != pdf.start(
        coordinator, 2022, None, "fr", False
    )


def test_the_witness_pool_is_refused(witness_pool, queued):
    with pytest.raises(PermissionDenied):
        pdf.start(witness_pool, 2022, None, "fr", publication=False)
    assert not Job.objects.exists() and queued == []


def test_a_partners_job_is_the_published_variant_whatever_it_asks(partner, start, queued):
    job = start(partner, 2022, None, "fr", publication=False)
    assert queued[-1][-1] == FIGURES_PUBLISHED
    assert job.filename == "move-statistiques-2022-publication.pdf"


@pytest.mark.parametrize(
    ("persona", "publication", "variant"),
    [
        ("coordinator", False, FIGURES_FULL),
        ("coordinator", True, FIGURES_PUBLISHED),
        ("visitor_a", False, FIGURES_COALITION),
        ("legal", False, FIGURES_FULL),
    ],
)
def test_each_reader_gets_the_variant_they_may_read(
    request, start, queued, persona, publication, variant
):
    user = request.getfixturevalue(persona)
    start(user, 2023, None, "nl", publication=publication)
    assert queued[-1][-1] == variant


def test_a_language_other_than_french_or_dutch_is_refused(coordinator, queued):
    with pytest.raises(ValueError):
        pdf.start(coordinator, 2022, None, "en", publication=False)
    with pytest.raises(ValueError):
        pdf.start(coordinator, 2022, 5, "fr", publication=False)
    assert not Job.objects.exists()


def test_file_names_say_the_period_language_and_variant():
    assert pdf.filename(2022, None, "fr", FIGURES_FULL) == "move-statistiques-2022.pdf"
    assert pdf.filename(2022, None, "nl", FIGURES_FULL) == "move-statistieken-2022.pdf"
    assert pdf.filename(2022, 3, "nl", FIGURES_PUBLISHED) == (
        "move-statistieken-2022-K3-publicatie.pdf"
    )
    for variant in (FIGURES_FULL, FIGURES_COALITION, FIGURES_PUBLISHED):
        for language in ("fr", "nl"):
            job = Job(filename=pdf.filename(2023, 1, language, variant))
            assert pdf.variant_of(job) == variant


# --- render() -----------------------------------------------------------------------------


def test_render_tells_its_progress_chart_by_chart():
    told = []
    tables = [
        people_table(),
        people_table("visits", chart="barh"),
        people_table("legal", chart=None),
    ]
    pdf.render(by_hand(tables=tables), "fr", lambda percent, step: told.append((percent, step)))
    percents = [percent for percent, _step in told]
    assert percents == sorted(percents) and percents[0] > 0 and percents[-1] < 100
    steps = [step for _percent, step in told]
    # Two charts drawn (the third table has none), then the layout and the writing.
    assert sum("People accompanied per centre" in step for step in steps) == 2
    assert len(steps) == 4


def test_french_numbers_and_sections_in_order():
    tables = [people_table("legal"), people_table("people", values=(1200, 3085))]
    text = text_of(pdf.render(by_hand(tables=tables), "fr"))
    assert "Généré le" in text and "Page 3 sur" in text  # the shared page, in French
    assert "4 285" in text and "1 200" in text  # grouped as French writes them
    assert "14,7" in text  # the reach ratio, with a decimal comma
    # "people" comes before "legal" (SECTIONS), whatever the tables' order.
    assert text.index("1 200") < text.index("412")


def test_dutch_numbers():
    text = text_of(pdf.render(by_hand(quarter=2), "nl"))
    assert "Aangemaakt op" in text and "Pagina 2 van" in text
    assert "4.285" in text and "628" in text and "14,7" in text


def test_a_published_figures_with_a_small_count_is_not_printed():
    with pytest.raises(RuntimeError):
        pdf.render(by_hand(FIGURES_PUBLISHED, [people_table(values=(3, 216))]), "fr")


def test_a_suppressed_cell_is_marked_and_said():
    table = people_table(values=(3, 216))
    table.cells[("caricole", "people")] = table.cells[("vottem", "people")] = None
    table.suppressed = {("caricole", "people"), ("vottem", "people")}
    figures = by_hand(FIGURES_PUBLISHED, [table])
    figures.key["exchange_meetings"] = 3  # a small key figure is hidden too
    text = text_of(pdf.render(figures, "fr"))
    assert f"Caricole {SUPPRESSED} " in text and f"Vottem {SUPPRESSED} " in text
    # The key figure hidden, first on its line.
    assert re.search(rf"^{SUPPRESSED} \D", text, re.MULTILINE)
    assert spaced(in_french("Published version: small numbers suppressed")) in text


# --- make(): the job's work, on records ---------------------------------------------------

BIG, SMALL = 41, 3  # people accompanied in 2022 in two adult centres


@pytest.fixture
def world(org_a, visitor_a):
    """Two adult centres in 2022: 41 people accompanied in one, 3 in the other."""
    from datetime import date

    from detainees.models import Accompaniment, Person
    from tests.factories import CentreFactory, CentreYearFactory
    from visits.models import Visit

    number = 0
    for count, detained, name in ((BIG, 700, "Caricole"), (SMALL, 300, "Vottem")):
        centre = CentreFactory(name_fr=name, name_nl=name, name_en=name)
        CentreYearFactory(centre=centre, year=2022, people_detained=detained)
        visit = Visit.objects.create(centre=centre, date=date(2022, 5, 10), status="done")
        visit.visitors.add(visitor_a)
        for _ in range(count):
            number += 1
            person = Person.objects.create(code=f"P-2022-{number:04d}", organisation=org_a)
            Accompaniment.objects.create(person=person, visit=visit, met_by=visitor_a)
    return {"people": BIG + SMALL, "detained": 1000}


@pytest.fixture
def quickly(monkeypatch):
    """render() makes a one-page PDF naming the variant: for the tests about the job,
    not about what the PDF holds."""
    from visits.pdf import html_to_pdf

    def one_page(figures, language, progress=None, **kwargs):
        return html_to_pdf(
            f"<p>{figures.variant} {figures.key['people_accompanied_adult_centres']}</p>"
        )

    monkeypatch.setattr(pdf, "render", one_page)


def run(owner, language="fr", variant=FIGURES_FULL, quarter=None) -> Job:
    job = Job.objects.create(
        owner=owner, kind=pdf.KIND, subject=pdf.subject(2022, quarter), language=language
    )
    tasks.make_figures_pdf.run(job.pk, 2022, quarter, language, variant)
    job.refresh_from_db()
    return job


def job_text(job: Job) -> str:
    return text_of(job_path(job).read_bytes())


def test_the_french_pdf_holds_the_key_figures(media, coordinator, world):
    job = run(coordinator, "fr")
    assert (job.status, job.progress, job.last_error) == (Job.Status.READY, 100, "")
    assert job.filename == "move-statistiques-2022.pdf"
    assert job.file.startswith("jobs/") and (media / "private" / job.file).is_file()
    text = job_text(job)
    assert f"\n{world['people']} " in text  # the people accompanied, first in the box
    assert "1 000" in text  # the people detained there, as French groups them
    assert "4,4" in text  # 44 / 1000 as a percentage, with a decimal comma
    assert "Généré le" in text


def test_the_dutch_pdf_has_dutch_headings(media, coordinator, world):
    job = run(coordinator, "nl", quarter=2)
    assert job.status == Job.Status.READY and job.filename == "move-statistieken-2022-K2.pdf"
    text = job_text(job)
    assert "Begeleide personen" in text  # the section "People accompanied"
    assert "Aangemaakt op" in text and "Pagina 1 van" not in text  # the cover has no footer
    assert "1.000" in text and f"\n{world['people']} " in text


def test_the_progress_is_written_in_the_jobs_language(media, coordinator, world, monkeypatch):
    written = []
    progress = pdf.jobs.progress

    def recorded(job, percent, step):
        written.append((percent, step))
        progress(job, percent, step)

    monkeypatch.setattr(pdf.jobs, "progress", recorded)
    run(coordinator, "nl")
    percents = [percent for percent, _step in written]
    assert percents == sorted(percents) and len(written) >= 5
    assert written[-1] == (95, "Opslaan van de PDF")  # in Dutch, the job's language
    assert any(step == "Aanmaken van de PDF" for _percent, step in written)


def test_a_ready_job_is_left_alone(media, coordinator, world, quickly, monkeypatch):
    job = run(coordinator, "fr")
    assert job.status == Job.Status.READY
    monkeypatch.setattr(pdf, "render", lambda *args, **kwargs: pytest.fail("made twice"))
    tasks.make_figures_pdf.run(job.pk, 2022, None, "fr", FIGURES_FULL)
    assert Job.objects.get(pk=job.pk).finished_at == job.finished_at


def test_a_run_that_lost_its_job_writes_nothing(media, coordinator, world, monkeypatch):
    """Queued again meanwhile (its worker was silent too long): the late run stops."""
    import uuid

    def slow(figures, language, progress=None, **kwargs):
        Job.objects.filter(kind=pdf.KIND).update(run=uuid.uuid4(), status=Job.Status.PENDING)
        return b"%PDF-late"

    monkeypatch.setattr(pdf, "render", slow)
    job = run(coordinator, "fr")
    assert (job.status, job.file, job.last_error) == (Job.Status.PENDING, "", "")
    assert not list((media / "private" / "jobs").glob("*"))


def test_a_failure_names_nobody(media, coordinator, world, monkeypatch):
    def broken(figures, language, progress=None, **kwargs):
        raise RuntimeError("P-2022-0001 Mohammed, born 1990")

    monkeypatch.setattr(pdf, "render", broken)
    job = run(coordinator, "fr")
    assert job.status == Job.Status.FAILED and job.finished_at and not job.file
    assert "P-2022" not in job.last_error and "Mohammed" not in job.last_error
    assert job.last_error == in_french("The PDF could not be made. Try again later.")


def test_an_owner_who_may_no_longer_read_the_figures_gets_a_failed_job(media, witness_pool, world):
    job = run(witness_pool, "fr")
    assert job.status == Job.Status.FAILED and not job.file
    assert job.last_error == in_french("You may no longer read these figures.")


def test_a_job_never_shows_more_than_its_owner_reads_when_it_runs(media, visitor_a, world, quickly):
    """Started as the full variant (the visitor's rights changed since): the coalition's."""
    job = run(visitor_a, "fr", variant=FIGURES_FULL)
    assert job.status == Job.Status.READY
    assert f"{FIGURES_COALITION} {world['people']}" in job_text(job)
    assert job.filename == "move-statistiques-2022-coalition.pdf"


def test_the_partners_pdf_holds_no_count_from_1_to_4(media, partner, coordinator, world):
    from figures import yearly

    job = run(partner, "fr", variant=FIGURES_PUBLISHED)
    assert job.status == Job.Status.READY, job.last_error
    assert job.filename == "move-statistiques-2022-publication.pdf"
    text = job_text(job)
    assert spaced(in_french("Published version: small numbers suppressed")) in text
    assert f"Vottem {SMALL} " not in text and f"Vottem {SUPPRESSED}" in text
    # Every row of every table, as the PDF prints it: each count shown is 0 or at least 5.
    with translation_override("fr"):
        published = yearly.figures(2022, variant=FIGURES_PUBLISHED, language="fr")
        printed = 0
        for table in published.tables:
            counts = [key for key, _label, kind in table.columns if kind == COUNT]
            for row, label in table.rows:
                cells = [pdf.cell_text(table, row, column) for column, _l, _k in table.columns]
                line = re.sub(r"[ \u00a0\u202f]+", " ", f"{label} {' '.join(cells)}")
                if line in text:
                    printed += 1
                for column in counts:
                    value = table.value(row, column)
                    assert value is None or value == 0 or value >= 5, (table.key, row, column)
    assert printed >= len(published.tables)  # the rows were found as printed
    # The same world, unsuppressed: the small count is there.
    assert f"Vottem {SMALL} " in job_text(run(coordinator, "fr"))


def translation_override(language):
    from django.utils import translation

    return translation.override(language)


def spaced(text: str) -> str:
    """A message with its spaces made one space, as text_of reads a PDF."""
    return re.sub(r"[ \u00a0\u202f]+", " ", text)


def in_french(text: str) -> str:
    """A message as a French job writes it (its language, not the test's)."""
    from django.utils.translation import gettext

    with translation_override("fr"):
        return gettext(text)


# --- The file is its owner's ---------------------------------------------------------------


def test_the_download_is_its_owners_only(media, client, coordinator, coalition, world, registered):
    from tests.conftest import sign_in

    job = run(coordinator, "fr")
    url = reverse("privacy:job-download", kwargs={"code": job.code})
    response = sign_in(client, coordinator).get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert "move-statistiques-2022.pdf" in response["Content-Disposition"]
    close_download(response)
    colleague = with_totp(member(Role.COORDINATOR, coalition, email="colleague@example.org"))
    client.logout()
    assert sign_in(client, colleague).get(url).status_code == 404


def test_an_owner_who_reads_less_by_now_cannot_take_the_file(
    media, client, coordinator, world, quickly, registered
):
    from move.accounts.models import Membership
    from tests.conftest import sign_in

    job = run(coordinator, "fr")
    url = reverse("privacy:job-download", kwargs={"code": job.code})
    response = sign_in(client, coordinator).get(url)
    assert response.status_code == 200
    close_download(response)
    Membership.objects.filter(user=coordinator).update(role=Role.VISITOR)  # no contributions
    assert client.get(url).status_code == 404


def test_a_pdf_started_by_a_partner_with_a_quarter_is_the_years(partner, start, queued):
    """The published figures are yearly only: a quarter's, suppressed apart from the
    year's, subtracted from it would give a suppressed cell back."""
    job = start(partner, 2022, 2, "fr", publication=False)
    assert job.subject == "2022"
    assert job.filename == "move-statistiques-2022-publication.pdf"
    assert [args[2] for args in queued] == [None]  # the quarter the task is given


def test_a_published_pdf_job_with_a_quarter_is_made_of_the_year(media, partner, world, monkeypatch):
    from figures import yearly

    asked = []
    real = yearly.figures

    def figures(year, quarter=None, **kwargs):
        asked.append(quarter)
        return real(year, quarter, **kwargs)

    monkeypatch.setattr(yearly, "figures", figures)
    job = run(partner, "fr", variant=FIGURES_PUBLISHED, quarter=2)
    assert job.status == Job.Status.READY, job.last_error
    assert asked and set(asked) == {None}
