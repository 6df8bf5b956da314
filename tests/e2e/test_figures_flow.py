"""The figures in the browser (issue 13), on the demo's records (DESIGN.md §8):

1. the coordinator opens 2022, compares it with 2023, and asks for the statistics PDF in
   French: the job's page shows it waiting, then follows its progress (htmx polls) while
   the worker builds it, until it is ready; the PDF downloaded holds the key figures;
2. the coordinator downloads the XLSX (opened with openpyxl: the figures are numbers) and
   the CSV (long form, exactly the columns of the issue);
3. a partner downloads its CSV and finds no count between 1 and 4.

The task is not run eagerly here: the page would only ever see it done. Its `delay` is
replaced (the live server runs in this process) and the test runs it as the worker would,
while the browser watches. axe-core checks the pages at 1280 and 360 px, and the browser
may log no error (CSP)."""

import csv
import io
import re
from io import StringIO
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import expect
from pypdf import PdfReader

from figures import pdf, tasks, yearly
from figures.tables import COUNT
from move.accounts.models import User
from move.accounts.permissions import FIGURES_PUBLISHED
from move.privacy.models import Job
from tests.conftest import restore_migration_rows
from tests.e2e.conftest import TOTP_SECRET
from tests.e2e.test_report_flow import check, console_errors

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

YEAR, COMPARED = 2022, 2023
CSV_COLUMNS = ["table", "row", "column", "value", "suppressed"]
SLOW = 30_000  # ms


@pytest.fixture
def demo(e2e_db):
    """The demo's records and accounts, read in English; the coordinator has set MFA up."""
    from allauth.mfa.totp.internal.auth import TOTP

    restore_migration_rows()  # an earlier transactional test may have emptied them
    call_command("seed_demo", "--force", stdout=StringIO())
    pdf.register()  # as FiguresConfig.ready does
    User.objects.filter(email__in=["coordinator@move.test", "partner.myria@move.test"]).update(
        language="en"
    )
    coordinator = User.objects.get(email="coordinator@move.test")
    TOTP.activate(coordinator, TOTP_SECRET)
    return {
        "coordinator": coordinator,
        "partner": User.objects.get(email="partner.myria@move.test"),
        "key": yearly.key_figures(YEAR),
        "compared": yearly.key_figures(COMPARED),
    }


@pytest.fixture
def queued(monkeypatch):
    """The PDF tasks queued by the pages, kept for the test to run as the worker would."""
    calls = []
    monkeypatch.setattr(tasks.make_figures_pdf, "delay", lambda *args: calls.append(args))
    return calls


def plain(text: str) -> str:
    """Text read back, every space (thin and no-break ones too) made one space."""
    return re.sub(r"[ \u00a0\u202f]+", " ", text)


def french(number: int) -> str:
    return f"{number:,}".replace(",", " ")


def submit_with(page, field, value: str) -> None:
    """Set a field of the dashboard's GET form and send that form (whatever its button
    is called)."""
    if field.evaluate("element => element.tagName") == "SELECT":
        field.select_option(value)
    else:
        field.fill(value)
    field.evaluate("element => element.form.requestSubmit()")


def csv_link(page):
    return page.get_by_role("link", name=re.compile(r"\bCSV\b")).first


def download(page, link):
    with page.expect_download() as started:
        link.click()
    return started.value


def csv_rows(path) -> list[dict]:
    with Path(path).open(newline="", encoding="utf-8-sig") as file:
        reader = csv.DictReader(file)
        assert reader.fieldnames == CSV_COLUMNS
        return list(reader)


def test_the_coordinator_exports_the_year_and_a_partner_its_safe_figures(
    page, context, signed_in, demo, queued
):
    console = console_errors(page)
    problems = []
    people = demo["key"]["people_accompanied_adult_centres"]
    detained = demo["key"]["detained_adult_centres"]

    # 1. The coordinator opens 2022, with its key figures.
    signed_in(demo["coordinator"])
    page.goto(reverse("figures:dashboard", kwargs={"year": YEAR}))
    expect(page.get_by_role("heading", level=1)).to_contain_text(str(YEAR))
    expect(page.get_by_role("main")).to_contain_text(f"{people:,}")
    problems += check(page, "figures of 2022")

    # ... and compares it with 2023.
    submit_with(page, page.get_by_label(re.compile("^compare", re.IGNORECASE)), str(COMPARED))
    # Two years' figures and their charts drawn: longer than most pages on a busy machine.
    expect(page).to_have_url(re.compile(rf"compare={COMPARED}"), timeout=SLOW)
    compared_people = demo["compared"]["people_accompanied_adult_centres"]
    expect(page.get_by_role("main")).to_contain_text(f"{compared_people:,}")
    problems += check(page, "2022 compared with 2023")

    # The statistics PDF, in French.
    build = page.get_by_role("button", name="Build the PDF")
    build.locator("xpath=ancestor::form").get_by_label(re.compile("^Language")).select_option("fr")
    build.click()
    expect(page).to_have_url(re.compile(r"/jobs?/"))
    job = Job.objects.get(owner=demo["coordinator"], kind=pdf.KIND)
    assert (job.subject, job.language, job.status) == (str(YEAR), "fr", Job.Status.PENDING)
    assert len(queued) == 1 and queued[0][:4] == (job.pk, YEAR, None, "fr"), queued
    status = page.get_by_role("status")
    expect(status).to_contain_text("Waiting")
    expect(page.locator("progress")).to_have_attribute("value", "0")
    problems += check(page, "statistics PDF waiting")

    # The worker builds it; the page follows (htmx asks every 2 seconds).
    tasks.make_figures_pdf.run(*queued[0])
    job.refresh_from_db()
    assert job.status == Job.Status.READY, (job.status, job.last_error)
    expect(status).to_contain_text("Ready", timeout=15_000)
    expect(page.locator("progress")).to_have_attribute("value", "100")
    problems += check(page, "statistics PDF ready")
    pdf_file = download(page, page.get_by_role("link", name=re.compile("^Download")))
    assert pdf_file.suggested_filename == f"move-statistiques-{YEAR}.pdf"
    reader = PdfReader(pdf_file.path())
    text = plain(" ".join(page_.extract_text() for page_ in reader.pages))
    assert french(people) in text and french(detained) in text, text[:2000]
    with translation.override("fr"):
        box = text[text.index(gettext("Key figures")) :]
    for key in ("families_accompanied", "reports_written", "help_requests", "visitors_active"):
        assert f"{french(demo['key'][key])} " in box, (key, box[:1500])
    assert f"{YEAR}" in text and "Généré le" in text
    assert len(reader.pages) >= 10, len(reader.pages)

    # 2. The XLSX and the CSV of the year.
    page.goto(reverse("figures:dashboard", kwargs={"year": YEAR}))
    xlsx = download(page, page.get_by_role("link", name=re.compile(r"\bXLSX\b")).first)
    assert xlsx.suggested_filename.endswith(".xlsx")
    # (The downloaded file has no extension, which openpyxl wants: read from memory.)
    workbook = openpyxl.load_workbook(io.BytesIO(Path(xlsx.path()).read_bytes()))
    numbers = {
        cell.value
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, int | float)
    }
    assert people in numbers and len(workbook.worksheets) > 1
    rows = csv_rows(download(page, csv_link(page)).path())
    assert str(people) in {row["value"] for row in rows}

    # 3. A partner's CSV: no count from 1 to 4, the suppressed cells empty.
    context.clear_cookies()
    signed_in(demo["partner"])
    page.goto(reverse("figures:dashboard", kwargs={"year": YEAR}))
    problems += check(page, "a partner's figures")
    rows = csv_rows(download(page, csv_link(page)).path())
    published = yearly.figures(YEAR, variant=FIGURES_PUBLISHED, language="en")
    kinds = {
        (table.key, column): kind
        for table in published.tables
        for column, _l, kind in table.columns
    }
    assert all((row["table"], row["column"]) in kinds for row in rows)
    small = [
        row
        for row in rows
        if kinds.get((row["table"], row["column"])) == COUNT
        and row["value"]
        and 1 <= float(row["value"]) <= 4
    ]
    assert not small, small[:5]
    hidden = [row for row in rows if row["suppressed"] == "1"]
    assert hidden and all(row["value"] == "" for row in hidden)
    assert all(row["suppressed"] in {"0", "1", ""} for row in rows)

    assert not problems, "\n\n".join(problems)
    assert console == [], f"the browser logged errors (a CSP violation?): {console}"
